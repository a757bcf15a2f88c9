// RemoteEngine: KnowledgeEngine over the KE REST API (see remote_engine.hpp for the loop rules).
#include "gridke/engine/remote_engine.hpp"

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <utility>

#include "gridke/http/transport.hpp"
#include "http_util.hpp"
#include "scheduler.hpp"
#include "thread_pool.hpp"
#include "wire.hpp"

namespace gridke::engine {

using wire::Json;

namespace {

// An HTTP outcome: status 0 means the server was not reached (the message says why).
struct HttpResult {
  int status = 0;
  std::string body;
  std::string transport_error;
};

std::string server_message(const HttpResult& r) {
  if (r.status == 0) return r.transport_error;
  auto json = wire::parse_json(r.body);
  if (json && json->is_object() && json->contains("message") && (*json)["message"].is_string()) {
    return (*json)["message"].get<std::string>();
  }
  return r.body.empty() ? "HTTP " + std::to_string(r.status) : r.body;
}

// Maps a failed HTTP outcome to an Error, keeping the server's message.
Error http_error(const HttpResult& r, std::string_view what) {
  std::string msg = server_message(r);
  switch (r.status) {
    case 0:
      if (msg.find("SSL") != std::string::npos || msg.find("handshake") != std::string::npos) {
        msg +=
            " (TLS: is the server's certificate signed by the CA in ca_file and issued for "
            "this host name, and does a mutual-TLS server accept this client certificate?)";
      }
      return unavailable(std::string(what) + ": " + msg);
    case 400:
      if (msg.find("already in use") != std::string::npos ||
          msg.find("should not be already registered") != std::string::npos) {
        return already_exists(msg);
      }
      return invalid_argument(msg);
    case 401: return unauthenticated(msg);
    case 403: return permission_denied(msg);
    case 404: return not_found(msg);
    case 409:
    case 410: return failed_precondition(msg);
    case 501: return Error(ErrorCode::unimplemented, msg);
    case 504: return deadline_exceeded(msg);
    default:
      if (r.status >= 500)
        return unavailable(std::string(what) + ": HTTP " + std::to_string(r.status) + ": " + msg);
      return invalid_argument("HTTP " + std::to_string(r.status) + ": " + msg);
  }
}

}  // namespace

struct RemoteEngine::Core : std::enable_shared_from_this<RemoteEngine::Core> {
  struct LocalKi {
    KiId local_id;   // returned to the SSA; stable
    KiId server_id;  // the server's current id (changes when re-registered unnamed)
    ki::KnowledgeInteraction definition;
    Handler handler;
  };
  struct LocalKb {
    KnowledgeBaseInfo info;
    std::vector<std::shared_ptr<LocalKi>> kis;  // registration order
    bool closed = false;
    bool polling = false;     // a poll loop is running
    bool recovering = false;  // a re-registration is scheduled or running
    std::chrono::milliseconds backoff{0};
  };

  explicit Core(RemoteEngineOptions o) : options(std::move(o)) {}

  RemoteEngineOptions options;
  std::string base_path;                        // of base_url, e.g. "/rest"
  std::unique_ptr<http::AsyncClient> client;    // keep-alive connections to the server
  std::unique_ptr<detail::ThreadPool> workers;  // handlers and completions (never the I/O thread)
  mutable std::mutex mu;
  std::map<KbId, std::shared_ptr<LocalKb>, std::less<>> kbs;  // GUARDED_BY(mu)
  rest::Scheduler scheduler;
  std::atomic<bool> shut_down{false};
  std::atomic<int> reregistrations{0};

  // "Bearer <token>" for requests acting as `kb` ("" without a token).
  std::string authorization(std::string_view kb) const {
    if (auto it = options.tokens.find(kb); it != options.tokens.end()) {
      return "Bearer " + it->second;
    }
    return options.token.empty() ? std::string() : "Bearer " + options.token;
  }

