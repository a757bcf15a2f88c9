#pragma once
// SQLite for GridKE components: one RAII wrapper over the C handles (STYLE.md §2.5), used by
// every service and by the server's durable registry, so durability settings are uniform.
//
// Database::open() applies the durability contract of README "Operations": WAL journal,
// synchronous=FULL (fsync on every commit), foreign keys on, a busy timeout. A committed
// Transaction is on disk when commit() returns.
//
// Thread safety: none. A Database and its Statements are used by one thread at a time (the
// owner's mutex); SQLite is opened with SQLITE_OPEN_NOMUTEX.
// Ownership: Database owns the sqlite3 connection; Statements made from it must be destroyed
// before it (declare Statement members after the Database member).

#include <sqlite3.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "gridke/base/result.hpp"

namespace gridke::storage {

struct SqliteClose {
  void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
};
struct SqliteFinalize {
  void operator()(sqlite3_stmt* s) const noexcept { sqlite3_finalize(s); }
};
using SqlitePtr = std::unique_ptr<sqlite3, SqliteClose>;
using SqliteStmtPtr = std::unique_ptr<sqlite3_stmt, SqliteFinalize>;

/// An Error for a failed SQLite call on `db`, naming `what` was being done and the SQLite
/// code: SQLITE_BUSY/LOCKED/CANTOPEN/FULL/IOERR → unavailable; NOTADB/CORRUPT →
/// failed_precondition; anything else → internal.
Error sqlite_error(sqlite3* db, std::string_view what);

struct OpenOptions {
  bool create = true;  ///< create the file when missing
  bool read_only = false;
  bool wal = true;        ///< journal_mode=WAL (ignored for ":memory:")
  bool full_sync = true;  ///< synchronous=FULL: fsync on every commit
  std::chrono::milliseconds busy_timeout{5000};
};

/// A prepared statement: bind by 1-based index, step, read columns by 0-based index, reset.
class Statement {
 public:
  Statement() = default;

  Statement& bind(int i, std::int64_t v);
  Statement& bind(int i, int v) { return bind(i, static_cast<std::int64_t>(v)); }
  Statement& bind(int i, double v);
  Statement& bind(int i, std::string_view v);
  Statement& bind(int i, const char* v) { return bind(i, std::string_view(v)); }
  Statement& bind(int i, const std::string& v) { return bind(i, std::string_view(v)); }
  Statement& bind_blob(int i, const void* data, std::size_t size);
  Statement& bind_null(int i);
  template <class T>
  Statement& bind(int i, const std::optional<T>& v) {
    return v ? bind(i, *v) : bind_null(i);
  }

  /// Steps once: true when a row is available, false when done.
  Result<bool> step();
  /// Steps to completion (INSERT/UPDATE/DELETE), then resets; returns the changed rows.
  Result<int> run();
  /// Resets the statement and clears its bindings.
  void reset();

  std::int64_t column_int(int i) const { return sqlite3_column_int64(stmt_.get(), i); }
  double column_double(int i) const { return sqlite3_column_double(stmt_.get(), i); }
  bool column_is_null(int i) const { return sqlite3_column_type(stmt_.get(), i) == SQLITE_NULL; }
  std::string column_text(int i) const;
  std::optional<std::string> column_optional_text(int i) const;

  bool valid() const { return stmt_ != nullptr; }

 private:
  friend class Database;
  Statement(sqlite3* db, SqliteStmtPtr stmt) : db_(db), stmt_(std::move(stmt)) {}
  sqlite3* db_ = nullptr;
  SqliteStmtPtr stmt_;
};

class Database {
 public:
  Database() = default;
  /// Opens (and by default creates) `path`; ":memory:" for a private in-memory database.
  /// Errors: unavailable (cannot open, e.g. missing directory, no permission) naming the path;
  /// failed_precondition (not a database).
  static Result<Database> open(const std::string& path, const OpenOptions& options = {});

  /// Runs SQL text with no results (may hold several statements).
  Result<void> exec(std::string_view sql);
  /// Prepares one statement (kept prepared for reuse: SQLITE_PREPARE_PERSISTENT).
  Result<Statement> prepare(std::string_view sql);
  /// PRAGMA user_version, for schema migrations.
  Result<int> user_version();
  Result<void> set_user_version(int version);
  std::int64_t last_insert_rowid() const;

  sqlite3* handle() const { return db_.get(); }
  const std::string& path() const { return path_; }
  explicit operator bool() const { return db_ != nullptr; }

 private:
  SqlitePtr db_;
  std::string path_;
};

/// BEGIN IMMEDIATE … COMMIT; rolls back in the destructor unless commit() succeeded.
class Transaction {
 public:
  static Result<Transaction> begin(Database& db);
  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  ~Transaction();
  Result<void> commit();

 private:
  explicit Transaction(Database* db) : db_(db) {}
  Database* db_ = nullptr;  ///< null once committed or rolled back
};

}  // namespace gridke::storage
