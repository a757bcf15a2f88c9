// Tests for voltage_analysis.hpp (Outputs 2 and 3) on a hand-made grid: a known S, an EV at
// m3 charging 18:00-19:00 UTC (undervoltage) and PV at m1 generating 12:00-13:00 (overvoltage).

#include "gridke/services/sensitivities/voltage_analysis.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "gridke_matchers.hpp"
#include "synthetic_data.hpp"

namespace gridke::services::sensitivities {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

constexpr std::int64_t kDay0 = 1'600'041'600;  // 2020-09-14T00:00:00Z
constexpr int kDays = 20;
constexpr std::int64_t kStep = 1800;

struct Case {
  SensitivityMatrix s;
  HistoricalData meters;
  std::vector<ApplianceHistory> appliances;
};

Case make_case() {
  Case c;
  c.s.network_id = "g";
  c.s.voltage_meters = c.s.injection_meters = {"m0", "m1", "m2", "m3"};
  c.s.sensitivity_v_per_kw = 10.0 * testing::feeder_like_s(4, 2);
  c.appliances = {{"ev3", ApplianceType::ev, "m3", {}},
                  {"pv1", ApplianceType::pv, "m1", {}},
                  {"o0", ApplianceType::other, "m0", {}},
                  {"o2", ApplianceType::other, "m2", {}}};
  for (const auto& id : c.s.voltage_meters) c.meters.meters.push_back({{id, "", {}, 0}, {}});
  for (std::int64_t t = kDay0; t < kDay0 + kDays * 86400; t += kStep) {
    const int hour = static_cast<int>((t % 86400) / 3600);
    const double ev = hour == 18 ? 7.0 : 0.0;
    const double pv = hour == 12 ? 8.0 : 0.0;
    const double other = 0.5 + 0.1 * static_cast<double>((t / kStep) % 3);
    c.appliances[0].measurements.push_back({t, ev});
    c.appliances[1].measurements.push_back({t, pv});
    c.appliances[2].measurements.push_back({t, other});
    c.appliances[3].measurements.push_back({t, other});
    Eigen::Vector4d consumption(other, -pv, other, ev);
    const double base = hour >= 10 && hour < 14 ? 245.0 : 220.0;
    const Eigen::Vector4d v = (c.s.sensitivity_v_per_kw * consumption).array() + base;
    for (int i = 0; i < 4; ++i)
      c.meters.meters[static_cast<std::size_t>(i)].measurements.push_back({t, v(i), 0});
  }
  return c;
}

const PeriodAnalysis* find(const VoltageAnalysis& a, const std::string& label) {
  for (const auto& p : a.periods) {
    if (p.label == label) return &p;
  }
  return nullptr;
}

TEST(AnalyseVoltages, FindsEvUndervoltageAndPvOvervoltage) {
  const Case c = make_case();
  const auto a = analyse_voltages(c.meters, c.s, c.appliances);
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(a->periods.size(), 48U);
  EXPECT_EQ(a->start_time_s, kDay0);
  const auto* evening = find(*a, "18h00-18h30");
  ASSERT_NE(evening, nullptr);
  EXPECT_DOUBLE_EQ(evening->undervoltage.probability_percent, 25.0);  // m3 of 4 meters
  EXPECT_EQ(evening->undervoltage.worst_meter, "m3");
  EXPECT_LT(evening->undervoltage.worst_value_v, 207.0);
  ASSERT_FALSE(evening->undervoltage.causes.empty());
  EXPECT_EQ(evening->undervoltage.causes[0].meter_id, "m3");
  EXPECT_EQ(evening->undervoltage.causes[0].load_type, ApplianceType::ev);
  EXPECT_GT(evening->undervoltage.causes[0].share, 0.9);
  ASSERT_GE(evening->warnings.size(), 2U);
  EXPECT_THAT(evening->warnings[0], HasSubstr("Undervoltage (below 207.0 V) in 25.0 % of records"));
  EXPECT_THAT(evening->warnings[1], HasSubstr("EV charging at 1 customer (m3) accounts for"));

  const auto* noon = find(*a, "12h00-12h30");
  ASSERT_NE(noon, nullptr);
  EXPECT_GT(noon->overvoltage.probability_percent, 0.0);
  ASSERT_FALSE(noon->overvoltage.causes.empty());
  EXPECT_EQ(noon->overvoltage.causes[0].load_type, ApplianceType::pv);
  EXPECT_EQ(noon->overvoltage.causes[0].meter_id, "m1");
  EXPECT_THAT(noon->warnings[1], HasSubstr("Consumption is low compared with the PV generation"));

  const auto* night = find(*a, "03h00-03h30");
  ASSERT_NE(night, nullptr);
  EXPECT_EQ(night->undervoltage.probability_percent, 0.0);
  EXPECT_EQ(night->undervoltage.worst_value_v, 0.0);
  EXPECT_TRUE(night->undervoltage.causes.empty());
}

TEST(FlexibilityRequirements, PerimetersRestoreTheLimits) {
  const Case c = make_case();
  const auto f = flexibility_requirements(c.meters, c.s, c.appliances);
  ASSERT_THAT(f, IsOk());
  const PeriodRequirements* evening = nullptr;
  const PeriodRequirements* noon = nullptr;
  for (const auto& p : f->periods) {
    if (p.label == "18h00-18h30") evening = &p;
    if (p.label == "12h00-12h30") noon = &p;
  }
  ASSERT_NE(evening, nullptr);
  ASSERT_NE(noon, nullptr);
  ASSERT_FALSE(evening->perimeters.empty());
  const auto& ip = evening->perimeters[0];
  EXPECT_EQ(ip.critical_meter, "m3");
  EXPECT_EQ(ip.perimeter_id, "37_1");
  EXPECT_LT(ip.power_variation_kw, 0.0);
  EXPECT_NE(std::find(ip.meter_ids.begin(), ip.meter_ids.end(), "m3"), ip.meter_ids.end());
  // The linear model confirms: the change spread over the perimeter lifts m3 by the deviation.
  double lift = 0;
  for (const auto& id : ip.meter_ids) {
    const auto j = static_cast<Eigen::Index>(id[1] - '0');
    lift += c.s.sensitivity_v_per_kw(3, j) * ip.power_variation_kw /
            static_cast<double>(ip.meter_ids.size());
  }
  EXPECT_NEAR(lift, ip.voltage_deviation_v, 1e-9);
  EXPECT_THAT(evening->recommendations[0], HasSubstr("should decrease by"));
  EXPECT_THAT(evening->recommendations[1],
              HasSubstr("The number of EVs charging in perimeter 37_1"));
  ASSERT_FALSE(noon->perimeters.empty());
  EXPECT_GT(noon->perimeters[0].power_variation_kw, 0.0);
  EXPECT_THAT(noon->recommendations[0], HasSubstr("Consumption should increase by"));
  for (const auto& p : f->periods) {
    EXPECT_TRUE(p.label == "18h00-18h30" || p.label == "18h30-19h00" || p.label == "12h00-12h30" ||
                p.label == "12h30-13h00")
        << p.label;
  }
}

TEST(AnalyseVoltages, RejectsBadInputs) {
  Case c = make_case();
  AnalysisOptions bad;
  bad.limits = {230, 240, 250};
  EXPECT_THAT(analyse_voltages(c.meters, c.s, c.appliances, bad),
              HasError(ErrorCode::invalid_argument, HasSubstr("0 < lower < nominal < upper")));
  AnalysisOptions period;
  period.period_minutes = 7;
  EXPECT_THAT(analyse_voltages(c.meters, c.s, c.appliances, period),
              HasError(ErrorCode::invalid_argument, HasSubstr("7 min does not divide the day")));
  c.appliances[2].meter_id = "nowhere";
  EXPECT_THAT(flexibility_requirements(c.meters, c.s, c.appliances),
              HasError(ErrorCode::invalid_argument,
                       HasSubstr("historicalFromAppliances[2] appliance 'o0': meter 'nowhere' is "
                                 "not a regular meter of grid 'g'")));
  Case late = make_case();
  for (auto& a : late.appliances) {
    for (auto& m : a.measurements) m.timestamp_s += 400 * 86400;
  }
  EXPECT_THAT(analyse_voltages(late.meters, late.s, late.appliances),
              HasError(ErrorCode::failed_precondition,
                       HasSubstr("no voltage record of grid 'g' falls inside")));
  EXPECT_THAT(analyse_voltages(c.meters, c.s, {}),
              HasError(ErrorCode::invalid_argument, HasSubstr("no appliance data")));
}

TEST(PeriodLabel, FormatsHalfHours) {
  EXPECT_EQ(period_label(0, 30), "00h00-00h30");
  EXPECT_EQ(period_label(41, 30), "20h30-21h00");
  EXPECT_EQ(period_label(47, 30), "23h30-24h00");
}

}  // namespace
}  // namespace gridke::services::sensitivities
