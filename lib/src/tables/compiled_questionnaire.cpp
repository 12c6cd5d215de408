#include "tables/compiled_questionnaire.hpp"

namespace cybercover::detail {

std::shared_ptr<const CompiledQuestionnaire> compile_questionnaire(const Questionnaire& q) {
  auto c = std::make_shared<CompiledQuestionnaire>();
  c->items = q.items.data();
  c->item_count = q.items.size();
  c->scoring = build_scoring_layout(q);
  c->json = build_json_fragments(q);
  c->first_item_of_domain.assign(100, -1);
  c->item_count_of_domain.assign(100, 0);
  for (std::size_t i = 0; i < q.items.size(); ++i) {
    const auto d = static_cast<std::size_t>(q.items[i].domain);
    if (d >= c->first_item_of_domain.size()) continue;
    if (c->first_item_of_domain[d] < 0) c->first_item_of_domain[d] = static_cast<int>(i);
    ++c->item_count_of_domain[d];
  }
  return c;
}

}  // namespace cybercover::detail
