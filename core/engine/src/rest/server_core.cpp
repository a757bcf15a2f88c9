// RestServer::Impl: routing, the timer, and the knowledge-base endpoints (/sc, /sc/lease/renew,
// GET /sc/ki). Semantics and messages follow NOTES.md §1.4.
#include <cctype>
#include <utility>

#include "knowledge_endpoints.hpp"
#include "server_impl.hpp"

namespace gridke::engine {

void RestServer::Impl::send(const Call& call, int status, std::string body, bool json,
                            bool challenge) {
  // Durable before the client hears 200: a KI registered (or removed) through /sc/ki is saved
  // here, since the endpoint replies right after changing the engine and the cache.
  if (status == 200 && options.registry && call.path == options.base_path + "/sc/ki" &&
      (call.req.method == "POST" || call.req.method == "DELETE")) {
    if (auto kb = header(call.req, kb_header)) sync_registry_kis(*kb);
  }
  http::RawResponse resp{status, {}, std::move(body)};
  auto& h = resp.headers;
  h.reserve(6);
  h.emplace_back("Access-Control-Allow-Origin", "*");
  h.emplace_back("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, HEAD, OPTIONS");
  h.emplace_back("Access-Control-Allow-Headers",
                 "Accept, Content-Type, Authorization, Knowledge-Base-Id, "
                 "Knowledge-Interaction-Id, Gridke-Deadline-Ms");
  if (challenge) h.emplace_back("WWW-Authenticate", "Bearer realm=\"gridke\"");
  if (!resp.body.empty()) {
    h.emplace_back("Content-Type", std::string(json ? json_type : "text/plain; charset=utf-8"));
  }
  if (logs(LogLevel::debug)) {
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                  std::chrono::steady_clock::now() - call.start)
                  .count();
    auto kb = header(call.req, kb_header);
    log(LogLevel::debug, call.req.method + " " + call.path + (kb ? " kb=" + *kb : "") + " -> " +
                             std::to_string(status) + " (" + std::to_string(us / 1000.0) + " ms)");
  }
  call.responder->send(std::move(resp));
}

bool RestServer::Impl::kb_exists(const KbId& kb) {
  {
    std::lock_guard lock(mu);
    if (kbs.contains(kb)) return true;
  }
  return engine.knowledge_interactions(kb).has_value();
}

RestServer::Impl::KiLookup RestServer::Impl::lookup_ki(const KbId& kb, const KiId& ki,
                                                       RegisteredKi* out) {
  {
    std::lock_guard lock(mu);
    auto it = kbs.find(kb);
    if (it != kbs.end()) {
      auto k = it->second.kis.find(ki);
      if (k != it->second.kis.end()) {
        if (out) *out = k->second;
        return KiLookup::found;
      }
    }
  }
  auto listed = engine.knowledge_interactions(kb);
  if (!listed) return KiLookup::unknown_kb;
  std::lock_guard lock(mu);
  auto& entry = kbs[kb];
  entry.kis.clear();
  for (auto& r : *listed) entry.kis.emplace(r.id, r);
  auto k = entry.kis.find(ki);
  if (k == entry.kis.end()) return KiLookup::unknown_ki;
  if (out) *out = k->second;
  return KiLookup::found;
}

std::string RestServer::Impl::heartbeat_body(const KbId& kb) {
  bool reactive = false;
  auto listed = engine.knowledge_interactions(kb);
  if (listed) {
    for (const auto& r : *listed) {
      if (!ki::is_proactive(r.definition.kind)) reactive = true;
    }
  }
  if (reactive) return {};
  return wire::response_message(
             "info",
             "This is a heartbeat message that the server is still alive, please renew your "
             "long polling request. Knowledge Base '" +
                 kb +
                 "' does not have any Answer or React Knowledge Interaction registered. Only "
                 "those Knowledge Interactions result in handle requests.")
      .dump();
}

void RestServer::Impl::check_leases() {
  std::vector<KbId> expired;
  auto now = Clock::now();
  {
    std::lock_guard lock(mu);
    for (const auto& [kb, e] : kbs) {
      if (e.lease_expiry && *e.lease_expiry <= now) expired.push_back(kb);
    }
  }
  for (const auto& kb : expired) {
    log(LogLevel::info, "lease of knowledge base " + kb + " expired; removing it");
    (void)remove_kb(kb);
  }
}

