// Sensitivities Engine fit benchmarks (NOTES §1.5: 150 regressors x 150 targets x 8,640 rows;
// numpy+OpenBLAS normal equations 14 ms, Eigen LLT 18-21 ms; target <= 25 ms).
//   BM_Regression_Ols150x8640         — solver::fit, OLS, no gaps (Gram + X'Y + Cholesky + SEs)
//   BM_Regression_OlsGaps150x8640     — same with 2 % independent gaps (pair-wise moments)
//   BM_Regression_RobustGcv150x8640   — GCV lambda + one residual-trimming refit, no gaps
//   BM_EstimateSensitivities_150Meters90Days — the whole pipeline from HistoricalData (validation,
//                                        alignment, differences, MAD filter, robust fit)
//   BM_JsonCodec_ParseHistoricalData100MB — the streaming (SAX) reader on a ~100 MB Table 8 body
//                                        (150 meters × 8,640 records); counters: MB/s and the
//                                        resident-memory growth while parsing (no JSON tree)
//   BM_Numpy_NormalEquations150x8640 / BM_Numpy_Lstsq150x8640 — numpy on the same problem size in
//                                        the same run (numpy_fit.py --machine, its median of 20
//                                        timed calls reported as manual time; skipped without
//                                        python3-numpy)

#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <random>
#include <string>

#include "gridke/services/sensitivities/json_codec.hpp"
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

// Resident set size, MB (Linux /proc/self/statm).
double rss_mb() {
  long pages = 0, resident = 0;
  if (FILE* f = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
    std::fclose(f);
  }
  return static_cast<double>(resident) * 4096.0 / 1e6;
}

void BM_JsonCodec_ParseHistoricalData100MB(benchmark::State& state) {
  std::string body = "{\"historicalFromMeters\": [";
  char rec[160];
  for (int j = 0; j < kMeters; ++j) {
    body += (j ? ",{" : "{");
    body += "\"meter_id\": \"m" + std::to_string(j) +
            "\", \"master_id\": \"\", \"info\": 0, \"phase\": 1, \"measurements\": [";
    for (int t = 0; t < kSamples; ++t) {
      std::snprintf(rec, sizeof rec,
                    "%s{\"timestamp\": %lld, \"v_measured\": %.3f, \"p_measured\": %.4f}",
                    t ? ", " : "", 1'600'000'200LL + t * 900LL, 230.0 + (t % 97) * 0.013,
                    0.5 + (t % 89) * 0.021);
      body += rec;
    }
    body += "]}";
  }
  body += "]}";
  double growth = 0;
  for (auto _ : state) {
    const double before = rss_mb();
    auto d = parse_historical_data(body);
    if (!d) state.SkipWithError(d.error().to_string().c_str());
    growth = rss_mb() - before;
    benchmark::DoNotOptimize(d);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * body.size()));
  state.counters["body_MB"] = static_cast<double>(body.size()) / 1e6;
  state.counters["rss_growth_MB"] = growth;
}
BENCHMARK(BM_JsonCodec_ParseHistoricalData100MB)->Unit(benchmark::kMillisecond)->Iterations(3);

// numpy_fit.py --machine, run once: function name → median seconds.
const std::map<std::string, double>& numpy_medians() {
  static const std::map<std::string, double> medians = [] {
    std::map<std::string, double> out;
    const std::string cmd = std::string(GRIDKE_PYTHON) + " " + GRIDKE_SOURCE_DIR +
                            "/bench/sensitivities/numpy_fit.py --machine 2>/dev/null";
    FILE* pipe = ::popen(cmd.c_str(), "r");
    if (pipe == nullptr) return out;
    char name[64];
    double median = 0, min = 0;
    while (std::fscanf(pipe, "%63s %lf %lf", name, &median, &min) == 3) out[name] = median;
    ::pclose(pipe);
    return out;
  }();
  return medians;
}

void run_numpy(benchmark::State& state, const char* function) {
  const auto& m = numpy_medians();
  const auto it = m.find(function);
  if (it == m.end()) {
    state.SkipWithError("numpy_fit.py did not run (python3-numpy missing?)");
    return;
  }
  for (auto _ : state) state.SetIterationTime(it->second);
}

void BM_Numpy_NormalEquations150x8640(benchmark::State& state) {
  run_numpy(state, "normal_equations");
}
BENCHMARK(BM_Numpy_NormalEquations150x8640)
    ->Unit(benchmark::kMillisecond)
    ->UseManualTime()
    ->Iterations(1);

void BM_Numpy_Lstsq150x8640(benchmark::State& state) { run_numpy(state, "lstsq"); }
BENCHMARK(BM_Numpy_Lstsq150x8640)->Unit(benchmark::kMillisecond)->UseManualTime()->Iterations(1);

}  // namespace

BENCHMARK_MAIN();
