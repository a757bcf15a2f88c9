// The sweep solver on cases with closed-form answers, its error paths, and its sensitivities
// against central finite differences of full power-flow solves.
#include "gridke/services/grid/solver/sweep_solver.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <numbers>

#include "grid_test_support.hpp"
#include "gridke/services/grid/model/ieee_european_lv_csv.hpp"
#include "gridke/services/grid/power_flow.hpp"
#include "gridke_matchers.hpp"

namespace gridke::services::grid {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using cd = std::complex<double>;
using namespace gridke::services::grid::testing;

/// 0.4 kV ideal source, one 1 km line (Z1 = Z0 = 0.2 + j0.1 Ohm/km, no mutual coupling), one
/// load at bus "B".
Network one_line(Load load) {
  Network n;
  n.source.bus = "S";
  n.source.kv = 0.4;
  n.buses = {{"S", {}, {}}, {"B", {}, {}}};
  LineCode lc;
  lc.id = "c";
  lc.r1_ohm_per_km = lc.r0_ohm_per_km = 0.2;
  lc.x1_ohm_per_km = lc.x0_ohm_per_km = 0.1;
  n.line_codes = {lc};
  n.lines = {{"L", "S", "B", PhaseSet::abc(), 1.0, "c"}};
  load.id = "P";
  load.bus = "B";
  n.loads = {load};
  return n;
}

const double v_ln = 400.0 / std::numbers::sqrt3;
const cd z_line(0.2, 0.1);

TEST(SweepSolver, ConstantImpedanceLoadIsAVoltageDivider) {
  Load l;
  l.phases = PhaseSet::abc();
  l.kv = 0.4;
  l.kw = 30;
  l.kvar = 10;
  l.model = LoadModel::constant_impedance;
  auto pf = PowerFlow::create(one_line(l));
  ASSERT_THAT(pf, IsOk());
  auto snap = pf->solve_minute(1);
  ASSERT_THAT(snap, IsOk());
  // Per phase: Z_load = V_ln^2 / conj(S_phase), V = V_src Z_load / (Z_load + Z_line).
  const cd z_load = v_ln * v_ln / std::conj(cd(10e3, 10e3 / 3));
  const double expected = std::abs(v_ln * z_load / (z_load + z_line));
  for (int p = 0; p < 3; ++p) {
    EXPECT_NEAR(snap->find_bus("B")->magnitude_v(p), expected, 1e-7);
  }
}

TEST(SweepSolver, ConstantPowerLoadBalancesPowerAndLosses) {
  Load l;
  l.phases = *PhaseSet::parse("B");
  l.kv = 0.23;
  l.kw = 8;
  l.kvar = 2;
  auto pf = PowerFlow::create(one_line(l));
  ASSERT_THAT(pf, IsOk());
  auto snap = pf->solve_minute(1);
  ASSERT_THAT(snap, IsOk());
  const BranchResult* line = snap->find_branch("L");
  ASSERT_NE(line, nullptr);
  const cd i = line->current_a[1];
  const cd v = snap->find_bus("B")->voltage_v[1];
  // The load draws exactly S at its voltage, and the line loses |I|^2 R.
  EXPECT_NEAR(std::real(v * std::conj(i)), 8000, 1e-4);
  EXPECT_NEAR(std::imag(v * std::conj(i)), 2000, 1e-4);
  EXPECT_NEAR(snap->losses_kw, std::norm(i) * 0.2 / 1000, 1e-9);
  EXPECT_NEAR(line->losses_kw, snap->losses_kw, 1e-9);
  EXPECT_NEAR(std::abs(line->current_a[0]), 0, 1e-12);
}

TEST(SweepSolver, ConstantCurrentLoadScalesWithVoltage) {
  Load l;
  l.phases = *PhaseSet::parse("A");
  l.kv = 0.23;
  l.kw = 10;
  l.model = LoadModel::constant_current;
  auto pf = PowerFlow::create(one_line(l));
  ASSERT_THAT(pf, IsOk());
  auto snap = pf->solve_minute(1);
  ASSERT_THAT(snap, IsOk());
  const double v = snap->find_bus("B")->magnitude_v(0);
  EXPECT_NEAR(snap->load_power_kva.real(), 10 * v / 230.0, 1e-9);
  EXPECT_NEAR(std::abs(snap->find_branch("L")->current_a[0]), 10000 / 230.0, 1e-7);
}

TEST(SweepSolver, DeltaLoadDrawsPhaseToPhaseCurrent) {
  Load l;
  l.phases = *PhaseSet::parse("AB");
  l.connection = LoadConnection::delta;
  l.kv = 0.4;
  l.kw = 12;
  l.kvar = 4;
  auto pf = PowerFlow::create(one_line(l));
  ASSERT_THAT(pf, IsOk());
  auto snap = pf->solve_minute(1);
  ASSERT_THAT(snap, IsOk());
  const auto& i = snap->find_branch("L")->current_a;
  const auto& v = snap->find_bus("B")->voltage_v;
  EXPECT_NEAR(std::abs(i[0] + i[1]), 0, 1e-9);
  EXPECT_NEAR(std::abs(i[2]), 0, 1e-12);
  const cd s = (v[0] - v[1]) * std::conj(i[0]);
  EXPECT_NEAR(s.real(), 12000, 1e-4);
  EXPECT_NEAR(s.imag(), 4000, 1e-4);
}

TEST(SweepSolver, NonConvergenceIsNumericalWithIterationsAndTolerance) {
  Load l;
  l.phases = PhaseSet::abc();
  l.kv = 0.4;
  l.kw = 30;
  PowerFlowOptions opts;
  opts.max_iterations = 2;
  auto pf = PowerFlow::create(one_line(l), opts);
  ASSERT_THAT(pf, IsOk());
  EXPECT_THAT(
      pf->solve_minute(1),
      HasError(ErrorCode::numerical,
               AllOf(HasSubstr("minute 1"), HasSubstr("no convergence after 2 iterations"),
                     HasSubstr("max voltage change"), HasSubstr("tolerance 1.000e-10 pu"))));
}

TEST(SweepSolver, ImpossibleLoadFailsAsNumerical) {
  Load l;
  l.phases = PhaseSet::abc();
  l.kv = 0.4;
  l.kw = 5e6;  // far beyond the line's maximum transferable power
  auto pf = PowerFlow::create(one_line(l));
  ASSERT_THAT(pf, IsOk());
  EXPECT_THAT(pf->solve_minute(1), HasError(ErrorCode::numerical, HasSubstr("iteration")));
}

TEST(PowerFlow, RejectsBadCallsWithClearErrors) {
  Load l;
  l.phases = PhaseSet::abc();
  l.kv = 0.4;
  l.kw = 3;
  auto pf = PowerFlow::create(one_line(l));
  ASSERT_THAT(pf, IsOk());
  EXPECT_THAT(pf->sensitivities(),
              HasError(ErrorCode::failed_precondition, HasSubstr("solved operating point")));
  EXPECT_THAT(pf->solve_minute(0), HasError(ErrorCode::invalid_argument, HasSubstr("minute")));
  EXPECT_THAT(pf->solve(std::vector<LoadPower>(3)),
              HasError(ErrorCode::invalid_argument, HasSubstr("expected 1 load powers, got 3")));
  EXPECT_THAT(pf->solve_series(5, 4, {}),
              HasError(ErrorCode::invalid_argument, HasSubstr("bad minute range 5..4")));
  ASSERT_THAT(pf->solve_minute(1), IsOk());
  const BusPhase unknown[] = {{"nope", 0}};
  EXPECT_THAT(pf->sensitivities(unknown),
              HasError(ErrorCode::invalid_argument, HasSubstr("unknown bus 'nope'")));
}

class SensitivityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto net = read_ieee_european_lv(test_data("ieee_european_lv_minute1"));
    ASSERT_THAT(net, IsOk());
    auto pf = PowerFlow::create(std::move(net).value());
    ASSERT_THAT(pf, IsOk());
    pf_.emplace(std::move(pf).value());
    for (const auto& l : pf_->network().loads) base_.push_back({l.kw * 3, l.kvar * 3});
  }

  /// |V| (V) of every bus-phase for load powers `p`.
  std::vector<double> magnitudes(const std::vector<LoadPower>& p) {
    auto snap = pf_->solve(p);
    EXPECT_THAT(snap, IsOk());
    std::vector<double> out;
    for (const auto& b : snap->buses) {
      for (int ph = 0; ph < 3; ++ph) {
        if (b.phases.has(ph)) out.push_back(b.magnitude_v(ph));
      }
    }
    return out;
  }

  std::optional<PowerFlow> pf_;
  std::vector<LoadPower> base_;
};

