#pragma once
// One JSON line per request (docs/http_api.md lists the keys). Lines are gathered in memory
// and written by a background thread every 20 ms (or at 64 KiB), whole lines per write(2) to
// a file opened O_APPEND (or to standard output): lines of different threads never interleave,
// and a request does not wait for the disk (a write costs ~10 µs here, a third of a quote).
// Everything is written when the log is destroyed; a crash loses at most the last 20 ms.
// Text that came from the client is escaped and cut short: no log injection.

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace cybercover::service {

struct AccessRecord {
  std::string_view request_id;
  std::string_view remote;
  std::string_view method;
  std::string_view target;
  std::string_view endpoint;
  unsigned status = 0;
  const char* error_code = nullptr;  // nullptr: none
  std::uint64_t bytes_in = 0;        // request body
  std::uint64_t bytes_out = 0;       // response body
  std::int64_t read_us = 0;          // first byte to last byte of the request
  std::int64_t duration_us = 0;      // last byte read to last byte written
  std::size_t batch_items = 0;       // POST /v1/quotes
  std::size_t batch_errors = 0;
  std::uint64_t tables_generation = 0;
  bool keep_alive = false;
  bool sent = true;  // false: the connection failed before the response was written
};

class AccessLog {
 public:
  // "-": standard output; "off": nothing; else a file, created or appended to.
  explicit AccessLog(const std::string& where);
  ~AccessLog();
  AccessLog(const AccessLog&) = delete;
  AccessLog& operator=(const AccessLog&) = delete;

  bool enabled() const { return fd_ >= 0; }
  void write(const AccessRecord& record);
  // Writes what is buffered now (the destructor does too).
  void flush();

 private:
  void flusher();

  int fd_ = -1;
  bool owned_ = false;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::string pending_;  // whole lines not yet written
  bool stop_ = false;
  std::mutex write_mutex_;  // one write(2) of the buffer at a time, in order
  std::thread thread_;
};

// Writes one JSON line of an event (listening, reload, shutdown) to standard error.
void log_event(const std::string& json_object_members);

// The time now as "2026-12-15T09:30:00.123Z".
std::string utc_timestamp();

}  // namespace cybercover::service
