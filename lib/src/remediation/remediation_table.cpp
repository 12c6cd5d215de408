// The remediation table's look-ups: upgrade names, the reading of a score, service prices.

#include "cybercover/remediation/remediation_table.hpp"

#include <string>

#include "cybercover/error.hpp"

namespace cybercover {

std::string_view to_string(UpgradeKind kind) {
  switch (kind) {
    case UpgradeKind::kUtmManaged: return "utm_managed";
    case UpgradeKind::kEdrManaged: return "edr_managed";
    case UpgradeKind::kLegacyOsReplaced: return "legacy_os_replaced";
    case UpgradeKind::kPhishingDrill: return "phishing_drill";
  }
  return "";
}

const ScoreReading& RemediationTable::reading_for(int score) const {
  for (const auto& r : score_readings)
    if (score >= r.min_score) return r;
  return score_readings.back();  // the last starts at 0
}

std::int64_t RemediationTable::monthly_price_yen(BundlePlan plan, std::int64_t covered_endpoints) const {
  const ServicePrice& p = service_prices[static_cast<std::size_t>(plan)];
  std::int64_t per = 0, total = 0;
  if (__builtin_mul_overflow(p.per_covered_endpoint_yen, covered_endpoints, &per) ||
      __builtin_add_overflow(per, p.fixed_yen, &total))
    throw Error(ErrorCode::kAboveMaximum, "controls.edr.covered_endpoints", "is too large to price the service",
                std::to_string(covered_endpoints));
  return total;
}

}  // namespace cybercover
