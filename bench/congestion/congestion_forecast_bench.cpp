// Congestion forecast benchmarks (target: a 24-h day-ahead forecast on the 906-bus IEEE
// European LV feeder, 96 quarter hours, <= 500 ms). Repository data only.
#include <benchmark/benchmark.h>

#include "gridke/services/congestion/ieee_european_lv_scenario.hpp"

namespace cg = gridke::services::congestion;

namespace {

const cg::TimePoint day = cg::TimePoint(std::chrono::sys_days(std::chrono::year(2026) / 11 / 28));

void run(benchmark::State& state, bool with_evs) {
  auto s = cg::ieee_european_lv_ev_evening(GRIDKE_SOURCE_DIR);
  if (!s) {
    state.SkipWithError(s.error().to_string().c_str());
    return;
  }
  auto f = cg::CongestionForecaster::create(s->network, s->config);
  if (!f) {
    state.SkipWithError(f.error().to_string().c_str());
    return;
  }
  std::size_t needs = 0;
  for (auto _ : state) {
    auto r = f->day_ahead(day, with_evs ? s->forecast : s->household);
    if (!r) {
      state.SkipWithError(r.error().to_string().c_str());
      return;
    }
    needs = r->needs().size();
    benchmark::DoNotOptimize(r);
  }
  state.counters["needs"] = static_cast<double>(needs);
}

}  // namespace

// 96 quarter hours, households only (no violation: 96 power flows).
static void BM_CongestionForecaster_DayAheadNoCongestion(benchmark::State& state) {
  run(state, false);
}
BENCHMARK(BM_CongestionForecaster_DayAheadNoCongestion)->Unit(benchmark::kMillisecond);

// 96 quarter hours with the EV evening peak: violations → needs via sensitivities and Newton
// corrections (extra power flows in the congested intervals).
static void BM_CongestionForecaster_DayAheadEvEveningPeak(benchmark::State& state) {
  run(state, true);
}
BENCHMARK(BM_CongestionForecaster_DayAheadEvEveningPeak)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
