#pragma once
// Scoring entry points for the engine's own steps: the same rules as assess() and
// score_summary(), with the compiled questionnaire passed in (the batch fetches it once per
// edition) and no "no applicable item" error (the quote reports it among its checks).

#include "cybercover/assessment/assessment.hpp"
#include "tables/compiled_questionnaire.hpp"

namespace cybercover::detail {

ScoreSummary score_summary(const Questionnaire& q, const CompiledQuestionnaire& compiled, SecurityAction declared,
                           const Answer* answers, std::size_t count);
Assessment assess_unchecked(const Questionnaire& q, SecurityAction declared, const AnswerSheet& sheet);

}  // namespace cybercover::detail
