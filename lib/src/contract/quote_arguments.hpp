#pragma once
// The checked arguments of one quote (QuantLib's `arguments` + `validate()`): every door fills
// a QuoteArguments with typed values — the C++ QuoteRequest, a JSON request, a row of portfolio
// columns (CSV and pandas/numpy end there too) — and the same checks run on it, in contract
// order (below).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "cybercover/date.hpp"
#include "cybercover/fixed_list.hpp"
#include "cybercover/posture/posture.hpp"
#include "cybercover/pricing/top_up.hpp"
#include "cybercover/tables/rating_tables.hpp"
#include "cybercover/types.hpp"

namespace cybercover::detail {

struct QuoteArguments {
  Date quote_date;
  // The industry's index in the edition; -1: look `industry_key` up (and fail if unknown).
  int industry = -1;
  std::string_view industry_key;
  std::int64_t employees = 0;
  Yen capital_yen = 0;
  Yen revenue_yen = 0;
  std::int64_t endpoints = 0;
  bool rubber_products = false;
  SecurityAction security_action = SecurityAction::kNone;
  Controls controls;
  BundlePlan bundle_plan = BundlePlan::kNone;
  // A selected top-up section: its index (-1: look `key` up), limit and deductible.
  struct Cover {
    int section = -1;
    std::string_view key;
    Yen limit_yen = 0;
    std::optional<Yen> deductible_yen;
  };
  FixedList<Cover, kMaxSections> covers;
  std::optional<std::string_view> subsidy_program_id;
  std::optional<Yen> service_monthly_price_yen;
  std::optional<Yen> prior_annual_premium_yen;

  // The programme of subsidy_program_id, when the door already looked it up in this edition
  // (else the checks do, and name an unknown one).
  const SubsidyProgram* subsidy_program = nullptr;
  // Filled in by the checks.
  ResolvedSelections selections;
};

// The checks, in the order every door runs them, so that a request with several faults gets
// the same (first) error whatever door it came through:
//   1. check_values: each value on its own (integers within bounds, dates within range), in
//      contract order; no table is needed (the readers of the JSON and columnar doors check
//      types and spellings at the same stage);
//   2. against the edition: check_industry, then the answers (scoring names the first item
//      with an answer it does not allow), then check_cover (plan, sections, limits,
//      deductibles, subsidy programme);
//   3. check_rules: the rules that relate fields.
void check_values(const QuoteArguments& a);
void check_industry(const RatingTables& t, QuoteArguments& a);
void check_cover(const RatingTables& t, QuoteArguments& a);
// `applicable_points` is the assessment's applicable total (0: every item was answered na).
void check_rules(const RatingTables& t, const QuoteArguments& a, int applicable_points);

// Resolves an industry key; throws input.unknown_industry listing the edition's industries.
int resolve_industry(const UnderwritingTable& table, std::string_view key);

}  // namespace cybercover::detail
