// Knowledge-network features of the EmbeddedEngine (issue #10; figures in
// bench/results/knowledge-network.md, design in docs/knowledge-network.md).
//   BM_Matcher_EightTripleAllVariables/<shape>/<level>
//       — enumerate every match between two 8-triple all-variable patterns (TNO anchor: 7 s
//         for 130,921 matches, shapes unpublished). shape 0 = 8 independent triples, 1 = a
//         chain, 2 = a star; level 3 = maximal matches only (the documented bound, levels 1–4),
//         level 5 = every sub-match too (SUPREME), capped at max_matches = 2,000,000.
//   BM_Matcher_EightTripleBoundReports — level 5 on 8 independent triples with the engine's
//         default cap (100,000): how fast the bound reports instead of stalling.
//   BM_KnowledgeGaps_Ask20Against500Kis — an ASK with knowledgeGapsEnabled (level 5) of a
//         20-triple SAREF pattern against 500 ANSWER KIs, planned on every call (cache off):
//         planning, gap computation and the exchange with the partial answerers.
//   BM_Metadata_ThousandthKbJoins — create the 1,000th KB and register its KI, with a catalogue
//         REACT on the meta pattern being told (metadata sync as the KE does it with meta POSTs).
//   BM_Metadata_CatalogueAsk1000Kbs — an includeMetaKIs ASK `?kb rdf:type kb:KnowledgeBase`
//         answered by 1,000 KBs' metadata.
//   BM_PlanCache_Post100Bindings/<cache> — POST of 100 bindings to one REACT with plans cached
//         (1) or rebuilt per call (0), as TNO issue #544 measured (9.5 ms → 4.5 ms).
//   BM_PlanCache_AskSaref20Against500Kis/<cache> — the same for an ASK over 500 KIs.
#include <benchmark/benchmark.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "gridke/engine/embedded_engine.hpp"
#include "gridke/engine/metadata.hpp"
#include "gridke/pattern/match.hpp"

