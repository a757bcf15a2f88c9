// gridke_rest_load: the bounded REST load run of issue 3. N knowledge bases long-poll GET
// /sc/handle (each with one ANSWER KI on its own predicate) while one asking KB sends ASKs at a
// fixed rate, round-robin over them, for a fixed time. All KBs are RemoteEngine clients of a
// RestServer over loopback, in this process. Reports failures, latency percentiles and the
// process RSS after warm-up and at the end (target: no failure, RSS growth < 5 %).
//
//   gridke_rest_load [--kbs 100] [--rate 1000] [--seconds 60] [--warmup-s 10]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "rest_fixture.hpp"

namespace {

using namespace gridke;
using namespace gridke::bench;
using Steady = std::chrono::steady_clock;

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

struct Stats {
  std::mutex mu;
  std::vector<double> latency_us;
  std::atomic<long> done{0};
  std::atomic<long> failed{0};
};

// Sends ASKs at `rate` per second for `seconds`; waits for all to complete.
void drive(engine::RemoteEngine& asker, const std::vector<engine::KiId>& asks, long rate,
           long seconds, Stats& stats) {
  const auto period = std::chrono::nanoseconds(1'000'000'000 / rate);
  const long total = rate * seconds;
  auto next = Steady::now();
  for (long i = 0; i < total; ++i) {
    std::this_thread::sleep_until(next);
    next += period;
    auto start = Steady::now();
    asker.ask_async(
        "http://example.org/load/asker", asks[static_cast<std::size_t>(i) % asks.size()], {}, {},
        [&stats, start](Result<engine::AskResult> r) {
          double us = std::chrono::duration<double, std::micro>(Steady::now() - start).count();
          bool ok = r && r->bindings.size() == 1 && r->exchange_info.size() == 1 &&
                    r->exchange_info[0].status == engine::ExchangeStatus::succeeded;
          if (!ok) ++stats.failed;
          {
            std::lock_guard lock(stats.mu);
            stats.latency_us.push_back(us);
          }
          ++stats.done;
        });
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
  if (kbs < 1 || rate < 1 || seconds < 1 || warmup < 0) {
    std::fprintf(stderr, "gridke_rest_load: --kbs, --rate and --seconds must be positive\n");
    return 2;
  }

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
  Stats stats;
  auto t0 = Steady::now();
  drive(*asker, asks, rate, seconds, stats);
  double elapsed = std::chrono::duration<double>(Steady::now() - t0).count();
  const long rss_end = rss_kib();

  std::sort(stats.latency_us.begin(), stats.latency_us.end());
  auto pct = [&](double q) {
    if (stats.latency_us.empty()) return 0.0;
    return stats.latency_us[std::min(
        stats.latency_us.size() - 1,
        static_cast<std::size_t>(q * static_cast<double>(stats.latency_us.size())))];
  };
  std::printf("kbs=%ld rate=%ld/s seconds=%ld warmup_s=%ld\n", kbs, rate, seconds, warmup);
  std::printf("asks=%ld completed=%ld failed=%ld (warm-up failed=%ld) achieved=%.0f/s\n",
              rate * seconds, stats.done.load(), stats.failed.load(), warm.failed.load(),
              static_cast<double>(stats.done.load()) / elapsed);
  std::printf("latency_us p50=%.0f p90=%.0f p99=%.0f max=%.0f\n", pct(0.5), pct(0.9), pct(0.99),
              stats.latency_us.empty() ? 0.0 : stats.latency_us.back());
  std::printf("rss_kib start=%ld end=%ld growth=%.2f%%\n", rss_start, rss_end,
              100.0 * static_cast<double>(rss_end - rss_start) / static_cast<double>(rss_start));
  bool ok = stats.failed.load() == 0 && stats.done.load() == rate * seconds &&
            rss_end <= rss_start * 105 / 100;
  std::printf("%s\n", ok ? "PASS" : "FAIL");
  return ok ? 0 : 1;
}
