// `gridke simulate forecast`: a forecast knowledge base process (the "forecast PUC" of D4.3
// Table 16 step 1). It reads day-ahead zone load forecasts from a JSON or CSV file
// (adapters/tariffs/forecast_kb.hpp), joins a knowledge engine over the KE REST API with a
// RemoteEngine and ANSWERs answer-load-forecast (graph-patterns/tariffs) until SIGINT/SIGTERM.
// `gridke demo dynamic-tariff` runs it as a child process next to `gridke serve`.

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "command.hpp"
#include "gridke/adapter/contract.hpp"
#include "gridke/adapters/tariffs/forecast_kb.hpp"
#include "gridke/engine/remote_engine.hpp"
#include "gridke/services/tariffs/tariff_service.hpp"

namespace gridke::cli {
namespace {

constexpr const char* kSimulateForecastUsage =
    "Usage: gridke simulate forecast --engine URL --file PATH [--kb IRI] [--format text|json]\n\n"
    "A forecast knowledge base (D4.3 Table 16 step 1 \"fetch forecast\"): serves the day-ahead\n"
    "load of grid zones per quarter hour from PATH, answering ASK ask-load-forecast (contract\n"
    "answer-load-forecast in graph-patterns/tariffs) on the knowledge engine at --engine (KE\n"
    "REST base, e.g. http://127.0.0.1:8280/rest). Runs until SIGINT/SIGTERM.\n\n"
    "  --engine URL   KE REST API base URL\n"
    "  --file PATH    forecasts: .json {\"forecasts\": [{\"zone\", \"day\": \"YYYY-MM-DD\",\n"
    "                 \"baseline_kw\": [96], \"controllable_kw\": [96]}]} or .csv with the header\n"
    "                 zone,quarter_start,baseline_kw,controllable_kw (one row per quarter hour)\n"
    "  --kb IRI       knowledge base id (default https://forecast.example.org/kb/load-forecast)\n"
    "  --format F     text (default) or json: the start-up summary on stdout\n\n"
    "Exit codes: 0 stopped by a signal, 2 usage error, 3 a bad forecast file (invalid\n"
    "argument or parse error), 4 the file is missing, 6 the engine is unreachable.\n";

std::atomic<bool> g_forecast_stop{false};
void on_forecast_signal(int) { g_forecast_stop = true; }

int run_simulate_forecast(const std::vector<std::string>& argv) {
  const char* verb = "simulate forecast";
  auto args = Args::parse(argv, {"help"});
  if (!args) return usage_error(verb, args.error().message());
  if (args->has("help")) {
    std::fputs(kSimulateForecastUsage, stdout);
    return exit_ok;
  }
  if (auto unknown = args->unknown({"help", "engine", "file", "kb", "format"}); !unknown.empty()) {
    return usage_error(verb, "unknown option --" + unknown.front());
  }
  for (const char* required : {"engine", "file"}) {
    if (!args->get(required)) {
      return usage_error(verb, std::string("--") + required + " is required");
    }
  }
  const std::string format = args->get_or("format", "text");
  if (format != "text" && format != "json") {
    return usage_error(verb, "--format must be text or json, got '" + format + "'");
  }
  auto forecasts = adapters::tariffs::load_forecast_file(*args->get("file"));
  if (!forecasts) return fail(verb, forecasts.error());
  auto contracts = adapter::load_contracts(std::filesystem::path(GRIDKE_SOURCE_DIR) /
                                           "graph-patterns" / "tariffs");
  if (!contracts) return fail(verb, contracts.error());
  engine::RemoteEngineOptions remote;
  remote.base_url = *args->get("engine");
  auto engine = engine::RemoteEngine::connect(remote);
  if (!engine) return fail(verb, engine.error());
  adapters::tariffs::ForecastKbOptions options;
  if (auto kb = args->get("kb")) options.knowledge_base_id = *kb;
  nlohmann::json zone_days = nlohmann::json::array();
  for (const auto& f : *forecasts) {
    zone_days.push_back({{"zone", f.zone}, {"day", services::tariffs::format_day(f.day)}});
  }
  auto kb =
      adapters::tariffs::ForecastKb::start(**engine, *contracts, std::move(*forecasts), options);
  if (!kb) return fail(verb, kb.error());
  std::signal(SIGINT, on_forecast_signal);
  std::signal(SIGTERM, on_forecast_signal);
  if (format == "json") {
    std::cout << nlohmann::json{{"knowledge_base", options.knowledge_base_id},
                                {"engine", remote.base_url},
                                {"forecasts", zone_days}}
                     .dump()
              << std::endl;
  } else {
    std::cout << "forecast KB " << options.knowledge_base_id << " on " << remote.base_url << ": "
              << zone_days.size() << " zone days from " << *args->get("file") << std::endl;
  }
  while (!g_forecast_stop) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  std::fprintf(stderr, "forecast KB: answered %lld asks, stopping\n",
               static_cast<long long>((*kb)->asks_answered()));
  kb->reset();
  return exit_ok;
}

}  // namespace
}  // namespace gridke::cli

GRIDKE_SUBCOMMAND({"simulate", "forecast",
                   "a forecast knowledge base answering day-ahead zone load forecasts from a file",
                   gridke::cli::kSimulateForecastUsage, gridke::cli::run_simulate_forecast});
