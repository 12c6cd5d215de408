#include "service/server.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "cybercover/quote/engine.hpp"
#include "service/errors.hpp"
#include "service/handlers.hpp"
#include "service/json_text.hpp"
#include "service/metrics.hpp"

namespace cybercover::service {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
using Clock = std::chrono::steady_clock;

// How long a connection that is being closed after an error is drained, so that the client
// reads the error response instead of a reset (a "lingering close").
constexpr auto kLingerTimeout = std::chrono::seconds(2);
constexpr std::size_t kLingerMaxBytes = std::size_t{64} << 20;
constexpr std::size_t kReadChunk = 16384;
constexpr std::size_t kMaxRequestIdBytes = 128;

std::int64_t micros(Clock::duration d) { return std::chrono::duration_cast<std::chrono::microseconds>(d).count(); }

// A client's X-Request-Id is echoed when it is 1 to 128 of [A-Za-z0-9._:/+=@-]; anything else
// is replaced by a generated id (it never reaches a log line unescaped either way).
bool valid_request_id(std::string_view id) {
  if (id.empty() || id.size() > kMaxRequestIdBytes) return false;
  for (const char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '_' || c == ':' || c == '/' || c == '+' || c == '=' || c == '@' || c == '-';
    if (!ok) return false;
  }
  return true;
}

class Session;

// Runs table reloads off the network threads, one at a time; a SIGHUP during a reload asks
// for one more.
class ReloadWorker {
 public:
  explicit ReloadWorker(TablesHolder& tables) : tables_(tables), thread_([this] { loop(); }) {}
  ~ReloadWorker() { stop(); }

  void request() {
    std::lock_guard<std::mutex> lock(mutex_);
    pending_ = true;
    cv_.notify_one();
  }
  void stop() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
      cv_.notify_one();
    }
    if (thread_.joinable()) thread_.join();
  }

 private:
  void loop() {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      cv_.wait(lock, [this] { return pending_ || stop_; });
      if (stop_) return;
      pending_ = false;
      lock.unlock();
      const bool ok = tables_.reload();
      const ReloadStatus status = tables_.status();
      const auto state = tables_.current();
      std::string members = "\"event\":\"reload\",\"ok\":";
      members += ok ? "true" : "false";
      members += ",\"tables_generation\":" + std::to_string(state->generation);
      if (!ok) {
        members += ",\"error_code\":";
        append_json_string(members, status.last_error_code);
        members += ",\"error\":";
        append_json_string(members, status.last_error);
      }
      members += ",\"editions\":";
      append_edition_list(members, *state);
      log_event(members);
      lock.lock();
    }
  }

  TablesHolder& tables_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool pending_ = false;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace

struct Server::Impl {
  Impl(const ServeConfig& c, TablesHolder& t, AccessLog& l, Store* store)
      : config(c),
        tables(t),
        log(l),
        context{config, tables, metrics, draining, store},
        threads(c.threads > 0 ? c.threads : std::max(1u, std::thread::hardware_concurrency())),
        iocs(make_contexts(threads)),
        pool(static_cast<std::size_t>(c.workers > 0 ? c.workers : std::max(1u, std::thread::hardware_concurrency()))),
        acceptor(*iocs.front()),
        signals(*iocs.front(), SIGINT, SIGTERM, SIGHUP),
        drain_timer(*iocs.front()),
        accept_retry_timer(acceptor.get_executor()),
        reloader(t) {
    std::random_device rd;
    char prefix[16];
    std::snprintf(prefix, sizeof prefix, "%08x", static_cast<unsigned>(rd()));
    id_prefix = prefix;
    const auto shortest = std::min({c.read_timeout, c.idle_timeout, c.write_timeout});
    watchdog_tick = std::clamp<Clock::duration>(shortest / 8, std::chrono::milliseconds(10), std::chrono::seconds(1));
  }

