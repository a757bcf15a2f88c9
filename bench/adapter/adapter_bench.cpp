// Benchmarks of core/adapter: what the generic adapter adds on top of the engine.
//   BM_ContractSet_LoadDemo       — load the 4 demo contract files (Turtle + patterns + examples)
//   BM_DoubleCodec_RoundTrip      — encode + decode one double as xsd:double
//   BM_DateTimeCodec_RoundTrip    — encode + decode one time point as xsd:dateTime
//   BM_IriCodec_RoundTrip         — encode + decode one id under a base IRI
//   BM_GenericAdapter_AskOneAnswer — ASK through contracts, one ANSWER with one binding built
//                                    with codecs (compare BM_Engine_* in bench/engine)
//   BM_KnowledgeEngine_AskOneAnswerRaw — the same exchange on the raw engine API, no adapter
#include <benchmark/benchmark.h>

#include <chrono>
#include <filesystem>

#include "gridke/adapter/generic_adapter.hpp"
#include "gridke/engine/embedded_engine.hpp"

namespace {

using namespace gridke;
using namespace gridke::adapter;

const std::filesystem::path patterns = std::filesystem::path(GRIDKE_SOURCE_DIR) / "graph-patterns";

void BM_ContractSet_LoadDemo(benchmark::State& state) {
  for (auto _ : state) {
    auto set = load_contracts(patterns / "demo");
    if (!set) state.SkipWithError(set.error().to_string().c_str());
    benchmark::DoNotOptimize(set);
  }
}
BENCHMARK(BM_ContractSet_LoadDemo)->Unit(benchmark::kMicrosecond);

void BM_DoubleCodec_RoundTrip(benchmark::State& state) {
  DoubleCodec c;
  double v = 21.5;
  for (auto _ : state) {
    auto t = c.encode(v);
    auto back = c.decode(*t);
    benchmark::DoNotOptimize(back);
    v += 0.125;
  }
}
BENCHMARK(BM_DoubleCodec_RoundTrip);

void BM_DateTimeCodec_RoundTrip(benchmark::State& state) {
  DateTimeCodec c;
  auto tp = std::chrono::system_clock::now();
  for (auto _ : state) {
    auto t = c.encode(tp);
    auto back = c.decode(*t);
    benchmark::DoNotOptimize(back);
    tp += std::chrono::milliseconds(1);
  }
}
BENCHMARK(BM_DateTimeCodec_RoundTrip);

void BM_IriCodec_RoundTrip(benchmark::State& state) {
  IriCodec c{"https://example.org/hems/"};
  std::string id = "house-17/meter";
  for (auto _ : state) {
    auto t = c.encode(id);
    auto back = c.decode(*t);
    benchmark::DoNotOptimize(back);
  }
}
BENCHMARK(BM_IriCodec_RoundTrip);

pattern::BindingSet thermometer_answer(const std::string& ki) {
  const IriCodec ids{"https://example.org/thermometer/"};
  pattern::Binding b;
  (void)put(b, "measurement", "living-room/measurement/1", ids, ki);
  (void)put(b, "sensor", "living-room", ids, ki);
  (void)put(b, "property", "living-room/temperature", ids, ki);
  (void)put(b, "value", 21.5, DoubleCodec{}, ki);
  (void)put(b, "time",
            std::chrono::system_clock::time_point(std::chrono::milliseconds(1'790'000'000'000)),
            DateTimeCodec{}, ki);
  return pattern::BindingSet{b};
}

void BM_GenericAdapter_AskOneAnswer(benchmark::State& state) {
  auto contracts = load_contracts(patterns / "thermometer");
  if (!contracts) return state.SkipWithError(contracts.error().to_string().c_str());
  engine::EmbeddedEngine engine;
  Ssa thermometer("https://example.org/thermometer/living-room", "Thermometer");
  thermometer.answer("answer-temperature", [](const Request& req) -> Result<pattern::BindingSet> {
    return thermometer_answer(req.contract.name);
  });
  Ssa screen("https://example.org/display", "Display");
  screen.ask("ask-temperature");
  auto a = GenericAdapter::start(engine, *contracts, std::move(thermometer));
  auto d = GenericAdapter::start(engine, *contracts, std::move(screen));
  if (!a || !d) return state.SkipWithError("cannot start SSAs");
  for (auto _ : state) {
    auto r = (*d)->ask("ask-temperature");
    if (!r || r->bindings.size() != 1) return state.SkipWithError("ask failed");
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_GenericAdapter_AskOneAnswer)->Unit(benchmark::kMicrosecond)->UseRealTime();

void BM_KnowledgeEngine_AskOneAnswerRaw(benchmark::State& state) {
  auto contracts = load_contracts(patterns / "thermometer");
  if (!contracts) return state.SkipWithError(contracts.error().to_string().c_str());
  engine::EmbeddedEngine engine;
  const std::string thermo = "https://example.org/thermometer/living-room";
  const std::string display = "https://example.org/display";
  engine::KnowledgeBaseInfo kb1;
  kb1.id = thermo;
  engine::KnowledgeBaseInfo kb2;
  kb2.id = display;
  (void)engine.create_knowledge_base(kb1);
  (void)engine.create_knowledge_base(kb2);
  (void)engine.register_ki(
      thermo, contracts->find("answer-temperature")->ki,
      engine::SyncHandler([](const engine::HandleRequest&) {
        return Result<pattern::BindingSet>(thermometer_answer("answer-temperature"));
      }));
  auto ask = engine.register_ki(display, contracts->find("ask-temperature")->ki);
  if (!ask) return state.SkipWithError(ask.error().to_string().c_str());
  for (auto _ : state) {
    auto r = engine.ask(display, *ask);
    if (!r || r->bindings.size() != 1) return state.SkipWithError("ask failed");
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_KnowledgeEngine_AskOneAnswerRaw)->Unit(benchmark::kMicrosecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
