#pragma once
// The errors of the HTTP layer itself (the library's codes cover the requests' contents):
// each has a stable code, spelled "http.<name>", and one status. docs/http_api.md lists them.

#include <cstdint>
#include <string>
#include <string_view>

#include "cybercover/error.hpp"

namespace cybercover::service {

enum class HttpError : std::uint8_t {
  kNotFound,              // http.not_found                404
  kMethodNotAllowed,      // http.method_not_allowed       405
  kUnsupportedMediaType,  // http.unsupported_media_type   415
  kBadRequest,            // http.bad_request              400 (not an HTTP/1.1 request)
  kHeaderTooLarge,        // http.header_too_large         431
  kRequestTimeout,        // http.request_timeout          408
  kTooManyConnections,    // http.too_many_connections     503
  kOverloaded,            // http.overloaded               503
  kInternal,              // http.internal                 500
  kCount
};

struct HttpErrorInfo {
  HttpError error;
  const char* code;
  unsigned status;
  const char* rule;
};

const HttpErrorInfo& info(HttpError error);

// Every error a response can carry, library or HTTP, as one index (for metrics): the
// library's codes first, then the HTTP layer's.
inline constexpr std::size_t kLibraryCodeCount = static_cast<std::size_t>(ErrorCode::kCount);
inline constexpr std::size_t kErrorIdCount = kLibraryCodeCount + static_cast<std::size_t>(HttpError::kCount);
inline std::size_t error_id(ErrorCode code) { return static_cast<std::size_t>(code); }
inline std::size_t error_id(HttpError error) { return kLibraryCodeCount + static_cast<std::size_t>(error); }
// The code's stable spelling ("input.below_minimum", "http.not_found").
const char* error_id_name(std::size_t id);

// The HTTP status of a library error: 413 for input.too_large, 400 for other input and
// no_edition errors, 500 for table and io errors (tables are loaded before serving).
unsigned status_of(const Error& error);

// Error bodies: {"error": {"code", "field", "detail", "value", "message"}, "request_id"}.
// `field` and `value` are null when the error has none.
void append_error_object(std::string& out, const Error& error);
std::string error_body(const Error& error, std::string_view request_id);
std::string error_body(HttpError error, std::string_view detail, std::string_view request_id);

}  // namespace cybercover::service
