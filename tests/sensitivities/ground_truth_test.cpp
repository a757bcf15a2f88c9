// Ground truth for the estimator (NOTES §1.4, issue 6 "Validation against ground truth"): three
// months of 15-min meter data from a small three-phase LV feeder solved with the grid library's
// unbalanced power flow, corrupted with noise, gaps and spikes; the estimate is compared with
// the exact sensitivities of the power flow at the mean operating point,
//   S_true = -(dV/dP_inj + tan(phi) dV/dQ_inj)  (V per kW consumed at constant power factor).
// Targets: ||S_est - S_true||_F / ||S_true||_F <= 8 % at 0.1 V / 1 % noise with 2 % gaps,
// <= 12 % at 0.5 V / 2 %; every diagonal sign right.

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <random>

#include "gridke/services/grid/power_flow.hpp"
#include "gridke/services/sensitivities/sensitivity_estimator.hpp"
#include "gridke_matchers.hpp"

namespace gridke::services::sensitivities {
namespace {

namespace grid = gridke::services::grid;

constexpr double kTanPhi = 0.3287;  // power factor 0.95 lagging
constexpr int kSamples = 8640;      // 90 days at 15 min
constexpr std::int64_t kStart = 1'600'000'200;
constexpr std::int64_t kStep = 900;

// 11/0.416 kV 250 kVA Dyn transformer, two 4 x 100 m feeders, 12 single-phase customers.
grid::Network small_feeder() {
  grid::Network n;
  n.name = "sensitivities-ground-truth";
  n.source.bus = "MV";
  n.source.kv = 11;
  n.source.voltage_pu = 1.0;
  n.source.r1_ohm = n.source.r0_ohm = 0.5;
  n.source.x1_ohm = n.source.x0_ohm = 2.0;
  n.buses = {{"MV", {}, {}}, {"LV", {}, {}}};
  grid::LineCode lc;
  lc.id = "cable";
  lc.r1_ohm_per_km = 0.32, lc.x1_ohm_per_km = 0.08, lc.r0_ohm_per_km = 1.2, lc.x0_ohm_per_km = 0.35;
  n.line_codes = {lc};
  grid::Transformer t;
  t.id = "T1", t.primary_bus = "MV", t.secondary_bus = "LV", t.kv_primary = 11;
  t.kv_secondary = 0.416, t.rated_kva = 250, t.percent_r = 1.0, t.percent_x = 4.0;
  n.transformers = {t};
  for (const char feeder : {'A', 'B'}) {
    std::string previous = "LV";
    for (int k = 1; k <= 4; ++k) {
      const std::string bus = std::string(1, feeder) + std::to_string(k);
      n.buses.push_back({bus, {}, {}});
      n.lines.push_back({"L" + bus, previous, bus, grid::PhaseSet::abc(), 0.1, "cable"});
      previous = bus;
    }
  }
  const std::vector<std::pair<std::string, int>> customers = {
      {"A1", 0}, {"A2", 1}, {"A3", 2}, {"A4", 0}, {"B1", 1}, {"B2", 2},
      {"B3", 0}, {"B4", 1}, {"A4", 1}, {"B4", 2}, {"A2", 2}, {"B2", 0}};
  for (std::size_t k = 0; k < customers.size(); ++k) {
    grid::Load l;
    l.id = "c" + std::to_string(k);
    l.bus = customers[k].first;
    l.phases.mask = static_cast<std::uint8_t>(1U << customers[k].second);
    l.kv = 0.23, l.kw = 1, l.kvar = kTanPhi;
    n.loads.push_back(l);
  }
  return n;
}

struct Scenario {
  double sigma_v = 0;     // V
  double sigma_p = 0;     // relative
  double gap_rate = 0;    // per record
  double spike_rate = 0;  // per voltage record
};

struct Truth {
  GridRegistration grid;
  std::vector<std::vector<double>> v;  // [customer][t], exact
  std::vector<std::vector<double>> p;  // [customer][t], kW
  Eigen::MatrixXd s_true;
};

const Truth& truth() {
  static const Truth t = [] {
    Truth out;
    auto pf = grid::PowerFlow::create(small_feeder());
    EXPECT_THAT(pf, IsOk());
    const auto& loads = pf->network().loads;
    const auto n = loads.size();
    out.grid.network_id = "ground-truth";
    for (const auto& l : loads) out.grid.meters.push_back({l.id, "", MeterKind::regular, 0});
    std::mt19937_64 rng(11);
    std::normal_distribution<double> normal(0.0, 1.0);
    std::vector<double> ar(n, 0.0), mean_kw(n, 0.0);
    out.v.assign(n, std::vector<double>(kSamples));
    out.p.assign(n, std::vector<double>(kSamples));
    std::vector<grid::LoadPower> powers(n);
    std::vector<grid::BusPhase> taps;
    for (const auto& l : loads)
      taps.push_back({l.bus, l.phases.has(0) ? 0 : l.phases.has(1) ? 1 : 2});
    for (int step = 0; step < kSamples; ++step) {
      const double hour = std::fmod(step * 0.25, 24.0);
      const double shape = 1.0 + 0.6 * std::sin(2 * M_PI * (hour - 13) / 24.0);
      for (std::size_t j = 0; j < n; ++j) {
        ar[j] = 0.8 * ar[j] + 0.6 * normal(rng);
        const double kw = (1.0 + 0.15 * static_cast<double>(j % 5)) * shape * std::exp(0.5 * ar[j]);
        powers[j] = {kw, kw * kTanPhi};
        out.p[j][static_cast<std::size_t>(step)] = kw;
        mean_kw[j] += kw / kSamples;
      }
      auto snap = pf->solve(powers);
      EXPECT_THAT(snap, IsOk());
      for (std::size_t j = 0; j < n; ++j) {
        out.v[j][static_cast<std::size_t>(step)] =
            snap->find_bus(taps[j].bus)->magnitude_v(taps[j].phase);
      }
    }
    for (std::size_t j = 0; j < n; ++j) powers[j] = {mean_kw[j], mean_kw[j] * kTanPhi};
    EXPECT_THAT(pf->solve(powers), IsOk());
    auto sens = pf->sensitivities(taps);
    EXPECT_THAT(sens, IsOk());
    out.s_true.resize(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(n));
    for (std::size_t i = 0; i < n; ++i) {
      std::size_t row = 0;
      while (!(sens->nodes[row] == taps[i])) ++row;
      for (std::size_t j = 0; j < n; ++j) {
        const auto r = static_cast<Eigen::Index>(row), c = static_cast<Eigen::Index>(j);
        out.s_true(static_cast<Eigen::Index>(i), c) =
            -(sens->dv_dp_v_per_kw(r, c) + kTanPhi * sens->dv_dq_v_per_kvar(r, c));
      }
    }
    return out;
  }();
  return t;
}

HistoricalData corrupt(const Truth& t, const Scenario& s, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  HistoricalData d;
  for (std::size_t j = 0; j < t.v.size(); ++j) {
    MeterHistory h;
    h.meter = t.grid.meters[j];
    for (int step = 0; step < kSamples; ++step) {
      const auto k = static_cast<std::size_t>(step);
      const bool edge = step == 0 || step + 1 == kSamples;
      if (!edge && uniform(rng) < s.gap_rate) continue;
      double v = t.v[j][k] + s.sigma_v * normal(rng);
      if (uniform(rng) < s.spike_rate) v += (uniform(rng) < 0.5 ? -1 : 1) * 20.0;
      h.measurements.push_back(
          {kStart + step * kStep, v, t.p[j][k] * (1 + s.sigma_p * normal(rng))});
    }
    d.meters.push_back(std::move(h));
  }
  return d;
}

// Estimates and checks; returns the relative Frobenius error.
double check_scenario(const Scenario& s, double target, const char* name) {
  const Truth& t = truth();
  const auto est = estimate_sensitivities(t.grid, corrupt(t, s, 5));
  EXPECT_THAT(est, IsOk());
  if (!est) return 1.0;
  const Eigen::MatrixXd& e = est->sensitivity_v_per_kw;
  const double frobenius = (e - t.s_true).norm() / t.s_true.norm();
  double worst_diag = 0;
  for (Eigen::Index i = 0; i < e.rows(); ++i) {
    EXPECT_EQ(std::signbit(e(i, i)), std::signbit(t.s_true(i, i))) << name << " diagonal " << i;
    worst_diag = std::max(worst_diag, std::abs(e(i, i) / t.s_true(i, i) - 1));
  }
  std::printf(
      "[ground truth] %s: ||S_est - S_true||_F / ||S_true||_F = %.4f (target %.2f), "
      "worst diagonal relative error %.4f, true diagonal %.3f..%.3f V/kW\n",
      name, frobenius, target, worst_diag, t.s_true.diagonal().maxCoeff(),
      t.s_true.diagonal().minCoeff());
  EXPECT_LT(frobenius, target) << name;
  return frobenius;
}

TEST(GroundTruth, LowNoiseWithGapsWithinEightPercent) {
  check_scenario({0.1, 0.01, 0.02, 0.001}, 0.08, "0.1 V / 1 % / 2 % gaps / 0.1 % spikes");
}

TEST(GroundTruth, HighNoiseWithinTwelvePercent) {
  check_scenario({0.5, 0.02, 0.02, 0.001}, 0.12, "0.5 V / 2 % / 2 % gaps / 0.1 % spikes");
}

TEST(GroundTruth, NoiselessErrorIsTheLinearisationError) {
  const double e = check_scenario({0, 0, 0, 0}, 0.08, "noiseless");
  EXPECT_GT(e, 0.0);
}

}  // namespace
}  // namespace gridke::services::sensitivities
