#pragma once
// A read-only JSON document: a strict RFC 8259 parser built for the quote path (a request is
// parsed in a few microseconds; nlohmann's DOM takes ten times longer). Nodes live in one
// vector; strings are views into the text, or into an arena when they had escapes. Number
// nodes keep their text, so decimals are read exactly as written.

#include <cstdint>
#include <deque>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace cybercover::detail {

class JsonDoc {
 public:
  enum class Type : std::uint8_t { kNull, kFalse, kTrue, kInteger, kNumber, kString, kArray, kObject };

  struct Node {
    Type type = Type::kNull;
    std::uint32_t count = 0;  // members or elements (arrays, objects)
    std::uint32_t end = 0;    // index one past this node's subtree
    std::string_view key;     // member name when the parent is an object
    std::string_view text;    // string value, or a number as written
    std::int64_t integer = 0;
    double number = 0;
  };

  // Parses `text` (kept by reference: it must outlive the document). Throws
  // std::invalid_argument "<reason> at line L, column C" when it is not one JSON value.
  // Duplicate member names are rejected when asked (quadratic in an object's size, so the
  // request path leaves it to JsonCursor::only_keys and the answer sheet).
  static JsonDoc parse(std::string_view text, bool reject_duplicate_names = true);
  struct ParseOptions {
    bool reject_duplicate_names = true;
    bool allow_infinity_literals = false;  // Infinity / -Infinity (Python floats), not JSON
    // At most this many values (nodes), so that the nodes cost at most max_values x 64 bytes
    // whatever the text: [0,0,0,...] would otherwise cost 32 bytes per byte of input.
    std::size_t max_values = std::size_t{1} << 20;
  };
  // Thrown (instead of std::invalid_argument) when the document holds more than max_values.
  struct TooManyValues : std::length_error {
    using std::length_error::length_error;
  };
  static JsonDoc parse(std::string_view text, const ParseOptions& options);
  // Copies an nlohmann value, keeping NaN and infinities as numbers (for the checks to reject).
  static JsonDoc from_nlohmann(const nlohmann::json& value);

  const Node& node(std::uint32_t index) const { return nodes_[index]; }
  std::uint32_t root() const { return 0; }
  // The first child of a container node, then the next sibling of a child.
  std::uint32_t first_child(std::uint32_t index) const { return index + 1; }
  std::uint32_t next_sibling(std::uint32_t index) const { return nodes_[index].end; }

  // Renders a node as compact JSON, cut at `limit` characters, for error messages.
  std::string render(std::uint32_t index, std::size_t limit = 60) const;

 private:
  void render_into(std::uint32_t index, std::string& out, std::size_t limit) const;
  friend class JsonParser;
  friend struct NlohmannCopier;
  std::vector<Node> nodes_;
  std::shared_ptr<std::deque<std::string>> arena_ = std::make_shared<std::deque<std::string>>();
};

}  // namespace cybercover::detail
