#include "service/errors.hpp"

#include <array>

#include "service/json_text.hpp"

namespace cybercover::service {

namespace {

const std::array<HttpErrorInfo, static_cast<std::size_t>(HttpError::kCount)> kHttpErrors = {{
    {HttpError::kNotFound, "http.not_found", 404, "No endpoint has this path."},
    {HttpError::kMethodNotAllowed, "http.method_not_allowed", 405,
     "The endpoint does not take this method; the Allow header lists the ones it takes."},
    {HttpError::kUnsupportedMediaType, "http.unsupported_media_type", 415,
     "A body that is not declared JSON (Content-Type application/json), or has a Content-Encoding."},
    {HttpError::kBadRequest, "http.bad_request", 400,
     "Not a valid HTTP/1.1 request (bad request line, header or chunking; the connection closed mid-request)."},
    {HttpError::kHeaderTooLarge, "http.header_too_large", 431, "The request line and headers exceed the header limit."},
    {HttpError::kRequestTimeout, "http.request_timeout", 408,
     "The request did not arrive whole within the read timeout; the connection is closed."},
    {HttpError::kTooManyConnections, "http.too_many_connections", 503,
     "The server holds its maximum of open connections; retry after the Retry-After seconds."},
    {HttpError::kOverloaded, "http.overloaded", 503,
     "The queue of batch, plan and report jobs is full; retry after the Retry-After seconds."},
    {HttpError::kInternal, "http.internal", 500, "An unexpected failure inside the server (it is logged)."},
}};

void append_nullable(std::string& out, const std::string& text) {
  if (text.empty()) out += "null";
  else append_json_string(out, text);
}

}  // namespace

const HttpErrorInfo& info(HttpError error) { return kHttpErrors[static_cast<std::size_t>(error)]; }

const char* error_id_name(std::size_t id) {
  if (id < kLibraryCodeCount) return to_string(static_cast<ErrorCode>(id));
  return kHttpErrors[id - kLibraryCodeCount].code;
}

unsigned status_of(const Error& error) {
  if (error.code() == ErrorCode::kRequestTooLarge) return 413;
  switch (error.kind()) {
    case ErrorKind::kInput:
    case ErrorKind::kNoEdition: return 400;
    case ErrorKind::kTable:
    case ErrorKind::kIo: return 500;
  }
  return 500;
}

void append_error_object(std::string& out, const Error& error) {
  out += "{\"code\":";
  append_json_string(out, to_string(error.code()));
  out += ",\"detail\":";
  append_json_string(out, error.detail());
  out += ",\"field\":";
  append_nullable(out, error.field());
  out += ",\"message\":";
  append_json_string(out, error.what());
  out += ",\"value\":";
  append_nullable(out, error.value());
  out += '}';
}

std::string error_body(const Error& error, std::string_view request_id) {
  std::string out = "{\"error\":";
  append_error_object(out, error);
  out += ",\"request_id\":";
  append_json_string(out, request_id);
  out += "}";
  return out;
}

std::string error_body(HttpError error, std::string_view detail, std::string_view request_id) {
  const HttpErrorInfo& i = info(error);
  std::string out = "{\"error\":{\"code\":";
  append_json_string(out, i.code);
  out += ",\"detail\":";
  append_json_string(out, detail);
  out += ",\"field\":null,\"message\":";
  append_json_string(out, std::string("[cybercover.") + i.code + "] " + std::string(detail));
  out += ",\"value\":null},\"request_id\":";
  append_json_string(out, request_id);
  out += "}";
  return out;
}

}  // namespace cybercover::service
