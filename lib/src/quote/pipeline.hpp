#pragma once
// The steps of a quote after its arguments are checked and its answers scored, shared by the
// single quote (which also builds the assessment's detail) and the portfolio batch (which
// keeps only the summary), so both give the same yen by construction.

#include <optional>

#include "contract/quote_arguments.hpp"
#include "cybercover/quote/engine.hpp"

namespace cybercover::detail {

// Posture, tier, decision, base cover and top-up, written in place.
void price_checked(const RatingTables& t, const QuoteArguments& a, const ScoreSummary& score, Posture& posture,
                   Decision& decision, std::optional<BaseCoverQuote>& base_cover, std::optional<TopUpQuote>& top_up);

}  // namespace cybercover::detail
