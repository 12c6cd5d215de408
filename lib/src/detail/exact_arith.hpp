#pragma once
// Exact rational arithmetic on yen and 4-place factors: products in 64-bit integers when they
// fit, 128-bit otherwise, rounded only where the rating rules say (rhu, round10, ceil10,
// floor10). Overflow throws a table error rather than wrap.

#include <cstdint>

#include "cybercover/error.hpp"
#include "cybercover/exact.hpp"

namespace cybercover {

__extension__ typedef __int128 Int128;  // __extension__: GNU type, keeps -Wpedantic quiet

// An exact rational num/den with den > 0, in 128-bit integers.
struct Rational {
  Int128 num = 0;
  Int128 den = 1;

  // Multiplies by a 4-place decimal, exactly. The factor's trailing zeros are already
  // cancelled (0.55 = 55/100, not 5500/10000), so typical products stay within 64 bits,
  // where floor_div is fast.
  // Throws Error{kTable} beyond 128 bits (tables with absurd factors) rather than wrap.
  Rational times(Decimal4 factor) const {
    Rational out;
    if (__builtin_mul_overflow(num, static_cast<Int128>(factor.mantissa()), &out.num) ||
        __builtin_mul_overflow(den, static_cast<Int128>(factor.denominator()), &out.den))
      throw Error(ErrorCode::kTableOverflow, "", "exact premium arithmetic overflows: a table factor or amount is out of range");
    return out;
  }
  Rational divided_by(std::int64_t k) const {
    Rational out{num, 0};
    if (__builtin_mul_overflow(den, static_cast<Int128>(k), &out.den))
      throw Error(ErrorCode::kTableOverflow, "", "exact premium arithmetic overflows: a table factor or amount is out of range");
    return out;
  }
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

namespace detail {
[[noreturn]] inline void throw_overflow() {
  throw Error(ErrorCode::kTableOverflow, "", "exact premium arithmetic overflows: a table factor or amount is out of range");
}
inline Int128 checked_mul(Int128 a, Int128 b) {
  Int128 r;
  if (__builtin_mul_overflow(a, b, &r)) throw_overflow();
  return r;
}
inline Int128 checked_add(Int128 a, Int128 b) {
  Int128 r;
  if (__builtin_add_overflow(a, b, &r)) throw_overflow();
  return r;
}
// Returns v x 10 as yen: throws rather than wrap or truncate.
inline std::int64_t times10_yen(Int128 v) {
  if (v > INT64_MAX / 10 || v < INT64_MIN / 10) throw_overflow();
  return static_cast<std::int64_t>(v) * 10;
}
}  // namespace detail

// Rounding rules of the rate manual (§0), each exact; they throw Error{kTable} rather than
// overflow (only absurd tables get there).
// rhu: round half up to an integer.
inline std::int64_t round_half_up(const Rational& r) {
  const Int128 q = floor_div(detail::checked_add(detail::checked_mul(2, r.num), r.den), detail::checked_mul(2, r.den));
  if (q > INT64_MAX || q < INT64_MIN) detail::throw_overflow();
  return static_cast<std::int64_t>(q);
}
// round10: half up to a multiple of 10.
inline std::int64_t round10(const Rational& r) {
  return detail::times10_yen(round_half_up(Rational{r.num, detail::checked_mul(r.den, 10)}));
}
// ceil10: up to a multiple of 10.
inline std::int64_t ceil10(const Rational& r) {
  return detail::times10_yen(-floor_div(-r.num, detail::checked_mul(r.den, 10)));
}
// floor10: down to a multiple of 10.
inline std::int64_t floor10(const Rational& r) {
  return detail::times10_yen(floor_div(r.num, detail::checked_mul(r.den, 10)));
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
