// RestServer::Impl: routing, the timer, and the knowledge-base endpoints (/sc, /sc/lease/renew,
// GET /sc/ki). Semantics and messages follow NOTES.md §1.4.
#include <utility>

#include "server_impl.hpp"

namespace gridke::engine {

void RestServer::Impl::send(const Call& call, int status, std::string body, bool json) {
  http_response resp(static_cast<web::http::status_code>(status));
  auto& h = resp.headers();
  h.add("Access-Control-Allow-Origin", "*");
  h.add("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, HEAD, OPTIONS");
  h.add("Access-Control-Allow-Headers",
        "Accept, Content-Type, Knowledge-Base-Id, Knowledge-Interaction-Id, Gridke-Deadline-Ms");
  if (!body.empty()) resp.set_body(std::move(body), std::string(json ? json_type : "text/plain"));
  if (logs(LogLevel::debug)) {
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                  std::chrono::steady_clock::now() - call.start)
                  .count();
    auto kb = header(call.req, kb_header);
    log(LogLevel::debug, call.req.method() + " " + call.path + (kb ? " kb=" + *kb : "") + " -> " +
                             std::to_string(status) + " (" + std::to_string(us / 1000.0) + " ms)");
  }
  // Counted until written, so stop() can let answers (410s above all) reach the clients before
  // the listener closes the connections.
  begin_reply();
  auto self = shared_from_this();
  call.req.reply(resp).then([self](pplx::task<void> done) {
    try {
      done.get();
    } catch (...) {  // the client hung up: not the server's problem
    }
    self->end_reply();
  });
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

void RestServer::Impl::handle(http_request req) {
  Call call{std::move(req), {}, std::chrono::steady_clock::now()};
  call.path = rest::normalise_path(call.req.relative_uri().path());
  const std::string& m = call.req.method();
  if (m == methods::OPTIONS) {
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
  std::string route = call.path.substr(base.size());
  auto size = call.req.headers().content_length();
  if (size > options.max_body_bytes) {
    send_message(call, 413,
                 "Request body of " + std::to_string(size) + " bytes exceeds the limit of " +
                     std::to_string(options.max_body_bytes) + " bytes.");
    return;
  }
  bool takes_body = m == methods::POST || m == methods::PUT;
  if (!takes_body) {
    dispatch(call, route, {});
    return;
  }
  auto self = shared_from_this();
  call.req.extract_utf8string(true).then([self, call, route](pplx::task<std::string> t) mutable {
    std::string body;
    try {
      body = t.get();
    } catch (const std::exception& e) {
      self->send_message(call, 400, std::string("Could not read the request body: ") + e.what());
      return;
    }
    if (body.size() > self->options.max_body_bytes) {
      self->send_message(call, 413,
                         "Request body of " + std::to_string(body.size()) +
                             " bytes exceeds the limit of " +
                             std::to_string(self->options.max_body_bytes) + " bytes.");
      return;
    }
    self->dispatch(call, route, std::move(body));
  });
}

void RestServer::Impl::dispatch(const Call& call, const std::string& route, std::string body) {
  const std::string& m = call.req.method();
  auto wrong_method = [&](std::string_view allowed) {
    send_message(
        call, 405,
        "Method " + m + " is not allowed on " + call.path + "; use " + std::string(allowed) + ".");
  };
  try {
    if (route == "/sc") {
      if (m == methods::GET) return get_sc(call);
      if (m == methods::POST) return post_sc(call, body);
      if (m == methods::DEL) return delete_sc(call);
      return wrong_method("GET, POST or DELETE");
    }
    if (route == "/sc/lease/renew") {
      if (m == methods::PUT) return renew_lease(call);
      return wrong_method("PUT");
    }
    if (route == "/sc/ki") {
      if (m == methods::GET) return get_ki(call);
      if (m == methods::POST) return post_ki(call, body);
      if (m == methods::DEL) return delete_ki(call);
      return wrong_method("GET, POST or DELETE");
    }
    if (route == "/sc/ask" || route == "/sc/post") {
      if (m == methods::POST) return proactive(call, body, route == "/sc/ask");
      return wrong_method("POST");
    }
    if (route == "/sc/handle") {
      if (m == methods::GET) return get_handle(call);
      if (m == methods::POST) return post_handle(call, body);
      return wrong_method("GET or POST");
    }
    if (route == "/sc/knowledge") {
      if (m == methods::POST) return post_knowledge(call);
      return wrong_method("POST");
    }
    if (route == "/version") {
      if (m == methods::GET) return send_json(call, 200, Json{{"version", options.version}});
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
    for (const auto& info : *all) out.push_back(wire::knowledge_base_to_json(info));
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
  {
    std::lock_guard lock(mu);
    auto& e = kbs[info->id];
    e = KbEntry{};
    e.created_here = true;
    e.lease_s = info->lease_renewal_time_s;
    if (e.lease_s) e.lease_expiry = Clock::now() + std::chrono::seconds(*e.lease_s);
  }
  hub->add_kb(info->id);
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

}  // namespace gridke::engine
