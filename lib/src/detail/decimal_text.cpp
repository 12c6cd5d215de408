#include "detail/decimal_text.hpp"

#include <charconv>
#include <cmath>

namespace cybercover::detail {

std::optional<Rational> parse_decimal_text(std::string_view t) {
  std::size_t i = 0;
  bool negative = false;
  if (i < t.size() && (t[i] == '-' || t[i] == '+')) negative = t[i++] == '-';
  Int128 mantissa = 0;
  int digits = 0, fraction_digits = 0;
  bool seen_point = false;
  for (; i < t.size(); ++i) {
    const char c = t[i];
    if (c >= '0' && c <= '9') {
      if (++digits > 30) return std::nullopt;
      mantissa = mantissa * 10 + (c - '0');
      if (seen_point) ++fraction_digits;
    } else if (c == '.' && !seen_point) {
      seen_point = true;
    } else {
      break;
    }
  }
  if (digits == 0) return std::nullopt;
  int exponent = 0;
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    bool exp_negative = false;
    if (i < t.size() && (t[i] == '-' || t[i] == '+')) exp_negative = t[i++] == '-';
    if (i == t.size()) return std::nullopt;
    for (; i < t.size(); ++i) {
      if (t[i] < '0' || t[i] > '9' || exponent > 100) return std::nullopt;
      exponent = exponent * 10 + (t[i] - '0');
    }
    if (exp_negative) exponent = -exponent;
  }
  if (i != t.size()) return std::nullopt;
  const int scale = fraction_digits - exponent;  // value = mantissa / 10^scale
  if (scale > 36 || scale < -36 || digits - scale > 36) return std::nullopt;
  Int128 pow10 = 1;
  for (int k = 0; k < (scale < 0 ? -scale : scale); ++k) pow10 *= 10;
  Rational r = scale >= 0 ? Rational{mantissa, pow10} : Rational{mantissa * pow10, 1};
  if (negative) r.num = -r.num;
  return r;
}

std::optional<Rational> exact_decimal(double value) {
  if (!std::isfinite(value)) return std::nullopt;
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof buf, value);
  if (res.ec != std::errc()) return std::nullopt;
  return parse_decimal_text(std::string_view(buf, static_cast<std::size_t>(res.ptr - buf)));
}

std::string float_text(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "Infinity" : "-Infinity";
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof buf, value);
  std::string text(buf, res.ptr);
  if (text.find_first_of(".e") == std::string::npos) text += ".0";
  return text;
}

std::optional<Decimal4> to_decimal4(const Rational& value) {
  Int128 scaled_num;
  if (__builtin_mul_overflow(value.num, static_cast<Int128>(Decimal4::kScale), &scaled_num)) return std::nullopt;
  if (scaled_num % value.den != 0) return std::nullopt;
  const Int128 scaled = scaled_num / value.den;
  if (scaled > INT64_MAX / 4 || scaled < -(INT64_MAX / 4)) return std::nullopt;
  return Decimal4::from_scaled(static_cast<std::int64_t>(scaled));
}

}  // namespace cybercover::detail
