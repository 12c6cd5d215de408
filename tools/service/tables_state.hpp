#pragma once
// The tables the service prices with, swapped whole on SIGHUP.
//
// A request takes the current state (a shared_ptr to an immutable Engine) once, at its start,
// and keeps it to the end: a reload never changes a request in flight, and the old tables are
// freed when their last request finishes. A reload that fails leaves the current state alone.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "cybercover/quote/engine.hpp"

namespace cybercover::service {

struct TablesState {
  std::shared_ptr<const Engine> engine;
  std::uint64_t generation = 0;  // 1 for the tables loaded at start, +1 per successful reload
  std::chrono::system_clock::time_point loaded_at;
  std::string tables_json;   // the body of GET /v1/tables
  std::string metrics_text;  // the edition lines of GET /metrics
};

// Appends the state's editions as a JSON array of {"edition", "sha256"} (the log's events).
void append_edition_list(std::string& out, const TablesState& state);

struct ReloadStatus {
  std::uint64_t successes = 0;
  std::uint64_t failures = 0;
  bool last_ok = true;                // no reload yet counts as ok
  std::string last_error_code;        // of the last failed reload
  std::string last_error;             // its message
  double last_attempt_unix = 0;       // seconds; 0 = never
};

class TablesHolder {
 public:
  // Loads `dir` (empty: the library's default tables). Throws the library's Error.
  explicit TablesHolder(std::string dir);

  std::shared_ptr<const TablesState> current() const { return std::atomic_load(&state_); }

  // Loads the directory again; on success the new state replaces the old one atomically.
  // Returns true on success; on failure the current state stays and status() says why.
  bool reload();
  ReloadStatus status() const;
  const std::string& dir() const { return dir_; }

 private:
  std::shared_ptr<const TablesState> load(std::uint64_t generation) const;

  std::string dir_;
  std::shared_ptr<const TablesState> state_;  // read and written with std::atomic_load/store
  mutable std::mutex mutex_;                  // reloads one at a time, and status_
  ReloadStatus status_;
};

}  // namespace cybercover::service
