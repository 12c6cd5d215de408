#include "cybercover/underwriting/underwriting.hpp"

#include <algorithm>

#include "cybercover/error.hpp"

namespace cybercover {

std::string_view to_string(DecisionCode code) {
  switch (code) {
    case DecisionCode::kNotSme: return "NOT_SME";
    case DecisionCode::kRevenueOutOfRange: return "REVENUE_OUT_OF_RANGE";
    case DecisionCode::kTierEHighLimit: return "TIER_E_HIGH_LIMIT";
    case DecisionCode::kTooManyUnknown: return "TOO_MANY_UNKNOWN";
    case DecisionCode::kPriorIncidents: return "PRIOR_INCIDENTS";
    case DecisionCode::kLegacyOsUnprotected: return "LEGACY_OS_UNPROTECTED";
  }
  return "";
}

int sme_category_of(const UnderwritingTable& table, int industry, bool rubber_products) {
  const Industry& ind = table.industries[static_cast<std::size_t>(industry)];
  if (!rubber_products) return ind.sme_category;
  if (!ind.rubber_category)
    throw Error(ErrorCode::kRubberProductsIndustry, "company.rubber_products",
                "applies only to an industry with a rubber-products SME category, but "
                "company.industry is \"" + ind.key + "\"",
                "true");
  return *ind.rubber_category;
}

bool is_sme(const SmeCategory& category, const Company& company) {
  return company.capital_yen <= category.capital_max_yen ||
         company.employees <= category.employees_max;
}

Decision decide(const UnderwritingTable& table, int industry, const Company& company,
                const RiskSignals& s) {
  Decision d;
  auto fire = [&d](DecisionCode code) { d.codes[static_cast<std::size_t>(d.code_count++)] = code; };
  d.sme_category = sme_category_of(table, industry, company.rubber_products);
  d.is_sme = is_sme(table.sme_categories[static_cast<std::size_t>(d.sme_category)], company);
  if (!d.is_sme) fire(DecisionCode::kNotSme);
  if (company.revenue_yen > table.revenue_max_yen) fire(DecisionCode::kRevenueOutOfRange);
  if (d.code_count > 0) {
    d.outcome = Outcome::kDecline;
    return d;  // refer rules are not evaluated on a decline
  }
  const bool high_limit_tier = std::find(table.high_limit_tiers.begin(), table.high_limit_tiers.end(),
                                         s.tier) != table.high_limit_tiers.end();
  if (high_limit_tier && s.high_limit_section_limit_yen > table.high_limit_above_yen)
    fire(DecisionCode::kTierEHighLimit);
  if (s.unknown_count >= table.too_many_unknown_min) fire(DecisionCode::kTooManyUnknown);
  if (s.incidents_3y >= table.prior_incidents_min) fire(DecisionCode::kPriorIncidents);
  if (s.legacy_os_endpoints >= table.legacy_os_min && s.utm != UtmStatus::kManaged)
    fire(DecisionCode::kLegacyOsUnprotected);
  d.outcome = d.code_count > 0 ? Outcome::kRefer : Outcome::kAccept;
  return d;
}

}  // namespace cybercover
