// The register's operations, written once over SqlConnection for both backends. Every write
// is one transaction that re-reads what it relies on; a write that loses a race to another
// thread or process (SqlConflict) is rolled back and run again from the start, and then sees
// the winner's result: a quote bound meanwhile, an idempotency key taken meanwhile.

#include "cybercover/store/store.hpp"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <thread>

#include "cybercover/contract/request_contract.hpp"
#include "cybercover/error.hpp"
#include "cybercover/io/json_io.hpp"
#include "store/sql.hpp"

namespace cybercover {

using detail::SqlConflict;
using detail::SqlConnection;
using detail::SqlParam;
using detail::SqlRow;

namespace {

constexpr int kMaxAttempts = 25;
constexpr std::size_t kMaxIdempotencyKeyBytes = 255;
constexpr std::size_t kMaxChangeBytes = 64 * 1024;
constexpr std::int64_t kSqlitePageBytes = 4096;  // SQLite's default page size
constexpr std::int64_t kJapanOffsetSeconds = 9 * 3600;

// ---- URLs --------------------------------------------------------------------------------
struct StoreUrl {
  bool sqlite = true;
  std::string target;          // the file path, or the PostgreSQL URL as given
  std::int64_t max_pages = 0;  // SQLite: max_size_mib as pages; 0 = no limit
};

[[noreturn]] void bad_url(const std::string& url, const std::string& why) {
  throw Error(ErrorCode::kStoreInvalidUrl, "store", why, quote_for_message(url));
}

StoreUrl parse_url(const std::string& url) {
  StoreUrl out;
  const auto starts = [&](std::string_view p) { return url.compare(0, p.size(), p) == 0; };
  if (starts("sqlite://")) {
    std::string rest = url.substr(9);
    const auto q = rest.find('?');
    std::string query;
    if (q != std::string::npos) {
      query = rest.substr(q + 1);
      rest.resize(q);
    }
    if (rest.empty())
      bad_url(url,
              "must name the database file: sqlite:///absolute/path or sqlite://relative/path");
    out.target = rest;
    if (!query.empty()) {
      const std::string key = "max_size_mib=";
      if (query.compare(0, key.size(), key) != 0)
        bad_url(url, "the only SQLite option is max_size_mib=N");
      const std::string n = query.substr(key.size());
      if (n.empty() || n.size() > 7 || n.find_first_not_of("0123456789") != std::string::npos ||
          std::stoll(n) < 1)
        bad_url(url, "max_size_mib must be a whole number of MiB from 1 to 9999999");
      out.max_pages = std::stoll(n) * 1024 * 1024 / kSqlitePageBytes;
    }
    return out;
  }
  if (starts("postgresql://") || starts("postgres://")) {
    out.sqlite = false;
    out.target = url;
    return out;
  }
  bad_url(url, "must start with sqlite:// or postgresql://");
}

// ---- time and ids ------------------------------------------------------------------------
std::int64_t micros_since_epoch(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

std::string rfc3339(std::chrono::system_clock::time_point t) {
  const std::int64_t us = micros_since_epoch(t);
  const std::int64_t seconds = floor_div(us, 1'000'000);
  const std::int64_t day = floor_div(seconds, 86400);
  const std::int64_t in_day = seconds - day * 86400;
  char buf[40];
  std::snprintf(buf, sizeof buf, "T%02d:%02d:%02d.%06dZ", static_cast<int>(in_day / 3600),
                static_cast<int>(in_day / 60 % 60), static_cast<int>(in_day % 60),
                static_cast<int>(us - seconds * 1'000'000));
  return Date::from_day_number(static_cast<std::int32_t>(day)).to_string() + buf;
}

Date japan_date(std::chrono::system_clock::time_point t) {
  const std::int64_t seconds = floor_div(micros_since_epoch(t), 1'000'000) + kJapanOffsetSeconds;
  return Date::from_day_number(static_cast<std::int32_t>(floor_div(seconds, 86400)));
}

std::string new_id(char prefix) {
  static thread_local std::random_device device;
  std::string id = {prefix, '-'};
  static const char* kHex = "0123456789abcdef";
  for (int word = 0; word < 4; ++word) {
    std::uint32_t bits = device();
    for (int k = 0; k < 8; ++k, bits >>= 4) id += kHex[bits & 15];
  }
  return id;
}

Date plus_days(Date d, std::int64_t days) {
  return Date::from_day_number(static_cast<std::int32_t>(d.day_number() + days));
}

// ---- reading rows back -------------------------------------------------------------------
[[noreturn]] void corrupt(const std::string& what, const std::optional<std::string>& value) {
  throw Error(ErrorCode::kStoreCorrupt, "store", "a stored " + what + " cannot be read back",
              value ? quote_for_message(*value) : "NULL");
}

std::string text(const SqlRow& row, std::size_t i, const char* what) {
  if (!row.at(i)) corrupt(what, row[i]);
  return *row[i];
}

std::optional<std::int64_t> opt_int(const SqlRow& row, std::size_t i, const char* what) {
  if (!row.at(i)) return std::nullopt;
  const std::string& s = *row[i];
  std::size_t used = 0;
  try {
    const long long v = std::stoll(s, &used);
    if (used == s.size()) return v;
  } catch (const std::exception&) {
  }
  corrupt(what, row[i]);
}

std::int64_t integer(const SqlRow& row, std::size_t i, const char* what) {
  const auto v = opt_int(row, i, what);
  if (!v) corrupt(what, row[i]);
  return *v;
}

std::optional<Date> opt_date(const SqlRow& row, std::size_t i, const char* what) {
  if (!row.at(i)) return std::nullopt;
  const auto d = Date::parse(*row[i]);
  if (!d) corrupt(what, row[i]);
  return d;
}

Date date(const SqlRow& row, std::size_t i, const char* what) {
  const auto d = opt_date(row, i, what);
  if (!d) corrupt(what, row[i]);
  return *d;
}

SqlParam opt_param(const std::optional<std::int64_t>& v) { return v ? SqlParam(*v) : SqlParam(); }
SqlParam opt_param(const std::optional<Date>& v) {
  return v ? SqlParam(v->to_string()) : SqlParam();
}

const char* const kQuoteColumns =
    "id, issued_at, quote_date, valid_until, edition, edition_sha256, bundle_plan, tier, outcome, "
    "base_monthly_premium_yen, top_up_annual_premium_yen, top_up_subsidy_yen, "
    "top_up_payable_annual_yen, "
    "top_up_monthly_instalment_yen, rules_json, status, policy_id";

StoredQuote quote_from_row(const SqlRow& r, bool with_json) {
  StoredQuote q;
  q.id = text(r, 0, "quote id");
  q.issued_at = text(r, 1, "issue time");
  q.quote_date = date(r, 2, "quote date");
  q.valid_until = date(r, 3, "validity");
  q.edition = text(r, 4, "edition");
  q.edition_sha256 = text(r, 5, "edition sha256");
  q.bundle_plan = text(r, 6, "plan");
  q.tier = text(r, 7, "tier");
  q.outcome = text(r, 8, "outcome");
  q.base_monthly_premium_yen = opt_int(r, 9, "premium");
  q.top_up_annual_premium_yen = opt_int(r, 10, "premium");
  q.top_up_subsidy_yen = opt_int(r, 11, "subsidy");
  q.top_up_payable_annual_yen = opt_int(r, 12, "premium");
  q.top_up_monthly_instalment_yen = opt_int(r, 13, "instalment");
  q.rules = parse_policy_rules_json(text(r, 14, "policy rules"));
  const std::string status = text(r, 15, "quote status");
  if (status != "issued" && status != "bound") corrupt("quote status", status);
  q.status = status == "bound" ? QuoteStatus::kBound : QuoteStatus::kIssued;
  if (r.at(16)) q.policy_id = *r[16];
  if (with_json) {
    q.request_json = text(r, 17, "request");
    q.response_json = text(r, 18, "response");
  }
  return q;
}

const char* const kPolicyColumns =
    "id, quote_id, bound_at, bound_on, start_date, status, edition, edition_sha256, rules_json, "
    "top_up_annual_premium_yen, top_up_subsidy_yen, top_up_payable_annual_yen, "
    "top_up_monthly_instalment_yen, "
    "top_up_end_date, cancelled_at, cancelled_from, refund_yen, bundle_plan, tier";

Policy policy_from_row(const SqlRow& r) {
  Policy p;
  p.id = text(r, 0, "policy id");
  p.quote_id = text(r, 1, "quote id");
  p.bound_at = text(r, 2, "bind time");
  p.bound_on = date(r, 3, "bind date");
  p.start_date = date(r, 4, "start date");
  const std::string status = text(r, 5, "policy status");
  if (status != "active" && status != "cancelled") corrupt("policy status", status);
  p.status = status == "cancelled" ? PolicyStatus::kCancelled : PolicyStatus::kActive;
  p.edition = text(r, 6, "edition");
  p.edition_sha256 = text(r, 7, "edition sha256");
  p.rules = parse_policy_rules_json(text(r, 8, "policy rules"));
  if (const auto premium = opt_int(r, 9, "premium")) {
    TopUpCover t;
    t.annual_premium_yen = *premium;
    t.subsidy_yen = integer(r, 10, "subsidy");
    t.payable_annual_yen = integer(r, 11, "premium");
    t.monthly_instalment_yen = integer(r, 12, "instalment");
    t.start = p.start_date;
    t.end = date(r, 13, "end date");
    p.top_up = t;
  }
  if (p.status == PolicyStatus::kCancelled) {
    Cancellation c;
    c.recorded_at = text(r, 14, "cancellation time");
    c.effective = date(r, 15, "cancellation date");
    c.refund_yen = integer(r, 16, "refund");
    p.cancellation = c;
  }
  p.bundle_plan = text(r, 17, "plan");
  p.tier = text(r, 18, "tier");
  return p;
}

const char* const kPeriodColumns =
    "sp.policy_id, sp.seq, sp.from_date, sp.plan, sp.tier, sp.monthly_premium_yen, sp.edition, "
    "sp.edition_sha256, "
    "sp.recorded_at";

SubscriptionPeriod period_from_row(const SqlRow& r, bool with_json) {
  SubscriptionPeriod s;
  s.seq = static_cast<int>(integer(r, 1, "period number"));
  s.from = date(r, 2, "period start");
  s.plan = text(r, 3, "plan");
  s.tier = text(r, 4, "tier");
  s.monthly_premium_yen = integer(r, 5, "premium");
  s.edition = text(r, 6, "edition");
  s.edition_sha256 = text(r, 7, "edition sha256");
  s.recorded_at = text(r, 8, "change time");
  if (with_json) {
    s.request_json = text(r, 9, "request");
    s.response_json = text(r, 10, "response");
  }
  return s;
}

// The end of each period: the day before the next, or before the cancellation.
void close_periods(Policy& p) {
  for (std::size_t i = 0; i < p.subscription.size(); ++i) {
    auto& s = p.subscription[i];
    if (i + 1 < p.subscription.size())
      s.to = plus_days(p.subscription[i + 1].from, -1);
    else if (p.cancellation)
      s.to = plus_days(p.cancellation->effective, -1);
  }
}

void check_idempotency_key(const std::string& key) {
  if (key.size() > kMaxIdempotencyKeyBytes)
    throw Error(ErrorCode::kStoreBadIdempotencyKey, "idempotency_key", "must be at most 255 bytes",
                quote_for_message(key));
  for (unsigned char c : key)
    if (c < 0x20 || c > 0x7E)
      throw Error(ErrorCode::kStoreBadIdempotencyKey, "idempotency_key", "must be printable ASCII",
                  quote_for_message(key));
}

// ---- the connection pool -----------------------------------------------------------------
class Pool {
 public:
  Pool(std::function<std::unique_ptr<SqlConnection>()> factory, int size,
       std::chrono::milliseconds timeout)
      : factory_(std::move(factory)), size_(std::max(1, size)), timeout_(timeout) {}

  class Lease {
   public:
    Lease(Pool& pool, std::unique_ptr<SqlConnection> c) : pool_(pool), c_(std::move(c)) {}
    Lease(const Lease&) = delete;
    ~Lease() { pool_.release(std::move(c_)); }
    SqlConnection& operator*() const { return *c_; }
    SqlConnection* operator->() const { return c_.get(); }

   private:
    Pool& pool_;
    std::unique_ptr<SqlConnection> c_;
  };

  Lease acquire() {
    std::unique_lock<std::mutex> lock(mutex_);
    if (!ready_.wait_for(lock, timeout_, [&] { return !idle_.empty() || open_ < size_; }))
      throw Error(
          ErrorCode::kStoreUnavailable, "store",
          "no store connection came free within " + std::to_string(timeout_.count()) + " ms");
    if (!idle_.empty()) {
      auto c = std::move(idle_.back());
      idle_.pop_back();
      return Lease(*this, std::move(c));
    }
    ++open_;
    lock.unlock();
    try {
      return Lease(*this, factory_());
    } catch (...) {
      lock.lock();
      --open_;
      ready_.notify_one();
      throw;
    }
  }

 private:
  void release(std::unique_ptr<SqlConnection> c) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (c && c->usable())
      idle_.push_back(std::move(c));
    else
      --open_;
    ready_.notify_one();
  }

  std::function<std::unique_ptr<SqlConnection>()> factory_;
  const int size_;
  const std::chrono::milliseconds timeout_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::vector<std::unique_ptr<SqlConnection>> idle_;
  int open_ = 0;
};

// ---- JSON --------------------------------------------------------------------------------
nlohmann::json nullable(const std::optional<std::int64_t>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json();
}
nlohmann::json nullable(const std::optional<Date>& v) {
  return v ? nlohmann::json(v->to_string()) : nlohmann::json();
}

nlohmann::json rules_object(const PolicyRules& r) {
  return nlohmann::json::parse(policy_rules_json(r));
}

nlohmann::json embedded(const std::string& json_text) {
  if (json_text.empty()) return nullptr;
  try {
    return nlohmann::json::parse(json_text);
  } catch (const std::exception&) {
    corrupt("JSON document", json_text);
  }
}

// ---- CSV ---------------------------------------------------------------------------------
void csv_cell(std::string& out, const std::string& cell) {
  // Text a spreadsheet would read as a formula gets a leading apostrophe
  // (docs/request_contract.md).
  std::string v = cell;
  if (!v.empty() && (v[0] == '=' || v[0] == '+' || v[0] == '@' || v[0] == '\t' || v[0] == '\r' ||
                     (v[0] == '-' && v.find_first_not_of("-0123456789") != std::string::npos)))
    v.insert(v.begin(), '\'');
  if (v.find_first_of(",\"\r\n") != std::string::npos) {
    std::string quoted = "\"";
    for (char c : v) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    v = quoted + "\"";
  }
  out += v;
}

void csv_row(std::string& out, const std::vector<std::string>& cells) {
  for (std::size_t i = 0; i < cells.size(); ++i) {
    if (i) out += ',';
    csv_cell(out, cells[i]);
  }
  out += "\r\n";
}

}  // namespace

std::string_view to_string(QuoteStatus s) { return s == QuoteStatus::kBound ? "bound" : "issued"; }
std::string_view to_string(PolicyStatus s) {
  return s == PolicyStatus::kCancelled ? "cancelled" : "active";
}

// ---- Store::Impl -------------------------------------------------------------------------
class Store::Impl {
 public:
  Impl(const StoreUrl& url, StoreOptions options)
      : options_(std::move(options)),
        sqlite_(url.sqlite),
        pool_(
            [url, timeout = options_.busy_timeout]() -> std::unique_ptr<SqlConnection> {
              return url.sqlite ? detail::open_sqlite(url.target, url.max_pages, timeout)
                                : detail::open_postgres(url.target, timeout);
            },
            options_.max_connections, options_.busy_timeout) {
    if (!options_.clock) options_.clock = [] { return std::chrono::system_clock::now(); };
    migrate();
  }

