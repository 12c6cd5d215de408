#include "cybercover/pricing/base_cover.hpp"

#include <algorithm>

#include "cybercover/error.hpp"
#include "detail/exact_arith.hpp"

namespace cybercover {

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
