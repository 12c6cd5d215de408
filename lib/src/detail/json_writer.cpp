#include "detail/json_writer.hpp"

#include <charconv>

namespace cybercover::detail {

JsonWriter& JsonWriter::value(std::int64_t v) {
  separate();
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out_.append(buf, r.ptr);
  return *this;
}

JsonWriter& JsonWriter::decimal(std::int64_t scaled, int places) {
  separate();
  std::int64_t pow10 = 1;
  for (int i = 0; i < places; ++i) pow10 *= 10;
  if (scaled < 0) {
    out_ += '-';
    scaled = -scaled;
  }
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, scaled / pow10);
  out_.append(buf, r.ptr);
  out_ += '.';
  std::int64_t frac = scaled % pow10;
  if (frac == 0) {
    out_ += '0';  // nlohmann prints an integral double as "1.0"
    return *this;
  }
  r = std::to_chars(buf, buf + sizeof buf, frac + pow10);  // leading 1 keeps the zeros
  std::string_view digits(buf + 1, static_cast<std::size_t>(r.ptr - buf - 1));
  while (digits.back() == '0') digits.remove_suffix(1);
  out_.append(digits);
  return *this;
}

void JsonWriter::append_string(std::string_view s) {
  // Escapes as nlohmann's dump() does with ensure_ascii off: '"', '\\', and control chars.
  out_ += '"';
  std::size_t run = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out_.append(s.substr(run, i - run));
    run = i + 1;
    switch (c) {
      case '"': out_ += "\\\""; break;
      case '\\': out_ += "\\\\"; break;
      case '\b': out_ += "\\b"; break;
      case '\f': out_ += "\\f"; break;
      case '\n': out_ += "\\n"; break;
      case '\r': out_ += "\\r"; break;
      case '\t': out_ += "\\t"; break;
      default: {
        static constexpr char kHex[] = "0123456789abcdef";
        out_ += "\\u00";
        out_ += kHex[c >> 4];
        out_ += kHex[c & 0xF];
      }
    }
  }
  out_.append(s.substr(run));
  out_ += '"';
}

}  // namespace cybercover::detail
