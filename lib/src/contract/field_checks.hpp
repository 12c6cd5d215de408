#pragma once
// The contract's checks of one field value. Every door turns what it received into a RawValue
// (a JSON node, a CSV cell, a Python object, a numpy element) and reads it through these, or,
// when it already holds the typed value (the C++ struct, int64 columns), checks it with the
// check_* functions, which give the same message. Messages name the field's JSON path; the
// door adds the location (row, id, column).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "cybercover/contract/request_contract.hpp"
#include "cybercover/date.hpp"
#include "cybercover/error.hpp"
#include "cybercover/types.hpp"

namespace cybercover::detail {

// A scalar as a door received it, before any check.
struct RawValue {
  enum class Kind : std::uint8_t {
    kAbsent,     // not given: no key, an empty cell, None, NaN, NaT (all mean "not given")
    kBoolean,
    kInteger,    // fits in int64
    kNumber,     // any other number; `text` is as written when the door has it
    kString,
    kDate,       // a date the door already holds as a date (numpy datetime64, datetime.date)
    kOther,      // an object, an array, a time of day...: `text` renders it for the message
  };
  Kind kind = Kind::kAbsent;
  bool boolean = false;
  std::int64_t integer = 0;
  double number = 0;
  std::string_view text;
  Date date;

  static RawValue absent() { return {}; }
  static RawValue of_bool(bool b) { RawValue v; v.kind = Kind::kBoolean; v.boolean = b; return v; }
  static RawValue of_integer(std::int64_t i) { RawValue v; v.kind = Kind::kInteger; v.integer = i; return v; }
  // `text` as written ("1.50", "1e400"); empty: rendered from `number` in messages.
  static RawValue of_number(double d, std::string_view text = {}) {
    RawValue v; v.kind = Kind::kNumber; v.number = d; v.text = text; return v;
  }
  static RawValue of_string(std::string_view s) { RawValue v; v.kind = Kind::kString; v.text = s; return v; }
  static RawValue of_date(Date d) { RawValue v; v.kind = Kind::kDate; v.date = d; return v; }
  static RawValue of_other(std::string_view rendered) { RawValue v; v.kind = Kind::kOther; v.text = rendered; return v; }
};

// A field's JSON path, spelled out only when an error needs it: the checks run on every row of
// a portfolio, and a path with a key (answers.D01.1, top_up.response.limit_yen) is a string
// to build.
class FieldPath {
 public:
  FieldPath(const char* path) : prefix_(path) {}  // NOLINT: a fixed path reads as one
  FieldPath(std::string_view path) : prefix_(path) {}  // NOLINT
  FieldPath(const std::string& path) : prefix_(path) {}  // NOLINT
  // prefix + key + suffix: FieldPath("answers.", id), FieldPath("top_up.", key, ".limit_yen").
  FieldPath(std::string_view prefix, std::string_view key, std::string_view suffix = {})
      : prefix_(prefix), key_(key), suffix_(suffix) {}

  std::string str() const {
    std::string s(prefix_);
    s += key_;
    s += suffix_;
    return s;
  }

 private:
  std::string_view prefix_, key_, suffix_;
};

// The path of a keyed field: an item's answer, a section's limit or deductible.
FieldPath keyed_path(Field field, std::string_view key);

// Renders a value for a message: strings quoted and escaped, numbers as written (or the
// shortest round-trip form), booleans true/false, dates "YYYY-MM-DD".
std::string render(const RawValue& v);

// Reads a value of the field `spec` at `path` (its JSON path). Throws the contract's Error;
// an absent value of a required field is input.missing. The optional_* forms return nullopt
// for an absent value. Integers accept integral numbers (80.0, 8e1) and check the bounds.
std::int64_t read_integer(const FieldSpec& spec, const FieldPath& path, const RawValue& v);
std::optional<std::int64_t> optional_integer(const FieldSpec& spec, const FieldPath& path, const RawValue& v);
std::optional<double> optional_number(const FieldSpec& spec, const FieldPath& path, const RawValue& v);
bool read_boolean(const FieldSpec& spec, const FieldPath& path, const RawValue& v);  // absent: false
Date read_date(const FieldSpec& spec, const FieldPath& path, const RawValue& v);
std::optional<Date> optional_date(const FieldSpec& spec, const FieldPath& path, const RawValue& v);
// A string field (a label or a table key): checks the type only; the caller looks it up.
std::string_view read_text(const FieldSpec& spec, const FieldPath& path, const RawValue& v);
std::optional<std::string_view> optional_text(const FieldSpec& spec, const FieldPath& path, const RawValue& v);

// Reads a label of a fixed list ("none", "managed"...): `parse` maps the spellings.
template <typename E>
E read_label(const FieldSpec& spec, const FieldPath& path, const RawValue& v, std::optional<E> (*parse)(std::string_view));
template <typename E>
std::optional<E> optional_label(const FieldSpec& spec, const FieldPath& path, const RawValue& v,
                                std::optional<E> (*parse)(std::string_view));

// The checks of values a door already holds typed: the same messages as the readers.
void check_integer(const FieldSpec& spec, const FieldPath& path, std::int64_t value);
void check_number(const FieldSpec& spec, const FieldPath& path, double value);
void check_date(const FieldSpec& spec, const FieldPath& path, Date value);
// A code column's value (uint8 enum codes) outside the field's spellings.
[[noreturn]] void throw_bad_code(const FieldSpec& spec, const FieldPath& path, unsigned code);
[[noreturn]] void throw_unknown_label(const FieldSpec& spec, const FieldPath& path, const RawValue& v);

// A day number (days since 1970-01-01) as a message shows it: the quoted date for years
// 0001-9999, "day N" beyond them.
std::string day_text(std::int64_t days);
// Throws input.date_out_of_range for a day number outside the contract's dates.
void check_day(const FieldSpec& spec, const FieldPath& path, std::int64_t days);

// The "must be one of ..." text of a field's spellings.
std::string spellings_text(const FieldSpec& spec);

// ---- inline hot paths: the batch calls these on every row -----------------------------------
inline void check_integer_fast(const FieldSpec& spec, const FieldPath& path, std::int64_t value) {
  if (value < spec.min || value > spec.max) check_integer(spec, path, value);
}

template <typename E>
E read_label(const FieldSpec& spec, const FieldPath& path, const RawValue& v, std::optional<E> (*parse)(std::string_view)) {
  const std::string_view text = read_text(spec, path, v);
  const std::optional<E> e = parse(text);
  if (!e) throw_unknown_label(spec, path, v);
  return *e;
}

template <typename E>
std::optional<E> optional_label(const FieldSpec& spec, const FieldPath& path, const RawValue& v,
                                std::optional<E> (*parse)(std::string_view)) {
  if (v.kind == RawValue::Kind::kAbsent) return std::nullopt;
  return read_label(spec, path, v, parse);
}

}  // namespace cybercover::detail