  // "<8 hex of this process>-<12 hex counter>".
  std::string next_request_id() {
    static constexpr char kHex[] = "0123456789abcdef";
    std::uint64_t n = next_id.fetch_add(1, std::memory_order_relaxed);
    std::string id = id_prefix + "-000000000000";
    for (std::size_t i = id.size(); n && i > id_prefix.size() + 1; n >>= 4) id[--i] = kHex[n & 0xf];
    return id;
  }

  static std::vector<std::unique_ptr<asio::io_context>> make_contexts(int n) {
    std::vector<std::unique_ptr<asio::io_context>> v;
    for (int i = 0; i < n; ++i) v.push_back(std::make_unique<asio::io_context>(1));
    return v;
  }
  void stop_all() {
    for (auto& c : iocs) c->stop();
  }

  void do_accept();
  void on_signal(const error_code& ec, int signal);
  void begin_shutdown();
  void poll_drain();

  const ServeConfig& config;
  TablesHolder& tables;
  AccessLog& log;
  Metrics metrics;
  std::atomic<bool> draining{false};
  ServiceContext context;
  // Before the io_context and the pool: sessions still queued there when they are destroyed
  // unregister themselves.
  std::mutex sessions_mutex;
  std::unordered_map<const Session*, std::weak_ptr<Session>> sessions;
  std::atomic<std::int64_t> live_sessions{0};
  std::atomic<std::int64_t> rejecting{0};
  int threads;
  // One io_context per network thread (each run by its thread alone, so no locks and no
  // wake-ups between threads); connections are dealt out in turn. The first one also holds
  // the acceptor, the signals and the drain timer.
  std::vector<std::unique_ptr<asio::io_context>> iocs;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> keep_running;
  std::size_t next_context = 0;
  asio::thread_pool pool;
  tcp::acceptor acceptor;
  asio::signal_set signals;
  asio::steady_timer drain_timer;
  asio::steady_timer accept_retry_timer;
  ReloadWorker reloader;
  Clock::time_point shutdown_started;
  // How often each connection's watchdog checks its deadline: an eighth of the shortest
  // timeout, between 10 ms and 1 s (timeouts are enforced within one tick).
  Clock::duration watchdog_tick;
  bool drained = true;

  std::string id_prefix;
  std::atomic<std::uint64_t> next_id{0};
};

namespace {

// One TCP connection: requests read one after the other (pipelined ones wait in the buffer),
// each answered before the next is read.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, Server::Impl& server, bool reject)
      : socket_(std::move(socket)), watchdog_(socket_.get_executor()), server_(server), reject_(reject) {
    server_.live_sessions.fetch_add(1);
    if (reject_) server_.rejecting.fetch_add(1);
    else server_.metrics.connection_opened();
    error_code ec;
    const auto remote = socket_.remote_endpoint(ec);
    if (!ec) remote_ = remote.address().to_string() + ":" + std::to_string(remote.port());
  }

  ~Session() {
    {
      std::lock_guard<std::mutex> lock(server_.sessions_mutex);
      server_.sessions.erase(this);
    }
    if (reject_) server_.rejecting.fetch_sub(1);
    else server_.metrics.connection_closed();
    server_.live_sessions.fetch_sub(1);
  }

  void start() {
    {
      std::lock_guard<std::mutex> lock(server_.sessions_mutex);
      server_.sessions.emplace(this, weak_from_this());
    }
    asio::dispatch(socket_.get_executor(), [self = shared_from_this()] {
      self->arm_watchdog();
      if (self->reject_) {
        self->request_id_ = self->server_.next_request_id();
        self->request_start_ = self->read_end_ = Clock::now();
        self->server_.metrics.connection_rejected();
        Reply r = http_error_reply(self->server_.context, HttpError::kTooManyConnections,
                                   "the server holds its maximum of " + std::to_string(self->server_.config.max_connections) +
                                       " connections; retry later",
                                   self->request_id_);
        r.retry_after = true;
        r.close = true;
        self->send(std::move(r));
      } else {
        self->wait_for_request();
      }
    });
  }

