#include "service/handlers.hpp"

#include <cctype>
#include <charconv>
#include <cstdio>
#include <new>
#include <vector>

#include "cybercover/io/json_io.hpp"
#include "cybercover/remediation/remediation.hpp"
#include "cybercover/report/report.hpp"
#include "service/batch.hpp"
#include "service/json_text.hpp"

namespace cybercover::service {

namespace {

struct RouteSpec {
  std::string_view path;
  Endpoint endpoint;
  bool post;     // POST with a JSON body; else GET (and HEAD)
  bool offload;  // on the worker pool
  bool batch;    // the batch body limit
};

constexpr RouteSpec kRoutes[] = {
    {"/v1/quote", Endpoint::kQuote, true, false, false},
    {"/v1/assess", Endpoint::kAssess, true, false, false},
    {"/v1/quotes", Endpoint::kQuotes, true, true, true},
    {"/v1/remediation", Endpoint::kRemediation, true, true, false},
    {"/v1/report", Endpoint::kReport, true, true, false},
    {"/v1/tables", Endpoint::kTables, false, false, false},
    {"/healthz", Endpoint::kHealthz, false, false, false},
    {"/readyz", Endpoint::kReadyz, false, false, false},
    {"/metrics", Endpoint::kMetrics, false, false, false},
};

const RouteSpec* find_route(std::string_view path) {
  for (const RouteSpec& r : kRoutes)
    if (r.path == path) return &r;
  return nullptr;
}

std::string_view path_of(std::string_view target) { return target.substr(0, target.find('?')); }
std::string_view query_of(std::string_view target) {
  const auto q = target.find('?');
  return q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
}

std::string lower_trimmed(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// application/json, or any application/<x>+json, with any parameters.
bool is_json_media_type(std::string_view content_type) {
  const std::string type = lower_trimmed(content_type.substr(0, content_type.find(';')));
  if (type == "application/json") return true;
  return type.rfind("application/", 0) == 0 && type.size() > 5 && type.compare(type.size() - 5, 5, "+json") == 0;
}

// One query parameter, percent-decoded ('+' is a space, as in forms).
struct QueryParam {
  std::string name, value;
};

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decode(std::string_view raw, const std::string& field) {
  std::string out;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const char c = raw[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%') {
      const int hi = i + 1 < raw.size() ? hex_digit(raw[i + 1]) : -1;
      const int lo = i + 2 < raw.size() ? hex_digit(raw[i + 2]) : -1;
      if (hi < 0 || lo < 0)
        throw Error(ErrorCode::kWrongType, field, "must be percent-encoded (%XX)", quote_for_message(raw));
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

std::vector<QueryParam> parse_query(std::string_view query) {
  std::vector<QueryParam> params;
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    QueryParam p;
    p.name = percent_decode(pair.substr(0, eq), "query");
    p.value = eq == std::string_view::npos ? std::string() : percent_decode(pair.substr(eq + 1), p.name);
    params.push_back(std::move(p));
  }
  return params;
}

// Endpoints other than /v1/report take no query parameters: an unknown one is an error,
// as an unknown field of a request is.
void no_query(std::string_view target) {
  for (const QueryParam& p : parse_query(query_of(target)))
    throw Error(ErrorCode::kUnknownField, p.name, "unknown query parameter (this endpoint takes none)");
}

ReportOptions report_options(std::string_view target) {
  ReportOptions options;
  bool seen_lang = false, seen_company = false, seen_max = false;
  for (const QueryParam& p : parse_query(query_of(target))) {
    auto once = [&](bool& seen) {
      if (seen) throw Error(ErrorCode::kDuplicateField, p.name, "query parameter given twice");
      seen = true;
    };
    if (p.name == "lang") {
      once(seen_lang);
      const auto lang = parse_report_language(p.value);
      if (!lang) throw Error(ErrorCode::kUnknownValue, "lang", "must be ja or en", quote_for_message(p.value));
      options.language = *lang;
    } else if (p.name == "company") {
      once(seen_company);
      options.company_name = p.value;
    } else if (p.name == "max_measures") {
      once(seen_max);
      int n = 0;
      const char* end = p.value.data() + p.value.size();
      const auto [ptr, ec] = std::from_chars(p.value.data(), end, n);
      if (p.value.empty() || ec != std::errc() || ptr != end)
        throw Error(ErrorCode::kWrongType, "max_measures", "must be a whole number", quote_for_message(p.value));
      options.max_measures = n;
    } else {
      throw Error(ErrorCode::kUnknownField, p.name, "unknown query parameter (this endpoint takes lang, company, max_measures)");
    }
  }
  validate_report_options(options);
  return options;
}

Reply ok_json(std::string body, std::uint64_t generation) {
  Reply r;
  r.body = std::move(body);
  r.tables_generation = generation;
  return r;
}

}  // namespace

Reply http_error_reply(const ServiceContext& context, HttpError error, std::string_view detail, std::string_view request_id) {
  context.metrics.count_error(error_id(error));
  Reply r;
  r.status = info(error).status;
  r.body = error_body(error, detail, request_id);
  r.error_id = error_id(error);
  return r;
}

Reply library_error_reply(const ServiceContext& context, const Error& error, std::string_view request_id) {
  context.metrics.count_error(error_id(error.code()));
  Reply r;
  r.status = status_of(error);
  r.body = error_body(error, request_id);
  r.error_id = error_id(error.code());
  return r;
}

Admission admit(const ServiceContext& context, std::string_view method, std::string_view target,
                std::string_view content_type, std::string_view content_encoding,
                std::string_view request_id) {
  Admission a;
  a.body_limit = context.config.body_limit;
  const RouteSpec* route = find_route(path_of(target));
  if (!route) {
    a.reject = http_error_reply(context, HttpError::kNotFound,
                                "no endpoint " + sanitize_for_message(path_of(target)) + " (see docs/http_api.md)", request_id);
    return a;
  }
  a.endpoint = route->endpoint;
  a.offload = route->offload;
  if (route->batch) a.body_limit = context.config.batch_body_limit;
  const bool method_ok = route->post ? method == "POST" : (method == "GET" || method == "HEAD");
  if (!method_ok) {
    a.reject = http_error_reply(context, HttpError::kMethodNotAllowed,
                                std::string(route->path) + " takes " + (route->post ? "POST" : "GET or HEAD") + ", got " +
                                    sanitize_for_message(method, 20),
                                request_id);
    a.reject->allow = route->post ? "POST" : "GET, HEAD";
    return a;
  }
  if (route->post) {
    if (!content_encoding.empty() && lower_trimmed(content_encoding) != "identity") {
      a.reject = http_error_reply(context, HttpError::kUnsupportedMediaType,
                                  "Content-Encoding " + sanitize_for_message(content_encoding, 40) +
                                      " is not supported: send the JSON as it is",
                                  request_id);
    } else if (!is_json_media_type(content_type)) {
      a.reject = http_error_reply(context, HttpError::kUnsupportedMediaType,
                                  content_type.empty() ? std::string("the body must be JSON: send Content-Type: application/json")
                                                       : "the body must be JSON (Content-Type: application/json), got " +
                                                             sanitize_for_message(content_type, 80),
                                  request_id);
    }
  }
  return a;
}

Reply handle(const ServiceContext& context, Endpoint endpoint, std::string_view target, std::string_view body,
             std::string_view request_id) {
  const std::shared_ptr<const TablesState> state = context.tables.current();
  const Engine& engine = *state->engine;
  // The library's own size limit, behind the parser's body limit: the same bound.
  JsonReadOptions read;
  read.max_bytes = context.config.body_limit;
  try {
    switch (endpoint) {
      case Endpoint::kQuote: {
        no_query(target);
        try {
          Reply r = ok_json(quote_json(engine, body, read), state->generation);
          context.metrics.count_quotes(1, 0);
          return r;
        } catch (const Error&) {
          context.metrics.count_quotes(0, 1);
          throw;
        }
      }
      case Endpoint::kAssess:
        no_query(target);
        return ok_json(assess_json(engine, body, read), state->generation);
      case Endpoint::kQuotes: {
        no_query(target);
        BatchResult batch = quote_batch(engine, body, context.config.max_batch, read,
                                        [&](ErrorCode code) { context.metrics.count_error(error_id(code)); });
        context.metrics.count_quotes(batch.count - batch.errors, batch.errors);
        Reply r = ok_json(std::move(batch.body), state->generation);
        r.batch_items = batch.count;
        r.batch_errors = batch.errors;
        return r;
      }
      case Endpoint::kRemediation:
        no_query(target);
        return ok_json(remediation_json(engine, body), state->generation);
      case Endpoint::kReport: {
        const ReportOptions options = report_options(target);
        Reply r = ok_json(report_html_json(engine, body, options), state->generation);
        r.content_type = kHtmlType;
        return r;
      }
      case Endpoint::kTables:
        no_query(target);
        return ok_json(state->tables_json, state->generation);
      case Endpoint::kHealthz:
        no_query(target);
        return ok_json("{\"status\":\"ok\"}", 0);
      case Endpoint::kReadyz: {
        no_query(target);
        if (context.draining.load()) {
          Reply r = ok_json("{\"status\":\"draining\"}", 0);
          r.status = 503;
          r.retry_after = true;
          return r;
        }
        return ok_json("{\"generation\":" + std::to_string(state->generation) + ",\"status\":\"ready\"}", state->generation);
      }
      case Endpoint::kMetrics: {
        no_query(target);
        Reply r = ok_json(context.metrics.render(*state, context.tables.status(), context.draining.load()), state->generation);
        r.content_type = kMetricsType;
        return r;
      }
      case Endpoint::kOther:
      case Endpoint::kCount: break;
    }
    return http_error_reply(context, HttpError::kNotFound, "no endpoint", request_id);
  } catch (const Error& e) {
    Reply r = library_error_reply(context, e, request_id);
    r.tables_generation = state->generation;
    return r;
  } catch (const std::bad_alloc&) {
    return http_error_reply(context, HttpError::kInternal, "out of memory", request_id);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "cybercover serve: internal error on %s: %s\n", std::string(endpoint_path(endpoint)).c_str(), e.what());
    return http_error_reply(context, HttpError::kInternal, "internal error (logged by the server)", request_id);
  }
}

}  // namespace cybercover::service
