#include "cybercover/io/json_io.hpp"

#include "cybercover/error.hpp"
#include "detail/json_cursor.hpp"

namespace cybercover {

using detail::JsonCursor;
using nlohmann::json;

namespace {

constexpr std::initializer_list<const char*> kQuoteFields = {
    "quote_date", "company", "security_action", "answers", "controls", "bundle_plan",
    "top_up", "subsidy_program", "service_monthly_price_yen"};

template <typename E>
E parse_enum(const JsonCursor& c, std::optional<E> (*parse)(std::string_view), const char* allowed) {
  const auto v = parse(c.string());
  if (!v) c.fail_value(std::string("must be one of ") + allowed);
  return *v;
}

JsonCursor request_root(const json& j) {
  JsonCursor root(j, ErrorKind::kInput, "");
  root.require_object();
  root.only_keys(kQuoteFields);
  return root;
}

SecurityAction parse_security_action_field(const JsonCursor& root) {
  const auto sa = root.find("security_action");
  return sa ? parse_enum(*sa, parse_security_action, "\"none\", \"one_star\", \"two_star\"")
            : SecurityAction::kNone;
}

AnswerSheet parse_answers(const JsonCursor& root, const Questionnaire& q) {
  const JsonCursor answers = root.at("answers");
  answers.require_object();
  AnswerSheet sheet(q);
  for (const auto& [id, value] : answers.raw().items()) {
    const JsonCursor c = answers.at(id);
    const int index = q.item_index(id);
    if (index < 0) c.fail("no such item in the questionnaire of this edition");
    sheet.answers()[static_cast<std::size_t>(index)] =
        parse_enum(c, parse_answer, "\"yes\", \"partial\", \"no\", \"unknown\", \"na\"");
  }
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
      rate->fail_value("must be between 0 and 1");
  }
  controls.incidents_3y = c.at("incidents_3y").integer(0);
  return controls;
}

std::vector<CoverSelection> parse_top_up(const JsonCursor& root) {
  std::vector<CoverSelection> out;
  const auto top_up = root.find("top_up");
  if (!top_up) return out;
  top_up->require_object();
  for (const auto& [section, value] : top_up->raw().items()) {
    const JsonCursor c = top_up->at(section);
    c.only_keys({"limit_yen", "deductible_yen"});
    CoverSelection s;
    s.section = section;
    s.limit_yen = c.at("limit_yen").integer(0);
    if (const auto d = c.find("deductible_yen")) s.deductible_yen = d->integer(0);
    out.push_back(std::move(s));
  }
  return out;
}

json factor_json(const char* name, Decimal4 value, json row) {
  return json{{"name", name}, {"value", value.to_double()}, {"row", std::move(row)}};
}

json tables_json(const RatingTables& t) {
  return json{{"edition", t.edition},
              {"sha256", t.sha256},
              {"effective_from", t.in_force.from.to_string()},
              {"effective_to", t.in_force.to ? json(t.in_force.to->to_string()) : json(nullptr)}};
}

json assessment_json(const Assessment& a, const Questionnaire& q) {
  json domains = json::array();
  for (std::size_t d = 0; d < a.domains.size(); ++d) {
    const DomainScore& s = a.domains[d];
    domains.push_back({{"number", s.number},
                       {"key", q.domains[d].key},
                       {"earned", s.earned},
                       {"applicable", s.applicable},
                       {"percent", s.percent_tenths < 0 ? json(nullptr) : json(s.percent_tenths / 10.0)}});
  }
  json unmet = json::array();
  for (const UnmetItem& u : a.unmet) {
    const Item& item = q.items[static_cast<std::size_t>(u.item)];
    unmet.push_back({{"id", item.id},
                     {"domain", item.domain},
                     {"points_lost", u.points_lost},
                     {"measure_ja", item.measure_ja},
                     {"measure_en", item.measure_en}});
  }
  json unanswered = json::array();
  for (int i : a.unanswered) unanswered.push_back(q.items[static_cast<std::size_t>(i)].id);
  json warnings = json::array();
  for (const AssessmentWarning& w : a.warnings) {
    const Item& item = q.items[static_cast<std::size_t>(w.item)];
    warnings.push_back({{"code", w.code},
                        {"id", item.id},
                        {"answer", to_string(w.answer)},
                        {"message", "answered \"" + std::string(to_string(w.answer)) +
                                        "\" although the declared SECURITY ACTION covers this "
                                        "item; the declaration still counts"}});
  }
  return json{{"score", a.summary.score},
              {"max_score", q.max_score},
              {"earned", a.summary.earned},
              {"applicable", a.summary.applicable},
              {"unknown_count", a.summary.unknown_count},
              {"domains", std::move(domains)},
              {"unmet", std::move(unmet)},
              {"unanswered", std::move(unanswered)},
              {"warnings", std::move(warnings)}};
}

json base_cover_json(const BaseCoverQuote& b, const RatingTables& t) {
  json out{{"plan", to_string(b.plan)},
           {"limit_yen", b.limit_yen},
           {"monthly_premium_yen", b.monthly_premium_yen},
           {"annual_premium_yen", b.annual_premium_yen},
           {"rate_yen", b.rate_yen},
           {"employee_band", b.employee_band + 1},
           {"band_rate_yen", b.band_rate_yen},
           {"endpoint_rate_yen", b.endpoint_rate_yen},
           {"factors", json::array({factor_json("tier", b.tier_factor,
                                                t.posture.tiers[static_cast<std::size_t>(b.tier)].name)})}};
  if (b.price_cap)
    out["price_cap"] = {{"service_monthly_price_yen", b.price_cap->service_monthly_price_yen},
                        {"cap_yen", b.price_cap->cap_yen},
                        {"within", b.price_cap->within}};
  return out;
}

json top_up_json(const TopUpQuote& q, const RatingTables& t) {
  json sections = json::object();
  for (const SectionQuote& s : q.sections) {
    const Section& sec = t.top_up.sections[static_cast<std::size_t>(s.section)];
    json factors = json::array({
        factor_json("industry", s.industry_factor, t.underwriting.industries[static_cast<std::size_t>(s.industry)].key),
        factor_json("tier", s.tier_factor, t.posture.tiers[static_cast<std::size_t>(s.tier)].name),
        factor_json("limit", s.limit_factor, s.limit_yen),
        factor_json("deductible", s.deductible_factor, s.deductible_yen),
    });
    if (s.has_excess_factor) factors.push_back(factor_json("excess", s.excess_factor, to_string(q.plan)));
    std::string calc = "round10(" + std::to_string(s.base_premium_yen);
    for (Decimal4 f : {s.industry_factor, s.tier_factor, s.limit_factor, s.deductible_factor})
      calc += " x " + f.to_string();
    if (s.has_excess_factor) calc += " x " + s.excess_factor.to_string();
    calc += ") = " + std::to_string(s.annual_premium_yen);
    sections[sec.key] = {
        {"limit_yen", s.limit_yen},
        {"deductible_yen", s.deductible_yen},
        {"annual_premium_yen", s.annual_premium_yen},
        {"base_premium", {{"yen", s.base_premium_yen},
                          {"revenue_band", s.revenue_band + 1},
                          {"max_revenue_yen", t.top_up.revenue_bands[static_cast<std::size_t>(s.revenue_band)].max_revenue_yen}}},
        {"factors", std::move(factors)},
        {"calculation", calc}};
  }
  const std::string_view code = to_string(q.subsidy_code);
  return json{{"sections", std::move(sections)},
              {"sections_total_yen", q.sections_total_yen},
              {"multi_section_factor", factor_json("multi_section", q.multi_section_factor, q.sections.size())},
              {"package_yen", q.package_yen},
              {"minimum_premium_applied", q.minimum_applied},
              {"annual_premium_yen", q.annual_premium_yen},
              {"subsidy_program", q.subsidy_program ? json(q.subsidy_program->id) : json(nullptr)},
              {"subsidy_yen", q.subsidy_yen},
              {"subsidy_code", code.empty() ? json(nullptr) : json(code)},
              {"payable_annual_yen", q.payable_annual_yen},
              {"instalment_loading", t.top_up.instalment_loading.to_double()},
              {"monthly_instalment_yen", q.monthly_instalment_yen}};
}

}  // namespace

