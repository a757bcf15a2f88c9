// Reading ingestion into FaultLocationService, in-process (target: >= 100,000 readings/s).
//   BM_FaultLocationService_IngestPersisted    10,000 HEMS, one minute (10,000 readings) per
//                                              call, SQLite file in WAL mode, raw readings kept
//   BM_FaultLocationService_IngestStateOnly    same, persist_readings = false (simulator mode)

#include <benchmark/benchmark.h>

#include <unistd.h>
#include <filesystem>
#include <string>

#include "fleet.hpp"

namespace gridke::services::fault_location::bench {
namespace {

void run_ingest(benchmark::State& state, bool persist) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("gridke-fault-bench-" + std::to_string(::getpid()) + ".sqlite");
  for (const char* s : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + s);
  ServiceOptions o;
  o.database_path = persist ? path.string() : ":memory:";
  o.persist_readings = persist;
  {
    Fleet f = make_fleet(100, 100, o);
    std::int64_t readings = 0;
    for (auto _ : state) {
      state.PauseTiming();
      auto batch = one_minute(f);
      state.ResumeTiming();
      auto r = f.service->ingest(batch);
      if (!r) state.SkipWithError(r.error().to_string().c_str());
      readings += static_cast<std::int64_t>(batch.size());
    }
    state.SetItemsProcessed(readings);
  }
  for (const char* s : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + s);
}

void BM_FaultLocationService_IngestPersisted(benchmark::State& state) { run_ingest(state, true); }
void BM_FaultLocationService_IngestStateOnly(benchmark::State& state) { run_ingest(state, false); }

BENCHMARK(BM_FaultLocationService_IngestPersisted)
    ->Unit(benchmark::kMillisecond)
    ->MinTime(5.0)
    ->UseRealTime();
BENCHMARK(BM_FaultLocationService_IngestStateOnly)
    ->Unit(benchmark::kMillisecond)
    ->MinTime(2.0)
    ->UseRealTime();

}  // namespace
}  // namespace gridke::services::fault_location::bench

BENCHMARK_MAIN();
