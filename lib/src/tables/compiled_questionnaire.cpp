#include "tables/compiled_questionnaire.hpp"

namespace cybercover::detail {

std::shared_ptr<const CompiledQuestionnaire> compile_questionnaire(const Questionnaire& q) {
  auto c = std::make_shared<CompiledQuestionnaire>();
  c->items = q.items.data();
  c->item_count = q.items.size();
  c->scoring = build_scoring_layout(q);
  c->json = build_json_fragments(q);
  return c;
}

}  // namespace cybercover::detail