  // SIGTERM: an idle connection closes now; one with a request in flight closes after
  // answering it (send() sees `draining`).
  void on_server_shutdown() {
    if (phase_ != Phase::kIdle) return;
    // Bytes already received are a request on its way (sent before the signal): read it.
    error_code ec;
    if (socket_.available(ec) > 0 && !ec) return;
    socket_.cancel(ec);
  }

  tcp::socket::executor_type executor() { return socket_.get_executor(); }

 private:
  enum class Phase { kIdle, kReading, kBusy, kWriting, kClosing };
  // What the watchdog enforces now (docs/http_api.md, "Limits and connections").
  enum class Deadline { kNone, kIdle, kRequest, kWrite, kLinger };

  // ---- timeouts --------------------------------------------------------------------------
  // One timer per connection ticks at a fraction of the shortest timeout and checks the
  // deadline of the current phase; setting a deadline is a store, not a timer operation
  // (three per request otherwise).
  void set_deadline(Deadline kind, Clock::time_point now, Clock::duration after) {
    deadline_kind_ = kind;
    deadline_ = now + after;
  }

  void arm_watchdog() {
    watchdog_.expires_after(server_.watchdog_tick);
    watchdog_.async_wait([self = shared_from_this()](error_code ec) { self->on_watchdog(ec); });
  }

  void on_watchdog(error_code ec) {
    if (ec || closed_) return;
    if (deadline_kind_ != Deadline::kNone && Clock::now() >= deadline_) {
      switch (deadline_kind_) {
        case Deadline::kIdle:
          server_.metrics.count_timeout(TimeoutPhase::kIdle);
          return close_now();
        case Deadline::kRequest:
          // The pending read ends with operation_aborted; on_read_error answers 408.
          timed_out_ = true;
          deadline_kind_ = Deadline::kNone;
          socket_.cancel(ec);
          break;
        case Deadline::kWrite:
          server_.metrics.count_timeout(TimeoutPhase::kWrite);
          return close_now();
        case Deadline::kLinger:
          return close_now();
        case Deadline::kNone:
          break;
      }
    }
    arm_watchdog();
  }

  // ---- reading -------------------------------------------------------------------------
  void wait_for_request() {
    phase_ = Phase::kIdle;
    if (buffer_.size() > 0) return begin_request();  // a pipelined request is waiting
    if (server_.draining.load()) {
      // Draining: only a request already received is read (see on_server_shutdown).
      error_code ec;
      if (!(socket_.available(ec) > 0 && !ec)) return close_now();
    }
    set_deadline(Deadline::kIdle, Clock::now(), server_.config.idle_timeout);
    socket_.async_read_some(buffer_.prepare(kReadChunk),
                            [self = shared_from_this()](error_code ec, std::size_t n) { self->on_first_bytes(ec, n); });
  }

  void on_first_bytes(error_code ec, std::size_t n) {
    if (!ec && n == 0) ec = asio::error::eof;
    if (ec) return close_now();  // the client closed, the idle timeout, or SIGTERM
    buffer_.commit(n);
    begin_request();
  }

