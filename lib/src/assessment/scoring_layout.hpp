#pragma once
// The questionnaire laid out for scoring: derived once per edition from questionnaire.json so
// that scoring a sheet is one table look-up and one addition per item (no branch per answer:
// across a portfolio the answers vary unpredictably, and branches would mispredict).

#include <array>
#include <cstdint>
#include <vector>

#include "cybercover/tables/rating_tables.hpp"

namespace cybercover::detail {

// The scoring view of one item, packed so that the scoring loop stays in cache.
struct ItemRule {
  std::int32_t points = 0;
  std::array<std::int32_t, 6> earned{};  // whole points earned, by effective Answer
  std::uint16_t domain = 0;               // index into Questionnaire::domains
  SecurityAction tag = SecurityAction::kNone;
  bool allow_na = false;
};

struct ScoringLayout {
  std::vector<ItemRule> rules;  // by item
  // By [item][declared SECURITY ACTION][answer code 0-7], four 16-bit counters packed so that
  // one addition per item sums them all: applicable points (bits 0-15), earned points (16-31),
  // unknown (32-47) and "not allowed" (48-63: na where not allowed, or a code that is no
  // answer). Totals fit: the loader bounds max_score by 65535.
  std::vector<std::uint64_t> tally_table;
  int max_item_points = 0;
};

ScoringLayout build_scoring_layout(const Questionnaire& q);

}  // namespace cybercover::detail
