#pragma once
// Exact arithmetic for rating: decimals with 4 places held as integers scaled by 10^4, and
// rational values rounded only where the rate manual says. Doubles never touch money.

#include <cstdint>
#include <string>

namespace cybercover {

using Yen = std::int64_t;
__extension__ typedef __int128 Int128;  // __extension__: GNU type, keeps -Wpedantic quiet

// A table factor with at most 4 decimal places, stored as value x 10^4 (1.39 -> 13900).
class Decimal4 {
 public:
  static constexpr std::int64_t kScale = 10000;

  constexpr Decimal4() = default;
  static constexpr Decimal4 from_scaled(std::int64_t scaled) { return Decimal4(scaled); }
  static constexpr Decimal4 from_integer(std::int64_t value) { return Decimal4(value * kScale); }

  constexpr std::int64_t scaled() const { return scaled_; }
  // The same value as mantissa / denominator with trailing zeros cancelled (0.55 = 55/100),
  // computed once here so that exact products stay small and cheap.
  constexpr std::int64_t mantissa() const { return mantissa_; }
  constexpr std::int64_t denominator() const { return denominator_; }
  // Returns the value for display only (e.g. JSON output); never use it for arithmetic.
  double to_double() const { return static_cast<double>(scaled_) / kScale; }
  // Returns the shortest decimal text, e.g. "1.39", "0.5", "2".
  std::string to_string() const;

  friend constexpr bool operator==(Decimal4 a, Decimal4 b) { return a.scaled_ == b.scaled_; }
  friend constexpr bool operator!=(Decimal4 a, Decimal4 b) { return a.scaled_ != b.scaled_; }
  friend constexpr bool operator<(Decimal4 a, Decimal4 b) { return a.scaled_ < b.scaled_; }
  friend constexpr bool operator<=(Decimal4 a, Decimal4 b) { return a.scaled_ <= b.scaled_; }
  friend constexpr bool operator>(Decimal4 a, Decimal4 b) { return a.scaled_ > b.scaled_; }

 private:
  explicit constexpr Decimal4(std::int64_t scaled) : scaled_(scaled), mantissa_(scaled), denominator_(kScale) {
    while (denominator_ > 1 && mantissa_ % 10 == 0) {
      mantissa_ /= 10;
      denominator_ /= 10;
    }
  }
  std::int64_t scaled_ = 0;
  std::int64_t mantissa_ = 0;
  std::int64_t denominator_ = 1;
};

// An exact rational num/den with den > 0, in 128-bit integers.
struct Rational {
  Int128 num = 0;
  Int128 den = 1;

  // Multiplies by a 4-place decimal, exactly. The factor's trailing zeros are already
  // cancelled (0.55 = 55/100, not 5500/10000), so typical products stay within 64 bits,
  // where floor_div is fast.
  Rational times(Decimal4 factor) const {
    return Rational{num * factor.mantissa(), den * factor.denominator()};
  }
  Rational divided_by(std::int64_t k) const { return Rational{num, den * k}; }
};

inline Rational rational(std::int64_t value) { return Rational{value, 1}; }

// Returns floor(num/den) for den > 0, correct for negative num. Uses 64-bit division when
// both fit (most calls), which is several times faster than 128-bit division.
inline Int128 floor_div(Int128 num, Int128 den) {
  constexpr Int128 kMax = INT64_MAX;
  if (num <= kMax && num >= -kMax && den <= kMax) {
    const auto n = static_cast<std::int64_t>(num), d = static_cast<std::int64_t>(den);
    std::int64_t q = n / d;
    if ((n % d != 0) && (n < 0)) --q;
    return q;
  }
  Int128 q = num / den;
  if ((num % den != 0) && (num < 0)) --q;
  return q;
}

// Rounding rules of the rate manual (§0), each exact.
// rhu: round half up to an integer.
inline std::int64_t round_half_up(const Rational& r) {
  return static_cast<std::int64_t>(floor_div(2 * r.num + r.den, 2 * r.den));
}
// round10: half up to a multiple of 10.
inline std::int64_t round10(const Rational& r) {
  return 10 * round_half_up(Rational{r.num, r.den * 10});
}
// ceil10: up to a multiple of 10.
inline std::int64_t ceil10(const Rational& r) {
  return 10 * static_cast<std::int64_t>(-floor_div(-r.num, r.den * 10));
}
// floor10: down to a multiple of 10.
inline std::int64_t floor10(const Rational& r) {
  return 10 * static_cast<std::int64_t>(floor_div(r.num, r.den * 10));
}

// Returns round10(amount x f1 x ... x fn), exactly. The common case runs in 64-bit integers;
// if any product would overflow it redoes the sum in 128 bits, so the result never changes.
inline std::int64_t round10_product(std::int64_t amount, const Decimal4* factors, int count) {
  std::int64_t num = amount, den = 1;
  bool fits = true;
  for (int i = 0; i < count; ++i) {
    fits &= !__builtin_mul_overflow(num, factors[i].mantissa(), &num);
    fits &= !__builtin_mul_overflow(den, factors[i].denominator(), &den);
  }
  constexpr std::int64_t kSafe = INT64_MAX / 32;  // room for 2 x num + 10 x den and 20 x den
  if (fits && num >= 0 && num <= kSafe && den <= kSafe) {
    // round half up of num / (10 den), times 10
    return 10 * ((2 * num + 10 * den) / (20 * den));
  }
  Rational r = rational(amount);
  for (int i = 0; i < count; ++i) r = r.times(factors[i]);
  return round10(r);
}

// Compares a/b with c/d exactly (b, d > 0): negative, zero or positive.
inline int compare(const Rational& a, const Rational& b) {
  const Int128 l = a.num * b.den;
  const Int128 r = b.num * a.den;
  return (l > r) - (l < r);
}

}  // namespace cybercover
