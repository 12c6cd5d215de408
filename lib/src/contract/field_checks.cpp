#include "contract/field_checks.hpp"

#include <cmath>

#include "detail/decimal_text.hpp"

namespace cybercover::detail {

namespace {

using Kind = RawValue::Kind;
__extension__ typedef unsigned __int128 U128;  // GNU type: an exact 20-digit integer

// What a number's text says about it as an integer, exactly (no double rounding): "80.0" and
// "8e1" are the integer 80, "1e-400" is not an integer, "1e400" is too large for any bound.
struct IntegerReading {
  bool integral = false;
  bool fits = false;  // |value| < 2^63
  std::int64_t value = 0;
};

std::optional<IntegerReading> integer_from_text(std::string_view t) {
  std::size_t i = 0;
  const bool negative = i < t.size() && t[i] == '-';
  if (negative || (i < t.size() && t[i] == '+')) ++i;
  std::string digits;  // all mantissa digits, without the point
  long long exponent = 0;  // value = digits x 10^exponent
  bool any = false, point = false;
  for (; i < t.size(); ++i) {
    const char c = t[i];
    if (c >= '0' && c <= '9') {
      any = true;
      if (!(digits.empty() && c == '0')) digits += c;  // leading zeros carry no value
      if (point) --exponent;
      if (digits.size() > 4096) return std::nullopt;  // not a number a request can hold
    } else if (c == '.' && !point) {
      point = true;
    } else {
      break;
    }
  }
  if (!any) return std::nullopt;
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    bool exp_negative = false;
    if (i < t.size() && (t[i] == '-' || t[i] == '+')) exp_negative = t[i++] == '-';
    if (i == t.size()) return std::nullopt;
    long long e = 0;
    for (; i < t.size(); ++i) {
      if (t[i] < '0' || t[i] > '9') return std::nullopt;
      if (e < 1000000000) e = e * 10 + (t[i] - '0');
    }
    exponent += exp_negative ? -e : e;
  }
  if (i != t.size()) return std::nullopt;
  IntegerReading r;
  if (digits.empty()) {  // zero, however written
    r.integral = r.fits = true;
    return r;
  }
  while (exponent < 0 && !digits.empty() && digits.back() == '0') {
    digits.pop_back();
    ++exponent;
  }
  if (exponent < 0) return r;  // a fraction remains
  r.integral = true;
  if (static_cast<long long>(digits.size()) + exponent > 19) return r;  // >= 10^19 > 2^63
  U128 v = 0;
  for (char c : digits) v = v * 10 + static_cast<unsigned>(c - '0');
  for (long long k = 0; k < exponent; ++k) v *= 10;
  const U128 limit = static_cast<U128>(INT64_MAX) + (negative ? 1 : 0);
  if (v > limit) return r;
  r.fits = true;
  // -2^63 needs care: negate in unsigned arithmetic, then convert (two's complement).
  r.value = negative ? static_cast<std::int64_t>(~static_cast<std::uint64_t>(v) + 1) : static_cast<std::int64_t>(v);
  return r;
}

std::string integer_rule(const FieldSpec& spec) {
  return "must be an integer between " + std::to_string(spec.min) + " and " + std::to_string(spec.max);
}
std::string number_rule(const FieldSpec& spec) {
  return "must be a number between " + std::string(spec.min_text) + " and " + std::string(spec.max_text);
}
std::string date_rule(const FieldSpec& spec) {
  return "must be a date \"YYYY-MM-DD\" between " + std::string(spec.min_text) + " and " + std::string(spec.max_text);
}
std::string text_rule(const FieldSpec& spec) {
  return spec.type == FieldType::kTableKey ? "must be a string" : spellings_text(spec);
}

[[noreturn]] void fail(ErrorCode code, const FieldPath& path, const std::string& rule, const RawValue& v) {
  throw Error(code, path.str(), rule, v.kind == Kind::kAbsent ? std::string() : render(v));
}

[[noreturn]] void missing(const FieldPath& path) { throw Error(ErrorCode::kMissing, path.str(), "required field is missing"); }

}  // namespace

