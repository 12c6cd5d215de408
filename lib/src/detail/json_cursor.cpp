#include "detail/json_cursor.hpp"

#include <cmath>

#include "detail/decimal_text.hpp"

namespace cybercover::detail {

using Type = JsonDoc::Type;

std::string JsonCursor::path() const {
  // Walk down from the root to this node, naming each step.
  std::string out;
  std::uint32_t at = doc_->root();
  while (at != index_) {
    const JsonDoc::Node& container = doc_->node(at);
    std::uint32_t child = doc_->first_child(at);
    std::size_t position = 0;
    while (doc_->node(child).end <= index_) {
      child = doc_->next_sibling(child);
      ++position;
    }
    if (container.type == Type::kObject)
      out += (out.empty() ? "" : ".") + std::string(doc_->node(child).key);
    else
      out += "[" + std::to_string(position) + "]";
    at = child;
  }
  return out;
}

ErrorCode code_for(ErrorKind kind, Rule rule) {
  const bool input = kind != ErrorKind::kTable;
  switch (rule) {
    case Rule::kMissing: return input ? ErrorCode::kMissing : ErrorCode::kTableMissingKey;
    case Rule::kUnknownKey: return input ? ErrorCode::kUnknownField : ErrorCode::kTableUnknownKey;
    case Rule::kDuplicate: return input ? ErrorCode::kDuplicateField : ErrorCode::kTableDuplicate;
    case Rule::kWrongType: return input ? ErrorCode::kWrongType : ErrorCode::kTableWrongType;
    case Rule::kNotInteger: return input ? ErrorCode::kNotInteger : ErrorCode::kTableNotInteger;
    case Rule::kNumberOutOfRange: return input ? ErrorCode::kNumberOutOfRange : ErrorCode::kTableNumberOutOfRange;
    case Rule::kNotFinite: return input ? ErrorCode::kNotFinite : ErrorCode::kTableNumberOutOfRange;
    case Rule::kBelowMinimum: return input ? ErrorCode::kBelowMinimum : ErrorCode::kTableBelowMinimum;
    case Rule::kAboveMaximum: return input ? ErrorCode::kAboveMaximum : ErrorCode::kTableAboveMaximum;
    case Rule::kInvalidDate: return input ? ErrorCode::kInvalidDate : ErrorCode::kTableInvalidValue;
    case Rule::kUnknownValue: return input ? ErrorCode::kUnknownValue : ErrorCode::kTableInvalidValue;
    case Rule::kInvalidValue: return input ? ErrorCode::kUnknownValue : ErrorCode::kTableInvalidValue;
    case Rule::kNotIncreasing: return input ? ErrorCode::kUnknownValue : ErrorCode::kTableNotIncreasing;
    case Rule::kInconsistent: return input ? ErrorCode::kUnknownValue : ErrorCode::kTableInconsistent;
  }
  return input ? ErrorCode::kUnknownValue : ErrorCode::kTableInvalidValue;
}

void JsonCursor::fail(Rule rule, const std::string& detail) const {
  std::string where = *prefix_;
  const std::string p = path();
  if (!p.empty()) where += (where.empty() ? "" : ": ") + p;
  throw Error(code_for(kind_, rule), where, detail);
}

void JsonCursor::fail_code(ErrorCode code, const std::string& detail, bool quote_value) const {
  std::string where = *prefix_;
  const std::string p = path();
  if (!p.empty()) where += (where.empty() ? "" : ": ") + p;
  throw Error(code, where, detail, quote_value ? describe() : std::string());
}

void JsonCursor::fail_value(Rule rule, const std::string& expectation) const {
  std::string where = *prefix_;
  const std::string p = path();
  if (!p.empty()) where += (where.empty() ? "" : ": ") + p;
  throw Error(code_for(kind_, rule), where, expectation, describe());
}

void JsonCursor::require_object() const {
  if (node().type != Type::kObject) fail_value(Rule::kWrongType, "must be an object");
}
void JsonCursor::require_array() const {
  if (node().type != Type::kArray) fail_value(Rule::kWrongType, "must be an array");
}

void JsonCursor::require_array(std::size_t min, std::size_t max) const {
  require_array();
  const std::size_t n = node().count;
  if (n < min) fail(Rule::kBelowMinimum, "must list at least " + std::to_string(min) + (min == 1 ? " entry" : " entries") + ", got " + std::to_string(n));
  if (n > max) fail(Rule::kAboveMaximum, "must list at most " + std::to_string(max) + " entries, got " + std::to_string(n));
}

std::optional<JsonCursor> JsonCursor::find(std::string_view key) const {
  require_object();
  const std::uint32_t end = node().end;
  for (std::uint32_t c = doc_->first_child(index_); c < end; c = doc_->next_sibling(c))
    if (doc_->node(c).key == key) {
      if (doc_->node(c).type == Type::kNull) return std::nullopt;
      return JsonCursor(*doc_, kind_, *prefix_, c);
    }
  return std::nullopt;
}

JsonCursor JsonCursor::at(std::string_view key) const {
  require_object();
  const std::uint32_t end = node().end;
  for (std::uint32_t c = doc_->first_child(index_); c < end; c = doc_->next_sibling(c))
    if (doc_->node(c).key == key) return JsonCursor(*doc_, kind_, *prefix_, c);
  std::string p = path();
  std::string where = *prefix_;
  p += (p.empty() ? "" : ".") + std::string(key);
  where += (where.empty() ? "" : ": ") + p;
  throw Error(code_for(kind_, Rule::kMissing), where, "required field is missing");
}

void JsonCursor::only_keys(std::initializer_list<std::string_view> allowed) const {
  std::uint64_t seen = 0;  // one bit per allowed key (lists are short)
  for_each_member([&](std::string_view key, const JsonCursor& value) {
    int bit = 0;
    for (std::string_view a : allowed) {
      if (a == key) {
        if (seen & (std::uint64_t{1} << bit)) value.fail(Rule::kDuplicate, "field given twice");
        seen |= std::uint64_t{1} << bit;
        return;
      }
      ++bit;
    }
    value.fail(Rule::kUnknownKey, "unknown field");
  });
}

JsonCursor JsonCursor::element(std::size_t index) const {
  require_array();
  std::uint32_t c = doc_->first_child(index_);
  for (std::size_t i = 0; i < index; ++i) c = doc_->next_sibling(c);
  return JsonCursor(*doc_, kind_, *prefix_, c);
}

std::vector<JsonCursor> JsonCursor::elements() const {
  require_array();
  std::vector<JsonCursor> out;
  out.reserve(node().count);
  const std::uint32_t end = node().end;
  for (std::uint32_t c = doc_->first_child(index_); c < end; c = doc_->next_sibling(c))
    out.emplace_back(*doc_, kind_, *prefix_, c);
  return out;
}

std::int64_t JsonCursor::integer(std::int64_t min, std::int64_t max) const {
  const JsonDoc::Node& n = node();
  if (n.type != Type::kInteger) {
    if (n.type == Type::kNumber && n.text.find_first_of(".eE") == std::string_view::npos && n.text != "NaN" &&
        n.text.find("Infinity") == std::string_view::npos)
      fail_value(Rule::kNumberOutOfRange, "must be an integer within 64 bits");
    if (n.type == Type::kNumber) fail_value(Rule::kNotInteger, "must be an integer");
    fail_value(Rule::kWrongType, "must be an integer");
  }
  if (n.integer < min) fail_value(Rule::kBelowMinimum, "must be an integer >= " + std::to_string(min));
  if (n.integer > max) fail_value(Rule::kAboveMaximum, "must be an integer <= " + std::to_string(max));
  return n.integer;
}

bool JsonCursor::boolean() const {
  const Type t = node().type;
  if (t != Type::kTrue && t != Type::kFalse) fail_value(Rule::kWrongType, "must be true or false");
  return t == Type::kTrue;
}

std::string_view JsonCursor::string_view() const {
  if (node().type != Type::kString) fail_value(Rule::kWrongType, "must be a string");
  return node().text;
}

namespace {
constexpr const char* kBeyondDoubles = "must be a number within the range of a double (about 1.8e308)";
}  // namespace

Rational JsonCursor::exact_number() const {
  const JsonDoc::Node& n = node();
  if (n.type == Type::kInteger) return Rational{n.integer, 1};
  (void)finite_double();  // the type, NaN and 1e400 first, each with its own message
  const auto exact = parse_decimal_text(n.text);
  if (!exact) fail_value(Rule::kNumberOutOfRange, "must have at most 30 significant digits and a magnitude below 1e36");
  return *exact;
}

double JsonCursor::finite_double() const {
  const JsonDoc::Node& n = node();
  if (n.type != Type::kInteger && n.type != Type::kNumber) fail_value(Rule::kWrongType, "must be a number");
  if (!std::isfinite(n.number)) {
    const bool literal = n.text.find("Infinity") != std::string_view::npos || n.text.find("NaN") != std::string_view::npos;
    if (literal) fail_value(Rule::kNotFinite, "must be a finite number");
    fail_value(Rule::kNumberOutOfRange, kBeyondDoubles);
  }
  return n.number;
}

Decimal4 JsonCursor::decimal4() const {
  const auto d = to_decimal4(exact_number());
  if (!d) fail_value("must be a decimal with at most 4 decimal places");
  return *d;
}

Decimal4 JsonCursor::decimal4(Decimal4 min, Decimal4 max) const {
  // The bounds first, on the double: 1e308 is "above the maximum", not "too many places".
  const double v = node().type == Type::kInteger ? static_cast<double>(node().integer) : finite_double();
  if (v < min.to_double()) fail_value(Rule::kBelowMinimum, "must be >= " + min.to_string());
  if (v > max.to_double()) fail_value(Rule::kAboveMaximum, "must be <= " + max.to_string());
  const Decimal4 d = decimal4();
  if (d < min) fail_value(Rule::kBelowMinimum, "must be >= " + min.to_string());
  if (d > max) fail_value(Rule::kAboveMaximum, "must be <= " + max.to_string());
  return d;
}

Date JsonCursor::date() const {
  if (node().type != Type::kString) fail_value(Rule::kWrongType, "must be a date \"YYYY-MM-DD\"");
  const auto d = Date::parse(node().text);
  if (!d) fail_value(Rule::kInvalidDate, "must be a valid date \"YYYY-MM-DD\"");
  return *d;
}

std::optional<Date> JsonCursor::optional_date() const {
  if (is_null()) return std::nullopt;
  return date();
}

}  // namespace cybercover::detail