  void begin_request() {
    phase_ = Phase::kReading;
    request_start_ = Clock::now();
    request_id_.clear();
    endpoint_ = Endpoint::kOther;
    pending_reply_.reset();
    timed_out_ = false;
    // The whole request must arrive within the read timeout, however slowly it trickles in.
    set_deadline(Deadline::kRequest, request_start_, server_.config.read_timeout);
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(server_.config.header_limit));
    parser_->body_limit(server_.config.batch_body_limit);  // the largest; narrowed per endpoint
    http::async_read_header(socket_, buffer_, *parser_,
                            [self = shared_from_this()](error_code ec, std::size_t) { self->on_header(ec); });
  }

  void on_header(error_code ec) {
    if (ec) return on_read_error(ec);
    const auto& req = parser_->get();
    const auto id = req["X-Request-Id"];
    request_id_ = valid_request_id(id) ? std::string(id) : server_.next_request_id();
    Admission admission = admit(server_.context, req.method_string(), req.target(), req[http::field::content_type],
                                req[http::field::content_encoding], request_id_);
    endpoint_ = admission.endpoint;
    offload_ = admission.offload;
    const auto length = parser_->content_length();
    const bool expects_continue = beast::iequals(req[http::field::expect], "100-continue");
    const bool too_long = length && *length > admission.body_limit;
    if (too_long || (admission.reject && expects_continue && !parser_->is_done())) {
      // Answered before a byte of the body is read (the Beast parser never buffers it); the
      // connection then closes, since the body may follow.
      deadline_kind_ = Deadline::kNone;
      read_end_ = Clock::now();
      phase_ = Phase::kBusy;
      Reply r = admission.reject ? std::move(*admission.reject)
                                 : library_error_reply(server_.context, too_large(admission.body_limit, *length), request_id_);
      r.close = true;
      return send(std::move(r));
    }
    parser_->body_limit(admission.body_limit);
    pending_reply_ = std::move(admission.reject);  // answered once the (small) body is read
    if (parser_->is_done()) return on_body({});
    if (expects_continue) {
      auto cont = std::make_shared<http::response<http::empty_body>>(http::status::continue_, req.version());
      http::async_write(socket_, *cont, [self = shared_from_this(), cont](error_code ec, std::size_t) {
        if (ec) return self->on_read_error(ec);
        self->read_body();
      });
      return;
    }
    read_body();
  }

  void read_body() {
    http::async_read(socket_, buffer_, *parser_, [self = shared_from_this()](error_code ec, std::size_t) { self->on_body(ec); });
  }

  Error too_large(std::size_t limit, std::uint64_t length) const {
    return Error(ErrorCode::kRequestTooLarge, "body",
                 "must be at most " + std::to_string(limit) + " bytes for " + std::string(endpoint_path(endpoint_)),
                 length ? std::to_string(length) + " bytes" : std::string());
  }

  void on_body(error_code ec) {
    if (ec) return on_read_error(ec);
    deadline_kind_ = Deadline::kNone;
    read_end_ = Clock::now();
    phase_ = Phase::kBusy;
    if (pending_reply_) {
      Reply r = std::move(*pending_reply_);
      pending_reply_.reset();
      return send(std::move(r));
    }
    if (!offload_) {
      const auto& req = parser_->get();
      return send(handle(server_.context, endpoint_, req.target(), req.body(), request_id_, req["Idempotency-Key"]));
    }
    auto& depth = server_.metrics.queue_depth();
    if (depth.fetch_add(1) >= static_cast<std::int64_t>(server_.config.max_queue)) {
      depth.fetch_sub(1);
      Reply r = http_error_reply(server_.context, HttpError::kOverloaded,
                                 "the worker queue is full (" + std::to_string(server_.config.max_queue) +
                                     " batch, plan and report jobs); retry later",
                                 request_id_);
      r.retry_after = true;
      return send(std::move(r));
    }
    asio::post(server_.pool, [self = shared_from_this()] {
      const auto& req = self->parser_->get();
      Reply r = handle(self->server_.context, self->endpoint_, req.target(), req.body(), self->request_id_,
                       req["Idempotency-Key"]);
      self->server_.metrics.queue_depth().fetch_sub(1);
      asio::post(self->socket_.get_executor(), [self, r = std::move(r)]() mutable { self->send(std::move(r)); });
    });
  }

  void on_read_error(error_code ec) {
    deadline_kind_ = Deadline::kNone;
    read_end_ = Clock::now();
    if (closed_) return;
    if (request_id_.empty()) request_id_ = server_.next_request_id();
    Reply r;
    if (timed_out_) {
      server_.metrics.count_timeout(TimeoutPhase::kRequest);
      r = http_error_reply(server_.context, HttpError::kRequestTimeout,
                           "the request did not arrive whole within " +
                               std::to_string(server_.config.read_timeout.count()) + " ms",
                           request_id_);
    } else if (ec == http::error::body_limit) {
      r = library_error_reply(server_.context, too_large_chunked(), request_id_);
    } else if (ec == http::error::header_limit) {
      r = http_error_reply(server_.context, HttpError::kHeaderTooLarge,
                           "the request line and headers exceed " + std::to_string(server_.config.header_limit) + " bytes",
                           request_id_);
    } else if (ec == asio::error::operation_aborted) {
      return close_now();  // SIGTERM closed an idle connection
    } else if (ec == http::error::end_of_stream || ec == http::error::partial_message || ec == asio::error::eof) {
      // The client stopped sending mid-request; it may still read (a half-closed socket).
      r = http_error_reply(server_.context, HttpError::kBadRequest,
                           "the connection closed before the request was complete", request_id_);
    } else if (&ec.category() == &http::make_error_code(http::error::bad_target).category()) {
      r = http_error_reply(server_.context, HttpError::kBadRequest,
                           "not a valid HTTP/1.1 request: " + sanitize_for_message(ec.message()), request_id_);
    } else {
      return close_now();  // a reset or another socket error: nobody to answer
    }
    r.close = true;
    phase_ = Phase::kBusy;
    send(std::move(r));
  }

  Error too_large_chunked() const {
    return Error(ErrorCode::kRequestTooLarge, "body",
                 "must be at most " + std::to_string(body_limit_for(endpoint_)) + " bytes for " +
                     std::string(endpoint_path(endpoint_)));
  }

  std::size_t body_limit_for(Endpoint e) const {
    return e == Endpoint::kQuotes ? server_.config.batch_body_limit : server_.config.body_limit;
  }

  // ---- writing -------------------------------------------------------------------------
  void send(Reply reply) {
    phase_ = Phase::kWriting;
    const bool have_request = parser_ && parser_->is_header_done();
    const unsigned version = have_request ? parser_->get().version() : 11;
    const bool head = have_request && parser_->get().method() == http::verb::head;
    keep_alive_ = !reply.close && !reject_ && have_request && parser_->get().keep_alive() && !server_.draining.load();
    reply_ = std::move(reply);
    response_.emplace(http::int_to_status(reply_.status), version);
    auto& res = *response_;
    static const std::string kServer = std::string("cybercover/") + engine_version();
    res.set(http::field::server, kServer);
    res.set(http::field::content_type, reply_.content_type);
    res.set("X-Request-Id", request_id_);
    if (reply_.allow) res.set(http::field::allow, reply_.allow);
    if (reply_.retry_after) res.set(http::field::retry_after, "1");
    res.keep_alive(keep_alive_);
    const std::size_t body_bytes = reply_.body.size();
    if (head) {
      res.content_length(body_bytes);
    } else {
      res.body() = std::move(reply_.body);
      res.prepare_payload();
    }
    bytes_out_ = body_bytes;
    set_deadline(Deadline::kWrite, Clock::now(), server_.config.write_timeout);
    http::async_write(socket_, res, [self = shared_from_this()](error_code ec, std::size_t) { self->on_write(ec); });
  }

  void on_write(error_code ec) {
    const auto now = Clock::now();
    deadline_kind_ = Deadline::kNone;
    const bool sent = !ec;
    if (sent) server_.metrics.record_response(endpoint_, reply_.status, now - read_end_);
    write_access_log(now, sent);
    response_.reset();
    if (!sent) return close_now();
    if (!keep_alive_) return linger_close();
    parser_.reset();
    wait_for_request();
  }

  void write_access_log(Clock::time_point now, bool sent) {
    if (!server_.log.enabled()) return;
    AccessRecord r;
    r.request_id = request_id_;
    r.remote = remote_;
    const bool have_request = parser_ && parser_->is_header_done();
    if (have_request) {
      r.method = parser_->get().method_string();
      r.target = parser_->get().target();
      r.bytes_in = parser_->get().body().size();
    }
    r.endpoint = endpoint_path(endpoint_);
    r.status = reply_.status;
    r.error_code = reply_.error_id == kNoError ? nullptr : error_id_name(reply_.error_id);
    r.bytes_out = bytes_out_;
    r.read_us = micros(read_end_ - request_start_);
    r.duration_us = micros(now - read_end_);
    r.batch_items = reply_.batch_items;
    r.batch_errors = reply_.batch_errors;
    r.tables_generation = reply_.tables_generation;
    r.keep_alive = keep_alive_ && sent;
    r.sent = sent;
    server_.log.write(r);
  }

  // ---- closing -------------------------------------------------------------------------
  void close_now() {
    phase_ = Phase::kClosing;
    deadline_kind_ = Deadline::kNone;
    if (closed_) return;
    closed_ = true;
    watchdog_.cancel();
    error_code ec;
    socket_.shutdown(tcp::socket::shutdown_both, ec);
    socket_.close(ec);
  }

  // Half-closes and reads what the client still sends (a body that was refused, a pipelined
  // request), so the client reads the last response instead of a connection reset.
  void linger_close() {
    phase_ = Phase::kClosing;
    error_code ec;
    socket_.shutdown(tcp::socket::shutdown_send, ec);
    if (ec) return close_now();
    buffer_.consume(buffer_.size());
    set_deadline(Deadline::kLinger, Clock::now(), kLingerTimeout);
    drain();
  }

  void drain() {
    socket_.async_read_some(buffer_.prepare(kReadChunk), [self = shared_from_this()](error_code ec, std::size_t n) {
      self->lingered_ += n;  // read into the prepared space, never committed: discarded
      if (ec || self->lingered_ > kLingerMaxBytes) return self->close_now();
      self->drain();
    });
  }

  tcp::socket socket_;
  beast::flat_buffer buffer_;
  asio::steady_timer watchdog_;
  Server::Impl& server_;
  const bool reject_;
  std::string remote_;

  Phase phase_ = Phase::kIdle;
  Deadline deadline_kind_ = Deadline::kNone;
  Clock::time_point deadline_;
  bool timed_out_ = false;
  bool closed_ = false;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<http::response<http::string_body>> response_;
  std::optional<Reply> pending_reply_;
  Reply reply_;
  std::string request_id_;
  Endpoint endpoint_ = Endpoint::kOther;
  bool offload_ = false;
  bool keep_alive_ = false;
  std::size_t bytes_out_ = 0;
  std::size_t lingered_ = 0;
  Clock::time_point request_start_, read_end_;
};

}  // namespace

