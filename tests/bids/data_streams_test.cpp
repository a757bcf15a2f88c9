// Control signals (data stream 4) from accepted bids.
#include "gridke/services/bids/data_streams.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gridke_matchers.hpp"

namespace gridke::services::bids {
namespace {

using ::testing::HasSubstr;

TEST(ControlSignals, SplitAcceptedBlocksIntoPerAssetActivations) {
  std::vector<UnitFlexibility> u(3);
  for (int i = 0; i < 3; ++i) {
    u[static_cast<std::size_t>(i)].id = "wh" + std::to_string(i);
    u[static_cast<std::size_t>(i)].up_kw = {0, 0};
    u[static_cast<std::size_t>(i)].down_kw = {2, 2};
    u[static_cast<std::size_t>(i)].down_price_eur_per_mwh = 10.0 * i;
  }
  BidRules rules;
  rules.intervals_per_period = 1;
  rules.min_block_kw = 3;
  rules.max_block_kw = 3;
  auto bids = generate_bids(u, rules);
  ASSERT_THAT(bids, IsOk());
  // Per period: [wh0 2, wh1 1], [wh1 1, wh2 2]. Accept both blocks of period 1.
  std::vector<std::size_t> accepted;
  for (std::size_t i = 0; i < bids->bids.size(); ++i) {
    if (bids->bids[i].period == 1) accepted.push_back(i);
  }
  ASSERT_EQ(accepted.size(), 2u);
  const TimePoint start{};
  auto s = control_signals(u, *bids, accepted, start, 15);
  ASSERT_THAT(s, IsOk());
  ASSERT_EQ(s->size(), 3u);
  EXPECT_EQ((*s)[1].asset_id, "wh1");
  EXPECT_DOUBLE_EQ((*s)[1].power_kw, 2);  // 1 kW in each of two blocks
  EXPECT_EQ((*s)[1].start, start + std::chrono::minutes(15));
  EXPECT_EQ((*s)[1].direction, FlexDirection::down);
  EXPECT_DOUBLE_EQ(target_power_kw(5, (*s)[1]), 3);
  std::vector<std::size_t> bad{99};
  EXPECT_THAT(
      control_signals(u, *bids, bad, start, 15),
      HasError(ErrorCode::invalid_argument, HasSubstr("accepted bid index 99 is out of range")));
  EXPECT_THAT(control_signals(u, *bids, accepted, start, 0),
              HasError(ErrorCode::invalid_argument, HasSubstr("period_minutes: must be > 0")));
}

}  // namespace
}  // namespace gridke::services::bids
