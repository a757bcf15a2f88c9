// The engine's handler pool and the blocking caller's wait, without the engine: one task per
// iteration submitted from the benchmark thread, which waits for the task to complete it
// (docs/performance.md). This is the hand-off pair of every blocking in-process exchange.
//   BM_ThreadPool_RoundTrip/<pool spin µs>/<caller spin µs>
//       submit a task that completes a detail::Completion; wait for it. 0/0 = park at once on
//       both sides (two kernel wake-ups per round trip); 50/50 = the engine's settings.
// Counters: `wakeups` (condition-variable notifications the pool issued) and `ctx_switches`
// (voluntary + involuntary context switches of the process), both per iteration.
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <chrono>
#include <memory>

#include "thread_pool.hpp"

namespace {

using gridke::engine::detail::Completion;
using gridke::engine::detail::ThreadPool;

long context_switches() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_nvcsw + u.ru_nivcsw;
}

void BM_ThreadPool_RoundTrip(benchmark::State& state) {
  ThreadPool::Options options;
  options.threads = 8;
  options.spin = std::chrono::microseconds(state.range(0));
  const std::chrono::microseconds caller_spin(state.range(1));
  ThreadPool pool(options);
  const long switches = context_switches();
  const auto wakeups = pool.wakeups();
  for (auto _ : state) {
    auto done = std::make_shared<Completion<int>>();
    pool.submit([done] { done->set(1); });
    benchmark::DoNotOptimize(done->get(caller_spin));
  }
  state.counters["wakeups"] = benchmark::Counter(static_cast<double>(pool.wakeups() - wakeups),
                                                 benchmark::Counter::kAvgIterations);
  state.counters["ctx_switches"] = benchmark::Counter(
      static_cast<double>(context_switches() - switches), benchmark::Counter::kAvgIterations);
}
BENCHMARK(BM_ThreadPool_RoundTrip)
    ->Args({0, 0})
    ->Args({50, 0})
    ->Args({0, 50})
    ->Args({50, 50})
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime()
    ->MeasureProcessCPUTime();

}  // namespace

BENCHMARK_MAIN();