void Server::Impl::do_accept() {
  asio::io_context& context_for_next = *iocs[next_context++ % iocs.size()];
  acceptor.async_accept(context_for_next, [this](error_code ec, tcp::socket socket) {
    if (!acceptor.is_open()) return;
    if (ec) {
      // Out of file descriptors and the like: try again shortly rather than spin.
      accept_retry_timer.expires_after(std::chrono::milliseconds(50));
      accept_retry_timer.async_wait([this](error_code e) {
        if (!e) do_accept();
      });
      return;
    }
    error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    const bool over = metrics.open_connections() >= static_cast<std::int64_t>(config.max_connections);
    if (over && rejecting.load() >= static_cast<std::int64_t>(config.max_connections)) {
      metrics.connection_rejected();
      socket.close(ignored);  // even the 503s are at their bound
    } else {
      std::make_shared<Session>(std::move(socket), *this, over)->start();
    }
    do_accept();
  });
}

void Server::Impl::on_signal(const error_code& ec, int signal) {
  if (ec) return;
  if (signal != SIGHUP && draining.load()) {
    log_event("\"event\":\"shutdown_forced\"");
    drained = false;
    stop_all();
    return;
  }
  // Wait for the next signal first: the drain may cancel this wait when it finishes.
  signals.async_wait([this](const error_code& e, int s) { on_signal(e, s); });
  if (signal == SIGHUP) {
    log_event("\"event\":\"reload_requested\"");
    reloader.request();
  } else {
    log_event(std::string("\"event\":\"shutdown\",\"signal\":\"") + (signal == SIGINT ? "SIGINT" : "SIGTERM") + "\"");
    begin_shutdown();
  }
}

