// Sensitivities Engine fit benchmarks (NOTES §1.5: 150 regressors x 150 targets x 8,640 rows;
// numpy+OpenBLAS normal equations 14 ms, Eigen LLT 18-21 ms; target <= 25 ms).
//   BM_Regression_Ols150x8640         — solver::fit, OLS, no gaps (Gram + X'Y + Cholesky + SEs)
//   BM_Regression_OlsGaps150x8640     — same with 2 % independent gaps (pair-wise moments)
//   BM_Regression_RobustGcv150x8640   — GCV lambda + one residual-trimming refit, no gaps
//   BM_EstimateSensitivities_150Meters90Days — the whole pipeline from HistoricalData (validation,
//                                        alignment, differences, MAD filter, robust fit)

#include <benchmark/benchmark.h>

#include <random>

#include "gridke/services/sensitivities/sensitivity_estimator.hpp"
#include "gridke/services/sensitivities/solver/regression.hpp"

namespace {

using namespace gridke::services::sensitivities;
using solver::Matrix;

constexpr int kMeters = 150;
constexpr int kSamples = 8640;

solver::RegressionProblem make_problem(double gap_rate) {
  std::mt19937_64 rng(1);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  solver::RegressionProblem pr;
  pr.x.resize(kSamples, kMeters);
  for (Eigen::Index k = 0; k < pr.x.size(); ++k) pr.x.data()[k] = normal(rng);
  Matrix s = Matrix::Constant(kMeters, kMeters, -0.02);
  s.diagonal().array() -= 0.2;
  pr.y = pr.x * s.transpose();
  for (Eigen::Index k = 0; k < pr.y.size(); ++k) pr.y.data()[k] += 0.1 * normal(rng);
  if (gap_rate > 0) {
    pr.x_mask = Matrix::Ones(kSamples, kMeters);
    pr.y_mask = Matrix::Ones(kSamples, kMeters);
    for (Eigen::Index k = 0; k < pr.x.size(); ++k) {
      if (uniform(rng) < gap_rate) pr.x.data()[k] = 0, pr.x_mask.data()[k] = 0;
      if (uniform(rng) < gap_rate) pr.y.data()[k] = 0, pr.y_mask.data()[k] = 0;
    }
  }
  return pr;
}

void run_fit(benchmark::State& state, double gap_rate, solver::RegressionOptions options) {
  const auto pr = make_problem(gap_rate);
  for (auto _ : state) {
    auto r = solver::fit(pr, options);
    if (!r) state.SkipWithError(r.error().to_string().c_str());
    benchmark::DoNotOptimize(r);
  }
}

void BM_Regression_Ols150x8640(benchmark::State& state) { run_fit(state, 0.0, {}); }
BENCHMARK(BM_Regression_Ols150x8640)->Unit(benchmark::kMillisecond)->MinTime(2.0);

void BM_Regression_OlsGaps150x8640(benchmark::State& state) { run_fit(state, 0.02, {}); }
BENCHMARK(BM_Regression_OlsGaps150x8640)->Unit(benchmark::kMillisecond)->MinTime(2.0);

void BM_Regression_RobustGcv150x8640(benchmark::State& state) {
  solver::RegressionOptions o;
  o.select_lambda_gcv = true;
  o.robust_iterations = 1;
  run_fit(state, 0.0, o);
}
BENCHMARK(BM_Regression_RobustGcv150x8640)->Unit(benchmark::kMillisecond)->MinTime(2.0);

void BM_EstimateSensitivities_150Meters90Days(benchmark::State& state) {
  const auto pr = make_problem(0.0);
  GridRegistration grid;
  grid.network_id = "bench";
  HistoricalData data;
  std::mt19937_64 rng(2);
  std::normal_distribution<double> normal(0.0, 0.1);
  // Levels from the differences: P = cumulative sum of x (+5 kW), V = 230 + cumulative y.
  for (int j = 0; j < kMeters; ++j) {
    MeterHistory h;
    h.meter.meter_id = "m" + std::to_string(j);
    grid.meters.push_back(h.meter);
    double p = 5, v = 230;
    h.measurements.push_back({1'600'000'200, v, p});
    for (int t = 1; t < kSamples; ++t) {
      p += pr.x(t, j) * 0.3;
      v += pr.y(t, j) * 0.3 + normal(rng);
      v = 230 + 0.98 * (v - 230);
      h.measurements.push_back({1'600'000'200 + t * 900LL, v, p});
    }
    data.meters.push_back(std::move(h));
  }
  for (auto _ : state) {
    auto r = estimate_sensitivities(grid, data);
    if (!r) state.SkipWithError(r.error().to_string().c_str());
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_EstimateSensitivities_150Meters90Days)->Unit(benchmark::kMillisecond)->MinTime(2.0);

}  // namespace

BENCHMARK_MAIN();
