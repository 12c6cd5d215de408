#pragma once
// The embedded base cover (1階建て, docs/rating_rules.md §4): priced per subscription per month for
// the vendor that bundles it with its managed UTM/EDR service.

#include <cstdint>
#include <optional>

#include "cybercover/exact.hpp"
#include "cybercover/posture/posture.hpp"
#include "cybercover/tables/rating_tables.hpp"
#include "cybercover/types.hpp"

namespace cybercover {

struct PriceCapCheck {
  Yen service_monthly_price_yen = 0;
  Yen cap_yen = 0;
  bool within = false;
};

struct BaseCoverQuote {
  BundlePlan plan = BundlePlan::kNone;
  Yen limit_yen = 0;
  int employee_band = 0;        // row of the employee band table
  Yen band_rate_yen = 0;        // the band part of the rate (0 if the plan has none)
  Yen endpoint_rate_yen = 0;    // per covered endpoint x covered
  Yen rate_yen = 0;             // max(band + endpoint part, minimum)
  int tier = 0;
  Decimal4 tier_factor;
  Yen monthly_premium_yen = 0;  // rhu(rate x tier factor)
  Yen annual_premium_yen = 0;   // 12 x monthly
  std::optional<PriceCapCheck> price_cap;
};

// Prices the base cover into `out` (reset for plan none).
void price_base_cover_into(std::optional<BaseCoverQuote>& out, const BaseCoverTable& table, BundlePlan plan,
                           std::int64_t employees, const Controls& controls, int tier,
                           const std::optional<Yen>& service_monthly_price_yen);

// Prices the base cover; nullopt for plan none.
std::optional<BaseCoverQuote> price_base_cover(const BaseCoverTable& table, BundlePlan plan,
                                               std::int64_t employees, const Controls& controls,
                                               int tier,
                                               const std::optional<Yen>& service_monthly_price_yen);

}  // namespace cybercover
