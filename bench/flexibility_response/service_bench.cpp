// Flexibility-response service benchmarks: the issue 8 end-to-end target (1,000 customers × 1
// year of half-hourly data, 17.5 M rows, from upload to results ≤ 60 s) through
// FlexibilityResponseService — the D4.3 Figure 22 job path — with upload parsing measured
// separately. Data: make_synthetic_dataset, written as text once outside the timed loop.
//   BM_FlexibilityResponseService_UploadToResult1000CustomersYearCsv — submit() of ~1.5 GB CSV
//       (stored in SQLite, WAL, synchronous=FULL, on a file in /tmp), then the worker: parse +
//       validate, pseudonymise (HMAC-SHA256 ids, pseudonymised CSV stored back, mapping
//       table), analyse() on 2 threads, D4.3 JSON stored; ends when wait() reports done
//   BM_FlexibilityResponseService_UploadToResult100CustomersYearCsv — the same at 1/10 size
//   (counter process_cpu_s: CPU seconds of all threads in the timed region, user + system)
//   BM_DatasetJson_Read10CustomersYear — read_dataset_json (parse + validate) of 175,200 rows
//       of D4.3 user-profile JSON (~50 MB)
//   BM_FlexibilityResponseService_Submit100CustomersYearCsv — submit() alone (~150 MB into
//       SQLite): the time until the request id is answered

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <string>

#include <sys/resource.h>

#include <nlohmann/json.hpp>

#include "gridke/services/flexibility_response/flexibility_response_service.hpp"
#include "gridke/services/flexibility_response/model/csv_reader.hpp"
#include "gridke/services/flexibility_response/model/json_reader.hpp"
#include "gridke/services/flexibility_response/synthetic_dataset.hpp"

namespace {

using namespace gridke::services::flexibility_response;

model::Dataset dataset(int customers) {
  SyntheticOptions options;
  options.customers = customers;
  options.days = 365;
  return make_synthetic_dataset(options);
}

const std::string& csv_text(int customers) {
  static std::map<int, std::string> cache;
  auto it = cache.find(customers);
  if (it == cache.end())
    it = cache.emplace(customers, model::write_dataset_csv(dataset(customers))).first;
  return it->second;
}

std::string json_text(int customers) {
  const model::Dataset d = dataset(customers);
  nlohmann::json rows = nlohmann::json::array();
  for (std::size_t r = 0; r < d.size(); ++r) {
    nlohmann::json row{{"userID", d.user_ids[static_cast<std::size_t>(d.user[r])]},
                       {"timestamp", model::format_timestamp(d.timestamp_s[r]) + "Z"},
                       {"customer_consumption", d.consumption[r]},
                       {"customer_consumption_unit", "kW"},
                       {"external_temperature", d.outside_temperature_c[r]},
                       {"external_temperature_unit", "degreesCelcius"}};
    if (!std::isnan(d.signal[r])) {
      row["signal_incentive_Class:Cost"] = d.signal[r];
      row["signal_incentive_unit"] = d.signal_unit;
    }
    rows.push_back(std::move(row));
  }
  return nlohmann::json{{"baseline_signal_value", *d.baseline_signal_value},
                        {"user_profile", std::move(rows)}}
      .dump();
}

std::string database_path() {
  const auto path = std::filesystem::temp_directory_path() / "gridke-flexresponse-bench.sqlite";
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
  return path.string();
}

// CPU seconds (user + system) of every thread of this process so far: the service's worker and
// analysis threads are not in Google Benchmark's CPU column (the main thread's only).
double process_cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + 1e-6 * static_cast<double>(t.tv_usec);
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

void upload_to_result(benchmark::State& state, int customers) {
  const std::string& text = csv_text(customers);
  double process_cpu = 0.0;
  for (auto _ : state) {
    state.PauseTiming();
    ServiceOptions options;
    options.database_path = database_path();
    options.analysis_threads = 2;
    auto service = FlexibilityResponseService::open(options);
    if (!service.has_value()) {
      state.SkipWithError(service.error().message().c_str());
      return;
    }
    Submission s;  // the upload as the front door holds it once the request body arrived
    s.format = DatasetFormat::csv;
    s.data = text;
    s.baseline_signal_value = 0.1176;
    const double cpu_before = process_cpu_seconds();
    state.ResumeTiming();
    auto receipt = (*service)->submit(std::move(s));
    if (!receipt.has_value()) {
      state.SkipWithError(receipt.error().message().c_str());
      return;
    }
    auto status = (*service)->wait(receipt->request_id, std::chrono::minutes(10));
    if (!status.has_value() || status->state != JobState::done) {
      state.SkipWithError(status.has_value() && status->error ? status->error->message().c_str()
                                                              : "job did not finish");
      return;
    }
    state.PauseTiming();
    process_cpu += process_cpu_seconds() - cpu_before;
    service->reset();
    database_path();
    state.ResumeTiming();
  }
  state.counters["process_cpu_s"] =
      process_cpu / static_cast<double>(std::max<std::int64_t>(state.iterations(), 1));
  state.counters["rows"] = static_cast<double>(customers) * 365 * 48;
  state.counters["csv_MB"] = static_cast<double>(text.size()) / 1e6;
}

void BM_FlexibilityResponseService_UploadToResult1000CustomersYearCsv(benchmark::State& state) {
  upload_to_result(state, 1000);
}
BENCHMARK(BM_FlexibilityResponseService_UploadToResult1000CustomersYearCsv)
    ->Unit(benchmark::kSecond)
    ->Iterations(1)
    ->UseRealTime();

void BM_FlexibilityResponseService_UploadToResult100CustomersYearCsv(benchmark::State& state) {
  upload_to_result(state, 100);
}
BENCHMARK(BM_FlexibilityResponseService_UploadToResult100CustomersYearCsv)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(2)
    ->UseRealTime();

void BM_DatasetJson_Read10CustomersYear(benchmark::State& state) {
  const std::string text = json_text(10);
  for (auto _ : state) {
    auto d = model::read_dataset_json(text, {});
    if (!d.has_value()) {
      state.SkipWithError(d.error().message().c_str());
      return;
    }
    benchmark::DoNotOptimize(d->consumption.data());
  }
  state.counters["rows"] = 10.0 * 365 * 48;
  state.counters["json_MB"] = static_cast<double>(text.size()) / 1e6;
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_DatasetJson_Read10CustomersYear)->Unit(benchmark::kMillisecond)->Iterations(3);

void BM_FlexibilityResponseService_Submit100CustomersYearCsv(benchmark::State& state) {
  const std::string& text = csv_text(100);
  ServiceOptions options;
  options.database_path = database_path();
  options.start_worker = false;
  auto service = FlexibilityResponseService::open(options);
  if (!service.has_value()) {
    state.SkipWithError(service.error().message().c_str());
    return;
  }
  for (auto _ : state) {
    Submission s;
    s.format = DatasetFormat::csv;
    s.data = text;
    auto receipt = (*service)->submit(std::move(s));
    if (!receipt.has_value()) {
      state.SkipWithError(receipt.error().message().c_str());
      return;
    }
    state.PauseTiming();
    (void)(*service)->remove(receipt->request_id);
    state.ResumeTiming();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_FlexibilityResponseService_Submit100CustomersYearCsv)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
