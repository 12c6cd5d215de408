#pragma once
// What each endpoint answers, apart from the sockets: the header's admission checks (path,
// method, media type, body limit) and the handling of a whole request. The server
// (server.cpp) reads and writes; everything said to a client is decided here.

#include <atomic>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "service/config.hpp"
#include "service/endpoints.hpp"
#include "service/metrics.hpp"
#include "service/tables_state.hpp"

namespace cybercover::service {

inline constexpr const char* kJsonType = "application/json";
inline constexpr const char* kHtmlType = "text/html; charset=utf-8";
inline constexpr const char* kMetricsType = "text/plain; version=0.0.4; charset=utf-8";
inline constexpr std::size_t kNoError = static_cast<std::size_t>(-1);

struct ServiceContext {
  const ServeConfig& config;
  TablesHolder& tables;
  Metrics& metrics;
  const std::atomic<bool>& draining;
};

struct Reply {
  unsigned status = 200;
  const char* content_type = kJsonType;
  std::string body;
  const char* allow = nullptr;  // 405: the methods the endpoint takes
  bool retry_after = false;     // 503: Retry-After: 1
  bool close = false;           // the connection cannot go on after this reply
  std::size_t error_id = kNoError;  // the request's error (error_id()), for the log
  std::size_t batch_items = 0;
  std::size_t batch_errors = 0;
  std::uint64_t tables_generation = 0;  // the tables that answered (0: none)
};

// What the request line and headers decide before the body is read.
struct Admission {
  Endpoint endpoint = Endpoint::kOther;
  bool offload = false;        // handled on the worker pool (batches, plans, reports)
  std::size_t body_limit = 0;  // bytes
  std::optional<Reply> reject;  // answered without handling (the body is still read, if small)
};

Admission admit(const ServiceContext& context, std::string_view method, std::string_view target,
                std::string_view content_type, std::string_view content_encoding,
                std::string_view request_id);

// Handles an admitted request. Never throws: every failure is a reply with its code.
Reply handle(const ServiceContext& context, Endpoint endpoint, std::string_view target, std::string_view body,
             std::string_view request_id);

// Replies of the HTTP layer (also counted in the metrics' errors).
Reply http_error_reply(const ServiceContext& context, HttpError error, std::string_view detail,
                       std::string_view request_id);
Reply library_error_reply(const ServiceContext& context, const Error& error, std::string_view request_id);

}  // namespace cybercover::service
