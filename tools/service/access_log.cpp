#include "service/access_log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <system_error>

#include "cybercover/error.hpp"
#include "service/json_text.hpp"

namespace cybercover::service {

namespace {

void write_all(int fd, const std::string& line) {
  std::size_t done = 0;
  while (done < line.size()) {
    const ssize_t n = ::write(fd, line.data() + done, line.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return;  // a full disk or a closed pipe must not stop the service
    }
    done += static_cast<std::size_t>(n);
  }
}

void add(std::string& out, const char* key, std::string_view client_text, std::size_t max_bytes) {
  out += ",\"";
  out += key;
  out += "\":";
  append_json_string(out, sanitize_for_message(client_text, max_bytes));
}

void add(std::string& out, const char* key, std::int64_t value) {
  out += ",\"";
  out += key;
  out += "\":";
  out += std::to_string(value);
}

}  // namespace

std::string utc_timestamp() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return buf;
}

constexpr auto kFlushInterval = std::chrono::milliseconds(20);
constexpr std::size_t kFlushBytes = 64 * 1024;

AccessLog::AccessLog(const std::string& where) {
  if (where == "off") return;
  if (where == "-") {
    fd_ = STDOUT_FILENO;
  } else {
    fd_ = ::open(where.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd_ < 0)
      throw Error(ErrorCode::kIoCannotWrite, where, std::string("cannot open the access log: ") + std::strerror(errno));
    owned_ = true;
  }
  thread_ = std::thread([this] { flusher(); });
}

AccessLog::~AccessLog() {
  if (thread_.joinable()) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    cv_.notify_one();
    thread_.join();
  }
  flush();
  if (owned_) ::close(fd_);
}

void AccessLog::flusher() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stop_) {
    cv_.wait_for(lock, kFlushInterval, [this] { return stop_ || pending_.size() >= kFlushBytes; });
    lock.unlock();
    flush();
    lock.lock();
  }
}

void AccessLog::flush() {
  if (fd_ < 0) return;
  std::lock_guard<std::mutex> order(write_mutex_);
  std::string lines;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    lines.swap(pending_);
  }
  if (!lines.empty()) write_all(fd_, lines);
}

void AccessLog::write(const AccessRecord& r) {
  if (fd_ < 0) return;
  std::string line;
  line.reserve(512);
  line += "{\"time\":\"";
  line += utc_timestamp();
  line += '"';
  add(line, "request_id", r.request_id, 128);
  add(line, "remote", r.remote, 64);
  add(line, "method", r.method, 20);
  add(line, "target", r.target, 256);
  add(line, "endpoint", r.endpoint, 40);
  add(line, "status", static_cast<std::int64_t>(r.status));
  line += ",\"error_code\":";
  if (r.error_code) append_json_string(line, r.error_code);
  else line += "null";
  add(line, "bytes_in", static_cast<std::int64_t>(r.bytes_in));
  add(line, "bytes_out", static_cast<std::int64_t>(r.bytes_out));
  add(line, "read_us", r.read_us);
  add(line, "duration_us", r.duration_us);
  if (r.batch_items || r.batch_errors) {
    add(line, "batch_items", static_cast<std::int64_t>(r.batch_items));
    add(line, "batch_errors", static_cast<std::int64_t>(r.batch_errors));
  }
  add(line, "tables_generation", static_cast<std::int64_t>(r.tables_generation));
  line += r.keep_alive ? ",\"keep_alive\":true" : ",\"keep_alive\":false";
  line += r.sent ? ",\"sent\":true}\n" : ",\"sent\":false}\n";
  bool wake = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    pending_ += line;
    wake = pending_.size() >= kFlushBytes;
  }
  if (wake) cv_.notify_one();
}

void log_event(const std::string& members) {
  std::string line = "{\"time\":\"" + utc_timestamp() + "\"," + members + "}\n";
  write_all(STDERR_FILENO, line);
}

}  // namespace cybercover::service
