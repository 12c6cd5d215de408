#pragma once
// The policy rules of an edition (policy.json): how long an issued quote stays valid, how far
// ahead a policy may start, how a cancelled top-up is refunded and how the monthly bordereau
// prorates and earns premiums. Every rule is day-based and rounds exactly once, in integer
// yen (docs/store.md gives each formula with a worked example).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "cybercover/date.hpp"

namespace cybercover {

// The roundings of the rate manual (docs/rating_rules.md §0), plus `floor` to the yen.
enum class Rounding : std::uint8_t {
  kFloor,    // down to the yen: ⌊x⌋
  kRhu,      // half up to the yen: ⌊x + ½⌋
  kFloor10,  // down to a multiple of ¥10
  kRound10,  // half up to a multiple of ¥10
  kCeil10,   // up to a multiple of ¥10
};
// "floor", "rhu", "floor10", "round10", "ceil10".
std::string_view to_string(Rounding rounding);
std::optional<Rounding> parse_rounding(std::string_view text);

// Returns `rounding` applied to the exact fraction amount × numerator / denominator.
// Requires amount >= 0, numerator >= 0, denominator > 0 (the product is taken in 128 bits).
// Example: prorate(Rounding::kFloor10, 35'800, 300, 365) == 29'420 (29,424.6…).
std::int64_t prorate(Rounding rounding, std::int64_t amount, std::int64_t numerator,
                     std::int64_t denominator);

struct PolicyRules {
  // An issued quote can be bound until quote_date + this many days (inclusive).
  std::int32_t quote_validity_days = 30;
  // A policy starts between the day it is bound and this many days later.
  std::int32_t max_start_delay_days = 90;
  // A cancelled top-up refunds rounding(premium × unexpired days / days of the term), the
  // insurer keeping at least `retained_minimum_yen` (never more than the premium).
  Rounding refund_rounding = Rounding::kFloor10;
  std::int64_t retained_minimum_yen = 0;
  // A base cover in force part of a month owes rounding(monthly × days in force / days of
  // the month); a whole month owes the monthly premium.
  Rounding base_cover_rounding = Rounding::kRhu;
  // The top-up premium earned to date: rounding(premium × days in force / days of the term).
  Rounding earned_rounding = Rounding::kFloor;

  friend bool operator==(const PolicyRules& a, const PolicyRules& b) {
    return a.quote_validity_days == b.quote_validity_days &&
           a.max_start_delay_days == b.max_start_delay_days &&
           a.refund_rounding == b.refund_rounding &&
           a.retained_minimum_yen == b.retained_minimum_yen &&
           a.base_cover_rounding == b.base_cover_rounding && a.earned_rounding == b.earned_rounding;
  }
};

// Compact JSON of the rules, in policy.json's key layout without the edition keys; stored
// with every policy so that its terms never change with a later edition.
std::string policy_rules_json(const PolicyRules& rules);
// Reads policy_rules_json's output; throws Error{store.corrupt} if it is not.
PolicyRules parse_policy_rules_json(std::string_view text);

// ---- calendar arithmetic ----------------------------------------------------------------
// Returns the date `months` calendar months after `date`, the day clamped to the month's
// last day: add_months(2027-01-31, 1) == 2027-02-28.
Date add_months(Date date, int months);
// The last day of a one-year top-up term starting on `start`: add_months(start, 12) - 1 day
// (2027-01-15 → 2028-01-14; 2028-02-29 → 2029-02-27).
Date top_up_term_end(Date start);
// The first and last day of the month "YYYY-MM"; nullopt if the text is not one.
struct Month {
  Date first, last;
  int days() const { return last.days_since(first) + 1; }
};
std::optional<Month> parse_month(std::string_view text);

// ---- the rules' arithmetic (docs/store.md) ----------------------------------------------
// The refund of a top-up of `premium_yen` for the term [start, end] cancelled from
// `cancel_from` (the first day without cover). On or before the start: the whole premium
// (the policy is void). Otherwise min(prorate(refund_rounding, premium, unexpired days,
// term days), premium − min(retained_minimum_yen, premium)), unexpired days = end − cancel_from +
// 1; 0 from the day after the end.
std::int64_t top_up_refund(const PolicyRules& rules, std::int64_t premium_yen, Date start, Date end,
                           Date cancel_from);

// The premium earned through the end of `day`: 0 before the start (and always, for a void
// policy); premium − refund from the first day without cover (the cancellation date or the
// day after the end); in between min(prorate(earned_rounding, premium, days in force through
// `day`, term days), premium − refund).
std::int64_t top_up_earned_through(const PolicyRules& rules, std::int64_t premium_yen, Date start,
                                   Date end, std::optional<Date> cancel_from,
                                   std::int64_t refund_yen, Date day);

// The base-cover premium owed for `days_in_force` days of a month of `days_in_month` days.
std::int64_t base_cover_owed(const PolicyRules& rules, std::int64_t monthly_premium_yen,
                             int days_in_force, int days_in_month);

}  // namespace cybercover
