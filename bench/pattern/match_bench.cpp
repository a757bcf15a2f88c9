// Graph-pattern matching and cover planning (core/pattern match.hpp, plan.hpp).
//   BM_Matcher_Saref20Against1000Kis   — plan a 20-triple SAREF ASK against 1,000 KI patterns
//   BM_Matcher_Issue696FiveIdentical   — plan + evaluate 5 identical 5-triple ANSWER patterns
//   BM_Matcher_EightTripleAllVariables — enumerate every match between two 8-triple
//                                        all-variable chains (TNO: 130,921 matches in 7 s)
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "gridke/pattern/match.hpp"
#include "gridke/pattern/plan.hpp"

namespace {

using gridke::pattern::BindingSet;
using gridke::pattern::CompiledPattern;
using gridke::pattern::GraphPattern;

const gridke::pattern::PrefixMap prefixes{{"saref", "https://saref.etsi.org/core/"},
                                          {"s4ener", "https://saref.etsi.org/saref4ener/"},
                                          {"ex", "http://example.org/"}};

CompiledPattern compile(const std::string& text) {
  auto p = GraphPattern::parse(text, prefixes);
  if (!p) std::abort();
  return CompiledPattern(*p);
}

// A 20-triple SAREF measurement description: measurement, property, device, unit, time.
const std::string saref20 =
    "?m a saref:Measurement . ?m saref:hasValue ?v . ?m saref:isMeasuredIn ?u . "
    "?m saref:hasTimestamp ?t . ?m saref:relatesToProperty ?p . ?m saref:isMeasuredByDevice ?d . "
    "?p a saref:Temperature . ?p saref:isPropertyOf ?f . ?d a saref:Sensor . "
    "?d saref:hasManufacturer ?man . ?d saref:hasModel ?model . ?d saref:isLocatedIn ?room . "
    "?room a ex:Room . ?room ex:inBuilding ?b . ?b a ex:Building . ?b ex:hasAddress ?addr . "
    "?f a ex:FeatureOfInterest . ?d saref:measuresProperty ?p . ?u a saref:UnitOfMeasure . "
    "?d saref:hasDescription ?desc .";

// 1,000 KI patterns over 50 classes and 100 properties, of which a few dozen touch saref20.
std::vector<CompiledPattern> registry(int n) {
  std::vector<CompiledPattern> kis;
  kis.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    std::string text;
    if (i % 40 == 0) {
      // Relevant: part of the measurement pattern under other variable names.
      text =
          "?x a saref:Measurement . ?x saref:hasValue ?y . ?x saref:relatesToProperty ?z . "
          "?z a saref:Temperature .";
    } else if (i % 40 == 1) {
      text = "?s a saref:Sensor . ?s saref:hasModel ?mo . ?s saref:isLocatedIn ?r .";
    } else {
      const std::string c = "ex:Class" + std::to_string(i % 50);
      text = "?x a " + c + " . ";
      for (int k = 0; k < 3 + i % 4; ++k) {
        text += "?x ex:prop" + std::to_string((i * 7 + k * 13) % 100) + " ?y" + std::to_string(k) +
                " . ";
      }
    }
    kis.push_back(compile(text));
  }
  return kis;
}

// Plan a 20-triple SAREF ASK against 1,000 registered KIs (index lookup + matching + covers).
void BM_Matcher_Saref20Against1000Kis(benchmark::State& state) {
  const auto kis = registry(1000);
  gridke::pattern::PatternIndex index;
  for (std::size_t i = 0; i < kis.size(); ++i) index.add(i, kis[i]);
  const CompiledPattern target = compile(saref20);
  const auto flags =
      gridke::pattern::MatchFlags::for_level(2, gridke::pattern::MatchDirection::backward);
  std::size_t candidates = 0;
  for (auto _ : state) {
    auto ids = index.candidates_for(target);
    std::vector<const CompiledPattern*> cands;
    cands.reserve(ids.size());
    for (auto id : ids) cands.push_back(&kis[id]);
    auto plan = gridke::pattern::plan_cover(target, cands, flags);
    if (!plan) state.SkipWithError(plan.error().message().c_str());
    candidates = cands.size();
    benchmark::DoNotOptimize(plan);
  }
  state.counters["candidates"] = static_cast<double>(candidates);
}
BENCHMARK(BM_Matcher_Saref20Against1000Kis)->Unit(benchmark::kMicrosecond);

// TNO issue #696: 5 identical 5-triple ANSWER patterns (3,125 combinations in the KE).
void BM_Matcher_Issue696FiveIdentical(benchmark::State& state) {
  const std::string five =
      "?m a saref:Measurement . ?m saref:hasValue ?v . ?m saref:isMeasuredIn ?u . "
      "?m saref:hasTimestamp ?t . ?m saref:relatesToProperty ?p .";
  const CompiledPattern target = compile(five);
  std::vector<CompiledPattern> kis(5, compile(five));
  std::vector<const CompiledPattern*> cands;
  for (const auto& k : kis) cands.push_back(&k);
  const auto flags =
      gridke::pattern::MatchFlags::for_level(2, gridke::pattern::MatchDirection::backward);
  for (auto _ : state) {
    auto plan = gridke::pattern::plan_cover(target, cands, flags);
    benchmark::DoNotOptimize(plan);
  }
}
BENCHMARK(BM_Matcher_Issue696FiveIdentical)->Unit(benchmark::kMicrosecond);

// Every match (sub-matches included) between two 8-triple all-variable chains.
void BM_Matcher_EightTripleAllVariables(benchmark::State& state) {
  std::string chain;
  for (int i = 0; i < 8; ++i) {
    chain += "?n" + std::to_string(i) + " ?p" + std::to_string(i) + " ?n" + std::to_string(i + 1) +
             " . ";
  }
  const CompiledPattern a = compile(chain);
  gridke::pattern::MatchOptions all;
  all.only_biggest = state.range(0) == 0;
  all.max_steps = 1'000'000'000;
  all.max_matches = 100'000'000;
  std::size_t count = 0;
  for (auto _ : state) {
    auto m = gridke::pattern::find_matches(a, a, all);
    if (!m) state.SkipWithError(m.error().message().c_str());
    count = m ? m->size() : 0;
  }
  state.counters["matches"] = static_cast<double>(count);
}
BENCHMARK(BM_Matcher_EightTripleAllVariables)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

}  // namespace
