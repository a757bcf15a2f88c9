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
//
// Security (docs/security.md), all off by default so TNO clients work unchanged:
// - `tls`: https with a certificate and key from PEM files; with `client_ca_file`, clients must
//   present a certificate signed by that CA (mutual TLS).
// - `authenticate`: every /sc… call must carry "Authorization: Bearer <token>"; missing or bad
//   credentials → 401 (with WWW-Authenticate), a Knowledge-Base-Id (or a POST /sc
//   knowledgeBaseId) other than the token's KB → 403. GET /sc without the header lists only the
//   caller's own KB. /version stays open. Tokens never appear in logs.
// Durability (docs/operations.md): with `registry`, knowledge bases created through the server,
// their KIs and leases are saved on every change and restored by start(), so REST clients find
// them again after a crash (kill -9) and their long polls resume. A graceful stop() keeps them.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gridke/base/result.hpp"
#include "gridke/engine/knowledge_engine.hpp"

namespace gridke::engine {

/// PEM files for https. Errors at start() name the file that cannot be used.
struct TlsOptions {
  std::string certificate_file;  ///< the server certificate (chain), PEM
  std::string private_key_file;  ///< its private key, PEM (unencrypted)
  std::string client_ca_file;    ///< non-empty: require client certificates signed by this CA
};

/// A KI as saved by the registry: its id and its KE REST registration body (JSON text).
struct StoredKnowledgeInteraction {
  KiId id;
  std::string definition_json;
};

/// A knowledge base as saved by the registry.
struct StoredKnowledgeBase {
  KnowledgeBaseInfo info;
  std::optional<Clock::time_point> lease_expiry;
  std::vector<StoredKnowledgeInteraction> kis;
};

/// Where RestServer keeps the knowledge bases REST clients registered (durability). Every
/// save is durable when it returns. Implementations must be thread-safe.
class RegistryStore {
 public:
  virtual ~RegistryStore() = default;
  virtual Result<std::vector<StoredKnowledgeBase>> load() = 0;
  /// Inserts or replaces a KB (keeping its KIs when it exists).
  virtual Result<void> save_knowledge_base(const KnowledgeBaseInfo& info,
                                           std::optional<Clock::time_point> lease_expiry) = 0;
  /// Removes a KB and its KIs; removing an unknown KB is not an error.
  virtual Result<void> remove_knowledge_base(std::string_view kb) = 0;
  virtual Result<void> save_knowledge_interaction(std::string_view kb,
                                                  const StoredKnowledgeInteraction& ki) = 0;
  virtual Result<void> remove_knowledge_interaction(std::string_view kb, std::string_view ki) = 0;
  virtual Result<void> renew_lease(std::string_view kb, Clock::time_point expiry) = 0;
};

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
  /// Threads that read, parse and write HTTP (Boost.Beast, http/transport.hpp); handlers run
  /// on them, and engine work on the engine's own pool. 2 suits a 2-core machine.
  std::size_t io_threads = 2;
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
  /// https when set (see TlsOptions).
  std::optional<TlsOptions> tls;
  /// Bearer-token check for /sc… calls: the token's knowledge base, or an unauthenticated
  /// error whose message goes to the client. Unset: no authentication (TNO behaviour). Called
  /// concurrently from server threads.
  std::function<Result<KbId>(std::string_view token)> authenticate;
  /// Durable registry of REST knowledge bases (nullptr: in memory only, as TNO).
  std::shared_ptr<RegistryStore> registry;
};

class RestServer {
 public:
  /// Restores the registry (if any), binds and starts serving. Errors: unavailable (the
  /// address/port cannot be bound, with the library's message; the registry cannot be read),
  /// invalid_argument (bad bind address or base path; a TLS file that cannot be used, naming
  /// it).
  static Result<std::unique_ptr<RestServer>> start(KnowledgeEngine& engine,
                                                   RestServerOptions options = {});

  ~RestServer();
  RestServer(const RestServer&) = delete;
  RestServer& operator=(const RestServer&) = delete;

  /// The bound port (the chosen one when options.port was 0).
  std::uint16_t port() const noexcept;
  /// "http(s)://<bind>:<port><base>", e.g. "http://127.0.0.1:8280/rest".
  std::string base_url() const;

  /// Stops serving: every pending long poll gets 410, queued and outstanding handle requests
  /// fail ("KB with id X will no longer respond, because it stopped."), the listener closes.
  void stop();

  /// Knowledge bases restored from the registry by start().
  std::size_t restored_knowledge_bases() const noexcept;

 private:
  struct Impl;
  explicit RestServer(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

}  // namespace gridke::engine
