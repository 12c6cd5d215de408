#pragma once
// Exact amounts for rating: yen as 64-bit integers and table factors as decimals with 4 places
// held as integers scaled by 10^4. Doubles never touch money; the exact products and roundings
// the engine forms from them are internal (lib/src/detail/exact_arith.hpp).

#include <cstdint>
#include <string>


namespace cybercover {

using Yen = std::int64_t;

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

}  // namespace cybercover
