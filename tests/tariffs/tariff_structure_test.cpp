// Tests for model/tariff_structure.hpp: validation of ToU, RTP and CPP structures (overlaps,
// gaps, negative prices, unknown tiers) and the price of a minute with time, power and energy
// triggers.

#include "gridke/services/tariffs/model/tariff_structure.hpp"

#include <gtest/gtest.h>

#include "gridke_matchers.hpp"

namespace gridke::services::tariffs::model {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

// Off-peak 00:00-07:00 and 23:00-24:00, peak 17:00-21:00, normal otherwise.
TariffStructure three_period_tou() {
  TariffStructure t;
  t.id = "tou-1";
  t.zone = "feeder-7";
  t.kind = TariffKind::time_of_use;
  t.tiers = {{"off_peak", 0.05}, {"normal", 0.12}, {"peak", 0.30}, {"critical", 0.90}};
  t.periods = {{0, 420, "off_peak"},
               {420, 1020, "normal"},
               {1020, 1260, "peak"},
               {1260, 1380, "normal"},
               {1380, 1440, "off_peak"}};
  return t;
}

TEST(TariffStructure, AcceptsPeriodsThatTileTheDayInAnyOrder) {
  auto t = three_period_tou();
  std::swap(t.periods[0], t.periods[3]);
  EXPECT_THAT(validate(t), IsOk());
}

TEST(TariffStructure, PricesByTimePeriod) {
  const auto t = three_period_tou();
  ASSERT_THAT(validate(t), IsOk());
  EXPECT_DOUBLE_EQ(price_at(t, 0, 1.0, 0.0), 0.05);
  EXPECT_DOUBLE_EQ(price_at(t, 419, 1.0, 0.0), 0.05);
  EXPECT_DOUBLE_EQ(price_at(t, 420, 1.0, 0.0), 0.12);
  EXPECT_DOUBLE_EQ(price_at(t, 1100, 1.0, 0.0), 0.30);
  EXPECT_DOUBLE_EQ(price_at(t, 1439, 1.0, 0.0), 0.05);
}

TEST(TariffStructure, RejectsOverlappingPeriods) {
  auto t = three_period_tou();
  t.periods[2].start_minute = 1000;
  EXPECT_THAT(validate(t), HasError(ErrorCode::invalid_argument,
                                    AllOf(HasSubstr("tariff 'tou-1'"), HasSubstr("overlap"),
                                          HasSubstr("[420, 1020)"), HasSubstr("[1000, 1260)"))));
}

TEST(TariffStructure, RejectsGapBetweenPeriods) {
  auto t = three_period_tou();
  t.periods[2].start_minute = 1050;
  EXPECT_THAT(validate(t), HasError(ErrorCode::invalid_argument,
                                    AllOf(HasSubstr("gap"), HasSubstr("1020 (17:00)"),
                                          HasSubstr("1050 (17:30)"))));
}

TEST(TariffStructure, RejectsGapAtEndOfDay) {
  auto t = three_period_tou();
  t.periods.pop_back();
  EXPECT_THAT(validate(t), HasError(ErrorCode::invalid_argument,
                                    AllOf(HasSubstr("gap"), HasSubstr("1380 (23:00)"),
                                          HasSubstr("1440 (24:00)"))));
}

TEST(TariffStructure, RejectsNegativePrice) {
  auto t = three_period_tou();
  t.tiers[2].price_per_kwh = -0.3;
  EXPECT_THAT(validate(t),
              HasError(ErrorCode::invalid_argument,
                       AllOf(HasSubstr("tier 'peak'"), HasSubstr("negative"), HasSubstr("-0.3"))));
}

TEST(TariffStructure, RejectsUnknownTierAndDuplicateTier) {
  auto t = three_period_tou();
  t.periods[1].tier = "shoulder";
  EXPECT_THAT(validate(t),
              HasError(ErrorCode::invalid_argument,
                       AllOf(HasSubstr("period 1"), HasSubstr("unknown tier 'shoulder'"))));
  auto d = three_period_tou();
  d.tiers.push_back({"peak", 0.4});
  EXPECT_THAT(validate(d),
              HasError(ErrorCode::invalid_argument, HasSubstr("duplicate tier 'peak'")));
}

TEST(TariffStructure, RejectsPeriodOutsideDayAndEmptyIds) {
  auto t = three_period_tou();
  t.periods[4].end_minute = 1500;
  EXPECT_THAT(validate(t), HasError(ErrorCode::invalid_argument,
                                    AllOf(HasSubstr("period 4"), HasSubstr("[1380, 1500)"))));
  auto z = three_period_tou();
  z.zone.clear();
  EXPECT_THAT(validate(z), HasError(ErrorCode::invalid_argument, HasSubstr("zone is empty")));
  auto i = three_period_tou();
  i.id.clear();
  EXPECT_THAT(validate(i), HasError(ErrorCode::invalid_argument, HasSubstr("id is empty")));
}

TEST(TariffStructure, CriticalPeakEventOverridesPeriod) {
  auto t = three_period_tou();
  t.kind = TariffKind::critical_peak;
  t.critical_events = {{1080, 1140, "critical"}};
  ASSERT_THAT(validate(t), IsOk());
  EXPECT_DOUBLE_EQ(price_at(t, 1079, 1.0, 0.0), 0.30);
  EXPECT_DOUBLE_EQ(price_at(t, 1080, 1.0, 0.0), 0.90);
  EXPECT_DOUBLE_EQ(price_at(t, 1139, 1.0, 0.0), 0.90);
  EXPECT_DOUBLE_EQ(price_at(t, 1140, 1.0, 0.0), 0.30);
}

TEST(TariffStructure, RejectsCriticalEventsOnTimeOfUseAndOverlappingEvents) {
  auto t = three_period_tou();
  t.critical_events = {{1080, 1140, "critical"}};
  EXPECT_THAT(validate(t), HasError(ErrorCode::invalid_argument, HasSubstr("critical_peak")));
  t.kind = TariffKind::critical_peak;
  t.critical_events.push_back({1100, 1200, "critical"});
  EXPECT_THAT(validate(t),
              HasError(ErrorCode::invalid_argument,
                       AllOf(HasSubstr("critical events overlap"), HasSubstr("[1080, 1140)"))));
}

TEST(TariffStructure, PowerAndEnergyTriggersRaiseTheTier) {
  auto t = three_period_tou();
  t.power_triggers = {{10.0, "peak"}, {20.0, "critical"}};
  t.energy_triggers = {{300.0, "peak"}};
  ASSERT_THAT(validate(t), IsOk());
  EXPECT_DOUBLE_EQ(price_at(t, 600, 10.0, 0.0), 0.12);   // at the threshold: not above
  EXPECT_DOUBLE_EQ(price_at(t, 600, 10.5, 0.0), 0.30);   // power above 10 kW
  EXPECT_DOUBLE_EQ(price_at(t, 600, 25.0, 0.0), 0.90);   // the most expensive fired trigger
  EXPECT_DOUBLE_EQ(price_at(t, 600, 1.0, 300.5), 0.30);  // energy budget exceeded
  EXPECT_DOUBLE_EQ(price_at(t, 1100, 1.0, 0.0), 0.30);   // a trigger never lowers the price
}

TEST(TariffStructure, RejectsBadTriggers) {
  auto t = three_period_tou();
  t.power_triggers = {{-1.0, "peak"}};
  EXPECT_THAT(validate(t), HasError(ErrorCode::invalid_argument,
                                    AllOf(HasSubstr("power trigger 0"), HasSubstr("-1"))));
  t.power_triggers = {{5.0, "super"}};
  EXPECT_THAT(validate(t), HasError(ErrorCode::invalid_argument,
                                    AllOf(HasSubstr("power trigger 0"), HasSubstr("'super'"))));
  t.power_triggers.clear();
  t.energy_triggers = {{std::nan(""), "peak"}};
  EXPECT_THAT(validate(t), HasError(ErrorCode::invalid_argument, HasSubstr("energy trigger 0")));
}

TEST(TariffStructure, RealTimePricesPerInterval) {
  TariffStructure t;
  t.id = "rtp";
  t.zone = "z";
  t.kind = TariffKind::real_time;
  t.interval_minutes = 60;
  for (int h = 0; h < 24; ++h) t.real_time_prices.push_back(0.01 * h);
  ASSERT_THAT(validate(t), IsOk());
  EXPECT_DOUBLE_EQ(price_at(t, 0, 0.0, 0.0), 0.0);
  EXPECT_DOUBLE_EQ(price_at(t, 61, 0.0, 0.0), 0.01);
  EXPECT_DOUBLE_EQ(price_at(t, 1439, 0.0, 0.0), 0.23);

  auto short_series = t;
  short_series.real_time_prices.pop_back();
  EXPECT_THAT(validate(short_series),
              HasError(ErrorCode::invalid_argument,
                       AllOf(HasSubstr("needs 24 prices"), HasSubstr("got 23"))));
  auto negative = t;
  negative.real_time_prices[18] = -0.02;
  EXPECT_THAT(validate(negative),
              HasError(ErrorCode::invalid_argument, AllOf(HasSubstr("real-time price 18"),
                                                          HasSubstr("18:00"), HasSubstr("-0.02"))));
  auto odd = t;
  odd.interval_minutes = 7;
  EXPECT_THAT(validate(odd), HasError(ErrorCode::invalid_argument,
                                      HasSubstr("interval_minutes 7 does not divide")));
}

}  // namespace
}  // namespace gridke::services::tariffs::model
