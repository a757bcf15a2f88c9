// SQLite RAII wrapper (sqlite.hpp).

#include "gridke/storage/sqlite.hpp"

#include <utility>

namespace gridke::storage {

Error sqlite_error(sqlite3* db, std::string_view what) {
  const int code = db ? sqlite3_extended_errcode(db) : SQLITE_ERROR;
  std::string message = std::string(what) + ": " + (db ? sqlite3_errmsg(db) : "no database") +
                        " (sqlite code " + std::to_string(code) + ")";
  const int primary = code & 0xff;
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED || primary == SQLITE_CANTOPEN ||
      primary == SQLITE_FULL || primary == SQLITE_IOERR || primary == SQLITE_READONLY) {
    return unavailable(std::move(message));
  }
  if (primary == SQLITE_NOTADB || primary == SQLITE_CORRUPT) {
    return failed_precondition(std::move(message));
  }
  return internal_error(std::move(message));
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
Statement& Statement::bind_blob(int i, const void* data, std::size_t size) {
  sqlite3_bind_blob(stmt_.get(), i, data, static_cast<int>(size), SQLITE_TRANSIENT);
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
      db_, std::string("running '") +
               std::string(std::string_view(sqlite3_sql(stmt_.get())).substr(0, 60)) + "'");
  sqlite3_reset(stmt_.get());
  return e;
}

Result<int> Statement::run() {
  while (true) {
    auto row = step();
    if (!row) {
      reset();
      return row.error();
    }
    if (!*row) break;
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
  const int n = sqlite3_column_bytes(stmt_.get(), i);
  return p == nullptr ? std::string()
                      : std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n));
}

std::optional<std::string> Statement::column_optional_text(int i) const {
  if (column_is_null(i)) return std::nullopt;
  return column_text(i);
}

Result<Database> Database::open(const std::string& path, const OpenOptions& options) {
  int flags = SQLITE_OPEN_NOMUTEX;
  if (options.read_only) {
    flags |= SQLITE_OPEN_READONLY;
  } else {
    flags |= SQLITE_OPEN_READWRITE;
    if (options.create) flags |= SQLITE_OPEN_CREATE;
  }
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  Database db;
  db.db_.reset(raw);  // closed by the deleter even when opening failed
  db.path_ = path;
  if (rc != SQLITE_OK) return sqlite_error(raw, "opening SQLite database '" + path + "'");
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, static_cast<int>(options.busy_timeout.count()));
  // Reading the schema detects a file that is not a database before anything else runs.
  if (auto r = db.exec("PRAGMA schema_version;"); !r) return r.error();
  if (!options.read_only && path != ":memory:" && !path.empty()) {
    if (options.wal) GRIDKE_TRY(db.exec("PRAGMA journal_mode=WAL;"));
    GRIDKE_TRY(
        db.exec(options.full_sync ? "PRAGMA synchronous=FULL;" : "PRAGMA synchronous=NORMAL;"));
  }
  GRIDKE_TRY(db.exec("PRAGMA foreign_keys=ON;"));
  return db;
}

Result<void> Database::exec(std::string_view sql) {
  const std::string text(sql);
  char* message = nullptr;
  const int rc = sqlite3_exec(db_.get(), text.c_str(), nullptr, nullptr, &message);
  if (rc != SQLITE_OK) {
    sqlite3_free(message);
    return sqlite_error(db_.get(), "'" + path_ + "': executing '" + text.substr(0, 60) + "'");
  }
  return ok();
}

Result<Statement> Database::prepare(std::string_view sql) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v3(db_.get(), sql.data(), static_cast<int>(sql.size()),
                         SQLITE_PREPARE_PERSISTENT, &raw, nullptr) != SQLITE_OK) {
    sqlite3_finalize(raw);
    return sqlite_error(db_.get(), "preparing '" + std::string(sql.substr(0, 60)) + "'");
  }
  return Statement(db_.get(), SqliteStmtPtr(raw));
}

Result<int> Database::user_version() {
  GRIDKE_ASSIGN_OR_RETURN(auto s, prepare("PRAGMA user_version;"));
  GRIDKE_ASSIGN_OR_RETURN(const bool row, s.step());
  return row ? static_cast<int>(s.column_int(0)) : 0;
}

Result<void> Database::set_user_version(int version) {
  return exec("PRAGMA user_version=" + std::to_string(version) + ";");
}

std::int64_t Database::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_.get()); }

Result<Transaction> Transaction::begin(Database& db) {
  GRIDKE_TRY(db.exec("BEGIN IMMEDIATE;"));
  return Transaction(&db);
}

Transaction::Transaction(Transaction&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}

Transaction::~Transaction() {
  if (db_ != nullptr) (void)db_->exec("ROLLBACK;");
}

Result<void> Transaction::commit() {
  if (db_ == nullptr) return failed_precondition("transaction already finished");
  auto r = db_->exec("COMMIT;");
  if (!r) return r;
  db_ = nullptr;
  return ok();
}

}  // namespace gridke::storage