namespace {

using gridke::engine::EmbeddedEngine;
using gridke::engine::HandleRequest;
using gridke::engine::KiId;
using gridke::engine::KnowledgeBaseInfo;
using gridke::engine::SyncHandler;
using gridke::ki::KnowledgeInteraction;
using gridke::pattern::Binding;
using gridke::pattern::BindingSet;
using gridke::pattern::CompiledPattern;
using gridke::pattern::GraphPattern;

const gridke::pattern::PrefixMap prefixes{{"saref", "https://saref.etsi.org/core/"},
                                          {"ex", "http://example.org/"}};

GraphPattern gp(const std::string& text, const gridke::pattern::PrefixMap& p = prefixes) {
  auto parsed = GraphPattern::parse(text, p);
  if (!parsed) std::abort();
  return *parsed;
}

void must(bool ok) {
  if (!ok) std::abort();
}

std::string kb(int i) { return "http://example.org/kb" + std::to_string(i); }

std::string eight_triples(int shape, const std::string& v) {
  std::string text;
  for (int i = 0; i < 8; ++i) {
    const std::string k = std::to_string(i);
    if (shape == 0) {
      text += "?" + v + "s" + k + " ?" + v + "p" + k + " ?" + v + "o" + k + " . ";
    } else if (shape == 1) {
      text +=
          "?" + v + "n" + k + " ?" + v + "p" + k + " ?" + v + "n" + std::to_string(i + 1) + " . ";
    } else {
      text += "?" + v + "s ?" + v + "p" + k + " ?" + v + "o" + k + " . ";
    }
  }
  return text;
}

void BM_Matcher_EightTripleAllVariables(benchmark::State& state) {
  const int shape = static_cast<int>(state.range(0));
  const int level = static_cast<int>(state.range(1));
  const CompiledPattern target(gp(eight_triples(shape, "a")));
  const CompiledPattern candidate(gp(eight_triples(shape, "b")));
  const auto flags =
      gridke::pattern::MatchFlags::for_level(level, gridke::pattern::MatchDirection::backward);
  gridke::pattern::MatchOptions o;
  o.one_to_one = flags.one_to_one;
  o.only_biggest = flags.only_biggest;
  o.max_matches = 2'000'000;
  o.max_steps = 200'000'000;
  std::size_t matches = 0;
  for (auto _ : state) {
    auto r = gridke::pattern::find_matches(target, candidate, o);
    must(r.has_value());
    matches = r->size();
    benchmark::DoNotOptimize(matches);
  }
  state.counters["matches"] = static_cast<double>(matches);
}
BENCHMARK(BM_Matcher_EightTripleAllVariables)
    ->ArgsProduct({{0, 1, 2}, {3, 5}})
    ->Unit(benchmark::kMillisecond)
    ->MeasureProcessCPUTime()
    ->UseRealTime();

void BM_Matcher_EightTripleBoundReports(benchmark::State& state) {
  const CompiledPattern target(gp(eight_triples(0, "a")));
  const CompiledPattern candidate(gp(eight_triples(0, "b")));
  gridke::pattern::MatchOptions o;
  o.one_to_one = false;
  o.only_biggest = false;
  o.max_matches = EmbeddedEngine::Options{}.max_combinations;
  o.max_steps = o.max_matches * 20;
  for (auto _ : state) {
    auto r = gridke::pattern::find_matches(target, candidate, o);
    must(!r.has_value());  // the bound reports
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_Matcher_EightTripleBoundReports)
    ->Unit(benchmark::kMillisecond)
    ->MeasureProcessCPUTime()
    ->UseRealTime();

// A 20-triple SAREF measurement description and KI patterns around it.
const std::string saref20 =
    "?m a saref:Measurement . ?m saref:hasValue ?v . ?m saref:isMeasuredIn ?u . "
    "?m saref:hasTimestamp ?t . ?m saref:relatesToProperty ?p . ?m saref:isMeasuredByDevice ?d . "
    "?p a saref:Temperature . ?p saref:isPropertyOf ?f . ?d a saref:Sensor . "
    "?d saref:hasManufacturer ?man . ?d saref:hasModel ?model . ?d saref:isLocatedIn ?room . "
    "?room a ex:Room . ?room ex:inBuilding ?b . ?b a ex:Building . ?b ex:hasAddress ?addr . "
    "?f a ex:FeatureOfInterest . ?d saref:measuresProperty ?p . ?u a saref:UnitOfMeasure . "
    "?d saref:hasDescription ?desc .";

std::string ki_pattern(int i) {
  if (i % 40 == 0) {
    return "?x a saref:Measurement . ?x saref:hasValue ?y . ?x saref:relatesToProperty ?z . "
           "?z a saref:Temperature .";
  }
  if (i % 40 == 1) return "?s a saref:Sensor . ?s saref:hasModel ?mo . ?s saref:isLocatedIn ?r .";
  std::string text = "?x a ex:Class" + std::to_string(i % 50) + " . ";
  for (int k = 0; k < 3 + i % 4; ++k) {
    text +=
        "?x ex:prop" + std::to_string((i * 7 + k * 13) % 100) + " ?y" + std::to_string(k) + " . ";
  }
  return text;
}

EmbeddedEngine::Options quiet(bool cache) {
  EmbeddedEngine::Options o;
  o.cache_plans = cache;
  o.handler_threads = 2;
  return o;
}

void network_of_500(EmbeddedEngine& engine) {
  for (int i = 0; i <= 500; ++i) {
    KnowledgeBaseInfo info;
    info.id = kb(i);
    must(engine.create_knowledge_base(info).has_value());
  }
  SyncHandler none = [](const HandleRequest&) -> gridke::Result<BindingSet> {
    return BindingSet{};
  };
  for (int i = 1; i <= 500; ++i) {
    must(engine.register_ki(kb(i), KnowledgeInteraction::answer(gp(ki_pattern(i))), none)
             .has_value());
  }
}

void BM_KnowledgeGaps_Ask20Against500Kis(benchmark::State& state) {
  EmbeddedEngine engine(quiet(false));
  network_of_500(engine);
  auto def = KnowledgeInteraction::ask(gp(saref20));
  def.knowledge_gaps_enabled = true;
  auto asking = engine.register_ki(kb(0), def);
  must(asking.has_value());
  std::size_t gaps = 0;
  for (auto _ : state) {
    auto r = engine.ask(kb(0), *asking);
    must(r.has_value() && r->knowledge_gaps.has_value());
    gaps = r->knowledge_gaps->empty() ? 0 : r->knowledge_gaps->front().size();
  }
  state.counters["gap_triples"] = static_cast<double>(gaps);
}
BENCHMARK(BM_KnowledgeGaps_Ask20Against500Kis)
    ->Unit(benchmark::kMillisecond)
    ->MeasureProcessCPUTime()
    ->UseRealTime();

void BM_Metadata_ThousandthKbJoins(benchmark::State& state) {
  EmbeddedEngine engine(quiet(true));
  std::atomic<long> notified{0};
  KnowledgeBaseInfo catalogue;
  catalogue.id = kb(0);
  must(engine.create_knowledge_base(catalogue).has_value());
  auto watch = KnowledgeInteraction::react(gridke::engine::meta::meta_pattern());
  watch.act = {{std::string(gridke::engine::meta::ke_namespace) + "NewKnowledgePurpose"},
               {std::string(gridke::engine::meta::ke_namespace) + "InformPurpose"}};
  must(engine
           .register_ki(kb(0), watch,
                        SyncHandler{[&](const HandleRequest&) -> gridke::Result<BindingSet> {
                          ++notified;
                          return BindingSet{};
                        }})
           .has_value());
  SyncHandler none = [](const HandleRequest&) -> gridke::Result<BindingSet> {
    return BindingSet{};
  };
  for (int i = 1; i < 1000; ++i) {
    KnowledgeBaseInfo info;
    info.id = kb(i);
    must(engine.create_knowledge_base(info).has_value());
    must(engine.register_ki(kb(i), KnowledgeInteraction::answer(gp(ki_pattern(i))), none)
             .has_value());
  }
  const auto pattern = gp(ki_pattern(1000));
  for (auto _ : state) {
    const long before = notified.load();
    KnowledgeBaseInfo info;
    info.id = kb(1000);
    must(engine.create_knowledge_base(info).has_value());
    must(engine.register_ki(kb(1000), KnowledgeInteraction::answer(pattern), none).has_value());
    while (notified.load() == before) std::this_thread::yield();  // the catalogue was told
    state.PauseTiming();
    must(engine.delete_knowledge_base(kb(1000)).has_value());
    state.ResumeTiming();
  }
}
BENCHMARK(BM_Metadata_ThousandthKbJoins)
    ->Unit(benchmark::kMillisecond)
    ->MeasureProcessCPUTime()
    ->UseRealTime();

void BM_Metadata_CatalogueAsk1000Kbs(benchmark::State& state) {
  EmbeddedEngine engine(quiet(true));
  for (int i = 0; i <= 1000; ++i) {
    KnowledgeBaseInfo info;
    info.id = kb(i);
    info.name = "kb" + std::to_string(i);
    must(engine.create_knowledge_base(info).has_value());
  }
  auto def = KnowledgeInteraction::ask(gp("?kb rdf:type kb:KnowledgeBase . ?kb kb:hasName ?name .",
                                          gridke::engine::meta::meta_prefixes()));
  def.include_meta_kis = true;
  auto asking = engine.register_ki(kb(0), def);
  must(asking.has_value());
  std::size_t found = 0;
  for (auto _ : state) {
    auto r = engine.ask(kb(0), *asking);
    must(r.has_value());
    found = r->bindings.size();
  }
  state.counters["kbs"] = static_cast<double>(found);
}
BENCHMARK(BM_Metadata_CatalogueAsk1000Kbs)
    ->Unit(benchmark::kMillisecond)
    ->MeasureProcessCPUTime()
    ->UseRealTime();

void BM_PlanCache_Post100Bindings(benchmark::State& state) {
  EmbeddedEngine engine(quiet(state.range(0) != 0));
  for (int i = 0; i < 2; ++i) {
    KnowledgeBaseInfo info;
    info.id = kb(i);
    must(engine.create_knowledge_base(info).has_value());
  }
  auto posting = engine.register_ki(kb(0), KnowledgeInteraction::post(gp("?a ex:b ?c .")));
  must(posting.has_value());
  must(engine
           .register_ki(kb(1), KnowledgeInteraction::react(gp("?x ex:b ?y .")),
                        SyncHandler{[](const HandleRequest&) -> gridke::Result<BindingSet> {
                          return BindingSet{};
                        }})
           .has_value());
  BindingSet bindings;
  for (int i = 0; i < 100; ++i) {
    bindings.insert(
        Binding{{"a", gridke::rdf::Term::iri("http://example.org/a" + std::to_string(i))},
                {"c", gridke::rdf::Term::iri("http://example.org/c")}});
  }
  for (auto _ : state) must(engine.post(kb(0), *posting, bindings).has_value());
}
BENCHMARK(BM_PlanCache_Post100Bindings)
    ->Arg(1)
    ->Arg(0)
    ->Unit(benchmark::kMicrosecond)
    ->MeasureProcessCPUTime()
    ->UseRealTime();

void BM_PlanCache_AskSaref20Against500Kis(benchmark::State& state) {
  EmbeddedEngine engine(quiet(state.range(0) != 0));
  network_of_500(engine);
  auto asking = engine.register_ki(kb(0), KnowledgeInteraction::ask(gp(saref20)));
  must(asking.has_value());
  for (auto _ : state) must(engine.ask(kb(0), *asking).has_value());
}
BENCHMARK(BM_PlanCache_AskSaref20Against500Kis)
    ->Arg(1)
    ->Arg(0)
    ->Unit(benchmark::kMicrosecond)
    ->MeasureProcessCPUTime()
    ->UseRealTime();

}  // namespace
BENCHMARK_MAIN();
