#pragma once
// The load-time proof that no request within the contract's bounds can overflow a premium:
// for every plan and section, the largest rate, factor and amount of the tables, with the
// largest counts a request may hold, still price within kMaxPremiumYen, and every exact
// intermediate product fits the 128-bit arithmetic. A table that fails the proof is refused
// (table.overflow) naming the file and the row, so quoting never meets an overflow.

#include <string>

#include "cybercover/contract/request_contract.hpp"
#include "cybercover/tables/rating_tables.hpp"

namespace cybercover::detail {

// No premium, rate or instalment of a quote exceeds this (¥10^15, as any yen of a request).
inline constexpr std::int64_t kMaxPremiumYen = bounds::kMaxYen;

struct TableFilePaths {
  std::string base_cover, top_up;  // as errors name them
};

// Throws Error{table.overflow} naming the row that breaks the bound.
void prove_premiums_fit(const RatingTables& tables, const TableFilePaths& paths);

}  // namespace cybercover::detail
