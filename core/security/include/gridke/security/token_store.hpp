#pragma once
// TokenStore: bearer tokens that authenticate knowledge bases on the KE REST API
// (`gridke serve --auth tokens`, docs/security.md). A token is "gke_" + 64 hex digits (256
// random bits from the OpenSSL CSPRNG); the store keeps only its SHA-256 hash, so the secret is
// shown once, by create(), and can never be read back. Each token belongs to exactly one
// knowledge base; it may expire and may be revoked. Tokens are looked up in SQLite on every
// authenticate(), so a revocation by another process (`gridke token revoke`) takes effect on
// the next call.
//
// Thread safety: internally synchronised (one mutex around the connection).
// Ownership: owns its SQLite connection; movable, not copyable.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gridke/base/result.hpp"

namespace gridke::security {

/// What the store knows about a token (never the secret).
struct TokenInfo {
  std::string id;              ///< public id: the first 16 hex digits of the hash
  std::string knowledge_base;  ///< the KB the token may act as
  std::chrono::system_clock::time_point created;
  std::optional<std::chrono::system_clock::time_point> expires;
  std::optional<std::chrono::system_clock::time_point> revoked;
};

/// A freshly issued token: the secret exists only in this value.
struct IssuedToken {
  TokenInfo info;
  std::string secret;
};

class TokenStore {
 public:
  /// Opens or creates the store. Errors: unavailable (cannot open, naming the path),
  /// failed_precondition (not a database).
  static Result<TokenStore> open(const std::string& path);

  TokenStore(TokenStore&&) noexcept;
  TokenStore& operator=(TokenStore&&) noexcept;
  ~TokenStore();

  /// Issues a token for `knowledge_base` (an absolute IRI), valid for `valid_for` (forever
  /// when nullopt). Errors: invalid_argument (not a knowledge-base IRI, non-positive validity).
  Result<IssuedToken> create(std::string_view knowledge_base,
                             std::optional<std::chrono::seconds> valid_for = std::nullopt);

  /// Every token, oldest first (revoked and expired ones included).
  Result<std::vector<TokenInfo>> list() const;

  /// Revokes the token with this public id (or a unique prefix of at least 6 digits).
  /// Errors: not_found (no such id), invalid_argument (ambiguous or too short a prefix),
  /// failed_precondition (already revoked).
  Result<TokenInfo> revoke(std::string_view id);

  /// The token's record when `secret` is a valid, unexpired, unrevoked token. Errors, all
  /// unauthenticated and never echoing the secret: malformed, unknown, expired, revoked.
  Result<TokenInfo> authenticate(std::string_view secret) const;

 private:
  struct Impl;
  explicit TokenStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace gridke::security
