// Validation of PowerFlow against published solutions:
// - IEEE European LV test feeder vs the official OpenDSS solution (IEEE PES DSA subcommittee,
//   "Validated User Models/OpenDSS/Solutions", copied in ../shared/reference-data/ieee-european-lv
//   and, for minute 1, in tests/data/grid/ — see tests/data/grid/SOURCES.md);
// - CIGRE LV (pandapower parametrisation) vs pandapower 3.5.4 / OpenDSSDirect results quoted in
//   ../shared/reference-data/cigre-lv/SOURCES.md.
#include "gridke/services/grid/power_flow.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <numbers>

#include "grid_test_support.hpp"
#include "gridke/services/grid/model/ieee_european_lv_csv.hpp"
#include "gridke/services/grid/model/network_json.hpp"
#include "gridke_matchers.hpp"

namespace gridke::services::grid {
namespace {

using ::testing::HasSubstr;
using namespace gridke::services::grid::testing;

/// Acceptance tolerance vs the OpenDSS snapshots (NOTES §2.2; the xlsx values are rounded to
/// ~6 significant digits in volts, i.e. ~4e-6 pu).
constexpr double snapshot_tolerance_pu = 2e-4;
/// Acceptance tolerance over the 24-h series at loads 1, 32, 53.
constexpr double series_tolerance_pu = 1e-3;
/// GridLAB-D prints ~1e-6 V: our solution matches it far below the acceptance threshold, so the
/// test holds it to this tighter bound (max seen 1.4e-7 pu on peak).
constexpr double gridlabd_tolerance_pu = 1e-6;
constexpr double gridlabd_angle_tolerance_deg = 1e-3;
/// OpenDSS angles are printed with 1-2 decimals.
constexpr double angle_tolerance_deg = 0.06;

struct Comparison {
  double max_dv_pu = 0;
  double max_dangle_deg = 0;
  std::string worst;
  int compared = 0;
};

Comparison compare(const Snapshot& snap, const std::map<std::string, ReferenceVoltage>& ref) {
  Comparison c;
  for (const auto& bus : snap.buses) {
    auto it = ref.find(upper(bus.id));
    if (it == ref.end()) continue;
    for (int p = 0; p < 3; ++p) {
      const double dv = std::abs(bus.magnitude_pu(p) - it->second.magnitude_pu[p]);
      if (dv > c.max_dv_pu) {
        c.max_dv_pu = dv;
        c.worst = bus.id + "." + std::to_string(p + 1);
      }
      c.max_dangle_deg = std::max(c.max_dangle_deg,
                                  std::abs(angle_diff(bus.angle_deg(p), it->second.angle_deg[p])));
      ++c.compared;
    }
  }
  return c;
}

TEST(PowerFlow, MatchesOpenDssAtMinuteOneFromRepositoryData) {
  auto net = read_ieee_european_lv(test_data("ieee_european_lv_minute1"));
  ASSERT_THAT(net, IsOk());
  auto pf = PowerFlow::create(std::move(net).value());
  ASSERT_THAT(pf, IsOk());
  auto snap = pf->solve_minute(1);
  ASSERT_THAT(snap, IsOk());
  const auto ref = read_opendss_voltages(test_data("opendss_minute1_voltages.csv"));
  ASSERT_EQ(ref.size(), 907U);  // 906 LV buses + SOURCEBUS
  const Comparison c = compare(*snap, ref);
  EXPECT_EQ(c.compared, 907 * 3);
  EXPECT_LE(c.max_dv_pu, snapshot_tolerance_pu) << "worst at " << c.worst;
  std::printf("minute 1 (repository data): max |dV| %.2e pu at %s\n", c.max_dv_pu, c.worst.c_str());
  EXPECT_LE(c.max_dangle_deg, angle_tolerance_deg);
  // Minimum voltage reported in NOTES §2.2: 1.0488 pu at bus 553 phase A.
  EXPECT_NEAR(snap->min_voltage_pu(0.416), 1.0488, 1e-4);
}

class IeeeEuropeanLvTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!has_shared()) GTEST_SKIP() << "../shared reference data not available";
    auto net = read_ieee_european_lv(shared_eu_lv("csv"));
    ASSERT_THAT(net, IsOk());
    auto pf = PowerFlow::create(std::move(net).value());
    ASSERT_THAT(pf, IsOk());
    pf_.emplace(std::move(pf).value());
  }
  std::optional<PowerFlow> pf_;
};

