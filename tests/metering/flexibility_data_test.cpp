// Tests for flexibility_data.hpp: needs of one zone, direction and interval add up, intervals
// outside the window are left out, historical and forecast slots are told apart, and malformed
// needs are rejected naming the need.

#include "gridke/services/metering/flexibility_data.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <limits>

#include "gridke_matchers.hpp"

namespace gridke::services::metering {
// Named per file: unity builds concatenate the test sources of this executable.
namespace flexibility_data_test {

using namespace std::chrono;
using ::testing::HasSubstr;

const TimePoint kT0 = TimePoint(sys_days{year{2026} / 11 / 27} + hours(17));

TEST(SummariseFlexibility, SumsOneSlotAndSeparatesDirectionsAndZones) {
  const std::vector<ZoneFlexibilityNeed> needs = {
      {"Z-2", FlexDirection::down, 10.0, kT0, kT0 + hours(1)},
      {"Z-1", FlexDirection::down, 4.0, kT0, kT0 + hours(1)},
      {"Z-1", FlexDirection::down, 6.0, kT0, kT0 + hours(1)},
      {"Z-1", FlexDirection::up, 3.0, kT0, kT0 + hours(1)},
      {"Z-1", FlexDirection::down, 1.0, kT0 - hours(5), kT0 - hours(4)},  // outside the window
  };
  auto r = summarise_flexibility(needs, kT0 - hours(1), kT0 + hours(2), kT0 - hours(3));
  ASSERT_THAT(r, IsOk());
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[0].zone, "Z-1");
  EXPECT_EQ((*r)[0].direction, FlexDirection::up);
  EXPECT_EQ((*r)[1].direction, FlexDirection::down);
  EXPECT_DOUBLE_EQ((*r)[1].needs_kw, 10.0);
  EXPECT_EQ((*r)[1].needs, 2u);
  EXPECT_TRUE((*r)[1].forecast);
  EXPECT_EQ((*r)[2].zone, "Z-2");
}

TEST(SummariseFlexibility, MarksStartedIntervalsHistorical) {
  const std::vector<ZoneFlexibilityNeed> needs = {
      {"Z-1", FlexDirection::down, 2.0, kT0, kT0 + hours(1)}};
  auto r = summarise_flexibility(needs, kT0 - hours(24), kT0 + hours(24), kT0 + minutes(1));
  ASSERT_THAT(r, IsOk());
  ASSERT_EQ(r->size(), 1u);
  EXPECT_FALSE(r->front().forecast);
}

TEST(SummariseFlexibility, RejectsMalformedNeedsNamingThem) {
  const TimePoint from = kT0 - hours(1), to = kT0 + hours(1);
  std::vector<ZoneFlexibilityNeed> needs = {{"Z-1", FlexDirection::down, -1.0, kT0, kT0}};
  EXPECT_THAT(summarise_flexibility(needs, from, to, kT0),
              HasError(ErrorCode::invalid_argument,
                       HasSubstr("flexibility need 0 (zone 'Z-1'): needs_kw -1")));
  needs[0].needs_kw = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THAT(summarise_flexibility(needs, from, to, kT0),
              HasError(ErrorCode::invalid_argument, HasSubstr("must be finite")));
  needs[0].needs_kw = 1.0;
  EXPECT_THAT(summarise_flexibility(needs, from, to, kT0),
              HasError(ErrorCode::invalid_argument, HasSubstr("end is not after its start")));
  needs[0] = {"", FlexDirection::up, 1.0, kT0, kT0 + hours(1)};
  EXPECT_THAT(summarise_flexibility(needs, from, to, kT0),
              HasError(ErrorCode::invalid_argument, HasSubstr("need 0: the zone is empty")));
  EXPECT_THAT(summarise_flexibility({}, to, from, kT0),
              HasError(ErrorCode::invalid_argument, HasSubstr("end must be after its start")));
}

}  // namespace flexibility_data_test
}  // namespace gridke::services::metering
