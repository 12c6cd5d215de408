#include "service/serve_command.hpp"

#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <string>
#include <system_error>
#include <vector>

#include "cybercover/error.hpp"
#include "cybercover/store/store.hpp"
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
  // The register is opened (created, migrated) before serving; a store that cannot be opened
  // stops the start like bad tables. Once serving, an outage answers 503 until it is back.
  std::unique_ptr<Store> store;
  if (!config.store_url.empty()) {
    StoreOptions options;
    if (!config.store_today.empty()) {
      const auto day = Date::parse(config.store_today);
      if (!day) throw Error(ErrorCode::kInvalidDate, "--store-today", "must be a date YYYY-MM-DD", quote_for_message(config.store_today));
      const auto at = std::chrono::system_clock::time_point(std::chrono::seconds(std::int64_t{day->day_number()} * 86400 + 3600));
      options.clock = [at] { return at; };
    }
    options.max_connections = config.workers > 0 ? config.workers + 2 : 8;
    store = Store::open(config.store_url, options);
  }
  Server server(config, tables, access_log, store.get());
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
  if (store) {
    members += ",\"store\":";
    append_json_string(members, std::string(store->backend()));
    members += ",\"store_schema_version\":" + std::to_string(store->schema_version());
  }
  members += ",\"editions\":";
  append_edition_list(members, *state);
  log_event(members);
  const bool drained = server.run();
  log_event(std::string("\"event\":\"stopped\",\"drained\":") + (drained ? "true" : "false"));
  return drained ? 0 : 1;
}

}  // namespace cybercover::service