TEST_F(IeeeEuropeanLvTest, MatchesOpenDssSnapshotsAtMinutes1And566And1440) {
  const std::pair<int, const char*> cases[] = {
      {1, "opendss_snapshot_1min_initialization_off_peak_voltages.csv"},
      {566, "opendss_snapshot_566min_on_peak_voltages.csv"},
      {1440, "opendss_snapshot_1440min_end_voltages.csv"}};
  for (const auto& [minute, file] : cases) {
    auto snap = pf_->solve_minute(minute);
    ASSERT_THAT(snap, IsOk());
    const auto ref = read_opendss_voltages(shared_eu_lv(std::string("solutions/csv/") + file));
    const Comparison c = compare(*snap, ref);
    EXPECT_EQ(c.compared, 907 * 3) << "minute " << minute;
    EXPECT_LE(c.max_dv_pu, snapshot_tolerance_pu) << "minute " << minute << " worst " << c.worst;
    std::printf("minute %d: max |dV| %.2e pu (at %s), max |dangle| %.3f deg over %d bus-phases\n",
                minute, c.max_dv_pu, c.worst.c_str(), c.max_dangle_deg, c.compared);
    EXPECT_LE(c.max_dangle_deg, angle_tolerance_deg) << "minute " << minute;
  }
}

/// GridLAB-D snapshot table: node_name (SourceBus, Bus1..Bus906), voltX_mag (V), voltX_angle
/// (rad). Its ~1e-6 pu digits make it a sharper second reference than the rounded OpenDSS table.
std::map<std::string, ReferenceVoltage> read_gridlabd_voltages(const std::string& path) {
  std::map<std::string, ReferenceVoltage> out;
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    auto f = split_csv(line);
    if (f.size() < 7) continue;
    // GridLAB-D holds SourceBus at a fixed 1.05 pu (no source impedance), so only the 906 LV
    // buses are compared.
    if (f[0].rfind("Bus", 0) != 0) continue;
    const std::string id = f[0].substr(3);
    const double base_v = 416.0 / std::sqrt(3.0);
    ReferenceVoltage r;
    for (int p = 0; p < 3; ++p) {
      r.magnitude_pu[p] = std::stod(f[static_cast<std::size_t>(1 + 2 * p)]) / base_v;
      r.angle_deg[p] = std::stod(f[static_cast<std::size_t>(2 + 2 * p)]) * 180.0 / std::numbers::pi;
    }
    out[upper(id)] = r;
  }
  return out;
}

TEST_F(IeeeEuropeanLvTest, MatchesGridLabDSnapshots) {
  const std::pair<int, const char*> cases[] = {
      {1, "gridlabd_snapshot_1min_initialization_off_peak_voltages.csv"},
      {566, "gridlabd_snapshot_566min_on_peak_voltages.csv"},
      {1440, "gridlabd_snapshot_1440min_end_voltages.csv"}};
  for (const auto& [minute, file] : cases) {
    auto snap = pf_->solve_minute(minute);
    ASSERT_THAT(snap, IsOk());
    const auto ref = read_gridlabd_voltages(shared_eu_lv(std::string("solutions/csv/") + file));
    const Comparison c = compare(*snap, ref);
    EXPECT_EQ(c.compared, 906 * 3) << "minute " << minute;
    EXPECT_LE(c.max_dv_pu, gridlabd_tolerance_pu) << "minute " << minute << " worst " << c.worst;
    EXPECT_LE(c.max_dangle_deg, gridlabd_angle_tolerance_deg) << "minute " << minute;
    std::printf("GridLAB-D minute %d: max |dV| %.2e pu (at %s), max |dangle| %.4f deg\n", minute,
                c.max_dv_pu, c.worst.c_str(), c.max_dangle_deg);
  }
}