void RestServer::Impl::timer_loop() {
  using Steady = std::chrono::steady_clock;
  auto next_lease_check = Steady::now() + options.lease_check_interval;
  std::unique_lock lock(timer_mu);
  while (!timer_stop) {
    lock.unlock();
    auto now = Steady::now();
    auto next_poll = hub->expire_polls(now);
    if (now >= next_lease_check) {
      check_leases();
      next_lease_check = now + options.lease_check_interval;
    }
    auto wake = next_lease_check;
    if (next_poll && *next_poll < wake) wake = *next_poll;
    lock.lock();
    timer_cv.wait_until(lock, wake, [this] { return timer_stop || timer_kick; });
    timer_kick = false;
  }
}

void RestServer::Impl::handle(http::RawRequest req, std::shared_ptr<http::Responder> responder) {
  std::string body = std::move(req.body);
  Call call{
      std::move(req), std::move(responder), {}, std::chrono::steady_clock::now(), std::nullopt};
  auto path = call.req.path();
  if (!path) {
    call.path = call.req.target;
    send_message(call, 400, "The request path '" + call.req.target + "' has a bad %-escape.");
    return;
  }
  call.path = rest::normalise_path(*path);
  const std::string& m = call.req.method;
  if (m == "OPTIONS") {
    send(call, 200, {});
    return;
  }
  if (stopping) {
    send_message(call, 503, "The server is stopping.");
    return;
  }
  const std::string& base = options.base_path;
  if (call.path.compare(0, base.size(), base) != 0 ||
      (call.path.size() > base.size() && call.path[base.size()] != '/')) {
    send_message(call, 404,
                 "No such endpoint: " + call.path + ". The API lives under " + base +
                     " (see docs/rest-api.md).");
    return;
  }
  // Bodies over max_body_bytes never get here: the transport answers them 413.
  std::string route = call.path.substr(base.size());
  route_call(std::move(call), route, std::move(body));
}

void RestServer::Impl::route_call(Call call, const std::string& route, std::string body) {
  try {
    if (!authorise(call, route, body)) return;
  } catch (const std::exception& e) {
    log(LogLevel::error, "internal error authenticating " + call.path + ": " + e.what());
    return send_message(call, 500, std::string("Internal server error: ") + e.what());
  }
  dispatch(call, route, std::move(body));
}

void RestServer::Impl::dispatch(const Call& call, const std::string& route, std::string body) {
  const std::string& m = call.req.method;
  auto wrong_method = [&](std::string_view allowed) {
    send_message(
        call, 405,
        "Method " + m + " is not allowed on " + call.path + "; use " + std::string(allowed) + ".");
  };
  try {
    if (route == "/sc") {
      if (m == "GET") return get_sc(call);
      if (m == "POST") return post_sc(call, body);
      if (m == "DELETE") return delete_sc(call);
      return wrong_method("GET, POST or DELETE");
    }
    if (route == "/sc/lease/renew") {
      if (m == "PUT") return renew_lease(call);
      return wrong_method("PUT");
    }
    if (route == "/sc/ki") {
      if (m == "GET") return get_ki(call);
      if (m == "POST") return post_ki(call, body);
      if (m == "DELETE") return delete_ki(call);
      return wrong_method("GET, POST or DELETE");
    }
    if (route == "/sc/ask" || route == "/sc/post") {
      if (m == "POST") return proactive(call, body, route == "/sc/ask");
      return wrong_method("POST");
    }
    if (route == "/sc/handle") {
      if (m == "GET") return get_handle(call);
      if (m == "POST") return post_handle(call, body);
      return wrong_method("GET or POST");
    }
    if (route == "/sc/knowledge") {
      if (m != "POST") return wrong_method("POST");
      auto r = rest::post_domain_knowledge(engine, header(call.req, kb_header), body);
      return send(call, r.status, std::move(r.body));
    }
    if (route == "/sc/ki/plan") {  // GridKE extension (docs/knowledge-network.md)
      if (m != "GET") return wrong_method("GET");
      auto r = rest::get_ki_plan(engine, header(call.req, kb_header), header(call.req, ki_header));
      return send(call, r.status, std::move(r.body));
    }
    if (route == "/version") {
      if (m == "GET") return send_json(call, 200, Json{{"version", options.version}});
      return wrong_method("GET");
    }
    send_message(call, 404, "No such endpoint: " + call.path + ".");
  } catch (const std::exception& e) {
    // Exceptions never cross the API (STYLE.md §2.3): a bug in a handler must not take the
    // server down or leave the client hanging.
    log(LogLevel::error, "internal error on " + m + " " + call.path + ": " + e.what());
    send_message(call, 500, std::string("Internal server error: ") + e.what());
  }
}

