// Tests for settlement.hpp: billing actual consumption against a published price series and
// against a tariff structure with power and energy triggers, and the error paths.

#include "gridke/services/tariffs/settlement.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "gridke_matchers.hpp"

namespace gridke::services::tariffs {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

TEST(Settlement, BillsConsumptionAgainstPublishedPrices) {
  const std::vector<double> prices = {0.10, 0.25, 0.40};
  const std::vector<double> kwh = {2.0, 1.0, 0.5};
  const auto bill = settle(prices, kwh);
  ASSERT_THAT(bill, IsOk());
  EXPECT_DOUBLE_EQ(bill->cost[1], 0.25);
  EXPECT_DOUBLE_EQ(bill->energy_kwh, 3.5);
  EXPECT_DOUBLE_EQ(bill->total_cost, 0.2 + 0.25 + 0.2);
}

TEST(Settlement, RejectsMismatchedOrInvalidSeries) {
  const std::vector<double> prices = {0.10, 0.25};
  EXPECT_THAT(settle(prices, std::vector<double>{1.0}),
              HasError(ErrorCode::invalid_argument,
                       HasSubstr("1 consumption intervals against 2 published prices")));
  EXPECT_THAT(settle(prices, std::vector<double>{1.0, -2.0}),
              HasError(ErrorCode::invalid_argument, HasSubstr("consumption[1] = -2")));
  EXPECT_THAT(settle(std::vector<double>{0.1, -0.2}, std::vector<double>{1.0, 1.0}),
              HasError(ErrorCode::invalid_argument, HasSubstr("published price[1] = -0.2")));
}

TEST(Settlement, AppliesPowerAndEnergyTriggersOfATariffStructure) {
  model::TariffStructure t;
  t.id = "tou";
  t.zone = "conn-1";
  t.tiers = {{"day", 0.20}, {"night", 0.10}, {"over_power", 0.50}, {"over_budget", 0.30}};
  t.periods = {{0, 360, "night"}, {360, 1440, "day"}};
  t.power_triggers = {{8.0, "over_power"}};     // above 8 kW
  t.energy_triggers = {{10.0, "over_budget"}};  // above 10 kWh in the billing period
  // Hourly intervals: 00:00 1 kWh (night), 01:00 9 kWh = 9 kW (power trigger), 02:00 1 kWh
  // (energy before = 10, not above), 03:00 1 kWh (energy before = 11: budget trigger).
  const std::vector<double> kwh = {1.0, 9.0, 1.0, 1.0};
  const auto bill = settle(t, kwh, 60);
  ASSERT_THAT(bill, IsOk());
  EXPECT_DOUBLE_EQ(bill->cost[0], 0.10);
  EXPECT_DOUBLE_EQ(bill->cost[1], 9.0 * 0.50);
  EXPECT_DOUBLE_EQ(bill->cost[2], 0.10);
  EXPECT_DOUBLE_EQ(bill->cost[3], 0.30);
  EXPECT_DOUBLE_EQ(bill->energy_kwh, 12.0);

  EXPECT_THAT(settle(t, kwh, 7),
              HasError(ErrorCode::invalid_argument, HasSubstr("interval_minutes 7")));
  t.periods.pop_back();
  EXPECT_THAT(settle(t, kwh, 60), HasError(ErrorCode::invalid_argument,
                                           AllOf(HasSubstr("tariff 'tou'"), HasSubstr("gap"))));
}

TEST(Settlement, WrapsIntervalsAcrossDays) {
  model::TariffStructure t;
  t.id = "two-rate";
  t.zone = "conn-1";
  t.tiers = {{"day", 0.20}, {"night", 0.10}};
  t.periods = {{0, 720, "night"}, {720, 1440, "day"}};
  const std::vector<double> kwh(4, 1.0);  // 4 half-day intervals = two days
  const auto bill = settle(t, kwh, 720);
  ASSERT_THAT(bill, IsOk());
  EXPECT_DOUBLE_EQ(bill->total_cost, 2 * 0.10 + 2 * 0.20);
}

}  // namespace
}  // namespace gridke::services::tariffs
