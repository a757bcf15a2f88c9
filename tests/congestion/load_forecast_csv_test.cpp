// Reading a load forecast from a table of load-shape profiles.
#include "gridke/services/congestion/load_forecast_csv.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gridke_matchers.hpp"

namespace gridke::services::congestion {
namespace {

using ::testing::HasSubstr;
namespace grid = gridke::services::grid;

grid::Network two_loads() {
  grid::Network n;
  grid::Load a;
  a.id = "A";
  a.kw = 2;
  a.kvar = 1;
  a.shape = "s1";
  grid::Load b = a;
  b.id = "B";
  b.kvar = 0;
  b.shape = "s2";
  n.loads = {a, b};
  return n;
}

TEST(ProfileForecast, GivesEachLoadItsShapeRowWithItsPowerFactor) {
  auto f =
      parse_profile_forecast("# comment\nshape,q0,q1\ns1,1.5,2\ns2,3,4\n", "t.csv", two_loads());
  ASSERT_THAT(f, IsOk());
  ASSERT_EQ(f->size(), 2u);
  EXPECT_DOUBLE_EQ((*f)[1][0].kw, 2);
  EXPECT_DOUBLE_EQ((*f)[1][0].kvar, 1);  // kvar/kW of the load = 0.5
  EXPECT_DOUBLE_EQ((*f)[0][1].kw, 3);
  EXPECT_DOUBLE_EQ((*f)[0][1].kvar, 0);
}

TEST(ProfileForecast, RejectsBadFiles) {
  EXPECT_THAT(parse_profile_forecast("s1,1,2\n", "t.csv", two_loads()),
              HasError(ErrorCode::parse_error, HasSubstr("t.csv:1: expected the header")));
  EXPECT_THAT(parse_profile_forecast("shape,q0,q1\ns1,1\n", "t.csv", two_loads()),
              HasError(ErrorCode::parse_error, HasSubstr("t.csv:2: 1 values, the header has 2")));
  EXPECT_THAT(
      parse_profile_forecast("shape,q0\ns1,x\n", "t.csv", two_loads()),
      HasError(ErrorCode::parse_error, HasSubstr("t.csv:2: column 1: expected a number, got 'x'")));
  EXPECT_THAT(parse_profile_forecast("shape,q0\ns1,1\n", "t.csv", two_loads()),
              HasError(ErrorCode::invalid_argument,
                       HasSubstr("load 'B' uses shape 's2', which has no row")));
  EXPECT_THAT(read_profile_forecast("/nonexistent/x.csv", two_loads()),
              HasError(ErrorCode::not_found, HasSubstr("/nonexistent/x.csv")));
}

}  // namespace
}  // namespace gridke::services::congestion
