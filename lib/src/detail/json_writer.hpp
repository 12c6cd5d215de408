#pragma once
// Appends compact JSON to a string, byte for byte as nlohmann::json::dump() would print the
// same document: callers write object keys in sorted order (nlohmann sorts them), strings are
// escaped the same way, and exact decimals print like nlohmann's shortest doubles ("1.0").

#include <cstdint>
#include <string>
#include <string_view>

#include "cybercover/exact.hpp"

namespace cybercover::detail {

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  JsonWriter& begin_object() { return open('{'); }
  JsonWriter& end_object() { return close('}'); }
  JsonWriter& begin_array() { return open('['); }
  JsonWriter& end_array() { return close(']'); }
  JsonWriter& key(std::string_view k) {
    separate();
    append_string(k);
    out_ += ':';
    after_key_ = true;
    return *this;
  }
  JsonWriter& value(std::int64_t v);
  JsonWriter& value(int v) { return value(static_cast<std::int64_t>(v)); }
  JsonWriter& value(bool v) {
    separate();
    out_ += v ? "true" : "false";
    return *this;
  }
  JsonWriter& value(std::string_view s) {
    separate();
    append_string(s);
    return *this;
  }
  JsonWriter& value(const char* s) { return value(std::string_view(s)); }
  JsonWriter& null() {
    separate();
    out_ += "null";
    return *this;
  }
  // Appends pre-rendered JSON as the next array element / continues it verbatim.
  JsonWriter& raw_element(std::string_view json) {
    separate();
    out_.append(json);
    return *this;
  }
  JsonWriter& raw(std::string_view json) {
    out_.append(json);
    return *this;
  }
  // A decimal number given exactly as scaled / 10^places, printed as a JSON float ("0.55", "1.0").
  JsonWriter& decimal(std::int64_t scaled, int places);
  JsonWriter& decimal(Decimal4 d) { return decimal(d.scaled(), 4); }

 private:
  JsonWriter& open(char c) {
    separate();
    out_ += c;
    first_ = true;
    return *this;
  }
  JsonWriter& close(char c) {
    out_ += c;
    first_ = false;
    return *this;
  }
  void separate() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (!first_) out_ += ',';
    first_ = false;
  }
  void append_string(std::string_view s);

  std::string& out_;
  bool first_ = true;
  bool after_key_ = false;
};

}  // namespace cybercover::detail
