#include "gridke/security/token_store.hpp"

#include <mutex>
#include <utility>

#include "gridke/engine/embedded_engine.hpp"
#include "gridke/security/digest.hpp"
#include "gridke/storage/sqlite.hpp"

namespace gridke::security {

namespace {

constexpr std::string_view token_prefix = "gke_";
constexpr std::size_t token_hex_digits = 64;  // 256 bits
constexpr std::size_t id_digits = 16;

constexpr std::string_view token_schema = R"sql(
CREATE TABLE IF NOT EXISTS tokens (
  id TEXT PRIMARY KEY,
  hash TEXT NOT NULL UNIQUE,
  knowledge_base TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  expires_ms INTEGER,
  revoked_ms INTEGER
);
)sql";

bool is_hex(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

TokenInfo row_to_info(const storage::Statement& s) {
  TokenInfo info;
  info.id = s.column_text(0);
  info.knowledge_base = s.column_text(1);
  info.created = from_unix_ms(s.column_int(2));
  if (!s.column_is_null(3)) info.expires = from_unix_ms(s.column_int(3));
  if (!s.column_is_null(4)) info.revoked = from_unix_ms(s.column_int(4));
  return info;
}

constexpr std::string_view columns = "id, knowledge_base, created_ms, expires_ms, revoked_ms";

}  // namespace

struct TokenStore::Impl {
  mutable std::mutex mu;
  storage::Database db;  // GUARDED_BY(mu); declared before the statements that use it
  mutable storage::Statement by_hash;
};

TokenStore::TokenStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TokenStore::TokenStore(TokenStore&&) noexcept = default;
TokenStore& TokenStore::operator=(TokenStore&&) noexcept = default;
TokenStore::~TokenStore() = default;

Result<TokenStore> TokenStore::open(const std::string& path) {
  auto impl = std::make_unique<Impl>();
  GRIDKE_ASSIGN_OR_RETURN(impl->db, storage::Database::open(path));
  if (auto r = impl->db.exec(token_schema); !r) {
    return r.error().with_context("token store " + path);
  }
  GRIDKE_ASSIGN_OR_RETURN(impl->by_hash, impl->db.prepare("SELECT " + std::string(columns) +
                                                          " FROM tokens WHERE hash = ?1"));
  return TokenStore(std::move(impl));
}

Result<IssuedToken> TokenStore::create(std::string_view knowledge_base,
                                       std::optional<std::chrono::seconds> valid_for) {
  if (auto r = engine::validate_knowledge_base_id(knowledge_base); !r) {
    return invalid_argument("Cannot issue a token for '" + std::string(knowledge_base) +
                            "': " + r.error().message());
  }
  if (valid_for && valid_for->count() <= 0) {
    return invalid_argument("A token's validity must be positive, got " +
                            std::to_string(valid_for->count()) + " s");
  }
  GRIDKE_ASSIGN_OR_RETURN(auto random, random_hex(token_hex_digits / 2));
  IssuedToken issued;
  issued.secret = std::string(token_prefix) + random;
  const std::string hash = sha256_hex(issued.secret);
  issued.info.id = hash.substr(0, id_digits);
  issued.info.knowledge_base = std::string(knowledge_base);
  // Whole milliseconds, as stored, so the returned record equals what list() reads back.
  issued.info.created = from_unix_ms(to_unix_ms(std::chrono::system_clock::now()));
  if (valid_for) issued.info.expires = issued.info.created + *valid_for;
  std::lock_guard lock(impl_->mu);
  GRIDKE_ASSIGN_OR_RETURN(auto insert,
                          impl_->db.prepare("INSERT INTO tokens (id, hash, knowledge_base, "
                                            "created_ms, expires_ms) VALUES (?1, ?2, ?3, ?4, ?5)"));
  insert.bind(1, issued.info.id).bind(2, hash).bind(3, issued.info.knowledge_base);
  insert.bind(4, to_unix_ms(issued.info.created));
  if (issued.info.expires) {
    insert.bind(5, to_unix_ms(*issued.info.expires));
  } else {
    insert.bind_null(5);
  }
  if (auto r = insert.run(); !r) return r.error().with_context("storing the new token");
  return issued;
}

Result<std::vector<TokenInfo>> TokenStore::list() const {
  std::lock_guard lock(impl_->mu);
  GRIDKE_ASSIGN_OR_RETURN(auto s, impl_->db.prepare("SELECT " + std::string(columns) +
                                                    " FROM tokens ORDER BY created_ms, rowid"));
  std::vector<TokenInfo> out;
  for (;;) {
    GRIDKE_ASSIGN_OR_RETURN(bool row, s.step());
    if (!row) break;
    out.push_back(row_to_info(s));
  }
  return out;
}

Result<TokenInfo> TokenStore::revoke(std::string_view id) {
  if (id.size() < 6 || id.size() > id_digits || !is_hex(id)) {
    return invalid_argument("Token id '" + std::string(id) +
                            "' must be 6 to 16 lower-case hex digits (see 'gridke token list')");
  }
  std::lock_guard lock(impl_->mu);
  GRIDKE_ASSIGN_OR_RETURN(auto tx, storage::Transaction::begin(impl_->db));
  GRIDKE_ASSIGN_OR_RETURN(auto s, impl_->db.prepare("SELECT " + std::string(columns) +
                                                    " FROM tokens WHERE substr(id, 1, ?2) = ?1"));
  s.bind(1, id).bind(2, static_cast<std::int64_t>(id.size()));
  std::vector<TokenInfo> found;
  for (;;) {
    GRIDKE_ASSIGN_OR_RETURN(bool row, s.step());
    if (!row) break;
    found.push_back(row_to_info(s));
  }
  if (found.empty()) return not_found("No token with id '" + std::string(id) + "'");
  if (found.size() > 1) {
    return invalid_argument("Token id prefix '" + std::string(id) + "' matches " +
                            std::to_string(found.size()) + " tokens; give more digits");
  }
  TokenInfo info = found.front();
  if (info.revoked) {
    return failed_precondition("Token " + info.id + " was already revoked at " +
                               format_utc(*info.revoked));
  }
  info.revoked = from_unix_ms(to_unix_ms(std::chrono::system_clock::now()));
  GRIDKE_ASSIGN_OR_RETURN(auto update,
                          impl_->db.prepare("UPDATE tokens SET revoked_ms = ?1 WHERE id = ?2"));
  update.bind(1, to_unix_ms(*info.revoked)).bind(2, info.id);
  GRIDKE_TRY(update.run());
  GRIDKE_TRY(tx.commit());
  return info;
}

Result<TokenInfo> TokenStore::authenticate(std::string_view secret) const {
  if (!secret.starts_with(token_prefix) ||
      secret.size() != token_prefix.size() + token_hex_digits ||
      !is_hex(secret.substr(token_prefix.size()))) {
    return unauthenticated(
        "The bearer token is malformed: a GridKE token is 'gke_' followed by 64 hex digits "
        "(issued by 'gridke token create --kb IRI').");
  }
  const std::string hash = sha256_hex(secret);
  std::lock_guard lock(impl_->mu);
  auto& s = impl_->by_hash;
  s.reset();
  s.bind(1, hash);
  auto row = s.step();
  if (!row) return row.error().with_context("looking up a bearer token");
  if (!*row) {
    s.reset();
    return unauthenticated(
        "The bearer token is not known to this server (was it issued with 'gridke token create' "
        "against the same --token-store?).");
  }
  TokenInfo info = row_to_info(s);
  s.reset();
  if (info.revoked) {
    return unauthenticated("The bearer token " + info.id + " (knowledge base " +
                           info.knowledge_base + ") was revoked at " + format_utc(*info.revoked) +
                           ".");
  }
  if (info.expires && *info.expires <= std::chrono::system_clock::now()) {
    return unauthenticated("The bearer token " + info.id + " (knowledge base " +
                           info.knowledge_base + ") expired at " + format_utc(*info.expires) + ".");
  }
  return info;
}

}  // namespace gridke::security
