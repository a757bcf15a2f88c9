#include "sqlite_handles.hpp"

namespace gridke::services::fault_location::detail {

Error sqlite_error(sqlite3* db, std::string_view what) {
  const int code = db ? sqlite3_extended_errcode(db) : SQLITE_ERROR;
  std::string message = std::string(what) + ": " + (db ? sqlite3_errmsg(db) : "no database") +
                        " (sqlite code " + std::to_string(code) + ")";
  const int primary = code & 0xff;
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED || primary == SQLITE_CANTOPEN ||
      primary == SQLITE_FULL || primary == SQLITE_IOERR) {
    return unavailable(std::move(message));
  }
  if (primary == SQLITE_NOTADB || primary == SQLITE_CORRUPT) {
    return failed_precondition(std::move(message));
  }
  return internal_error(std::move(message));
}

Result<Statement> Statement::prepare(sqlite3* db, std::string_view sql) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                         &raw, nullptr) != SQLITE_OK) {
    return sqlite_error(db, "preparing '" + std::string(sql.substr(0, 60)) + "'");
  }
  Statement s;
  s.db_ = db;
  s.stmt_.reset(raw);
  return s;
}

Statement& Statement::bind(int i, std::int64_t v) {
  sqlite3_bind_int64(stmt_.get(), i, v);
  return *this;
}
Statement& Statement::bind(int i, double v) {
  sqlite3_bind_double(stmt_.get(), i, v);
  return *this;
}
Statement& Statement::bind(int i, std::string_view v) {
  sqlite3_bind_text(stmt_.get(), i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  return *this;
}
Statement& Statement::bind_null(int i) {
  sqlite3_bind_null(stmt_.get(), i);
  return *this;
}

Result<bool> Statement::step() {
  const int rc = sqlite3_step(stmt_.get());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  Error e = sqlite_error(
      db_, std::string("running '") + std::string(sqlite3_sql(stmt_.get())).substr(0, 60) + "'");
  sqlite3_reset(stmt_.get());
  return e;
}

Result<int> Statement::run() {
  for (;;) {
    GRIDKE_ASSIGN_OR_RETURN(bool row, step());
    if (!row) break;
  }
  const int changed = sqlite3_changes(db_);
  reset();
  return changed;
}

void Statement::reset() {
  sqlite3_reset(stmt_.get());
  sqlite3_clear_bindings(stmt_.get());
}

std::string Statement::column_text(int i) const {
  const auto* p = sqlite3_column_text(stmt_.get(), i);
  if (p == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(p),
                     static_cast<std::size_t>(sqlite3_column_bytes(stmt_.get(), i)));
}

Result<void> exec(sqlite3* db, const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    sqlite3_free(err);
    return sqlite_error(db, std::string("executing '") + std::string(sql).substr(0, 60) + "'");
  }
  return ok();
}

}  // namespace gridke::services::fault_location::detail
