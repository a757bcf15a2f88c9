// One detection tick of FaultLocationService (target: <= 5 ms over 10,000 HEMS).
//   BM_FaultLocationService_TickQuiet       10,000 HEMS in 100 monitored zones, all reporting
//   BM_FaultLocationService_TickTenFaults   same, 10 zones with every HEMS silent for 10 min
//                                           (each tick evaluates and updates 10 notifications)
//   BM_FaultLocationService_TickIspOutage   same, ispA silent in 50 zones (the ISP rule runs)
//   BM_PoissonBinomialTail_150              tail P(X >= 50) over 150 devices

#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "fleet.hpp"
#include "gridke/services/fault_location/detection.hpp"

namespace gridke::services::fault_location::bench {
namespace {

// "Z12-h7" → 12 and 7.
int zone_of(const std::string& id) { return std::stoi(id.substr(1, id.find("-h") - 1)); }
int index_of(const std::string& id) { return std::stoi(id.substr(id.find("-h") + 2)); }

// Reports every HEMS except those `silent` returns true for, 15 minutes in a row, then ticks
// once so that raising and checkpoints are done before timing starts.
template <class Silent>
Fleet prepared_fleet(Silent silent) {
  ServiceOptions o;
  o.persist_readings = false;
  Fleet f = make_fleet(100, 100, o);
  for (int m = 0; m < 30; ++m) {
    auto batch = one_minute(f);
    if (m >= 20) {
      std::erase_if(batch, [&](const VoltageReading& r) { return silent(r.hems_id); });
    }
    (void)f.service->ingest(batch);
    (void)f.service->tick();
  }
  return f;
}

void run_ticks(benchmark::State& state, Fleet& f) {
  for (auto _ : state) {
    auto r = f.service->tick();
    if (!r) state.SkipWithError(r.error().to_string().c_str());
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(f.ids.size()));
}

void BM_FaultLocationService_TickQuiet(benchmark::State& state) {
  Fleet f = prepared_fleet([](const std::string&) { return false; });
  run_ticks(state, f);
}

void BM_FaultLocationService_TickTenFaults(benchmark::State& state) {
  // Zones Z10..Z19 silent: their notifications stay active and are re-evaluated every tick.
  Fleet f = prepared_fleet([](const std::string& id) {
    const int zone = zone_of(id);
    return zone >= 10 && zone < 20;
  });
  run_ticks(state, f);
}

void BM_FaultLocationService_TickIspOutage(benchmark::State& state) {
  Fleet f = prepared_fleet([](const std::string& id) {
    return zone_of(id) % 2 == 0 && index_of(id) % 2 == 0;  // ispA in every other zone
  });
  run_ticks(state, f);
}

void BM_PoissonBinomialTail_150(benchmark::State& state) {
  std::vector<double> p(150);
  for (std::size_t i = 0; i < p.size(); ++i) p[i] = 0.001 + 0.0001 * static_cast<double>(i);
  for (auto _ : state) benchmark::DoNotOptimize(poisson_binomial_tail(p, 50));
}

BENCHMARK(BM_FaultLocationService_TickQuiet)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_FaultLocationService_TickTenFaults)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_FaultLocationService_TickIspOutage)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_PoissonBinomialTail_150)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace gridke::services::fault_location::bench

BENCHMARK_MAIN();
