#pragma once
// Pieces of the §7 response that depend only on the questionnaire, rendered once per edition:
// an unmet item's entry is written as its pre-rendered prefix plus the points lost.

#include <string>
#include <vector>

#include "cybercover/tables/rating_tables.hpp"

namespace cybercover::detail {

struct JsonFragments {
  // By item: {"domain":1,"id":"D01.1","measure_en":"...","measure_ja":"...","points_lost":
  std::vector<std::string> unmet_prefix;
};

JsonFragments build_json_fragments(const Questionnaire& q);

}  // namespace cybercover::detail
