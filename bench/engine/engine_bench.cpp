// EmbeddedEngine exchanges, in-process, handlers on the engine's pool (bench/results/engine.md).
// Reported: wall time and the CPU time of the whole process (all threads), which stays
// meaningful on a loaded machine.
//   BM_EmbeddedEngine_Post100BindingsToOneReact — POST of 100 bindings `?a <b> ?c` to one REACT
//                                                (TNO TestPostReactPerformance: 9.5 ms, 4.5 ms)
//   BM_EmbeddedEngine_AskOneAnswerOneBinding    — ASK answered by one ANSWER with one binding
//   BM_EmbeddedEngine_Ask3000BindingsTwoKbs     — 2 ANSWER KBs × 1,500 bindings × 7 variables,
//                                                6-triple pattern (TNO: must finish in 10 s)
//   BM_EmbeddedEngine_Issue696FiveIdentical     — 5 identical 5-triple ANSWER KIs, all answers
//   BM_EmbeddedEngine_PlanSaref20Against1000Kis — first ASK after a network change: plan a
//                                                20-triple SAREF ASK against 1,000 KIs
//   BM_EmbeddedEngine_Post100BindingsToOneReactSpinWait,
//   BM_EmbeddedEngine_AskOneAnswerOneBindingSpinWait
//       — the same two exchanges, the benchmark waiting on a detail::Completion (spin, then
//         block) itself, as KnowledgeEngine::post/ask do (docs/performance.md)
// Every exchange benchmark also reports `ctx_switches`: voluntary plus involuntary context
// switches of the whole process per iteration (getrusage), which counts the kernel wake-ups.
#include <benchmark/benchmark.h>

#include <sys/resource.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "gridke/engine/embedded_engine.hpp"
#include "thread_pool.hpp"

namespace {

using gridke::engine::EmbeddedEngine;
using gridke::engine::HandleRequest;
using gridke::engine::KiId;
using gridke::engine::SyncHandler;
using gridke::ki::KnowledgeInteraction;
using gridke::pattern::Binding;
using gridke::pattern::BindingSet;
using gridke::pattern::GraphPattern;

const gridke::pattern::PrefixMap prefixes{{"saref", "https://saref.etsi.org/core/"},
                                          {"ex", "http://example.org/"}};

GraphPattern gp(const std::string& text) {
  auto p = GraphPattern::parse(text, prefixes);
  if (!p) std::abort();
  return *p;
}

gridke::rdf::Term iri(const std::string& local) {
  return gridke::rdf::Term::iri("http://example.org/" + local);
}

std::string kb(int i) { return "http://example.org/kb" + std::to_string(i); }

void must(bool ok) {
  if (!ok) std::abort();
}

long context_switches() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_nvcsw + u.ru_nivcsw;
}

// Counts the process's context switches over the benchmark loop (construct before it).
class SwitchCounter {
 public:
  explicit SwitchCounter(benchmark::State& state) : state_(state), start_(context_switches()) {}
  ~SwitchCounter() {
    state_.counters["ctx_switches"] = benchmark::Counter(
        static_cast<double>(context_switches() - start_), benchmark::Counter::kAvgIterations);
  }
  SwitchCounter(const SwitchCounter&) = delete;
  SwitchCounter& operator=(const SwitchCounter&) = delete;

 private:
  benchmark::State& state_;
  long start_;
};

// What KnowledgeEngine::post/ask do (core/engine/src/knowledge_engine.cpp), done by the benchmark
// itself: the caller waits on a Completion (adaptive spin, then block).
template <class Result, class Start>
Result wait_for(Start start) {
  auto done = std::make_shared<gridke::engine::detail::Completion<Result>>();
  start([done](Result r) { done->set(std::move(r)); });
  return done->get(gridke::engine::detail::caller_spin_policy());
}

void make_kbs(EmbeddedEngine& engine, int n) {
  for (int i = 0; i < n; ++i)
    must(engine.create_knowledge_base({kb(i), "kb", "bench", std::nullopt, 2}).has_value());
}

KiId answer(EmbeddedEngine& engine, int k, const std::string& pattern, BindingSet rows) {
  SyncHandler h = [rows = std::move(rows)](const HandleRequest&) -> gridke::Result<BindingSet> {
    return rows;
  };
  auto id = engine.register_ki(kb(k), KnowledgeInteraction::answer(gp(pattern)), h);
  must(id.has_value());
  return *id;
}

