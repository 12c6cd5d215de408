#pragma once
// In-memory requests for the C++ API tests: the rate manual's worked example 1, and a
// seeded random company for property tests.

#include <random>

#include "cybercover/cybercover.hpp"

namespace cybercover::testing {

// docs/rating_rules.md §8 example 1.
inline QuoteRequest worked_example_1(const RatingTables& t) {
  QuoteRequest r;
  r.quote_date = *Date::parse("2026-12-15");
  r.company = Company{"manufacturing", 40, 50'000'000, 400'000'000, 48, false};
  r.security_action = SecurityAction::kTwoStar;
  r.answers = AnswerSheet(t.questionnaire, Answer::kYes);
  r.controls.utm = UtmStatus::kManaged;
  r.controls.edr = EdrControl{EdrStatus::kManaged, 45, Date::parse("2026-11-10")};
  r.controls.phishing_click_rate = 0.04;
  r.controls.incidents_3y = 1;
  r.bundle_plan = BundlePlan::kUtmEdr;
  r.service_monthly_price_yen = 80'000;
  r.top_up = {{"liability", 100'000'000, std::nullopt},
              {"response", 10'000'000, 100'000},
              {"interruption", 10'000'000, 500'000}};
  r.subsidy_program = "sme-cyber-support-2026";
  return r;
}

// A random but valid SME request (accept or refer, never decline) with all three sections.
inline QuoteRequest random_request(const RatingTables& t, std::mt19937_64& rng) {
  auto pick = [&rng](int n) { return static_cast<int>(std::uniform_int_distribution<int>(0, n - 1)(rng)); };
  QuoteRequest r;
  r.quote_date = *Date::parse("2026-12-15");
  r.company.industry = t.underwriting.industries[static_cast<std::size_t>(pick(static_cast<int>(t.underwriting.industries.size())))].key;
  r.company.employees = 1 + pick(50);
  r.company.capital_yen = 10'000'000;
  r.company.revenue_yen = std::uniform_int_distribution<std::int64_t>(0, 9'000'000'000)(rng);
  r.company.endpoints = 1 + pick(60);
  r.security_action = static_cast<SecurityAction>(pick(3));
  r.answers = AnswerSheet(t.questionnaire);
  for (auto& a : r.answers.answers()) a = static_cast<Answer>(pick(5));  // unanswered..unknown
  r.controls.utm = static_cast<UtmStatus>(pick(3));
  r.controls.edr.status = static_cast<EdrStatus>(pick(3));
  if (r.controls.edr.status != EdrStatus::kNone) r.controls.edr.covered_endpoints = 1 + pick(static_cast<int>(r.company.endpoints));
  r.controls.edr.installed_on = Date::parse("2026-10-01");
  r.controls.legacy_os_endpoints = pick(2);
  if (pick(2)) r.controls.phishing_click_rate = pick(30) / 100.0;
  r.controls.incidents_3y = pick(3);
  r.bundle_plan = BundlePlan::kNone;
  r.top_up = {{"liability", 50'000'000, std::nullopt}, {"response", 10'000'000, std::nullopt}, {"interruption", 10'000'000, std::nullopt}};
  r.subsidy_program = "sme-cyber-support-2026";
  return r;
}

}  // namespace cybercover::testing