TEST_F(SensitivityTest, MatchesCentralFiniteDifferences) {
  ASSERT_THAT(pf_->solve(base_), IsOk());
  auto sens = pf_->sensitivities();
  ASSERT_THAT(sens, IsOk());
  ASSERT_EQ(sens->nodes.size(), 907U * 3);
  ASSERT_EQ(static_cast<std::size_t>(sens->dv_dp_v_per_kw.cols()), sens->injections.size());
  const double h = 0.05;  // kW / kvar
  for (std::size_t load : {0U, 20U, 54U}) {
    const Load& l = pf_->network().loads[load];
    std::size_t col = 0;
    while (sens->injections[col].bus != l.bus) ++col;
    for (int q = 0; q < 2; ++q) {
      auto up = base_, down = base_;
      // Injection +h = consumption -h.
      (q == 0 ? up[load].kw : up[load].kvar) -= h;
      (q == 0 ? down[load].kw : down[load].kvar) += h;
      const auto vu = magnitudes(up);
      const auto vd = magnitudes(down);
      const Eigen::MatrixXd& m = q == 0 ? sens->dv_dp_v_per_kw : sens->dv_dq_v_per_kvar;
      const double scale = m.col(static_cast<Eigen::Index>(col)).cwiseAbs().maxCoeff();
      ASSERT_GT(scale, 1e-3);
      double worst = 0;
      for (std::size_t r = 0; r < vu.size(); ++r) {
        const double fd = (vu[r] - vd[r]) / (2 * h);
        worst = std::max(
            worst, std::abs(fd - m(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(col))));
      }
      EXPECT_LT(worst, 1e-5 * scale) << "load " << l.id << (q ? " Q" : " P");
    }
  }
  // Own-node sensitivity to injected P is positive: injecting raises the local voltage.
  for (std::size_t c = 0; c < sens->injections.size(); ++c) {
    std::size_t r = 0;
    while (!(sens->nodes[r] == sens->injections[c])) ++r;
    EXPECT_GT(sens->dv_dp_v_per_kw(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(c)), 0)
        << sens->injections[c].bus;
  }
}

TEST_F(SensitivityTest, WarmStartNeedsFewerIterations) {
  auto cold = pf_->solve(base_);
  ASSERT_THAT(cold, IsOk());
  auto warm = pf_->solve(base_);
  ASSERT_THAT(warm, IsOk());
  EXPECT_LE(warm->iterations, 2);
  EXPECT_LT(warm->iterations, cold->iterations);
}

}  // namespace
}  // namespace gridke::services::grid
