#pragma once
// SHA-256 digests, random secrets and UTC timestamps shared by the token store, the access
// policy and the audit trail (OpenSSL libcrypto underneath).
// Thread safety: free functions; share freely.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "gridke/base/result.hpp"
#include "gridke/pattern/binding.hpp"

namespace gridke::security {

/// SHA-256 of `data` as 64 lower-case hex digits.
std::string sha256_hex(std::string_view data);

/// `bytes` bytes from the OpenSSL CSPRNG as 2*bytes lower-case hex digits.
/// Errors: internal when the generator is not seeded.
Result<std::string> random_hex(std::size_t bytes);

/// SHA-256 (hex) of the canonical form of a binding set: each binding as the
/// length-prefixed, name-sorted list of (variable, N-Triples term) pairs; bindings sorted; so
/// equal sets give equal digests whatever their order. The empty set has a fixed digest.
std::string binding_set_digest(const pattern::BindingSet& bindings);

/// "2026-11-27T11:30:43.123Z" (UTC, milliseconds).
std::string format_utc(std::chrono::system_clock::time_point t);

/// Milliseconds since the Unix epoch, and back.
std::int64_t to_unix_ms(std::chrono::system_clock::time_point t);
std::chrono::system_clock::time_point from_unix_ms(std::int64_t ms);

}  // namespace gridke::security