  http::ClientRequest make_request(std::string method, const std::string& path,
                                   const std::string& kb, const std::string& ki,
                                   std::optional<std::string> body,
                                   std::optional<std::chrono::milliseconds> deadline) const {
    http::ClientRequest req;
    req.method = std::move(method);
    req.target = base_path + path;
    req.headers.reserve(4);
    if (auto auth = authorization(kb); !auth.empty())
      req.headers.emplace_back("Authorization", auth);
    if (!kb.empty()) req.headers.emplace_back("Knowledge-Base-Id", kb);
    if (!ki.empty()) req.headers.emplace_back("Knowledge-Interaction-Id", ki);
    if (deadline) req.headers.emplace_back("Gridke-Deadline-Ms", std::to_string(deadline->count()));
    if (body) req.body = std::move(*body);
    return req;
  }

  static HttpResult to_result(http::ClientResult r) {
    return HttpResult{r.status, std::move(r.body), std::move(r.error)};
  }

  // Sends a request; `then` runs on a worker thread with the outcome (or is dropped once the
  // engine has shut down). `then` may be empty (fire and forget).
  void send(std::string method, const std::string& path, const std::string& kb,
            const std::string& ki, std::optional<std::string> body,
            std::optional<std::chrono::milliseconds> deadline, std::chrono::milliseconds timeout,
            std::function<void(HttpResult)> then) {
    auto req = make_request(std::move(method), path, kb, ki, std::move(body), deadline);
    if (!then) {
      client->request(std::move(req), timeout, [](http::ClientResult) {});
      return;
    }
    client->request(
        std::move(req), timeout,
        [weak = weak_from_this(), then = std::move(then)](http::ClientResult r) mutable {
          auto self = weak.lock();
          if (!self) return;
          if (!self->workers) return then(to_result(std::move(r)));  // inline mode
          self->workers->submit([then = std::move(then), r = std::move(r)]() mutable {
            then(to_result(std::move(r)));
          });
        });
  }

  HttpResult call(std::string method, const std::string& path, const std::string& kb,
                  const std::string& ki = {}, std::optional<std::string> body = {}) const {
    return to_result(client->request_sync(
        make_request(std::move(method), path, kb, ki, std::move(body), std::nullopt),
        options.call_timeout));
  }

  std::shared_ptr<LocalKb> find_kb(std::string_view kb) const {
    std::lock_guard lock(mu);
    auto it = kbs.find(kb);
    return it == kbs.end() ? nullptr : it->second;
  }

  // ---- registration ----
  Result<void> register_kb_on_server(const KnowledgeBaseInfo& info) const {
    Json body{{"knowledgeBaseId", info.id},
              {"knowledgeBaseName", info.name},
              {"knowledgeBaseDescription", info.description},
              {"reasonerLevel", info.reasoner_level}};
    if (info.lease_renewal_time_s) body["leaseRenewalTime"] = *info.lease_renewal_time_s;
    // No Knowledge-Base-Id header on POST /sc, but the token is the new KB's own.
    auto req = make_request("POST", "/sc", {}, {}, body.dump(), std::nullopt);
    if (auto auth = authorization(info.id); !auth.empty()) {
      std::erase_if(req.headers, [](const auto& h) { return h.first == "Authorization"; });
      req.headers.emplace_back("Authorization", std::move(auth));
    }
    auto r = to_result(client->request_sync(std::move(req), options.call_timeout));
    if (r.status != 200) return http_error(r, "POST /sc");
    return ok();
  }

  Result<KiId> register_ki_on_server(const KbId& kb, const ki::KnowledgeInteraction& def) const {
    auto r = call("POST", "/sc/ki", kb, {}, wire::knowledge_interaction_request_json(def).dump());
    if (r.status != 200) return http_error(r, "POST /sc/ki");
    auto json = wire::parse_json(r.body);
    if (!json || !json->is_object() || !json->contains("knowledgeInteractionId") ||
        !(*json)["knowledgeInteractionId"].is_string()) {
      return internal_error("POST /sc/ki answered without a knowledgeInteractionId: " + r.body);
    }
    return (*json)["knowledgeInteractionId"].get<std::string>();
  }