void Server::Impl::begin_shutdown() {
  draining.store(true);
  shutdown_started = Clock::now();
  // The acceptor, like this handler, lives on the first io_context: no other thread touches it.
  error_code ignored;
  acceptor.close(ignored);
  accept_retry_timer.cancel();
  std::vector<std::shared_ptr<Session>> open;
  {
    std::lock_guard<std::mutex> lock(sessions_mutex);
    for (auto& [key, weak] : sessions)
      if (auto s = weak.lock()) open.push_back(std::move(s));
  }
  for (auto& s : open) {
    auto executor = s->executor();
    asio::post(executor, [s] { s->on_server_shutdown(); });
  }
  poll_drain();
}

void Server::Impl::poll_drain() {
  if (live_sessions.load() == 0 && metrics.queue_depth().load() == 0) {
    signals.cancel();
    keep_running.clear();
    return;  // nothing left: every io_context runs out of work and run() returns
  }
  if (Clock::now() - shutdown_started > config.shutdown_timeout) {
    log_event("\"event\":\"shutdown_timeout\",\"connections_left\":" + std::to_string(live_sessions.load()));
    drained = false;
    stop_all();
    return;
  }
  drain_timer.expires_after(std::chrono::milliseconds(10));
  drain_timer.async_wait([this](error_code ec) {
    if (!ec) poll_drain();
  });
}

