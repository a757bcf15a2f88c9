#pragma once
// A loopback KE REST network for benchmarks: EmbeddedEngine behind RestServer on a free port,
// with knowledge bases that are RemoteEngine clients (so every exchange crosses HTTP twice:
// POST /sc/ask or /sc/post, and the answerer's GET + POST /sc/handle).

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "gridke/engine/embedded_engine.hpp"
#include "gridke/engine/remote_engine.hpp"
#include "gridke/engine/rest_server.hpp"

namespace gridke::bench {

template <class T>
T must(Result<T> r, const char* what) {
  if (!r) {
    std::fprintf(stderr, "%s: %s\n", what, r.error().to_string().c_str());
    std::abort();
  }
  return std::move(r).value();
}
inline void must(Result<void> r, const char* what) {
  if (!r) {
    std::fprintf(stderr, "%s: %s\n", what, r.error().to_string().c_str());
    std::abort();
  }
}

/// The server's HTTP I/O threads in every RestNetwork (the programs' --io-threads).
inline std::size_t rest_io_threads = 2;

struct RestNetwork {
  engine::EmbeddedEngine engine;
  std::unique_ptr<engine::RestServer> server;

  RestNetwork() {
    engine::RestServerOptions options;
    options.port = 0;
    options.io_threads = rest_io_threads;
    server = must(engine::RestServer::start(engine, options), "RestServer::start");
  }

  std::unique_ptr<engine::RemoteEngine> client() {
    engine::RemoteEngineOptions o;
    o.base_url = server->base_url();
    return must(engine::RemoteEngine::connect(o), "RemoteEngine::connect");
  }
};

inline pattern::GraphPattern pattern_of(const std::string& text) {
  return must(pattern::GraphPattern::parse(text), "GraphPattern::parse");
}

inline engine::KnowledgeBaseInfo kb_info(const std::string& id) {
  return engine::KnowledgeBaseInfo{id, "bench", "benchmark knowledge base", {}, 2};
}

}  // namespace gridke::bench