  std::string_view backend() const { return sqlite_ ? "sqlite" : "postgresql"; }
  int schema_version() const { return schema_version_; }
  std::chrono::system_clock::time_point now() const { return options_.clock(); }
  Date today() const { return japan_date(now()); }

  // Runs f(connection) in a write transaction, again from the start after a lost race.
  template <typename F>
  auto write(F&& f) {
    for (int attempt = 1;; ++attempt) {
      // SQLite has one writer at a time: this process's writers queue here, in order, rather
      // than in SQLite's busy handler (which sleeps up to 100 ms between tries). Writers of
      // other processes still meet at the file lock.
      std::unique_lock<std::timed_mutex> one_writer(writer_, std::defer_lock);
      if (sqlite_ && !one_writer.try_lock_for(options_.busy_timeout))
        throw Error(
            ErrorCode::kStoreUnavailable, "store",
            "the database stayed locked by this process's other writers past the timeout (" +
                std::to_string(options_.busy_timeout.count()) + " ms)");
      auto c = pool_.acquire();
      try {
        c->begin(true);
        auto result = f(*c);
        c->commit();
        return result;
      } catch (const SqlConflict& e) {
        c->rollback();
        if (attempt == kMaxAttempts)
          throw Error(ErrorCode::kStoreConflict, "store",
                      "the write conflicted with concurrent writes " +
                          std::to_string(kMaxAttempts) + " times; nothing was written (" +
                          e.what() + ")");
      } catch (...) {
        c->rollback();
        throw;
      }
      if (one_writer.owns_lock()) one_writer.unlock();
      // Back off a little, with jitter, so that racing writers spread out.
      static thread_local std::minstd_rand jitter(std::random_device{}());
      std::this_thread::sleep_for(std::chrono::microseconds(200 * attempt + jitter() % 1000));
    }
  }

