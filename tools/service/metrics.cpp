#include "service/metrics.hpp"

#include <cstdio>

namespace cybercover::service {

namespace {

std::size_t status_slot(unsigned status) {
  for (std::size_t i = 0; i + 1 < kStatuses.size(); ++i)
    if (kStatuses[i] == status) return i;
  return kStatuses.size() - 1;  // "other"
}

std::string number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

void header(std::string& out, const char* name, const char* type, const char* help) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

}  // namespace

void Metrics::record_response(Endpoint endpoint, unsigned status, std::chrono::nanoseconds latency) {
  const auto e = static_cast<std::size_t>(endpoint);
  responses_[e][status_slot(status)].fetch_add(1, std::memory_order_relaxed);
  Histogram& h = latency_[e];
  const double seconds = std::chrono::duration<double>(latency).count();
  std::size_t b = 0;
  while (b < kLatencyBuckets.size() && seconds > kLatencyBuckets[b]) ++b;
  h.buckets[b].fetch_add(1, std::memory_order_relaxed);
  h.sum_ns.fetch_add(static_cast<std::uint64_t>(latency.count() < 0 ? 0 : latency.count()), std::memory_order_relaxed);
  h.count.fetch_add(1, std::memory_order_relaxed);
}

std::string Metrics::render(const TablesState& tables, const ReloadStatus& reloads, bool draining) const {
  std::string out;
  out.reserve(16384);
  header(out, "cybercover_http_requests_total", "counter", "HTTP responses sent, by endpoint and status.");
  for (std::size_t e = 0; e < kEndpointCount; ++e)
    for (std::size_t s = 0; s < kStatusSlots; ++s) {
      const auto n = responses_[e][s].load(std::memory_order_relaxed);
      if (!n) continue;
      out += "cybercover_http_requests_total{endpoint=\"";
      out += endpoint_path(static_cast<Endpoint>(e));
      out += "\",status=\"";
      out += s + 1 == kStatusSlots ? std::string("other") : std::to_string(kStatuses[s]);
      out += "\"} " + std::to_string(n) + "\n";
    }

  header(out, "cybercover_http_request_duration_seconds", "histogram",
         "Time from a request's last byte read to its response's last byte written, by endpoint.");
  for (std::size_t e = 0; e < kEndpointCount; ++e) {
    const Histogram& h = latency_[e];
    const auto count = h.count.load(std::memory_order_relaxed);
    if (!count) continue;
    const std::string label = std::string("endpoint=\"") + std::string(endpoint_path(static_cast<Endpoint>(e))) + "\"";
    std::uint64_t cumulative = 0;
    for (std::size_t b = 0; b <= kLatencyBuckets.size(); ++b) {
      cumulative += h.buckets[b].load(std::memory_order_relaxed);
      out += "cybercover_http_request_duration_seconds_bucket{" + label + ",le=\"" +
             (b < kLatencyBuckets.size() ? number(kLatencyBuckets[b]) : std::string("+Inf")) + "\"} " +
             std::to_string(cumulative) + "\n";
    }
    // The buckets were read one by one while requests went on: the count is their total, so
    // that a scrape is always consistent (+Inf bucket == count).
    out += "cybercover_http_request_duration_seconds_sum{" + label + "} " +
           number(static_cast<double>(h.sum_ns.load(std::memory_order_relaxed)) * 1e-9) + "\n";
    out += "cybercover_http_request_duration_seconds_count{" + label + "} " + std::to_string(cumulative) + "\n";
  }

  header(out, "cybercover_errors_total", "counter",
         "Errors returned, by stable code: request errors and each failed item of a batch.");
  for (std::size_t i = 0; i < kErrorIdCount; ++i) {
    const auto n = errors_[i].load(std::memory_order_relaxed);
    if (!n) continue;
    out += std::string("cybercover_errors_total{code=\"") + error_id_name(i) + "\"} " + std::to_string(n) + "\n";
  }

  header(out, "cybercover_quotes_total", "counter", "Quote requests priced (POST /v1/quote and each batch item), by result.");
  out += "cybercover_quotes_total{result=\"ok\"} " + std::to_string(quotes_ok_.load(std::memory_order_relaxed)) + "\n";
  out += "cybercover_quotes_total{result=\"error\"} " + std::to_string(quotes_failed_.load(std::memory_order_relaxed)) + "\n";

  header(out, "cybercover_http_timeouts_total", "counter",
         "Connections closed by a timeout: idle (keep-alive), request (read), write.");
  const char* phases[] = {"idle", "request", "write"};
  for (std::size_t p = 0; p < timeouts_.size(); ++p)
    out += std::string("cybercover_http_timeouts_total{phase=\"") + phases[p] + "\"} " +
           std::to_string(timeouts_[p].load(std::memory_order_relaxed)) + "\n";

  header(out, "cybercover_http_connections_open", "gauge", "Connections open now.");
  out += "cybercover_http_connections_open " + std::to_string(connections_open_.load(std::memory_order_relaxed)) + "\n";
  header(out, "cybercover_http_connections_total", "counter", "Connections accepted within the bound.");
  out += "cybercover_http_connections_total " + std::to_string(connections_total_.load(std::memory_order_relaxed)) + "\n";
  header(out, "cybercover_http_connections_rejected_total", "counter",
         "Connections answered 503 http.too_many_connections (over --max-connections).");
  out += "cybercover_http_connections_rejected_total " +
         std::to_string(connections_rejected_.load(std::memory_order_relaxed)) + "\n";
  header(out, "cybercover_worker_queue_depth", "gauge", "Batch, plan and report jobs queued or running.");
  out += "cybercover_worker_queue_depth " + std::to_string(queue_depth_.load(std::memory_order_relaxed)) + "\n";
  header(out, "cybercover_draining", "gauge", "1 after SIGTERM, while the requests in flight finish.");
  out += std::string("cybercover_draining ") + (draining ? "1" : "0") + "\n";

  out += tables.metrics_text;
  header(out, "cybercover_tables_reloads_total", "counter", "SIGHUP table reloads, by result.");
  out += "cybercover_tables_reloads_total{result=\"success\"} " + std::to_string(reloads.successes) + "\n";
  out += "cybercover_tables_reloads_total{result=\"failure\"} " + std::to_string(reloads.failures) + "\n";
  header(out, "cybercover_tables_last_reload_success", "gauge",
         "0 when the last reload was refused (the previous tables are still in force), else 1.");
  out += std::string("cybercover_tables_last_reload_success ") + (reloads.last_ok ? "1" : "0") + "\n";
  if (!reloads.last_ok) {
    header(out, "cybercover_tables_last_reload_error_info", "gauge", "The error code of the last refused reload.");
    out += "cybercover_tables_last_reload_error_info{code=\"" + reloads.last_error_code + "\"} 1\n";
  }
  header(out, "cybercover_tables_loaded_timestamp_seconds", "gauge", "When the tables in force were loaded (Unix time).");
  out += "cybercover_tables_loaded_timestamp_seconds " +
         std::to_string(std::chrono::duration_cast<std::chrono::seconds>(tables.loaded_at.time_since_epoch()).count()) + "\n";
  return out;
}

}  // namespace cybercover::service
