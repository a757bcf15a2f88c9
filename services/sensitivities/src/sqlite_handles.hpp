#pragma once
// RAII around the SQLite C handles used by the job store (STYLE.md §2.5): the connection and
// prepared statements, plus a small Statement helper that checks every status.
// Thread safety: a Database and its Statements must be used under one external lock.

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "gridke/base/result.hpp"

namespace gridke::services::sensitivities::storage {

struct Sqlite3Close {
  void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
};
struct Sqlite3Finalize {
  void operator()(sqlite3_stmt* s) const noexcept { sqlite3_finalize(s); }
};
using DatabasePtr = std::unique_ptr<sqlite3, Sqlite3Close>;
using StatementPtr = std::unique_ptr<sqlite3_stmt, Sqlite3Finalize>;

/// One prepared statement; bind() by 1-based index, step() until it returns false.
class Statement {
 public:
  static Result<Statement> prepare(sqlite3* db, std::string_view sql);
  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, double value);
  /// true when a row is available; false when done. Errors: internal with SQLite's message.
  Result<bool> step();
  /// Runs to completion. Errors: internal.
  Result<void> run();
  void reset();
  std::string column_text(int column) const;
  std::int64_t column_int(int column) const;
  double column_double(int column) const;
  bool column_is_null(int column) const;

 private:
  Statement(sqlite3* db, StatementPtr s) : db_(db), stmt_(std::move(s)) {}
  sqlite3* db_;
  StatementPtr stmt_;
};

/// Runs one or more statements without results. Errors: internal with SQLite's message.
Result<void> execute(sqlite3* db, std::string_view sql);

}  // namespace gridke::services::sensitivities::storage