KiId ask_ki(EmbeddedEngine& engine, int k, const std::string& pattern) {
  auto id =
      engine.register_ki(kb(k), KnowledgeInteraction::ask(gp(pattern)), gridke::engine::Handler{});
  must(id.has_value());
  return *id;
}

// POST of 100 bindings to one REACT without a result pattern.
void post100(benchmark::State& state, bool spin_wait) {
  EmbeddedEngine engine;
  make_kbs(engine, 2);
  auto post = engine.register_ki(kb(0), KnowledgeInteraction::post(gp("?a ex:b ?c .")),
                                 gridke::engine::Handler{});
  must(post.has_value());
  SyncHandler react = [](const HandleRequest&) -> gridke::Result<BindingSet> {
    return BindingSet{};
  };
  must(engine.register_ki(kb(1), KnowledgeInteraction::react(gp("?x ex:b ?y .")), react)
           .has_value());
  BindingSet bindings;
  for (int i = 0; i < 100; ++i)
    bindings.insert(Binding{{"a", iri("a" + std::to_string(i))}, {"c", iri("c")}});
  SwitchCounter switches(state);
  for (auto _ : state) {
    auto r = spin_wait ? wait_for<gridke::Result<gridke::engine::PostResult>>([&](auto done) {
      engine.post_async(kb(0), *post, bindings, {}, std::move(done));
    })
                       : engine.post(kb(0), *post, bindings);
    if (!r || r->exchange_info.size() != 1) state.SkipWithError("post failed");
  }
}
void BM_EmbeddedEngine_Post100BindingsToOneReact(benchmark::State& state) { post100(state, false); }
BENCHMARK(BM_EmbeddedEngine_Post100BindingsToOneReact)
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime()
    ->MeasureProcessCPUTime();
void BM_EmbeddedEngine_Post100BindingsToOneReactSpinWait(benchmark::State& state) {
  post100(state, true);
}
BENCHMARK(BM_EmbeddedEngine_Post100BindingsToOneReactSpinWait)
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime()
    ->MeasureProcessCPUTime();

// ASK answered by one ANSWER returning one binding.
void ask_one(benchmark::State& state, bool spin_wait) {
  EmbeddedEngine engine;
  make_kbs(engine, 2);
  const KiId asking = ask_ki(engine, 0, "?a ex:b ?c .");
  answer(engine, 1, "?x ex:b ?y .", BindingSet{Binding{{"x", iri("1")}, {"y", iri("2")}}});
  SwitchCounter switches(state);
  for (auto _ : state) {
    auto r = spin_wait ? wait_for<gridke::Result<gridke::engine::AskResult>>([&](auto done) {
      engine.ask_async(kb(0), asking, {}, {}, std::move(done));
    })
                       : engine.ask(kb(0), asking);
    if (!r || r->bindings.size() != 1) state.SkipWithError("ask failed");
  }
}
void BM_EmbeddedEngine_AskOneAnswerOneBinding(benchmark::State& state) { ask_one(state, false); }
BENCHMARK(BM_EmbeddedEngine_AskOneAnswerOneBinding)
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime()
    ->MeasureProcessCPUTime();
void BM_EmbeddedEngine_AskOneAnswerOneBindingSpinWait(benchmark::State& state) {
  ask_one(state, true);
}
BENCHMARK(BM_EmbeddedEngine_AskOneAnswerOneBindingSpinWait)
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime()
    ->MeasureProcessCPUTime();

// TNO TestAskAnswerLargeBindingSets: 2 KBs × 1,500 bindings × 7 variables → 3,000 bindings.
void BM_EmbeddedEngine_Ask3000BindingsTwoKbs(benchmark::State& state) {
  const std::string pattern =
      "?m ex:of ?p . ?m ex:value ?v . ?m ex:unit ?u . ?m ex:time ?t . ?m ex:by ?s . "
      "?m ex:quality ?q .";
  EmbeddedEngine engine;
  make_kbs(engine, 3);
  const KiId asking = ask_ki(engine, 0, pattern);
  for (int k = 1; k <= 2; ++k) {
    BindingSet rows;
    for (int i = 0; i < 1500; ++i) {
      const std::string id = std::to_string(k) + "-" + std::to_string(i);
      rows.insert(
          Binding{{"m", iri("m" + id)},
                  {"p", iri("temperature")},
                  {"v", gridke::rdf::Term::literal(std::to_string(20 + i % 10) + ".5",
                                                   "http://www.w3.org/2001/XMLSchema#decimal")},
                  {"u", iri("celsius")},
                  {"t", gridke::rdf::Term::literal("2025-01-01T10:00:00Z",
                                                   "http://www.w3.org/2001/XMLSchema#dateTime")},
                  {"s", iri("sensor" + std::to_string(i % 50))},
                  {"q", iri("good")}});
    }
    answer(engine, k, pattern, std::move(rows));
  }
  SwitchCounter switches(state);
  for (auto _ : state) {
    auto r = engine.ask(kb(0), asking);
    if (!r || r->bindings.size() != 3000) state.SkipWithError("ask failed");
  }
}
BENCHMARK(BM_EmbeddedEngine_Ask3000BindingsTwoKbs)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MeasureProcessCPUTime();

