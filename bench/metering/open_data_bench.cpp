// Open-data aggregation per grid zone (issue 9: 100,000 meters <= 200 ms). Workload: 100,000
// meters with a period's energy; 5,000 street zones of 20 meters nested in 500 feeder zones of
// 200 meters (every meter in two zones, so the overlap rule examines every street/feeder pair),
// 1 % of streets with fewer than k = 5 meters with data.
//   BM_OpenData_AggregateNestedZones

#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "gridke/services/metering/open_data.hpp"

namespace {

namespace mt = gridke::services::metering;

void BM_OpenData_AggregateNestedZones(benchmark::State& state) {
  constexpr int kMetersTotal = 100'000;
  std::vector<mt::MeterEnergy> energy;
  energy.reserve(kMetersTotal);
  std::vector<mt::ZoneMembership> zones;
  for (int f = 0; f < 500; ++f) zones.push_back({"feeder-" + std::to_string(f), {}});
  for (int s = 0; s < 5000; ++s) zones.push_back({"street-" + std::to_string(s), {}});
  for (int m = 0; m < kMetersTotal; ++m) {
    const std::string id = "m" + std::to_string(m);
    const int street = m / 20;
    // Streets 0, 100, 200, …: only 3 meters report, so they fall below k.
    if (street % 100 != 0 || m % 20 < 3) energy.push_back({id, 0.2 + 0.001 * (m % 97)});
    zones[static_cast<std::size_t>(street / 10)].meters.push_back(id);
    zones[500 + static_cast<std::size_t>(street)].meters.push_back(id);
  }
  std::size_t published = 0;
  for (auto _ : state) {
    auto r = mt::aggregate_by_zone(zones, energy);
    if (!r) {
      state.SkipWithError(r.error().to_string().c_str());
      return;
    }
    published = r->published.size();
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations() * kMetersTotal);
  state.counters["published_zones"] = static_cast<double>(published);
}

BENCHMARK(BM_OpenData_AggregateNestedZones)->Unit(benchmark::kMillisecond);

}  // namespace