  // Runs on the scheduler thread: registers a KB the server lost, and all its KIs, again.
  void recover(const std::shared_ptr<LocalKb>& kb) {
    {
      std::lock_guard lock(mu);
      if (kb->closed || shut_down) return;
    }
    auto exists = call("GET", "/sc", kb->info.id);
    if (exists.status == 200) {
      finish_recovery(kb, true);
      return;
    }
    Result<void> done = exists.status == 404 ? register_kb_on_server(kb->info)
                                             : Result<void>(http_error(exists, "GET /sc"));
    if (done || done.error().code() == ErrorCode::already_exists) {
      std::vector<std::shared_ptr<LocalKi>> kis;
      {
        std::lock_guard lock(mu);
        kis = kb->kis;
      }
      for (const auto& k : kis) {
        auto id = register_ki_on_server(kb->info.id, k->definition);
        if (!id) {
          done = id.error();
          break;
        }
        std::lock_guard lock(mu);
        k->server_id = *id;
      }
      if (done || done.error().code() == ErrorCode::already_exists) {
        ++reregistrations;
        finish_recovery(kb, true);
        return;
      }
    }
    auto delay = next_backoff(*kb);
    scheduler.schedule(delay, [weak = weak_from_this(), kb] {
      if (auto self = weak.lock()) self->recover(kb);
    });
  }

  void finish_recovery(const std::shared_ptr<LocalKb>& kb, bool ok) {
    {
      std::lock_guard lock(mu);
      kb->recovering = false;
      if (ok) kb->backoff = std::chrono::milliseconds(0);
    }
    schedule_lease(kb);
    start_poll(kb);
  }

  std::chrono::milliseconds next_backoff(LocalKb& kb) {
    std::lock_guard lock(mu);
    kb.backoff = kb.backoff.count() == 0 ? options.backoff_initial
                                         : std::min(kb.backoff * 2, options.backoff_max);
    return kb.backoff;
  }

  void begin_recovery(const std::shared_ptr<LocalKb>& kb, std::chrono::milliseconds delay) {
    {
      std::lock_guard lock(mu);
      if (kb->closed || kb->recovering) return;
      kb->recovering = true;
      kb->polling = false;
    }
    scheduler.schedule(delay, [weak = weak_from_this(), kb] {
      if (auto self = weak.lock()) self->recover(kb);
    });
  }

  // ---- leases ----
  void schedule_lease(const std::shared_ptr<LocalKb>& kb) {
    if (!kb->info.lease_renewal_time_s) return;
    auto every = std::chrono::milliseconds(static_cast<long long>(
        *kb->info.lease_renewal_time_s * 1000.0 * options.lease_renew_fraction));
    scheduler.schedule(every, [weak = weak_from_this(), kb] {
      auto self = weak.lock();
      if (!self) return;
      {
        std::lock_guard lock(self->mu);
        if (kb->closed || kb->recovering) return;
      }
      auto r = self->call("PUT", "/sc/lease/renew", kb->info.id);
      if (r.status == 404) return self->begin_recovery(kb, std::chrono::milliseconds(0));
      self->schedule_lease(kb);
    });
  }

  // ---- the handle loop ----
  void start_poll(const std::shared_ptr<LocalKb>& kb) {
    {
      std::lock_guard lock(mu);
      bool reactive = false;
      for (const auto& k : kb->kis) reactive = reactive || !ki::is_proactive(k->definition.kind);
      if (kb->closed || kb->polling || kb->recovering || !reactive || shut_down) return;
      kb->polling = true;
    }
    poll_once(kb);
  }

  void repoll_later(const std::shared_ptr<LocalKb>& kb, std::chrono::milliseconds delay) {
    scheduler.schedule(delay, [weak = weak_from_this(), kb] {
      if (auto self = weak.lock()) self->poll_once(kb);
    });
  }

  void poll_once(const std::shared_ptr<LocalKb>& kb) {
    {
      std::lock_guard lock(mu);
      if (kb->closed || shut_down || !kb->polling) return;
    }
    auto self = shared_from_this();
    send("GET", "/sc/handle", kb->info.id, {}, std::nullopt, std::nullopt, options.poll_timeout,
         [self, kb](HttpResult r) { self->on_poll(kb, std::move(r)); });
  }

