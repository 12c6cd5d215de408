#pragma once
// `cybercover serve`: the HTTP/JSON API (docs/http_api.md).

namespace cybercover::service {

// Runs `cybercover serve ...` (argv[1] is "serve"). Returns the exit code: 0 after a graceful
// shutdown, 1 when requests were still in flight at --shutdown-timeout, 2 for a bad option or
// bad tables at start.
int run_serve(int argc, char** argv);

}  // namespace cybercover::service