json parse_json_text(std::string_view text, const std::string& what) {
  try {
    return json::parse(text.begin(), text.end());
  } catch (const json::parse_error& e) {
    throw Error(ErrorKind::kInput, what, std::string("malformed JSON: ") + e.what());
  }
}

AssessmentRequest parse_assessment_request(const json& j, const TableLibrary& library) {
  const JsonCursor root = request_root(j);
  AssessmentRequest r;
  r.quote_date = root.at("quote_date").date();
  const RatingTables& t = library.for_date(r.quote_date);
  r.security_action = parse_security_action_field(root);
  r.answers = parse_answers(root, t.questionnaire);
  return r;
}

QuoteRequest parse_quote_request(const json& j, const TableLibrary& library) {
  const JsonCursor root = request_root(j);
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

json to_json(const AssessmentResult& result) {
  return json{{"assessment", assessment_json(result.assessment, result.tables->questionnaire)},
              {"tables", tables_json(*result.tables)},
              {"engine_version", engine_version()}};
}

json to_json(const Quote& q) {
  const RatingTables& t = *q.tables;
  json adjustments = json::array();
  for (const auto& a : q.posture) adjustments.push_back({{"code", to_string(a.code)}, {"points", a.points}});
  json posture{{"score", q.posture.score}, {"index", q.posture.index}, {"adjustments", std::move(adjustments)}};
  if (q.posture.edr_days) posture["edr_days_since_install"] = *q.posture.edr_days;
  json codes = json::array();
  for (DecisionCode c : q.decision) codes.push_back(to_string(c));
  const SmeCategory& category = t.underwriting.sme_categories[static_cast<std::size_t>(q.decision.sme_category)];
  return json{
      {"assessment", assessment_json(q.assessment, t.questionnaire)},
      {"posture", std::move(posture)},
      {"tier", q.tier_name()},
      {"decision", {{"outcome", to_string(q.decision.outcome)},
                    {"codes", std::move(codes)},
                    {"sme", {{"is_sme", q.decision.is_sme},
                             {"category", category.key},
                             {"capital_max_yen", category.capital_max_yen},
                             {"employees_max", category.employees_max}}}}},
      {"base_cover", q.base_cover ? base_cover_json(*q.base_cover, t) : json(nullptr)},
      {"top_up", q.top_up ? top_up_json(*q.top_up, t) : json(nullptr)},
      {"tables", tables_json(t)},
      {"engine_version", engine_version()}};
}

std::string quote_json(const Engine& engine, std::string_view request_text) {
  const json request = parse_json_text(request_text);
  return to_json(engine.quote(parse_quote_request(request, engine.library()))).dump();
}

std::string assess_json(const Engine& engine, std::string_view request_text) {
  const json request = parse_json_text(request_text);
  return to_json(engine.assess(parse_assessment_request(request, engine.library()))).dump();
}

}  // namespace cybercover
