#pragma once
// The settings of `cybercover serve`: each one a flag and an environment variable (the flag
// wins), with a default and bounds. docs/http_api.md lists them.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace cybercover::service {

struct ServeConfig {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;  // 0: any free port (the "listening" log line says which)
  std::string tables_dir;     // empty: the library's default tables
  int threads = 0;            // network threads (0: one per core)
  int workers = 0;            // threads for /v1/quotes, /v1/remediation, /v1/report (0: one per core)

  std::size_t body_limit = std::size_t{1} << 20;         // one request: 1 MiB
  std::size_t batch_body_limit = std::size_t{8} << 20;   // POST /v1/quotes: 8 MiB
  std::size_t header_limit = std::size_t{8} << 10;       // request line + headers: 8 KiB
  std::size_t max_batch = 1000;                          // requests in one /v1/quotes body
  std::size_t max_connections = 512;                     // open connections at once
  std::size_t max_queue = 64;                            // worker jobs queued or running

  std::chrono::milliseconds read_timeout{10'000};      // a whole request, from its first byte
  std::chrono::milliseconds idle_timeout{30'000};      // keep-alive wait for the next request
  std::chrono::milliseconds write_timeout{10'000};     // a whole response
  std::chrono::milliseconds shutdown_timeout{30'000};  // SIGTERM: longest wait for requests in flight

  std::string access_log = "-";  // a file (appended), "-" standard output, "off"
};

// The hard bound of max_batch (the API's documented maximum).
inline constexpr std::size_t kMaxBatchBound = 1000;

struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Reads the flags (argv after "serve") over the environment (`getenv`, injectable for tests)
// over the defaults. Throws ConfigError naming the flag or variable and the value.
ServeConfig parse_serve_config(const std::vector<std::string>& args,
                               const std::function<std::optional<std::string>(const char*)>& getenv);

// The usage text of `cybercover serve --help`.
const char* serve_usage();

}  // namespace cybercover::service
