#pragma once
// RAII around SQLite's C handles (STYLE.md §2.5) and a small prepared-statement wrapper.
// Thread safety: none; a Database and its Statements are used under the owner's mutex.
// Ownership: Database owns the sqlite3 connection; every Statement made from it must be
// destroyed first (declare statements after the Database member).

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "gridke/base/result.hpp"

namespace gridke::services::fault_location::detail {

struct SqliteClose {
  void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
};
using SqlitePtr = std::unique_ptr<sqlite3, SqliteClose>;

struct SqliteFinalize {
  void operator()(sqlite3_stmt* s) const noexcept { sqlite3_finalize(s); }
};
using SqliteStmtPtr = std::unique_ptr<sqlite3_stmt, SqliteFinalize>;

/// An error for a failed SQLite call on `db`, naming what was being done.
Error sqlite_error(sqlite3* db, std::string_view what);

/// A prepared statement: bind by 1-based index, step, read columns, reset.
class Statement {
 public:
  Statement() = default;
  static Result<Statement> prepare(sqlite3* db, std::string_view sql);

  Statement& bind(int i, std::int64_t v);
  Statement& bind(int i, double v);
  Statement& bind(int i, std::string_view v);
  Statement& bind_null(int i);
  template <class T>
  Statement& bind(int i, const std::optional<T>& v) {
    return v ? bind(i, *v) : bind_null(i);
  }

  /// Steps once: true when a row is available, false when done.
  Result<bool> step();
  /// Steps to completion (for INSERT/UPDATE/DELETE) and resets; returns changed rows.
  Result<int> run();
  void reset();

  std::int64_t column_int(int i) const { return sqlite3_column_int64(stmt_.get(), i); }
  double column_double(int i) const { return sqlite3_column_double(stmt_.get(), i); }
  bool column_is_null(int i) const { return sqlite3_column_type(stmt_.get(), i) == SQLITE_NULL; }
  std::string column_text(int i) const;

 private:
  sqlite3* db_ = nullptr;
  SqliteStmtPtr stmt_;
};

/// Runs SQL text with no results (may hold several statements).
Result<void> exec(sqlite3* db, const char* sql);

}  // namespace gridke::services::fault_location::detail
