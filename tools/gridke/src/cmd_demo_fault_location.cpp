// gridke demo fault-location: the README's main job end to end, with real processes.
//   1. `gridke serve` (a child process) on a free port with a temporary data directory and the
//      fault-location module, readings every second (GRIDKE_FAULT_READING_PERIOD_S=1);
//   2. this process becomes the DSO console: a knowledge base on a RemoteEngine that REACTs to
//      contract (b) react-potential-fault and prints each notification as it arrives;
//   3. `gridke simulate hems --engine URL` (a second child) plays the DSP: it registers its
//      fleet on /GridObservability and POSTs voltages through the engine, then cuts the power
//      of one zone;
//   4. when the notification for that zone arrives, the console asks the HEMS status of the
//      zone (contract (c)) and reads the notification back over REST, then stops everything.
// Exit codes: 0 the injected fault was notified; 1 it was not (within --timeout-s); others per
// command.hpp. Children are stopped with SIGTERM (SIGKILL after 5 s) on every path.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "command.hpp"
#include "demo_child.hpp"
#include "gridke/adapter/contract.hpp"
#include "gridke/adapter/generic_adapter.hpp"
#include "gridke/engine/remote_engine.hpp"
#include "gridke/http/client.hpp"
#include "gridke/http/json_fields.hpp"
#include "gridke/http/server.hpp"

namespace gridke::cli {
namespace {

using demo_child::Child;
using demo_child::TempDir;
using demo_child::wait_ready;

constexpr const char* verb = "demo fault-location";
constexpr const char* fault_zone = "live-Z2";

constexpr const char* usage =
    "Usage: gridke demo fault-location [--zones N] [--hems N] [--fault-at-s S]\n"
    "                                  [--timeout-s S] [--keep-data]\n\n"
    "Runs the fault-location service end to end with real processes: `gridke serve` (free\n"
    "port, temporary data directory, 1 s reading period), the HEMS simulator as a DSP posting\n"
    "voltages through the knowledge engine, and this process as the DSO console printing\n"
    "potential-fault notifications as they arrive (contract (b)). The simulator cuts the power\n"
    "of zone live-Z2; the demo ends when that fault is notified.\n\n"
    "  --zones N       zones of the simulated fleet (default 3, at least 2)\n"
    "  --hems N        HEMS per zone (default 20)\n"
    "  --fault-at-s S  when the power of live-Z2 is cut, seconds after the first POST\n"
    "                  (default 8)\n"
    "  --timeout-s S   give up when no notification arrived after S seconds (default 45)\n"
    "  --keep-data     keep the temporary data directory (its path is printed)\n\n"
    "Exit codes: 0 the injected fault was notified, 1 it was not, 2 usage error, 6 the server\n"
    "or the engine could not be reached.\n";

/// What the console has received, shared with the engine's handler threads.
struct Console {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::string> zones_notified;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();

