#include "cybercover/quote/engine.hpp"

#include "assessment/scoring.hpp"
#include "contract/field_checks.hpp"
#include "cybercover/contract/request_contract.hpp"
#include "cybercover/error.hpp"
#include "quote/pipeline.hpp"

#ifndef CYBERCOVER_VERSION
#define CYBERCOVER_VERSION "0.0.0"
#endif

namespace cybercover {

const char* engine_version() noexcept { return CYBERCOVER_VERSION; }

namespace detail {

void price_checked(const RatingTables& t, const QuoteArguments& a, const ScoreSummary& score, Posture& posture,
                   Decision& decision, std::optional<BaseCoverQuote>& base_cover, std::optional<TopUpQuote>& top_up) {
  compute_posture_into(posture, t.posture, score.score, a.controls, a.endpoints, a.quote_date);
  RiskSignals signals;
  signals.tier = posture.tier;
  signals.unknown_count = score.unknown_count;
  signals.incidents_3y = a.controls.incidents_3y;
  signals.legacy_os_endpoints = a.controls.legacy_os_endpoints;
  signals.utm = a.controls.utm;
  for (const auto& s : a.selections)
    if (s.section == t.underwriting.high_limit_section)
      signals.high_limit_section_limit_yen =
          t.top_up.sections[static_cast<std::size_t>(s.section)].limits[static_cast<std::size_t>(s.limit_row)].amount_yen;
  Company company;  // the figures the SME test reads (the industry is already an index)
  company.employees = a.employees;
  company.capital_yen = a.capital_yen;
  company.revenue_yen = a.revenue_yen;
  company.endpoints = a.endpoints;
  company.rubber_products = a.rubber_products;
  decision = decide(t.underwriting, a.industry, company, signals);
  price_base_cover_into(base_cover, t.base_cover, a.bundle_plan, a.employees, a.controls, posture.tier,
                        a.service_monthly_price_yen);
  top_up.reset();
  if (decision.outcome != Outcome::kDecline) {
    const SubsidyContext subsidy{a.subsidy_program, a.quote_date, decision.is_sme, a.security_action};
    price_top_up_into(top_up, t.top_up, a.selections, a.revenue_yen, a.industry, posture.tier, a.bundle_plan, subsidy,
                      a.prior_annual_premium_yen);
  }
}

}  // namespace detail

Engine::Engine(TableLibrary library) : library_(std::move(library)) {}

Engine Engine::with_default_tables() { return Engine(TableLibrary::load(default_tables_dir())); }

std::shared_ptr<const RatingTables> Engine::edition_for(Date date, const QuoteOptions& options) const {
  return options.edition ? library_.edition(*options.edition) : library_.shared_for_date(date);
}

AssessmentResult Engine::assess(const AssessmentRequest& request) const { return assess(request, QuoteOptions{}); }

AssessmentResult Engine::assess(const AssessmentRequest& request, const QuoteOptions& options) const {
  AssessmentResult result;
  detail::check_date(field_spec(Field::kQuoteDate), "quote_date", request.quote_date);
  result.tables = edition_for(request.quote_date, options);
  result.assessment = cybercover::assess(result.tables->questionnaire, request.security_action, request.answers);
  return result;
}

Quote Engine::quote(const QuoteRequest& r) const { return quote(r, QuoteOptions{}); }

Quote Engine::quote(const QuoteRequest& r, const QuoteOptions& options) const {
  // The struct's fields, typed, through the same checks as every other door.
  detail::QuoteArguments a;
  a.quote_date = r.quote_date;
  a.industry_key = r.company.industry;
  a.employees = r.company.employees;
  a.capital_yen = r.company.capital_yen;
  a.revenue_yen = r.company.revenue_yen;
  a.endpoints = r.company.endpoints;
  a.rubber_products = r.company.rubber_products;
  a.security_action = r.security_action;
  a.controls = r.controls;
  a.bundle_plan = r.bundle_plan;
  if (r.top_up.size() > kMaxSections) {  // more sections than any edition has: name one twice
    for (std::size_t i = 0; i < r.top_up.size(); ++i)
      for (std::size_t j = 0; j < i; ++j)
        if (r.top_up[i].section == r.top_up[j].section)
          throw Error(ErrorCode::kDuplicateField, "top_up." + r.top_up[i].section, "section selected twice");
    throw Error(ErrorCode::kUnknownSection, "top_up", "selects " + std::to_string(r.top_up.size()) +
                                                          " sections; an edition has at most " + std::to_string(kMaxSections));
  }
  for (const CoverSelection& s : r.top_up) {
    detail::QuoteArguments::Cover& c = a.covers.emplace_back();
    c.key = s.section;
    c.limit_yen = s.limit_yen;
    c.deductible_yen = s.deductible_yen;
  }
  if (r.subsidy_program) a.subsidy_program_id = *r.subsidy_program;
  a.service_monthly_price_yen = r.service_monthly_price_yen;
  a.prior_annual_premium_yen = r.prior_annual_premium_yen;

  detail::check_values(a);
  Quote q;
  q.tables = edition_for(r.quote_date, options);
  const RatingTables& t = *q.tables;
  detail::check_industry(t, a);
  q.assessment = detail::assess_unchecked(t.questionnaire, r.security_action, r.answers);
  detail::check_cover(t, a);
  detail::check_rules(t, a, q.assessment.summary.applicable);
  detail::price_checked(t, a, q.assessment.summary, q.posture, q.decision, q.base_cover, q.top_up);
  return q;
}

}  // namespace cybercover
