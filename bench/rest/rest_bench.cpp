// KE REST round trips on loopback, both KBs as REST clients (RemoteEngine → RestServer →
// EmbeddedEngine). Targets (issue 3): ask → long-poll delivery → answer → result ≤ 1 ms median,
// ≤ 5 ms p99; POST of 1,000 bindings ≤ 20 ms.
//
//   BM_RestServer_AskAnswerRoundTrip  one ASK answered by one REST ANSWER KB, 1 binding
//   BM_RestServer_PostReactRoundTrip  one POST of 1 binding to one REST REACT KB (no result)
//   BM_RestServer_Post1000Bindings    one POST of 1,000 bindings (2 variables) to a REST REACT KB
//   BM_RestServer_ListKnowledgeBases  GET /rest/sc (empty list) through RemoteEngine
//
// `--io-threads=N` (before the Google Benchmark flags) sets the server's HTTP I/O threads
// (RestServerOptions::io_threads, default 2; docs/performance.md).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <utility>
#include <vector>

#include "rest_fixture.hpp"

namespace gridke::bench {
namespace {

using engine::HandleRequest;
using engine::SyncHandler;
using pattern::Binding;
using pattern::BindingSet;
using rdf::Term;

// Adds p50/p99 counters (in microseconds) from per-iteration latencies.
void report_percentiles(benchmark::State& state, std::vector<double>& us) {
  if (us.empty()) return;
  std::sort(us.begin(), us.end());
  state.counters["p50_us"] = us[us.size() / 2];
  state.counters["p99_us"] = us[std::min(us.size() - 1, us.size() * 99 / 100)];
}

void BM_RestServer_AskAnswerRoundTrip(benchmark::State& state) {
  RestNetwork net;
  auto answerer = net.client();
  auto asker = net.client();
  must(answerer->create_knowledge_base(kb_info("http://example.org/answerer")), "create");
  must(asker->create_knowledge_base(kb_info("http://example.org/asker")), "create");
  SyncHandler answer = [](const HandleRequest&) -> Result<BindingSet> {
    return BindingSet{
        Binding{{"a", Term::iri("http://example.org/s")},
                {"b", Term::literal("21.5", "http://www.w3.org/2001/XMLSchema#decimal")}}};
  };
  must(answerer->register_ki(
           "http://example.org/answerer",
           ki::KnowledgeInteraction::answer(pattern_of("?a <http://example.org/t> ?b .")), answer),
       "register answer");
  auto ask = must(asker->register_ki(
                      "http://example.org/asker",
                      ki::KnowledgeInteraction::ask(pattern_of("?x <http://example.org/t> ?y ."))),
                  "register ask");
  for (int i = 0; i < 50; ++i) (void)asker->ask("http://example.org/asker", ask);  // warm up
  std::vector<double> us;
  for (auto _ : state) {
    auto start = std::chrono::steady_clock::now();
    auto r = asker->ask("http://example.org/asker", ask);
    us.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
                     .count());
    if (!r || r->bindings.size() != 1) state.SkipWithError("ASK failed");
  }
  report_percentiles(state, us);
}
BENCHMARK(BM_RestServer_AskAnswerRoundTrip)->Unit(benchmark::kMicrosecond)->Iterations(3000);

void post_react(benchmark::State& state, int bindings) {
  RestNetwork net;
  auto reactor = net.client();
  auto poster = net.client();
  must(reactor->create_knowledge_base(kb_info("http://example.org/reactor")), "create");
  must(poster->create_knowledge_base(kb_info("http://example.org/poster")), "create");
  SyncHandler react = [](const HandleRequest&) -> Result<BindingSet> { return BindingSet{}; };
  must(reactor->register_ki(
           "http://example.org/reactor",
           ki::KnowledgeInteraction::react(pattern_of("?a <http://example.org/p> ?c .")), react),
       "register react");
  auto post =
      must(poster->register_ki(
               "http://example.org/poster",
               ki::KnowledgeInteraction::post(pattern_of("?a <http://example.org/p> ?c ."))),
           "register post");
  BindingSet args;
  for (int i = 0; i < bindings; ++i) {
    args.insert(Binding{
        {"a", Term::iri("http://example.org/m" + std::to_string(i))},
        {"c", Term::literal(std::to_string(i), "http://www.w3.org/2001/XMLSchema#integer")}});
  }
  for (int i = 0; i < 10; ++i) (void)poster->post("http://example.org/poster", post, args);
  std::vector<double> us;
  for (auto _ : state) {
    auto start = std::chrono::steady_clock::now();
    auto r = poster->post("http://example.org/poster", post, args);
    us.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
                     .count());
    if (!r || r->exchange_info.size() != 1 ||
        r->exchange_info[0].status != engine::ExchangeStatus::succeeded) {
      state.SkipWithError("POST failed");
    }
  }
  report_percentiles(state, us);
}

void BM_RestServer_PostReactRoundTrip(benchmark::State& state) { post_react(state, 1); }
BENCHMARK(BM_RestServer_PostReactRoundTrip)->Unit(benchmark::kMicrosecond)->Iterations(3000);

void BM_RestServer_Post1000Bindings(benchmark::State& state) { post_react(state, 1000); }
BENCHMARK(BM_RestServer_Post1000Bindings)->Unit(benchmark::kMillisecond)->Iterations(200);

void BM_RestServer_ListKnowledgeBases(benchmark::State& state) {
  RestNetwork net;
  auto client = net.client();
  for (auto _ : state) {
    auto r = client->knowledge_bases();  // GET /rest/sc: the lightest call with a JSON body
    if (!r) state.SkipWithError("GET /sc failed");
  }
}
BENCHMARK(BM_RestServer_ListKnowledgeBases)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace gridke::bench

int main(int argc, char** argv) {
  // Our flag first, removed before Google Benchmark sees the rest.
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--io-threads=", 13) == 0) {
      const long n = std::strtol(argv[i] + 13, nullptr, 10);
      if (n < 1) {
        std::fprintf(stderr, "gridke_rest_bench: --io-threads must be a positive integer\n");
        return 2;
      }
      gridke::bench::rest_io_threads = static_cast<std::size_t>(n);
      continue;
    }
    argv[kept++] = argv[i];
  }
  argc = kept;
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
