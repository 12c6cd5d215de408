#pragma once
// Human-readable summaries of results for the terminal, in Japanese or English.

#include <ostream>

#include "cybercover/loss/loss_model.hpp"
#include "cybercover/quote/engine.hpp"

namespace cybercover::cli {

enum class Lang { kJa, kEn };

void print_assessment(std::ostream& out, const Assessment& a, const RatingTables& t, Lang lang,
                      int top_unmet);
void print_quote(std::ostream& out, const Quote& q, Lang lang);
// Expected losses per layer beside the premiums the quote charges (text or JSON).
void print_losses(std::ostream& out, const ExpectedLosses& losses, const Quote& q, bool json);

}  // namespace cybercover::cli