FieldPath keyed_path(Field field, std::string_view key) {
  switch (field) {
    case Field::kAnswer: return FieldPath("answers.", key);
    case Field::kTopUpLimit: return FieldPath("top_up.", key, ".limit_yen");
    case Field::kTopUpDeductible: return FieldPath("top_up.", key, ".deductible_yen");
    default: return FieldPath(field_spec(field).json_path);
  }
}

std::string render(const RawValue& v) {
  switch (v.kind) {
    case Kind::kAbsent: return "";
    case Kind::kBoolean: return v.boolean ? "true" : "false";
    case Kind::kInteger: return std::to_string(v.integer);
    case Kind::kNumber: return v.text.empty() ? float_text(v.number) : sanitize_for_message(v.text);
    case Kind::kString: return quote_for_message(v.text);
    case Kind::kDate: return quote_for_message(v.date.to_string());
    case Kind::kOther: return sanitize_for_message(v.text);
  }
  return "";
}

std::string spellings_text(const FieldSpec& spec) {
  std::string out = "must be one of ";
  for (std::size_t i = 0; i < spec.spellings.size(); ++i)
    out += (i ? ", \"" : "\"") + std::string(spec.spellings[i]) + "\"";
  return out;
}

void check_integer(const FieldSpec& spec, const FieldPath& path, std::int64_t value) {
  if (value < spec.min) throw Error(ErrorCode::kBelowMinimum, path.str(), integer_rule(spec), std::to_string(value));
  if (value > spec.max) throw Error(ErrorCode::kAboveMaximum, path.str(), integer_rule(spec), std::to_string(value));
}

void check_number(const FieldSpec& spec, const FieldPath& path, double value) {
  // The bounds of a number field are 0 and 1 (the click rate): exact as doubles.
  const double lo = std::stod(std::string(spec.min_text)), hi = std::stod(std::string(spec.max_text));
  if (std::isnan(value) || std::isinf(value))
    throw Error(ErrorCode::kNotFinite, path.str(), number_rule(spec), float_text(value));
  if (value < lo) throw Error(ErrorCode::kBelowMinimum, path.str(), number_rule(spec), float_text(value));
  if (value > hi) throw Error(ErrorCode::kAboveMaximum, path.str(), number_rule(spec), float_text(value));
}

void check_date(const FieldSpec& spec, const FieldPath& path, Date value) {
  if (value < bounds::min_date() || value > bounds::max_date())
    throw Error(ErrorCode::kDateOutOfRange, path.str(), date_rule(spec), quote_for_message(value.to_string()));
}

std::string day_text(std::int64_t days) {
  constexpr std::int64_t kYear1 = -719162, kYear9999End = 2932896;  // 0001-01-01, 9999-12-31
  if (days < kYear1 || days > kYear9999End) return "day " + std::to_string(days);
  return quote_for_message(Date::from_day_number(static_cast<std::int32_t>(days)).to_string());
}

void check_day(const FieldSpec& spec, const FieldPath& path, std::int64_t days) {
  if (days < bounds::min_date().day_number() || days > bounds::max_date().day_number())
    throw Error(ErrorCode::kDateOutOfRange, path.str(), date_rule(spec), day_text(days));
}

void throw_bad_code(const FieldSpec& spec, const FieldPath& path, unsigned code) {
  throw Error(ErrorCode::kUnknownValue, path.str(), spellings_text(spec), "code " + std::to_string(code));
}

void throw_unknown_label(const FieldSpec& spec, const FieldPath& path, const RawValue& v) {
  fail(ErrorCode::kUnknownValue, path, spellings_text(spec), v);
}

