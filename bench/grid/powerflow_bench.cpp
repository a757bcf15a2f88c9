// Power-flow benchmarks on the IEEE European LV test feeder (906 LV buses, 905 lines, 55
// single-phase loads, 1-min load shapes), read from ../shared/reference-data/ieee-european-lv/csv.
// Targets (issue 6, NOTES §2.4): <= 1 ms per warm snapshot, <= 1.5 s for the 1,440-step day.
// Anchors: power-grid-model 0.7-1.6 ms per asymmetric solve of a 1,001-node grid, OpenDSS 0.78 ms.
//
//   BM_PowerFlow_EuLvWarmSnapshot     one minute after another (warm start from the previous
//                                     minute), solve only, 906 buses
//   BM_PowerFlow_EuLvWarmSnapshotResult  same plus building the Snapshot (V, A, kW by id)
//   BM_PowerFlow_EuLvColdSnapshot     flat start at the on-peak minute 566
//   BM_PowerFlow_EuLvDailySeries      1,440 one-minute steps, 3 watched bus-phases
//   BM_PowerFlow_EuLvSensitivities    dV/dP and dV/dQ, 2,721 rows x 55 load injections
//   BM_PowerFlow_EuLvReadCsv          reading the CSV folder (100 files incl. 55 profiles)

#include <benchmark/benchmark.h>

#include <filesystem>
#include <optional>
#include <string>

#include "gridke/services/grid/model/ieee_european_lv_csv.hpp"
#include "gridke/services/grid/power_flow.hpp"

namespace {

namespace grid = gridke::services::grid;

const std::string feeder_dir =
    std::string(GRIDKE_SHARED_DIR) + "/reference-data/ieee-european-lv/csv";

std::optional<grid::PowerFlow> make(benchmark::State& state) {
  auto net = grid::read_ieee_european_lv(feeder_dir);
  if (!net) {
    state.SkipWithError(net.error().to_string().c_str());
    return std::nullopt;
  }
  auto pf = grid::PowerFlow::create(std::move(net).value());
  if (!pf) {
    state.SkipWithError(pf.error().to_string().c_str());
    return std::nullopt;
  }
  return std::move(pf).value();
}

std::vector<std::vector<grid::LoadPower>> day(const grid::Network& net) {
  std::vector<std::vector<grid::LoadPower>> out;
  for (int m = 1; m <= 1440; ++m) out.push_back(net.load_powers_at_minute(m));
  return out;
}

void BM_PowerFlow_EuLvWarmSnapshot(benchmark::State& state) {
  auto pf = make(state);
  if (!pf) return;
  const auto powers = day(pf->network());
  std::size_t m = 0;
  long iterations = 0;
  for (auto _ : state) {
    auto r = pf->solve_in_place(powers[m]);
    if (!r) {
      state.SkipWithError(r.error().to_string().c_str());
      return;
    }
    iterations += *r;
    m = (m + 1) % powers.size();
  }
  state.counters["sweeps_per_solve"] =
      static_cast<double>(iterations) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_PowerFlow_EuLvWarmSnapshot)->Unit(benchmark::kMicrosecond);

void BM_PowerFlow_EuLvWarmSnapshotResult(benchmark::State& state) {
  auto pf = make(state);
  if (!pf) return;
  const auto powers = day(pf->network());
  std::size_t m = 0;
  for (auto _ : state) {
    auto r = pf->solve(powers[m]);
    if (!r) {
      state.SkipWithError(r.error().to_string().c_str());
      return;
    }
    benchmark::DoNotOptimize(r->losses_kw);
    m = (m + 1) % powers.size();
  }
}
BENCHMARK(BM_PowerFlow_EuLvWarmSnapshotResult)->Unit(benchmark::kMicrosecond);

void BM_PowerFlow_EuLvColdSnapshot(benchmark::State& state) {
  auto pf = make(state);
  if (!pf) return;
  const auto powers = pf->network().load_powers_at_minute(566);
  for (auto _ : state) {
    pf->reset();
    auto r = pf->solve_in_place(powers);
    if (!r) {
      state.SkipWithError(r.error().to_string().c_str());
      return;
    }
    benchmark::DoNotOptimize(*r);
  }
}
BENCHMARK(BM_PowerFlow_EuLvColdSnapshot)->Unit(benchmark::kMicrosecond);

void BM_PowerFlow_EuLvDailySeries(benchmark::State& state) {
  auto pf = make(state);
  if (!pf) return;
  const grid::BusPhase watched[] = {{"34", 0}, {"47", 1}, {"70", 0}};
  for (auto _ : state) {
    pf->reset();
    auto ts = pf->solve_series(1, 1440, watched);
    if (!ts) {
      state.SkipWithError(ts.error().to_string().c_str());
      return;
    }
    benchmark::DoNotOptimize(ts->voltage_v.data());
  }
}
BENCHMARK(BM_PowerFlow_EuLvDailySeries)->Unit(benchmark::kMillisecond);

void BM_PowerFlow_EuLvSensitivities(benchmark::State& state) {
  auto pf = make(state);
  if (!pf) return;
  if (auto r = pf->solve_minute(566); !r) {
    state.SkipWithError(r.error().to_string().c_str());
    return;
  }
  for (auto _ : state) {
    auto s = pf->sensitivities();
    if (!s) {
      state.SkipWithError(s.error().to_string().c_str());
      return;
    }
    benchmark::DoNotOptimize(s->dv_dp_v_per_kw.data());
  }
}
BENCHMARK(BM_PowerFlow_EuLvSensitivities)->Unit(benchmark::kMillisecond);

void BM_PowerFlow_EuLvReadCsv(benchmark::State& state) {
  for (auto _ : state) {
    auto net = grid::read_ieee_european_lv(feeder_dir);
    if (!net) {
      state.SkipWithError(net.error().to_string().c_str());
      return;
    }
    benchmark::DoNotOptimize(net->buses.data());
  }
}
BENCHMARK(BM_PowerFlow_EuLvReadCsv)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
