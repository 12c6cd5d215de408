#include "service/serve_command.hpp"

#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <string>
#include <system_error>
#include <vector>

#include "cybercover/error.hpp"
#include "service/access_log.hpp"
#include "service/config.hpp"
#include "service/json_text.hpp"
#include "service/server.hpp"
#include "service/tables_state.hpp"

namespace cybercover::service {

int run_serve(int argc, char** argv) {
  std::vector<std::string> args(argv + 2, argv + argc);
  for (const auto& a : args)
    if (a == "--help" || a == "-h") {
      std::cout << serve_usage();
      return 0;
    }
  ServeConfig config;
  try {
    config = parse_serve_config(args, [](const char* name) -> std::optional<std::string> {
      const char* v = std::getenv(name);
      return v ? std::optional<std::string>(v) : std::nullopt;
    });
  } catch (const ConfigError& e) {
    std::cerr << "cybercover serve: " << e.what() << "\n" << serve_usage();
    return 2;
  }
  // Bad tables or an unusable log stop the start (exit 2 with the message, as every command).
  TablesHolder tables(config.tables_dir);
  AccessLog access_log(config.access_log);
  Server server(config, tables, access_log);
  try {
    server.listen();
  } catch (const std::system_error& e) {
    std::cerr << "cybercover serve: " << e.what() << "\n";
    return 2;
  }
  const auto state = tables.current();
  std::string members = "\"event\":\"listening\",\"address\":";
  append_json_string(members, server.local_address());
  members += ",\"pid\":" + std::to_string(::getpid());
  members += ",\"tables_dir\":";
  append_json_string(members, tables.dir());
  members += ",\"tables_generation\":" + std::to_string(state->generation);
  members += ",\"editions\":[";
  bool first = true;
  for (const auto& e : state->engine->library().editions()) {
    if (!first) members += ',';
    first = false;
    members += "{\"edition\":";
    append_json_string(members, e->edition);
    members += ",\"sha256\":";
    append_json_string(members, e->sha256);
    members += '}';
  }
  members += "]";
  log_event(members);
  const bool drained = server.run();
  log_event(std::string("\"event\":\"stopped\",\"drained\":") + (drained ? "true" : "false"));
  return drained ? 0 : 1;
}

}  // namespace cybercover::service
