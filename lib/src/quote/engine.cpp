#include "cybercover/quote/engine.hpp"

#include "cybercover/error.hpp"
#include "quote/pipeline.hpp"

#ifndef CYBERCOVER_VERSION
#define CYBERCOVER_VERSION "0.0.0"
#endif

namespace cybercover {

const char* engine_version() noexcept { return CYBERCOVER_VERSION; }

namespace detail {

void validate_company(const Company& c) {
  if (c.employees < 1) throw Error(ErrorCode::kBelowMinimum, "company.employees", "must be an integer >= 1", std::to_string(c.employees));
  if (c.endpoints < 0) throw Error(ErrorCode::kBelowMinimum, "company.endpoints", "must be an integer >= 0", std::to_string(c.endpoints));
  if (c.capital_yen < 0) throw Error(ErrorCode::kBelowMinimum, "company.capital_yen", "must be an integer >= 0", std::to_string(c.capital_yen));
  if (c.revenue_yen < 0) throw Error(ErrorCode::kBelowMinimum, "company.revenue_yen", "must be an integer >= 0", std::to_string(c.revenue_yen));
}

int resolve_industry(const UnderwritingTable& table, const std::string& key) {
  const int index = table.industry_index(key);
  if (index < 0) {
    std::string known;
    for (const auto& ind : table.industries) known += (known.empty() ? "" : ", ") + ind.key;
    throw Error(ErrorCode::kUnknownIndustry, "company.industry", "unknown industry (known: " + known + ")", quote_for_message(key));
  }
  return index;
}

const SubsidyProgram* resolve_subsidy(const RatingTables& t, const std::optional<std::string>& id) {
  if (!id) return nullptr;
  const SubsidyProgram* program = t.find_subsidy(*id);
  if (!program) throw Error(ErrorCode::kUnknownSubsidyProgram, "subsidy_program", "unknown programme", quote_for_message(*id));
  return program;
}

void check_common(const RatingTables& t, CheckedRequest& c) {
  validate_controls(*c.controls, c.company->endpoints, c.quote_date);
  validate_plan(t.base_cover, c.bundle_plan, *c.controls, c.service_monthly_price_yen);
  sme_category_of(t.underwriting, c.industry, c.company->rubber_products);  // rubber with the wrong industry
}

void price_scored(const RatingTables& t, const CheckedRequest& c, const ScoreSummary& score, Posture& posture,
                  Decision& decision, std::optional<BaseCoverQuote>& base_cover, std::optional<TopUpQuote>& top_up) {
  compute_posture_into(posture, t.posture, score.score, *c.controls, c.company->endpoints, c.quote_date);
  RiskSignals signals;
  signals.tier = posture.tier;
  signals.unknown_count = score.unknown_count;
  signals.incidents_3y = c.controls->incidents_3y;
  signals.legacy_os_endpoints = c.controls->legacy_os_endpoints;
  signals.utm = c.controls->utm;
  for (const auto& s : c.selections)
    if (s.section == t.underwriting.high_limit_section)
      signals.high_limit_section_limit_yen =
          t.top_up.sections[static_cast<std::size_t>(s.section)].limits[static_cast<std::size_t>(s.limit_row)].amount_yen;
  decision = decide(t.underwriting, c.industry, *c.company, signals);
  price_base_cover_into(base_cover, t.base_cover, c.bundle_plan, c.company->employees, *c.controls, posture.tier,
                        c.service_monthly_price_yen);
  top_up.reset();
  if (decision.outcome != Outcome::kDecline) {
    const SubsidyContext subsidy{c.subsidy_program, c.quote_date, decision.is_sme, c.security_action};
    price_top_up_into(top_up, t.top_up, c.selections, c.company->revenue_yen, c.industry, posture.tier,
                      c.bundle_plan, subsidy);
  }
}

}  // namespace detail

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
  detail::validate_company(r.company);
  detail::CheckedRequest c;
  c.quote_date = r.quote_date;
  c.company = &r.company;
  c.industry = detail::resolve_industry(t.underwriting, r.company.industry);
  c.security_action = r.security_action;
  c.controls = &r.controls;
  c.bundle_plan = r.bundle_plan;
  c.service_monthly_price_yen = r.service_monthly_price_yen;
  detail::check_common(t, c);
  c.selections = resolve_selections(t.top_up, r.top_up);
  c.subsidy_program = detail::resolve_subsidy(t, r.subsidy_program);

  q.assessment = cybercover::assess(t.questionnaire, r.security_action, r.answers);
  detail::price_scored(t, c, q.assessment.summary, q.posture, q.decision, q.base_cover, q.top_up);
  return q;
}

}  // namespace cybercover
