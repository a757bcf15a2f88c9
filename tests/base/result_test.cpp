#include "gridke/base/result.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "gridke_matchers.hpp"

namespace gridke {
namespace {

using ::testing::HasSubstr;

Result<int> parse_positive(int v) {
  if (v <= 0) return invalid_argument("value must be positive, got " + std::to_string(v), "arg");
  return v;
}

Result<int> doubled(int v) {
  GRIDKE_ASSIGN_OR_RETURN(int x, parse_positive(v));
  return 2 * x;
}

Result<void> check(int v) {
  GRIDKE_TRY(parse_positive(v));
  return ok();
}

TEST(Result, HoldsValue) {
  auto r = doubled(4);
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(*r, 8);
}

TEST(Result, PropagatesErrorWithLocation) {
  auto r = doubled(-1);
  EXPECT_THAT(r, HasError(ErrorCode::invalid_argument, HasSubstr("arg: value must be positive")));
  EXPECT_THAT(check(-2), HasError(ErrorCode::invalid_argument, HasSubstr("got -2")));
  EXPECT_THAT(check(3), IsOk());
}

TEST(Result, MoveOnlyValues) {
  Result<std::unique_ptr<int>> r = std::make_unique<int>(5);
  ASSERT_TRUE(r.has_value());
  std::unique_ptr<int> p = std::move(r).value();
  EXPECT_EQ(*p, 5);
}

TEST(Error, ContextAndMappings) {
  Error e = not_found("no such KB").with_context("loading x.ttl");
  EXPECT_EQ(e.message(), "loading x.ttl: no such KB");
  EXPECT_EQ(e.http_status(), 404);
  EXPECT_EQ(parse_error("bad").http_status(), 400);
  EXPECT_EQ(internal_error("bug").exit_code(), 70);
  EXPECT_EQ(to_string(ErrorCode::deadline_exceeded), "deadline_exceeded");
}

}  // namespace
}  // namespace gridke