void RestServer::Impl::get_sc(const Call& call) {
  auto kb = header(call.req, kb_header);
  auto all = engine.knowledge_bases();
  if (!all) return send_error(call, all.error());
  Json out = Json::array();
  if (kb) {
    if (!rest::iri_problem(*kb).empty()) {
      return send_message(call, 400,
                          "Knowledge base not found, because its ID must be a valid URI.");
    }
    for (const auto& info : *all) {
      if (info.id == *kb) out.push_back(wire::knowledge_base_to_json(info));
    }
    if (out.empty()) return send_message(call, 404, "Knowledge base not found.");
  } else {
    // With authentication, a knowledge base sees only itself.
    for (const auto& info : *all) {
      if (!call.identity || info.id == *call.identity) {
        out.push_back(wire::knowledge_base_to_json(info));
      }
    }
  }
  send_json(call, 200, out);
}

void RestServer::Impl::post_sc(const Call& call, const std::string& body) {
  auto json = body_json(body);
  if (!json) return send_message(call, 400, json.error().message());
  auto info = wire::knowledge_base_from_json(*json);
  if (!info) return send_message(call, 400, info.error().message());
  if (info->id.empty())
    return send_message(call, 400, "Knowledge Base ID must be a non-empty URI.");
  if (auto problem = rest::iri_problem(info->id); !problem.empty()) {
    return send_message(call, 400,
                        "Knowledge base ID must be a valid RDF IRI. '" + info->id +
                            "' is not one: " + problem + ".");
  }
  if (auto r = engine.create_knowledge_base(*info); !r) {
    return send_message(call, r.error().code() == ErrorCode::not_found ? 404 : 400,
                        r.error().message());
  }
  std::optional<Clock::time_point> expiry;
  {
    std::lock_guard lock(mu);
    auto& e = kbs[info->id];
    e = KbEntry{};
    e.created_here = true;
    e.lease_s = info->lease_renewal_time_s;
    if (e.lease_s) e.lease_expiry = Clock::now() + std::chrono::seconds(*e.lease_s);
    expiry = e.lease_expiry;
  }
  hub->add_kb(info->id);
  if (options.registry) {
    // Durable before the client hears 200 (docs/operations.md "Durability").
    if (auto saved = options.registry->save_knowledge_base(*info, expiry); !saved) {
      log(LogLevel::error, "registry: " + saved.error().to_string());
      (void)remove_kb(info->id);
      return send_message(
          call, 503,
          "Knowledge base " + info->id + " could not be saved durably: " + saved.error().message());
    }
  }
  log(LogLevel::info, "knowledge base " + info->id + " registered (" + info->name + ")");
  send(call, 200, {});
}

void RestServer::Impl::delete_sc(const Call& call) {
  auto kb = header(call.req, kb_header);
  if (!kb) return send_message(call, 400, "Knowledge-Base-Id header should not be null.");
  if (!rest::iri_problem(*kb).empty()) {
    return send_message(call, 400,
                        "Deletion of knowledge base failed, because its ID must be a valid URI.");
  }
  if (!kb_exists(*kb)) {
    return send_message(call, 404,
                        "Deletion of knowledge base failed, because it could not be found.");
  }
  if (auto r = remove_kb(*kb); !r) {
    if (r.error().code() == ErrorCode::not_found) {
      return send_message(call, 404,
                          "Deletion of knowledge base failed, because it could not be found.");
    }
    return send_error(call, r.error());
  }
  log(LogLevel::info, "knowledge base " + *kb + " deleted");
  send(call, 200, {});
}

