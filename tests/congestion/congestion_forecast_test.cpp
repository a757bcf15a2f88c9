// Congestion forecast → needs, checked against answers computed independently by hand
// (closed-form quadratics of a resistive radial feeder; derivation below and in
// docs/flexibility-market.md), plus zoning, windows and bad input.
//
// The cases: an ideal 400 V source (no impedance), lines with R only and Z0 = Z1 (so the phase
// impedance matrix is R·I: no mutual coupling), balanced 3-phase constant-PQ loads at unity
// power factor. Every phase is then the same single-phase circuit with real voltages:
//   one line R, load P per phase at bus B:   V_B = V_S − R·P/V_B  ⇒  V_B² − V_S·V_B + R·P = 0.
// Undervoltage limit V_min: the largest load with V_B ≥ V_min is P_max = V_min (V_S − V_min)/R.
// Thermal limit I_max:   P_max = I_max·V_B = I_max (V_S − R·I_max).
// Two lines (S –R1– B1 –R2– B2), loads P1 at B1 and P2 at B2, limit at B2, P1 fixed:
//   P2 = (V1 − V2) V2 / R2 with V2 = V_min, and V1 solves
//   (1 + R1/R2) V1² − (V_S + (R1/R2) V_min) V1 + R1·P1 = 0  (larger root).
// The needed flexibility is 3·(P − P_max) (three phases), in kW.
#include "gridke/services/congestion/congestion_forecast.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

#include "gridke/services/grid/power_flow.hpp"
#include "gridke_matchers.hpp"

