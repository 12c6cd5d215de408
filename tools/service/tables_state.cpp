#include "service/tables_state.hpp"

#include "cybercover/error.hpp"
#include "cybercover/tables/table_library.hpp"
#include "service/json_text.hpp"

namespace cybercover::service {

namespace {

double unix_seconds(std::chrono::system_clock::time_point t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

// Prometheus label values escape backslash, double quote and newline.
std::string label_value(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

}  // namespace

TablesHolder::TablesHolder(std::string dir) : dir_(std::move(dir)) {
  if (dir_.empty()) dir_ = default_tables_dir();
  std::atomic_store(&state_, load(1));
}

std::shared_ptr<const TablesState> TablesHolder::load(std::uint64_t generation) const {
  auto state = std::make_shared<TablesState>();
  state->engine = std::make_shared<const Engine>(TableLibrary::load(dir_));
  state->generation = generation;
  state->loaded_at = std::chrono::system_clock::now();

  std::string& j = state->tables_json;
  j = "{\"editions\":[";
  std::string& m = state->metrics_text;
  m = "# HELP cybercover_tables_edition_info The table editions in force in the server (value 1).\n"
      "# TYPE cybercover_tables_edition_info gauge\n";
  bool first = true;
  for (const auto& e : state->engine->library().editions()) {
    if (!first) j += ',';
    first = false;
    const std::string to = e->in_force.to ? e->in_force.to->to_string() : "";
    j += "{\"edition\":";
    append_json_string(j, e->edition);
    j += ",\"effective_from\":";
    append_json_string(j, e->in_force.from.to_string());
    j += ",\"effective_to\":";
    if (to.empty()) j += "null";
    else append_json_string(j, to);
    j += ",\"items\":" + std::to_string(e->questionnaire.items.size());
    j += ",\"sha256\":";
    append_json_string(j, e->sha256);
    j += '}';
    m += "cybercover_tables_edition_info{edition=\"" + label_value(e->edition) + "\",sha256=\"" + e->sha256 +
         "\",effective_from=\"" + e->in_force.from.to_string() + "\",effective_to=\"" + to + "\"} 1\n";
  }
  j += "],\"engine_version\":";
  append_json_string(j, engine_version());
  j += ",\"generation\":" + std::to_string(generation);
  j += ",\"loaded_at_unix\":" + std::to_string(static_cast<std::int64_t>(unix_seconds(state->loaded_at)));
  j += '}';
  m += "# HELP cybercover_tables_generation Table sets loaded: 1 at start, +1 per successful reload.\n"
       "# TYPE cybercover_tables_generation gauge\n"
       "cybercover_tables_generation " + std::to_string(generation) + "\n";
  return state;
}

bool TablesHolder::reload() {
  std::lock_guard<std::mutex> lock(mutex_);
  status_.last_attempt_unix = unix_seconds(std::chrono::system_clock::now());
  try {
    auto next = load(current()->generation + 1);
    std::atomic_store(&state_, std::shared_ptr<const TablesState>(std::move(next)));
    ++status_.successes;
    status_.last_ok = true;
    return true;
  } catch (const Error& e) {
    status_.last_error_code = to_string(e.code());
    status_.last_error = e.what();
  } catch (const std::exception& e) {
    status_.last_error_code = "internal";
    status_.last_error = e.what();
  }
  ++status_.failures;
  status_.last_ok = false;
  return false;
}

ReloadStatus TablesHolder::status() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return status_;
}

void append_edition_list(std::string& out, const TablesState& state) {
  out += '[';
  bool first = true;
  for (const auto& e : state.engine->library().editions()) {
    if (!first) out += ',';
    first = false;
    out += "{\"edition\":";
    append_json_string(out, e->edition);
    out += ",\"sha256\":";
    append_json_string(out, e->sha256);
    out += '}';
  }
  out += ']';
}

}  // namespace cybercover::service
