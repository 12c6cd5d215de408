#pragma once
// A position in a JSON document that can name its path, so every error names the exact key:
// "company.employees: must be an integer >= 1, got -3". Used for requests and for tables.
// It holds no strings: the path is rebuilt from the document only when an error is raised.

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cybercover/date.hpp"
#include "cybercover/error.hpp"
#include "detail/exact_arith.hpp"
#include "cybercover/exact.hpp"
#include "detail/json_doc.hpp"

namespace cybercover::detail {

// What rule a value breaks; the cursor's kind turns it into an input.* or table.* code.
enum class Rule : std::uint8_t {
  kMissing,
  kUnknownKey,
  kDuplicate,
  kWrongType,
  kNotInteger,
  kNumberOutOfRange,
  kNotFinite,
  kBelowMinimum,
  kAboveMaximum,
  kInvalidDate,
  kUnknownValue,
  kInvalidValue,
  kNotIncreasing,
  kInconsistent,
};
ErrorCode code_for(ErrorKind kind, Rule rule);

class JsonCursor {
 public:
  // `prefix` (the table file, or empty for requests) goes before the path in errors; it and
  // `doc` must outlive the cursor.
  JsonCursor(const JsonDoc& doc, ErrorKind kind, const std::string& prefix, std::uint32_t index = 0)
      : doc_(&doc), prefix_(&prefix), index_(index), kind_(kind) {}

  // Throws the error of `rule` about this node; fail_value also quotes the node's value.
  [[noreturn]] void fail(Rule rule, const std::string& detail) const;
  [[noreturn]] void fail_value(Rule rule, const std::string& expectation) const;  // "..., got <value>"
  [[noreturn]] void fail(const std::string& detail) const { fail(Rule::kInvalidValue, detail); }
  // Throws a specific code (for rules that only one kind of document has).
  [[noreturn]] void fail_code(ErrorCode code, const std::string& detail, bool quote_value) const;
  [[noreturn]] void fail_value(const std::string& expectation) const { fail_value(Rule::kInvalidValue, expectation); }

  const JsonDoc::Node& node() const { return doc_->node(index_); }
  std::string path() const;
  std::string describe() const { return doc_->render(index_); }
  bool is_null() const { return node().type == JsonDoc::Type::kNull; }
  bool is_object() const { return node().type == JsonDoc::Type::kObject; }

  // Object access: `at` requires the key; `find` returns nullopt when absent or null.
  JsonCursor at(std::string_view key) const;
  std::optional<JsonCursor> find(std::string_view key) const;
  // Requires an object whose keys are all in `allowed`; names the first unknown key.
  void only_keys(std::initializer_list<std::string_view> allowed) const;
  void require_object() const;
  void require_array() const;
  // An array of min..max elements (tables bound every list, so no check is quadratic in a
  // hostile file): below_minimum / above_maximum naming the count and the bound.
  void require_array(std::size_t min, std::size_t max) const;
  std::size_t size() const { return node().count; }  // of an array or object
  JsonCursor element(std::size_t index) const;  // O(index): walk with elements() instead
  std::vector<JsonCursor> elements() const;      // of an array, in order
  // Calls f(key, cursor) for each member of an object, in document order.
  template <typename F>
  void for_each_member(F&& f) const {
    require_object();
    const std::uint32_t end = node().end;
    for (std::uint32_t c = doc_->first_child(index_); c < end; c = doc_->next_sibling(c))
      f(doc_->node(c).key, JsonCursor(*doc_, kind_, *prefix_, c));
  }

  std::int64_t integer(std::int64_t min = INT64_MIN, std::int64_t max = INT64_MAX) const;
  bool boolean() const;
  std::string_view string_view() const;
  std::string string() const { return std::string(string_view()); }
  Decimal4 decimal4() const;         // at most 4 decimal places, finite
  Decimal4 decimal4(Decimal4 min, Decimal4 max) const;  // and within [min, max]
  Rational exact_number() const;     // any finite JSON number, exactly as written
  double finite_double() const;
  Date date() const;                 // "YYYY-MM-DD"
  std::optional<Date> optional_date() const;  // null allowed

 private:
  const JsonDoc* doc_;
  const std::string* prefix_;
  std::uint32_t index_;
  ErrorKind kind_;
};

}  // namespace cybercover::detail
