#pragma once
// Error: what went wrong, in one closed set of codes, with a message and a location.
// Thread safety: immutable after construction apart from with_context(); share const Errors freely.

#include <cstdint>
#include <string>
#include <string_view>

namespace gridke {

/// The closed set of failure kinds (STYLE.md §2.3). Add a code only with a mapping in
/// http_status() and exit_code().
enum class ErrorCode : std::uint8_t {
  invalid_argument,     ///< The caller passed a value that is wrong in itself.
  parse_error,          ///< Text did not parse (Turtle, graph pattern, binding value, JSON).
  not_found,            ///< An id the caller claims exists does not.
  already_exists,       ///< A create with an id or name already in use.
  failed_precondition,  ///< The system is not in a state that allows the call.
  deadline_exceeded,    ///< A per-call deadline passed before the work finished.
  unavailable,          ///< A peer or server cannot be reached (retry may help).
  numerical,            ///< A numerical method failed (singular matrix, no convergence).
  internal,             ///< A bug or an unexpected library failure.
  unimplemented,        ///< A documented extension point this build does not provide.
  unauthenticated,      ///< No valid credentials (missing or unknown token, bad certificate).
  permission_denied,    ///< Authenticated, but not allowed to do this (ACL, acting as another KB).
};

/// Name of a code as written in messages, e.g. "parse_error".
std::string_view to_string(ErrorCode code) noexcept;

/// An Error is a code, a human-readable message and an optional location
/// (`file:line:col`, or `KI <id>, variable ?x`). Messages state facts: ids, values, limits.
class Error {
 public:
  Error(ErrorCode code, std::string message, std::string location = {})
      : code_(code), message_(std::move(message)), location_(std::move(location)) {}

  ErrorCode code() const noexcept { return code_; }
  const std::string& message() const noexcept { return message_; }
  const std::string& location() const noexcept { return location_; }

  /// Returns a copy whose message is prefixed with "context: ", as an error crosses a layer.
  Error with_context(std::string_view context) const;

  /// "location: message" (or just the message when there is no location), Serd/GCC style.
  std::string to_string() const;

  /// The HTTP status a REST front door answers with for this error (400, 404, 409, 504, ...).
  int http_status() const noexcept;

  /// The process exit code the `gridke` command uses for this error (see README, "Exit codes").
  int exit_code() const noexcept;

  friend bool operator==(const Error&, const Error&) = default;

 private:
  ErrorCode code_;
  std::string message_;
  std::string location_;
};

/// Shorthand factories, e.g. `return invalid_argument("leaseRenewalTime must be ≥ 30");`.
inline Error invalid_argument(std::string m, std::string loc = {}) {
  return {ErrorCode::invalid_argument, std::move(m), std::move(loc)};
}
inline Error parse_error(std::string m, std::string loc = {}) {
  return {ErrorCode::parse_error, std::move(m), std::move(loc)};
}
inline Error not_found(std::string m, std::string loc = {}) {
  return {ErrorCode::not_found, std::move(m), std::move(loc)};
}
inline Error already_exists(std::string m, std::string loc = {}) {
  return {ErrorCode::already_exists, std::move(m), std::move(loc)};
}
inline Error failed_precondition(std::string m, std::string loc = {}) {
  return {ErrorCode::failed_precondition, std::move(m), std::move(loc)};
}
inline Error deadline_exceeded(std::string m, std::string loc = {}) {
  return {ErrorCode::deadline_exceeded, std::move(m), std::move(loc)};
}
inline Error unavailable(std::string m, std::string loc = {}) {
  return {ErrorCode::unavailable, std::move(m), std::move(loc)};
}
inline Error numerical(std::string m, std::string loc = {}) {
  return {ErrorCode::numerical, std::move(m), std::move(loc)};
}
inline Error unauthenticated(std::string m, std::string loc = {}) {
  return {ErrorCode::unauthenticated, std::move(m), std::move(loc)};
}
inline Error permission_denied(std::string m, std::string loc = {}) {
  return {ErrorCode::permission_denied, std::move(m), std::move(loc)};
}
inline Error internal_error(std::string m, std::string loc = {}) {
  return {ErrorCode::internal, std::move(m), std::move(loc)};
}

}  // namespace gridke
