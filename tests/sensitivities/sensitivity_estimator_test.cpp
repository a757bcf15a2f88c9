// Tests for sensitivity_estimator.hpp on synthetic data from a known linear model
// (synthetic_data.hpp), and the OLS mode against numpy (Debian python3-numpy) end to end.

#include "gridke/services/sensitivities/sensitivity_estimator.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <limits>

#include "gridke_matchers.hpp"
#include "numpy_reference.hpp"
#include "synthetic_data.hpp"

namespace gridke::services::sensitivities {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

double frobenius_error(const SensitivityMatrix& est, const Eigen::MatrixXd& truth) {
  return (est.sensitivity_v_per_kw - truth).norm() / truth.norm();
}

TEST(EstimateSensitivities, ConvergesOnKnownLinearModel) {
  const auto s = testing::make_synthetic(12, 8640, 0.1);
  const auto est = estimate_sensitivities(s.grid, s.data);
  ASSERT_THAT(est, IsOk());
  // Differencing doubles the noise variance: sigma(dV) = 0.14 V against a 0.1-0.5 V signal.
  EXPECT_LT(frobenius_error(*est, s.s_true), 0.05);
  EXPECT_EQ(est->voltage_meters.size(), 12U);
  EXPECT_EQ(est->injection_meters.size(), 12U);
  for (Eigen::Index i = 0; i < 12; ++i) {
    EXPECT_LT(est->sensitivity_v_per_kw(i, i), 0.0);
    // The true value lies within 5 standard errors.
    EXPECT_LT(std::abs(est->sensitivity_v_per_kw(i, i) - s.s_true(i, i)),
              5 * est->standard_error_v_per_kw(i, i));
    EXPECT_GT(est->r_squared[static_cast<std::size_t>(i)], 0.3);
  }
  EXPECT_EQ(est->quality.step_s, 900);
  EXPECT_EQ(est->quality.slots, 8640);
  EXPECT_EQ(est->start_time_s, testing::kStart);
  EXPECT_EQ(est->end_time_s, testing::kStart + 8639 * 900);
}

TEST(EstimateSensitivities, ErrorShrinksWithLessNoise) {
  const auto noisy = estimate_sensitivities(testing::make_synthetic(9, 8640, 0.5).grid,
                                            testing::make_synthetic(9, 8640, 0.5).data);
  const auto quiet = testing::make_synthetic(9, 8640, 0.05);
  const auto clean = estimate_sensitivities(quiet.grid, quiet.data);
  ASSERT_THAT(noisy, IsOk());
  ASSERT_THAT(clean, IsOk());
  EXPECT_LT(frobenius_error(*clean, quiet.s_true), 0.5 * frobenius_error(*noisy, quiet.s_true));
}

TEST(EstimateSensitivities, HandlesIndependentGapsPairwise) {
  const auto s = testing::make_synthetic(30, 8640, 0.1, 0.02);
  const auto est = estimate_sensitivities(s.grid, s.data);
  ASSERT_THAT(est, IsOk());
  EXPECT_LT(frobenius_error(*est, s.s_true), 0.05);
  EXPECT_GT(est->quality.missing_records, 30 * 8640 / 100);
  // Pair-wise moments keep ~96 % of the differences per target (complete-case would keep 8 %).
  EXPECT_GT(est->samples[0], 0.9 * 8639);
}

TEST(EstimateSensitivities, FiltersVoltageSpikes) {
  auto s = testing::make_synthetic(6, 8640, 0.1);
  for (std::size_t r = 50; r < 8640; r += 200) s.data.meters[2].measurements[r].v_measured_v += 25;
  s.data.meters[3].measurements[100].v_measured_v = 2300;  // implausible (unit error)
  const auto est = estimate_sensitivities(s.grid, s.data);
  ASSERT_THAT(est, IsOk());
  EXPECT_LT(frobenius_error(*est, s.s_true), 0.03);
  EXPECT_GE(est->quality.voltage_outliers, 2 * 43);
  EXPECT_EQ(est->quality.implausible_voltages, 1);
}

TEST(EstimateSensitivities, BusbarReferenceRemovesTransformerPart) {
  auto s = testing::make_synthetic(6, 8640, 0.05);
  // Substation busbar: V0 - 0.02 V/kW x total consumption (the shared transformer drop).
  MeterHistory sub;
  sub.meter = {"busbar", "", MeterKind::substation, 1};
  for (std::size_t t = 0; t < 8640; ++t) {
    double total = 0;
    for (const auto& m : s.data.meters) total += m.measurements[t].p_measured_kw;
    sub.measurements.push_back(
        {s.data.meters[0].measurements[t].timestamp_s, 231.0 - 0.02 * total, total * 1.02});
  }
  s.grid.meters.push_back(sub.meter);
  s.data.meters.push_back(sub);
  EstimatorOptions options;
  options.reference = ReferenceVoltage::busbar;
  const auto est = estimate_sensitivities(s.grid, s.data, options);
  ASSERT_THAT(est, IsOk());
  const Eigen::MatrixXd truth = s.s_true.array() + 0.02;
  EXPECT_LT(frobenius_error(*est, truth), 0.02);
  EXPECT_EQ(est->voltage_meters.size(), 6U);  // the substation is the reference, not a row
}

TEST(EstimateSensitivities, BusbarReferenceNeedsASubstationMeter) {
  const auto s = testing::make_synthetic(3, 8640, 0.1);
  EstimatorOptions options;
  options.reference = ReferenceVoltage::busbar;
  EXPECT_THAT(estimate_sensitivities(s.grid, s.data, options),
              HasError(ErrorCode::failed_precondition,
                       HasSubstr("busbar-referenced sensitivities need a substation meter")));
}

TEST(EstimateSensitivities, ConstantMeterIsNotIdentifiable) {
  auto s = testing::make_synthetic(4, 8640, 0.1);
  for (auto& r : s.data.meters[1].measurements) r.p_measured_kw = 0.0;
  const auto est = estimate_sensitivities(s.grid, s.data);
  ASSERT_THAT(est, IsOk());
  EXPECT_EQ(est->quality.not_identifiable, std::vector<std::string>{"m1"});
  EXPECT_EQ(est->injection_meters, (std::vector<std::string>{"m0", "m2", "m3"}));
  EXPECT_EQ(est->voltage_meters.size(), 4U);
}

TEST(EstimateSensitivities, PassesValidationErrorsThrough) {
  auto s = testing::make_synthetic(3, 100, 0.1);
  EXPECT_THAT(
      estimate_sensitivities(s.grid, s.data),
      HasError(ErrorCode::failed_precondition,
               AllOf(HasSubstr("grid 'synthetic'"), HasSubstr("shorter than the required"))));
}

TEST(EstimateSensitivities, OlsModeMatchesNumpyFirstDifferenceLstsq) {
  if (!testing::numpy_available())
    GTEST_SKIP() << "python3-numpy not importable by /usr/bin/python3";
  const auto s = testing::make_synthetic(20, 8640, 0.2);
  EstimatorOptions options;
  options.mode = EstimatorMode::ols;
  options.mad_threshold = std::numeric_limits<double>::infinity();
  const auto est = estimate_sensitivities(s.grid, s.data, options);
  ASSERT_THAT(est, IsOk());
  Eigen::MatrixXd v(8640, 20), p(8640, 20);
  for (Eigen::Index j = 0; j < 20; ++j) {
    for (Eigen::Index t = 0; t < 8640; ++t) {
      const auto& r =
          s.data.meters[static_cast<std::size_t>(j)].measurements[static_cast<std::size_t>(t)];
      v(t, j) = r.v_measured_v;
      p(t, j) = r.p_measured_kw;
    }
  }
  const auto dir = testing::scratch_dir("estimator");
  testing::write_matrix(dir / "v.txt", v);
  testing::write_matrix(dir / "p.txt", p);
  // VoltTune's "plain" algorithm without its sign projection: first differences + lstsq.
  ASSERT_EQ(testing::run_python(dir, R"(
import numpy as np
v = np.loadtxt('v.txt'); p = np.loadtxt('p.txt')
s = np.linalg.lstsq(np.diff(p, axis=0), np.diff(v, axis=0), rcond=None)[0].T
np.savetxt('s.txt', s, fmt='%.17g')
)"),
            0);
  const Eigen::MatrixXd reference = testing::read_matrix(dir / "s.txt", 20, 20);
  EXPECT_LT((est->sensitivity_v_per_kw - reference).norm() / reference.norm(), 1e-9);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace gridke::services::sensitivities
