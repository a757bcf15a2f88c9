// Flexibility-response benchmarks (issue 8 target: the regression for 1,000 customers x 1 year of
// half-hourly data, 17.5 M rows, <= 2 s on the 2-core VM). Data: make_synthetic_dataset (cost
// signal with low/high levels, half the customers with a planted response), built once outside
// the timed loop.
//   BM_FlexibilityModel_Analyse1000CustomersYear — analyse(): validation, customer index,
//       24 hourly OLS fits per customer (730 rows x 4-5 coefficients), predictions, Student-t
//       p-values / reliabilities, ranking
//   BM_FlexibilityModel_Analyse1000CustomersYearTwoThreads — the same with AnalysisOptions::threads
//       = 2 (wall-clock time reported: CPU time of the main thread would hide the workers)
//   BM_FlexibilityModel_Validate1000CustomersYear — model::validate alone (part of the above)
//   BM_FlexibilityModel_Analyse100CustomersYear — the same at 1/10 size (scaling check)
//   BM_DatasetCsv_Read100CustomersYear — read_dataset_csv (parse + validate) of 1.75 M rows
//       (~100 MB of CSV written by write_dataset_csv), the upload-parsing share of the 60 s target
//   BM_StudentT_Quantile — one t_{361, 0.975}

#include <benchmark/benchmark.h>

#include <map>

#include "gridke/services/flexibility_response/flexibility_model.hpp"
#include "gridke/services/flexibility_response/model/csv_reader.hpp"
#include "gridke/services/flexibility_response/solver/student_t.hpp"
#include "gridke/services/flexibility_response/synthetic_dataset.hpp"

namespace {

using namespace gridke::services::flexibility_response;

const model::Dataset& dataset(int customers) {
  static std::map<int, model::Dataset> cache;
  auto it = cache.find(customers);
  if (it == cache.end()) {
    SyntheticOptions options;
    options.customers = customers;
    options.days = 365;
    it = cache.emplace(customers, make_synthetic_dataset(options)).first;
  }
  return it->second;
}

void run_analyse(benchmark::State& state, int customers, int threads = 1) {
  const auto& d = dataset(customers);
  AnalysisOptions options;
  options.threads = threads;
  for (auto _ : state) {
    auto result = analyse(d, options);
    if (!result.has_value()) {
      state.SkipWithError(result.error().message().c_str());
      return;
    }
    benchmark::DoNotOptimize(result->customers.data());
  }
  state.counters["rows"] = static_cast<double>(d.size());
  state.counters["fits"] = customers * 24.0;
}

void BM_FlexibilityModel_Analyse1000CustomersYear(benchmark::State& state) {
  run_analyse(state, 1000);
}
BENCHMARK(BM_FlexibilityModel_Analyse1000CustomersYear)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3);

void BM_FlexibilityModel_Analyse1000CustomersYearTwoThreads(benchmark::State& state) {
  run_analyse(state, 1000, 2);
}
BENCHMARK(BM_FlexibilityModel_Analyse1000CustomersYearTwoThreads)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3)
    ->UseRealTime();

void BM_FlexibilityModel_Validate1000CustomersYear(benchmark::State& state) {
  const auto& d = dataset(1000);
  for (auto _ : state) {
    auto issues = model::validate(d);
    benchmark::DoNotOptimize(issues.data());
  }
}
BENCHMARK(BM_FlexibilityModel_Validate1000CustomersYear)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3);

void BM_FlexibilityModel_Analyse100CustomersYear(benchmark::State& state) {
  run_analyse(state, 100);
}
BENCHMARK(BM_FlexibilityModel_Analyse100CustomersYear)->Unit(benchmark::kMillisecond);

void BM_DatasetCsv_Read100CustomersYear(benchmark::State& state) {
  const std::string text = model::write_dataset_csv(dataset(100));
  model::CsvReadOptions options;
  options.baseline_signal_value = SyntheticOptions{}.normal_price;
  for (auto _ : state) {
    auto d = model::read_dataset_csv(text, options);
    if (!d.has_value()) {
      state.SkipWithError(d.error().message().c_str());
      return;
    }
    benchmark::DoNotOptimize(d->consumption.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
  state.counters["rows"] = static_cast<double>(dataset(100).size());
}
BENCHMARK(BM_DatasetCsv_Read100CustomersYear)->Unit(benchmark::kMillisecond)->Iterations(3);

void BM_StudentT_Quantile(benchmark::State& state) {
  for (auto _ : state) {
    auto q = solver::student_t_quantile(0.975, 361.0);
    benchmark::DoNotOptimize(q);
  }
}
BENCHMARK(BM_StudentT_Quantile);

}  // namespace

BENCHMARK_MAIN();
