#pragma once
// Knowledge bases shared by the REST security tests (auth, TLS): one definition, so that unity
// builds can merge the test files. Thread safety: constants and pure functions.

#include <optional>
#include <string>

#include "gridke/engine/exchange.hpp"

namespace gridke::engine::security_test {

inline constexpr const char* kb1 = "http://example.org/kb1";
inline constexpr const char* kb2 = "http://example.org/kb2";

/// A KB named "n", described "d", with the given lease.
inline KnowledgeBaseInfo kb_info(const std::string& id, std::optional<int> lease = std::nullopt) {
  KnowledgeBaseInfo info;
  info.id = id;
  info.name = "n";
  info.description = "d";
  info.lease_renewal_time_s = lease;
  return info;
}

}  // namespace gridke::engine::security_test