std::optional<std::int64_t> optional_integer(const FieldSpec& spec, const FieldPath& path, const RawValue& v) {
  switch (v.kind) {
    case Kind::kAbsent:
      return std::nullopt;
    case Kind::kInteger:
      check_integer(spec, path, v.integer);
      return v.integer;
    case Kind::kNumber: {
      if (std::isnan(v.number)) return std::nullopt;
      std::optional<IntegerReading> r;
      if (!v.text.empty()) r = integer_from_text(v.text);
      if (!r) {  // no text (a Python float, a numpy element): the double is the value
        if (std::isinf(v.number)) fail(ErrorCode::kNotFinite, path, integer_rule(spec), v);
        r = IntegerReading{};
        r->integral = std::trunc(v.number) == v.number;
        r->fits = std::fabs(v.number) < 9223372036854775808.0;
        if (r->integral && r->fits) r->value = static_cast<std::int64_t>(v.number);
      }
      if (!r->integral) fail(ErrorCode::kNotInteger, path, integer_rule(spec), v);
      if (!r->fits) fail(ErrorCode::kNumberOutOfRange, path, integer_rule(spec), v);
      check_integer(spec, path, r->value);  // an integral number is that integer (80.0 is 80), in messages too
      return r->value;
    }
    default:
      fail(ErrorCode::kWrongType, path, integer_rule(spec), v);
  }
}

std::int64_t read_integer(const FieldSpec& spec, const FieldPath& path, const RawValue& v) {
  const auto value = optional_integer(spec, path, v);
  if (!value) missing(path);
  return *value;
}

std::optional<double> optional_number(const FieldSpec& spec, const FieldPath& path, const RawValue& v) {
  switch (v.kind) {
    case Kind::kAbsent:
      return std::nullopt;
    case Kind::kInteger:
      check_number(spec, path, static_cast<double>(v.integer));
      return static_cast<double>(v.integer);
    case Kind::kNumber:
      if (std::isnan(v.number)) return std::nullopt;
      if (std::isinf(v.number)) {
        // A literal infinity is not finite; a written number beyond the double range
        // (1e400, -1e400) is a number out of range, never 0 or infinity.
        const bool literal = v.text.empty() || v.text.find("Infinity") != std::string_view::npos;
        fail(literal ? ErrorCode::kNotFinite : ErrorCode::kNumberOutOfRange, path, number_rule(spec), v);
      }
      if (!v.text.empty() && v.number == 0) {
        // An underflowed double reads 0; the decimal written decides the bounds exactly.
        const auto exact = parse_decimal_text(v.text);
        if (exact && exact->num < 0) fail(ErrorCode::kBelowMinimum, path, number_rule(spec), v);
      }
      try {
        check_number(spec, path, v.number);
      } catch (const Error& e) {
        fail(e.code(), path, number_rule(spec), v);  // quote the value as the door wrote it
      }
      return v.number;
    default:
      fail(ErrorCode::kWrongType, path, number_rule(spec), v);
  }
}

bool read_boolean(const FieldSpec& /*spec*/, const FieldPath& path, const RawValue& v) {
  if (v.kind == Kind::kAbsent) return false;
  if (v.kind != Kind::kBoolean) fail(ErrorCode::kWrongType, path, "must be true or false", v);
  return v.boolean;
}

std::optional<Date> optional_date(const FieldSpec& spec, const FieldPath& path, const RawValue& v) {
  switch (v.kind) {
    case Kind::kAbsent:
      return std::nullopt;
    case Kind::kDate:
      check_date(spec, path, v.date);
      return v.date;
    case Kind::kString: {
      const auto d = Date::parse(v.text);
      if (!d) fail(ErrorCode::kInvalidDate, path, date_rule(spec), v);
      check_date(spec, path, *d);
      return *d;
    }
    default:
      fail(ErrorCode::kWrongType, path, date_rule(spec), v);
  }
}

Date read_date(const FieldSpec& spec, const FieldPath& path, const RawValue& v) {
  const auto d = optional_date(spec, path, v);
  if (!d) missing(path);
  return *d;
}

std::optional<std::string_view> optional_text(const FieldSpec& spec, const FieldPath& path, const RawValue& v) {
  if (v.kind == Kind::kAbsent) return std::nullopt;
  if (v.kind != Kind::kString) fail(ErrorCode::kWrongType, path, text_rule(spec), v);
  return v.text;
}

std::string_view read_text(const FieldSpec& spec, const FieldPath& path, const RawValue& v) {
  const auto t = optional_text(spec, path, v);
  if (!t) missing(path);
  return *t;
}

}  // namespace cybercover::detail
