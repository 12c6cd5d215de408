#include "cybercover/pricing/base_cover.hpp"

#include <algorithm>

#include "cybercover/error.hpp"

namespace cybercover {

void validate_plan(const BaseCoverTable& table, BundlePlan plan, const Controls& controls,
                   const std::optional<Yen>& service_monthly_price_yen) {
  const std::string_view name = to_string(plan);
  if (plan == BundlePlan::kNone) {
    if (service_monthly_price_yen)
      throw Error(ErrorCode::kServicePriceWithoutPlan, "service_monthly_price_yen",
                  "is only allowed with a bundle plan, but bundle_plan is \"none\"",
                  std::to_string(*service_monthly_price_yen));
    return;
  }
  const BasePlan& p = table.plans[static_cast<std::size_t>(plan)];
  if (!p.offered)
    throw Error(ErrorCode::kPlanNotOffered, "bundle_plan", "is not offered in this edition", quote_for_message(name));
  if (p.requires_managed_utm && controls.utm != UtmStatus::kManaged)
    throw Error(ErrorCode::kPlanRequiresManagedUtm, "bundle_plan",
                "includes a managed UTM, but controls.utm is \"" + std::string(to_string(controls.utm)) + "\"",
                quote_for_message(name));
  if (p.requires_managed_edr && controls.edr.status != EdrStatus::kManaged)
    throw Error(ErrorCode::kPlanRequiresManagedEdr, "bundle_plan",
                "includes a managed EDR, but controls.edr.status is \"" + std::string(to_string(controls.edr.status)) + "\"",
                quote_for_message(name));
  if (service_monthly_price_yen && *service_monthly_price_yen < 0)
    throw Error(ErrorCode::kBelowMinimum, "service_monthly_price_yen", "must be an integer >= 0",
                std::to_string(*service_monthly_price_yen));
}

std::optional<BaseCoverQuote> price_base_cover(const BaseCoverTable& table, BundlePlan plan,
                                               std::int64_t employees, const Controls& controls,
                                               int tier,
                                               const std::optional<Yen>& service_monthly_price_yen) {
  std::optional<BaseCoverQuote> out;
  price_base_cover_into(out, table, plan, employees, controls, tier, service_monthly_price_yen);
  return out;
}

void price_base_cover_into(std::optional<BaseCoverQuote>& out, const BaseCoverTable& table, BundlePlan plan,
                           std::int64_t employees, const Controls& controls, int tier,
                           const std::optional<Yen>& service_monthly_price_yen) {
  out.reset();
  if (plan == BundlePlan::kNone) return;
  const BasePlan& p = table.plans[static_cast<std::size_t>(plan)];
  const std::int64_t covered =
      controls.edr.status == EdrStatus::kNone ? 0 : controls.edr.covered_endpoints;
  BaseCoverQuote& q = out.emplace();
  q.plan = plan;
  q.limit_yen = p.limit_yen;
  q.employee_band = table.employee_band(employees);
  if (!p.rate_by_employee_band.empty())
    q.band_rate_yen = p.rate_by_employee_band[static_cast<std::size_t>(q.employee_band)];
  q.endpoint_rate_yen = p.rate_per_covered_endpoint_yen * covered;
  q.rate_yen = std::max(q.band_rate_yen + q.endpoint_rate_yen, p.rate_minimum_yen);
  q.tier = tier;
  q.tier_factor = table.tier_factors[static_cast<std::size_t>(tier)];
  q.monthly_premium_yen = round_half_up(rational(q.rate_yen).times(q.tier_factor));
  q.annual_premium_yen = table.months_per_year * q.monthly_premium_yen;
  if (service_monthly_price_yen) {
    PriceCapCheck cap;
    cap.service_monthly_price_yen = *service_monthly_price_yen;
    cap.cap_yen = p.cap_fixed_yen + p.cap_per_covered_endpoint_yen * covered;
    cap.within = cap.service_monthly_price_yen <= cap.cap_yen;
    q.price_cap = cap;
  }
}

}  // namespace cybercover
