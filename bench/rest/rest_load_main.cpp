// gridke_rest_load: the bounded REST load run of issue 3. N knowledge bases long-poll GET
// /sc/handle (each with one ANSWER KI on its own predicate) while one asking KB sends ASKs at a
// fixed rate, round-robin over them, for a fixed time. All KBs are RemoteEngine clients of a
// RestServer over loopback, in this process. Reports failures, latency percentiles and the
// process RSS after warm-up and at the end (target: no failure, RSS growth < 5 %), and every
// --report-s a line with throughput, latency, calls in flight, RSS and the malloc heap in use
// (mallinfo2: in use flat while RSS grows = allocator retention, not a leak).
// Latency is measured from the moment an ASK was due (open loop), into a constant-memory
// histogram (bench/load/histogram.hpp), so the tool's own memory does not grow with the run.
//
//   gridke_rest_load [--kbs 100] [--rate 1000] [--seconds 60] [--warmup-s 10] [--report-s 10]
//                    [--io-threads N]
// --io-threads sets the server's HTTP I/O threads (RestServerOptions::io_threads, default 2;
// docs/performance.md).
#include <malloc.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "../load/histogram.hpp"
#include "rest_fixture.hpp"

namespace {

using namespace gridke;
using namespace gridke::bench;
using Steady = std::chrono::steady_clock;
using gridke::bench::Histogram;

long rss_kib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

long arg(int argc, char** argv, const char* name, long fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], name) == 0) return std::stol(argv[i + 1]);
  }
  return fallback;
}

// CPU time of this process (every thread), in microseconds.
double process_cpu_us() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}

long heap_in_use_kib() {
  const struct mallinfo2 m = mallinfo2();
  return static_cast<long>((m.uordblks + m.hblkhd) / 1024);
}

struct Stats {
  Histogram interval;  // since the last report
  Histogram all;
  std::atomic<long> done{0};
  std::atomic<long> failed{0};
  std::atomic<long> in_flight{0};
};

