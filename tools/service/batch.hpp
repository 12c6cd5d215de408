#pragma once
// POST /v1/quotes: a batch of requests in one body, {"requests": [R0, R1, ...]}.
//
// The envelope is checked here; each request is left as the bytes the client sent and read by
// the library exactly as a single POST /v1/quote body is, so an item gets byte for byte the
// response (or the error) it would get alone. Money is never touched here.

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "cybercover/error.hpp"
#include "cybercover/io/json_io.hpp"
#include "cybercover/quote/engine.hpp"

namespace cybercover::service {

// Returns the text of each request of a batch body. Throws Error: input.malformed_json (with
// line and column) for a body that is not one JSON value, input.wrong_type when the body is
// not an object or "requests" not an array, input.unknown_field / input.duplicate_field /
// input.missing for other members, input.too_deep past kMaxBatchNesting, and
// input.batch_too_large for more than `max_items` requests (found without reading further).
std::vector<std::string_view> split_batch(std::string_view body, std::size_t max_items);

// Arrays and objects a batch body may nest (the envelope's two levels included); the
// library's own limit for one request is lower, so this never decides an item's error.
inline constexpr std::size_t kMaxBatchNesting = 256;

struct BatchResult {
  std::string body;  // {"count", "error_count", "results": [{"index", "ok", "quote"|"error"}]}
  std::size_t count = 0;
  std::size_t errors = 0;
};

// Quotes every request of a batch body, in order, each read with `read` (as a single
// request is). A bad item fails alone, with its index; `on_item_error` sees each item's
// error code (for metrics). Throws what split_batch throws.
BatchResult quote_batch(const Engine& engine, std::string_view body, std::size_t max_items, const JsonReadOptions& read,
                        const std::function<void(ErrorCode)>& on_item_error);

}  // namespace cybercover::service
