#include "service/config.hpp"

#include <charconv>
#include <cstdlib>
#include <string_view>

namespace cybercover::service {

namespace {

constexpr const char* kUsage = R"(usage: cybercover serve [options]
The HTTP/JSON API (docs/http_api.md). Each option can also be set by the environment variable
in brackets; a flag wins over the variable.
  --address HOST:PORT     listen address (CYBERCOVER_ADDRESS; default 127.0.0.1:8080; port 0
                          picks a free port, printed in the "listening" line on standard error)
  --tables DIR            rating tables (CYBERCOVER_TABLES; default: the library's tables)
  --threads N             network threads (CYBERCOVER_THREADS; default: one per core)
  --workers N             threads for batches, plans and reports (CYBERCOVER_WORKERS; default: one per core)
  --body-limit BYTES      largest body of one request (CYBERCOVER_BODY_LIMIT; default 1048576)
  --batch-body-limit BYTES  largest POST /v1/quotes body (CYBERCOVER_BATCH_BODY_LIMIT; default 8388608)
  --header-limit BYTES    largest request line + headers (CYBERCOVER_HEADER_LIMIT; default 8192)
  --max-batch N           requests in one /v1/quotes body, 1 to 1000 (CYBERCOVER_MAX_BATCH; default 1000)
  --max-connections N     open connections; more get 503 (CYBERCOVER_MAX_CONNECTIONS; default 512)
  --max-queue N           worker jobs queued or running; more get 503 (CYBERCOVER_MAX_QUEUE; default 64)
  --read-timeout SECONDS  a whole request, from its first byte (CYBERCOVER_READ_TIMEOUT; default 10)
  --idle-timeout SECONDS  keep-alive wait for the next request (CYBERCOVER_IDLE_TIMEOUT; default 30)
  --write-timeout SECONDS a whole response (CYBERCOVER_WRITE_TIMEOUT; default 10)
  --shutdown-timeout SECONDS  SIGTERM: longest wait for requests in flight (CYBERCOVER_SHUTDOWN_TIMEOUT; default 30)
  --access-log PATH|-|off one JSON line per request (CYBERCOVER_ACCESS_LOG; default -: standard output)
Signals: SIGTERM/SIGINT finish the requests in flight and exit 0; SIGHUP reloads the tables
(a bad table is refused and the old tables stay; GET /metrics says so).
)";

struct Setting {
  const char* flag;
  const char* env;
  void (*apply)(ServeConfig&, const std::string& name, const std::string& value);
};

[[noreturn]] void bad(const std::string& name, const std::string& value, const std::string& rule) {
  throw ConfigError(name + " " + rule + ", got \"" + value + "\"");
}

std::uint64_t whole_number(const std::string& name, const std::string& value, std::uint64_t min, std::uint64_t max) {
  std::uint64_t n = 0;
  const char* end = value.data() + value.size();
  const auto [p, ec] = std::from_chars(value.data(), end, n);
  if (value.empty() || ec != std::errc() || p != end)
    bad(name, value, "must be a whole number");
  if (n < min || n > max)
    bad(name, value, "must be between " + std::to_string(min) + " and " + std::to_string(max));
  return n;
}

// Seconds with up to 3 decimals ("0.5", "30"), as milliseconds.
std::chrono::milliseconds seconds(const std::string& name, const std::string& value) {
  std::string_view v = value;
  const auto dot = v.find('.');
  const std::string whole(v.substr(0, dot));
  std::string frac(dot == std::string_view::npos ? "" : v.substr(dot + 1));
  if (whole.empty() || frac.size() > 3 || (dot != std::string_view::npos && frac.empty()))
    bad(name, value, "must be a number of seconds with at most 3 decimals");
  for (char c : whole + frac)
    if (c < '0' || c > '9') bad(name, value, "must be a number of seconds with at most 3 decimals");
  frac.resize(3, '0');
  const std::uint64_t ms = whole_number(name, whole, 0, 86'400) * 1000 + std::stoul(frac);
  if (ms == 0 || ms > 86'400'000) bad(name, value, "must be between 0.001 and 86400 seconds");
  return std::chrono::milliseconds(ms);
}

void address(ServeConfig& c, const std::string& name, const std::string& value) {
  const auto colon = value.rfind(':');
  if (colon == std::string::npos || colon == 0) bad(name, value, "must be HOST:PORT");
  std::string host = value.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  c.host = host;
  c.port = static_cast<std::uint16_t>(whole_number(name, value.substr(colon + 1), 0, 65535));
}

const Setting kSettings[] = {
    {"--address", "CYBERCOVER_ADDRESS", address},
    {"--tables", "CYBERCOVER_TABLES",
     [](ServeConfig& c, const std::string& name, const std::string& v) {
       if (v.empty()) bad(name, v, "must name a directory");
       c.tables_dir = v;
     }},
    {"--threads", "CYBERCOVER_THREADS",
     [](ServeConfig& c, const std::string& n, const std::string& v) { c.threads = static_cast<int>(whole_number(n, v, 1, 256)); }},
    {"--workers", "CYBERCOVER_WORKERS",
     [](ServeConfig& c, const std::string& n, const std::string& v) { c.workers = static_cast<int>(whole_number(n, v, 1, 256)); }},
    {"--body-limit", "CYBERCOVER_BODY_LIMIT",
     [](ServeConfig& c, const std::string& n, const std::string& v) { c.body_limit = whole_number(n, v, 1024, std::uint64_t{1} << 30); }},
    {"--batch-body-limit", "CYBERCOVER_BATCH_BODY_LIMIT",
     [](ServeConfig& c, const std::string& n, const std::string& v) {
       c.batch_body_limit = whole_number(n, v, 1024, std::uint64_t{1} << 30);
     }},
    {"--header-limit", "CYBERCOVER_HEADER_LIMIT",
     [](ServeConfig& c, const std::string& n, const std::string& v) { c.header_limit = whole_number(n, v, 1024, 1 << 20); }},
    {"--max-batch", "CYBERCOVER_MAX_BATCH",
     [](ServeConfig& c, const std::string& n, const std::string& v) { c.max_batch = whole_number(n, v, 1, kMaxBatchBound); }},
    {"--max-connections", "CYBERCOVER_MAX_CONNECTIONS",
     [](ServeConfig& c, const std::string& n, const std::string& v) { c.max_connections = whole_number(n, v, 1, 100'000); }},
    {"--max-queue", "CYBERCOVER_MAX_QUEUE",
     [](ServeConfig& c, const std::string& n, const std::string& v) { c.max_queue = whole_number(n, v, 1, 100'000); }},
    {"--read-timeout", "CYBERCOVER_READ_TIMEOUT",
     [](ServeConfig& c, const std::string& n, const std::string& v) { c.read_timeout = seconds(n, v); }},
    {"--idle-timeout", "CYBERCOVER_IDLE_TIMEOUT",
     [](ServeConfig& c, const std::string& n, const std::string& v) { c.idle_timeout = seconds(n, v); }},
    {"--write-timeout", "CYBERCOVER_WRITE_TIMEOUT",
     [](ServeConfig& c, const std::string& n, const std::string& v) { c.write_timeout = seconds(n, v); }},
    {"--shutdown-timeout", "CYBERCOVER_SHUTDOWN_TIMEOUT",
     [](ServeConfig& c, const std::string& n, const std::string& v) { c.shutdown_timeout = seconds(n, v); }},
    {"--access-log", "CYBERCOVER_ACCESS_LOG",
     [](ServeConfig& c, const std::string& name, const std::string& v) {
       if (v.empty()) bad(name, v, "must be a file, - or off");
       c.access_log = v;
     }},
};

}  // namespace

ServeConfig parse_serve_config(const std::vector<std::string>& args,
                               const std::function<std::optional<std::string>(const char*)>& getenv) {
  ServeConfig config;
  // The environment first, then the flags over it.
  for (const Setting& s : kSettings)
    if (const auto v = getenv(s.env); v && !v->empty()) s.apply(config, std::string("$") + s.env, *v);
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string flag = args[i], value;
    bool has_value = false;
    if (const auto eq = flag.find('='); flag.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = flag.substr(eq + 1);
      flag = flag.substr(0, eq);
      has_value = true;
    }
    const Setting* setting = nullptr;
    for (const Setting& s : kSettings)
      if (flag == s.flag) setting = &s;
    if (!setting) throw ConfigError("unknown option " + flag);
    if (!has_value) {
      if (i + 1 >= args.size()) throw ConfigError(flag + " needs a value");
      value = args[++i];
    }
    setting->apply(config, flag, value);
  }
  if (config.batch_body_limit < config.body_limit)
    throw ConfigError("--batch-body-limit (" + std::to_string(config.batch_body_limit) +
                      ") must be at least --body-limit (" + std::to_string(config.body_limit) + ")");
  return config;
}

const char* serve_usage() { return kUsage; }

}  // namespace cybercover::service
