// Readings end to end through the REST knowledge engine (target: >= 20,000 readings/s): a DSP
// knowledge base on a RemoteEngine POSTs contract (a) post-hems-voltage over HTTP to a
// RestServer in front of an EmbeddedEngine, which routes the bindings to the fault-location
// SSA's REACT KI; the SSA decodes them and ingests them into the service (SQLite file, WAL,
// raw readings persisted). Loopback HTTP, one process.
//   BM_FaultLocationRest_PostBatch/N   10,000 HEMS in 100 zones, N bindings per POST

#include <benchmark/benchmark.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "fleet.hpp"
#include "gridke/adapter/contract.hpp"
#include "gridke/adapter/generic_adapter.hpp"
#include "gridke/adapters/fault_location/fault_location_ssa.hpp"
#include "gridke/engine/embedded_engine.hpp"
#include "gridke/engine/remote_engine.hpp"
#include "gridke/engine/rest_server.hpp"

namespace gridke::services::fault_location::bench {
namespace {

namespace ad = gridke::adapter;

/// The whole chain, torn down in reverse order of declaration.
struct Chain {
  std::filesystem::path path;
  std::unique_ptr<FaultLocationService> service;
  engine::EmbeddedEngine engine;
  std::unique_ptr<engine::RestServer> server;
  std::unique_ptr<adapters::fault_location::FaultLocationSsa> ssa;
  std::unique_ptr<engine::RemoteEngine> remote;
  std::unique_ptr<ad::GenericAdapter> dsp;
  std::vector<std::string> ids;

  ~Chain() {
    dsp.reset();
    remote.reset();
    ssa.reset();
    if (server) server->stop();
    service.reset();
    for (const char* s : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + s);
  }
};

Result<void> build(Chain& c) {
  c.path = std::filesystem::temp_directory_path() /
           ("gridke-fault-rest-bench-" + std::to_string(::getpid()) + ".sqlite");
  for (const char* s : {"", "-wal", "-shm"}) std::filesystem::remove(c.path.string() + s);
  ServiceOptions o;
  o.database_path = c.path.string();
  GRIDKE_ASSIGN_OR_RETURN(c.service,
                          FaultLocationService::open(o, std::make_shared<SystemClock>()));
  for (int z = 0; z < 100; ++z) {
    const std::string zone = "Z" + std::to_string(z);
    GRIDKE_TRY(c.service->add_zone({zone, "", 230.0, "region " + std::to_string(z / 10)}));
    for (int i = 0; i < 100; ++i) {
      c.ids.push_back(zone + "-h" + std::to_string(i));
      GRIDKE_TRY(c.service->add_hems(
          {c.ids.back(), zone, static_cast<Phase>(i % 3), i % 2 == 0 ? "ispA" : "ispB"}));
    }
  }
  engine::RestServerOptions so;
  so.port = 0;
  GRIDKE_ASSIGN_OR_RETURN(c.server, engine::RestServer::start(c.engine, so));
  GRIDKE_ASSIGN_OR_RETURN(auto contracts,
                          ad::load_contracts(GRIDKE_SOURCE_DIR "/graph-patterns/fault_location"));
  GRIDKE_ASSIGN_OR_RETURN(
      c.ssa, adapters::fault_location::FaultLocationSsa::start(c.engine, contracts, *c.service));
  engine::RemoteEngineOptions ro;
  ro.base_url = c.server->base_url();
  GRIDKE_ASSIGN_OR_RETURN(c.remote, engine::RemoteEngine::connect(ro));
  ad::Ssa dsp("https://dsp.example.org/kb/bench", "bench DSP");
  dsp.post("post-hems-voltage");
  GRIDKE_ASSIGN_OR_RETURN(c.dsp, ad::GenericAdapter::start(*c.remote, contracts, std::move(dsp)));
  return ok();
}

/// `n` readings of consecutive HEMS (wrapping) stamped `t`.
Result<pattern::BindingSet> batch_of(const Chain& c, std::size_t first, std::size_t n,
                                     std::chrono::system_clock::time_point t) {
  const ad::IriCodec hems_iri{"https://dsp.example.org/hems/"};
  const auto ms = std::to_string(
      std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count());
  pattern::BindingSet out;
  for (std::size_t k = 0; k < n; ++k) {
    const std::string& id = c.ids[(first + k) % c.ids.size()];
    pattern::Binding b;
    GRIDKE_TRY(ad::put(b, "hems", id, hems_iri));
    GRIDKE_TRY(ad::put(b, "hemsId", id, ad::StringCodec{}));
    GRIDKE_TRY(ad::put(b, "m", id + "/v/" + ms, hems_iri));
    GRIDKE_TRY(ad::put(b, "voltage", 229.0 + static_cast<double>(k % 7), ad::DoubleCodec{}));
    GRIDKE_TRY(ad::put(b, "timestamp", t, ad::DateTimeCodec{}));
    GRIDKE_TRY(ad::put(b, "phase", "https://w3id.org/gridke/dso#PhaseL1", ad::IriCodec{}));
    out.insert(std::move(b));
  }
  return out;
}

void BM_FaultLocationRest_PostBatch(benchmark::State& state) {
  Chain c;
  if (auto r = build(c); !r) {
    state.SkipWithError(r.error().to_string().c_str());
    return;
  }
  const auto n = static_cast<std::size_t>(state.range(0));
  std::size_t next = 0;
  // Each batch gets its own millisecond, so no reading is a duplicate of an earlier one.
  auto t = std::chrono::system_clock::now() - std::chrono::minutes(30);
  std::int64_t readings = 0;
  for (auto _ : state) {
    state.PauseTiming();
    t += std::chrono::milliseconds(1);
    auto batch = batch_of(c, next, n, t);
    next += n;
    state.ResumeTiming();
    if (!batch) {
      state.SkipWithError(batch.error().to_string().c_str());
      break;
    }
    auto r = c.dsp->post("post-hems-voltage", std::move(*batch));
    if (!r) {
      state.SkipWithError(r.error().to_string().c_str());
      break;
    }
    for (const auto& info : r->exchange_info) {
      if (info.status != engine::ExchangeStatus::succeeded) {
        state.SkipWithError(info.failed_message.c_str());
      }
    }
    readings += static_cast<std::int64_t>(n);
  }
  state.SetItemsProcessed(readings);
  state.counters["stored"] = static_cast<double>(c.ssa->stats().readings_received);
}

BENCHMARK(BM_FaultLocationRest_PostBatch)
    ->Arg(1000)
    ->Arg(5000)
    ->Unit(benchmark::kMillisecond)
    ->MinTime(5.0)
    ->UseRealTime();

}  // namespace
}  // namespace gridke::services::fault_location::bench

BENCHMARK_MAIN();
