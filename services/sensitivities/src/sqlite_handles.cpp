// SQLite RAII helpers (sqlite_handles.hpp).

#include "sqlite_handles.hpp"

#include <string>

namespace gridke::services::sensitivities::storage {

Result<Statement> Statement::prepare(sqlite3* db, std::string_view sql) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &raw, nullptr) !=
      SQLITE_OK) {
    sqlite3_finalize(raw);
    return Error(ErrorCode::internal, std::string("SQLite prepare failed: ") + sqlite3_errmsg(db) +
                                          " in: " + std::string(sql.substr(0, 80)));
  }
  return Statement(db, StatementPtr(raw));
}

Statement& Statement::bind(int index, std::string_view text) {
  sqlite3_bind_text(stmt_.get(), index, text.data(), static_cast<int>(text.size()),
                    SQLITE_TRANSIENT);
  return *this;
}
Statement& Statement::bind(int index, std::int64_t value) {
  sqlite3_bind_int64(stmt_.get(), index, value);
  return *this;
}
Statement& Statement::bind(int index, double value) {
  sqlite3_bind_double(stmt_.get(), index, value);
  return *this;
}

Result<bool> Statement::step() {
  const int rc = sqlite3_step(stmt_.get());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return Error(ErrorCode::internal, std::string("SQLite step failed: ") + sqlite3_errmsg(db_));
}

Result<void> Statement::run() {
  while (true) {
    GRIDKE_ASSIGN_OR_RETURN(const bool row, step());
    if (!row) break;
  }
  reset();
  return ok();
}

void Statement::reset() {
  sqlite3_reset(stmt_.get());
  sqlite3_clear_bindings(stmt_.get());
}

std::string Statement::column_text(int column) const {
  const auto* p = sqlite3_column_text(stmt_.get(), column);
  const int n = sqlite3_column_bytes(stmt_.get(), column);
  return p == nullptr ? std::string()
                      : std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n));
}
std::int64_t Statement::column_int(int column) const {
  return sqlite3_column_int64(stmt_.get(), column);
}
double Statement::column_double(int column) const {
  return sqlite3_column_double(stmt_.get(), column);
}
bool Statement::column_is_null(int column) const {
  return sqlite3_column_type(stmt_.get(), column) == SQLITE_NULL;
}

Result<void> execute(sqlite3* db, std::string_view sql) {
  char* message = nullptr;
  if (sqlite3_exec(db, std::string(sql).c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    std::string m = message ? message : "unknown error";
    sqlite3_free(message);
    return Error(ErrorCode::internal, "SQLite: " + m);
  }
  return ok();
}

}  // namespace gridke::services::sensitivities::storage
