#pragma once
// Calendar dates as day numbers, so that "d = quote date - installed_on" is a subtraction.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cybercover {

// A proleptic Gregorian date. Example: Date::parse("2026-12-15").days_since(Date::parse("2026-11-10")) == 35
class Date {
 public:
  constexpr Date() = default;
  // Parses strict ISO "YYYY-MM-DD"; returns nullopt for anything else (including 2026-02-30).
  static std::optional<Date> parse(std::string_view text);
  static Date from_ymd(int year, unsigned month, unsigned day);
  // The date `days` after 1970-01-01 (numpy datetime64[D] counts the same way).
  static constexpr Date from_day_number(std::int32_t days) { return Date(days); }

  std::int32_t day_number() const { return days_; }
  std::int32_t days_since(Date earlier) const { return days_ - earlier.days_; }
  std::string to_string() const;

  friend bool operator==(Date a, Date b) { return a.days_ == b.days_; }
  friend bool operator!=(Date a, Date b) { return a.days_ != b.days_; }
  friend bool operator<(Date a, Date b) { return a.days_ < b.days_; }
  friend bool operator<=(Date a, Date b) { return a.days_ <= b.days_; }
  friend bool operator>(Date a, Date b) { return a.days_ > b.days_; }
  friend bool operator>=(Date a, Date b) { return a.days_ >= b.days_; }

 private:
  explicit constexpr Date(std::int32_t days) : days_(days) {}
  std::int32_t days_ = 0;  // days since 1970-01-01
};

// An inclusive date range; an open end is nullopt.
struct DateRange {
  Date from;
  std::optional<Date> to;

  bool contains(Date d) const { return from <= d && (!to || d <= *to); }
  bool overlaps(const DateRange& other) const {
    return (!to || other.from <= *to) && (!other.to || from <= *other.to);
  }
};

}  // namespace cybercover
