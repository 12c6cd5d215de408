// The PostgreSQL backend through libpqxx. A write transaction locks the row it changes first
// (SELECT ... FOR UPDATE): two service instances binding one quote take turns, and the second
// reads the quote as bound; a key taken meanwhile (an idempotency key, a policy's quote) fails
// its unique index, and the store runs the operation again, then sees the winner's result.
// Statements are prepared once per connection and every value is a bound parameter.

#include <pqxx/pqxx>
#include <string>
#include <unordered_map>

#include "cybercover/error.hpp"
#include "store/sql.hpp"

namespace cybercover::detail {

namespace {

// The URL without its password, for messages.
std::string redacted(const std::string& url) {
  const auto scheme = url.find("://");
  const auto at = url.find('@');
  if (scheme == std::string::npos || at == std::string::npos) return url;
  const auto colon = url.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon) + ":***" + url.substr(at);
}

class PostgresConnection final : public SqlConnection {
 public:
  PostgresConnection(const std::string& url, std::chrono::milliseconds timeout) {
    // libpq takes the URL as it is; a connect timeout keeps a dead server from hanging us.
    std::string target = url;
    if (target.find("connect_timeout=") == std::string::npos) {
      const long seconds = std::max<long>(1, static_cast<long>((timeout.count() + 999) / 1000));
      target += (target.find('?') == std::string::npos ? "?" : "&") +
                std::string("connect_timeout=") + std::to_string(seconds);
    }
    try {
      connection_ = std::make_unique<pqxx::connection>(target);
      work_ = std::make_unique<pqxx::nontransaction>(*connection_);
      // Waiting for another transaction's lock is bounded too.
      work_->exec("SET lock_timeout = " + std::to_string(timeout.count()));
      work_->exec("SET TIME ZONE 'UTC'");
    } catch (const pqxx::broken_connection& e) {
      throw Error(ErrorCode::kStoreUnavailable, "store",
                  std::string("cannot connect to PostgreSQL: ") + first_line(e.what()),
                  quote_for_message(redacted(url)));
    } catch (const std::exception& e) {
      throw Error(ErrorCode::kStoreUnavailable, "store",
                  std::string("cannot open the PostgreSQL session: ") + first_line(e.what()),
                  quote_for_message(redacted(url)));
    }
  }

  ~PostgresConnection() override {
    try {
      work_.reset();
      connection_.reset();
    } catch (...) {
    }
  }

