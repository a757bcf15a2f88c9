// Routes of the flexibility market's REST front door (rest_api.hpp) → FlexibilityMarket.
#include "gridke/services/flexibility_market/http/rest_api.hpp"

#include "gridke/http/json_fields.hpp"
#include "gridke/services/flexibility_market/model_json.hpp"

namespace gridke::services::flexibility_market {

using nlohmann::json;

CallbackNotifier::CallbackNotifier(int attempts, std::chrono::milliseconds backoff)
    : dispatcher_(attempts, backoff) {}

void CallbackNotifier::notify(const std::string& url, const std::string& topic, const json& body) {
  dispatcher_.enqueue(url, body.dump(), topic);
}

namespace {

template <class T>
json array_of(const std::vector<T>& items) {
  json out = json::array();
  for (const auto& x : items) out.push_back(to_json(x));
  return out;
}

Result<std::vector<ParticipantSeries>> participants(const json& body) {
  GRIDKE_ASSIGN_OR_RETURN(const json* p, http::get_array(body, "", "participants"));
  return series_from_json(*p, "participants");
}

Result<Window> window_of(const json& body) {
  GRIDKE_ASSIGN_OR_RETURN(auto w, http::get_optional_string(body, "", "window"));
  if (!w) return Window::day_ahead;
  return parse_window(*w, "window");
}

}  // namespace

http::Router make_router(FlexibilityMarket& m) {
  http::Router r;
  r.post("/Register", [&m](const http::Request& req) -> Result<http::Response> {
    GRIDKE_ASSIGN_OR_RETURN(json body, req.json());
    GRIDKE_TRY(http::check_object(body, "", {"fspId", "name", "zones"}));
    GRIDKE_ASSIGN_OR_RETURN(auto id, http::get_string(body, "", "fspId"));
    GRIDKE_ASSIGN_OR_RETURN(auto name, http::get_optional_string(body, "", "name"));
    GRIDKE_ASSIGN_OR_RETURN(const json* zones_json, http::get_array(body, "", "zones"));
    std::vector<std::string> zones;
    for (std::size_t i = 0; i < zones_json->size(); ++i) {
      if (!(*zones_json)[i].is_string()) {
        return invalid_argument("zones[" + std::to_string(i) + "]: must be a string, got " +
                                std::string(http::type_name((*zones_json)[i])));
      }
      zones.push_back((*zones_json)[i].get<std::string>());
    }
    GRIDKE_ASSIGN_OR_RETURN(auto f, m.register_fsp(id, name.value_or(id), std::move(zones)));
    return http::Response::json(201, to_json(f));
  });
  r.get("/Providers", [&m](const http::Request&) -> Result<http::Response> {
    return http::Response::json(200, {{"providers", array_of(m.fsps())}});
  });
  r.post("/Subscribe", [&m](const http::Request& req) -> Result<http::Response> {
    GRIDKE_ASSIGN_OR_RETURN(json body, req.json());
    GRIDKE_TRY(
        http::check_object(body, "", {"fspId", "needsCallbackUrl", "activationPlanCallbackUrl"}));
    GRIDKE_ASSIGN_OR_RETURN(auto id, http::get_string(body, "", "fspId"));
    GRIDKE_ASSIGN_OR_RETURN(auto needs, http::get_string(body, "", "needsCallbackUrl"));
    GRIDKE_ASSIGN_OR_RETURN(auto plan, http::get_string(body, "", "activationPlanCallbackUrl"));
    GRIDKE_TRY(m.subscribe(id, needs, plan));
    return http::Response::json(200, to_json(*m.fsp(id)));
  });
  r.del("/Subscribe", [&m](const http::Request& req) -> Result<http::Response> {
    std::optional<std::string> id = req.query_value("fspId");
    if (!id) {
      GRIDKE_ASSIGN_OR_RETURN(json body, req.json(true));
      if (body.is_null()) return invalid_argument("fspId: is required (query parameter or body)");
      GRIDKE_TRY(http::check_object(body, "", {"fspId"}));
      GRIDKE_ASSIGN_OR_RETURN(auto s, http::get_string(body, "", "fspId"));
      id = s;
    }
    GRIDKE_TRY(m.unsubscribe(*id));
    return http::Response::json(200, to_json(*m.fsp(*id)));
  });
  r.post("/Needs", [&m](const http::Request& req) -> Result<http::Response> {
    GRIDKE_ASSIGN_OR_RETURN(json body, req.json());
    GRIDKE_TRY(http::check_object(body, "", {"window", "needs"}));
    GRIDKE_ASSIGN_OR_RETURN(Window w, window_of(body));
    GRIDKE_ASSIGN_OR_RETURN(const json* list, http::get_array(body, "", "needs"));
    std::vector<NeedInput> needs;
    for (std::size_t i = 0; i < list->size(); ++i) {
      GRIDKE_ASSIGN_OR_RETURN(auto n,
                              need_input_from_json((*list)[i], "needs[" + std::to_string(i) + "]"));
      needs.push_back(std::move(n));
    }
    GRIDKE_ASSIGN_OR_RETURN(auto published, m.publish_needs(w, std::move(needs)));
    return http::Response::json(201, {{"needs", array_of(published)}});
  });
  r.get("/Needs", [&m](const http::Request&) -> Result<http::Response> {
    return http::Response::json(200, {{"needs", array_of(m.needs())}});
  });
  r.post("/Offers", [&m](const http::Request& req) -> Result<http::Response> {
    GRIDKE_ASSIGN_OR_RETURN(json body, req.json());
    GRIDKE_ASSIGN_OR_RETURN(auto in, offer_input_from_json(body, ""));
    GRIDKE_ASSIGN_OR_RETURN(auto o, m.submit_offer(in));
    return http::Response::json(201, to_json(o));
  });
  r.get("/Offers", [&m](const http::Request& req) -> Result<http::Response> {
    GRIDKE_TRY(req.check_query({"fspId"}));
    const auto fsp = req.query_value("fspId");
    json out = json::array();
    for (const auto& o : m.offers()) {
      if (!fsp || o.fsp_id == *fsp) out.push_back(to_json(o));
    }
    return http::Response::json(200, {{"offers", out}});
  });
  r.post("/Offers/{id}/verify", [&m](const http::Request& req) -> Result<http::Response> {
    GRIDKE_ASSIGN_OR_RETURN(auto o, m.verify_offer(req.param("id")));
    return http::Response::json(200, to_json(o));
  });
  r.post("/Offers/{id}/suspend", [&m](const http::Request& req) -> Result<http::Response> {
    GRIDKE_ASSIGN_OR_RETURN(json body, req.json());
    GRIDKE_TRY(http::check_object(body, "", {"fspId", "until", "reason"}));
    GRIDKE_ASSIGN_OR_RETURN(auto fsp, http::get_string(body, "", "fspId"));
    GRIDKE_ASSIGN_OR_RETURN(auto until_text, http::get_string(body, "", "until"));
    GRIDKE_ASSIGN_OR_RETURN(auto until, parse_time(until_text, "until"));
    GRIDKE_ASSIGN_OR_RETURN(auto reason, http::get_optional_string(body, "", "reason"));
    GRIDKE_ASSIGN_OR_RETURN(auto o,
                            m.suspend_offer(fsp, req.param("id"), until, reason.value_or("")));
    return http::Response::json(200, to_json(o));
  });
  r.post("/Offers/{id}/resume", [&m](const http::Request& req) -> Result<http::Response> {
    GRIDKE_ASSIGN_OR_RETURN(json body, req.json());
    GRIDKE_TRY(http::check_object(body, "", {"fspId"}));
    GRIDKE_ASSIGN_OR_RETURN(auto fsp, http::get_string(body, "", "fspId"));
    GRIDKE_ASSIGN_OR_RETURN(auto o, m.resume_offer(fsp, req.param("id")));
    return http::Response::json(200, to_json(o));
  });
  r.post("/ActivationPlan", [&m](const http::Request& req) -> Result<http::Response> {
    GRIDKE_ASSIGN_OR_RETURN(json body, req.json(true));
    if (body.is_null()) body = json::object();
    GRIDKE_TRY(http::check_object(body, "", {"window"}));
    GRIDKE_ASSIGN_OR_RETURN(Window w, window_of(body));
    GRIDKE_ASSIGN_OR_RETURN(auto plan, m.clear(w));
    return http::Response::json(201, to_json(plan));
  });
  r.get("/Activations", [&m](const http::Request& req) -> Result<http::Response> {
    GRIDKE_TRY(req.check_query({"fspId"}));
    const auto fsp = req.query_value("fspId");
    json out = json::array();
    for (const auto& a : m.activations()) {
      if (!fsp || a.fsp_id == *fsp) out.push_back(to_json(a));
    }
    return http::Response::json(200, {{"activations", out}});
  });
  r.post("/Activations/{id}/response", [&m](const http::Request& req) -> Result<http::Response> {
    GRIDKE_ASSIGN_OR_RETURN(json body, req.json());
    GRIDKE_TRY(http::check_object(body, "", {"fspId", "accept"}));
    GRIDKE_ASSIGN_OR_RETURN(auto fsp, http::get_string(body, "", "fspId"));
    GRIDKE_ASSIGN_OR_RETURN(bool accept, http::get_bool(body, "", "accept"));
    GRIDKE_ASSIGN_OR_RETURN(auto a, m.respond_activation(fsp, req.param("id"), accept));
    return http::Response::json(200, to_json(a));
  });
  r.post("/Activations/{id}/baseline", [&m](const http::Request& req) -> Result<http::Response> {
    GRIDKE_ASSIGN_OR_RETURN(json body, req.json());
    GRIDKE_TRY(http::check_object(body, "", {"fspId", "participants"}));
    GRIDKE_ASSIGN_OR_RETURN(auto fsp, http::get_string(body, "", "fspId"));
    GRIDKE_ASSIGN_OR_RETURN(auto series, participants(body));
    GRIDKE_TRY(m.submit_baseline(fsp, req.param("id"), std::move(series)));
    return http::Response::json(202, {{"activationId", req.param("id")}, {"stored", "baseline"}});
  });
  r.get("/Activations/{id}/baseline", [&m](const http::Request& req) -> Result<http::Response> {
    auto b = m.baseline(req.param("id"));
    if (!b) return not_found("activation '" + req.param("id") + "' has no baseline yet");
    json list = json::array();
    for (const auto& s : *b) list.push_back({{"participantId", s.participant_id}, {"kW", s.kw}});
    return http::Response::json(200, {{"activationId", req.param("id")}, {"participants", list}});
  });
  r.post("/Activations/{id}/metering", [&m](const http::Request& req) -> Result<http::Response> {
    GRIDKE_ASSIGN_OR_RETURN(json body, req.json());
    GRIDKE_TRY(http::check_object(body, "", {"participants"}));
    GRIDKE_ASSIGN_OR_RETURN(auto series, participants(body));
    GRIDKE_TRY(m.submit_metering(req.param("id"), std::move(series)));
    return http::Response::json(202, {{"activationId", req.param("id")}, {"stored", "metering"}});
  });
  r.post("/Activations/{id}/verification",
         [&m](const http::Request& req) -> Result<http::Response> {
           GRIDKE_ASSIGN_OR_RETURN(auto v, m.verify(req.param("id")));
           return http::Response::json(201, to_json(v));
         });
  r.get("/Activations/{id}/verification", [&m](const http::Request& req) -> Result<http::Response> {
    auto v = m.verification(req.param("id"));
    if (!v) return not_found("activation '" + req.param("id") + "' has no verification");
    return http::Response::json(200, to_json(*v));
  });
  r.post("/Activations/{id}/settlement", [&m](const http::Request& req) -> Result<http::Response> {
    GRIDKE_ASSIGN_OR_RETURN(json body, req.json());
    GRIDKE_TRY(http::check_object(body, "", {"fspId", "decision", "reason"}));
    GRIDKE_ASSIGN_OR_RETURN(auto fsp, http::get_string(body, "", "fspId"));
    GRIDKE_ASSIGN_OR_RETURN(auto decision, http::get_string(body, "", "decision"));
    if (decision == "confirm") {
      GRIDKE_ASSIGN_OR_RETURN(auto v, m.confirm_settlement(fsp, req.param("id")));
      return http::Response::json(200, to_json(v));
    }
    if (decision == "dispute") {
      GRIDKE_ASSIGN_OR_RETURN(auto reason, http::get_optional_string(body, "", "reason"));
      GRIDKE_ASSIGN_OR_RETURN(auto v,
                              m.dispute_settlement(fsp, req.param("id"), reason.value_or("")));
      return http::Response::json(200, to_json(v));
    }
    return invalid_argument("decision: expected \"confirm\" or \"dispute\", got \"" + decision +
                            "\"");
  });
  r.post("/Activations/{id}/outcome", [&m](const http::Request& req) -> Result<http::Response> {
    GRIDKE_ASSIGN_OR_RETURN(json body, req.json());
    GRIDKE_TRY(http::check_object(body, "", {"fspId", "succeeded", "percentOfTarget"}));
    GRIDKE_ASSIGN_OR_RETURN(auto fsp, http::get_string(body, "", "fspId"));
    GRIDKE_ASSIGN_OR_RETURN(bool ok, http::get_bool(body, "", "succeeded"));
    GRIDKE_ASSIGN_OR_RETURN(double pct, http::get_number(body, "", "percentOfTarget"));
    GRIDKE_TRY(m.report_outcome(fsp, req.param("id"), ok, pct));
    return http::Response::json(202, {{"activationId", req.param("id")}, {"stored", "outcome"}});
  });
  r.get("/Transitions", [&m](const http::Request& req) -> Result<http::Response> {
    GRIDKE_TRY(req.check_query({"id"}));
    GRIDKE_ASSIGN_OR_RETURN(auto t, m.transitions(req.query_value("id").value_or("")));
    return http::Response::json(200, {{"transitions", array_of(t)}});
  });
  r.post("/Tick", [&m](const http::Request&) -> Result<http::Response> {
    GRIDKE_ASSIGN_OR_RETURN(int n, m.tick());
    return http::Response::json(200, {{"transitions", n}, {"now", format_time(m.clock().now())}});
  });
  r.get("/Clock", [&m](const http::Request&) -> Result<http::Response> {
    return http::Response::json(200, {{"now", format_time(m.clock().now())}});
  });
  return r;
}

Result<std::unique_ptr<RestApi>> RestApi::start(FlexibilityMarket& market, RestOptions options) {
  http::ServerOptions so;
  so.bind_address = options.bind_address;
  so.port = options.port;
  so.base_path = options.base_path;
  so.tls = options.tls;
  GRIDKE_ASSIGN_OR_RETURN(auto server, http::JsonServer::start(make_router(market), so));
  return std::unique_ptr<RestApi>(new RestApi(std::move(server)));
}

}  // namespace gridke::services::flexibility_market
