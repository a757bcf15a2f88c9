// gridke_fault_peer: a knowledge base in its own process for the fault tests. It joins a
// `gridke serve` through a RemoteEngine and ANSWERs contract (c)
// answer-hems-communication-status, waiting --delay-ms before each answer (a slow or hanging
// SSA). Prints "ready" once registered and "handling" when a request arrives (stdout, flushed),
// so the test can kill it in the middle of an exchange. Stops on SIGTERM.
//
// Usage: gridke_fault_peer URL KB_IRI DELAY_MS

#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include "gridke/adapter/contract.hpp"
#include "gridke/adapter/generic_adapter.hpp"
#include "gridke/engine/remote_engine.hpp"

namespace {

volatile std::sig_atomic_t stop_requested = 0;
extern "C" void on_stop(int) { stop_requested = 1; }

namespace ad = gridke::adapter;

gridke::Result<gridke::pattern::BindingSet> answer(const ad::Request& req,
                                                   std::chrono::milliseconds delay,
                                                   const std::string& kb) {
  std::printf("handling\n");
  std::fflush(stdout);
  const auto until = std::chrono::steady_clock::now() + delay;
  while (!stop_requested && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  gridke::pattern::Binding b;
  const ad::IriCodec iri{"https://dsp.example.org/hems/"};
  GRIDKE_TRY(req.put(b, "hems", "H-1", iri));
  GRIDKE_TRY(req.put(b, "hemsId", kb, ad::StringCodec{}));
  GRIDKE_TRY(req.put(b, "state", "H-1/comm", iri));
  GRIDKE_TRY(req.put(b, "reachable", true, ad::BoolCodec{}));
  GRIDKE_TRY(req.put(b, "lastContact", std::chrono::system_clock::now(), ad::DateTimeCodec{}));
  return gridke::pattern::BindingSet{b};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: gridke_fault_peer URL KB_IRI DELAY_MS\n");
    return 2;
  }
  std::signal(SIGTERM, on_stop);
  std::signal(SIGINT, on_stop);
  const std::string kb = argv[2];
  const std::chrono::milliseconds delay(std::atoll(argv[3]));
  auto contracts = ad::load_contracts(GRIDKE_SOURCE_DIR "/graph-patterns/fault_location");
  if (!contracts) {
    std::fprintf(stderr, "%s\n", contracts.error().to_string().c_str());
    return 1;
  }
  gridke::engine::RemoteEngineOptions options;
  options.base_url = argv[1];
  auto remote = gridke::engine::RemoteEngine::connect(options);
  if (!remote) {
    std::fprintf(stderr, "%s\n", remote.error().to_string().c_str());
    return 1;
  }
  ad::Ssa ssa(kb, "fault-test peer");
  ssa.answer("answer-hems-communication-status",
             [delay, kb](const ad::Request& r) { return answer(r, delay, kb); });
  auto adapter = ad::GenericAdapter::start(**remote, *contracts, std::move(ssa));
  if (!adapter) {
    std::fprintf(stderr, "%s\n", adapter.error().to_string().c_str());
    return 1;
  }
  std::printf("ready\n");
  std::fflush(stdout);
  while (!stop_requested) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  return 0;
}
