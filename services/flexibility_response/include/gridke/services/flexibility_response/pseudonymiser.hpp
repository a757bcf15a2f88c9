#pragma once
// GDPR pseudonymisation of user ids (GDPR Art. 4(5), D4.3 §4.1.5): on ingestion every user id of
// a dataset is replaced by
//   pseudonym = "P-" + hex(first 8 bytes of HMAC-SHA256(key, user id))
// before the dataset is stored for analysis; results carry only pseudonyms. The mapping
// pseudonym → user id is kept apart (FlexibilityResponseService: its own table, deletable) so
// only the owner of the mapping can re-identify.
//
// Key: a deployment key (from a file or the environment, see load_pseudonym_key) makes the
// pseudonym of a user the same in every dataset, so results can be compared across analyses
// without revealing ids; without one, each dataset gets a fresh random key that is never stored,
// which makes its pseudonyms random ids unlinkable to any other run.
// 64 bits of HMAC output: the chance that two of 10^6 users collide is about 3e-8; the service
// checks for collisions anyway.
//
// Thread safety: immutable after creation, share freely. Ownership: owns a copy of the key.

#include <cstddef>
#include <string>
#include <string_view>

#include "gridke/base/result.hpp"

namespace gridke::services::flexibility_response {

/// The shortest key accepted (128 bits).
inline constexpr std::size_t kMinPseudonymKeyBytes = 16;

class Pseudonymiser {
 public:
  /// Errors: invalid_argument when `key` is shorter than kMinPseudonymKeyBytes.
  static Result<Pseudonymiser> create(std::string key);
  /// A pseudonymiser with a fresh random 32-byte key (OpenSSL RAND_bytes).
  /// Errors: unavailable when the random generator cannot be seeded.
  static Result<Pseudonymiser> with_random_key();

  /// "P-" followed by 16 lower-case hex digits; the same id always gives the same pseudonym.
  std::string pseudonym(std::string_view user_id) const;

 private:
  explicit Pseudonymiser(std::string key) : key_(std::move(key)) {}
  std::string key_;
};

/// Reads a key file (its bytes, one trailing newline removed). Errors: not_found when the file
/// cannot be read; invalid_argument when the key is too short — both naming the path.
Result<std::string> load_pseudonym_key(const std::string& path);

/// `bytes` random bytes from OpenSSL's CSPRNG as lower-case hex (request ids, mapping tokens).
/// Errors: unavailable when the random generator cannot be seeded.
Result<std::string> random_hex(std::size_t bytes);

/// SHA-256 of `text` as lower-case hex (mapping tokens are stored only as their hash).
std::string sha256_hex(std::string_view text);

}  // namespace gridke::services::flexibility_response