// TNO issue #696: 5 identical 5-triple ANSWER KIs, all 5 answers come back.
void BM_EmbeddedEngine_Issue696FiveIdentical(benchmark::State& state) {
  const std::string five =
      "?m a saref:Measurement . ?m saref:hasValue ?v . ?m saref:isMeasuredIn ?u . "
      "?m saref:hasTimestamp ?t . ?m saref:relatesToProperty ?p .";
  EmbeddedEngine engine;
  make_kbs(engine, 6);
  const KiId asking = ask_ki(engine, 0, five);
  for (int k = 1; k <= 5; ++k) {
    answer(engine, k, five,
           BindingSet{Binding{{"m", iri("m" + std::to_string(k))},
                              {"v", iri("v")},
                              {"u", iri("u")},
                              {"t", iri("t")},
                              {"p", iri("p")}}});
  }
  for (auto _ : state) {
    auto r = engine.ask(kb(0), asking);
    if (!r || r->bindings.size() != 5) state.SkipWithError("ask failed");
  }
}
BENCHMARK(BM_EmbeddedEngine_Issue696FiveIdentical)
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime()
    ->MeasureProcessCPUTime();

// First ASK after a change: the plan for a 20-triple SAREF ASK over 1,000 registered KIs is
// rebuilt (a KI is registered and unregistered outside the timing to bump the version).
void BM_EmbeddedEngine_PlanSaref20Against1000Kis(benchmark::State& state) {
  const std::string saref20 =
      "?m a saref:Measurement . ?m saref:hasValue ?v . ?m saref:isMeasuredIn ?u . "
      "?m saref:hasTimestamp ?t . ?m saref:relatesToProperty ?p . ?m saref:isMeasuredByDevice ?d . "
      "?p a saref:Temperature . ?p saref:isPropertyOf ?f . ?d a saref:Sensor . "
      "?d saref:hasManufacturer ?man . ?d saref:hasModel ?model . ?d saref:isLocatedIn ?room . "
      "?room a ex:Room . ?room ex:inBuilding ?b . ?b a ex:Building . ?b ex:hasAddress ?addr . "
      "?f a ex:FeatureOfInterest . ?d saref:measuresProperty ?p . ?u a saref:UnitOfMeasure . "
      "?d saref:hasDescription ?desc .";
  EmbeddedEngine engine;
  make_kbs(engine, 101);
  const KiId asking = ask_ki(engine, 0, saref20);
  for (int i = 0; i < 1000; ++i) {
    std::string text;
    if (i % 40 == 0) {
      text =
          "?x a saref:Measurement . ?x saref:hasValue ?y . ?x saref:relatesToProperty ?z . "
          "?z a saref:Temperature .";
    } else {
      text = "?x a ex:Class" + std::to_string(i % 50) + " . ";
      for (int k = 0; k < 3 + i % 4; ++k) {
        text += "?x ex:prop" + std::to_string((i * 7 + k * 13) % 100) + " ?y" + std::to_string(k) +
                " . ";
      }
    }
    answer(engine, 1 + i % 100, text, BindingSet{});
  }
  SyncHandler none = [](const HandleRequest&) -> gridke::Result<BindingSet> {
    return BindingSet{};
  };
  for (auto _ : state) {
    state.PauseTiming();
    auto id =
        engine.register_ki(kb(1), KnowledgeInteraction::answer(gp("?q ex:unrelated ?w .")), none);
    must(id.has_value() && engine.unregister_ki(kb(1), *id).has_value());
    state.ResumeTiming();
    auto r = engine.ask(kb(0), asking);
    if (!r) state.SkipWithError(r.error().message().c_str());
  }
}
BENCHMARK(BM_EmbeddedEngine_PlanSaref20Against1000Kis)
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime()
    ->MeasureProcessCPUTime();

}  // namespace

BENCHMARK_MAIN();