  void begin(bool write) override {
    run([&] {
      work_->exec(write ? "BEGIN ISOLATION LEVEL READ COMMITTED"
                        : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    });
    in_transaction_ = true;
  }
  const char* row_lock() const override { return " FOR UPDATE"; }
  void commit() override {
    run([&] { work_->exec("COMMIT"); });
    in_transaction_ = false;
  }
  void rollback() noexcept override {
    if (!in_transaction_) return;
    in_transaction_ = false;
    try {
      if (usable_) work_->exec("ROLLBACK");
    } catch (...) {
      usable_ = false;
    }
  }

  std::vector<SqlRow> query(const std::string& sql, const std::vector<SqlParam>& params) override {
    std::vector<SqlRow> rows;
    run([&] {
      const pqxx::result r = exec(sql, params);
      rows.reserve(r.size());
      for (const auto& row : r) {
        SqlRow out(row.size());
        for (std::size_t i = 0; i < row.size(); ++i)
          if (!row[static_cast<pqxx::row::size_type>(i)].is_null())
            out[i] = row[static_cast<pqxx::row::size_type>(i)].c_str();
        rows.push_back(std::move(out));
      }
    });
    return rows;
  }

  std::int64_t execute(const std::string& sql, const std::vector<SqlParam>& params) override {
    std::int64_t changed = 0;
    run([&] { changed = static_cast<std::int64_t>(exec(sql, params).affected_rows()); });
    return changed;
  }

  void execute_script(const std::string& sql) override {
    run([&] { work_->exec(sql); });
  }

  void lock_for_migration(bool lock) override {
    // A session advisory lock: instances starting together migrate one after the other.
    run([&] {
      work_->exec(lock ? "SELECT pg_advisory_lock(7165302520616279)"
                       : "SELECT pg_advisory_unlock(7165302520616279)");
    });
  }

  bool usable() const override { return usable_ && connection_ && connection_->is_open(); }

 private:
  static std::string first_line(const std::string& text) {
    const auto nl = text.find('\n');
    return nl == std::string::npos ? text : text.substr(0, nl);
  }

  pqxx::result exec(const std::string& sql, const std::vector<SqlParam>& params) {
    auto& name = statements_[sql];
    if (name.empty()) {
      name = "s" + std::to_string(statements_.size());
      connection_->prepare(name, sql);
    }
    std::vector<std::string> text(params.size());
    std::vector<const char*> values(params.size(), nullptr);
    for (std::size_t i = 0; i < params.size(); ++i) {
      if (const auto* n = std::get_if<std::int64_t>(&params[i]))
        text[i] = std::to_string(*n);
      else if (const auto* s = std::get_if<std::string>(&params[i]))
        text[i] = *s;
      else
        continue;
      values[i] = text[i].c_str();
    }
    return work_->exec_prepared(name, pqxx::prepare::make_dynamic_params(values));
  }

  template <typename F>
  void run(F&& f) {
    if (!usable()) {
      usable_ = false;
      throw Error(ErrorCode::kStoreUnavailable, "store", "the PostgreSQL connection was lost");
    }
    try {
      f();
    } catch (const pqxx::broken_connection& e) {
      usable_ = false;
      throw Error(ErrorCode::kStoreUnavailable, "store",
                  "PostgreSQL connection lost: " + first_line(e.what()));
    } catch (const pqxx::serialization_failure& e) {
      throw SqlConflict(first_line(e.what()));  // the transaction lost a race: run it again
    } catch (const pqxx::deadlock_detected& e) {
      throw SqlConflict(first_line(e.what()));
    } catch (const pqxx::in_doubt_error& e) {
      usable_ = false;
      throw Error(ErrorCode::kStoreUnavailable, "store",
                  "PostgreSQL connection lost during commit: " + first_line(e.what()));
    } catch (const pqxx::sql_error& e) {
      const std::string& state = e.sqlstate();
      // 40001 serialization failure, 40P01 deadlock, 23505 unique violation: a lost race.
      if (state == "40001" || state == "40P01" || state == "23505")
        throw SqlConflict(first_line(e.what()));
      if (state == "53100")
        throw Error(ErrorCode::kStoreDiskFull, "store",
                    "PostgreSQL's disk is full: " + first_line(e.what()));
      // 57P0x: the server is shutting down or restarting; 08xxx: connection failures.
      if (state.rfind("57P", 0) == 0 || state.rfind("08", 0) == 0) usable_ = false;
      if (state == "55P03")
        throw Error(ErrorCode::kStoreUnavailable, "store",
                    "a PostgreSQL lock was held past the timeout: " + first_line(e.what()));
      throw Error(ErrorCode::kStoreUnavailable, "store",
                  "PostgreSQL error " + state + ": " + first_line(e.what()));
    } catch (const pqxx::failure& e) {
      usable_ = false;
      throw Error(ErrorCode::kStoreUnavailable, "store",
                  std::string("PostgreSQL failure: ") + first_line(e.what()));
    }
  }

  std::unique_ptr<pqxx::connection> connection_;
  std::unique_ptr<pqxx::nontransaction> work_;
  std::unordered_map<std::string, std::string> statements_;
  bool in_transaction_ = false;
  bool usable_ = true;
};

}  // namespace

std::unique_ptr<SqlConnection> open_postgres(const std::string& url,
                                             std::chrono::milliseconds timeout) {
  return std::make_unique<PostgresConnection>(url, timeout);
}

}  // namespace cybercover::detail
