#include "cybercover/store/policy_rules.hpp"

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "cybercover/error.hpp"
#include "detail/exact_arith.hpp"

namespace cybercover {

namespace {

constexpr std::array<std::pair<Rounding, std::string_view>, 5> kRoundings = {{
    {Rounding::kFloor, "floor"},
    {Rounding::kRhu, "rhu"},
    {Rounding::kFloor10, "floor10"},
    {Rounding::kRound10, "round10"},
    {Rounding::kCeil10, "ceil10"},
}};

struct Ymd {
  int year;
  unsigned month, day;
};

Ymd ymd_of(Date d) {
  const std::string s = d.to_string();  // "YYYY-MM-DD" (years 1..9999 in this library)
  return {std::stoi(s.substr(0, 4)), static_cast<unsigned>(std::stoi(s.substr(5, 2))),
          static_cast<unsigned>(std::stoi(s.substr(8, 2)))};
}

bool is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned days_in_month(int y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

}  // namespace

std::string_view to_string(Rounding rounding) {
  for (const auto& [r, name] : kRoundings)
    if (r == rounding) return name;
  return "unknown";
}

std::optional<Rounding> parse_rounding(std::string_view text) {
  for (const auto& [r, name] : kRoundings)
    if (name == text) return r;
  return std::nullopt;
}

std::int64_t prorate(Rounding rounding, std::int64_t amount, std::int64_t numerator,
                     std::int64_t denominator) {
  if (amount < 0 || numerator < 0 || denominator <= 0)
    throw std::invalid_argument("prorate: negative amount or days");
  const Int128 x = static_cast<Int128>(amount) * numerator;  // the exact value is x / d
  const Int128 d = denominator;
  Int128 r = 0;
  switch (rounding) {
    case Rounding::kFloor:
      r = x / d;
      break;
    case Rounding::kRhu:
      r = (2 * x + d) / (2 * d);
      break;
    case Rounding::kFloor10:
      r = 10 * (x / (10 * d));
      break;
    case Rounding::kRound10:
      r = 10 * ((2 * x + 10 * d) / (20 * d));
      break;
    case Rounding::kCeil10:
      r = 10 * ((x + 10 * d - 1) / (10 * d));
      break;
  }
  return static_cast<std::int64_t>(r);
}

std::string policy_rules_json(const PolicyRules& r) {
  nlohmann::json j = {
      {"quote_validity_days", r.quote_validity_days},
      {"bind", {{"max_start_delay_days", r.max_start_delay_days}}},
      {"cancellation",
       {{"refund_rounding", std::string(to_string(r.refund_rounding))},
        {"retained_minimum_yen", r.retained_minimum_yen}}},
      {"bordereau",
       {{"base_cover_rounding", std::string(to_string(r.base_cover_rounding))},
        {"earned_rounding", std::string(to_string(r.earned_rounding))}}},
  };
  return j.dump();
}

PolicyRules parse_policy_rules_json(std::string_view text) {
  try {
    const nlohmann::json j = nlohmann::json::parse(text);
    PolicyRules r;
    r.quote_validity_days = j.at("quote_validity_days").get<std::int32_t>();
    r.max_start_delay_days = j.at("bind").at("max_start_delay_days").get<std::int32_t>();
    const auto rounding = [](const nlohmann::json& v) {
      const auto parsed = parse_rounding(v.get<std::string>());
      if (!parsed) throw std::invalid_argument("unknown rounding");
      return *parsed;
    };
    r.refund_rounding = rounding(j.at("cancellation").at("refund_rounding"));
    r.retained_minimum_yen = j.at("cancellation").at("retained_minimum_yen").get<std::int64_t>();
    r.base_cover_rounding = rounding(j.at("bordereau").at("base_cover_rounding"));
    r.earned_rounding = rounding(j.at("bordereau").at("earned_rounding"));
    return r;
  } catch (const std::exception& e) {
    throw Error(ErrorCode::kStoreCorrupt, "policies.rules",
                std::string("stored policy rules cannot be read: ") + e.what(),
                quote_for_message(text));
  }
}

Date add_months(Date date, int months) {
  const Ymd d = ymd_of(date);
  const int index = d.year * 12 + static_cast<int>(d.month) - 1 + months;
  const int year = index / 12;
  const unsigned month = static_cast<unsigned>(index % 12) + 1;
  return Date::from_ymd(year, month, std::min(d.day, days_in_month(year, month)));
}

Date top_up_term_end(Date start) {
  return Date::from_day_number(add_months(start, 12).day_number() - 1);
}

std::optional<Month> parse_month(std::string_view text) {
  if (text.size() != 7 || text[4] != '-') return std::nullopt;
  const auto first = Date::parse(std::string(text) + "-01");
  if (!first) return std::nullopt;
  const Ymd d = ymd_of(*first);
  return Month{*first, Date::from_ymd(d.year, d.month, days_in_month(d.year, d.month))};
}

std::int64_t top_up_refund(const PolicyRules& rules, std::int64_t premium, Date start, Date end,
                           Date cancel_from) {
  if (cancel_from <= start) return premium;  // void: never in force
  if (cancel_from > end) return 0;
  const std::int64_t term_days = end.days_since(start) + 1;
  const std::int64_t unexpired = end.days_since(cancel_from) + 1;
  const std::int64_t pro_rata = prorate(rules.refund_rounding, premium, unexpired, term_days);
  return std::min(pro_rata, premium - std::min(rules.retained_minimum_yen, premium));
}

std::int64_t top_up_earned_through(const PolicyRules& rules, std::int64_t premium, Date start,
                                   Date end, std::optional<Date> cancel_from, std::int64_t refund,
                                   Date day) {
  if (cancel_from && *cancel_from <= start) return 0;  // void: never in force
  if (day < start) return 0;
  // What the insurer keeps is earned in full from the first day without cover (never earlier:
  // a cancellation recorded today changes no month already reported).
  if ((cancel_from && day >= *cancel_from) || day >= end) return premium - refund;
  const std::int64_t term_days = end.days_since(start) + 1;
  return std::min(prorate(rules.earned_rounding, premium, day.days_since(start) + 1, term_days),
                  premium - refund);
}

std::int64_t base_cover_owed(const PolicyRules& rules, std::int64_t monthly, int days_in_force,
                             int days_in_month) {
  if (days_in_force <= 0) return 0;
  if (days_in_force >= days_in_month) return monthly;
  return prorate(rules.base_cover_rounding, monthly, days_in_force, days_in_month);
}

}  // namespace cybercover