void RestServer::Impl::renew_lease(const Call& call) {
  auto kb = header(call.req, kb_header);
  if (!kb) return send_message(call, 400, "Missing valid Knowledge-Base-Id header.");
  Clock::time_point expires;
  {
    std::lock_guard lock(mu);
    auto it = kbs.find(*kb);
    if (it == kbs.end()) {
      return send_message(call, 404, "Knowledge base not found. (Has its lease already expired?)");
    }
    if (!it->second.lease_s) {
      return send_message(call, 404,
                          "Knowledge base found, but its lease could not be found. Knowledge "
                          "bases without a lease do not have to be renewed.");
    }
    expires = Clock::now() + std::chrono::seconds(*it->second.lease_s);
    it->second.lease_expiry = expires;
  }
  if (options.registry) {
    if (auto saved = options.registry->renew_lease(*kb, expires); !saved) {
      log(LogLevel::error, "registry: " + saved.error().to_string());
    }
  }
  send_json(call, 200, Json{{"knowledgeBaseId", *kb}, {"expires", wire::format_time(expires)}});
}

void RestServer::Impl::get_ki(const Call& call) {
  auto kb = header(call.req, kb_header);
  if (!kb) return send_message(call, 400, "Missing valid Knowledge-Base-Id header.");
  auto listed = engine.knowledge_interactions(*kb);
  if (!listed) {
    return send_message(call, 404,
                        "Knowledge base not found, because its knowledge base ID is unknown.");
  }
  Json out = Json::array();
  for (const auto& r : *listed) out.push_back(wire::knowledge_interaction_to_json(r));
  send_json(call, 200, out);
}

// ---- security and durability ----

namespace {

// "Bearer <token>" → the token; nullopt for another scheme or an empty token.
std::optional<std::string> bearer_token(std::string_view value) {
  constexpr std::string_view scheme = "bearer ";
  if (value.size() <= scheme.size()) return std::nullopt;
  for (std::size_t i = 0; i < scheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(value[i])) != scheme[i]) return std::nullopt;
  }
  std::string_view token = value.substr(scheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && (token.back() == ' ' || token.back() == '\r')) token.remove_suffix(1);
  if (token.empty()) return std::nullopt;
  return std::string(token);
}

}  // namespace

bool RestServer::Impl::authorise(Call& call, const std::string& route, const std::string& body) {
  if (!options.authenticate) return true;
  if (route != "/sc" && !route.starts_with("/sc/")) return true;  // /version stays open
  auto deny = [&](int status, const std::string& message) {
    log(LogLevel::warn,
        call.req.method + " " + call.path + " -> " + std::to_string(status) + ": " + message);
    // replace: a message may quote bytes of a request body that are not UTF-8.
    send(call, status,
         wire::response_message("error", message)
             .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
         true, status == 401);
    return false;
  };
  auto auth = header(call.req, "Authorization");
  if (!auth) {
    return deny(401,
                "Missing credentials: this server requires 'Authorization: Bearer <token>' on "
                "every /sc call (tokens are issued with 'gridke token create --kb IRI').");
  }
  auto token = bearer_token(*auth);
  if (!token) {
    std::string scheme = auth->substr(0, auth->find(' '));
    return deny(401, "Unsupported Authorization header (scheme '" + scheme.substr(0, 20) +
                         "'): use 'Authorization: Bearer <token>'.");
  }
  auto identity = options.authenticate(*token);
  if (!identity) {
    return deny(identity.error().code() == ErrorCode::permission_denied ? 403 : 401,
                identity.error().message());
  }
  if (auto kb = header(call.req, kb_header); kb && *kb != *identity) {
    return deny(403, "The token of knowledge base " + *identity + " cannot act as knowledge base " +
                         *kb +
                         " (Knowledge-Base-Id header): a knowledge base can act only as "
                         "itself.");
  }
  if (route == "/sc" && call.req.method == "POST") {
    auto json = wire::parse_json(body);
    if (json && json->is_object()) {
      auto it = json->find("knowledgeBaseId");
      if (it != json->end() && it->is_string() && it->get<std::string>() != *identity) {
        return deny(403, "The token of knowledge base " + *identity +
                             " cannot register knowledge base " + it->get<std::string>() +
                             ": a knowledge base can act only as itself.");
      }
    }
  }
  call.identity = std::move(*identity);
  return true;
}

