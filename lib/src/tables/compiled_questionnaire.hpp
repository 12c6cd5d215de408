#pragma once
// What the engine derives from a questionnaire for the steps that use it (the scoring layout,
// the JSON fragments). It is not part of the data model: Questionnaire::compiled holds it as an
// opaque handle, built when the edition loads.

#include <cstddef>
#include <memory>

#include "assessment/scoring_layout.hpp"
#include "cybercover/tables/rating_tables.hpp"
#include "io/json_fragments.hpp"

namespace cybercover::detail {

struct CompiledQuestionnaire {
  const Item* items = nullptr;  // the item array it was built from
  std::size_t item_count = 0;
  ScoringLayout scoring;
  JsonFragments json;
  // Where each domain's items start, by domain number (-1: none): an id finds its item in O(1).
  std::vector<int> first_item_of_domain;
  std::vector<int> item_count_of_domain;
};

std::shared_ptr<const CompiledQuestionnaire> compile_questionnaire(const Questionnaire& q);

// Returns the questionnaire's compiled form. A copy of a questionnaire (an edition being
// edited) no longer matches the handle it carries: it is compiled afresh, so derived state can
// never be stale.
inline std::shared_ptr<const CompiledQuestionnaire> compiled(const Questionnaire& q) {
  const auto& c = q.compiled;
  if (c && c->items == q.items.data() && c->item_count == q.items.size()) return c;
  return compile_questionnaire(q);
}

}  // namespace cybercover::detail
