#pragma once
// PdlCipher: the delivery point (PdL/PRM) id is encrypted in everything that leaves the
// platform (D4.3 §3.4.2.1: "the delivery point ID sent to POST services are encrypted using an
// AES ENCRYPTION KEY"). AES-256-GCM (OpenSSL EVP) with a 96-bit nonce derived from the id
// (the first 12 bytes of HMAC-SHA256(key, id)), so one id always gives the same token under one
// key: a provider can recognise its customer's meter across messages, and nobody without the
// key learns the id. Token = base64url(nonce || ciphertext || 16-byte tag), no padding.
// The key comes from configuration (64 hex digits) and is never logged or printed: errors say
// what was wrong with it, never its value.
// Thread safety: immutable after create(), share freely. Ownership: owns a copy of the key.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "gridke/base/result.hpp"

namespace gridke::services::metering {

class PdlCipher {
 public:
  /// Errors: invalid_argument when `key_hex` is not 64 hexadecimal digits (the message gives
  /// the length seen, not the key).
  static Result<PdlCipher> create(std::string_view key_hex);

  /// The token of `prm`. Errors: internal when OpenSSL fails.
  Result<std::string> encrypt(std::string_view prm) const;
  /// The id of a token. Errors: invalid_argument for a token that is not base64url or too
  /// short; permission_denied when authentication fails (another key, or a tampered token).
  Result<std::string> decrypt(std::string_view token) const;

 private:
  PdlCipher() = default;
  std::array<std::uint8_t, 32> key_{};
};

}  // namespace gridke::services::metering
