#include "assessment/scoring_layout.hpp"

#include <algorithm>

namespace cybercover::detail {

ScoringLayout build_scoring_layout(const Questionnaire& q) {
  ScoringLayout layout;
  layout.rules.reserve(q.items.size());
  layout.tally_table.reserve(q.items.size() * 24);
  for (const Item& item : q.items) {
    ItemRule rule;
    rule.points = item.points;
    for (Answer a : {Answer::kYes, Answer::kPartial, Answer::kNo, Answer::kUnknown})
      rule.earned[static_cast<std::size_t>(a)] =
          static_cast<std::int32_t>(item.points * q.credit[static_cast<std::size_t>(a)].scaled() / Decimal4::kScale);
    rule.earned[static_cast<std::size_t>(Answer::kUnanswered)] = rule.earned[static_cast<std::size_t>(Answer::kUnknown)];
    rule.domain = static_cast<std::uint16_t>(std::max(0, q.domain_index(item.domain)));
    rule.tag = item.security_action;
    rule.allow_na = item.allow_na;
    layout.rules.push_back(rule);
    for (SecurityAction declared : {SecurityAction::kNone, SecurityAction::kOneStar, SecurityAction::kTwoStar}) {
      for (std::uint32_t code = 0; code < 8; ++code) {
        const bool is_answer = code <= static_cast<std::uint32_t>(Answer::kNa);
        Answer a = is_answer ? static_cast<Answer>(code) : Answer::kUnknown;
        const bool auto_yes = a == Answer::kUnanswered &&
                              (item.security_action == SecurityAction::kOneStar ? declared != SecurityAction::kNone
                               : item.security_action == SecurityAction::kTwoStar ? declared == SecurityAction::kTwoStar
                                                                                  : false);
        if (auto_yes) a = Answer::kYes;
        std::uint64_t v = 0;
        if (!is_answer || (a == Answer::kNa && !item.allow_na)) {
          v = std::uint64_t{1} << 48;
        } else if (a != Answer::kNa) {
          v = static_cast<std::uint64_t>(rule.points) |
              (static_cast<std::uint64_t>(rule.earned[static_cast<std::size_t>(a)]) << 16) |
              (static_cast<std::uint64_t>(a == Answer::kUnknown || a == Answer::kUnanswered) << 32);
        }
        layout.tally_table.push_back(v);
      }
    }
    layout.max_item_points = std::max(layout.max_item_points, item.points);
  }
  return layout;
}

}  // namespace cybercover::detail
