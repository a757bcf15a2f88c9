#pragma once
// RemoteEngine: a KnowledgeEngine that is a REST client of a Knowledge Engine runtime — GridKE's
// own `gridke serve` or a TNO Knowledge Engine (Smart Connector REST API, NOTES.md §1 and the
// client guidance at its end). SSAs program against KnowledgeEngine and run unchanged on it.
//
// Per knowledge base with ANSWER/REACT KIs it runs one long-poll loop on GET /sc/handle: 200 →
// the local handler runs and its Reply is POSTed to /sc/handle; 202 and 500 → poll again; 409 →
// back off and retry; 410 → stop polling, then check whether the KB still exists; 404 → the
// server lost the KB (restart, expired lease): the KB and its KIs are registered again. While
// the server is unreachable the loop backs off exponentially. Leases are renewed ahead of expiry.
// KI ids returned by register_ki stay valid across re-registrations (they map to the server's
// current ids internally).
//
// Transport: Boost.Beast keep-alive connections (http/transport.hpp), one I/O thread; each held
// poll occupies one connection.
// Thread safety: internally synchronised. Handlers and completion callbacks run on the
// engine's handler threads (`handler_threads`); the blocking calls (create/delete/register/
// ask()/post()) must not be made from a handler when that could occupy every handler thread —
// use ask_async/post_async there.
// Security (docs/security.md): https base URLs are verified against the system CAs or `ca_file`
// (host name included); a client certificate can be presented for mutual TLS. With bearer
// tokens, each request carries the token of the knowledge base it acts for: `tokens[kb]`, else
// `token`, else `token_file`, else the GRIDKE_TOKEN environment variable. Tokens are secrets:
// they come from files or the environment, never from command lines, and are never logged.
// 401/403 answers become unauthenticated/permission_denied errors with the server's message.
//
// Ownership: owns its HTTP clients and threads. The destructor stops the loops and deletes the
// knowledge bases it created from the server (best effort, bounded by call_timeout).

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gridke/base/result.hpp"
#include "gridke/engine/knowledge_engine.hpp"

namespace gridke::engine {

struct RemoteEngineOptions {
  /// The REST base, e.g. "http://127.0.0.1:8280/rest" (TNO: http://host:8280/rest).
  std::string base_url = "http://127.0.0.1:8280/rest";
  /// Client-side deadline of every non-exchange call (create, register, list, delete, renew).
  std::chrono::milliseconds call_timeout{std::chrono::seconds(15)};
  /// ASK/POST: client-side deadline = the call's deadline (default 10 s) + this margin.
  std::chrono::milliseconds exchange_margin{std::chrono::seconds(5)};
  /// Read timeout of GET /sc/handle; must exceed the server's heartbeat (TNO: 29 s).
  std::chrono::milliseconds poll_timeout{std::chrono::seconds(35)};
  /// Back-off while the server is unreachable: doubles from initial up to max.
  std::chrono::milliseconds backoff_initial{std::chrono::milliseconds(100)};
  std::chrono::milliseconds backoff_max{std::chrono::seconds(5)};
  /// Wait after a 409 (another poll for the same KB is still held by the server).
  std::chrono::milliseconds conflict_backoff{std::chrono::seconds(1)};
  /// Renew a lease after this fraction of leaseRenewalTime.
  double lease_renew_fraction = 0.5;
  /// Send the per-call deadline to the server in the Gridke-Deadline-Ms header (a GridKE
  /// extension; TNO servers ignore it).
  bool send_deadline_header = true;

  /// Threads that run ANSWER/REACT handlers and ask/post completions. HTTP itself runs on one
  /// I/O thread of the client. 0: handlers and completions run on that I/O thread — two thread
  /// hand-offs fewer per exchange, for handlers and callbacks that never block and never make a
  /// blocking call on this engine (those would deadlock it); the load test's KBs run this way.
  std::size_t handler_threads = 4;

  /// https: PEM file of the CA that signed the server's certificate (empty: system CAs).
  std::string ca_file;
  /// Mutual TLS: this client's certificate (chain) and private key, PEM.
  std::string client_certificate_file;
  std::string client_private_key_file;
  /// Bearer token for every knowledge base without its own entry in `tokens`.
  std::string token;
  /// Per-knowledge-base bearer tokens (one RemoteEngine hosting several KBs).
  std::map<std::string, std::string, std::less<>> tokens;
  /// A file holding the default token (first line), read by connect() when `token` is empty.
  std::string token_file;
  /// When `token` and `token_file` are empty, read the default token from GRIDKE_TOKEN.
  bool token_from_environment = true;
};

class RemoteEngine final : public KnowledgeEngine {
 public:
  /// Creates the client; it does not contact the server yet (a server that is down is fine:
  /// calls fail with unavailable, loops retry). Errors: invalid_argument (bad base_url; a TLS
  /// or token file that cannot be used, naming it).
  static Result<std::unique_ptr<RemoteEngine>> connect(RemoteEngineOptions options);
  ~RemoteEngine() override;
  RemoteEngine(const RemoteEngine&) = delete;
  RemoteEngine& operator=(const RemoteEngine&) = delete;

  /// Errors as KnowledgeEngine, plus unavailable (server unreachable or 5xx) and
  /// deadline_exceeded (no answer within call_timeout). Server messages are kept verbatim.
  Result<void> create_knowledge_base(const KnowledgeBaseInfo& info) override;
  Result<void> delete_knowledge_base(std::string_view kb) override;
  Result<std::vector<KnowledgeBaseInfo>> knowledge_bases() const override;
  using KnowledgeEngine::register_ki;
  Result<KiId> register_ki(std::string_view kb, const ki::KnowledgeInteraction& ki,
                           Handler handler = nullptr, HandlerOptions options = {}) override;
  Result<void> unregister_ki(std::string_view kb, std::string_view ki) override;
  Result<std::vector<RegisteredKi>> knowledge_interactions(std::string_view kb) const override;
  void ask_async(std::string_view kb, std::string_view ki, pattern::BindingSet bindings,
                 CallOptions options, AskCallback done) override;
  void post_async(std::string_view kb, std::string_view ki, pattern::BindingSet bindings,
                  CallOptions options, PostCallback done) override;

  /// How many times knowledge bases were registered again after the server lost them.
  int reregistrations() const noexcept;

 private:
  struct Core;
  explicit RemoteEngine(std::shared_ptr<Core> core);
  std::shared_ptr<Core> core_;
};

}  // namespace gridke::engine
