// The KI, proactive (ask/post) and reactive (handle) endpoints of RestServer (NOTES.md §1.4).
#include <utility>

#include "server_impl.hpp"

namespace gridke::engine {

namespace {

std::string bindings_for_log(const pattern::BindingSet& b) {
  return wire::binding_set_to_json(b).dump();
}

}  // namespace

void RestServer::Impl::post_ki(const Call& call, const std::string& body) {
  auto kb = header(call.req, kb_header);
  if (!kb) return send_message(call, 400, "Missing valid Knowledge-Base-Id header.");
  auto json = body_json(body);
  if (!json) return send_message(call, 400, json.error().message());
  if (!kb_exists(*kb)) {
    return send_message(
        call, 404,
        "Could not add knowledge interaction, because the given knowledge base ID (" + *kb +
            ") is unknown.");
  }
  auto def = wire::knowledge_interaction_from_json(*json);
  if (!def) return send_message(call, 400, def.error().message());
  Handler handler;
  if (!ki::is_proactive(def->kind)) {
    hub->add_kb(*kb);
    handler = reactive_handler(*kb);
  }
  auto id = engine.register_ki(*kb, *def, std::move(handler), HandlerOptions{.never_blocks = true});
  if (!id) {
    if (id.error().code() == ErrorCode::not_found) {
      return send_message(call, 404,
                          "Could not add knowledge interaction, because the given knowledge base "
                          "ID (" +
                              *kb + ") is unknown.");
    }
    return send_message(call, id.error().http_status() == 500 ? 500 : 400, id.error().message());
  }
  {
    std::lock_guard lock(mu);
    kbs[*kb].kis[*id] = RegisteredKi{*id, *def};
  }
  log(LogLevel::info,
      "knowledge base " + *kb + " registered " + std::string(ki::to_string(def->kind)) + " " + *id);
  send_json(call, 200, Json{{"knowledgeInteractionId", *id}});
}

void RestServer::Impl::delete_ki(const Call& call) {
  auto kb = header(call.req, kb_header);
  if (!kb || !kb_exists(*kb)) {
    return send_message(call, 404,
                        "Knowledge base not found, because its knowledge base ID is unknown.");
  }
  auto ki = header(call.req, ki_header);
  if (!ki) return send_message(call, 400, "Missing valid Knowledge-Interaction-Id header.");
  auto r = engine.unregister_ki(*kb, *ki);
  {
    std::lock_guard lock(mu);
    auto it = kbs.find(*kb);
    if (it != kbs.end()) it->second.kis.erase(*ki);
  }
  if (!r) {
    if (r.error().code() == ErrorCode::not_found) {
      return send_message(call, 404,
                          "Knowledge base found, but the given knowledge interaction knowledge "
                          "base ID is unknown.");
    }
    return send_error(call, r.error());
  }
  log(LogLevel::info, "knowledge base " + *kb + " unregistered " + *ki);
  send(call, 200, {});
}

void RestServer::Impl::proactive(const Call& call, const std::string& body, bool is_ask) {
  // Checks run in TNO's order (NOTES.md §1.4 POST /sc/ask): body, headers, KB, KI, KI type.
  auto json = body_json(body);
  if (!json) return send_message(call, 400, json.error().message());
  auto request = wire::proactive_request_from_json(*json);
  if (!request) return send_message(call, 400, request.error().message());
  auto kb = header(call.req, kb_header);
  auto ki = header(call.req, ki_header);
  if (!kb || !ki) {
    return send_message(call, 400,
                        "Both Knowledge-Base-Id and Knowledge-Interaction-Id headers should be "
                        "non-null.");
  }
  if (auto problem = rest::iri_problem(*ki); !problem.empty()) {
    return send_message(call, 400,
                        "Knowledge Interaction ID must be a valid URI: " + problem + ".");
  }
  RegisteredKi found;
  switch (lookup_ki(*kb, *ki, &found)) {
    case KiLookup::unknown_kb:
      return send_message(call, 404, "Smart connector not found, because its ID is unknown.");
    case KiLookup::unknown_ki:
      return send_message(call, 404, "Knowledge Interaction not found, because its ID is unknown.");
    case KiLookup::found: break;
  }
  const ki::KiKind want = is_ask ? ki::KiKind::ask : ki::KiKind::post;
  if (found.definition.kind != want) {
    return send_message(call, 400,
                        "Given Knowledge Interaction ID should have type " +
                            std::string(ki::to_string(want)) + " and not " +
                            std::string(ki::to_string(found.definition.kind)) + ".");
  }
  CallOptions options;
  options.recipients = std::move(request->recipients);
  // The callback only serialises the result and hands it to the transport (and the audit
  // trail's queue): it may run on whichever thread completes the exchange.
  options.callback_never_blocks = true;
  if (auto d = header(call.req, deadline_header)) {
    char* end = nullptr;
    long long ms = std::strtoll(d->c_str(), &end, 10);
    if (d->empty() || end != d->c_str() + d->size() || ms <= 0) {
      return send_message(call, 400,
                          "Header Gridke-Deadline-Ms must be a positive integer number of "
                          "milliseconds, not '" +
                              *d + "'.");
    }
    options.deadline = std::chrono::milliseconds(ms);
  }
  if (logs(LogLevel::debug)) {
    log(LogLevel::debug, std::string(is_ask ? "ASK " : "POST ") + *ki + " bindings " +
                             bindings_for_log(request->bindings));
  }
  auto self = shared_from_this();
  auto started = std::chrono::steady_clock::now();
  auto elapsed_ms = [started] {
    return std::to_string(std::chrono::duration_cast<std::chrono::microseconds>(
                              std::chrono::steady_clock::now() - started)
                              .count() /
                          1000.0);
  };
  auto failed_count = [](const std::vector<ExchangeInfo>& infos) {
    std::size_t n = 0;
    for (const auto& e : infos) n += e.status == ExchangeStatus::failed ? 1 : 0;
    return std::to_string(n);
  };
  begin_call();
  if (is_ask) {
    engine.ask_async(*kb, *ki, std::move(request->bindings), std::move(options),
                     [self, call, ki = *ki, elapsed_ms, failed_count](Result<AskResult> r) {
                       if (!r) {
                         self->send_error(call, r.error());
                         return self->end_call();
                       }
                       self->log(LogLevel::info,
                                 "ASK " + ki + ": " + std::to_string(r->bindings.size()) +
                                     " bindings from " + std::to_string(r->exchange_info.size()) +
                                     " KIs (" + failed_count(r->exchange_info) + " failed) in " +
                                     elapsed_ms() + " ms");
                       self->send_json(call, 200, wire::ask_result_to_json(*r));
                       self->end_call();
                     });
  } else {
    engine.post_async(*kb, *ki, std::move(request->bindings), std::move(options),
                      [self, call, ki = *ki, elapsed_ms, failed_count](Result<PostResult> r) {
                        if (!r) {
                          self->send_error(call, r.error());
                          return self->end_call();
                        }
                        self->log(LogLevel::info, "POST " + ki + ": " +
                                                      std::to_string(r->result_bindings.size()) +
                                                      " result bindings from " +
                                                      std::to_string(r->exchange_info.size()) +
                                                      " KIs (" + failed_count(r->exchange_info) +
                                                      " failed) in " + elapsed_ms() + " ms");
                        self->send_json(call, 200, wire::post_result_to_json(*r));
                        self->end_call();
                      });
  }
}

void RestServer::Impl::get_handle(const Call& call) {
  auto kb = header(call.req, kb_header);
  if (!kb) return send_message(call, 400, "Missing valid Knowledge-Base-Id header.");
  if (auto problem = rest::iri_problem(*kb); !problem.empty()) {
    return send_message(call, 400, "Knowledge-Base-Id must be a valid URI: " + problem + ".");
  }
  if (!hub->has_kb(*kb)) {
    if (!kb_exists(*kb)) {
      return send_message(call, 404,
                          "A Knowledge Base for the given Knowledge-Base-Id cannot be found.");
    }
    hub->add_kb(*kb);
  }
  auto self = shared_from_this();
  auto outcome = hub->poll(*kb, [self, call](int status, std::string body) {
    self->send(call, status, std::move(body));
  });
  switch (outcome) {
    case rest::LongPollHub::PollOutcome::held:
    case rest::LongPollHub::PollOutcome::answered: return;
    case rest::LongPollHub::PollOutcome::unknown_kb:
      return send_message(call, 404,
                          "A Knowledge Base for the given Knowledge-Base-Id cannot be found.");
    case rest::LongPollHub::PollOutcome::already_polling:
      return send_message(call, 409,
                          "Only one connection per Knowledge-Base-Id is allowed and we already "
                          "have one.");
  }
}

void RestServer::Impl::post_handle(const Call& call, const std::string& body) {
  auto json = body_json(body);
  if (!json) return send_message(call, 400, json.error().message());
  auto kb = header(call.req, kb_header);
  if (!kb) return send_message(call, 400, "Missing valid Knowledge-Base-Id header.");
  auto ki = header(call.req, ki_header);
  if (!ki) return send_message(call, 400, "Missing valid Knowledge-Interaction-Id header.");
  RegisteredKi found;
  switch (lookup_ki(*kb, *ki, &found)) {
    case KiLookup::unknown_kb:
      return send_message(call, 404,
                          "A Knowledge Base for the given Knowledge-Base-Id cannot be found.");
    case KiLookup::unknown_ki:
      return send_message(call, 400,
                          "Knowledge Interaction not found, because its ID must match an existing "
                          "KI: " +
                              *ki);
    case KiLookup::found: break;
  }
  if (!json->is_object()) {
    return send_message(
        call, 400,
        std::string("The HandleResponse must be a JSON object, not ") + json->type_name() + ".");
  }
  auto id_it = json->find("handleRequestId");
  if (id_it == json->end() || id_it->is_null()) {
    return send_message(call, 400, "The handleRequestId property is mandatory, but not provided.");
  }
  if (!id_it->is_number_integer()) {
    return send_message(call, 400,
                        std::string("The handleRequestId property must be an integer, not ") +
                            id_it->type_name() + ".");
  }
  const long long id = id_it->get<long long>();
  auto error_message = wire::optional_string(*json, "errorMessage");
  if (!error_message) return send_message(call, 400, error_message.error().message());
  const bool has_bindings = json->contains("bindingSet") && !(*json)["bindingSet"].is_null();
  if (!*error_message && !has_bindings) {
    return send_message(call, 400,
                        "The HandleResponse must contain either a bindingSet or an errorMessage.");
  }
  Result<pattern::BindingSet> bindings = pattern::BindingSet{};
  if (!*error_message) bindings = wire::binding_set_from_json((*json)["bindingSet"]);
  auto reply = hub->take_outstanding(*kb, id);
  if (!reply) {
    return send_message(call, 404,
                        "Handle request id " + std::to_string(id) +
                            " not found. Are you sure it is still being processed?");
  }
  if (*error_message) {
    (*reply)(failed_precondition(**error_message));
    return send(call, 200, {});
  }
  if (!bindings) {
    (*reply)(bindings.error());
    return send_message(call, 400, bindings.error().message());
  }
  // sc.validate.outgoing.bindings.wrt.incoming.bindings (default on): a complete binding of the
  // ANSWER pattern or the REACT result pattern; a REACT without result pattern returns nothing.
  Result<void> valid;
  const auto& def = found.definition;
  if (def.kind == ki::KiKind::answer && def.pattern) {
    valid = pattern::check_complete(*bindings, *def.pattern);
  } else if (def.kind == ki::KiKind::react) {
    if (def.result_pattern) {
      valid = pattern::check_complete(*bindings, *def.result_pattern);
    } else {
      bool all_empty = true;
      for (const auto& b : *bindings) all_empty = all_empty && b.empty();
      if (!all_empty)
        valid = invalid_argument("Bindings must be empty when the graph pattern is missing.");
    }
  } else {
    valid = invalid_argument("Knowledge Interaction " + *ki +
                             " is not an ANSWER or REACT interaction; only those handle requests.");
  }
  if (!valid) {
    // The exchange is recorded as FAILED for the asker; the caller learns why.
    (*reply)(valid.error());
    return send_message(call, 400, valid.error().message());
  }
  if (logs(LogLevel::debug)) {
    log(LogLevel::debug, "handle " + std::to_string(id) + " of " + *ki + " answered with " +
                             bindings_for_log(*bindings));
  }
  (*reply)(std::move(bindings).value());
  send(call, 200, {});
}

}  // namespace gridke::engine
