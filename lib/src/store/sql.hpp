#pragma once
// Internal: the little the store needs from a SQL database, implemented for SQLite (C API)
// and PostgreSQL (libpqxx). Statements are written once, with $1, $2... placeholders, and
// every value travels as a bound parameter: no value is ever spliced into SQL text.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

namespace cybercover::detail {

using SqlParam = std::variant<std::monostate, std::int64_t, std::string>;  // monostate: NULL
using SqlRow = std::vector<std::optional<std::string>>;                    // nullopt: NULL

// A write that lost a race (a unique key taken meanwhile, a serialization failure, a
// deadlock): the store rolls back and runs the whole operation again.
struct SqlConflict : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class SqlConnection {
 public:
  virtual ~SqlConnection() = default;
  // A write transaction takes the database's write lock first (SQLite BEGIN IMMEDIATE); on
  // PostgreSQL it runs READ COMMITTED and locks the rows it relies on (row_lock()), the unique
  // keys settling the rest. A read transaction sees one snapshot.
  virtual void begin(bool write) = 0;
  // " FOR UPDATE" where the backend locks rows so (PostgreSQL), else "" (SQLite: the whole
  // database is locked by the write transaction already).
  virtual const char* row_lock() const = 0;
  virtual void commit() = 0;
  virtual void rollback() noexcept = 0;
  virtual std::vector<SqlRow> query(const std::string& sql,
                                    const std::vector<SqlParam>& params) = 0;
  // Returns the number of rows changed.
  virtual std::int64_t execute(const std::string& sql, const std::vector<SqlParam>& params) = 0;
  // Runs DDL (several statements, no parameters) inside the current transaction.
  virtual void execute_script(const std::string& sql) = 0;
  // Serializes schema migrations between processes: taken before the migration's
  // transaction begins (so that its snapshot sees what the previous holder committed),
  // released after it ends.
  virtual void lock_for_migration(bool lock) = 0;
  // False once the connection is unusable (the server went away): the pool drops it.
  virtual bool usable() const = 0;
};

// Each throws Error{store.unavailable, store.corrupt, ...} when the database cannot be opened.
std::unique_ptr<SqlConnection> open_sqlite(const std::string& path, std::int64_t max_pages,
                                           std::chrono::milliseconds busy_timeout);
std::unique_ptr<SqlConnection> open_postgres(const std::string& url,
                                             std::chrono::milliseconds timeout);

// A versioned schema step; the store applies those above the database's version in order.
struct Migration {
  int version;
  const char* name;
  const char* sql;  // the same DDL for both backends
};
const std::vector<Migration>& store_migrations();

}  // namespace cybercover::detail