  template <typename F>
  auto read(F&& f) const {
    auto c = pool_.acquire();
    try {
      c->begin(false);
      auto result = f(*c);
      c->commit();
      return result;
    } catch (...) {
      c->rollback();
      throw;
    }
  }

  // The result of an earlier call with this key, or nullopt; throws when the key was used
  // for something else.
  static std::optional<std::string> replay(SqlConnection& c, const std::string& key,
                                           const std::string& operation, const std::string& target,
                                           const std::string& fingerprint) {
    if (key.empty()) return std::nullopt;
    const auto rows = c.query(
        "SELECT operation, target_id, fingerprint, result_id FROM idempotency_keys WHERE "
        "idempotency_key = $1",
        {key});
    if (rows.empty()) return std::nullopt;
    const SqlRow& r = rows[0];
    if (text(r, 0, "operation") != operation || text(r, 1, "target") != target ||
        text(r, 2, "fingerprint") != fingerprint)
      throw Error(ErrorCode::kStoreIdempotencyKeyReused, "idempotency_key",
                  "was already used for " + text(r, 0, "operation") + " of " +
                      text(r, 1, "target") +
                      " with other parameters; use a new key for a new operation",
                  quote_for_message(key));
    return text(r, 3, "result");
  }

  void remember(SqlConnection& c, const std::string& key, const std::string& operation,
                const std::string& target, const std::string& fingerprint,
                const std::string& result_id, const std::string& at) {
    if (key.empty()) return;
    c.execute(
        "INSERT INTO idempotency_keys (idempotency_key, operation, target_id, fingerprint, "
        "result_id, created_at) "
        "VALUES ($1, $2, $3, $4, $5, $6)",
        {key, operation, target, fingerprint, result_id, at});
  }

  static std::optional<StoredQuote> find_quote(SqlConnection& c, const std::string& id,
                                               bool with_json, bool lock = false) {
    const auto rows = c.query(std::string("SELECT ") + kQuoteColumns +
                                  ", request_json, response_json FROM quotes WHERE id = $1" +
                                  (lock ? c.row_lock() : ""),
                              {id});
    if (rows.empty()) return std::nullopt;
    return quote_from_row(rows[0], with_json);
  }

