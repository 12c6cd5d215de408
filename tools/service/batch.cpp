#include "service/batch.hpp"

#include "cybercover/io/json_io.hpp"
#include "service/errors.hpp"
#include "service/json_text.hpp"

namespace cybercover::service {

namespace {

// The bytes EnvelopeScanner::skip_value must look at inside a container.
struct StructuralBytes {
  bool is[256] = {};
  constexpr StructuralBytes() {
    for (const unsigned char c : {'"', '{', '}', '[', ']'}) is[c] = true;
  }
  constexpr bool operator[](unsigned char c) const { return is[c]; }
};
constexpr StructuralBytes kStructural;

// Finds the extent of JSON values without building them: strings are skipped with their
// escapes, brackets matched. What it does not check inside an item (a bad literal, a
// missing colon) the library reports for that item.
class EnvelopeScanner {
 public:
  explicit EnvelopeScanner(std::string_view text) : text_(text) {}

  std::vector<std::string_view> split(std::size_t max_items) {
    skip_space();
    if (at_end()) fail("unexpected end of input");
    if (peek() != '{') {
      const std::size_t start = pos_;
      skip_value();
      throw Error(ErrorCode::kWrongType, "body", "must be a JSON object {\"requests\": [...]}",
                  sanitize_for_message(text_.substr(start, pos_ - start)));
    }
    ++pos_;
    std::vector<std::string_view> items;
    bool seen_requests = false;
    skip_space();
    if (!consume('}')) {
      do {
        skip_space();
        if (at_end() || peek() != '"') fail("expected a member name in quotes");
        const std::size_t key_start = pos_;
        skip_string();
        const std::string_view key = text_.substr(key_start + 1, pos_ - key_start - 2);
        skip_space();
        if (!consume(':')) fail("expected ':' after a member name");
        skip_space();
        if (key != "requests") throw Error(ErrorCode::kUnknownField, std::string(key), "unknown field");
        if (seen_requests) throw Error(ErrorCode::kDuplicateField, "requests", "field given twice");
        seen_requests = true;
        read_requests(items, max_items);
        skip_space();
      } while (consume(','));
      if (!consume('}')) fail("expected ',' or '}' in an object");
    }
    skip_space();
    if (!at_end()) fail("unexpected text after the JSON value");
    if (!seen_requests) throw Error(ErrorCode::kMissing, "requests", "required field is missing");
    return items;
  }

 private:
  void read_requests(std::vector<std::string_view>& items, std::size_t max_items) {
    if (at_end()) fail("unexpected end of input");
    if (peek() != '[') {
      const std::size_t start = pos_;
      skip_value();
      throw Error(ErrorCode::kWrongType, "requests", "must be an array",
                  sanitize_for_message(text_.substr(start, pos_ - start)));
    }
    ++pos_;
    skip_space();
    if (consume(']')) return;
    do {
      skip_space();
      const std::size_t start = pos_;
      skip_value();
      if (items.size() == max_items)
        throw Error(ErrorCode::kBatchTooLarge, "requests",
                    "must hold at most " + std::to_string(max_items) + " requests; split the batch",
                    "more than " + std::to_string(max_items));
      items.push_back(text_.substr(start, pos_ - start));
      skip_space();
    } while (consume(','));
    if (!consume(']')) fail("expected ',' or ']' in an array");
  }

  // Skips one value, nested ones included, with an explicit stack (no recursion).
  void skip_value() {
    if (at_end()) fail("unexpected end of input");
    std::string open;  // the brackets still open, innermost last
    do {
      const char c = peek();
      if (c == '"') {
        skip_string();
      } else if (c == '{' || c == '[') {
        // Depth here counts the envelope's object and array.
        if (open.size() + 2 >= kMaxBatchNesting)
          throw Error(ErrorCode::kTooDeep, "requests", "nesting too deep (more than " + std::to_string(kMaxBatchNesting) + " levels)");
        open += c == '{' ? '}' : ']';
        ++pos_;
      } else if (c == '}' || c == ']') {
        if (open.empty() || open.back() != c) fail(std::string("unexpected '") + c + "'");
        open.pop_back();
        ++pos_;
      } else if (open.empty()) {
        skip_scalar();
      } else {
        // ',' ':' whitespace and scalar bytes inside a container: skip to the next byte
        // that matters.
        ++pos_;
        while (pos_ < text_.size() && !kStructural[static_cast<unsigned char>(text_[pos_])]) ++pos_;
      }
      if (at_end() && !open.empty()) fail("unexpected end of input");
    } while (!open.empty());
  }

  void skip_scalar() {
    const std::size_t start = pos_;
    while (!at_end()) {
      const char c = peek();
      if (c == ',' || c == ']' || c == '}' || c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '"' ||
          c == '{' || c == '[' || c == ':')
        break;
      ++pos_;
    }
    if (pos_ == start) fail("expected a value");
  }

  void skip_string() {
    ++pos_;  // the opening quote
    while (!at_end()) {
      const auto c = static_cast<unsigned char>(text_[pos_]);
      if (c == '"') {
        ++pos_;
        return;
      }
      if (c == '\\') {
        if (pos_ + 1 >= text_.size()) break;
        pos_ += 2;
        continue;
      }
      if (c < 0x20) fail("control character in a string");
      ++pos_;
    }
    fail("unterminated string");
  }

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
    throw Error(ErrorCode::kMalformedJson, "body",
                "malformed JSON: " + what + " at line " + std::to_string(line) + ", column " + std::to_string(column));
  }

  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return text_[pos_]; }
  bool consume(char c) {
    if (!at_end() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  void skip_space() {
    while (!at_end()) {
      const char c = text_[pos_];
      if (c != ' ' && c != '\n' && c != '\r' && c != '\t') break;
      ++pos_;
    }
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

}  // namespace

std::vector<std::string_view> split_batch(std::string_view body, std::size_t max_items) {
  return EnvelopeScanner(body).split(max_items);
}

BatchResult quote_batch(const Engine& engine, std::string_view body, std::size_t max_items, const JsonReadOptions& read,
                        const std::function<void(ErrorCode)>& on_item_error) {
  const std::vector<std::string_view> items = split_batch(body, max_items);
  BatchResult result;
  result.count = items.size();
  // The results are written once, into a buffer sized from the first quote (quotes of one
  // batch are of similar length), and the envelope's head is inserted in front at the end:
  // no growth copies of a 30 MB body.
  constexpr std::size_t kHeadRoom = 64;
  std::string& out = result.body;
  out.reserve(kHeadRoom + items.size() * 2048);
  bool sized = false;
  out += '[';
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += ',';
    try {
      const std::string quote = quote_json(engine, items[i], read);
      if (!sized) {
        out.reserve(out.size() + (quote.size() + 64) * (items.size() - i) + kHeadRoom);
        sized = true;
      }
      out += "{\"index\":";
      out += std::to_string(i);
      out += ",\"ok\":true,\"quote\":";
      out += quote;
      out += '}';
    } catch (const Error& e) {
      ++result.errors;
      if (on_item_error) on_item_error(e.code());
      out += "{\"error\":";
      append_error_object(out, e);
      out += ",\"index\":";
      out += std::to_string(i);
      out += ",\"ok\":false}";
    }
  }
  out += "]}";
  const std::string head = "{\"count\":" + std::to_string(result.count) + ",\"error_count\":" +
                           std::to_string(result.errors) + ",\"results\":";
  out.insert(0, head);
  return result;
}

}  // namespace cybercover::service