TEST_F(IeeeEuropeanLvTest, OnPeakLineOneCurrentsMatchOpenDss) {
  auto snap = pf_->solve_minute(566);
  ASSERT_THAT(snap, IsOk());
  const BranchResult* line1 = snap->find_branch("LINE1");
  ASSERT_NE(line1, nullptr);
  // Official OpenDSS currents (solutions/csv/opendss_snapshot_566min_on_peak_currents.csv).
  EXPECT_NEAR(std::abs(line1->current_a[0]), 74.353, 0.05);
  EXPECT_NEAR(std::abs(line1->current_a[1]), 147.68, 0.05);
  EXPECT_NEAR(std::abs(line1->current_a[2]), 25.9156, 0.05);
  EXPECT_EQ(snap->find_bus("899") != nullptr, true);
  EXPECT_NEAR(snap->min_voltage_pu(0.416), 0.9925, 1e-4);
}

/// Reads one OpenDSS 24-h load monitor (hour,t(sec),V1,VAngle1,...) as volts per minute.
std::vector<double> read_series_volts(const std::string& path) {
  std::vector<double> out;
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    auto f = split_csv(line);
    if (f.size() > 2) out.push_back(std::stod(f[2]));
  }
  return out;
}

TEST_F(IeeeEuropeanLvTest, DailySeriesMatchesOpenDssAtLoads1And32And53) {
  const Network& net = pf_->network();
  std::vector<BusPhase> watched;
  for (const char* id : {"LOAD1", "LOAD32", "LOAD53"}) {
    auto it =
        std::find_if(net.loads.begin(), net.loads.end(), [&](const Load& l) { return l.id == id; });
    ASSERT_NE(it, net.loads.end());
    int phase = 0;
    while (!it->phases.has(phase)) ++phase;
    watched.push_back({it->bus, phase});
  }
  auto ts = pf_->solve_series(1, 1440, watched);
  ASSERT_THAT(ts, IsOk());
  ASSERT_EQ(ts->minutes.size(), 1440U);
  const double base_v = 416.0 / std::numbers::sqrt3;
  const char* files[] = {"load_1", "load_32", "load_53"};
  for (std::size_t j = 0; j < 3; ++j) {
    const auto ref = read_series_volts(
        shared_eu_lv(std::string("solutions/csv/opendss_voltages_and_currents_load_1_32_53_24hr_") +
                     files[j] + ".csv"));
    ASSERT_EQ(ref.size(), 1440U);
    double worst = 0;
    for (std::size_t s = 0; s < 1440; ++s) {
      const double v = std::abs(ts->voltage_v[s * 3 + j]);
      worst = std::max(worst, std::abs(v - ref[s]) / base_v);
    }
    EXPECT_LE(worst, series_tolerance_pu) << files[j];
    std::printf("24-h series %s: max |dV| %.2e pu over 1440 minutes\n", files[j], worst);
  }
}

TEST_F(IeeeEuropeanLvTest, TransformerSecondaryPowerMatchesOpenDssSeries) {
  // solutions/csv/opendss_powers_transformer_secondary_24hr_powers.csv, minute 566 row:
  // P1..P3 = -17.9072, -35.2927, -6.18365 kW (power into the secondary terminal, sign flipped).
  auto snap = pf_->solve_minute(566);
  ASSERT_THAT(snap, IsOk());
  const BranchResult* tr = snap->find_branch("TR1");
  ASSERT_NE(tr, nullptr);
  EXPECT_NEAR(tr->power_out_kva[0].real(), 17.9072, 0.01);
  EXPECT_NEAR(tr->power_out_kva[1].real(), 35.2927, 0.01);
  EXPECT_NEAR(tr->power_out_kva[2].real(), 6.18365, 0.01);
  EXPECT_NEAR(tr->power_out_kva[1].imag(), 11.5328, 0.01);
}