  static std::optional<Policy> find_policy(SqlConnection& c, const std::string& id, bool with_json,
                                           bool lock = false) {
    const auto rows = c.query(std::string("SELECT ") + kPolicyColumns +
                                  " FROM policies WHERE id = $1" + (lock ? c.row_lock() : ""),
                              {id});
    if (rows.empty()) return std::nullopt;
    Policy p = policy_from_row(rows[0]);
    const auto periods =
        c.query(std::string("SELECT ") + kPeriodColumns +
                    ", sp.request_json, sp.response_json FROM subscription_periods sp "
                    "WHERE sp.policy_id = $1 ORDER BY sp.seq",
                {id});
    for (const auto& r : periods) p.subscription.push_back(period_from_row(r, with_json));
    close_periods(p);
    return p;
  }

  static Policy load_policy(SqlConnection& c, const std::string& id) {
    auto p = find_policy(c, id, true);
    if (!p) corrupt("policy", id);
    return *p;
  }

  [[noreturn]] static void policy_not_found(const std::string& id) {
    throw Error(ErrorCode::kStorePolicyNotFound, "policy_id", "no policy has this id",
                quote_for_message(id));
  }

  void migrate() {
    auto c = pool_.acquire();
    c->lock_for_migration(true);
    try {
      c->begin(true);
      c->execute_script(
          "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT "
          "NULL, "
          "applied_at TEXT NOT NULL)");
      const auto rows = c->query("SELECT MAX(version) FROM schema_migrations", {});
      const std::int64_t current = rows.empty() || !rows[0][0] ? 0 : std::stoll(*rows[0][0]);
      const auto& steps = detail::store_migrations();
      const std::int64_t known = steps.back().version;
      if (current > known)
        throw Error(ErrorCode::kStoreSchemaTooNew, "store",
                    "the database's schema is at version " + std::to_string(current) +
                        ", made by a newer cybercover; this one knows versions up to " +
                        std::to_string(known));
      const std::string at = rfc3339(now());
      for (const auto& step : steps) {
        if (step.version <= current) continue;
        c->execute_script(step.sql);
        c->execute("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
                   {std::int64_t{step.version}, std::string(step.name), at});
      }
      c->commit();
      schema_version_ = static_cast<int>(known);
    } catch (const SqlConflict& e) {
      c->rollback();
      c->lock_for_migration(false);
      throw Error(ErrorCode::kStoreConflict, "store",
                  std::string("the schema migration conflicted: ") + e.what());
    } catch (...) {
      c->rollback();
      try {
        c->lock_for_migration(false);
      } catch (...) {
      }
      throw;
    }
    c->lock_for_migration(false);
  }

