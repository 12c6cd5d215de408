// The SQLite backend: one database file in WAL mode (readers never block the writer),
// synchronous=FULL (a committed bind survives a crash of the process or of the machine),
// writes under BEGIN IMMEDIATE (the write lock first, so two binds never both read "issued").

#include <sqlite3.h>

#include <string>
#include <unordered_map>

#include "cybercover/error.hpp"
#include "store/sql.hpp"

namespace cybercover::detail {

namespace {

[[noreturn]] void fail(int rc, const std::string& reason, const std::string& what) {
  switch (rc & 0xff) {
    case SQLITE_FULL:
      throw Error(ErrorCode::kStoreDiskFull, "store",
                  what + ": the disk or the database's size limit is full (" + reason + ")");
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      throw Error(ErrorCode::kStoreCorrupt, "store", what + ": " + reason);
    case SQLITE_CONSTRAINT:
      throw SqlConflict(reason);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      throw Error(ErrorCode::kStoreUnavailable, "store",
                  what + ": the database stayed locked past the timeout (" + reason + ")");
    default:
      throw Error(ErrorCode::kStoreUnavailable, "store", what + ": " + reason);
  }
}

class SqliteConnection final : public SqlConnection {
 public:
  SqliteConnection(const std::string& path, std::int64_t max_pages,
                   std::chrono::milliseconds busy_timeout) {
    const int rc =
        sqlite3_open_v2(path.c_str(), &db_,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
      const std::string reason = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
      sqlite3_close(db_);
      db_ = nullptr;
      throw Error(ErrorCode::kStoreUnavailable, "store",
                  "cannot open the SQLite database: " + reason, quote_for_message(path));
    }
    try {
      sqlite3_extended_result_codes(db_, 1);
      sqlite3_busy_timeout(db_, static_cast<int>(busy_timeout.count()));
      // journal_mode=WAL persists in the file; the first open turns it on.
      const auto mode = query("PRAGMA journal_mode=WAL", {});
      if (mode.empty() || !mode[0][0] || *mode[0][0] != "wal")
        throw Error(ErrorCode::kStoreUnavailable, "store",
                    "the SQLite database cannot use WAL mode", quote_for_message(path));
      exec_plain("PRAGMA synchronous=FULL");
      exec_plain("PRAGMA foreign_keys=ON");
      if (max_pages > 0) exec_plain("PRAGMA max_page_count=" + std::to_string(max_pages));
    } catch (...) {
      close();
      throw;
    }
  }

  ~SqliteConnection() override { close(); }

  void begin(bool write) override { exec_plain(write ? "BEGIN IMMEDIATE" : "BEGIN"); }
  const char* row_lock() const override { return ""; }
  void commit() override { exec_plain("COMMIT"); }
  void rollback() noexcept override {
    if (!sqlite3_get_autocommit(db_)) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }

  std::vector<SqlRow> query(const std::string& sql, const std::vector<SqlParam>& params) override {
    sqlite3_stmt* stmt = prepare(sql, params);
    std::vector<SqlRow> rows;
    for (;;) {
      const int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) finish(stmt, rc);
      const int n = sqlite3_column_count(stmt);
      SqlRow row(static_cast<std::size_t>(n));
      for (int i = 0; i < n; ++i) {
        if (sqlite3_column_type(stmt, i) == SQLITE_NULL) continue;
        const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, i));
        row[static_cast<std::size_t>(i)] =
            std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(stmt, i)));
      }
      rows.push_back(std::move(row));
    }
    reset(stmt);
    return rows;
  }

  std::int64_t execute(const std::string& sql, const std::vector<SqlParam>& params) override {
    sqlite3_stmt* stmt = prepare(sql, params);
    const int rc = sqlite3_step(stmt);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) finish(stmt, rc);
    reset(stmt);
    return sqlite3_changes(db_);
  }

  void execute_script(const std::string& sql) override { exec_plain(sql); }
  void lock_for_migration(bool) override {
  }  // BEGIN IMMEDIATE takes the write lock, then its snapshot
  bool usable() const override { return true; }

 private:
  void exec_plain(const std::string& sql) {
    char* message = nullptr;
    const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message);
    if (rc != SQLITE_OK) {
      const std::string reason = message ? message : sqlite3_errstr(rc);
      sqlite3_free(message);
      fail(rc, reason, "SQLite");
    }
  }

  // Prepared once per connection, then reset and rebound.
  sqlite3_stmt* prepare(const std::string& sql, const std::vector<SqlParam>& params) {
    sqlite3_stmt*& stmt = statements_[sql];
    if (!stmt) {
      // $1, $2... become ?1, ?2...: SQLite's numbered parameters.
      std::string text = sql;
      for (char& c : text)
        if (c == '$') c = '?';
      const int rc =
          sqlite3_prepare_v2(db_, text.c_str(), static_cast<int>(text.size()), &stmt, nullptr);
      if (rc != SQLITE_OK) {
        const std::string reason = sqlite3_errmsg(db_);
        stmt = nullptr;
        statements_.erase(sql);
        fail(rc, reason, "SQLite prepare");
      }
    }
    for (std::size_t i = 0; i < params.size(); ++i) {
      const int index = static_cast<int>(i) + 1;
      int rc = SQLITE_OK;
      if (const auto* n = std::get_if<std::int64_t>(&params[i]))
        rc = sqlite3_bind_int64(stmt, index, *n);
      else if (const auto* s = std::get_if<std::string>(&params[i]))
        rc = sqlite3_bind_text(stmt, index, s->data(), static_cast<int>(s->size()),
                               SQLITE_TRANSIENT);
      else
        rc = sqlite3_bind_null(stmt, index);
      if (rc != SQLITE_OK) {
        const std::string reason = sqlite3_errmsg(db_);
        reset(stmt);
        fail(rc, reason, "SQLite bind");
      }
    }
    return stmt;
  }

  void reset(sqlite3_stmt* stmt) {
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
  }

  [[noreturn]] void finish(sqlite3_stmt* stmt, int rc) {
    const std::string reason = sqlite3_errmsg(db_);
    reset(stmt);
    fail(rc, reason, "SQLite");
  }

  void close() noexcept {
    for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
    statements_.clear();
    sqlite3_close(db_);
    db_ = nullptr;
  }

  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, sqlite3_stmt*> statements_;
};

}  // namespace

std::unique_ptr<SqlConnection> open_sqlite(const std::string& path, std::int64_t max_pages,
                                           std::chrono::milliseconds busy_timeout) {
  return std::make_unique<SqliteConnection>(path, max_pages, busy_timeout);
}

}  // namespace cybercover::detail
