#pragma once
// GoogleTest matchers for Result<T> (STYLE.md §2.7):
//   EXPECT_THAT(r, IsOk());
//   EXPECT_THAT(r, HasError(ErrorCode::parse_error, HasSubstr("line 3, column 7")));

#include <gmock/gmock.h>

#include <ostream>

#include "gridke/base/result.hpp"

namespace gridke {

inline void PrintTo(const Error& e, std::ostream* os) {
  *os << to_string(e.code()) << ": " << e.to_string();
}

namespace testing_support {

MATCHER(IsOk, "is a successful Result") {
  if (arg.has_value()) return true;
  *result_listener << "error " << ::gridke::to_string(arg.error().code()) << ": "
                   << arg.error().to_string();
  return false;
}

MATCHER_P2(HasError, code, message_matcher,
           "is an error with code " + std::string(::gridke::to_string(code))) {
  if (arg.has_value()) {
    *result_listener << "has a value";
    return false;
  }
  const auto& e = arg.error();
  if (e.code() != code) {
    *result_listener << "code is " << ::gridke::to_string(e.code()) << " (" << e.to_string()
                     << ")";
    return false;
  }
  return ::testing::ExplainMatchResult(message_matcher, e.to_string(), result_listener);
}

}  // namespace testing_support
using testing_support::HasError;
using testing_support::IsOk;
}  // namespace gridke
