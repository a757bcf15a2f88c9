// Gate closures of D4.3 §4.4 (day-ahead 12:00/16:00/18:00 D-1; intraday T-6h/T-3h/T-2h).
#include "gridke/services/flexibility_market/gate_closure.hpp"

#include <gtest/gtest.h>

#include "gridke/services/flexibility_market/model_json.hpp"
#include "market_test_time.hpp"

namespace gridke::services::flexibility_market {
namespace {

using test_time::at;

TEST(GateClosure, DayAheadClosesOnTheDayBefore) {
  const GateTimes g = gate_times(Window::day_ahead, at("2026-11-28T19:15:00Z"));
  EXPECT_EQ(format_time(g.needs_publish_by), "2026-11-27T12:00:00Z");
  EXPECT_EQ(format_time(g.offers_close), "2026-11-27T16:00:00Z");
  EXPECT_EQ(format_time(g.plan_close), "2026-11-27T18:00:00Z");
}

TEST(GateClosure, DayAheadMidnightIntervalBelongsToItsOwnDay) {
  const GateTimes g = gate_times(Window::day_ahead, at("2026-11-28T00:00:00Z"));
  EXPECT_EQ(format_time(g.offers_close), "2026-11-27T16:00:00Z");
}

TEST(GateClosure, IntradayIsRelativeToDeliveryStart) {
  const GateTimes g = gate_times(Window::intraday, at("2026-11-28T14:00:00Z"));
  EXPECT_EQ(format_time(g.needs_publish_by), "2026-11-28T08:00:00Z");
  EXPECT_EQ(format_time(g.offers_close), "2026-11-28T11:00:00Z");
  EXPECT_EQ(format_time(g.plan_close), "2026-11-28T12:00:00Z");
}

TEST(GateClosure, IntradaySlotsAreEverySixHours) {
  EXPECT_EQ(format_time(intraday_slot(at("2026-11-28T05:59:59Z"))), "2026-11-28T00:00:00Z");
  EXPECT_EQ(format_time(intraday_slot(at("2026-11-28T06:00:00Z"))), "2026-11-28T06:00:00Z");
  EXPECT_EQ(format_time(intraday_slot(at("2026-11-28T23:10:00Z"))), "2026-11-28T18:00:00Z");
}

}  // namespace
}  // namespace gridke::services::flexibility_market
