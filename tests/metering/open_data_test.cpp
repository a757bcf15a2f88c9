// Tests for open_data.hpp: zones below k are suppressed, overlapping zones that differ by fewer
// than k consumers cannot both be published, nested zones that differ by k or more can, and bad
// inputs are named.

#include "gridke/services/metering/open_data.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gridke_matchers.hpp"

namespace gridke::services::metering {
// Named per file: unity builds concatenate the test sources of this executable.
namespace open_data_test {

using ::testing::HasSubstr;

std::vector<MeterEnergy> meters(int n) {
  std::vector<MeterEnergy> out;
  for (int i = 0; i < n; ++i) out.push_back({"m" + std::to_string(i), 1.0 + i});
  return out;
}

std::vector<std::string> ids(int from, int to) {
  std::vector<std::string> out;
  for (int i = from; i < to; ++i) out.push_back("m" + std::to_string(i));
  return out;
}

TEST(OpenData, PublishesZonesWithAtLeastKConsumersAndSuppressesTheRest) {
  const auto energy = meters(12);
  const std::vector<ZoneMembership> zones = {
      {"Z-1", ids(0, 5)}, {"Z-2", ids(5, 9)}, {"Z-3", ids(9, 12)}};
  auto r = aggregate_by_zone(zones, energy);
  ASSERT_THAT(r, IsOk());
  ASSERT_EQ(r->published.size(), 1u);
  EXPECT_EQ(r->published[0].zone, "Z-1");
  EXPECT_EQ(r->published[0].consumers, 5u);
  EXPECT_DOUBLE_EQ(r->published[0].energy_kwh, 1 + 2 + 3 + 4 + 5);
  ASSERT_EQ(r->suppressed.size(), 2u);
  EXPECT_EQ(r->suppressed[0].reason, "4 consumers < k = 5");
  auto k3 = aggregate_by_zone(zones, energy, {3});
  ASSERT_THAT(k3, IsOk());
  EXPECT_EQ(k3->published.size(), 3u);
}

TEST(OpenData, MetersWithoutDataDoNotCount) {
  auto r = aggregate_by_zone(std::vector<ZoneMembership>{{"Z", ids(0, 8)}}, meters(4));
  ASSERT_THAT(r, IsOk());
  EXPECT_TRUE(r->published.empty());
  EXPECT_EQ(r->suppressed[0].reason, "4 consumers < k = 5");
}

TEST(OpenData, OverlappingZonesCannotRevealASmallDifference) {
  // Feeder F (10 meters) and the street S inside it (8 of them): F - S describes 2 consumers.
  const auto energy = meters(30);
  auto r = aggregate_by_zone(
      std::vector<ZoneMembership>{{"F", ids(0, 10)}, {"S", ids(0, 8)}, {"Other", ids(20, 30)}},
      energy);
  ASSERT_THAT(r, IsOk());
  ASSERT_EQ(r->published.size(), 2u);
  EXPECT_EQ(r->published[0].zone, "F");
  EXPECT_EQ(r->published[1].zone, "Other");
  ASSERT_EQ(r->suppressed.size(), 1u);
  EXPECT_EQ(r->suppressed[0].zone, "S");
  EXPECT_THAT(r->suppressed[0].reason, HasSubstr("overlaps zone 'F': the two differ by 0 and 2"));
  // Nested zones that differ by k or more are both safe.
  auto nested =
      aggregate_by_zone(std::vector<ZoneMembership>{{"F", ids(0, 15)}, {"S", ids(0, 8)}}, energy);
  ASSERT_THAT(nested, IsOk());
  EXPECT_EQ(nested->published.size(), 2u);
  // Partial overlap, one side small: the smaller zone goes.
  auto partial =
      aggregate_by_zone(std::vector<ZoneMembership>{{"A", ids(0, 10)}, {"B", ids(3, 12)}}, energy);
  ASSERT_THAT(partial, IsOk());
  ASSERT_EQ(partial->published.size(), 1u);
  EXPECT_EQ(partial->published[0].zone, "A");
}

TEST(OpenData, RejectsBadInput) {
  const auto energy = meters(5);
  EXPECT_THAT(aggregate_by_zone(std::vector<ZoneMembership>{{"Z", ids(0, 5)}}, energy, {0}),
              HasError(ErrorCode::invalid_argument, HasSubstr("k must be >= 1")));
  EXPECT_THAT(aggregate_by_zone(std::vector<ZoneMembership>{{"Z", {}}, {"Z", {}}}, energy),
              HasError(ErrorCode::invalid_argument, HasSubstr("zone 'Z' is listed twice")));
  auto dup = energy;
  dup.push_back({"m1", 3.0});
  EXPECT_THAT(aggregate_by_zone(std::vector<ZoneMembership>{}, dup),
              HasError(ErrorCode::invalid_argument, HasSubstr("meter 'm1' has two energy values")));
  auto negative = energy;
  negative[2].energy_kwh = -1;
  EXPECT_THAT(aggregate_by_zone(std::vector<ZoneMembership>{}, negative),
              HasError(ErrorCode::invalid_argument, HasSubstr("energy[2] of meter 'm2' = -1")));
}

}  // namespace open_data_test
}  // namespace gridke::services::metering