  StoreOptions options_;
  bool sqlite_;
  std::timed_mutex writer_;
  mutable Pool pool_;
  int schema_version_ = 0;
};

// ---- Store -------------------------------------------------------------------------------
Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Store::~Store() = default;

std::unique_ptr<Store> Store::open(const std::string& url, StoreOptions options) {
  return std::unique_ptr<Store>(
      new Store(std::make_unique<Impl>(parse_url(url), std::move(options))));
}

std::string_view Store::backend() const { return impl_->backend(); }
int Store::schema_version() const { return impl_->schema_version(); }
Date Store::today() const { return impl_->today(); }

StoredQuote Store::issue_quote(const Engine& engine, std::string_view request_json) {
  const QuoteRequest request = parse_quote_request_text(request_json, engine.library());
  const Quote quote = engine.quote(request);
  StoredQuote q;
  write_json(quote, q.response_json);
  const RatingTables& tables = *quote.tables;
  const auto now = impl_->now();
  const Date today = japan_date(now);
  q.id = new_id('q');
  q.issued_at = rfc3339(now);
  q.quote_date = request.quote_date;
  q.valid_until = plus_days(request.quote_date, tables.policy.quote_validity_days);
  if (today > q.valid_until)
    throw Error(ErrorCode::kStoreQuoteExpired, "quote_date",
                "a quote dated then was valid until " + q.valid_until.to_string() + " (" +
                    std::to_string(tables.policy.quote_validity_days) +
                    " days, policy.json of edition " + tables.edition + "); today is " +
                    today.to_string(),
                quote_for_message(request.quote_date.to_string()));
  q.edition = tables.edition;
  q.edition_sha256 = tables.sha256;
  q.bundle_plan = std::string(to_string(request.bundle_plan));
  q.tier = quote.tier_name();
  q.outcome = std::string(to_string(quote.decision.outcome));
  if (quote.base_cover) q.base_monthly_premium_yen = quote.base_cover->monthly_premium_yen;
  if (quote.top_up) {
    q.top_up_annual_premium_yen = quote.top_up->annual_premium_yen;
    q.top_up_subsidy_yen = quote.top_up->subsidy_yen;
    q.top_up_payable_annual_yen = quote.top_up->payable_annual_yen;
    q.top_up_monthly_instalment_yen = quote.top_up->monthly_instalment_yen;
  }
  q.rules = tables.policy;
  q.request_json = std::string(request_json);
  q.status = QuoteStatus::kIssued;
  impl_->write([&](SqlConnection& c) {
    c.execute(
        "INSERT INTO quotes (id, issued_at, quote_date, valid_until, edition, edition_sha256, "
        "bundle_plan, tier, outcome, "
        "base_monthly_premium_yen, top_up_annual_premium_yen, top_up_subsidy_yen, "
        "top_up_payable_annual_yen, "
        "top_up_monthly_instalment_yen, rules_json, request_json, response_json, status) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, "
        "'issued')",
        {q.id, q.issued_at, q.quote_date.to_string(), q.valid_until.to_string(), q.edition,
         q.edition_sha256, q.bundle_plan, q.tier, q.outcome, opt_param(q.base_monthly_premium_yen),
         opt_param(q.top_up_annual_premium_yen), opt_param(q.top_up_subsidy_yen),
         opt_param(q.top_up_payable_annual_yen), opt_param(q.top_up_monthly_instalment_yen),
         policy_rules_json(q.rules), q.request_json, q.response_json});
    return 0;
  });
  return q;
}

StoredQuote Store::get_quote(const std::string& id) const {
  auto q = impl_->read([&](SqlConnection& c) { return Impl::find_quote(c, id, true); });
  if (!q)
    throw Error(ErrorCode::kStoreQuoteNotFound, "quote_id", "no issued quote has this id",
                quote_for_message(id));
  return *q;
}

PolicyResult Store::bind(const BindRequest& b) {
  check_idempotency_key(b.idempotency_key);
  const std::string fingerprint = "start_date=" + b.start_date.to_string();
  return impl_->write([&](SqlConnection& c) -> PolicyResult {
    if (const auto earlier = Impl::replay(c, b.idempotency_key, "bind", b.quote_id, fingerprint))
      return {Impl::load_policy(c, *earlier), true};
    const auto found = Impl::find_quote(c, b.quote_id, true, /*lock=*/true);
    if (!found)
      throw Error(ErrorCode::kStoreQuoteNotFound, "quote_id", "no issued quote has this id",
                  quote_for_message(b.quote_id));
    const StoredQuote& q = *found;
    if (q.status == QuoteStatus::kBound) {
      // Bound meanwhile by a call with this key (PostgreSQL: we waited on its row lock)?
      if (const auto earlier = Impl::replay(c, b.idempotency_key, "bind", b.quote_id, fingerprint))
        return {Impl::load_policy(c, *earlier), true};
    }
    if (q.status == QuoteStatus::kBound)
      throw Error(ErrorCode::kStoreQuoteAlreadyBound, "quote_id",
                  "is already bound to policy " + q.policy_id.value_or("?") +
                      "; a retry of that bind must send the same idempotency key",
                  quote_for_message(b.quote_id));
    const auto now = impl_->now();
    const Date today = japan_date(now);
    if (q.expired_on(today))
      throw Error(ErrorCode::kStoreQuoteExpired, "quote_id",
                  "was valid until " + q.valid_until.to_string() + "; today is " +
                      today.to_string() + ": issue a new quote",
                  quote_for_message(b.quote_id));
    if (q.outcome == "refer" && q.top_up_annual_premium_yen)
      throw Error(
          ErrorCode::kStoreQuoteReferred, "quote_id",
          "was referred to an underwriter: its top-up premium is an indication, not an offer",
          quote_for_message(b.quote_id));
    if (!q.base_monthly_premium_yen && !q.top_up_annual_premium_yen)
      throw Error(ErrorCode::kStoreNothingToBind, "quote_id",
                  "has no base cover (plan none) and no top-up", quote_for_message(b.quote_id));
    const Date latest = plus_days(today, q.rules.max_start_delay_days);
    if (b.start_date < today || b.start_date < q.quote_date || b.start_date > latest)
      throw Error(ErrorCode::kStoreInvalidStartDate, "start_date",
                  "must be from " + std::max(today, q.quote_date).to_string() +
                      " (today and the quote date) to " + latest.to_string() + " (" +
                      std::to_string(q.rules.max_start_delay_days) + " days ahead)",
                  quote_for_message(b.start_date.to_string()));

    const std::string id = new_id('p');
    const std::string at = rfc3339(now);
    const bool has_top_up = q.top_up_annual_premium_yen.has_value();
    const std::optional<Date> end =
        has_top_up ? std::optional<Date>(top_up_term_end(b.start_date)) : std::nullopt;
    c.execute(
        "INSERT INTO policies (id, quote_id, bound_at, bound_on, start_date, status, edition, "
        "edition_sha256, rules_json, "
        "top_up_annual_premium_yen, top_up_subsidy_yen, top_up_payable_annual_yen, "
        "top_up_monthly_instalment_yen, "
        "top_up_end_date, bundle_plan, tier) VALUES ($1, $2, $3, $4, $5, 'active', $6, $7, $8, $9, "
        "$10, $11, $12, $13, "
        "$14, $15)",
        {id, q.id, at, today.to_string(), b.start_date.to_string(), q.edition, q.edition_sha256,
         policy_rules_json(q.rules), opt_param(q.top_up_annual_premium_yen),
         opt_param(q.top_up_subsidy_yen), opt_param(q.top_up_payable_annual_yen),
         opt_param(q.top_up_monthly_instalment_yen), opt_param(end), q.bundle_plan, q.tier});
    if (q.base_monthly_premium_yen)
      c.execute(
          "INSERT INTO subscription_periods (policy_id, seq, from_date, plan, tier, "
          "monthly_premium_yen, edition, "
          "edition_sha256, recorded_at, request_json, response_json) VALUES ($1, 0, $2, $3, $4, "
          "$5, $6, $7, $8, $9, $10)",
          {id, b.start_date.to_string(), q.bundle_plan, q.tier, *q.base_monthly_premium_yen,
           q.edition, q.edition_sha256, at, q.request_json, q.response_json});
    // The status check makes the update the arbiter too: a concurrent bind changes no row.
    if (c.execute("UPDATE quotes SET status = 'bound', policy_id = $1 WHERE id = $2 AND status = "
                  "'issued'",
                  {id, q.id}) != 1)
      throw SqlConflict("the quote was bound meanwhile");
    impl_->remember(c, b.idempotency_key, "bind", b.quote_id, fingerprint, id, at);
    return {Impl::load_policy(c, id), false};
  });
}

Policy Store::get_policy(const std::string& id) const {
  auto p = impl_->read([&](SqlConnection& c) { return Impl::find_policy(c, id, true); });
  if (!p) Impl::policy_not_found(id);
  return *p;
}

PolicyResult Store::cancel(const CancelRequest& r) {
  check_idempotency_key(r.idempotency_key);
  const std::string fingerprint = "effective=" + r.effective.to_string();
  return impl_->write([&](SqlConnection& c) -> PolicyResult {
    if (const auto earlier = Impl::replay(c, r.idempotency_key, "cancel", r.policy_id, fingerprint))
      return {Impl::load_policy(c, *earlier), true};
    const auto found = Impl::find_policy(c, r.policy_id, false, /*lock=*/true);
    if (!found) Impl::policy_not_found(r.policy_id);
    const Policy& p = *found;
    if (p.status == PolicyStatus::kCancelled) {
      if (const auto earlier =
              Impl::replay(c, r.idempotency_key, "cancel", r.policy_id, fingerprint))
        return {Impl::load_policy(c, *earlier), true};
    }
    if (p.status == PolicyStatus::kCancelled)
      throw Error(ErrorCode::kStorePolicyCancelled, "policy_id",
                  "was already cancelled from " + p.cancellation->effective.to_string(),
                  quote_for_message(r.policy_id));
    const auto now = impl_->now();
    const Date today = japan_date(now);
    if (r.effective < today)
      throw Error(
          ErrorCode::kStoreInvalidEffectiveDate, "effective_date",
          "must not be before today (" + today.to_string() + "): cancellations are never backdated",
          quote_for_message(r.effective.to_string()));
    if (p.subscription.size() > 1 && r.effective <= p.subscription.back().from)
      throw Error(ErrorCode::kStoreInvalidEffectiveDate, "effective_date",
                  "must be after the subscription's last change, on " +
                      p.subscription.back().from.to_string(),
                  quote_for_message(r.effective.to_string()));
    const std::int64_t refund = p.top_up
                                    ? top_up_refund(p.rules, p.top_up->annual_premium_yen,
                                                    p.top_up->start, p.top_up->end, r.effective)
                                    : 0;
    const std::string at = rfc3339(now);
    if (c.execute("UPDATE policies SET status = 'cancelled', cancelled_at = $1, cancelled_from = "
                  "$2, refund_yen = $3 "
                  "WHERE id = $4 AND status = 'active'",
                  {at, r.effective.to_string(), refund, p.id}) != 1)
      throw SqlConflict("the policy was cancelled meanwhile");
    impl_->remember(c, r.idempotency_key, "cancel", r.policy_id, fingerprint, p.id, at);
    return {Impl::load_policy(c, p.id), false};
  });
}

namespace {

// The fields a subscription change may set, as request paths.
const std::set<std::string>& changeable_fields() {
  static const std::set<std::string> fields = {
      "company.endpoints", "controls.edr.covered_endpoints", "controls.legacy_os_endpoints"};
  return fields;
}

void apply_changes(const nlohmann::json& changes, nlohmann::json& request,
                   const std::string& prefix) {
  for (const auto& [key, value] : changes.items()) {
    const std::string path = prefix.empty() ? key : prefix + "." + key;
    if (value.is_object()) {
      if (!request.contains(key) || !request[key].is_object())
        request[key] = nlohmann::json::object();
      apply_changes(value, request[key], path);
      continue;
    }
    if (!changeable_fields().count(path))
      throw Error(ErrorCode::kStoreChangeNotAllowed, "changes." + path,
                  "may not change; a subscription change sets company.endpoints, "
                  "controls.edr.covered_endpoints or "
                  "controls.legacy_os_endpoints");
    request[key] = value;
  }
}

}  // namespace

PolicyResult Store::change_subscription(const Engine& engine, const ChangeRequest& r) {
  check_idempotency_key(r.idempotency_key);
  if (r.changes_json.size() > kMaxChangeBytes)
    throw Error(ErrorCode::kRequestTooLarge, "changes", "must be at most 65536 bytes",
                std::to_string(r.changes_json.size()) + " bytes");
  nlohmann::json changes;
  try {
    changes = nlohmann::json::parse(r.changes_json);
  } catch (const std::exception& e) {
    throw Error(ErrorCode::kMalformedJson, "changes",
                std::string("must be a JSON object: ") + e.what());
  }
  if (!changes.is_object() || changes.empty())
    throw Error(ErrorCode::kWrongType, "changes",
                "must be a JSON object with at least one field to change",
                sanitize_for_message(changes.dump()));
  const std::string fingerprint =
      "effective=" + r.effective.to_string() + " changes=" + changes.dump();

  struct Stale {};  // the subscription changed between the read and the write: start again
  for (int attempt = 1;; ++attempt) {
    // Re-quoting is pure and may take a while: it runs outside the transaction, which then
    // checks that nobody changed the subscription meanwhile.
    const auto read = impl_->read([&](SqlConnection& c) {
      if (const auto earlier =
              Impl::replay(c, r.idempotency_key, "change", r.policy_id, fingerprint))
        return std::make_pair(Impl::load_policy(c, *earlier), true);
      const auto found = Impl::find_policy(c, r.policy_id, true);
      if (!found) Impl::policy_not_found(r.policy_id);
      return std::make_pair(*found, false);
    });
    const Policy& p = read.first;
    if (read.second) return {p, true};
    if (p.status == PolicyStatus::kCancelled)
      throw Error(
          ErrorCode::kStorePolicyCancelled, "policy_id",
          "was cancelled from " + p.cancellation->effective.to_string() + "; it cannot change",
          quote_for_message(r.policy_id));
    if (p.subscription.empty())
      throw Error(ErrorCode::kStoreChangeNotAllowed, "policy_id",
                  "has no base-cover subscription (plan none)", quote_for_message(r.policy_id));
    const Date today = impl_->today();
    const SubscriptionPeriod& last = p.subscription.back();
    if (r.effective < today || r.effective <= last.from)
      throw Error(ErrorCode::kStoreInvalidEffectiveDate, "effective_date",
                  "must be from today (" + today.to_string() +
                      ") and after the current premium's first day (" + last.from.to_string() + ")",
                  quote_for_message(r.effective.to_string()));

    nlohmann::json request = embedded(last.request_json);
    apply_changes(changes, request, "");
    // Only the base cover is re-rated: the top-up keeps its bound premium.
    request.erase("top_up");
    request.erase("subsidy_program");
    request["quote_date"] = r.effective.to_string();
    const std::string request_text = request.dump();
    const Quote quote = engine.quote(parse_quote_request_text(request_text, engine.library()));
    if (!quote.base_cover)
      throw Error(ErrorCode::kStoreChangeNotAllowed, "bundle_plan",
                  "the changed request has no base cover");
    std::string response;
    write_json(quote, response);

    try {
      return impl_->write([&](SqlConnection& c) -> PolicyResult {
        if (const auto earlier =
                Impl::replay(c, r.idempotency_key, "change", r.policy_id, fingerprint))
          return {Impl::load_policy(c, *earlier), true};
        const auto locked = c.query(
            std::string("SELECT status FROM policies WHERE id = $1") + c.row_lock(), {p.id});
        const auto now = c.query(
            "SELECT p.status, MAX(sp.seq) FROM policies p JOIN subscription_periods sp ON "
            "sp.policy_id = p.id "
            "WHERE p.id = $1 GROUP BY p.status",
            {p.id});
        (void)locked;
        if (now.empty() || !now[0][0] || *now[0][0] != "active" ||
            integer(now[0], 1, "period number") != last.seq)
          throw Stale{};
        const auto at = rfc3339(impl_->now());
        c.execute(
            "INSERT INTO subscription_periods (policy_id, seq, from_date, plan, tier, "
            "monthly_premium_yen, edition, "
            "edition_sha256, recorded_at, request_json, response_json) VALUES ($1, $2, $3, $4, $5, "
            "$6, $7, $8, $9, $10, $11)",
            {p.id, std::int64_t{last.seq + 1}, r.effective.to_string(), last.plan,
             quote.tier_name(), quote.base_cover->monthly_premium_yen, quote.tables->edition,
             quote.tables->sha256, at, request_text, response});
        impl_->remember(c, r.idempotency_key, "change", r.policy_id, fingerprint, p.id, at);
        return {Impl::load_policy(c, p.id), false};
      });
    } catch (const Stale&) {
      if (attempt == kMaxAttempts)
        throw Error(ErrorCode::kStoreConflict, "policy_id",
                    "the subscription kept changing meanwhile; nothing was written",
                    quote_for_message(r.policy_id));
    }
  }
}

namespace {

// The bordereau rows of one policy for a month.
void bordereau_rows(const Policy& p, const Month& m, Bordereau& out) {
  const std::optional<Date> cancelled_from =
      p.cancellation ? std::optional<Date>(p.cancellation->effective) : std::nullopt;
  for (const auto& s : p.subscription) {
    const Date from = std::max(s.from, m.first);
    const Date to = s.to ? std::min(*s.to, m.last) : m.last;
    if (to < from) continue;
    BordereauBaseCoverRow row;
    row.policy_id = p.id;
    row.quote_id = p.quote_id;
    row.seq = s.seq;
    row.plan = s.plan;
    row.tier = s.tier;
    row.monthly_premium_yen = s.monthly_premium_yen;
    row.from = from;
    row.to = to;
    row.days_in_force = to.days_since(from) + 1;
    row.days_in_month = m.days();
    row.owed_yen =
        base_cover_owed(p.rules, s.monthly_premium_yen, row.days_in_force, row.days_in_month);
    row.edition = s.edition;
    out.base_cover.push_back(std::move(row));
  }
  if (!p.top_up) return;
  const TopUpCover& t = *p.top_up;
  if (cancelled_from && *cancelled_from <= t.start) return;  // void: never in force, never written
  const std::int64_t refund = p.cancellation ? p.cancellation->refund_yen : 0;
  const Date last_in_force =
      cancelled_from && *cancelled_from <= t.end ? plus_days(*cancelled_from, -1) : t.end;
  BordereauTopUpRow row;
  row.policy_id = p.id;
  row.quote_id = p.quote_id;
  row.tier = p.tier;
  row.annual_premium_yen = t.annual_premium_yen;
  row.start = t.start;
  row.end = t.end;
  row.cancelled_from = cancelled_from;
  const Date from = std::max(t.start, m.first), to = std::min(last_in_force, m.last);
  row.days_in_force = to < from ? 0 : to.days_since(from) + 1;
  if (t.start >= m.first && t.start <= m.last) row.written_yen += t.annual_premium_yen;
  if (cancelled_from && refund > 0 && *cancelled_from >= m.first && *cancelled_from <= m.last) {
    row.written_yen -= refund;
    row.refund_yen = refund;
  }
  row.earned_yen = top_up_earned_through(p.rules, t.annual_premium_yen, t.start, t.end,
                                         cancelled_from, refund, m.last) -
                   top_up_earned_through(p.rules, t.annual_premium_yen, t.start, t.end,
                                         cancelled_from, refund, plus_days(m.first, -1));
  row.edition = p.edition;
  if (row.days_in_force == 0 && row.written_yen == 0 && row.earned_yen == 0 && row.refund_yen == 0)
    return;
  out.top_up.push_back(std::move(row));
}

}  // namespace

Bordereau Store::bordereau(std::string_view month) const {
  const auto m = parse_month(month);
  if (!m || m->first < Date::from_ymd(1900, 1, 1) || m->last > Date::from_ymd(2199, 12, 31))
    throw Error(ErrorCode::kStoreInvalidMonth, "month",
                "must be a month written YYYY-MM, from 1900-01 to 2199-12",
                quote_for_message(month));
  Bordereau b;
  b.month = std::string(month);
  b.first = m->first;
  b.last = m->last;
  const std::vector<Policy> policies = impl_->read([&](SqlConnection& c) {
    const std::vector<SqlParam> range = {m->last.to_string(), m->first.to_string()};
    const char* const in_month =
        " WHERE p.start_date <= $1 AND (p.cancelled_from IS NULL OR p.cancelled_from >= $2)";
    std::vector<Policy> out;
    std::map<std::string, std::size_t> index;
    std::string columns = kPolicyColumns;
    std::string prefixed;  // the policy columns qualified with p.
    for (std::size_t pos = 0; pos < columns.size();) {
      const std::size_t comma = columns.find(", ", pos);
      prefixed += (prefixed.empty() ? "p." : ", p.") +
                  columns.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
      if (comma == std::string::npos) break;
      pos = comma + 2;
    }
    for (const auto& r :
         c.query("SELECT " + prefixed + " FROM policies p" + in_month + " ORDER BY p.id", range)) {
      index.emplace(*r[0], out.size());
      out.push_back(policy_from_row(r));
    }
    for (const auto& r :
         c.query(std::string("SELECT ") + kPeriodColumns +
                     " FROM subscription_periods sp JOIN policies p ON p.id = sp.policy_id" +
                     in_month + " ORDER BY sp.policy_id, sp.seq",
                 range)) {
      const auto it = index.find(text(r, 0, "policy id"));
      if (it == index.end()) corrupt("subscription period", r[0]);
      out[it->second].subscription.push_back(period_from_row(r, false));
    }
    for (auto& p : out) close_periods(p);
    return out;
  });
  for (const auto& p : policies) bordereau_rows(p, *m, b);
  for (const auto& r : b.base_cover) {
    ++b.totals.subscriptions;
    b.totals.base_cover_owed_yen += r.owed_yen;
  }
  for (const auto& r : b.top_up) {
    ++b.totals.top_up_policies;
    b.totals.top_up_written_yen += r.written_yen;
    b.totals.top_up_earned_yen += r.earned_yen;
    b.totals.top_up_refund_yen += r.refund_yen;
  }
  return b;
}

std::vector<StoredQuote> Store::list_quotes(bool with_json) const {
  return impl_->read([&](SqlConnection& c) {
    std::vector<StoredQuote> out;
    const std::string json = with_json ? ", request_json, response_json" : "";
    for (const auto& r :
         c.query(std::string("SELECT ") + kQuoteColumns + json + " FROM quotes ORDER BY id", {}))
      out.push_back(quote_from_row(r, with_json));
    return out;
  });
}

std::vector<Policy> Store::list_policies(bool with_json) const {
  return impl_->read([&](SqlConnection& c) {
    std::vector<Policy> out;
    std::map<std::string, std::size_t> index;
    for (const auto& r :
         c.query(std::string("SELECT ") + kPolicyColumns + " FROM policies ORDER BY id", {})) {
      index.emplace(*r[0], out.size());
      out.push_back(policy_from_row(r));
    }
    const std::string json = with_json ? ", sp.request_json, sp.response_json" : "";
    for (const auto& r : c.query(std::string("SELECT ") + kPeriodColumns + json +
                                     " FROM subscription_periods sp ORDER BY sp.policy_id, sp.seq",
                                 {})) {
      const auto it = index.find(text(r, 0, "policy id"));
      if (it == index.end()) corrupt("subscription period", r[0]);
      out[it->second].subscription.push_back(period_from_row(r, with_json));
    }
    for (auto& p : out) close_periods(p);
    return out;
  });
}

// ---- JSON and CSV renderings ---------------------------------------------------------------
std::string quote_record_json(const StoredQuote& q) {
  nlohmann::json j = {
      {"id", q.id},
      {"issued_at", q.issued_at},
      {"quote_date", q.quote_date.to_string()},
      {"valid_until", q.valid_until.to_string()},
      {"edition", q.edition},
      {"edition_sha256", q.edition_sha256},
      {"bundle_plan", q.bundle_plan},
      {"tier", q.tier},
      {"outcome", q.outcome},
      {"base_monthly_premium_yen", nullable(q.base_monthly_premium_yen)},
      {"top_up_annual_premium_yen", nullable(q.top_up_annual_premium_yen)},
      {"top_up_subsidy_yen", nullable(q.top_up_subsidy_yen)},
      {"top_up_payable_annual_yen", nullable(q.top_up_payable_annual_yen)},
      {"top_up_monthly_instalment_yen", nullable(q.top_up_monthly_instalment_yen)},
      {"rules", rules_object(q.rules)},
      {"status", std::string(to_string(q.status))},
      {"policy_id", q.policy_id ? nlohmann::json(*q.policy_id) : nlohmann::json()},
      {"request", embedded(q.request_json)},
      {"response", embedded(q.response_json)},
  };
  return j.dump();
}

std::string policy_json(const Policy& p) {
  nlohmann::json periods = nlohmann::json::array();
  for (const auto& s : p.subscription)
    periods.push_back({{"seq", s.seq},
                       {"from", s.from.to_string()},
                       {"to", nullable(s.to)},
                       {"plan", s.plan},
                       {"tier", s.tier},
                       {"monthly_premium_yen", s.monthly_premium_yen},
                       {"edition", s.edition},
                       {"edition_sha256", s.edition_sha256},
                       {"recorded_at", s.recorded_at}});
  nlohmann::json top_up;
  if (p.top_up)
    top_up = {{"annual_premium_yen", p.top_up->annual_premium_yen},
              {"subsidy_yen", p.top_up->subsidy_yen},
              {"payable_annual_yen", p.top_up->payable_annual_yen},
              {"monthly_instalment_yen", p.top_up->monthly_instalment_yen},
              {"start_date", p.top_up->start.to_string()},
              {"end_date", p.top_up->end.to_string()}};
  nlohmann::json cancellation;
  if (p.cancellation)
    cancellation = {{"recorded_at", p.cancellation->recorded_at},
                    {"effective_date", p.cancellation->effective.to_string()},
                    {"refund_yen", p.cancellation->refund_yen}};
  nlohmann::json j = {{"id", p.id},
                      {"quote_id", p.quote_id},
                      {"bound_at", p.bound_at},
                      {"bound_on", p.bound_on.to_string()},
                      {"start_date", p.start_date.to_string()},
                      {"status", std::string(to_string(p.status))},
                      {"edition", p.edition},
                      {"edition_sha256", p.edition_sha256},
                      {"rules", rules_object(p.rules)},
                      {"top_up", top_up},
                      {"subscription", periods},
                      {"cancellation", cancellation}};
  return j.dump();
}

std::string bordereau_json(const Bordereau& b) {
  nlohmann::json base = nlohmann::json::array(), top = nlohmann::json::array();
  for (const auto& r : b.base_cover)
    base.push_back({{"policy_id", r.policy_id},
                    {"quote_id", r.quote_id},
                    {"seq", r.seq},
                    {"plan", r.plan},
                    {"tier", r.tier},
                    {"monthly_premium_yen", r.monthly_premium_yen},
                    {"from", r.from.to_string()},
                    {"to", r.to.to_string()},
                    {"days_in_force", r.days_in_force},
                    {"days_in_month", r.days_in_month},
                    {"owed_yen", r.owed_yen},
                    {"edition", r.edition}});
  for (const auto& r : b.top_up)
    top.push_back({{"policy_id", r.policy_id},
                   {"quote_id", r.quote_id},
                   {"tier", r.tier},
                   {"annual_premium_yen", r.annual_premium_yen},
                   {"start_date", r.start.to_string()},
                   {"end_date", r.end.to_string()},
                   {"cancelled_from", nullable(r.cancelled_from)},
                   {"days_in_force", r.days_in_force},
                   {"written_yen", r.written_yen},
                   {"earned_yen", r.earned_yen},
                   {"refund_yen", r.refund_yen},
                   {"edition", r.edition}});
  const auto& t = b.totals;
  nlohmann::json j = {{"month", b.month},
                      {"first_day", b.first.to_string()},
                      {"last_day", b.last.to_string()},
                      {"base_cover", base},
                      {"top_up", top},
                      {"totals",
                       {{"subscriptions", t.subscriptions},
                        {"base_cover_owed_yen", t.base_cover_owed_yen},
                        {"top_up_policies", t.top_up_policies},
                        {"top_up_written_yen", t.top_up_written_yen},
                        {"top_up_earned_yen", t.top_up_earned_yen},
                        {"top_up_refund_yen", t.top_up_refund_yen}}}};
  return j.dump();
}

std::string bordereau_csv(const Bordereau& b) {
  std::string out;
  csv_row(out, {"record",
                "policy_id",
                "quote_id",
                "seq",
                "plan",
                "tier",
                "monthly_premium_yen",
                "annual_premium_yen",
                "from",
                "to",
                "start_date",
                "end_date",
                "cancelled_from",
                "days_in_force",
                "days_in_month",
                "base_cover_owed_yen",
                "written_yen",
                "earned_yen",
                "refund_yen",
                "edition"});
  const auto n = [](std::int64_t v) { return std::to_string(v); };
  for (const auto& r : b.base_cover)
    csv_row(out, {"base_cover",
                  r.policy_id,
                  r.quote_id,
                  n(r.seq),
                  r.plan,
                  r.tier,
                  n(r.monthly_premium_yen),
                  "",
                  r.from.to_string(),
                  r.to.to_string(),
                  "",
                  "",
                  "",
                  n(r.days_in_force),
                  n(r.days_in_month),
                  n(r.owed_yen),
                  "",
                  "",
                  "",
                  r.edition});
  for (const auto& r : b.top_up)
    csv_row(out, {"top_up",
                  r.policy_id,
                  r.quote_id,
                  "",
                  "",
                  r.tier,
                  "",
                  n(r.annual_premium_yen),
                  "",
                  "",
                  r.start.to_string(),
                  r.end.to_string(),
                  r.cancelled_from ? r.cancelled_from->to_string() : "",
                  n(r.days_in_force),
                  "",
                  "",
                  n(r.written_yen),
                  n(r.earned_yen),
                  n(r.refund_yen),
                  r.edition});
  const auto& t = b.totals;
  csv_row(out, {"total",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                b.first.to_string(),
                b.last.to_string(),
                "",
                "",
                "",
                "",
                "",
                n(t.base_cover_owed_yen),
                n(t.top_up_written_yen),
                n(t.top_up_earned_yen),
                n(t.top_up_refund_yen),
                ""});
  return out;
}

}  // namespace cybercover
