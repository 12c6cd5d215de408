#include "cybercover/assessment/assessment.hpp"

#include <array>

#include "assessment/scoring.hpp"
#include "assessment/scoring_layout.hpp"
#include "cybercover/error.hpp"
#include "detail/exact_arith.hpp"
#include "tables/compiled_questionnaire.hpp"

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

using detail::ItemRule;
using detail::ScoringLayout;

Answer effective(const ItemRule& rule, SecurityAction declared, Answer given) {
  return given == Answer::kUnanswered && auto_answered(rule.tag, declared) ? Answer::kYes : given;
}

[[noreturn]] void throw_na_not_allowed(const Item& item) {
  throw Error(ErrorCode::kNaNotAllowed, "answers." + item.id,
              "\"na\" is not allowed for this item (only items marked allow_na may be answered na)", "\"na\"");
}

[[noreturn]] void throw_bad_answer(const Item& item, Answer a) {
  throw Error(ErrorCode::kUnknownValue, "answers." + item.id,
              "must be one of \"yes\", \"partial\", \"no\", \"unknown\", \"na\"",
              "code " + std::to_string(static_cast<int>(a)));
}

void check_sheet_size(const Questionnaire& q, std::size_t count) {
  if (count != q.items.size())
    throw Error(ErrorCode::kColumnShape, "answers",
                "the answer sheet has " + std::to_string(count) + " entries but the questionnaire has " +
                    std::to_string(q.items.size()) + " items");
}

// 0 when no item is applicable: the caller reports that (at its turn among the checks).
int score_of(const Questionnaire& q, int earned, int applicable) {
  if (applicable == 0) return 0;
  return static_cast<int>(round_half_up(Rational{Int128(q.max_score) * earned, applicable}));
}

// Folds one effective answer into the running totals; false for na (excluded).
inline bool tally(const Questionnaire& q, const ScoringLayout& layout, std::size_t i, Answer a, ScoreSummary& s) {
  const ItemRule& rule = layout.rules[i];
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
  if (index < 0) throw Error(ErrorCode::kUnknownItem, "answers." + id, "no such item in the questionnaire");
  if (answers_.size() != q.items.size()) answers_.assign(q.items.size(), Answer::kUnanswered);
  answers_[static_cast<std::size_t>(index)] = answer;
}

Answer effective_answer(const Item& item, SecurityAction declared, Answer given) {
  return given == Answer::kUnanswered && auto_answered(item.security_action, declared) ? Answer::kYes : given;
}

ScoreSummary score_summary(const Questionnaire& q, SecurityAction declared, const Answer* answers,
                           std::size_t count) {
  return detail::score_summary(q, *detail::compiled(q), declared, answers, count);
}

namespace detail {

ScoreSummary score_summary(const Questionnaire& q, const CompiledQuestionnaire& compiled, SecurityAction declared,
                           const Answer* answers, std::size_t count) {
  check_sheet_size(q, count);
  const ScoringLayout& layout = compiled.scoring;
  // Branch-free: one table look-up and one addition per item (see Questionnaire::tally_table).
  const std::uint64_t* table = layout.tally_table.data() + static_cast<std::size_t>(declared) * 8;
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
    for (std::size_t i = 0; i < count; ++i) tally(q, layout, i, effective(layout.rules[i], declared, answers[i]), s);
  }
  s.applicable = static_cast<int>(applicable);
  s.earned = static_cast<int>(earned);
  s.unknown_count = static_cast<int>(unknown);
  s.score = score_of(q, s.earned, s.applicable);
  return s;
}

