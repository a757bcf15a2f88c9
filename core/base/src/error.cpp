#include "gridke/base/error.hpp"

namespace gridke {

std::string_view to_string(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::invalid_argument: return "invalid_argument";
    case ErrorCode::parse_error: return "parse_error";
    case ErrorCode::not_found: return "not_found";
    case ErrorCode::already_exists: return "already_exists";
    case ErrorCode::failed_precondition: return "failed_precondition";
    case ErrorCode::deadline_exceeded: return "deadline_exceeded";
    case ErrorCode::unavailable: return "unavailable";
    case ErrorCode::numerical: return "numerical";
    case ErrorCode::internal: return "internal";
    case ErrorCode::unimplemented: return "unimplemented";
    case ErrorCode::unauthenticated: return "unauthenticated";
    case ErrorCode::permission_denied: return "permission_denied";
  }
  return "unknown";
}

Error Error::with_context(std::string_view context) const {
  Error copy = *this;
  copy.message_ = std::string(context) + ": " + message_;
  return copy;
}

std::string Error::to_string() const {
  if (location_.empty()) return message_;
  return location_ + ": " + message_;
}

int Error::http_status() const noexcept {
  switch (code_) {
    case ErrorCode::invalid_argument:
    case ErrorCode::parse_error:
    case ErrorCode::already_exists: return 400;  // TNO answers 400 for duplicates (NOTES §1.4)
    case ErrorCode::not_found: return 404;
    case ErrorCode::failed_precondition: return 409;
    case ErrorCode::deadline_exceeded: return 504;
    case ErrorCode::unavailable: return 503;
    case ErrorCode::unimplemented: return 501;
    case ErrorCode::unauthenticated: return 401;
    case ErrorCode::permission_denied: return 403;
    case ErrorCode::numerical:
    case ErrorCode::internal: return 500;
  }
  return 500;
}

int Error::exit_code() const noexcept {
  // 0 success, 1 findings (validate), 2 usage errors: used by the CLI directly.
  switch (code_) {
    case ErrorCode::invalid_argument:
    case ErrorCode::parse_error: return 3;
    case ErrorCode::not_found: return 4;
    case ErrorCode::already_exists:
    case ErrorCode::failed_precondition: return 5;
    case ErrorCode::deadline_exceeded:
    case ErrorCode::unavailable: return 6;
    case ErrorCode::numerical: return 7;
    case ErrorCode::unimplemented: return 8;
    case ErrorCode::unauthenticated:
    case ErrorCode::permission_denied: return 9;
    case ErrorCode::internal: return 70;  // EX_SOFTWARE
  }
  return 70;
}

}  // namespace gridke
