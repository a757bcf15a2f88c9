#pragma once
// RestServer::Impl: the server state, routing and the small endpoints. The larger endpoints
// (KIs, ask/post, handle) are in server_endpoints.cpp; start/stop in rest_server.cpp.
// Endpoint semantics and messages follow NOTES.md §1.4.
// Thread safety: internally synchronised (mu guards kbs; the hub has its own lock).

#include "gridke/engine/rest_server.hpp"

#include <cstdlib>

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <utility>
#include <vector>

#include "gridke/http/transport.hpp"
#include "http_util.hpp"
#include "long_poll.hpp"
#include "wire.hpp"

namespace gridke::engine {

using wire::Json;

namespace detail {

constexpr std::string_view kb_header = "Knowledge-Base-Id";
constexpr std::string_view ki_header = "Knowledge-Interaction-Id";
// GridKE extension: a per-call deadline in milliseconds for /sc/ask and /sc/post.
constexpr std::string_view deadline_header = "Gridke-Deadline-Ms";
constexpr std::string_view json_type = "application/json; charset=UTF-8";

inline std::optional<std::string> header(const http::RawRequest& req, std::string_view name) {
  if (auto v = req.header(name)) return std::string(*v);
  return std::nullopt;
}

}  // namespace detail

using namespace detail;  // NOLINT(google-build-using-namespace): private header

struct RestServer::Impl : std::enable_shared_from_this<RestServer::Impl> {
  // Per-KB bookkeeping for knowledge bases created or touched through REST.
  struct KbEntry {
    std::optional<int> lease_s;
    std::optional<Clock::time_point> lease_expiry;
    std::map<KiId, RegisteredKi> kis;  // cache of the engine's KIs, for validation
    bool created_here = false;
    std::set<KiId> persisted;  // KIs saved in options.registry
  };

  // One HTTP exchange: the request (its body is passed on separately), the channel its answer
  // goes out on, its normalised path and the start time for the log.
  struct Call {
    http::RawRequest req;
    std::shared_ptr<http::Responder> responder;
    std::string path;
    std::chrono::steady_clock::time_point start;
    std::optional<KbId> identity;  // the token's KB when authentication is on
  };

  Impl(KnowledgeEngine& e, RestServerOptions o) : engine(e), options(std::move(o)) {}

  KnowledgeEngine& engine;
  RestServerOptions options;
  std::uint16_t bound_port = 0;
  std::unique_ptr<http::Mount> mount;  // on a port the service front doors may share
  std::shared_ptr<rest::LongPollHub> hub;

  mutable std::mutex mu;
  std::map<KbId, KbEntry> kbs;  // GUARDED_BY(mu)
  std::atomic<bool> stopping{false};
  // ASK/POST calls whose engine callback has not replied yet; stop() lets them finish.
  std::mutex inflight_mu;
  std::condition_variable inflight_cv;
  int inflight = 0;  // GUARDED_BY(inflight_mu)
  void begin_call() {
    std::lock_guard lock(inflight_mu);
    ++inflight;
  }
  void end_call() {
    std::lock_guard lock(inflight_mu);
    if (--inflight == 0) inflight_cv.notify_all();
  }

  std::mutex timer_mu;
  std::condition_variable timer_cv;
  bool timer_stop = false;  // GUARDED_BY(timer_mu)
  bool timer_kick = false;  // GUARDED_BY(timer_mu)
  std::thread timer;

  // ---- logging and replies ----
  bool logs(LogLevel level) const {
    return options.log && static_cast<int>(level) <= static_cast<int>(options.log_level);
  }
  void log(LogLevel level, const std::string& line) const {
    if (logs(level)) options.log(level, line);
  }

  // `challenge`: add WWW-Authenticate (401 answers).
  void send(const Call& call, int status, std::string body, bool json = true,
            bool challenge = false);
  void send_json(const Call& call, int status, const Json& body) {
    send(call, status, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  }
  void send_message(const Call& call, int status, std::string_view message,
                    std::string_view type = "error") {
    send_json(call, status, wire::response_message(type, message));
  }
  void send_error(const Call& call, const Error& e) {
    send_message(call, e.http_status(), e.to_string());
  }

  // ---- knowledge-base bookkeeping ----
  bool kb_exists(const KbId& kb);
  /// The engine handler of a REST knowledge base's ANSWER/REACT KIs: it only queues the
  /// request for the KB's long poll (the client answers through POST /sc/handle), so it never
  /// blocks (HandlerOptions::never_blocks). It holds the hub, not the server, so a late call
  /// after stop() fails cleanly.
  Handler reactive_handler(const KbId& kb) const {
    return [hub = hub, kb](const HandleRequest& request, Reply reply) {
      hub->deliver(kb, request, std::move(reply));
    };
  }

  enum class KiLookup : std::uint8_t { found, unknown_kb, unknown_ki };
  // Finds a KI in the cache, else asks the engine (for KBs made outside this server).
  KiLookup lookup_ki(const KbId& kb, const KiId& ki, RegisteredKi* out);

  std::string heartbeat_body(const KbId& kb);

  // Deletes a KB as DELETE /sc does: its poll gets 410, pending handle requests fail.
  Result<void> remove_kb(const KbId& kb) {
    hub->remove_kb(kb);
    auto r = engine.delete_knowledge_base(kb);
    bool durable = false;
    {
      std::lock_guard lock(mu);
      auto it = kbs.find(kb);
      durable = it != kbs.end() && it->second.created_here;
      kbs.erase(kb);
    }
    if (durable && options.registry) {
      if (auto saved = options.registry->remove_knowledge_base(kb); !saved) {
        log(LogLevel::error, "registry: " + saved.error().to_string());
      }
    }
    return r;
  }

  // ---- security and durability (server_core.cpp) ----
  // Authentication of /sc… calls: sets call.identity, or answers 401/403 and returns false.
  bool authorise(Call& call, const std::string& route, const std::string& body);
  // Saves KIs registered (and forgets KIs removed) through POST/DELETE /sc/ki of `kb`.
  void sync_registry_kis(const KbId& kb);
  // Re-creates the knowledge bases saved in options.registry; returns how many.
  Result<std::size_t> restore_registry();
  std::size_t restored = 0;

  // ---- timer: heartbeats and leases ----
  void kick_timer() {
    std::lock_guard lock(timer_mu);
    timer_kick = true;
    timer_cv.notify_one();
  }

  void check_leases();

  void timer_loop();

  // ---- routing ----
  void handle(http::RawRequest req, std::shared_ptr<http::Responder> responder);

  void dispatch(const Call& call, const std::string& route, std::string body);
  // Authentication, then dispatch.
  void route_call(Call call, const std::string& route, std::string body);

  Result<Json> body_json(const std::string& body) {
    if (body.empty())
      return invalid_argument("The request body is empty; a JSON body is required.");
    return wire::parse_json(body);
  }

  // ---- /sc ----
  void get_sc(const Call& call);

  void post_sc(const Call& call, const std::string& body);

  void delete_sc(const Call& call);

  void renew_lease(const Call& call);

  // ---- /sc/ki ----
  void get_ki(const Call& call);

  void post_ki(const Call& call, const std::string& body);
  void delete_ki(const Call& call);
  void proactive(const Call& call, const std::string& body, bool is_ask);
  void get_handle(const Call& call);
  void post_handle(const Call& call, const std::string& body);
};

}  // namespace gridke::engine