Assessment assess_unchecked(const Questionnaire& q, SecurityAction declared, const AnswerSheet& sheet) {
  const std::shared_ptr<const CompiledQuestionnaire> compiled_q = compiled(q);
  const ScoringLayout& layout = compiled_q->scoring;
  const std::vector<Answer>& answers = sheet.answers();
  // The lean pass checks every answer first (and names the first bad item).
  const ScoreSummary summary = score_summary(q, *compiled_q, declared, answers.data(), answers.size());
  const std::size_t n = answers.size();
  Assessment out;
  out.summary = summary;
  out.domains.resize(q.domains.size());

  // Per item: the packed tally (see Questionnaire::tally_table) summed by domain, and points
  // lost counted per value for a stable counting sort of the unmet items.
  const std::uint64_t* table = layout.tally_table.data() + static_cast<std::size_t>(declared) * 8;
  constexpr std::size_t kStackLimit = 512;
  std::array<std::uint16_t, kStackLimit + 1> small_counts{};
  std::vector<std::uint16_t> large_counts;
  std::uint16_t* counts = small_counts.data();
  if (static_cast<std::size_t>(layout.max_item_points) > kStackLimit) {
    large_counts.assign(static_cast<std::size_t>(layout.max_item_points) + 1, 0);
    counts = large_counts.data();
  }
  std::vector<std::uint64_t> domain_sums(q.domains.size(), 0);
  std::size_t unmet_count = 0;
  int max_lost = 0;
  const bool declared_any = declared != SecurityAction::kNone;
  auto lost_of = [](std::uint64_t v) { return static_cast<int>((v & 0xFFFF) - ((v >> 16) & 0xFFFF)); };
  for (std::size_t i = 0; i < n; ++i) {
    const Answer given = answers[i];
    const std::uint64_t v = table[i * 24 + static_cast<std::size_t>(given)];
    domain_sums[layout.rules[i].domain] += v;
    if (given == Answer::kUnanswered && ((v >> 32) & 1)) out.unanswered.push_back(static_cast<int>(i));
    if (declared_any && given != Answer::kUnanswered && given != Answer::kYes && auto_answered(layout.rules[i].tag, declared))
      out.warnings.push_back({"SECURITY_ACTION_INCONSISTENT", static_cast<int>(i), given});
    // Branch-free: whether an item is met is as good as random, so a branch would mispredict.
    const int lost = lost_of(v);
    counts[lost] = static_cast<std::uint16_t>(counts[lost] + 1);  // counts[0] is never read
    unmet_count += static_cast<std::size_t>(lost > 0);
    max_lost = std::max(max_lost, lost);
  }
  for (std::size_t d = 0; d < q.domains.size(); ++d) {
    DomainScore& domain = out.domains[d];
    domain.number = q.domains[d].number;
    domain.applicable = static_cast<int>(domain_sums[d] & 0xFFFF);
    domain.earned = static_cast<int>((domain_sums[d] >> 16) & 0xFFFF);
    if (domain.applicable > 0)
      domain.percent_tenths = static_cast<int>(round_half_up(Rational{Int128(1000) * domain.earned, domain.applicable}));
  }

  // Unmet items by points lost desc, then (domain, item) = item order: counting sort, stable.
  std::uint16_t next = 0;
  for (int lost = max_lost; lost >= 1; --lost) {
    const std::uint16_t c = counts[lost];
    counts[lost] = next;  // first slot of this value
    next = static_cast<std::uint16_t>(next + c);
  }
  // Met items all write to one spare slot past the end, which is then dropped.
  counts[0] = static_cast<std::uint16_t>(unmet_count);
  out.unmet.resize(unmet_count + 1);
  for (std::size_t i = 0; i < n && unmet_count > 0; ++i) {
    const int lost = lost_of(table[i * 24 + static_cast<std::size_t>(answers[i])]);
    const std::uint16_t slot = counts[lost];
    out.unmet[slot] = {static_cast<int>(i), lost};
    counts[lost] = static_cast<std::uint16_t>(slot + (lost > 0));
  }
  out.unmet.resize(unmet_count);
  return out;
}

}  // namespace detail

void require_applicable(const ScoreSummary& s) {
  if (s.applicable == 0)
    throw Error(ErrorCode::kNoApplicableItem, "answers", "no item is applicable: every item was answered \"na\"");
}

Assessment assess(const Questionnaire& q, SecurityAction declared, const AnswerSheet& sheet) {
  Assessment a = detail::assess_unchecked(q, declared, sheet);
  require_applicable(a.summary);
  return a;
}

}  // namespace cybercover
