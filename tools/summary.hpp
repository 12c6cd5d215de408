#pragma once
// Human-readable summaries of results for the terminal, in Japanese or English.

#include <ostream>

#include "cybercover/quote/engine.hpp"

namespace cybercover::cli {

enum class Lang { kJa, kEn };

void print_assessment(std::ostream& out, const Assessment& a, const RatingTables& t, Lang lang,
                      int top_unmet);
void print_quote(std::ostream& out, const Quote& q, Lang lang);

}  // namespace cybercover::cli
