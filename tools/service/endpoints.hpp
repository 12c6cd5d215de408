#pragma once
// The endpoints of the API, as metric and log labels.

#include <cstdint>
#include <string_view>

namespace cybercover::service {

enum class Endpoint : std::uint8_t {
  kAssess,       // POST /v1/assess
  kQuote,        // POST /v1/quote
  kQuotes,       // POST /v1/quotes
  kRemediation,  // POST /v1/remediation
  kReport,       // POST /v1/report
  kTables,       // GET /v1/tables
  kHealthz,      // GET /healthz
  kReadyz,       // GET /readyz
  kMetrics,      // GET /metrics
  kOther,        // any other path (404), or a request that never got a path (400, 408, 503)
  kCount
};

inline constexpr std::size_t kEndpointCount = static_cast<std::size_t>(Endpoint::kCount);

inline std::string_view endpoint_path(Endpoint e) {
  constexpr std::string_view kPaths[] = {"/v1/assess", "/v1/quote", "/v1/quotes", "/v1/remediation", "/v1/report",
                                         "/v1/tables", "/healthz",  "/readyz",    "/metrics",        "other"};
  return kPaths[static_cast<std::size_t>(e)];
}

}  // namespace cybercover::service
