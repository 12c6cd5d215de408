#include "service/store_handlers.hpp"

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "cybercover/error.hpp"
#include "cybercover/io/json_io.hpp"
#include "cybercover/store/store.hpp"

namespace cybercover::service {

namespace {

constexpr const char* kCsvType = "text/csv; charset=utf-8";

std::vector<std::string_view> segments(std::string_view path) {
  std::vector<std::string_view> out;
  while (!path.empty()) {
    if (path.front() == '/') {
      path.remove_prefix(1);
      continue;
    }
    const auto slash = path.find('/');
    out.push_back(path.substr(0, slash));
    path = slash == std::string_view::npos ? std::string_view() : path.substr(slash);
  }
  return out;
}

std::string_view path_of(std::string_view target) { return target.substr(0, target.find('?')); }

// The {id} of the path (bounded: an id is 34 characters).
std::string id_of(std::string_view target) {
  const auto s = segments(path_of(target));
  return s.size() >= 3 ? std::string(s[2].substr(0, 128)) : std::string();
}

// A JSON object of exactly the `allowed` keys (each at most once), the `required` ones present.
nlohmann::json body_object(std::string_view body, const std::set<std::string>& allowed,
                           const std::set<std::string>& required) {
  nlohmann::json j;
  std::vector<std::set<std::string>> seen;
  std::string duplicate;
  try {
    // The callback sees every key: a key given twice is refused, as the request contract does.
    j = nlohmann::json::parse(
        body, [&](int depth, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
          if (event == nlohmann::json::parse_event_t::object_start)
            seen.resize(static_cast<std::size_t>(depth) + 1),
                seen[static_cast<std::size_t>(depth)].clear();
          if (event == nlohmann::json::parse_event_t::key && depth >= 1) {
            auto& keys = seen.at(static_cast<std::size_t>(depth) - 1);
            if (!keys.insert(parsed.get<std::string>()).second && duplicate.empty())
              duplicate = parsed.get<std::string>();
          }
          return true;
        });
  } catch (const nlohmann::json::exception& e) {
    throw Error(ErrorCode::kMalformedJson, "", std::string("the body is not JSON: ") + e.what());
  }
  if (!duplicate.empty()) throw Error(ErrorCode::kDuplicateField, duplicate, "given twice");
  if (!j.is_object())
    throw Error(ErrorCode::kWrongType, "", "the body must be a JSON object",
                sanitize_for_message(j.dump()));
  for (const auto& [key, value] : j.items())
    if (!allowed.count(key)) throw Error(ErrorCode::kUnknownField, key, "unknown field");
  for (const auto& key : required)
    if (!j.contains(key) || j[key].is_null())
      throw Error(ErrorCode::kMissing, key, "required field is missing");
  return j;
}

Date date_field(const nlohmann::json& j, const char* key) {
  const auto& v = j.at(key);
  if (!v.is_string())
    throw Error(ErrorCode::kWrongType, key, "must be a date string \"YYYY-MM-DD\"",
                sanitize_for_message(v.dump()));
  const auto d = Date::parse(v.get<std::string>());
  if (!d)
    throw Error(ErrorCode::kInvalidDate, key, "must be a date \"YYYY-MM-DD\"",
                quote_for_message(v.get<std::string>()));
  if (*d < Date::from_ymd(1900, 1, 1) || *d > Date::from_ymd(2199, 12, 31))
    throw Error(ErrorCode::kDateOutOfRange, key, "must be from 1900-01-01 to 2199-12-31",
                quote_for_message(v.get<std::string>()));
  return *d;
}

// Query parameters of the bordereau: month (required), format json|csv.
struct BordereauQuery {
  std::string month;
  bool csv = false;
};

BordereauQuery bordereau_query(std::string_view target) {
  BordereauQuery q;
  bool seen_month = false, seen_format = false;
  const auto mark = target.find('?');
  std::string_view query =
      mark == std::string_view::npos ? std::string_view() : target.substr(mark + 1);
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    const std::string name(pair.substr(0, eq));
    const std::string value(eq == std::string_view::npos ? std::string_view()
                                                         : pair.substr(eq + 1));
    if (name == "month") {
      if (seen_month)
        throw Error(ErrorCode::kDuplicateField, "month", "query parameter given twice");
      seen_month = true;
      q.month = value;
    } else if (name == "format") {
      if (seen_format)
        throw Error(ErrorCode::kDuplicateField, "format", "query parameter given twice");
      seen_format = true;
      if (value != "json" && value != "csv")
        throw Error(ErrorCode::kUnknownValue, "format", "must be json or csv",
                    quote_for_message(value));
      q.csv = value == "csv";
    } else {
      throw Error(ErrorCode::kUnknownField, sanitize_for_message(name),
                  "unknown query parameter (this endpoint takes month, format)");
    }
  }
  if (!seen_month)
    throw Error(ErrorCode::kMissing, "month",
                "required query parameter is missing (?month=YYYY-MM)");
  return q;
}

void no_query(std::string_view target) {
  const auto mark = target.find('?');
  if (mark != std::string_view::npos && mark + 1 < target.size())
    throw Error(ErrorCode::kUnknownField, sanitize_for_message(target.substr(mark + 1)),
                "unknown query parameter (this endpoint takes none)");
}

Reply json_reply(std::string body, unsigned status = 200) {
  Reply r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

std::string policy_result(const PolicyResult& r) {
  return "{\"policy\":" + policy_json(r.policy) +
         ",\"replayed\":" + (r.replayed ? "true" : "false") + "}";
}

}  // namespace

std::optional<StoreRoute> match_store_route(std::string_view path) {
  const auto s = segments(path);
  if (s.size() < 2 || s[0] != "v1") return std::nullopt;
  if (s[1] == "quotes") {
    if (s.size() == 3 && s[2] == "issue") return StoreRoute{Endpoint::kQuoteIssue, true};
    if (s.size() == 3) return StoreRoute{Endpoint::kQuoteGet, false};
    if (s.size() == 4 && s[3] == "bind") return StoreRoute{Endpoint::kQuoteBind, true};
  } else if (s[1] == "policies") {
    if (s.size() == 3) return StoreRoute{Endpoint::kPolicyGet, false};
    if (s.size() == 4 && s[3] == "cancel") return StoreRoute{Endpoint::kPolicyCancel, true};
    if (s.size() == 4 && s[3] == "change") return StoreRoute{Endpoint::kPolicyChange, true};
  } else if (s[1] == "bordereau" && s.size() == 2) {
    return StoreRoute{Endpoint::kBordereau, false};
  }
  return std::nullopt;
}

Reply handle_store(const ServiceContext& context, const Engine& engine, Endpoint endpoint,
                   std::string_view target, std::string_view body,
                   std::string_view idempotency_key) {
  Store& store = *context.store;
  const std::string key(idempotency_key);
  switch (endpoint) {
    case Endpoint::kQuoteIssue: {
      no_query(target);
      return json_reply(quote_record_json(store.issue_quote(engine, body)), 201);
    }
    case Endpoint::kQuoteGet:
      no_query(target);
      return json_reply(quote_record_json(store.get_quote(id_of(target))));
    case Endpoint::kQuoteBind: {
      no_query(target);
      const auto j = body_object(body, {"start_date"}, {"start_date"});
      const PolicyResult r = store.bind({id_of(target), date_field(j, "start_date"), key});
      return json_reply(policy_result(r), r.replayed ? 200 : 201);
    }
    case Endpoint::kPolicyGet:
      no_query(target);
      return json_reply(policy_json(store.get_policy(id_of(target))));
    case Endpoint::kPolicyCancel: {
      no_query(target);
      const auto j = body_object(body, {"effective_date"}, {"effective_date"});
      return json_reply(
          policy_result(store.cancel({id_of(target), date_field(j, "effective_date"), key})));
    }
    case Endpoint::kPolicyChange: {
      no_query(target);
      const auto j =
          body_object(body, {"effective_date", "changes"}, {"effective_date", "changes"});
      return json_reply(policy_result(store.change_subscription(
          engine, {id_of(target), date_field(j, "effective_date"), j.at("changes").dump(), key})));
    }
    case Endpoint::kBordereau: {
      const BordereauQuery q = bordereau_query(target);
      const Bordereau b = store.bordereau(q.month);
      Reply r = json_reply(q.csv ? bordereau_csv(b) : bordereau_json(b));
      if (q.csv) r.content_type = kCsvType;
      return r;
    }
    default:
      break;
  }
  throw Error(ErrorCode::kUnknownField, std::string(endpoint_path(endpoint)),
              "not an endpoint of the register");
}

}  // namespace cybercover::service
