// Reads policy.json: the quote validity, the bind delay, the cancellation refund and the
// bordereau's roundings. Every value is bounded so that no date or product can overflow.

#include "store/load_policy_rules.hpp"

#include <string>

namespace cybercover::detail {

namespace {

constexpr std::int64_t kMaxDays = 3660;  // ten years: far above any real validity or delay
constexpr std::int64_t kMaxRetainedYen = 1'000'000'000'000'000;  // ¥10^15, as every table amount

Rounding rounding(const JsonCursor& c) {
  const auto r = parse_rounding(c.string_view());
  if (!r) c.fail_value(Rule::kUnknownValue, "must be one of floor, rhu, floor10, round10, ceil10");
  return *r;
}

}  // namespace

void load_policy_rules(const JsonCursor& root, PolicyRules& rules) {
  root.only_keys({"table", "edition", "effective_from", "effective_to", "quote_validity_days",
                  "bind", "cancellation", "bordereau"});
  rules.quote_validity_days =
      static_cast<std::int32_t>(root.at("quote_validity_days").integer(0, kMaxDays));

  const JsonCursor bind = root.at("bind");
  bind.only_keys({"max_start_delay_days"});
  rules.max_start_delay_days =
      static_cast<std::int32_t>(bind.at("max_start_delay_days").integer(0, kMaxDays));

  const JsonCursor cancellation = root.at("cancellation");
  cancellation.only_keys({"refund_rounding", "retained_minimum_yen"});
  rules.refund_rounding = rounding(cancellation.at("refund_rounding"));
  rules.retained_minimum_yen = cancellation.at("retained_minimum_yen").integer(0, kMaxRetainedYen);

  const JsonCursor bordereau = root.at("bordereau");
  bordereau.only_keys({"base_cover_rounding", "earned_rounding"});
  rules.base_cover_rounding = rounding(bordereau.at("base_cover_rounding"));
  rules.earned_rounding = rounding(bordereau.at("earned_rounding"));
}

}  // namespace cybercover::detail