  void print(const std::string& line) {
    const double t =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    char stamp[32];
    std::snprintf(stamp, sizeof stamp, "[dso %6.1f s] ", t);
    std::cout << stamp << line << std::endl;
  }
};

Result<pattern::BindingSet> on_fault(Console& console, const adapter::Request& req) {
  pattern::BindingSet acks;
  for (const auto& b : req.bindings()) {
    GRIDKE_ASSIGN_OR_RETURN(auto zone, req.get(b, "zoneId", adapter::StringCodec{}));
    GRIDKE_ASSIGN_OR_RETURN(auto type, req.get(b, "faultType", adapter::IriCodec{}));
    GRIDKE_ASSIGN_OR_RETURN(auto confidence, req.get(b, "confidence", adapter::DoubleCodec{}));
    GRIDKE_ASSIGN_OR_RETURN(auto detected, req.get(b, "detectedAt", adapter::DateTimeCodec{}));
    const auto detected_ms = std::chrono::time_point_cast<std::chrono::milliseconds>(detected);
    char conf[32];
    std::snprintf(conf, sizeof conf, "%.6f", confidence);
    console.print("POTENTIAL FAULT in grid zone " + zone + ": " + type.substr(type.find('#') + 1) +
                  ", detected " + http::format_time(detected_ms) + ", confidence " + conf);
    pattern::Binding ack;
    ack.set("n", *b.find("n"));
    GRIDKE_TRY(req.put(ack, "ackTime", std::chrono::system_clock::now(), adapter::DateTimeCodec{}));
    acks.insert(std::move(ack));
    {
      std::lock_guard lock(console.mu);
      console.zones_notified.push_back(zone);
    }
    console.cv.notify_all();
  }
  return acks;
}

Result<long long> bounded(const Args& args, const char* name, long long fallback, long long lo,
                          long long hi) {
  GRIDKE_ASSIGN_OR_RETURN(auto v, args.get_int(name));
  const long long x = v.value_or(fallback);
  if (x < lo || x > hi) {
    return invalid_argument("--" + std::string(name) + " must be in [" + std::to_string(lo) + ", " +
                            std::to_string(hi) + "], got " + std::to_string(x));
  }
  return x;
}

int run(const std::vector<std::string>& argv) {
  auto args = Args::parse(argv, {"help", "keep-data"});
  if (!args) return usage_error(verb, args.error().message());
  if (auto unknown = args->unknown({"zones", "hems", "fault-at-s", "timeout-s", "keep-data"});
      !unknown.empty()) {
    return usage_error(verb, "unknown option --" + unknown.front());
  }
  if (!args->positionals().empty()) {
    return usage_error(verb, "unexpected argument '" + args->positionals().front() + "'");
  }
  auto zones = bounded(*args, "zones", 3, 2, 50);
  if (!zones) return usage_error(verb, zones.error().message());
  auto hems = bounded(*args, "hems", 20, 3, 500);
  if (!hems) return usage_error(verb, hems.error().message());
  auto fault_at = bounded(*args, "fault-at-s", 8, 1, 600);
  if (!fault_at) return usage_error(verb, fault_at.error().message());
  auto timeout = bounded(*args, "timeout-s", 45, 5, 3600);
  if (!timeout) return usage_error(verb, timeout.error().message());

  auto data = TempDir::create("gridke-demo-fault-location");
  if (!data) return fail(verb, data.error());
  if (args->has("keep-data")) data->keep();
  auto port = http::pick_free_port("127.0.0.1");
  if (!port) return fail(verb, port.error());
  const std::string base = "http://127.0.0.1:" + std::to_string(*port);
  Console console;
  console.print("data directory " + data->path() + ", server " + base);

  // 1. The server.
  auto server = Child::spawn_gridke(
      {"serve", "--port", std::to_string(*port), "--data", data->path(), "--services",
       "fault-location", "--log-level", "warn", "--deadline-s", "5"},
      demo_child::SpawnOptions{{"GRIDKE_FAULT_READING_PERIOD_S=1"}, false});
  if (!server) return fail(verb, server.error());
  if (auto r = wait_ready(*server, base + "/GridObservability/zones", std::chrono::seconds(20));
      !r) {
    return fail(verb, r.error());
  }
  console.print("gridke serve is up (fault-location module, 1 s reading period)");

  // 2. The DSO console on a RemoteEngine.
  auto contracts = adapter::load_contracts(std::filesystem::path(GRIDKE_SOURCE_DIR) /
                                           "graph-patterns" / "fault_location");
  if (!contracts) return fail(verb, contracts.error());
  engine::RemoteEngineOptions options;
  options.base_url = base + "/rest";
  auto remote = engine::RemoteEngine::connect(options);
  if (!remote) return fail(verb, remote.error());
  adapter::Ssa dso("https://dso.example.org/kb/operator-console", "DSO operator console",
                   "gridke demo fault-location");
  dso.react("react-potential-fault",
            [&console](const adapter::Request& req) { return on_fault(console, req); });
  dso.ask("ask-hems-communication-status");
  auto console_kb = adapter::GenericAdapter::start(**remote, *contracts, std::move(dso));
  if (!console_kb) return fail(verb, console_kb.error());
  console.print("console registered; waiting for potential-fault notifications");

  // 3. The DSP.
  auto dsp = Child::spawn_gridke({"simulate", "hems", "--engine", base + "/rest", "--zones",
                                  std::to_string(*zones), "--hems", std::to_string(*hems),
                                  "--period-s", "1", "--fault",
                                  std::string(fault_zone) + "@" + std::to_string(*fault_at),
                                  "--duration-s", std::to_string(*timeout + 5)});
  if (!dsp) return fail(verb, dsp.error());

  // 4. Wait for the injected fault's notification.
  bool notified = false;
  {
    std::unique_lock lock(console.mu);
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(*timeout);
    while (!notified && std::chrono::steady_clock::now() < until) {
      console.cv.wait_for(lock, std::chrono::milliseconds(200));
      for (const auto& z : console.zones_notified) notified = notified || z == fault_zone;
      if (!notified && !dsp->running()) break;
    }
  }
  if (!notified) {
    console.print(std::string("no notification for ") + fault_zone + " within " +
                  std::to_string(*timeout) + " s" +
                  (dsp->running() ? "" : " (the simulator exited early)"));
  } else {
    // Contract (c): the console asks whether the zone's HEMS still communicate.
    pattern::BindingSet ask;
    pattern::Binding b;
    if (adapter::put(b, "hemsId", std::string(fault_zone) + "-h000", adapter::StringCodec{})) {
      ask.insert(std::move(b));
    }
    auto status = (*console_kb)->ask("ask-hems-communication-status", ask);
    if (status && !status->bindings.empty()) {
      for (const auto& s : status->bindings) {
        auto reachable = adapter::get(s, "reachable", adapter::BoolCodec{});
        console.print(std::string("HEMS ") + fault_zone + "-h000 reachable: " +
                      (reachable && *reachable ? "yes" : "no") + " (asked through the engine)");
      }
    }
    // The same notification through the REST front door (polling).
    auto faults = http::call_json(
        "GET", base + "/GridObservability/faults?active=true&gridZone=" + fault_zone);
    if (faults) {
      for (const auto& n : (*faults)["notifications"]) {
        console.print("REST /GridObservability/faults: " + n.value("id", std::string()) + " " +
                      n.value("status", std::string()) + ", " +
                      std::to_string(n.value("affectedHems", 0)) + " of " +
                      std::to_string(n.value("monitoredHems", 0)) + " HEMS silent");
      }
    }
  }

  // 5. Stop everything: simulator, console, server.
  dsp->stop();
  (void)(*console_kb)->stop();
  console_kb->reset();
  remote->reset();
  const int server_status = server->stop(std::chrono::seconds(10));
  console.print("stopped the simulator and the server (exit status " +
                std::to_string(server_status) + ")");
  if (args->has("keep-data")) console.print("kept " + data->path());
  return notified ? exit_ok : exit_findings;
}

}  // namespace
}  // namespace gridke::cli

GRIDKE_SUBCOMMAND({"demo", "fault-location",
                   "fault location end to end: gridke serve, a HEMS simulator and a DSO console",
                   gridke::cli::usage, gridke::cli::run});
