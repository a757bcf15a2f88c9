// A reduced run of the HEMS fleet evaluation (`gridke simulate hems`), asserting the issue's
// targets: every eligible power fault notified within T_min + one reading period, no false
// alarm from ISP outages, and fewer than 1 false alarm per 1,000 zone-days from dropouts.

#include "gridke/services/fault_location/hems_simulator.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gridke_matchers.hpp"

namespace gridke::services::fault_location {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;

TEST(HemsSimulator, ReducedEvaluationMeetsTheTargets) {
  SimulationConfig c;
  c.cities = 2;
  c.min_zones_per_city = 3;
  c.max_zones_per_city = 4;
  c.days = 10;
  c.power_faults_per_day = 5.0;
  c.isp_outages_per_day = 3.0;
  auto r = simulate_hems_fleet(c);
  ASSERT_THAT(r, IsOk());
  EXPECT_GE(r->zones, 6);
  EXPECT_GT(r->power_faults, 20);
  EXPECT_GT(r->eligible_faults, 15);
  EXPECT_GT(r->isp_outages, 15);
  EXPECT_GT(r->communication_outage_verdicts, 0);  // the ISP outages were seen and explained
  EXPECT_THAT(r->misses, IsEmpty());
  EXPECT_EQ(r->detected_in_time, r->eligible_faults);
  EXPECT_LE(r->delay_max_s, r->deadline_s);
  EXPECT_EQ(r->isp_false_alarms, 0);
  EXPECT_LT(r->dropout_false_alarms_per_1000_zone_days, 1.0);
  EXPECT_DOUBLE_EQ(r->recall, 1.0);
  EXPECT_GT(r->precision, 0.95);
  EXPECT_GT(r->sags_detected, 0);
  EXPECT_TRUE(r->meets_targets());
}

TEST(HemsSimulator, SameSeedSameReport) {
  SimulationConfig c;
  c.cities = 1;
  c.min_zones_per_city = c.max_zones_per_city = 2;
  c.days = 2;
  auto a = simulate_hems_fleet(c);
  auto b = simulate_hems_fleet(c);
  ASSERT_THAT(a, IsOk());
  ASSERT_THAT(b, IsOk());
  EXPECT_EQ(a->readings, b->readings);
  EXPECT_EQ(a->fault_notifications, b->fault_notifications);
  EXPECT_EQ(a->power_faults, b->power_faults);
}

TEST(HemsSimulator, RejectsBadConfig) {
  SimulationConfig c;
  c.days = 0;
  EXPECT_THAT(simulate_hems_fleet(c), HasError(ErrorCode::invalid_argument, HasSubstr("days")));
  c = {};
  c.min_hems_per_zone = 50;
  c.max_hems_per_zone = 10;
  EXPECT_THAT(simulate_hems_fleet(c),
              HasError(ErrorCode::invalid_argument, HasSubstr("HEMS per zone")));
  c = {};
  c.flaky_fraction = 2.0;
  EXPECT_THAT(simulate_hems_fleet(c),
              HasError(ErrorCode::invalid_argument, HasSubstr("flaky_fraction")));
  c = {};
  c.parameters.min_silence = std::chrono::seconds(10);
  EXPECT_THAT(simulate_hems_fleet(c),
              HasError(ErrorCode::invalid_argument, HasSubstr("min_silence")));
}

}  // namespace
}  // namespace gridke::services::fault_location
