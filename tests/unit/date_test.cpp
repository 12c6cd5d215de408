#include <gtest/gtest.h>

#include "cybercover/date.hpp"

namespace cybercover {
namespace {

TEST(Date, CountsCalendarDays) {
  EXPECT_EQ(Date::parse("2026-12-15")->days_since(*Date::parse("2026-11-10")), 35);
  EXPECT_EQ(Date::parse("2024-03-01")->days_since(*Date::parse("2024-02-28")), 2);  // leap year
  EXPECT_EQ(Date::parse("2027-01-01")->days_since(*Date::parse("2026-12-31")), 1);
}

TEST(Date, RejectsAnythingButStrictIsoDates) {
  for (const char* bad : {"2026-02-29", "2026-13-01", "2026-1-01", "26-01-01", "2026/01/01",
                          "2026-01-01T00:00", "", "2026-04-31", "abcd-ef-gh"})
    EXPECT_FALSE(Date::parse(bad)) << bad;
  EXPECT_TRUE(Date::parse("2028-02-29"));
}

TEST(Date, RoundTripsText) {
  EXPECT_EQ(Date::parse("2026-12-01")->to_string(), "2026-12-01");
  EXPECT_EQ(Date::from_ymd(2027, 3, 31).to_string(), "2027-03-31");
}

TEST(DateRange, InclusiveAndOpenEnded) {
  const DateRange r{*Date::parse("2026-04-01"), Date::parse("2027-03-31")};
  EXPECT_TRUE(r.contains(*Date::parse("2026-04-01")));
  EXPECT_TRUE(r.contains(*Date::parse("2027-03-31")));
  EXPECT_FALSE(r.contains(*Date::parse("2027-04-01")));
  const DateRange open{*Date::parse("2026-12-01"), std::nullopt};
  EXPECT_TRUE(open.contains(*Date::parse("2099-01-01")));
  EXPECT_TRUE(open.overlaps(r));
  EXPECT_FALSE(DateRange({*Date::parse("2027-04-01"), std::nullopt}).overlaps(r));
}

}  // namespace
}  // namespace cybercover
