#pragma once
// Security posture index and risk tier (docs/rating_rules.md §2): the assessment score plus credits
// for managed controls and debits for known weaknesses, each with a reason code.

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "cybercover/date.hpp"
#include "cybercover/tables/rating_tables.hpp"
#include "cybercover/types.hpp"

namespace cybercover {

struct EdrControl {
  EdrStatus status = EdrStatus::kNone;
  std::int64_t covered_endpoints = 0;
  std::optional<Date> installed_on;  // required for a managed EDR
};

struct Controls {
  UtmStatus utm = UtmStatus::kNone;
  EdrControl edr;
  std::int64_t legacy_os_endpoints = 0;
  // Share of drill recipients who clicked, 0-1; compared as the exact decimal it prints as.
  std::optional<double> phishing_click_rate;
  std::int64_t incidents_3y = 0;
};

enum class PostureCode : std::uint8_t {
  kUtmManaged,
  kUtmUnmanaged,
  kEdrManaged,
  kEdrLearning,
  kEdrSelfManaged,
  kLegacyOs,
  kPhishingLow,
  kPhishingHigh,
  kPriorIncidents,
};
std::string_view to_string(PostureCode code);

struct PostureAdjustment {
  PostureCode code = PostureCode::kUtmManaged;
  std::int64_t points = 0;
};

struct Posture {
  std::int64_t score = 0;  // assessment score it starts from
  std::array<PostureAdjustment, 9> adjustments{};
  int adjustment_count = 0;
  std::int64_t index = 0;  // floored
  int tier = 0;            // index into PostureTable::tiers
  std::optional<std::int32_t> edr_days;  // d, for a managed EDR

  const PostureAdjustment* begin() const { return adjustments.data(); }
  const PostureAdjustment* end() const { return adjustments.data() + adjustment_count; }
};

// Computes the posture index and tier of controls that meet the request contract (the engine
// checks them first; see cybercover/contract/request_contract.hpp).
// Example:
//   Posture p = compute_posture(tables.posture, 1000, controls, 48, quote_date);
Posture compute_posture(const PostureTable& table, int score, const Controls& controls,
                        std::int64_t endpoints, Date quote_date);
// The same, written into `out` (the batch reuses one record row after row).
void compute_posture_into(Posture& out, const PostureTable& table, int score, const Controls& controls,
                          std::int64_t endpoints, Date quote_date);

}  // namespace cybercover
