#include "cybercover/assessment/assessment.hpp"

#include <array>

#include "cybercover/error.hpp"
#include "cybercover/exact.hpp"

namespace cybercover {

namespace {

bool auto_answered(SecurityAction tag, SecurityAction declared) {
  switch (tag) {
    case SecurityAction::kNone: return false;
    case SecurityAction::kOneStar: return declared != SecurityAction::kNone;
    case SecurityAction::kTwoStar: return declared == SecurityAction::kTwoStar;
  }
  return false;
}

Answer effective(const ItemRule& rule, SecurityAction declared, Answer given) {
  return given == Answer::kUnanswered && auto_answered(rule.tag, declared) ? Answer::kYes : given;
}

[[noreturn]] void throw_na_not_allowed(const Item& item) {
  throw_input_error("answers." + item.id,
                    "\"na\" is not allowed for this item (only items marked allow_na may be "
                    "answered na), got \"na\"");
}

[[noreturn]] void throw_bad_answer(const Item& item, Answer a) {
  throw_input_error("answers." + item.id,
                    "must be one of \"yes\", \"partial\", \"no\", \"unknown\", \"na\", got code " +
                        std::to_string(static_cast<int>(a)));
}

void check_sheet_size(const Questionnaire& q, std::size_t count) {
  if (count != q.items.size())
    throw_input_error("answers", "the answer sheet has " + std::to_string(count) +
                                     " entries but the questionnaire has " +
                                     std::to_string(q.items.size()) + " items");
}

int score_of(const Questionnaire& q, int earned, int applicable) {
  if (applicable == 0)
    throw_input_error("answers", "no item is applicable: every item was answered \"na\"");
  return static_cast<int>(round_half_up(Rational{Int128(q.max_score) * earned, applicable}));
}

// Folds one effective answer into the running totals; false for na (excluded).
inline bool tally(const Questionnaire& q, std::size_t i, Answer a, ScoreSummary& s) {
  const ItemRule& rule = q.rules[i];
  if (static_cast<std::uint8_t>(a) > static_cast<std::uint8_t>(Answer::kNa)) throw_bad_answer(q.items[i], a);
  if (a == Answer::kNa) {
    if (!rule.allow_na) throw_na_not_allowed(q.items[i]);
    return false;
  }
  s.applicable += rule.points;
  s.earned += rule.earned[static_cast<std::size_t>(a)];
  s.unknown_count += (a == Answer::kUnknown || a == Answer::kUnanswered);
  return true;
}

}  // namespace

void AnswerSheet::set(const Questionnaire& q, const std::string& id, Answer answer) {
  const int index = q.item_index(id);
  if (index < 0) throw_input_error("answers." + id, "no such item in the questionnaire");
  if (answers_.size() != q.items.size()) answers_.assign(q.items.size(), Answer::kUnanswered);
  answers_[static_cast<std::size_t>(index)] = answer;
}

Answer effective_answer(const Item& item, SecurityAction declared, Answer given) {
  return given == Answer::kUnanswered && auto_answered(item.security_action, declared) ? Answer::kYes : given;
}

ScoreSummary score_summary(const Questionnaire& q, SecurityAction declared, const Answer* answers,
                           std::size_t count) {
  check_sheet_size(q, count);
  // Branch-free: one table look-up and one addition per item (see Questionnaire::tally_table).
  const std::uint64_t* table = q.tally_table.data() + static_cast<std::size_t>(declared) * 8;
  std::uint64_t sums = 0;
  unsigned codes = 0;
  for (std::size_t i = 0; i < count; ++i) {
    const auto code = static_cast<std::uint8_t>(answers[i]);
    codes |= code;
    sums += table[i * 24 + (code & 7u)];
  }
  const auto applicable = static_cast<std::uint32_t>(sums & 0xFFFF);
  const auto earned = static_cast<std::uint32_t>((sums >> 16) & 0xFFFF);
  const auto unknown = static_cast<std::uint32_t>((sums >> 32) & 0xFFFF);
  const bool rejected = (sums >> 48) != 0 || codes > 7;
  ScoreSummary s;
  if (rejected) {  // the checking loop names the first offending item
    for (std::size_t i = 0; i < count; ++i) tally(q, i, effective(q.rules[i], declared, answers[i]), s);
  }
  s.applicable = static_cast<int>(applicable);
  s.earned = static_cast<int>(earned);
  s.unknown_count = static_cast<int>(unknown);
  s.score = score_of(q, s.earned, s.applicable);
  return s;
}

Assessment assess(const Questionnaire& q, SecurityAction declared, const AnswerSheet& sheet) {
  const std::vector<Answer>& answers = sheet.answers();
  check_sheet_size(q, answers.size());
  const std::size_t n = answers.size();
  Assessment out;
  out.domains.resize(q.domains.size());
  for (std::size_t d = 0; d < q.domains.size(); ++d) out.domains[d].number = q.domains[d].number;

  // Points lost can only be 0..max_item_points: count per value for a stable counting sort.
  constexpr std::size_t kStackLimit = 512;
  std::array<std::uint16_t, kStackLimit + 1> small_counts{};
  std::vector<std::uint16_t> large_counts;
  std::uint16_t* counts = small_counts.data();
  if (static_cast<std::size_t>(q.max_item_points) > kStackLimit) {
    large_counts.assign(static_cast<std::size_t>(q.max_item_points) + 1, 0);
    counts = large_counts.data();
  }
  std::size_t unmet_count = 0;
  int max_lost = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const ItemRule& rule = q.rules[i];
    const Answer given = answers[i];
    const Answer a = effective(rule, declared, given);
    if (given != Answer::kUnanswered && given != Answer::kYes && auto_answered(rule.tag, declared))
      out.warnings.push_back({"SECURITY_ACTION_INCONSISTENT", static_cast<int>(i), given});
    const int earned_before = out.summary.earned;
    if (!tally(q, i, a, out.summary)) continue;
    const int earned = out.summary.earned - earned_before;
    DomainScore& domain = out.domains[rule.domain];
    domain.earned += earned;
    domain.applicable += rule.points;
    if (a == Answer::kUnanswered) out.unanswered.push_back(static_cast<int>(i));
    const int lost = rule.points - earned;
    if (lost > 0) {
      ++counts[lost];
      ++unmet_count;
      max_lost = std::max(max_lost, lost);
    }
  }
  out.summary.score = score_of(q, out.summary.earned, out.summary.applicable);
  for (DomainScore& d : out.domains)
    if (d.applicable > 0)
      d.percent_tenths = static_cast<int>(round_half_up(Rational{Int128(1000) * d.earned, d.applicable}));

  // Unmet items by points lost desc, then (domain, item) = item order: counting sort, stable.
  std::uint16_t next = 0;
  for (int lost = max_lost; lost >= 1; --lost) {
    const std::uint16_t c = counts[lost];
    counts[lost] = next;  // first slot of this value
    next = static_cast<std::uint16_t>(next + c);
  }
  out.unmet.resize(unmet_count);
  for (std::size_t i = 0; i < n && unmet_count > 0; ++i) {
    const Answer a = effective(q.rules[i], declared, answers[i]);
    if (a == Answer::kNa) continue;
    const int lost = q.rules[i].points - q.rules[i].earned[static_cast<std::size_t>(a)];
    if (lost > 0) out.unmet[counts[lost]++] = {static_cast<int>(i), lost};
  }
  return out;
}

}  // namespace cybercover
