#include "cybercover/quote/engine.hpp"

#include "cybercover/error.hpp"

#ifndef CYBERCOVER_VERSION
#define CYBERCOVER_VERSION "0.0.0"
#endif

namespace cybercover {

const char* engine_version() noexcept { return CYBERCOVER_VERSION; }

namespace {

int resolve_industry(const UnderwritingTable& table, const std::string& key) {
  const int index = table.industry_index(key);
  if (index < 0) {
    std::string known;
    for (const auto& ind : table.industries) known += (known.empty() ? "" : ", ") + ind.key;
    throw_input_error("company.industry", "unknown industry (known: " + known + "), got \"" + key + "\"");
  }
  return index;
}

void validate_company(const Company& c) {
  if (c.employees < 1) throw_input_error("company.employees", "must be an integer >= 1, got " + std::to_string(c.employees));
  if (c.endpoints < 0) throw_input_error("company.endpoints", "must be an integer >= 0, got " + std::to_string(c.endpoints));
  if (c.capital_yen < 0) throw_input_error("company.capital_yen", "must be an integer >= 0, got " + std::to_string(c.capital_yen));
  if (c.revenue_yen < 0) throw_input_error("company.revenue_yen", "must be an integer >= 0, got " + std::to_string(c.revenue_yen));
}

}  // namespace

Engine::Engine(TableLibrary library) : library_(std::move(library)) {}

Engine Engine::with_default_tables() { return Engine(TableLibrary::load(default_tables_dir())); }

AssessmentResult Engine::assess(const AssessmentRequest& request) const {
  AssessmentResult result;
  result.tables = library_.shared_for_date(request.quote_date);
  result.assessment = cybercover::assess(result.tables->questionnaire, request.security_action, request.answers);
  return result;
}

Quote Engine::quote(const QuoteRequest& r) const {
  Quote q;
  q.tables = library_.shared_for_date(r.quote_date);
  const RatingTables& t = *q.tables;

  // Check the whole request before any figure is computed.
  validate_company(r.company);
  const int industry = resolve_industry(t.underwriting, r.company.industry);
  validate_controls(r.controls, r.company.endpoints, r.quote_date);
  validate_plan(t.base_cover, r.bundle_plan, r.controls, r.service_monthly_price_yen);
  const std::vector<ResolvedSelection> selections = resolve_selections(t.top_up, r.top_up);
  const SubsidyProgram* program = nullptr;
  if (r.subsidy_program) {
    program = t.find_subsidy(*r.subsidy_program);
    if (!program) throw_input_error("subsidy_program", "unknown programme, got \"" + *r.subsidy_program + "\"");
  }

  q.assessment = cybercover::assess(t.questionnaire, r.security_action, r.answers);
  q.posture = compute_posture(t.posture, q.assessment.summary.score, r.controls, r.company.endpoints, r.quote_date);

  RiskSignals signals;
  signals.tier = q.posture.tier;
  signals.unknown_count = q.assessment.summary.unknown_count;
  signals.incidents_3y = r.controls.incidents_3y;
  signals.legacy_os_endpoints = r.controls.legacy_os_endpoints;
  signals.utm = r.controls.utm;
  for (const auto& s : selections)
    if (s.section == t.underwriting.high_limit_section)
      signals.high_limit_section_limit_yen =
          t.top_up.sections[static_cast<std::size_t>(s.section)].limits[static_cast<std::size_t>(s.limit_row)].amount_yen;
  q.decision = decide(t.underwriting, industry, r.company, signals);

  q.base_cover = price_base_cover(t.base_cover, r.bundle_plan, r.company.employees, r.controls,
                                  q.posture.tier, r.service_monthly_price_yen);
  if (q.decision.outcome != Outcome::kDecline) {
    const SubsidyContext subsidy{program, r.quote_date, q.decision.is_sme, r.security_action};
    q.top_up = price_top_up(t.top_up, selections, r.company.revenue_yen, industry, q.posture.tier,
                            r.bundle_plan, subsidy);
  }
  return q;
}

}  // namespace cybercover