  void on_poll(const std::shared_ptr<LocalKb>& kb, HttpResult r) {
    {
      std::lock_guard lock(mu);
      if (kb->closed || shut_down) {
        kb->polling = false;
        return;
      }
    }
    switch (r.status) {
      case 200:
        dispatch(kb, r.body);
        {
          std::lock_guard lock(mu);
          kb->backoff = std::chrono::milliseconds(0);
        }
        return poll_once(kb);
      case 202:
      case 500: return poll_once(kb);
      case 409: return repoll_later(kb, options.conflict_backoff);
      case 404:
      case 410:
        // 410: the server stopped this poll (KB deleted, lease expired or server stopping).
        // The KB was not deleted by us, so check whether it still exists, re-registering if not.
        return begin_recovery(
            kb, r.status == 404 ? std::chrono::milliseconds(0) : options.backoff_initial);
      default: return repoll_later(kb, next_backoff(*kb));
    }
  }

  void dispatch(const std::shared_ptr<LocalKb>& kb, const std::string& body) {
    auto json = wire::parse_json(body);
    if (!json) return;
    auto parsed = wire::handle_request_from_json(*json);
    if (!parsed) return;
    std::shared_ptr<LocalKi> target;
    {
      std::lock_guard lock(mu);
      for (const auto& k : kb->kis) {
        if (k->server_id == parsed->request.ki_id) target = k;
      }
    }
    const KbId kb_id = kb->info.id;
    const long long handle_id = parsed->handle_request_id;
    const KiId server_ki = parsed->request.ki_id;
    auto self = shared_from_this();
    Reply reply =
        [self, kb_id, server_ki, handle_id,
         once = std::make_shared<std::atomic<bool>>(false)](Result<pattern::BindingSet> result) {
          if (once->exchange(true)) return;
          Json response{{"handleRequestId", handle_id}};
          if (result) {
            response["bindingSet"] = wire::binding_set_to_json(*result);
          } else {
            response["errorMessage"] = result.error().message();
          }
          // Fire and forget: a 4xx here means the request was already dropped by the server.
          self->send("POST", "/sc/handle", kb_id, server_ki, response.dump(), std::nullopt,
                     self->options.call_timeout, nullptr);
        };
    if (!target || !target->handler) {
      reply(not_found("No local handler for knowledge interaction " + server_ki));
      return;
    }
    HandleRequest request = std::move(parsed->request);
    request.ki_id = target->local_id;
    request.kind = target->definition.kind;
    try {
      target->handler(request, reply);
    } catch (const std::exception& e) {
      reply(internal_error(std::string("handler threw: ") + e.what()));
    } catch (...) {
      reply(internal_error("handler threw a non-standard exception"));
    }
  }

  void shutdown() {
    if (shut_down.exchange(true)) return;
    scheduler.stop();
    std::vector<std::shared_ptr<LocalKb>> all;
    {
      std::lock_guard lock(mu);
      for (auto& [id, kb] : kbs) {
        kb->closed = true;
        all.push_back(kb);
      }
      kbs.clear();
    }
    for (const auto& kb : all) (void)call("DELETE", "/sc", kb->info.id);
    // Fails what is still in flight (the held polls above all), then runs the completions.
    client->shutdown();
    if (workers) workers->shutdown();
  }

  // POST /sc/ask or /sc/post for `kb`; `parse` turns the 200 body into the caller's result.
  template <class Done, class Parse>
  void proactive(std::string_view kb, std::string_view ki, const pattern::BindingSet& bindings,
                 const CallOptions& call, const char* endpoint, Done done, Parse parse) {
    auto server = server_ki(kb, ki).value_or(std::string(ki));
    auto deadline = call.deadline.value_or(std::chrono::seconds(10));
    std::optional<std::chrono::milliseconds> header;
    if (call.deadline && options.send_deadline_header) header = call.deadline;
    send("POST", endpoint, std::string(kb), server,
         wire::proactive_request_to_json(bindings, call.recipients).dump(), header,
         deadline + options.exchange_margin,
         [done = std::move(done), parse = std::move(parse), weak = weak_from_this(),
          id = std::string(kb), what = std::string("POST ") + endpoint](HttpResult r) {
           // 404: the server lost this KB (a restart without --data). A KB with only ASK/POST
           // KIs has no handle loop to notice, so the call itself starts the re-registration;
           // this call fails, the next ones succeed.
           if (r.status == 404) {
             if (auto self = weak.lock()) {
               if (auto local = self->find_kb(id)) {
                 self->begin_recovery(local, std::chrono::milliseconds(0));
               }
             }
           }
           if (r.status != 200) return done(http_error(r, what));
           auto json = wire::parse_json(r.body);
           if (!json) return done(json.error());
           done(parse(*json));
         });
  }

