#include "cybercover/io/json_io.hpp"

#include <algorithm>
#include <array>

#include "cybercover/error.hpp"
#include "detail/json_cursor.hpp"
#include "detail/json_doc.hpp"
#include "detail/json_writer.hpp"

namespace cybercover {

using detail::JsonCursor;
using detail::JsonDoc;
using detail::JsonWriter;

namespace {

// ---- requests ---------------------------------------------------------------------------
const std::string kNoPrefix;

template <typename E>
E parse_enum(const JsonCursor& c, std::optional<E> (*parse)(std::string_view), const char* allowed) {
  const auto v = parse(c.string_view());
  if (!v) c.fail_value(std::string("must be one of ") + allowed);
  return *v;
}

JsonCursor request_root(const JsonDoc& doc) {
  JsonCursor root(doc, ErrorKind::kInput, kNoPrefix);
  root.require_object();
  root.only_keys({"quote_date", "company", "security_action", "answers", "controls", "bundle_plan",
                  "top_up", "subsidy_program", "service_monthly_price_yen"});
  return root;
}

SecurityAction parse_security_action_field(const JsonCursor& root) {
  const auto sa = root.find("security_action");
  return sa ? parse_enum(*sa, parse_security_action, "\"none\", \"one_star\", \"two_star\"")
            : SecurityAction::kNone;
}

AnswerSheet parse_answers(const JsonCursor& root, const Questionnaire& q) {
  AnswerSheet sheet(q);
  root.at("answers").for_each_member([&](std::string_view id, const JsonCursor& c) {
    const int index = q.item_index(id);
    if (index < 0) c.fail_code(ErrorCode::kUnknownItem, "no such item in the questionnaire of this edition", false);
    Answer& slot = sheet.answers()[static_cast<std::size_t>(index)];
    if (slot != Answer::kUnanswered) c.fail_code(ErrorCode::kDuplicateField, "item answered twice", false);
    slot = parse_enum(c, parse_answer, "\"yes\", \"partial\", \"no\", \"unknown\", \"na\"");
  });
  return sheet;
}

Company parse_company(const JsonCursor& c) {
  c.only_keys({"industry", "employees", "capital_yen", "revenue_yen", "endpoints", "rubber_products"});
  Company company;
  company.industry = c.at("industry").string();
  company.employees = c.at("employees").integer(1);
  company.capital_yen = c.at("capital_yen").integer(0);
  company.revenue_yen = c.at("revenue_yen").integer(0);
  company.endpoints = c.at("endpoints").integer(0);
  if (const auto r = c.find("rubber_products")) company.rubber_products = r->boolean();
  return company;
}

Controls parse_controls(const JsonCursor& c) {
  c.only_keys({"utm", "edr", "legacy_os_endpoints", "phishing_click_rate", "incidents_3y"});
  Controls controls;
  controls.utm = parse_enum(c.at("utm"), parse_utm_status, "\"none\", \"unmanaged\", \"managed\"");
  const JsonCursor edr = c.at("edr");
  edr.only_keys({"status", "covered_endpoints", "installed_on"});
  controls.edr.status = parse_enum(edr.at("status"), parse_edr_status, "\"none\", \"self_managed\", \"managed\"");
  if (controls.edr.status != EdrStatus::kNone)
    controls.edr.covered_endpoints = edr.at("covered_endpoints").integer(0);
  else if (const auto covered = edr.find("covered_endpoints"))
    controls.edr.covered_endpoints = covered->integer(0);
  if (const auto installed = edr.find("installed_on")) {
    const Date d = installed->date();
    if (controls.edr.status == EdrStatus::kManaged) controls.edr.installed_on = d;  // else ignored
  }
  controls.legacy_os_endpoints = c.at("legacy_os_endpoints").integer(0);
  if (const auto rate = c.find("phishing_click_rate")) {
    controls.phishing_click_rate = rate->finite_double();
    if (*controls.phishing_click_rate < 0 || *controls.phishing_click_rate > 1)
      rate->fail_value(*controls.phishing_click_rate < 0 ? detail::Rule::kBelowMinimum : detail::Rule::kAboveMaximum,
                       "must be between 0 and 1");
  }
  controls.incidents_3y = c.at("incidents_3y").integer(0);
  return controls;
}

std::vector<CoverSelection> parse_top_up(const JsonCursor& root) {
  std::vector<CoverSelection> out;
  const auto top_up = root.find("top_up");
  if (!top_up) return out;
  top_up->for_each_member([&](std::string_view section, const JsonCursor& c) {
    c.only_keys({"limit_yen", "deductible_yen"});
    CoverSelection s;
    s.section = std::string(section);
    s.limit_yen = c.at("limit_yen").integer(0);
    if (const auto d = c.find("deductible_yen")) s.deductible_yen = d->integer(0);
    out.push_back(std::move(s));
  });
  return out;
}

AssessmentRequest assessment_request_from(const JsonDoc& doc, const TableLibrary& library) {
  const JsonCursor root = request_root(doc);
  AssessmentRequest r;
  r.quote_date = root.at("quote_date").date();
  const RatingTables& t = library.for_date(r.quote_date);
  r.security_action = parse_security_action_field(root);
  r.answers = parse_answers(root, t.questionnaire);
  return r;
}

QuoteRequest quote_request_from(const JsonDoc& doc, const TableLibrary& library) {
  const JsonCursor root = request_root(doc);
  QuoteRequest r;
  r.quote_date = root.at("quote_date").date();
  const RatingTables& t = library.for_date(r.quote_date);
  r.company = parse_company(root.at("company"));
  r.security_action = parse_security_action_field(root);
  r.answers = parse_answers(root, t.questionnaire);
  r.controls = parse_controls(root.at("controls"));
  r.bundle_plan = parse_enum(root.at("bundle_plan"), parse_bundle_plan, "\"none\", \"utm\", \"edr\", \"utm_edr\"");
  r.top_up = parse_top_up(root);
  if (const auto s = root.find("subsidy_program")) r.subsidy_program = s->string();
  if (const auto p = root.find("service_monthly_price_yen")) r.service_monthly_price_yen = p->integer(0);
  return r;
}

JsonDoc parse_text(std::string_view text, const std::string& what) {
  try {
    return JsonDoc::parse(text, /*reject_duplicate_names=*/false);  // checked field by field
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
    // The item's part of the entry was rendered once, at load (Questionnaire::unmet_json_prefix).
    w.raw_element(q.unmet_json_prefix[static_cast<std::size_t>(u.item)]);
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
AssessmentRequest parse_assessment_request(const nlohmann::json& j, const TableLibrary& library) {
  return assessment_request_from(copy_of(j), library);
}

QuoteRequest parse_quote_request(const nlohmann::json& j, const TableLibrary& library) {
  return quote_request_from(copy_of(j), library);
}

AssessmentRequest parse_assessment_request_text(std::string_view text, const TableLibrary& library) {
  return assessment_request_from(parse_text(text, "request"), library);
}

QuoteRequest parse_quote_request_text(std::string_view text, const TableLibrary& library) {
  return quote_request_from(parse_text(text, "request"), library);
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

std::string quote_json(const Engine& engine, std::string_view request_text) {
  std::string out;
  out.reserve(16384);
  write_json(engine.quote(parse_quote_request_text(request_text, engine.library())), out);
  return out;
}

std::string assess_json(const Engine& engine, std::string_view request_text) {
  std::string out;
  out.reserve(16384);
  write_json(engine.assess(parse_assessment_request_text(request_text, engine.library())), out);
  return out;
}

}  // namespace cybercover
