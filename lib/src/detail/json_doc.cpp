#include "detail/json_doc.hpp"

#include "detail/decimal_text.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace cybercover::detail {

class JsonParser {
 public:
  JsonParser(std::string_view text, JsonDoc& doc, const JsonDoc::ParseOptions& options)
      : text_(text), doc_(doc), reject_duplicates_(options.reject_duplicate_names),
        allow_infinity_(options.allow_infinity_literals), max_values_(options.max_values) {}

  void parse_document() {
    skip_space();
    value(0, {});
    skip_space();
    if (pos_ != text_.size()) fail("unexpected text after the JSON value");
  }

 private:
  static constexpr int kMaxDepth = 64;
  static constexpr std::uint32_t kLinearNameCheck = 16;

  [[noreturn]] void fail(const std::string& what) const {
    std::size_t line = 1, column = 1;
    for (std::size_t i = 0; i < pos_ && i < text_.size(); ++i) {
      if (text_[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    throw std::invalid_argument(what + " at line " + std::to_string(line) + ", column " + std::to_string(column));
  }

  void skip_space() {
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c != ' ' && c != '\n' && c != '\r' && c != '\t') break;
      ++pos_;
    }
  }

  bool consume(char c) {
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  void literal(std::string_view word, JsonDoc::Type type, std::string_view key) {
    if (text_.substr(pos_, word.size()) != word) fail("invalid literal");
    pos_ += word.size();
    push(type, key);
  }

  std::uint32_t push(JsonDoc::Type type, std::string_view key) {
    if (doc_.nodes_.size() >= max_values_)
      throw JsonDoc::TooManyValues("holds more than " + std::to_string(max_values_) + " values");
    JsonDoc::Node n;
    n.type = type;
    n.key = key;
    doc_.nodes_.push_back(n);
    const auto index = static_cast<std::uint32_t>(doc_.nodes_.size() - 1);
    doc_.nodes_[index].end = index + 1;
    return index;
  }

  void value(int depth, std::string_view key) {
    if (pos_ >= text_.size()) fail("unexpected end of input");
    switch (text_[pos_]) {
      case '{': return object(depth, key);
      case '[': return array(depth, key);
      case '"': {
        const std::string_view s = string();
        doc_.nodes_[push(JsonDoc::Type::kString, key)].text = s;
        return;
      }
      case 't': return literal("true", JsonDoc::Type::kTrue, key);
      case 'f': return literal("false", JsonDoc::Type::kFalse, key);
      case 'n': return literal("null", JsonDoc::Type::kNull, key);
      case 'I':
        if (allow_infinity_) return infinity(key, false);
        return number(key);
      case '-':
        if (allow_infinity_ && text_.substr(pos_, 2) == "-I") return infinity(key, true);
        return number(key);
      default: return number(key);
    }
  }

  void object(int depth, std::string_view key) {
    if (depth >= kMaxDepth) fail("nesting too deep");
    ++pos_;
    const std::uint32_t index = push(JsonDoc::Type::kObject, key);
    std::uint32_t count = 0;
    skip_space();
    if (!consume('}')) {
      do {
        skip_space();
        if (pos_ >= text_.size() || text_[pos_] != '"') fail("expected a member name in quotes");
        const std::string_view name = string();
        // Reject duplicate names: which one wins differs between parsers. Small objects compare
        // with the earlier members; large ones sort their names once, when they close.
        if (reject_duplicates_ && count < kLinearNameCheck)
          for (std::uint32_t c = index + 1; c < doc_.nodes_.size(); c = doc_.nodes_[c].end)
            if (doc_.nodes_[c].key == name) fail("duplicate member name \"" + std::string(name) + "\"");
        skip_space();
        if (!consume(':')) fail("expected ':' after a member name");
        skip_space();
        value(depth + 1, name);
        ++count;
        skip_space();
      } while (consume(','));
      if (!consume('}')) fail("expected ',' or '}' in an object");
      if (reject_duplicates_ && count > kLinearNameCheck) check_unique_names(index);
    }
    doc_.nodes_[index].count = count;
    doc_.nodes_[index].end = static_cast<std::uint32_t>(doc_.nodes_.size());
  }

  // The duplicate that the linear check would have found first: the earliest member whose name
  // an earlier member has. O(n log n); the error points after that member's name.
  void check_unique_names(std::uint32_t object) {
    names_.clear();
    std::uint32_t ordinal = 0;
    for (std::uint32_t c = object + 1; c < doc_.nodes_.size(); c = doc_.nodes_[c].end)
      names_.emplace_back(doc_.nodes_[c].key, ordinal++);
    std::sort(names_.begin(), names_.end());
    std::uint32_t first_duplicate = UINT32_MAX;
    std::string_view duplicate;
    for (std::size_t i = 1; i < names_.size(); ++i)
      if (names_[i].first == names_[i - 1].first && names_[i].second < first_duplicate) {
        first_duplicate = names_[i].second;
        duplicate = names_[i].first;
      }
    if (first_duplicate == UINT32_MAX) return;
    const char* begin = text_.data();
    if (duplicate.data() >= begin && duplicate.data() <= begin + text_.size())
      pos_ = static_cast<std::size_t>(duplicate.data() - begin) + duplicate.size() + 1;  // after the closing quote
    fail("duplicate member name \"" + std::string(duplicate) + "\"");
  }

  void array(int depth, std::string_view key) {
    if (depth >= kMaxDepth) fail("nesting too deep");
    ++pos_;
    const std::uint32_t index = push(JsonDoc::Type::kArray, key);
    std::uint32_t count = 0;
    skip_space();
    if (!consume(']')) {
      do {
        skip_space();
        value(depth + 1, {});
        ++count;
        skip_space();
      } while (consume(','));
      if (!consume(']')) fail("expected ',' or ']' in an array");
    }
    doc_.nodes_[index].count = count;
    doc_.nodes_[index].end = static_cast<std::uint32_t>(doc_.nodes_.size());
  }

  unsigned hex4() {
    if (pos_ + 4 > text_.size()) fail("incomplete \\u escape");
    unsigned v = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = text_[pos_++];
      v <<= 4;
      if (c >= '0' && c <= '9') v |= static_cast<unsigned>(c - '0');
      else if (c >= 'a' && c <= 'f') v |= static_cast<unsigned>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') v |= static_cast<unsigned>(c - 'A' + 10);
      else fail("invalid \\u escape");
    }
    return v;
  }

  static void append_utf8(std::string& out, unsigned cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  // Checks one UTF-8 sequence starting at pos_ (a lead byte >= 0x80) and steps over it.
  void utf8_sequence() {
    const auto b0 = static_cast<unsigned char>(text_[pos_]);
    int extra = 0;
    unsigned cp = 0;
    if (b0 >= 0xC2 && b0 <= 0xDF) { extra = 1; cp = b0 & 0x1Fu; }
    else if (b0 >= 0xE0 && b0 <= 0xEF) { extra = 2; cp = b0 & 0x0Fu; }
    else if (b0 >= 0xF0 && b0 <= 0xF4) { extra = 3; cp = b0 & 0x07u; }
    else fail("invalid UTF-8 in a string");
    if (pos_ + static_cast<std::size_t>(extra) >= text_.size()) fail("invalid UTF-8 in a string");
    for (int i = 1; i <= extra; ++i) {
      const auto b = static_cast<unsigned char>(text_[pos_ + static_cast<std::size_t>(i)]);
      if ((b & 0xC0) != 0x80) fail("invalid UTF-8 in a string");
      cp = (cp << 6) | (b & 0x3Fu);
    }
    if ((extra == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (extra == 3 && (cp < 0x10000 || cp > 0x10FFFF)))
      fail("invalid UTF-8 in a string");
    pos_ += static_cast<std::size_t>(extra) + 1;
  }

  std::string_view string() {
    ++pos_;  // opening quote
    const std::size_t start = pos_;
    while (true) {  // fast path: no escapes
      if (pos_ >= text_.size()) fail("unterminated string");
      const auto c = static_cast<unsigned char>(text_[pos_]);
      if (c == '"') {
        ++pos_;
        return text_.substr(start, pos_ - 1 - start);
      }
      if (c == '\\') break;
      if (c < 0x20) fail("control character in a string");
      if (c >= 0x80) utf8_sequence();
      else ++pos_;
    }
    std::string decoded(text_.substr(start, pos_ - start));
    while (true) {
      if (pos_ >= text_.size()) fail("unterminated string");
      const auto c = static_cast<unsigned char>(text_[pos_]);
      if (c == '"') {
        ++pos_;
        break;
      }
      if (c < 0x20) fail("control character in a string");
      if (c >= 0x80) {
        const std::size_t from = pos_;
        utf8_sequence();
        decoded.append(text_.substr(from, pos_ - from));
        continue;
      }
      if (c != '\\') {
        decoded += static_cast<char>(c);
        ++pos_;
        continue;
      }
      if (++pos_ >= text_.size()) fail("unterminated escape");
      const char e = text_[pos_++];
      switch (e) {
        case '"': decoded += '"'; break;
        case '\\': decoded += '\\'; break;
        case '/': decoded += '/'; break;
        case 'b': decoded += '\b'; break;
        case 'f': decoded += '\f'; break;
        case 'n': decoded += '\n'; break;
        case 'r': decoded += '\r'; break;
        case 't': decoded += '\t'; break;
        case 'u': {
          unsigned cp = hex4();
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (!(consume('\\') && consume('u'))) fail("unpaired surrogate in \\u escape");
            const unsigned low = hex4();
            if (low < 0xDC00 || low > 0xDFFF) fail("unpaired surrogate in \\u escape");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            fail("unpaired surrogate in \\u escape");
          }
          append_utf8(decoded, cp);
          break;
        }
        default: fail("invalid escape");
      }
    }
    doc_.arena_->push_back(std::move(decoded));
    return doc_.arena_->back();
  }

  // Infinity and -Infinity: not JSON, but what a Python float can hold (the library's Python
  // door asks for them, so that the checks name the field rather than fail the parse).
  void infinity(std::string_view key, bool negative) {
    const std::size_t start = pos_;
    pos_ += negative ? 1 : 0;
    if (text_.substr(pos_, 8) != "Infinity") fail("invalid literal");
    pos_ += 8;
    JsonDoc::Node& n = doc_.nodes_[push(JsonDoc::Type::kNumber, key)];
    n.text = text_.substr(start, pos_ - start);
    n.number = negative ? -HUGE_VAL : HUGE_VAL;
  }

  void number(std::string_view key) {
    const std::size_t start = pos_;
    consume('-');
    auto digits = [&] {
      const std::size_t from = pos_;
      while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') ++pos_;
      return pos_ - from;
    };
    if (pos_ >= text_.size()) fail("invalid value");
    if (text_[pos_] == '0') {
      ++pos_;
    } else if (digits() == 0) {
      fail("invalid value");
    }
    bool integral = true;
    if (consume('.')) {
      integral = false;
      if (digits() == 0) fail("expected digits after the decimal point");
    }
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      ++pos_;
      integral = false;
      if (!consume('+')) consume('-');
      if (digits() == 0) fail("expected digits in the exponent");
    }
    const std::string_view t = text_.substr(start, pos_ - start);
    JsonDoc::Node& n = doc_.nodes_[push(JsonDoc::Type::kNumber, key)];
    n.text = t;
    if (integral) {
      const auto r = std::from_chars(t.data(), t.data() + t.size(), n.integer);
      if (r.ec == std::errc()) n.type = JsonDoc::Type::kInteger;
    }
    const auto r = std::from_chars(t.data(), t.data() + t.size(), n.number);
    if (r.ec == std::errc::result_out_of_range) {
      // Beyond the doubles (1e400) or below their smallest step (1e-400): never 0 for a huge
      // number. The text stays as written, which the request checks read exactly.
      const auto e = t.find_first_of("eE");
      const bool tiny = e != std::string_view::npos ? t.substr(e + 1, 1) == "-"
                                                    : t.find_first_not_of("-0.") == std::string_view::npos ||
                                                          t.substr(t[0] == '-' ? 1 : 0, 2) == "0.";
      const bool negative = t[0] == '-';
      n.number = tiny ? (negative ? -0.0 : 0.0) : (negative ? -HUGE_VAL : HUGE_VAL);
    }
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  JsonDoc& doc_;
  bool reject_duplicates_;
  bool allow_infinity_;
  std::size_t max_values_;
  std::vector<std::pair<std::string_view, std::uint32_t>> names_;  // scratch of check_unique_names
};

JsonDoc JsonDoc::parse(std::string_view text, bool reject_duplicate_names) {
  ParseOptions options;
  options.reject_duplicate_names = reject_duplicate_names;
  return parse(text, options);
}

JsonDoc JsonDoc::parse(std::string_view text, const ParseOptions& options) {
  JsonDoc doc;
  doc.nodes_.reserve(std::min(text.size() / 16 + 8, options.max_values));
  JsonParser(text, doc, options).parse_document();
  return doc;
}

struct NlohmannCopier {
  JsonDoc& doc;

  std::string_view keep(std::string s) {
    doc.arena_->push_back(std::move(s));
    return doc.arena_->back();
  }

  void copy(const nlohmann::json& j, std::string_view key) {
    JsonDoc::Node n;
    n.key = key;
    switch (j.type()) {
      case nlohmann::json::value_t::null: n.type = JsonDoc::Type::kNull; break;
      case nlohmann::json::value_t::boolean: n.type = j.get<bool>() ? JsonDoc::Type::kTrue : JsonDoc::Type::kFalse; break;
      case nlohmann::json::value_t::number_integer:
        n.type = JsonDoc::Type::kInteger;
        n.integer = j.get<std::int64_t>();
        n.number = static_cast<double>(n.integer);
        n.text = keep(std::to_string(n.integer));
        break;
      case nlohmann::json::value_t::number_unsigned: {
        const auto u = j.get<std::uint64_t>();
        n.type = u <= static_cast<std::uint64_t>(INT64_MAX) ? JsonDoc::Type::kInteger : JsonDoc::Type::kNumber;
        n.integer = static_cast<std::int64_t>(u);
        n.number = static_cast<double>(u);
        n.text = keep(std::to_string(u));
        break;
      }
      case nlohmann::json::value_t::number_float: {
        n.type = JsonDoc::Type::kNumber;
        n.number = j.get<double>();
        n.text = keep(float_text(n.number));  // "NaN" and infinities kept for the checks to name
        break;
      }
      case nlohmann::json::value_t::string:
        n.type = JsonDoc::Type::kString;
        n.text = keep(j.get<std::string>());
        break;
      case nlohmann::json::value_t::array:
      case nlohmann::json::value_t::object: {
        n.type = j.is_array() ? JsonDoc::Type::kArray : JsonDoc::Type::kObject;
        n.count = static_cast<std::uint32_t>(j.size());
        doc.nodes_.push_back(n);
        const auto index = static_cast<std::uint32_t>(doc.nodes_.size() - 1);
        if (j.is_array()) {
          for (const auto& e : j) copy(e, {});
        } else {
          for (const auto& [k, v] : j.items()) copy(v, keep(k));
        }
        doc.nodes_[index].end = static_cast<std::uint32_t>(doc.nodes_.size());
        return;
      }
      default:
        throw std::invalid_argument("unsupported JSON value (binary or discarded)");
    }
    doc.nodes_.push_back(n);
    doc.nodes_.back().end = static_cast<std::uint32_t>(doc.nodes_.size());
  }
};

JsonDoc JsonDoc::from_nlohmann(const nlohmann::json& value) {
  JsonDoc doc;
  NlohmannCopier{doc}.copy(value, {});
  return doc;
}

namespace {
std::string quoted(std::string_view s) {
  return nlohmann::json(std::string(s)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}
}  // namespace

void JsonDoc::render_into(std::uint32_t index, std::string& out, std::size_t limit) const {
  if (out.size() > limit) return;
  const Node& n = nodes_[index];
  switch (n.type) {
    case Type::kNull: out += "null"; return;
    case Type::kTrue: out += "true"; return;
    case Type::kFalse: out += "false"; return;
    case Type::kInteger:
    case Type::kNumber: out += n.text; return;
    case Type::kString: out += quoted(n.text); return;
    case Type::kArray:
    case Type::kObject: {
      const bool object = n.type == Type::kObject;
      out += object ? '{' : '[';
      std::uint32_t k = 0;
      for (std::uint32_t c = index + 1; c < n.end && out.size() <= limit; c = nodes_[c].end, ++k) {
        if (k) out += ',';
        if (object) out += quoted(nodes_[c].key) + ":";
        render_into(c, out, limit);
      }
      out += object ? '}' : ']';
      return;
    }
  }
}

std::string JsonDoc::render(std::uint32_t index, std::size_t limit) const {
  std::string out;
  render_into(index, out, limit);
  if (out.size() > limit) out = out.substr(0, limit - 3) + "...";
  return out;
}

}  // namespace cybercover::detail
