#pragma once
// The HTTP/1.1 server of `cybercover serve`, on Boost.Beast and Asio.
//
// Network threads (one io_context each) read and write; a request to POST /v1/quote or
// /v1/assess (~15 µs) is handled on the thread that read it, while batches, plans and reports go to a bounded
// worker pool (a full queue answers 503). Each request takes the tables in force when it
// starts (TablesHolder), so a SIGHUP reload never changes a request in flight. SIGTERM stops
// accepting, closes idle keep-alive connections, lets every request in flight finish and
// answers it with Connection: close, then returns.

#include <memory>
#include <string>

#include "service/access_log.hpp"
#include "service/config.hpp"
#include "service/tables_state.hpp"

namespace cybercover::service {

class Server {
 public:
  Server(const ServeConfig& config, TablesHolder& tables, AccessLog& access_log);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens. Throws std::system_error naming the address.
  void listen();
  // "127.0.0.1:8080": the address bound (with the port chosen when --address asked for 0).
  std::string local_address() const;
  // Serves until SIGTERM or SIGINT and the drain that follows. Returns true when every
  // request in flight finished within --shutdown-timeout.
  bool run();

  struct Impl;  // server.cpp (public so that its sessions can name it)

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace cybercover::service
