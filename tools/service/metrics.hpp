#pragma once
// The counters behind GET /metrics (Prometheus text format 0.0.4). Lock-free: every request
// adds to a few relaxed atomics; a scrape reads them.

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

#include "service/endpoints.hpp"
#include "service/errors.hpp"
#include "service/tables_state.hpp"

namespace cybercover::service {

// The statuses the server sends; the last slot counts any other as "other".
inline constexpr std::array<unsigned, 11> kStatuses = {200, 400, 404, 405, 408, 413, 415, 431, 500, 503, 0};
// Upper bounds of the latency histogram's buckets, in seconds (+Inf is implied).
inline constexpr std::array<double, 16> kLatencyBuckets = {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025,
                                                           0.005,   0.01,   0.025,   0.05,   0.1,   0.25,
                                                           0.5,     1,      2.5,     10};

enum class TimeoutPhase : std::uint8_t { kIdle, kRequest, kWrite, kCount };

class Metrics {
 public:
  // A response sent: its endpoint, status and the time from the request's last byte to the
  // response's last byte.
  void record_response(Endpoint endpoint, unsigned status, std::chrono::nanoseconds latency);
  void count_error(std::size_t error_id) { errors_[error_id].fetch_add(1, std::memory_order_relaxed); }
  void count_quotes(std::uint64_t ok, std::uint64_t failed) {
    quotes_ok_.fetch_add(ok, std::memory_order_relaxed);
    quotes_failed_.fetch_add(failed, std::memory_order_relaxed);
  }
  void count_timeout(TimeoutPhase phase) { timeouts_[static_cast<std::size_t>(phase)].fetch_add(1, std::memory_order_relaxed); }
  void connection_opened() {
    connections_open_.fetch_add(1, std::memory_order_relaxed);
    connections_total_.fetch_add(1, std::memory_order_relaxed);
  }
  void connection_closed() { connections_open_.fetch_sub(1, std::memory_order_relaxed); }
  void connection_rejected() { connections_rejected_.fetch_add(1, std::memory_order_relaxed); }
  std::atomic<std::int64_t>& queue_depth() { return queue_depth_; }
  std::int64_t open_connections() const { return connections_open_.load(std::memory_order_relaxed); }

  // The whole exposition: these counters, the tables in force and the reloads.
  std::string render(const TablesState& tables, const ReloadStatus& reloads, bool draining) const;

 private:
  static constexpr std::size_t kStatusSlots = kStatuses.size();
  struct Histogram {
    std::array<std::atomic<std::uint64_t>, kLatencyBuckets.size() + 1> buckets{};  // last: +Inf
    std::atomic<std::uint64_t> sum_ns{0};
    std::atomic<std::uint64_t> count{0};
  };

  std::array<std::array<std::atomic<std::uint64_t>, kStatusSlots>, kEndpointCount> responses_{};
  std::array<Histogram, kEndpointCount> latency_{};
  std::array<std::atomic<std::uint64_t>, kErrorIdCount> errors_{};
  std::array<std::atomic<std::uint64_t>, static_cast<std::size_t>(TimeoutPhase::kCount)> timeouts_{};
  std::atomic<std::uint64_t> quotes_ok_{0}, quotes_failed_{0};
  std::atomic<std::int64_t> connections_open_{0};
  std::atomic<std::uint64_t> connections_total_{0}, connections_rejected_{0};
  std::atomic<std::int64_t> queue_depth_{0};
};

}  // namespace cybercover::service
