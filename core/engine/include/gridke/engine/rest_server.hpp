#pragma once
// RestServer: puts any KnowledgeEngine behind the TNO Knowledge Engine's Smart Connector REST API
// (`/rest/sc…`, openapi-sc.yaml plus the server behaviours of NOTES.md §1), so knowledge bases
// written for the TNO engine run against GridKE unchanged. See docs/rest-api.md.
//
// Long polling (GET /sc/handle) holds the HTTP request object and answers it later from whichever
// thread produces the HandleRequest; no thread waits per poll. One timer thread handles
// heartbeats (202) and lease expiry for all knowledge bases.
//
// Thread safety: internally synchronised. start() and stop() may be called from any thread;
// stop() is idempotent and also runs in the destructor.
// Ownership: the server refers to `engine` (not owned), which must outlive it. Knowledge bases
// created through the server stay in the engine after stop() unless their lease expired.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "gridke/base/result.hpp"
#include "gridke/engine/knowledge_engine.hpp"

namespace gridke::engine {

enum class LogLevel : std::uint8_t { error, warn, info, debug };

/// Parses "error" | "warn" | "info" | "debug". Errors: invalid_argument naming the value.
Result<LogLevel> parse_log_level(std::string_view text);

struct RestServerOptions {
  /// Interface to bind ("127.0.0.1", "0.0.0.0", a host name).
  std::string bind_address = "127.0.0.1";
  /// TCP port; 0 picks a free ephemeral port (read it back with RestServer::port()).
  std::uint16_t port = 8280;
  /// Base path of every endpoint (TNO: "/rest").
  std::string base_path = "/rest";
  /// A waiting GET /sc/handle is answered with 202 after this long (TNO LONGPOLL_TIMEOUT 29 s).
  std::chrono::milliseconds heartbeat{std::chrono::seconds(29)};
  /// How often leases are checked (TNO: every 10 s).
  std::chrono::milliseconds lease_check_interval{std::chrono::seconds(10)};
  /// Request bodies larger than this get 413.
  std::size_t max_body_bytes = 64u << 20;
  /// Per-KB queue of handle requests while nobody polls (TNO: 50).
  std::size_t handle_queue_capacity = 50;
  /// Per-KB handle requests delivered but not yet answered (TNO: 100).
  std::size_t outstanding_capacity = 100;
  /// Reported by GET /version.
  std::string version = "1.5.1-gridke";
  /// Receives log lines at or above `log_level` (nullptr: no logging). Called from server
  /// threads; must be thread-safe and must not call back into the server.
  std::function<void(LogLevel, std::string_view)> log;
  LogLevel log_level = LogLevel::info;
};

class RestServer {
 public:
  /// Binds and starts serving. Errors: unavailable (the address/port cannot be bound, with the
  /// library's message), invalid_argument (bad bind address or base path).
  static Result<std::unique_ptr<RestServer>> start(KnowledgeEngine& engine,
                                                   RestServerOptions options = {});

  ~RestServer();
  RestServer(const RestServer&) = delete;
  RestServer& operator=(const RestServer&) = delete;

  /// The bound port (the chosen one when options.port was 0).
  std::uint16_t port() const noexcept;
  /// "http://<bind>:<port><base>", e.g. "http://127.0.0.1:8280/rest".
  std::string base_url() const;

  /// Stops serving: every pending long poll gets 410, queued and outstanding handle requests
  /// fail ("KB with id X will no longer respond, because it stopped."), the listener closes.
  void stop();

 private:
  struct Impl;
  explicit RestServer(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

}  // namespace gridke::engine
