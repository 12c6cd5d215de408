#include "cybercover/assessment/assessment.hpp"

#include <array>

#include "cybercover/error.hpp"
#include "cybercover/exact.hpp"

namespace cybercover {

namespace {

bool auto_answered(const Item& item, SecurityAction declared) {
  switch (item.security_action) {
    case SecurityAction::kNone: return false;
    case SecurityAction::kOneStar: return declared != SecurityAction::kNone;
    case SecurityAction::kTwoStar: return declared == SecurityAction::kTwoStar;
  }
  return false;
}

[[noreturn]] void throw_na_not_allowed(const Item& item) {
  throw_input_error("answers." + item.id,
                    "\"na\" is not allowed for this item (only items marked allow_na may be "
                    "answered na), got \"na\"");
}

// Whole points earned for an effective answer (validated at load to be whole).
int earned_points(const Questionnaire& q, const Item& item, Answer a) {
  const Answer as_scored = a == Answer::kUnanswered ? Answer::kUnknown : a;
  return static_cast<int>(item.points * q.credit[static_cast<int>(as_scored)].scaled() /
                          Decimal4::kScale);
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

}  // namespace

void AnswerSheet::set(const Questionnaire& q, const std::string& id, Answer answer) {
  const int index = q.item_index(id);
  if (index < 0) throw_input_error("answers." + id, "no such item in the questionnaire");
  if (answers_.size() != q.items.size()) answers_.assign(q.items.size(), Answer::kUnanswered);
  answers_[static_cast<std::size_t>(index)] = answer;
}

Answer effective_answer(const Item& item, SecurityAction declared, Answer given) {
  if (given == Answer::kUnanswered && auto_answered(item, declared)) return Answer::kYes;
  return given;
}

ScoreSummary score_summary(const Questionnaire& q, SecurityAction declared, const Answer* answers,
                           std::size_t count) {
  check_sheet_size(q, count);
  ScoreSummary s;
  for (std::size_t i = 0; i < count; ++i) {
    const Item& item = q.items[i];
    const Answer a = effective_answer(item, declared, answers[i]);
    if (a == Answer::kNa) {
      if (!item.allow_na) throw_na_not_allowed(item);
      continue;
    }
    s.applicable += item.points;
    s.earned += earned_points(q, item, a);
    s.unknown_count += (a == Answer::kUnknown || a == Answer::kUnanswered);
  }
  s.score = score_of(q, s.earned, s.applicable);
  return s;
}

Assessment assess(const Questionnaire& q, SecurityAction declared, const AnswerSheet& sheet) {
  const std::vector<Answer>& answers = sheet.answers();
  check_sheet_size(q, answers.size());
  Assessment out;
  out.domains.resize(q.domains.size());
  for (std::size_t d = 0; d < q.domains.size(); ++d) out.domains[d].number = q.domains[d].number;

  std::vector<int> lost(q.items.size(), 0);  // points lost per item; 0 = met or na
  for (std::size_t i = 0; i < q.items.size(); ++i) {
    const Item& item = q.items[i];
    const Answer given = answers[i];
    const Answer a = effective_answer(item, declared, given);
    if (auto_answered(item, declared) && given != Answer::kUnanswered && given != Answer::kYes)
      out.warnings.push_back({"SECURITY_ACTION_INCONSISTENT", static_cast<int>(i), given});
    if (a == Answer::kNa) {
      if (!item.allow_na) throw_na_not_allowed(item);
      continue;
    }
    const int earned = earned_points(q, item, a);
    DomainScore& domain = out.domains[static_cast<std::size_t>(q.item_domain[i])];
    domain.earned += earned;
    domain.applicable += item.points;
    out.summary.earned += earned;
    out.summary.applicable += item.points;
    out.summary.unknown_count += (a == Answer::kUnknown || a == Answer::kUnanswered);
    if (a == Answer::kUnanswered) out.unanswered.push_back(static_cast<int>(i));
    lost[i] = item.points - earned;
  }
  out.summary.score = score_of(q, out.summary.earned, out.summary.applicable);
  for (DomainScore& d : out.domains)
    if (d.applicable > 0)
      d.percent_tenths = static_cast<int>(round_half_up(Rational{Int128(1000) * d.earned, d.applicable}));

  // Unmet items by points lost desc, then (domain, item). Items sharing a loss fraction are
  // already in that order within items_by_points, so merge one run per fraction: O(n).
  std::array<std::vector<UnmetItem>, 4> runs;  // keyed by answer credit class
  for (int index : q.items_by_points) {
    if (lost[static_cast<std::size_t>(index)] == 0) continue;
    const Answer a = effective_answer(q.items[static_cast<std::size_t>(index)], declared,
                                      answers[static_cast<std::size_t>(index)]);
    const int run = a == Answer::kPartial ? 0 : a == Answer::kNo ? 1 : 2;
    runs[static_cast<std::size_t>(run)].push_back({index, lost[static_cast<std::size_t>(index)]});
  }
  // Runs of equal credit share one loss fraction, so partial/no/unknown are the only runs.
  auto before = [](const UnmetItem& a, const UnmetItem& b) {
    return a.points_lost != b.points_lost ? a.points_lost > b.points_lost : a.item < b.item;
  };
  std::size_t heads[3] = {0, 0, 0};
  std::size_t total = runs[0].size() + runs[1].size() + runs[2].size();
  out.unmet.reserve(total);
  while (out.unmet.size() < total) {
    int best = -1;
    for (int r = 0; r < 3; ++r) {
      if (heads[r] == runs[static_cast<std::size_t>(r)].size()) continue;
      if (best < 0 || before(runs[static_cast<std::size_t>(r)][heads[r]],
                             runs[static_cast<std::size_t>(best)][heads[best]]))
        best = r;
    }
    out.unmet.push_back(runs[static_cast<std::size_t>(best)][heads[best]++]);
  }
  return out;
}

}  // namespace cybercover
