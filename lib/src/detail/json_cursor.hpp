#pragma once
// A position in a JSON document that knows its path, so every error names the exact key:
// "company.employees: must be an integer >= 1, got -3". Used for requests and for tables.

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "cybercover/date.hpp"
#include "cybercover/error.hpp"
#include "cybercover/exact.hpp"

namespace cybercover::detail {

class JsonCursor {
 public:
  // `prefix` goes before the path in errors (the table file, or empty for requests).
  JsonCursor(const nlohmann::json& node, ErrorKind kind, std::string prefix, std::string path = "");

  [[noreturn]] void fail(const std::string& detail) const;
  [[noreturn]] void fail_value(const std::string& expectation) const;  // "... got <value>"

  const nlohmann::json& raw() const { return *node_; }
  const std::string& path() const { return path_; }
  bool is_null() const { return node_->is_null(); }

  // Object access: `at` requires the key; `find` returns nullopt when absent or null.
  JsonCursor at(const std::string& key) const;
  std::optional<JsonCursor> find(const std::string& key) const;
  // Requires an object whose keys are all in `allowed`; names the first unknown key.
  void only_keys(std::initializer_list<const char*> allowed) const;
  void require_object() const;
  void require_array() const;
  std::size_t size() const;  // of an array or object
  JsonCursor element(std::size_t index) const;
  JsonCursor member(const std::string& key) const;  // child cursor for iteration

  std::int64_t integer(std::int64_t min = INT64_MIN, std::int64_t max = INT64_MAX) const;
  bool boolean() const;
  std::string string() const;
  Decimal4 decimal4() const;         // at most 4 decimal places, finite
  Rational exact_number() const;     // any finite JSON number, exactly as written
  double finite_double() const;
  Date date() const;                 // "YYYY-MM-DD"
  std::optional<Date> optional_date() const;  // null allowed

 private:
  std::string child_path(const std::string& key) const;
  const nlohmann::json* node_;
  ErrorKind kind_;
  std::string prefix_;
  std::string path_;
};

// Returns a short rendering of a value for error messages.
std::string describe(const nlohmann::json& value);

}  // namespace cybercover::detail