Server::Server(const ServeConfig& config, TablesHolder& tables, AccessLog& access_log, Store* store)
    : impl_(std::make_unique<Impl>(config, tables, access_log, store)) {}

Server::~Server() {
  impl_->reloader.stop();
  impl_->pool.join();
}

void Server::listen() {
  Impl& s = *impl_;
  const std::string host = s.config.host == "localhost" ? "127.0.0.1" : s.config.host;
  error_code ec;
  const auto address = asio::ip::make_address(host, ec);
  if (ec) throw std::system_error(ec, "--address " + s.config.host + ": not an IP address");
  const tcp::endpoint endpoint(address, s.config.port);
  s.acceptor.open(endpoint.protocol());
  s.acceptor.set_option(asio::socket_base::reuse_address(true));
  s.acceptor.bind(endpoint, ec);
  if (ec) throw std::system_error(ec, "cannot listen on " + s.config.host + ":" + std::to_string(s.config.port));
  s.acceptor.listen(asio::socket_base::max_listen_connections);
}

std::string Server::local_address() const {
  const auto e = impl_->acceptor.local_endpoint();
  const std::string host = e.address().is_v6() ? "[" + e.address().to_string() + "]" : e.address().to_string();
  return host + ":" + std::to_string(e.port());
}

bool Server::run() {
  Impl& s = *impl_;
  s.signals.async_wait([&s](const error_code& e, int signal) { s.on_signal(e, signal); });
  s.do_accept();
  for (auto& c : s.iocs) s.keep_running.push_back(asio::make_work_guard(*c));
  std::vector<std::thread> extra;
  for (std::size_t i = 1; i < s.iocs.size(); ++i) extra.emplace_back([&s, i] { s.iocs[i]->run(); });
  s.iocs.front()->run();
  for (auto& t : extra) t.join();
  s.pool.join();
  return s.drained;
}

}  // namespace cybercover::service