// Sends ASKs at `rate` per second for `seconds` (open loop: each is due at a fixed time, and its
// latency counts from then); waits for all to complete.
void drive(engine::RemoteEngine& asker, const std::vector<engine::KiId>& asks, long rate,
           long seconds, Stats& stats) {
  const long total = rate * seconds;
  const double period_ns = 1e9 / static_cast<double>(rate);
  const auto start = Steady::now();
  long i = 0;
  while (i < total) {
    const auto now = Steady::now();
    for (; i < total; ++i) {
      const auto due = start + std::chrono::nanoseconds(
                                   static_cast<long long>(period_ns * static_cast<double>(i)));
      if (due > now) break;
      ++stats.in_flight;
      asker.ask_async(
          "http://example.org/load/asker", asks[static_cast<std::size_t>(i) % asks.size()], {}, {},
          [&stats, due](Result<engine::AskResult> r) {
            const auto us =
                std::chrono::duration_cast<std::chrono::microseconds>(Steady::now() - due).count();
            bool ok = r && r->bindings.size() == 1 && r->exchange_info.size() == 1 &&
                      r->exchange_info[0].status == engine::ExchangeStatus::succeeded;
            if (!ok) ++stats.failed;
            stats.interval.record(static_cast<std::uint64_t>(std::max<long long>(0, us)));
            ++stats.done;
            --stats.in_flight;
          });
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  auto deadline = Steady::now() + std::chrono::seconds(30);
  while (stats.done.load() < total && Steady::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace

int main(int argc, char** argv) {
  const long kbs = arg(argc, argv, "--kbs", 100);
  const long rate = arg(argc, argv, "--rate", 1000);
  const long seconds = arg(argc, argv, "--seconds", 60);
  const long warmup = arg(argc, argv, "--warmup-s", 10);
  const long report_s = arg(argc, argv, "--report-s", 10);
  if (kbs < 1 || rate < 1 || seconds < 1 || warmup < 0 || report_s < 1) {
    std::fprintf(stderr,
                 "gridke_rest_load: --kbs, --rate, --seconds and --report-s must be positive\n");
    return 2;
  }

  const long io_threads = arg(argc, argv, "--io-threads", 0);
  if (io_threads > 0) rest_io_threads = static_cast<std::size_t>(io_threads);
  RestNetwork net;
  auto answerers = net.client();
  auto asker = net.client();
  must(asker->create_knowledge_base(kb_info("http://example.org/load/asker")), "create asker");
  std::vector<engine::KiId> asks;
  for (long i = 0; i < kbs; ++i) {
    std::string id = "http://example.org/load/kb" + std::to_string(i);
    std::string p = "<http://example.org/load/p" + std::to_string(i) + ">";
    must(answerers->create_knowledge_base(kb_info(id)), "create answerer");
    engine::SyncHandler h = [i](const engine::HandleRequest&) -> Result<pattern::BindingSet> {
      return pattern::BindingSet{pattern::Binding{
          {"a", rdf::Term::iri("http://example.org/load/s" + std::to_string(i))},
          {"b",
           rdf::Term::literal(std::to_string(i), "http://www.w3.org/2001/XMLSchema#integer")}}};
    };
    must(answerers->register_ki(
             id, ki::KnowledgeInteraction::answer(pattern_of("?a " + p + " ?b .")), h),
         "register answer");
    asks.push_back(
        must(asker->register_ki("http://example.org/load/asker",
                                ki::KnowledgeInteraction::ask(pattern_of("?x " + p + " ?y ."))),
             "register ask"));
  }

  Stats warm;
  if (warmup > 0) drive(*asker, asks, rate, warmup, warm);
  const long rss_start = rss_kib();
  const long heap_start = heap_in_use_kib();
  std::printf("kbs=%ld rate=%ld/s seconds=%ld warmup_s=%ld\n", kbs, rate, seconds, warmup);
  std::printf("%6s %9s %8s %8s %9s %9s %8s %9s %9s\n", "t_s", "completed", "per_s", "failed",
              "p50_us", "p99_us", "inflight", "rss_MiB", "heap_MiB");
  const double cpu_start = process_cpu_us();
  Stats stats;
  std::atomic<bool> running{true};
  auto t0 = Steady::now();
  std::thread reporter([&] {
    long last_done = 0;
    auto last = t0;
    auto next = t0 + std::chrono::seconds(report_s);
    while (running) {
      while (running && Steady::now() < next) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
      const auto now = Steady::now();
      const long done = stats.done.load();
      std::printf(
          "%6.0f %9ld %8.0f %8ld %9.0f %9.0f %8ld %9.1f %9.1f\n",
          std::chrono::duration<double>(now - t0).count(), done,
          static_cast<double>(done - last_done) / std::chrono::duration<double>(now - last).count(),
          stats.failed.load(), stats.interval.quantile(0.5), stats.interval.quantile(0.99),
          stats.in_flight.load(), static_cast<double>(rss_kib()) / 1024.0,
          static_cast<double>(heap_in_use_kib()) / 1024.0);
      std::fflush(stdout);
      stats.interval.drain_into(stats.all);
      last_done = done;
      last = now;
      next += std::chrono::seconds(report_s);
    }
  });
  drive(*asker, asks, rate, seconds, stats);
  double elapsed = std::chrono::duration<double>(Steady::now() - t0).count();
  running = false;
  reporter.join();
  stats.interval.drain_into(stats.all);
  const long rss_end = rss_kib();
  const long heap_end = heap_in_use_kib();
  const double cpu_per_ask =
      (process_cpu_us() - cpu_start) / static_cast<double>(std::max(1L, stats.done.load()));

  std::printf("asks=%ld completed=%ld failed=%ld (warm-up failed=%ld) achieved=%.0f/s\n",
              rate * seconds, stats.done.load(), stats.failed.load(), warm.failed.load(),
              static_cast<double>(stats.done.load()) / elapsed);
  std::printf("latency_us p50=%.0f p90=%.0f p99=%.0f max=%llu\n", stats.all.quantile(0.5),
              stats.all.quantile(0.9), stats.all.quantile(0.99),
              static_cast<unsigned long long>(stats.all.max()));
  std::printf("rss_kib start=%ld end=%ld growth=%.2f%%\n", rss_start, rss_end,
              100.0 * static_cast<double>(rss_end - rss_start) / static_cast<double>(rss_start));
  std::printf("heap_in_use_kib start=%ld end=%ld\n", heap_start, heap_end);
  std::printf("cpu_us_per_ask=%.0f (server, engine and all REST clients, one process)\n",
              cpu_per_ask);
  bool ok = stats.failed.load() == 0 && stats.done.load() == rate * seconds &&
            rss_end <= rss_start * 105 / 100;
  std::printf("%s\n", ok ? "PASS" : "FAIL");
  return ok ? 0 : 1;
}
