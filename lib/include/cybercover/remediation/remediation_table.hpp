#pragma once
// The remediation table of an edition (remediation.json): how much work and money each
// measure takes, the typical monthly prices of the bundle plans, and the reading of a score.
// The figures are estimates for a typical SME (docs/remediation.md gives the reasoning); they
// rank and cost measures and never change a premium.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cybercover/types.hpp"

namespace cybercover {

// A class of effort (low / medium / high) with the typical one-off cost of a measure in it:
// staff time valued at a typical SME rate plus any purchase.
struct EffortClass {
  std::string key;  // "low"
  std::string name_ja, name_en;
  std::int64_t typical_cost_yen = 0;
};

// The control upgrades a remediation plan considers, besides answering an item `yes`.
enum class UpgradeKind : std::uint8_t {
  kUtmManaged,        // the UTM (none or unmanaged) becomes a managed service
  kEdrManaged,        // EDR managed, covering every endpoint
  kLegacyOsReplaced,  // end-of-support PCs replaced
  kPhishingDrill,     // a drill brings the click rate to the low-rate threshold
};
inline constexpr int kUpgradeKindCount = 4;
// "utm_managed", "edr_managed", "legacy_os_replaced", "phishing_drill".
std::string_view to_string(UpgradeKind kind);

struct UpgradeRule {
  int effort = 0;  // index into RemediationTable::effort_classes
  // When > 0 the one-off cost is this per affected endpoint instead of the class's cost
  // (replacing PCs costs per PC).
  std::int64_t cost_per_endpoint_yen = 0;
  std::string measure_ja, measure_en;
};

// The typical monthly price a customer pays for a bundle plan:
// fixed + per covered endpoint x the EDR's covered endpoints.
struct ServicePrice {
  std::int64_t fixed_yen = 0;
  std::int64_t per_covered_endpoint_yen = 0;
};

// An IPA-style reading of the score: scores >= min_score (down to the next reading's).
struct ScoreReading {
  int min_score = 0;
  std::string label_ja, label_en, reading_ja, reading_en;
};

struct RemediationTable {
  std::vector<EffortClass> effort_classes;
  std::vector<int> item_effort;  // effort class by questionnaire item (Questionnaire::items order)
  std::array<UpgradeRule, kUpgradeKindCount> upgrades{};  // by UpgradeKind
  std::array<ServicePrice, kBundlePlanCount> service_prices{};  // by BundlePlan; kNone costs 0
  std::vector<ScoreReading> score_readings;  // min_score decreasing; the last is 0

  // Returns the reading of a score (0 to max_score).
  const ScoreReading& reading_for(int score) const;
  // Returns the typical monthly price of a plan with `covered_endpoints` under its EDR.
  // Throws Error{kInput} naming controls.edr.covered_endpoints if the price overflows.
  std::int64_t monthly_price_yen(BundlePlan plan, std::int64_t covered_endpoints) const;
};

}  // namespace cybercover