void RestServer::Impl::sync_registry_kis(const KbId& kb) {
  std::vector<StoredKnowledgeInteraction> added;
  std::vector<KiId> dropped;
  {
    std::lock_guard lock(mu);
    auto it = kbs.find(kb);
    if (it == kbs.end() || !it->second.created_here) return;
    const KbEntry& e = it->second;
    for (const auto& [id, r] : e.kis) {
      if (!e.persisted.contains(id)) {
        added.push_back({id, wire::knowledge_interaction_request_json(r.definition).dump()});
      }
    }
    for (const auto& id : e.persisted) {
      if (!e.kis.contains(id)) dropped.push_back(id);
    }
  }
  for (const auto& ki : added) {
    if (auto r = options.registry->save_knowledge_interaction(kb, ki); !r) {
      log(LogLevel::error, "registry: " + r.error().to_string());
      continue;
    }
    std::lock_guard lock(mu);
    if (auto it = kbs.find(kb); it != kbs.end()) it->second.persisted.insert(ki.id);
  }
  for (const auto& id : dropped) {
    if (auto r = options.registry->remove_knowledge_interaction(kb, id); !r) {
      log(LogLevel::error, "registry: " + r.error().to_string());
      continue;
    }
    std::lock_guard lock(mu);
    if (auto it = kbs.find(kb); it != kbs.end()) it->second.persisted.erase(id);
  }
}

Result<std::size_t> RestServer::Impl::restore_registry() {
  GRIDKE_ASSIGN_OR_RETURN(auto saved, options.registry->load());
  std::size_t count = 0;
  const auto now = Clock::now();
  for (auto& stored : saved) {
    const KbId& id = stored.info.id;
    if (stored.lease_expiry && *stored.lease_expiry <= now) {
      log(LogLevel::info, "registry: the lease of knowledge base " + id +
                              " expired while the server was down; removing it");
      (void)options.registry->remove_knowledge_base(id);
      continue;
    }
    if (auto r = engine.create_knowledge_base(stored.info);
        !r && r.error().code() != ErrorCode::already_exists) {
      log(LogLevel::error,
          "registry: cannot restore knowledge base " + id + ": " + r.error().to_string());
      continue;
    }
    KbEntry entry;
    entry.created_here = true;
    entry.lease_s = stored.info.lease_renewal_time_s;
    entry.lease_expiry = stored.lease_expiry;
    hub->add_kb(id);
    const std::string prefix = id + "/interaction/";
    for (const auto& ki : stored.kis) {
      auto json = wire::parse_json(ki.definition_json);
      auto def = json ? wire::knowledge_interaction_from_json(*json)
                      : Result<ki::KnowledgeInteraction>(json.error());
      if (!def) {
        log(LogLevel::error, "registry: cannot restore knowledge interaction " + ki.id + ": " +
                                 def.error().to_string());
        continue;
      }
      // An unnamed KI got a random id; naming it after that id keeps the id stable.
      if (def->name.empty() && ki.id.starts_with(prefix)) def->name = ki.id.substr(prefix.size());
      Handler handler;
      if (!ki::is_proactive(def->kind)) handler = reactive_handler(id);
      auto registered =
          engine.register_ki(id, *def, std::move(handler), HandlerOptions{.never_blocks = true});
      if (!registered) {
        log(LogLevel::error, "registry: cannot restore knowledge interaction " + ki.id + ": " +
                                 registered.error().to_string());
        continue;
      }
      if (*registered != ki.id) {
        (void)options.registry->remove_knowledge_interaction(id, ki.id);
        (void)options.registry->save_knowledge_interaction(
            id, {*registered, wire::knowledge_interaction_request_json(*def).dump()});
      }
      entry.kis[*registered] = RegisteredKi{*registered, *def};
      entry.persisted.insert(*registered);
    }
    log(LogLevel::info, "registry: restored knowledge base " + id + " with " +
                            std::to_string(entry.kis.size()) + " knowledge interactions");
    {
      std::lock_guard lock(mu);
      kbs[id] = std::move(entry);
    }
    ++count;
  }
  return count;
}

}  // namespace gridke::engine
