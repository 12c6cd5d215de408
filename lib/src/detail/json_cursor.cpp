#include "detail/json_cursor.hpp"

#include <cmath>

#include "detail/decimal_text.hpp"

namespace cybercover::detail {

using nlohmann::json;

std::string describe(const json& value) {
  std::string text = value.dump(-1, ' ', false, json::error_handler_t::replace);
  if (value.is_number_float() && !std::isfinite(value.get<double>()))
    text = std::isnan(value.get<double>()) ? "NaN" : (value.get<double>() > 0 ? "Infinity" : "-Infinity");
  if (text.size() > 60) text = text.substr(0, 57) + "...";
  return text;
}

JsonCursor::JsonCursor(const json& node, ErrorKind kind, std::string prefix, std::string path)
    : node_(&node), kind_(kind), prefix_(std::move(prefix)), path_(std::move(path)) {}

void JsonCursor::fail(const std::string& detail) const {
  std::string where = prefix_;
  if (!path_.empty()) where += (where.empty() ? "" : ": ") + path_;
  throw Error(kind_, where, detail);
}

void JsonCursor::fail_value(const std::string& expectation) const {
  fail(expectation + ", got " + describe(*node_));
}

std::string JsonCursor::child_path(const std::string& key) const {
  return path_.empty() ? key : path_ + "." + key;
}

void JsonCursor::require_object() const {
  if (!node_->is_object()) fail_value("must be an object");
}
void JsonCursor::require_array() const {
  if (!node_->is_array()) fail_value("must be an array");
}

JsonCursor JsonCursor::at(const std::string& key) const {
  require_object();
  const auto it = node_->find(key);
  if (it == node_->end()) {
    JsonCursor(*node_, kind_, prefix_, child_path(key)).fail("required field is missing");
  }
  return JsonCursor(*it, kind_, prefix_, child_path(key));
}

std::optional<JsonCursor> JsonCursor::find(const std::string& key) const {
  require_object();
  const auto it = node_->find(key);
  if (it == node_->end() || it->is_null()) return std::nullopt;
  return JsonCursor(*it, kind_, prefix_, child_path(key));
}

JsonCursor JsonCursor::member(const std::string& key) const { return at(key); }

void JsonCursor::only_keys(std::initializer_list<const char*> allowed) const {
  require_object();
  for (const auto& [key, value] : node_->items()) {
    bool known = false;
    for (const char* a : allowed) known = known || key == a;
    if (!known) JsonCursor(value, kind_, prefix_, child_path(key)).fail("unknown field");
  }
}

std::size_t JsonCursor::size() const { return node_->size(); }

JsonCursor JsonCursor::element(std::size_t index) const {
  require_array();
  return JsonCursor((*node_)[index], kind_, prefix_, path_ + "[" + std::to_string(index) + "]");
}

std::int64_t JsonCursor::integer(std::int64_t min, std::int64_t max) const {
  std::int64_t v = 0;
  if (node_->is_number_integer() && !node_->is_number_unsigned()) {
    v = node_->get<std::int64_t>();
  } else if (node_->is_number_unsigned() &&
             node_->get<std::uint64_t>() <= static_cast<std::uint64_t>(INT64_MAX)) {
    v = static_cast<std::int64_t>(node_->get<std::uint64_t>());
  } else {
    fail_value("must be an integer");
  }
  if (v < min) fail_value("must be an integer >= " + std::to_string(min));
  if (v > max) fail_value("must be an integer <= " + std::to_string(max));
  return v;
}

bool JsonCursor::boolean() const {
  if (!node_->is_boolean()) fail_value("must be true or false");
  return node_->get<bool>();
}

std::string JsonCursor::string() const {
  if (!node_->is_string()) fail_value("must be a string");
  return node_->get<std::string>();
}

Rational JsonCursor::exact_number() const {
  if (node_->is_number_integer()) return Rational{node_->is_number_unsigned()
                                                      ? Int128(node_->get<std::uint64_t>())
                                                      : Int128(node_->get<std::int64_t>()), 1};
  if (!node_->is_number_float()) fail_value("must be a number");
  const auto exact = exact_decimal(node_->get<double>());
  if (!exact) fail_value("must be a finite number");
  return *exact;
}

double JsonCursor::finite_double() const {
  if (!node_->is_number()) fail_value("must be a number");
  const double v = node_->get<double>();
  if (!std::isfinite(v)) fail_value("must be a finite number");
  return v;
}

Decimal4 JsonCursor::decimal4() const {
  const auto d = to_decimal4(exact_number());
  if (!d) fail_value("must be a decimal with at most 4 decimal places");
  return *d;
}

Date JsonCursor::date() const {
  if (!node_->is_string()) fail_value("must be a date \"YYYY-MM-DD\"");
  const auto d = Date::parse(node_->get<std::string>());
  if (!d) fail_value("must be a valid date \"YYYY-MM-DD\"");
  return *d;
}

std::optional<Date> JsonCursor::optional_date() const {
  if (node_->is_null()) return std::nullopt;
  return date();
}

}  // namespace cybercover::detail