TEST(PowerFlow, CigreLvMatchesPublishedMinimumVoltageAndLosses) {
  auto net = read_network_json(test_data("cigre_lv.json"));
  ASSERT_THAT(net, IsOk());
  auto pf = PowerFlow::create(std::move(net).value());
  ASSERT_THAT(pf, IsOk());
  std::vector<LoadPower> nominal;
  for (const auto& l : pf->network().loads) nominal.push_back({l.kw, l.kvar});
  auto snap = pf->solve(nominal);
  ASSERT_THAT(snap, IsOk());
  // pandapower 3.5.4: min 0.9122689603 pu at Bus C12, losses 28.32922006 kW, import 714.9292201 kW.
  const BusResult* c12 = snap->find_bus("Bus C12");
  ASSERT_NE(c12, nullptr);
  EXPECT_NEAR(snap->min_voltage_pu(0.4), 0.9122689603, 1e-8);
  EXPECT_NEAR(c12->magnitude_pu(0), 0.9122689603, 1e-8);
  EXPECT_NEAR(snap->losses_kw, 28.32922006, 1e-5);
  EXPECT_NEAR(snap->source_power_kva.real(), 714.9292201, 1e-5);
}

/// Published IEEE 13-node voltage profile (4 decimals in pu, 2 in degrees; transcribed from the
/// official document, see tests/data/grid/SOURCES.md). Rounding alone allows 5e-5 pu; the
/// published regulator C output prints 1.0687 for tap 11 = 1.06875.
constexpr double ieee13_tolerance_pu = 3e-4;
constexpr double ieee13_angle_tolerance_deg = 0.03;

TEST(PowerFlow, Ieee13MatchesPublishedVoltageProfileAndLosses) {
  auto net = read_network_json(test_data("ieee13.json"));
  ASSERT_THAT(net, IsOk());
  auto pf = PowerFlow::create(std::move(net).value());
  ASSERT_THAT(pf, IsOk());
  auto snap = pf->solve_minute(1);
  ASSERT_THAT(snap, IsOk());
  std::ifstream in(test_data("ieee13_published_voltages.csv"));
  std::string line;
  std::getline(in, line);
  int compared = 0;
  double worst = 0, worst_angle = 0;
  while (std::getline(in, line)) {
    auto f = split_csv(line);
    // XFXFM1 is the transformer's internal node; its published values equal bus 634's.
    const std::string id = f[0] == "XFXFM1" ? "634" : f[0];
    const BusResult* bus = snap->find_bus(id);
    ASSERT_NE(bus, nullptr) << id;
    for (int p = 0; p < 3; ++p) {
      const std::string& mag = f[static_cast<std::size_t>(1 + 2 * p)];
      if (mag.empty()) continue;
      ASSERT_TRUE(bus->phases.has(p)) << id;
      const double dv = std::abs(bus->magnitude_pu(p) - std::stod(mag));
      const double da = std::abs(
          angle_diff(bus->angle_deg(p), std::stod(f[static_cast<std::size_t>(2 + 2 * p)])));
      EXPECT_LE(dv, ieee13_tolerance_pu) << id << " phase " << p;
      EXPECT_LE(da, ieee13_angle_tolerance_deg) << id << " phase " << p;
      worst = std::max(worst, dv);
      worst_angle = std::max(worst_angle, da);
      ++compared;
    }
  }
  EXPECT_EQ(compared, 38);  // 15 nodes, their published phases
  // Published total losses 111.063 kW (the distributed-load model accounts for the rest).
  EXPECT_NEAR(snap->losses_kw, 111.063, 0.1);
  std::printf("IEEE 13: max |dV| %.2e pu, max |dangle| %.3f deg, losses %.3f kW\n", worst,
              worst_angle, snap->losses_kw);
}

}  // namespace
}  // namespace gridke::services::grid