namespace gridke::services::congestion {
namespace {

using ::testing::HasSubstr;
namespace grid = gridke::services::grid;

const double v_s = 400.0 / std::sqrt(3.0);  // V per phase
const TimePoint day = TimePoint(std::chrono::sys_days(std::chrono::year(2026) / 11 / 28));

grid::Load balanced_load(std::string id, std::string bus, double kw) {
  grid::Load l;
  l.id = std::move(id);
  l.bus = std::move(bus);
  l.phases = grid::PhaseSet::abc();
  l.kv = 0.4;
  l.kw = kw;
  return l;
}

// S –(r1 Ω)– B1 [–(r2 Ω)– B2]; loads given.
grid::Network feeder(double r1_ohm, std::optional<double> r2_ohm, std::vector<grid::Load> loads) {
  grid::Network n;
  n.name = "hand";
  n.source.bus = "S";
  n.source.kv = 0.4;
  n.source.voltage_pu = 1.0;
  n.buses = {{"S", {}, {}}, {"B1", {}, {}}};
  grid::LineCode c;
  c.id = "r";
  c.r1_ohm_per_km = c.r0_ohm_per_km = 1.0;
  n.line_codes = {c};
  n.lines.push_back({"L1", "S", "B1", grid::PhaseSet::abc(), r1_ohm, "r"});
  if (r2_ohm) {
    n.buses.push_back({"B2", {}, {}});
    n.lines.push_back({"L2", "B1", "B2", grid::PhaseSet::abc(), *r2_ohm, "r"});
  }
  n.loads = std::move(loads);
  return n;
}

LoadForecast constant(const grid::Network& n, int intervals) {
  std::vector<grid::LoadPower> row;
  for (const auto& l : n.loads) row.push_back({l.kw, l.kvar});
  return LoadForecast(static_cast<std::size_t>(intervals), row);
}

TEST(CongestionForecaster, UndervoltageNeedMatchesTheClosedForm) {
  const double r = 0.1, p_total_kw = 60;  // 20 kW per phase, V_B ≈ 0.961 pu
  auto net = feeder(r, std::nullopt, {balanced_load("P", "B1", p_total_kw)});
  CongestionConfig cfg;
  cfg.voltage_min_pu = 0.97;
  auto f = CongestionForecaster::create(net, cfg);
  ASSERT_THAT(f, IsOk());
  auto out = f->run(day, std::chrono::minutes(15), constant(net, 2));
  ASSERT_THAT(out, IsOk());
  const double v_min = 0.97 * v_s;
  const double p_max_w = v_min * (v_s - v_min) / r;
  const double expected_kw = p_total_kw - 3 * p_max_w / 1000;
  // Sanity of the hand figures: the unmanaged voltage.
  const double v_b = (v_s + std::sqrt(v_s * v_s - 4 * r * p_total_kw * 1000 / 3)) / 2;
  ASSERT_EQ(out->intervals.size(), 2u);
  const auto& i0 = out->intervals[0];
  EXPECT_NEAR(i0.min_voltage_pu, v_b / v_s, 1e-7);
  ASSERT_EQ(i0.violations.size(), 3u);  // three phases of B1
  ASSERT_EQ(i0.needs.size(), 1u);
  EXPECT_EQ(i0.needs[0].zone, "feeder");
  EXPECT_EQ(i0.needs[0].direction, NeedDirection::down);
  EXPECT_NEAR(i0.needs[0].needs_kw, expected_kw, 0.01);
  EXPECT_TRUE(i0.needs[0].resolved);
  EXPECT_THAT(i0.needs[0].cause, HasSubstr("undervoltage B1 phase"));
  EXPECT_EQ(i0.needs[0].end - i0.needs[0].start, std::chrono::minutes(15));
  EXPECT_EQ(out->needs().size(), 2u);
}

TEST(CongestionForecaster, ThermalNeedMatchesTheClosedForm) {
  const double r = 0.1, p_total_kw = 60, i_max = 80;
  auto net = feeder(r, std::nullopt, {balanced_load("P", "B1", p_total_kw)});
  CongestionConfig cfg;
  cfg.voltage_min_pu = 0.5;
  cfg.line_ampacity_a["L1"] = i_max;
  auto f = CongestionForecaster::create(net, cfg);
  ASSERT_THAT(f, IsOk());
  auto out = f->run(day, std::chrono::minutes(15), constant(net, 1));
  ASSERT_THAT(out, IsOk());
  const double p_max_w = i_max * (v_s - r * i_max);
  ASSERT_EQ(out->intervals[0].needs.size(), 1u);
  EXPECT_NEAR(out->intervals[0].needs[0].needs_kw, p_total_kw - 3 * p_max_w / 1000, 0.01);
  EXPECT_THAT(out->intervals[0].needs[0].cause, HasSubstr("line_current L1 phase"));
}

TEST(CongestionForecaster, ThreeBusNeedGoesToTheMostEffectiveZoneAndMatchesTheClosedForm) {
  const double r1 = 0.05, r2 = 0.08, p1_kw = 30, p2_kw = 45;
  auto net = feeder(r1, r2, {balanced_load("P1", "B1", p1_kw), balanced_load("P2", "B2", p2_kw)});
  CongestionConfig cfg;
  cfg.voltage_min_pu = 0.96;
  cfg.zones = {{"near", {"P1"}, {"h1"}}, {"far", {"P2"}, {"h2", "h3"}}};
  auto f = CongestionForecaster::create(net, cfg);
  ASSERT_THAT(f, IsOk());
  auto out = f->run(day, std::chrono::minutes(15), constant(net, 1));
  ASSERT_THAT(out, IsOk());
  const double v2 = 0.96 * v_s, p1 = p1_kw * 1000 / 3, k = r1 / r2;
  const double a = 1 + k, b = -(v_s + k * v2), c = r1 * p1;
  const double v1 = (-b + std::sqrt(b * b - 4 * a * c)) / (2 * a);
  const double p2_max_w = (v1 - v2) * v2 / r2;
  const auto& needs = out->intervals[0].needs;
  ASSERT_EQ(needs.size(), 1u);
  EXPECT_EQ(needs[0].zone, "far");
  EXPECT_THAT(needs[0].hems_ids, ::testing::ElementsAre("h2", "h3"));
  EXPECT_NEAR(needs[0].needs_kw, p2_kw - 3 * p2_max_w / 1000, 0.01);
}

TEST(CongestionForecaster, ZoneSensitivityAgreesWithExactGridSensitivities) {
  // dV_B2/dP of the far zone from PowerFlow::sensitivities (exact) vs the directional
  // derivative the forecaster uses (one extra power flow with δ = 0.01 kW).
  auto net = feeder(0.05, 0.08, {balanced_load("P1", "B1", 30), balanced_load("P2", "B2", 45)});
  auto pf = grid::PowerFlow::create(net);
  ASSERT_THAT(pf, IsOk());
  std::vector<grid::LoadPower> base{{30, 0}, {45, 0}};
  ASSERT_THAT(pf->solve(base), IsOk());
  std::vector<grid::BusPhase> inj{{"B2", 0}, {"B2", 1}, {"B2", 2}};
  auto sens = pf->sensitivities(inj);
  ASSERT_THAT(sens, IsOk());
  std::size_t row = 0;
  for (; row < sens->nodes.size(); ++row) {
    if (sens->nodes[row] == grid::BusPhase{"B2", 0}) break;
  }
  // Zone flexibility F lowers each phase by F/3: dV/dF = sum over phases of column / 3.
  const double exact_v_per_kw = (sens->dv_dp_v_per_kw(static_cast<Eigen::Index>(row), 0) +
                                 sens->dv_dp_v_per_kw(static_cast<Eigen::Index>(row), 1) +
                                 sens->dv_dp_v_per_kw(static_cast<Eigen::Index>(row), 2)) /
                                3;
  std::vector<grid::LoadPower> less{{30, 0}, {45 - 0.01, 0}};
  auto s0 = pf->solve(base);
  auto s1 = pf->solve(less);
  ASSERT_THAT(s1, IsOk());
  const double directional =
      (s1->find_bus("B2")->magnitude_v(0) - s0->find_bus("B2")->magnitude_v(0)) / 0.01;
  EXPECT_NEAR(directional, exact_v_per_kw, 1e-4 * std::abs(exact_v_per_kw));
}

TEST(CongestionForecaster, NoViolationMeansNoNeed) {
  auto net = feeder(0.01, std::nullopt, {balanced_load("P", "B1", 10)});
  auto f = CongestionForecaster::create(net, {});
  ASSERT_THAT(f, IsOk());
  auto out = f->run(day, std::chrono::minutes(15), constant(net, 3));
  ASSERT_THAT(out, IsOk());
  EXPECT_TRUE(out->needs().empty());
  EXPECT_NEAR(out->intervals[0].load_kw, 10, 1e-12);
}

TEST(CongestionForecaster, OvervoltageAsksForUpFlexibility) {
  // A generator as a negative load raises B1 above 1.05 pu; the need is "Up" (more consumption).
  auto gen = balanced_load("PV", "B1", -60);
  auto load = balanced_load("P", "B1", 1);
  auto net = feeder(0.3, std::nullopt, {gen, load});
  CongestionConfig cfg;
  cfg.voltage_max_pu = 1.05;
  cfg.zones = {{"pv", {"PV"}, {}}, {"homes", {"P"}, {"h"}}};
  auto f = CongestionForecaster::create(net, cfg);
  ASSERT_THAT(f, IsOk());
  auto out = f->run(day, std::chrono::minutes(15), constant(net, 1));
  ASSERT_THAT(out, IsOk());
  const auto& needs = out->intervals[0].needs;
  ASSERT_FALSE(needs.empty());
  EXPECT_EQ(needs[0].direction, NeedDirection::up);
  EXPECT_THAT(needs[0].cause, HasSubstr("overvoltage B1"));
  // Hand check: V_B = V_S − R·P/V_B with P = net per-phase load (negative = export).
  // After the need the net load per phase P' = (1 − 60 + need)/3 kW must give V_B = 1.05 V_S:
  const double v_b = 1.05 * v_s;
  const double p_phase_w = (v_s - v_b) * v_b / 0.3;  // negative: export
  EXPECT_NEAR(needs[0].needs_kw, 3 * p_phase_w / 1000 - (1 - 60), 0.01);
  EXPECT_TRUE(out->intervals[0].violations_after.empty());
}

TEST(CongestionForecaster, UnresolvableNeedIsFlagged) {
  // L1 (20 A) carries a 60 kW load outside every zone; the only zone has 5 kW, not enough.
  auto net = feeder(0.1, 0.1, {balanced_load("P1", "B1", 60), balanced_load("P2", "B2", 5)});
  CongestionConfig cfg;
  cfg.voltage_min_pu = 0.5;
  cfg.line_ampacity_a["L1"] = 20;
  cfg.zones = {{"only-far", {"P2"}, {}}};
  auto f = CongestionForecaster::create(net, cfg);
  ASSERT_THAT(f, IsOk());
  auto out = f->run(day, std::chrono::minutes(15), constant(net, 1));
  ASSERT_THAT(out, IsOk());
  const auto& iv = out->intervals[0];
  ASSERT_EQ(iv.needs.size(), 1u);
  EXPECT_FALSE(iv.needs[0].resolved);
  EXPECT_NEAR(iv.needs[0].needs_kw, 5, 1e-9);  // everything the zone has
  ASSERT_EQ(iv.violations_after.size(), 3u);   // L1, three phases
  EXPECT_EQ(iv.violations_after[0].element, "L1");
}

TEST(CongestionForecaster, ViolationNoZoneCanInfluenceIsReportedAfter) {
  auto net = feeder(0.1, 0.1, {balanced_load("P1", "B1", 60), balanced_load("P2", "B2", 0.5)});
  CongestionConfig cfg;
  cfg.voltage_min_pu = 0.5;
  cfg.line_ampacity_a["L1"] = 20;
  cfg.zones = {{"only-far", {"P2"}, {}}};  // 0.5 kW: below the 1 kW perturbation
  auto f = CongestionForecaster::create(net, cfg);
  ASSERT_THAT(f, IsOk());
  auto out = f->run(day, std::chrono::minutes(15), constant(net, 1));
  ASSERT_THAT(out, IsOk());
  EXPECT_TRUE(out->intervals[0].needs.empty());
  EXPECT_EQ(out->intervals[0].violations_after.size(), 3u);
}

TEST(CongestionForecaster, WindowsHaveTheRightIntervals) {
  auto net = feeder(0.01, std::nullopt, {balanced_load("P", "B1", 10)});
  auto f = CongestionForecaster::create(net, {});
  ASSERT_THAT(f, IsOk());
  auto da = f->day_ahead(day, constant(net, 96));
  ASSERT_THAT(da, IsOk());
  EXPECT_EQ(da->intervals.size(), 96u);
  EXPECT_EQ(da->intervals.back().start, day + std::chrono::minutes(15 * 95));
  auto id = f->intraday(day + std::chrono::hours(12), constant(net, 48));
  ASSERT_THAT(id, IsOk());
  EXPECT_EQ(id->intervals.front().start, day + std::chrono::hours(18));
  EXPECT_THAT(f->day_ahead(day + std::chrono::hours(1), constant(net, 96)),
              HasError(ErrorCode::invalid_argument, HasSubstr("must start at midnight")));
  EXPECT_THAT(f->day_ahead(day, constant(net, 95)),
              HasError(ErrorCode::invalid_argument,
                       HasSubstr("96 quarter-hour intervals expected, got 95")));
  EXPECT_THAT(f->intraday(day + std::chrono::hours(7), constant(net, 48)),
              HasError(ErrorCode::invalid_argument, HasSubstr("00, 06, 12 or 18 h")));
}

TEST(CongestionForecaster, RejectsBadConfigurationAndForecast) {
  auto net = feeder(0.01, std::nullopt, {balanced_load("P", "B1", 10)});
  CongestionConfig cfg;
  cfg.zones = {{"z", {"nope"}, {}}};
  EXPECT_THAT(
      CongestionForecaster::create(net, cfg),
      HasError(ErrorCode::invalid_argument, HasSubstr("zones[0] 'z': unknown load 'nope'")));
  cfg.zones = {{"a", {"P"}, {}}, {"b", {"P"}, {}}};
  EXPECT_THAT(CongestionForecaster::create(net, cfg),
              HasError(ErrorCode::invalid_argument, HasSubstr("load 'P' is already in zone 'a'")));
  cfg = {};
  cfg.line_ampacity_a["L9"] = 10;
  EXPECT_THAT(CongestionForecaster::create(net, cfg),
              HasError(ErrorCode::invalid_argument, HasSubstr("unknown line 'L9'")));
  cfg = {};
  cfg.line_code_ampacity_a["r"] = -1;
  EXPECT_THAT(CongestionForecaster::create(net, cfg),
              HasError(ErrorCode::invalid_argument, HasSubstr("must be > 0")));
  cfg = {};
  cfg.voltage_min_pu = 1.2;
  EXPECT_THAT(CongestionForecaster::create(net, cfg),
              HasError(ErrorCode::invalid_argument, HasSubstr("voltage limits")));
  auto f = CongestionForecaster::create(net, {});
  ASSERT_THAT(f, IsOk());
  LoadForecast bad{{{1, 0}, {2, 0}}};
  EXPECT_THAT(
      f->run(day, std::chrono::minutes(15), bad),
      HasError(ErrorCode::invalid_argument, HasSubstr("forecast[0]: 2 loads, the network has 1")));
  LoadForecast nan{{{std::nan(""), 0}}};
  EXPECT_THAT(f->run(day, std::chrono::minutes(15), nan),
              HasError(ErrorCode::invalid_argument,
                       HasSubstr("forecast[0] load 'P': value is not finite")));
}

}  // namespace
}  // namespace gridke::services::congestion
