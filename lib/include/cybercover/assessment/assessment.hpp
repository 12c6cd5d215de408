#pragma once
// Scores a security self-assessment (docs/rating_rules.md §1): 0-1000 points, per-domain breakdown,
// unmet items with the measures to take, and SECURITY ACTION auto-answers.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cybercover/tables/rating_tables.hpp"
#include "cybercover/types.hpp"

namespace cybercover {

// Answers in the questionnaire's item order (Questionnaire::items); Answer::kUnanswered where
// the company gave none. Build one from ids with AnswerSheet::set.
// Example:
//   AnswerSheet sheet(tables.questionnaire);          // all unanswered
//   sheet.set(tables.questionnaire, "D01.1", Answer::kYes);
class AnswerSheet {
 public:
  AnswerSheet() = default;
  explicit AnswerSheet(const Questionnaire& q, Answer fill = Answer::kUnanswered)
      : answers_(q.items.size(), fill) {}
  explicit AnswerSheet(std::vector<Answer> answers) : answers_(std::move(answers)) {}

  // Sets the answer of item `id`; throws Error{kInput} naming answers.<id> if unknown.
  void set(const Questionnaire& q, const std::string& id, Answer answer);

  const std::vector<Answer>& answers() const { return answers_; }
  std::vector<Answer>& answers() { return answers_; }

 private:
  std::vector<Answer> answers_;
};

struct DomainScore {
  int number = 0;
  int earned = 0;
  int applicable = 0;
  // 100 x earned / applicable rounded half up to 1 decimal, in tenths (875 = 87.5%);
  // -1 when applicable = 0.
  int percent_tenths = -1;
};

struct UnmetItem {
  int item = 0;         // index into Questionnaire::items
  int points_lost = 0;  // points x (1 - credit)
};

// An explicit non-yes answer to an item that the declared SECURITY ACTION answers yes.
struct AssessmentWarning {
  std::string_view code;  // "SECURITY_ACTION_INCONSISTENT" (static text)
  int item = 0;
  Answer answer = Answer::kUnanswered;
};

// The figures that pricing needs; computed by the lean path and by the full one alike.
struct ScoreSummary {
  int score = 0;  // 0-1000
  int earned = 0;
  int applicable = 0;
  int unknown_count = 0;  // answered unknown + unanswered without an auto-answer
};

struct Assessment {
  ScoreSummary summary;
  std::vector<DomainScore> domains;  // in questionnaire domain order
  std::vector<UnmetItem> unmet;      // by points lost desc, then domain, then item
  std::vector<int> unanswered;       // item indices, in item order
  std::vector<AssessmentWarning> warnings;
};

// Returns the effective answer after SECURITY ACTION auto-answers.
Answer effective_answer(const Item& item, SecurityAction declared, Answer given);

// Scores answers (size must equal the item count). Throws Error{kInput} naming the item for
// `na` where the item does not allow it, or when no item is applicable.
// Example:
//   Assessment a = assess(tables.questionnaire, SecurityAction::kOneStar, sheet);
//   int score = a.summary.score;
Assessment assess(const Questionnaire& q, SecurityAction declared, const AnswerSheet& sheet);

// The lean path: only the summary figures, no allocation. Same rules and errors, except that
// a sheet with no applicable item gives applicable = 0 (check it with require_applicable).
ScoreSummary score_summary(const Questionnaire& q, SecurityAction declared, const Answer* answers,
                           std::size_t count);

// Throws input.no_applicable_item when every item was answered na.
void require_applicable(const ScoreSummary& summary);

}  // namespace cybercover
