#pragma once
// Portfolio columns built from in-memory requests: the batch door's view of the same requests
// the single quote takes (industry keys and subsidy programmes as code columns, unknown ones
// included, so a bad key reaches the batch as it would from a DataFrame).

#include <cmath>
#include <string>
#include <vector>

#include "cybercover/cybercover.hpp"

namespace cybercover::testing {

struct Columns {
  std::vector<std::uint8_t> answers, security_action, utm, edr_status, plan, rubber;
  std::vector<std::int32_t> industry, subsidy;
  std::vector<std::int64_t> quote_day, employees, capital, revenue, endpoints, covered, installed, legacy, incidents, price, prior;
  std::vector<double> click;
  std::vector<std::vector<std::int64_t>> limits, deductibles;
  PortfolioColumns view;

  Columns(const std::vector<QuoteRequest>& requests, const RatingTables& t) {
    const auto& sections = t.top_up.sections;
    limits.assign(sections.size(), {});
    deductibles.assign(sections.size(), {});
    for (const auto& ind : t.underwriting.industries) view.industry_keys.push_back(ind.key);
    auto code_of = [](std::vector<std::string>& keys, const std::string& key) {
      for (std::size_t i = 0; i < keys.size(); ++i)
        if (keys[i] == key) return static_cast<std::int32_t>(i);
      keys.push_back(key);
      return static_cast<std::int32_t>(keys.size() - 1);
    };
    for (const auto& r : requests) {
      for (Answer a : r.answers.answers()) answers.push_back(static_cast<std::uint8_t>(a));
      quote_day.push_back(r.quote_date.day_number());
      security_action.push_back(static_cast<std::uint8_t>(r.security_action));
      industry.push_back(code_of(view.industry_keys, r.company.industry));
      employees.push_back(r.company.employees);
      capital.push_back(r.company.capital_yen);
      revenue.push_back(r.company.revenue_yen);
      endpoints.push_back(r.company.endpoints);
      rubber.push_back(r.company.rubber_products);
      utm.push_back(static_cast<std::uint8_t>(r.controls.utm));
      edr_status.push_back(static_cast<std::uint8_t>(r.controls.edr.status));
      covered.push_back(r.controls.edr.covered_endpoints);
      installed.push_back(r.controls.edr.installed_on ? r.controls.edr.installed_on->day_number() : PortfolioColumns::kNoDay);
      legacy.push_back(r.controls.legacy_os_endpoints);
      click.push_back(r.controls.phishing_click_rate.value_or(std::nan("")));
      incidents.push_back(r.controls.incidents_3y);
      plan.push_back(static_cast<std::uint8_t>(r.bundle_plan));
      price.push_back(r.service_monthly_price_yen.value_or(PortfolioColumns::kNone));
      prior.push_back(r.prior_annual_premium_yen.value_or(PortfolioColumns::kNone));
      subsidy.push_back(r.subsidy_program ? code_of(view.subsidy_program_ids, *r.subsidy_program)
                                          : static_cast<std::int32_t>(PortfolioColumns::kNone));
      for (std::size_t s = 0; s < sections.size(); ++s) {
        std::int64_t limit = 0, deductible = PortfolioColumns::kDefault;
        for (const auto& sel : r.top_up)
          if (sel.section == sections[s].key) {
            limit = sel.limit_yen;
            deductible = sel.deductible_yen.value_or(PortfolioColumns::kDefault);
          }
        limits[s].push_back(limit);
        deductibles[s].push_back(deductible);
      }
    }
    view.rows = requests.size();
    view.quote_day = quote_day.data();
    view.answers = answers.data();
    view.answer_columns = t.questionnaire.items.size();
    view.security_action = security_action.data();
    view.industry = industry.data();
    view.employees = employees.data();
    view.capital_yen = capital.data();
    view.revenue_yen = revenue.data();
    view.endpoints = endpoints.data();
    view.rubber_products = rubber.data();
    view.utm = utm.data();
    view.edr_status = edr_status.data();
    view.edr_covered_endpoints = covered.data();
    view.edr_installed_day = installed.data();
    view.legacy_os_endpoints = legacy.data();
    view.phishing_click_rate = click.data();
    view.incidents_3y = incidents.data();
    view.bundle_plan = plan.data();
    view.service_monthly_price_yen = price.data();
    view.prior_annual_premium_yen = prior.data();
    view.subsidy_program_code = subsidy.data();
    for (std::size_t s = 0; s < sections.size(); ++s)
      view.top_up.push_back({sections[s].key, limits[s].data(), deductibles[s].data()});
  }
};

}  // namespace cybercover::testing
