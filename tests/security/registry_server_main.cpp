// gridke_registry_server: a minimal `gridke serve --data DIR --services none` for the kill -9
// test when the full gridke binary is not built: EmbeddedEngine + RestServer + the
// SqliteRegistryStore, wired exactly as tools/gridke/src/cmd_serve.cpp wires them. Writes
// DIR/serve.json ({"url":…,"pid":…}) when ready; runs until killed. Test-only.
// Usage: gridke_registry_server PORT DIR

#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <fstream>
#include <string>

#include "gridke/engine/embedded_engine.hpp"
#include "gridke/engine/rest_server.hpp"
#include "gridke/security/registry_store.hpp"

int main(int argc, char** argv) {
  using namespace gridke;
  if (argc != 3) {
    std::fprintf(stderr, "usage: gridke_registry_server PORT DIR\n");
    return 2;
  }
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  const std::string dir = argv[2];
  auto registry = security::SqliteRegistryStore::open(dir + "/registry.sqlite");
  if (!registry) {
    std::fprintf(stderr, "%s\n", registry.error().to_string().c_str());
    return 6;
  }
  engine::EmbeddedEngine engine;
  engine::RestServerOptions options;
  options.port = static_cast<std::uint16_t>(std::stoi(argv[1]));
  options.heartbeat = std::chrono::seconds(2);
  options.registry = *registry;
  options.log = [](engine::LogLevel, std::string_view line) {
    std::fprintf(stderr, "%.*s\n", static_cast<int>(line.size()), line.data());
  };
  auto server = engine::RestServer::start(engine, options);
  if (!server) {
    std::fprintf(stderr, "%s\n", server.error().to_string().c_str());
    return 6;
  }
  {
    std::ofstream out(dir + "/serve.json");
    out << "{\"url\":\"" << (*server)->base_url() << "\",\"pid\":" << ::getpid() << "}\n";
  }
  int sig = 0;
  sigwait(&signals, &sig);
  (*server)->stop();
  return 0;
}
