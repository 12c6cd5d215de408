#include "cybercover/io/json_io.hpp"

#include <algorithm>
#include <array>

#include "contract/field_checks.hpp"
#include "cybercover/contract/request_contract.hpp"
#include "cybercover/error.hpp"
#include "detail/json_cursor.hpp"
#include "detail/json_doc.hpp"
#include "detail/json_writer.hpp"
#include "tables/compiled_questionnaire.hpp"

namespace cybercover {

using detail::JsonCursor;
using detail::JsonDoc;
using detail::JsonWriter;
using detail::RawValue;

namespace {

// ---- requests: every field read through the request contract's checks ---------------------
const std::string kNoPrefix;

// A field of a request object as the contract sees it: absent (no key, or null) or a scalar.
// Composite values keep their rendering in `rendered` for the message.
struct JsonField {
  RawValue value;
  std::string rendered;
};

JsonField raw_of(const JsonCursor& c) {
  JsonField f;
  const JsonDoc::Node& n = c.node();
  switch (n.type) {
    case JsonDoc::Type::kNull: break;
    case JsonDoc::Type::kFalse: f.value = RawValue::of_bool(false); break;
    case JsonDoc::Type::kTrue: f.value = RawValue::of_bool(true); break;
    case JsonDoc::Type::kInteger: f.value = RawValue::of_integer(n.integer); break;
    case JsonDoc::Type::kNumber: f.value = RawValue::of_number(n.number, n.text); break;
    case JsonDoc::Type::kString: f.value = RawValue::of_string(n.text); break;
    default:
      f.rendered = c.describe();
      f.value = RawValue::of_other(f.rendered);
  }
  return f;
}

JsonField member(const JsonCursor& object, std::string_view key) {
  const auto c = object.find(key);  // null counts as absent
  return c ? raw_of(*c) : JsonField{};
}

const FieldSpec& spec(Field f) { return field_spec(f); }
detail::FieldPath path(Field f) { return detail::FieldPath(field_spec(f).json_path); }

// An object-valued member (company, controls, controls.edr, top_up): required or optional.
std::optional<JsonCursor> object_member(const JsonCursor& parent, std::string_view key, const std::string& where,
                                        bool required) {
  const auto c = parent.find(key);
  if (!c) {
    if (required) throw Error(ErrorCode::kMissing, where, "required field is missing");
    return std::nullopt;
  }
  if (!c->is_object()) throw Error(ErrorCode::kWrongType, where, "must be an object", c->describe());
  return c;
}

JsonCursor request_root(const JsonDoc& doc) {
  JsonCursor root(doc, ErrorKind::kInput, kNoPrefix);
  if (!root.is_object()) throw Error(ErrorCode::kWrongType, "request", "must be a JSON object", root.describe());
  root.only_keys({"quote_date", "company", "security_action", "answers", "controls", "bundle_plan",
                  "top_up", "subsidy_program", "service_monthly_price_yen", "prior_annual_premium_yen"});
  return root;
}

SecurityAction security_action_of(const JsonCursor& root) {
  return detail::optional_label(spec(Field::kSecurityAction), path(Field::kSecurityAction),
                                member(root, "security_action").value, parse_security_action)
      .value_or(SecurityAction::kNone);
}

// Answers, in two steps. First each value on its own ("yes"..."na"), in questionnaire order
// (ids "Dnn.m" sort by domain then item number, as the items do); then, once the edition is
// known, each id against its questionnaire (unknown ids, na where an item does not allow it
// is left to the scoring, like every other door).
struct GivenAnswers {
  struct Entry {
    std::pair<int, int> order;  // (domain, item number); unparsable ids last, in document order
    std::string_view id;
    Answer answer = Answer::kUnanswered;
  };
  std::vector<Entry> entries;
};

std::pair<int, int> id_order(std::string_view id, int position) {
  int domain = 0, number = 0;
  bool ok = id.size() >= 5 && id.size() <= 7 && id[0] == 'D' && id[3] == '.';
  for (std::size_t i = 1; ok && i < id.size(); ++i) {
    if (i == 3) continue;
    ok = id[i] >= '0' && id[i] <= '9';
    if (i < 3) domain = domain * 10 + (id[i] - '0');
    else number = number * 10 + (id[i] - '0');
  }
  return ok ? std::make_pair(domain, number) : std::make_pair(1 << 30, position);
}

GivenAnswers read_answers(const JsonCursor& root) {
  const auto answers = object_member(root, "answers", "answers", true);
  GivenAnswers given;
  given.entries.reserve(answers->size());
  // Each value read on its own; the first bad one in questionnaire order is the error (a
  // request with no bad answer, the usual case, needs no ordering at all).
  const GivenAnswers::Entry* first_bad = nullptr;
  std::optional<JsonCursor> first_bad_cursor;
  answers->for_each_member([&](std::string_view id, const JsonCursor& c) {
    GivenAnswers::Entry& e = given.entries.emplace_back();
    e.order = id_order(id, static_cast<int>(given.entries.size()));
    e.id = id;
    const JsonDoc::Node& n = c.node();
    std::optional<Answer> a;
    if (n.type == JsonDoc::Type::kString) a = parse_answer(n.text);
    if (a || n.type == JsonDoc::Type::kNull) {
      e.answer = a.value_or(Answer::kUnanswered);  // null: unanswered
    } else if (!first_bad || e.order < first_bad->order) {
      first_bad = &e;  // entries are reserved: the pointer stays valid
      first_bad_cursor = c;
    }
  });
  if (first_bad) {
    const JsonField f = raw_of(*first_bad_cursor);
    detail::optional_label(spec(Field::kAnswer), detail::keyed_path(Field::kAnswer, first_bad->id), f.value, parse_answer);
  }
  return given;
}

AnswerSheet sheet_of(const GivenAnswers& given, const Questionnaire& q) {
  AnswerSheet sheet(q);
  std::vector<bool> seen(q.items.size(), false);
  for (const auto& e : given.entries) {  // document order
    const int index = q.item_index(e.id);
    if (index < 0)
      throw Error(ErrorCode::kUnknownItem, "answers." + std::string(e.id), "no such item in the questionnaire of this edition");
    if (seen[static_cast<std::size_t>(index)])
      throw Error(ErrorCode::kDuplicateField, "answers." + std::string(e.id), "item answered twice");
    seen[static_cast<std::size_t>(index)] = true;
    sheet.answers()[static_cast<std::size_t>(index)] = e.answer;
  }
  return sheet;
}

Company parse_company(const JsonCursor& root) {
  const JsonCursor c = *object_member(root, "company", "company", true);
  c.only_keys({"industry", "employees", "capital_yen", "revenue_yen", "endpoints", "rubber_products"});
  Company company;
  company.industry = std::string(detail::read_text(spec(Field::kIndustry), path(Field::kIndustry), member(c, "industry").value));
  company.employees = detail::read_integer(spec(Field::kEmployees), path(Field::kEmployees), member(c, "employees").value);
  company.capital_yen = detail::read_integer(spec(Field::kCapitalYen), path(Field::kCapitalYen), member(c, "capital_yen").value);
  company.revenue_yen = detail::read_integer(spec(Field::kRevenueYen), path(Field::kRevenueYen), member(c, "revenue_yen").value);
  company.endpoints = detail::read_integer(spec(Field::kEndpoints), path(Field::kEndpoints), member(c, "endpoints").value);
  company.rubber_products =
      detail::read_boolean(spec(Field::kRubberProducts), path(Field::kRubberProducts), member(c, "rubber_products").value);
  return company;
}

Controls parse_controls(const JsonCursor& root) {
  const JsonCursor c = *object_member(root, "controls", "controls", true);
  c.only_keys({"utm", "edr", "legacy_os_endpoints", "phishing_click_rate", "incidents_3y"});
  Controls controls;
  controls.utm = detail::read_label(spec(Field::kUtm), path(Field::kUtm), member(c, "utm").value, parse_utm_status);
  const JsonCursor edr = *object_member(c, "edr", "controls.edr", true);
  edr.only_keys({"status", "covered_endpoints", "installed_on"});
  controls.edr.status =
      detail::read_label(spec(Field::kEdrStatus), path(Field::kEdrStatus), member(edr, "status").value, parse_edr_status);
  // Absent: 0, as in every door (an EDR with no covered endpoint then fails its rule).
  controls.edr.covered_endpoints = detail::optional_integer(spec(Field::kEdrCoveredEndpoints), path(Field::kEdrCoveredEndpoints),
                                                            member(edr, "covered_endpoints").value)
                                       .value_or(0);
  const auto installed = detail::optional_date(spec(Field::kEdrInstalledOn), path(Field::kEdrInstalledOn),
                                               member(edr, "installed_on").value);
  if (controls.edr.status == EdrStatus::kManaged) controls.edr.installed_on = installed;  // else ignored
  controls.legacy_os_endpoints = detail::read_integer(spec(Field::kLegacyOsEndpoints), path(Field::kLegacyOsEndpoints),
                                                      member(c, "legacy_os_endpoints").value);
  controls.phishing_click_rate = detail::optional_number(spec(Field::kPhishingClickRate), path(Field::kPhishingClickRate),
                                                         member(c, "phishing_click_rate").value);
  controls.incidents_3y =
      detail::read_integer(spec(Field::kIncidents3y), path(Field::kIncidents3y), member(c, "incidents_3y").value);
  return controls;
}

std::vector<CoverSelection> parse_top_up(const JsonCursor& root) {
  std::vector<CoverSelection> out;
  const auto top_up = object_member(root, "top_up", "top_up", false);
  if (!top_up) return out;
  top_up->for_each_member([&](std::string_view section, const JsonCursor& c) {
    if (!c.is_object()) throw Error(ErrorCode::kWrongType, "top_up." + std::string(section), "must be an object", c.describe());
    c.only_keys({"limit_yen", "deductible_yen"});
    CoverSelection s;
    s.section = std::string(section);
    s.limit_yen = detail::read_integer(spec(Field::kTopUpLimit), detail::keyed_path(Field::kTopUpLimit, section),
                                       member(c, "limit_yen").value);
    s.deductible_yen = detail::optional_integer(spec(Field::kTopUpDeductible), detail::keyed_path(Field::kTopUpDeductible, section),
                                                member(c, "deductible_yen").value);
    out.push_back(std::move(s));
  });
  return out;
}

Date quote_date_of(const JsonCursor& root) {
  return detail::read_date(spec(Field::kQuoteDate), path(Field::kQuoteDate), member(root, "quote_date").value);
}

// The questionnaire whose item ids the answers use: the named edition's, else the one in force.
const Questionnaire& questionnaire_for(const TableLibrary& library, Date quote_date, const QuoteOptions& as_if) {
  return as_if.edition ? library.edition(*as_if.edition)->questionnaire : library.for_date(quote_date).questionnaire;
}

AssessmentRequest assessment_request_from(const JsonDoc& doc, const TableLibrary& library, const QuoteOptions& as_if) {
  const JsonCursor root = request_root(doc);
  AssessmentRequest r;
  r.quote_date = quote_date_of(root);
  r.security_action = security_action_of(root);
  const GivenAnswers answers = read_answers(root);
  r.answers = sheet_of(answers, questionnaire_for(library, r.quote_date, as_if));
  return r;
}

QuoteRequest quote_request_from(const JsonDoc& doc, const TableLibrary& library, const QuoteOptions& as_if) {
  const JsonCursor root = request_root(doc);
  QuoteRequest r;
  r.quote_date = quote_date_of(root);
  r.company = parse_company(root);
  r.security_action = security_action_of(root);
  const GivenAnswers answers = read_answers(root);
  r.controls = parse_controls(root);
  r.bundle_plan =
      detail::read_label(spec(Field::kBundlePlan), path(Field::kBundlePlan), member(root, "bundle_plan").value, parse_bundle_plan);
  r.top_up = parse_top_up(root);
  if (const auto s = detail::optional_text(spec(Field::kSubsidyProgram), path(Field::kSubsidyProgram),
                                           member(root, "subsidy_program").value))
    r.subsidy_program = std::string(*s);
  r.service_monthly_price_yen = detail::optional_integer(spec(Field::kServiceMonthlyPrice), path(Field::kServiceMonthlyPrice),
                                                         member(root, "service_monthly_price_yen").value);
  r.prior_annual_premium_yen = detail::optional_integer(spec(Field::kPriorAnnualPremium), path(Field::kPriorAnnualPremium),
                                                        member(root, "prior_annual_premium_yen").value);
  // Every value has been read on its own; now the edition (the questionnaire's item ids).
  r.answers = sheet_of(answers, questionnaire_for(library, r.quote_date, as_if));
  return r;
}

JsonDoc parse_text(std::string_view text, const std::string& what, const JsonReadOptions& options) {
  if (text.size() > options.max_bytes)
    throw Error(ErrorCode::kRequestTooLarge, what,
                "is " + std::to_string(text.size()) + " bytes; the limit is " + std::to_string(options.max_bytes) +
                    " bytes (JsonReadOptions::max_bytes)");
  try {
    JsonDoc::ParseOptions parse;
    parse.reject_duplicate_names = false;  // checked field by field
    parse.allow_infinity_literals = options.allow_infinity_literals;
    parse.max_values = options.max_values;
    return JsonDoc::parse(text, parse);
  } catch (const JsonDoc::TooManyValues& e) {
    throw Error(ErrorCode::kRequestTooLarge, what,
                std::string(e.what()) + "; the limit is " + std::to_string(options.max_values) + " (JsonReadOptions::max_values)");
  } catch (const std::invalid_argument& e) {
    throw Error(ErrorCode::kMalformedJson, what, std::string("malformed JSON: ") + e.what());
  }
}

JsonDoc copy_of(const nlohmann::json& j) {
  try {
    return JsonDoc::from_nlohmann(j);
  } catch (const std::invalid_argument& e) {
    throw Error(ErrorCode::kWrongType, "request", e.what());
  }
}

// ---- responses: object keys in sorted order, as nlohmann::json prints them ----------------
void write_factor(JsonWriter& w, const char* name, Decimal4 value, std::string_view row) {
  w.begin_object().key("name").value(name).key("row").value(row).key("value").decimal(value).end_object();
}
void write_factor(JsonWriter& w, const char* name, Decimal4 value, std::int64_t row) {
  w.begin_object().key("name").value(name).key("row").value(row).key("value").decimal(value).end_object();
}

void write_tables(JsonWriter& w, const RatingTables& t) {
  w.key("tables").begin_object();
  w.key("edition").value(t.edition);
  w.key("effective_from").value(t.in_force.from.to_string());
  w.key("effective_to");
  if (t.in_force.to) w.value(t.in_force.to->to_string()); else w.null();
  w.key("sha256").value(t.sha256);
  w.end_object();
}

void write_assessment(JsonWriter& w, const Assessment& a, const Questionnaire& q) {
  const std::shared_ptr<const detail::CompiledQuestionnaire> compiled = detail::compiled(q);
  const detail::JsonFragments& fragments = compiled->json;
  w.key("assessment").begin_object();
  w.key("applicable").value(a.summary.applicable);
  w.key("domains").begin_array();
  for (std::size_t d = 0; d < a.domains.size(); ++d) {
    const DomainScore& s = a.domains[d];
    w.begin_object().key("applicable").value(s.applicable).key("earned").value(s.earned);
    w.key("key").value(q.domains[d].key).key("number").value(s.number).key("percent");
    if (s.percent_tenths < 0) w.null(); else w.decimal(s.percent_tenths, 1);
    w.end_object();
  }
  w.end_array();
  w.key("earned").value(a.summary.earned);
  w.key("max_score").value(q.max_score);
  w.key("score").value(a.summary.score);
  w.key("unanswered").begin_array();
  for (int i : a.unanswered) w.value(q.items[static_cast<std::size_t>(i)].id);
  w.end_array();
  w.key("unknown_count").value(a.summary.unknown_count);
  w.key("unmet").begin_array();
  for (const UnmetItem& u : a.unmet) {
    // The item's part of the entry was rendered once, at load (io/json_fragments.hpp).
    w.raw_element(fragments.unmet_prefix[static_cast<std::size_t>(u.item)]);
    w.raw(std::to_string(u.points_lost)).raw("}");
  }
  w.end_array();
  w.key("warnings").begin_array();
  for (const AssessmentWarning& warning : a.warnings) {
    const std::string_view answer = to_string(warning.answer);
    w.begin_object().key("answer").value(answer).key("code").value(warning.code);
    w.key("id").value(q.items[static_cast<std::size_t>(warning.item)].id);
    w.key("message").value("answered \"" + std::string(answer) +
                           "\" although the declared SECURITY ACTION covers this item; the declaration still counts");
    w.end_object();
  }
  w.end_array();
  w.end_object();
}

void write_base_cover(JsonWriter& w, const std::optional<BaseCoverQuote>& base, const RatingTables& t) {
  w.key("base_cover");
  if (!base) {
    w.null();
    return;
  }
  const BaseCoverQuote& b = *base;
  w.begin_object();
  w.key("annual_premium_yen").value(b.annual_premium_yen);
  w.key("band_rate_yen").value(b.band_rate_yen);
  w.key("employee_band").value(b.employee_band + 1);
  w.key("endpoint_rate_yen").value(b.endpoint_rate_yen);
  w.key("factors").begin_array();
  write_factor(w, "tier", b.tier_factor, t.posture.tiers[static_cast<std::size_t>(b.tier)].name);
  w.end_array();
  w.key("limit_yen").value(b.limit_yen);
  w.key("monthly_premium_yen").value(b.monthly_premium_yen);
  w.key("plan").value(to_string(b.plan));
  if (b.price_cap) {
    w.key("price_cap").begin_object();
    w.key("cap_yen").value(b.price_cap->cap_yen);
    w.key("service_monthly_price_yen").value(b.price_cap->service_monthly_price_yen);
    w.key("within").value(b.price_cap->within);
    w.end_object();
  }
  w.key("rate_yen").value(b.rate_yen);
  w.end_object();
}

void write_section(JsonWriter& w, const SectionQuote& s, const RatingTables& t, BundlePlan plan) {
  w.begin_object();
  w.key("annual_premium_yen").value(s.annual_premium_yen);
  w.key("base_premium").begin_object();
  w.key("max_revenue_yen").value(t.top_up.revenue_bands[static_cast<std::size_t>(s.revenue_band)].max_revenue_yen);
  w.key("revenue_band").value(s.revenue_band + 1);
  w.key("yen").value(s.base_premium_yen);
  w.end_object();
  std::string calc = "round10(" + std::to_string(s.base_premium_yen);
  for (Decimal4 f : {s.industry_factor, s.tier_factor, s.limit_factor, s.deductible_factor}) calc += " x " + f.to_string();
  if (s.has_excess_factor) calc += " x " + s.excess_factor.to_string();
  calc += ") = " + std::to_string(s.annual_premium_yen);
  w.key("calculation").value(calc);
  w.key("deductible_yen").value(s.deductible_yen);
  w.key("factors").begin_array();
  write_factor(w, "industry", s.industry_factor, t.underwriting.industries[static_cast<std::size_t>(s.industry)].key);
  write_factor(w, "tier", s.tier_factor, t.posture.tiers[static_cast<std::size_t>(s.tier)].name);
  write_factor(w, "limit", s.limit_factor, s.limit_yen);
  write_factor(w, "deductible", s.deductible_factor, s.deductible_yen);
  if (s.has_excess_factor) write_factor(w, "excess", s.excess_factor, to_string(plan));
  w.end_array();
  w.key("limit_yen").value(s.limit_yen);
  w.end_object();
}

// The renewal cap's audit trail: the premium before the cap, the bounds with their table row
// and the calculation, and the reason code.
void write_renewal(JsonWriter& w, const RenewalCapQuote& r) {
  w.key("renewal").begin_object();
  w.key("calculation");
  if (r.has_cap) {
    const std::string prior = std::to_string(r.prior_annual_premium_yen);
    const Decimal4 up = Decimal4::from_scaled(Decimal4::kScale + r.max_increase.scaled());
    const Decimal4 down = Decimal4::from_scaled(Decimal4::kScale - r.max_decrease.scaled());
    const Yen capped = std::min(std::max(r.uncapped_annual_premium_yen, r.floor_yen), r.ceiling_yen);
    w.value("min(max(" + std::to_string(r.uncapped_annual_premium_yen) + ", ceil(" + prior + " x " + down.to_string() +
            ") = " + std::to_string(r.floor_yen) + "), floor(" + prior + " x " + up.to_string() +
            ") = " + std::to_string(r.ceiling_yen) + ") = " + std::to_string(capped));
  } else {
    w.null();
  }
  w.key("ceiling_yen");
  if (r.has_cap) w.value(r.ceiling_yen); else w.null();
  w.key("code").value(to_string(r.code));
  w.key("floor_yen");
  if (r.has_cap) w.value(r.floor_yen); else w.null();
  w.key("max_decrease");
  if (r.has_cap) w.decimal(r.max_decrease); else w.null();
  w.key("max_increase");
  if (r.has_cap) w.decimal(r.max_increase); else w.null();
  w.key("prior_annual_premium_yen").value(r.prior_annual_premium_yen);
  w.key("uncapped_annual_premium_yen").value(r.uncapped_annual_premium_yen);
  w.end_object();
}

void write_top_up(JsonWriter& w, const std::optional<TopUpQuote>& top_up, const RatingTables& t) {
  w.key("top_up");
  if (!top_up) {
    w.null();
    return;
  }
  const TopUpQuote& q = *top_up;
  w.begin_object();
  w.key("annual_premium_yen").value(q.annual_premium_yen);
  w.key("instalment_loading").decimal(t.top_up.instalment_loading);
  w.key("minimum_premium_applied").value(q.minimum_applied);
  w.key("monthly_instalment_yen").value(q.monthly_instalment_yen);
  w.key("multi_section_factor");
  write_factor(w, "multi_section", q.multi_section_factor, static_cast<std::int64_t>(q.sections.size()));
  w.key("package_yen").value(q.package_yen);
  w.key("payable_annual_yen").value(q.payable_annual_yen);
  if (q.renewal) write_renewal(w, *q.renewal);
  w.key("sections").begin_object();
  std::vector<const SectionQuote*> by_name;
  for (const auto& s : q.sections) by_name.push_back(&s);
  auto name = [&t](const SectionQuote* s) -> const std::string& { return t.top_up.sections[static_cast<std::size_t>(s->section)].key; };
  std::sort(by_name.begin(), by_name.end(), [&](auto* a, auto* b) { return name(a) < name(b); });
  for (const SectionQuote* s : by_name) {
    w.key(name(s));
    write_section(w, *s, t, q.plan);
  }
  w.end_object();
  w.key("sections_total_yen").value(q.sections_total_yen);
  w.key("subsidy_code");
  if (q.subsidy_code == SubsidyCode::kNone) w.null(); else w.value(to_string(q.subsidy_code));
  w.key("subsidy_program");
  if (q.subsidy_program) w.value(q.subsidy_program->id); else w.null();
  w.key("subsidy_yen").value(q.subsidy_yen);
  w.end_object();
}

}  // namespace

// ---- public API -------------------------------------------------------------------------
AssessmentRequest parse_assessment_request(const nlohmann::json& j, const TableLibrary& library, const QuoteOptions& as_if) {
  return assessment_request_from(copy_of(j), library, as_if);
}

QuoteRequest parse_quote_request(const nlohmann::json& j, const TableLibrary& library, const QuoteOptions& as_if) {
  return quote_request_from(copy_of(j), library, as_if);
}

AssessmentRequest parse_assessment_request_text(std::string_view text, const TableLibrary& library,
                                                const JsonReadOptions& options, const QuoteOptions& as_if) {
  return assessment_request_from(parse_text(text, "request", options), library, as_if);
}

QuoteRequest parse_quote_request_text(std::string_view text, const TableLibrary& library, const JsonReadOptions& options,
                                      const QuoteOptions& as_if) {
  return quote_request_from(parse_text(text, "request", options), library, as_if);
}

void write_json(const AssessmentResult& result, std::string& out) {
  JsonWriter w(out);
  w.begin_object();
  write_assessment(w, result.assessment, result.tables->questionnaire);
  w.key("engine_version").value(engine_version());
  write_tables(w, *result.tables);
  w.end_object();
}

void write_json(const Quote& q, std::string& out) {
  const RatingTables& t = *q.tables;
  JsonWriter w(out);
  w.begin_object();
  write_assessment(w, q.assessment, t.questionnaire);
  write_base_cover(w, q.base_cover, t);
  w.key("decision").begin_object();
  w.key("codes").begin_array();
  for (DecisionCode c : q.decision) w.value(to_string(c));
  w.end_array();
  w.key("outcome").value(to_string(q.decision.outcome));
  const SmeCategory& category = t.underwriting.sme_categories[static_cast<std::size_t>(q.decision.sme_category)];
  w.key("sme").begin_object();
  w.key("capital_max_yen").value(category.capital_max_yen);
  w.key("category").value(category.key);
  w.key("employees_max").value(category.employees_max);
  w.key("is_sme").value(q.decision.is_sme);
  w.end_object();
  w.end_object();
  w.key("engine_version").value(engine_version());
  w.key("posture").begin_object();
  w.key("adjustments").begin_array();
  for (const auto& a : q.posture) w.begin_object().key("code").value(to_string(a.code)).key("points").value(a.points).end_object();
  w.end_array();
  if (q.posture.edr_days) w.key("edr_days_since_install").value(static_cast<std::int64_t>(*q.posture.edr_days));
  w.key("index").value(q.posture.index);
  w.key("score").value(q.posture.score);
  w.end_object();
  write_tables(w, t);
  w.key("tier").value(q.tier_name());
  write_top_up(w, q.top_up, t);
  w.end_object();
}

nlohmann::json to_json(const AssessmentResult& result) {
  std::string text;
  write_json(result, text);
  return nlohmann::json::parse(text);
}

nlohmann::json to_json(const Quote& quote) {
  std::string text;
  write_json(quote, text);
  return nlohmann::json::parse(text);
}

std::string quote_json(const Engine& engine, std::string_view request_text, const JsonReadOptions& options,
                       const QuoteOptions& as_if) {
  std::string out;
  out.reserve(16384);
  write_json(engine.quote(parse_quote_request_text(request_text, engine.library(), options, as_if), as_if), out);
  return out;
}

std::string assess_json(const Engine& engine, std::string_view request_text, const JsonReadOptions& options,
                        const QuoteOptions& as_if) {
  std::string out;
  out.reserve(16384);
  write_json(engine.assess(parse_assessment_request_text(request_text, engine.library(), options, as_if), as_if), out);
  return out;
}

}  // namespace cybercover