  // Resolves an SSA's KI id to the server's current id.
  std::optional<KiId> server_ki(std::string_view kb, std::string_view ki) const {
    auto local = find_kb(kb);
    if (!local) return std::nullopt;
    std::lock_guard lock(mu);
    for (const auto& k : local->kis) {
      if (k->local_id == ki) return k->server_id;
    }
    return std::nullopt;
  }
};

RemoteEngine::RemoteEngine(std::shared_ptr<Core> core) : core_(std::move(core)) {}

RemoteEngine::~RemoteEngine() { core_->shutdown(); }

int RemoteEngine::reregistrations() const noexcept { return core_->reregistrations.load(); }

Result<std::unique_ptr<RemoteEngine>> RemoteEngine::connect(RemoteEngineOptions options) {
  while (!options.base_url.empty() && options.base_url.back() == '/') options.base_url.pop_back();
  auto parsed = http::parse_base_url(options.base_url);
  if (!parsed) {
    return invalid_argument("RemoteEngine base_url must be http(s)://host:port/path: " +
                            parsed.error().message());
  }
  auto [transport, base_path] = std::move(*parsed);
  if (options.poll_timeout < std::chrono::seconds(1)) {
    return invalid_argument("RemoteEngine poll_timeout must be at least 1 s");
  }
  if (options.client_certificate_file.empty() != options.client_private_key_file.empty()) {
    return invalid_argument(
        "RemoteEngine: client_certificate_file and client_private_key_file go together");
  }
  if (!options.ca_file.empty() || !options.client_certificate_file.empty()) {
    if (transport.scheme != "https") {
      return invalid_argument("RemoteEngine: TLS files are set but base_url '" + options.base_url +
                              "' is not https");
    }
    GRIDKE_TRY(rest::check_tls_files(http::TlsFiles{
        options.client_certificate_file, options.client_private_key_file, options.ca_file}));
  }
  if (options.token.empty() && !options.token_file.empty()) {
    std::ifstream in(options.token_file);
    if (!in) return invalid_argument("RemoteEngine: cannot read token_file " + options.token_file);
    std::getline(in, options.token);
    while (!options.token.empty() &&
           (options.token.back() == '\r' || options.token.back() == ' ')) {
      options.token.pop_back();
    }
    if (options.token.empty()) {
      return invalid_argument("RemoteEngine: token_file " + options.token_file + " is empty");
    }
  }
  if (options.token.empty() && options.token_from_environment) {
    if (const char* env = std::getenv("GRIDKE_TOKEN"); env != nullptr) options.token = env;
  }
  if (transport.scheme == "https") {
    transport.tls = http::TlsFiles{options.client_certificate_file, options.client_private_key_file,
                                   options.ca_file};
  }
  transport.io_threads = 1;
  auto core = std::make_shared<Core>(std::move(options));
  core->base_path = std::move(base_path);
  GRIDKE_ASSIGN_OR_RETURN(core->client, http::AsyncClient::create(std::move(transport)));
  if (core->options.handler_threads > 0) {
    detail::ThreadPool::Options pool;
    pool.threads = core->options.handler_threads;
    core->workers = std::make_unique<detail::ThreadPool>(pool);
  }
  return std::unique_ptr<RemoteEngine>(new RemoteEngine(std::move(core)));
}

Result<void> RemoteEngine::create_knowledge_base(const KnowledgeBaseInfo& info) {
  GRIDKE_TRY(core_->register_kb_on_server(info));
  auto kb = std::make_shared<Core::LocalKb>();
  kb->info = info;
  {
    std::lock_guard lock(core_->mu);
    core_->kbs[info.id] = kb;
  }
  core_->schedule_lease(kb);
  return ok();
}

Result<void> RemoteEngine::delete_knowledge_base(std::string_view kb) {
  std::shared_ptr<Core::LocalKb> local;
  {
    std::lock_guard lock(core_->mu);
    auto it = core_->kbs.find(kb);
    if (it != core_->kbs.end()) {
      local = it->second;
      local->closed = true;
      core_->kbs.erase(it);
    }
  }
  // The server answers this KB's held poll 410; the loop sees `closed` and ends.
  auto r = core_->call("DELETE", "/sc", std::string(kb));
  if (r.status != 200) return http_error(r, "DELETE /sc");
  return ok();
}

Result<std::vector<KnowledgeBaseInfo>> RemoteEngine::knowledge_bases() const {
  auto r = core_->call("GET", "/sc", {});
  if (r.status != 200) return http_error(r, "GET /sc");
  GRIDKE_ASSIGN_OR_RETURN(auto json, wire::parse_json(r.body));
  if (!json.is_array()) return internal_error("GET /sc did not answer an array: " + r.body);
  std::vector<KnowledgeBaseInfo> out;
  for (const auto& j : json) {
    GRIDKE_ASSIGN_OR_RETURN(auto info, wire::knowledge_base_from_json(j));
    out.push_back(std::move(info));
  }
  return out;
}

Result<KiId> RemoteEngine::register_ki(std::string_view kb, const ki::KnowledgeInteraction& def,
                                       Handler handler, HandlerOptions /*options*/) {
  GRIDKE_TRY(def.validate());
  if (ki::is_proactive(def.kind) && handler) {
    return invalid_argument("ASK and POST knowledge interactions take no handler");
  }
  if (!ki::is_proactive(def.kind) && !handler) {
    return invalid_argument("ANSWER and REACT knowledge interactions need a handler");
  }
  auto local = core_->find_kb(kb);
  if (!local) {
    return not_found("Could not add knowledge interaction, because the given knowledge base ID (" +
                     std::string(kb) + ") is unknown to this RemoteEngine.");
  }
  GRIDKE_ASSIGN_OR_RETURN(auto id, core_->register_ki_on_server(local->info.id, def));
  auto k = std::make_shared<Core::LocalKi>(Core::LocalKi{id, id, def, std::move(handler)});
  {
    std::lock_guard lock(core_->mu);
    local->kis.push_back(std::move(k));
  }
  core_->start_poll(local);
  return id;
}

Result<void> RemoteEngine::unregister_ki(std::string_view kb, std::string_view ki) {
  auto server = core_->server_ki(kb, ki);
  auto r = core_->call("DELETE", "/sc/ki", std::string(kb), server.value_or(std::string(ki)));
  if (auto local = core_->find_kb(kb)) {
    std::lock_guard lock(core_->mu);
    std::erase_if(local->kis, [&](const auto& k) { return k->local_id == ki; });
  }
  if (r.status != 200) return http_error(r, "DELETE /sc/ki");
  return ok();
}

Result<std::vector<RegisteredKi>> RemoteEngine::knowledge_interactions(std::string_view kb) const {
  auto r = core_->call("GET", "/sc/ki", std::string(kb));
  if (r.status != 200) return http_error(r, "GET /sc/ki");
  GRIDKE_ASSIGN_OR_RETURN(auto json, wire::parse_json(r.body));
  if (!json.is_array()) return internal_error("GET /sc/ki did not answer an array: " + r.body);
  auto local = core_->find_kb(kb);
  std::vector<RegisteredKi> out;
  for (const auto& j : json) {
    GRIDKE_ASSIGN_OR_RETURN(auto reg, wire::registered_ki_from_json(j));
    if (local) {
      std::lock_guard lock(core_->mu);
      for (const auto& k : local->kis) {
        if (k->server_id == reg.id) reg.id = k->local_id;
      }
    }
    out.push_back(std::move(reg));
  }
  return out;
}

void RemoteEngine::ask_async(std::string_view kb, std::string_view ki, pattern::BindingSet bindings,
                             CallOptions options, AskCallback done) {
  core_->proactive(kb, ki, bindings, options, "/sc/ask", std::move(done),
                   [](const Json& json) { return wire::ask_result_from_json(json); });
}

void RemoteEngine::post_async(std::string_view kb, std::string_view ki,
                              pattern::BindingSet bindings, CallOptions options,
                              PostCallback done) {
  core_->proactive(kb, ki, bindings, options, "/sc/post", std::move(done),
                   [](const Json& json) { return wire::post_result_from_json(json); });
}

}  // namespace gridke::engine
