// A thermometer SSA answering a SAREF temperature ASK, and a display asking it
// (docs/adapter.md walks through this file). Usage: gridke_example_thermometer [CONTRACTS_DIR]
#include <chrono>
#include <iostream>

#include "gridke/adapter/generic_adapter.hpp"
#include "gridke/engine/embedded_engine.hpp"

using namespace gridke;
using namespace gridke::adapter;

int main(int argc, char** argv) {
  const IriCodec ids{"https://example.org/thermometer/"};
  auto contracts =
      load_contracts(argc > 1 ? argv[1] : GRIDKE_SOURCE_DIR "/graph-patterns/thermometer");
  if (!contracts) return std::cerr << contracts.error().to_string() << "\n", 1;
  engine::EmbeddedEngine engine;

  Ssa thermometer("https://example.org/thermometer/living-room", "Living-room thermometer");
  thermometer.answer("answer-temperature", [&](const Request& req) -> Result<pattern::BindingSet> {
    pattern::Binding b;
    GRIDKE_TRY(req.put(b, "measurement", "living-room/measurement/1", ids));
    GRIDKE_TRY(req.put(b, "sensor", "living-room", ids));
    GRIDKE_TRY(req.put(b, "property", "living-room/temperature", ids));
    GRIDKE_TRY(req.put(b, "value", 21.5, DoubleCodec{}));
    GRIDKE_TRY(req.put(b, "time", std::chrono::system_clock::now(), DateTimeCodec{}));
    return pattern::BindingSet{b};
  });
  Ssa screen("https://example.org/display", "Display");
  screen.ask("ask-temperature");
  auto sensor = GenericAdapter::start(engine, *contracts, std::move(thermometer));
  auto display = GenericAdapter::start(engine, *contracts, std::move(screen));
  if (!sensor || !display) return std::cerr << "cannot start the SSAs\n", 1;

  auto answer = (*display)->ask("ask-temperature");
  if (!answer) return std::cerr << answer.error().to_string() << "\n", 1;
  for (const auto& b : answer->bindings) {
    auto celsius = get(b, "celsius", DoubleCodec{}, "ask-temperature");
    auto where = get(b, "thermometer", ids, "ask-temperature");
    if (!celsius || !where) return std::cerr << "bad answer\n", 1;
    std::cout << where.value() << ": " << celsius.value() << " degrees Celsius\n";
  }
  return answer->bindings.empty() ? 1 : 0;
}
