// Exact arithmetic: the rounding rules of docs/rating_rules.md §0 on the cases that doubles get
// wrong.

#include <gtest/gtest.h>

#include <optional>
#include <random>

#include "cybercover/exact.hpp"
#include "detail/exact_arith.hpp"
#include "detail/decimal_text.hpp"

namespace cybercover {
namespace {

Decimal4 d4(const char* text) { return *detail::to_decimal4(*detail::parse_decimal_text(text)); }

TEST(Exact, MultipliesFactorsWithoutTheDoubleError) {
  // 76,000 x 1.39 x 0.75 x 0.50 is exactly 39,615; in double it is 39,614.99999...
  const Rational r = rational(76000).times(d4("1.39")).times(d4("0.75")).times(d4("0.5"));
  EXPECT_EQ(round_half_up(r), 39615);
  EXPECT_EQ(round10(r), 39620);
  EXPECT_LT(76000 * 1.39 * 0.75 * 0.50, 39615.0);  // why doubles are not used
}

TEST(Exact, RoundsHalfUpExactlyAtTheHalf) {
  EXPECT_EQ(round_half_up(Rational{225, 2}), 113);  // 112.5 -> 113 (EDR 120 x 45/48)
  EXPECT_EQ(round_half_up(Rational{2249999, 20000}), 112);
  EXPECT_EQ(round_half_up(Rational{-5, 2}), -2);  // half up, not away from zero
  EXPECT_EQ(round10(Rational{30128, 1}), 30130);
  EXPECT_EQ(round10(Rational{41075, 1}), 41080);  // exactly half of ten rounds up
  EXPECT_EQ(round10(Rational{41074, 1}), 41070);
}

TEST(Exact, Ceil10AndFloor10) {
  EXPECT_EQ(ceil10(Rational{2088625, 1000}), 2090);
  EXPECT_EQ(ceil10(Rational{2080, 1}), 2080);  // already a multiple stays
  EXPECT_EQ(ceil10(Rational{20801, 10}), 2090);
  EXPECT_EQ(floor10(Rational{35800, 3}), 11930);  // 11,933.3
  EXPECT_EQ(floor10(Rational{30000, 1}), 30000);
  EXPECT_EQ(ceil10(Rational{0, 1}), 0);
}

TEST(Exact, ReadsDecimalsAsWritten) {
  EXPECT_EQ(d4("1.39").scaled(), 13900);
  EXPECT_EQ(d4("0.0001").scaled(), 1);
  EXPECT_FALSE(detail::to_decimal4(*detail::parse_decimal_text("0.00001")));
  const auto five_hundredths = detail::exact_decimal(0.05);
  ASSERT_TRUE(five_hundredths);
  EXPECT_EQ(compare(*five_hundredths, Rational{500, 10000}), 0);  // 0.05 <= 0.05 holds
  EXPECT_TRUE(detail::parse_decimal_text("1e-05"));
  EXPECT_EQ(compare(*detail::parse_decimal_text("1e-05"), Rational{1, 100000}), 0);
  EXPECT_FALSE(detail::parse_decimal_text("1.2.3"));
  EXPECT_FALSE(detail::parse_decimal_text(""));
  EXPECT_FALSE(detail::exact_decimal(std::numeric_limits<double>::quiet_NaN()));
}

TEST(Exact, Round10ProductEqualsTheRationalPathIncludingOverflow) {
  std::mt19937_64 rng(8);
  for (int n = 0; n < 200000; ++n) {
    const int count = 1 + static_cast<int>(rng() % 6);
    std::vector<Decimal4> factors;
    const bool huge = n % 10 == 0;  // force the 128-bit fallback now and then
    for (int k = 0; k < count; ++k)
      factors.push_back(Decimal4::from_scaled(1 + static_cast<std::int64_t>(rng() % (huge ? 900000000 : 40000))));
    const std::int64_t amount = static_cast<std::int64_t>(rng() % (huge ? 10000000000ULL : 2000000ULL));
    std::optional<std::int64_t> expected;
    try {
      Rational r = rational(amount);
      for (Decimal4 f : factors) r = r.times(f);
      expected = round10(r);
    } catch (const Error&) {
      // beyond 128 bits: the fast path must refuse too, never return a wrapped figure
    }
    if (expected) {
      ASSERT_EQ(round10_product(amount, factors.data(), count), *expected) << amount << " x " << count << " factors";
    } else {
      EXPECT_THROW(round10_product(amount, factors.data(), count), Error);
    }
  }
  const Decimal4 f[] = {d4("1.39"), d4("0.75"), d4("0.5")};
  EXPECT_EQ(round10_product(76000, f, 3), 39620);  // 39,615 exactly, then round10
}

TEST(Exact, PrintsDecimalsShortest) {
  EXPECT_EQ(d4("1.39").to_string(), "1.39");
  EXPECT_EQ(d4("1.00").to_string(), "1");
  EXPECT_EQ(d4("0.05").to_string(), "0.05");
  EXPECT_EQ(Decimal4::from_scaled(-12345).to_string(), "-1.2345");
}

}  // namespace
}  // namespace cybercover
