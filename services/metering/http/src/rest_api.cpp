#include "gridke/services/metering/rest_api.hpp"

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "gridke/http/json_fields.hpp"

namespace gridke::services::metering {
namespace {

using nlohmann::json;

Result<DataPointSet> data_points(const json& j, std::string_view path, const char* key) {
  GRIDKE_ASSIGN_OR_RETURN(const json* a, http::get_array(j, path, key));
  DataPointSet s = 0;
  const std::string where = http::join(path, key);
  for (std::size_t i = 0; i < a->size(); ++i) {
    const json& v = (*a)[i];
    if (!v.is_string()) {
      return invalid_argument(http::join(where, i) + ": must be a string, got " +
                              std::string(http::type_name(v)));
    }
    auto p = parse_data_point(v.get<std::string>());
    if (!p) return invalid_argument(http::join(where, i) + ": " + p.error().message());
    s |= bit(*p);
  }
  return s;
}

json names(DataPointSet s) {
  json out = json::array();
  for (int i = 0; i < kDataPointCount; ++i) {
    if (s & (1u << i)) out.push_back(std::string(to_string(DataPoint(i))));
  }
  return out;
}

json provider_json(const Provider& p) {
  return json{{"id", p.id},
              {"name", p.name},
              {"contract", names(p.contract)},
              {"knowledge_base_id", p.knowledge_base_id},
              {"callback_url", p.callback_url}};
}

Result<http::Response> put_provider(MeteringService& s, const http::Request& req) {
  GRIDKE_ASSIGN_OR_RETURN(const json body, req.json());
  GRIDKE_TRY(
      http::check_object(body, "", {"name", "contract", "knowledge_base_id", "callback_url"}));
  Provider p;
  p.id = req.param("id");
  GRIDKE_ASSIGN_OR_RETURN(p.name, http::get_string(body, "", "name"));
  GRIDKE_ASSIGN_OR_RETURN(p.contract, data_points(body, "", "contract"));
  GRIDKE_ASSIGN_OR_RETURN(auto kb, http::get_optional_string(body, "", "knowledge_base_id"));
  GRIDKE_ASSIGN_OR_RETURN(auto cb, http::get_optional_string(body, "", "callback_url"));
  if (cb && !cb->empty()) GRIDKE_TRY(http::check_callback_url(*cb, "callback_url"));
  p.knowledge_base_id = kb.value_or("");
  p.callback_url = cb.value_or("");
  GRIDKE_TRY(s.register_provider(p));
  return http::Response::json(200, provider_json(p));
}

Result<http::Response> post_consent(MeteringService& s, const http::Request& req) {
  GRIDKE_ASSIGN_OR_RETURN(const json body, req.json());
  GRIDKE_TRY(http::check_object(
      body, "", {"provider", "prm", "data_points", "purpose", "retention_days", "recipients"}));
  Consent c;
  GRIDKE_ASSIGN_OR_RETURN(c.provider, http::get_string(body, "", "provider"));
  GRIDKE_ASSIGN_OR_RETURN(c.prm, http::get_string(body, "", "prm"));
  GRIDKE_ASSIGN_OR_RETURN(c.data_points, data_points(body, "", "data_points"));
  GRIDKE_ASSIGN_OR_RETURN(c.purpose, http::get_string(body, "", "purpose"));
  GRIDKE_ASSIGN_OR_RETURN(const auto days, http::get_integer(body, "", "retention_days"));
  c.retention_days = static_cast<int>(std::clamp<std::int64_t>(days, -1, 1'000'000));
  GRIDKE_ASSIGN_OR_RETURN(const json* recipients, http::get_array(body, "", "recipients"));
  for (std::size_t i = 0; i < recipients->size(); ++i) {
    if (!(*recipients)[i].is_string()) {
      return invalid_argument(http::join("recipients", i) + ": must be a string");
    }
    c.recipients.push_back((*recipients)[i].get<std::string>());
  }
  GRIDKE_ASSIGN_OR_RETURN(auto granted, s.grant_consent(std::move(c)));
  return http::Response::json(201, to_json(granted));
}

Result<http::Response> list_consents(MeteringService& s, const http::Request& req) {
  GRIDKE_TRY(req.check_query({"provider"}));
  GRIDKE_ASSIGN_OR_RETURN(auto all, s.consents(req.query_value("provider").value_or("")));
  json out = json::array();
  for (const auto& c : all) out.push_back(to_json(c));
  return http::Response::json(200, json{{"consents", out}});
}

Result<http::Response> ingest(MeteringService& s, const http::Request& req) {
  GRIDKE_ASSIGN_OR_RETURN(auto summary, s.ingest(req.param("prm"), req.body));
  return http::Response::json(200, json{{"frames", summary.frames},
                                        {"readings", summary.readings},
                                        {"good_groups", summary.good_groups},
                                        {"corrupt_groups", summary.corrupt_groups},
                                        {"rejected_frames", summary.rejected_frames},
                                        {"deliveries", summary.deliveries},
                                        {"errors", summary.errors}});
}

Result<std::optional<bool>> optional_bool(const json& body, const char* key) {
  if (!body.contains(key)) return std::optional<bool>();
  GRIDKE_ASSIGN_OR_RETURN(const bool v, http::get_bool(body, "", key));
  return std::optional<bool>(v);
}

// {"limit_kw", "from"?, "until"?, "obligatory"?, "active"?}: from defaults to now, until to
// from + MeteringService::power_limit_default_duration.
Result<http::Response> power_limit(MeteringService& s, const http::Request& req) {
  GRIDKE_ASSIGN_OR_RETURN(const json body, req.json());
  GRIDKE_TRY(http::check_object(body, "", {"limit_kw", "from", "until", "obligatory", "active"}));
  PowerLimitOrder order;
  GRIDKE_ASSIGN_OR_RETURN(order.limit_kw, http::get_number(body, "", "limit_kw"));
  order.from = s.now();
  if (body.contains("from")) {
    GRIDKE_ASSIGN_OR_RETURN(order.from, http::get_time(body, "", "from"));
  }
  order.until = order.from + MeteringService::power_limit_default_duration;
  if (body.contains("until")) {
    GRIDKE_ASSIGN_OR_RETURN(order.until, http::get_time(body, "", "until"));
  }
  GRIDKE_ASSIGN_OR_RETURN(const auto obligatory, optional_bool(body, "obligatory"));
  GRIDKE_ASSIGN_OR_RETURN(const auto active, optional_bool(body, "active"));
  order.obligatory = obligatory.value_or(true);
  order.active = active.value_or(true);
  GRIDKE_ASSIGN_OR_RETURN(const auto n, s.limit_power(req.param("prm"), order));
  return http::Response::json(200, json{{"forwarded_to", n},
                                        {"from", http::format_time(order.from)},
                                        {"until", http::format_time(order.until)}});
}

Result<http::Response> put_zone(MeteringService& s, const http::Request& req) {
  GRIDKE_ASSIGN_OR_RETURN(const json body, req.json());
  GRIDKE_TRY(http::check_object(body, "", {"meters"}));
  ZoneMembership z;
  z.zone = req.param("zone");
  GRIDKE_ASSIGN_OR_RETURN(const json* meters, http::get_array(body, "", "meters"));
  for (std::size_t j = 0; j < meters->size(); ++j) {
    if (!(*meters)[j].is_string()) {
      return invalid_argument(http::join("meters", j) + ": must be a string, got " +
                              std::string(http::type_name((*meters)[j])));
    }
    z.meters.push_back((*meters)[j].get<std::string>());
  }
  GRIDKE_TRY(s.set_zone(z));
  return http::Response::json(200, json{{"zone", z.zone}, {"meters", z.meters.size()}});
}

// Anonymised consumption per configured grid zone over the stored readings (open-data.md).
// Zones are the platform's (PUT /zones/{zone}), never the requester's: zones chosen per
// request could be differenced across requests.
Result<http::Response> open_data(MeteringService& s, const http::Request& req) {
  GRIDKE_ASSIGN_OR_RETURN(const json body, req.json());
  GRIDKE_TRY(http::check_object(body, "", {"from", "to", "k"}));
  GRIDKE_ASSIGN_OR_RETURN(const auto from, http::get_time(body, "", "from"));
  GRIDKE_ASSIGN_OR_RETURN(const auto to, http::get_time(body, "", "to"));
  GRIDKE_ASSIGN_OR_RETURN(const auto k, http::get_optional_integer(body, "", "k"));
  if (k && *k < 1) return invalid_argument("k: must be >= 1, got " + std::to_string(*k));
  AnonymisationPolicy policy{s.open_data_k()};
  if (k) policy.k = static_cast<std::size_t>(*k);
  GRIDKE_ASSIGN_OR_RETURN(auto release, s.open_data_consumption(from, to, policy.k));
  json published = json::array(), suppressed = json::array();
  for (const auto& z : release.published) {
    published.push_back(
        {{"zone", z.zone}, {"energy_kwh", z.energy_kwh}, {"consumers", z.consumers}});
  }
  for (const auto& z : release.suppressed) {
    suppressed.push_back({{"zone", z.zone}, {"reason", z.reason}});
  }
  return http::Response::json(200, json{{"from", http::format_time(from)},
                                        {"to", http::format_time(to)},
                                        {"k", policy.k},
                                        {"published", published},
                                        {"suppressed", suppressed}});
}

// GET /open-data/flexibility?from=&to= (both optional: unbounded).
Result<http::Response> open_flexibility(MeteringService& s, const http::Request& req) {
  GRIDKE_TRY(req.check_query({"from", "to"}));
  TimePoint from = TimePoint::min(), to = TimePoint::max();
  if (auto v = req.query_value("from")) {
    GRIDKE_ASSIGN_OR_RETURN(from, http::parse_time(*v, "from"));
  }
  if (auto v = req.query_value("to")) {
    GRIDKE_ASSIGN_OR_RETURN(to, http::parse_time(*v, "to"));
  }
  GRIDKE_ASSIGN_OR_RETURN(auto slots, s.flexibility_by_zone(from, to));
  json zones = json::array();
  for (const auto& z : slots) {
    zones.push_back({{"zone", z.zone},
                     {"direction", std::string(to_string(z.direction))},
                     {"start", http::format_time(z.start)},
                     {"end", http::format_time(z.end)},
                     {"needs_kw", z.needs_kw},
                     {"needs", z.needs},
                     {"kind", z.forecast ? "forecast" : "historical"}});
  }
  return http::Response::json(200, json{{"flexibility", zones}});
}

}  // namespace

json to_json(const Consent& c) {
  json out{{"id", c.id},
           {"provider", c.provider},
           {"prm", c.prm},
           {"data_points", names(c.data_points)},
           {"purpose", c.purpose},
           {"retention_days", c.retention_days},
           {"recipients", c.recipients},
           {"granted_at", http::format_time(c.granted_at)},
           {"active", c.active()}};
  if (c.withdrawn_at) out["withdrawn_at"] = http::format_time(*c.withdrawn_at);
  return out;
}

json to_json(const Delivery& d) {
  const auto& r = d.reading;
  json out{
      {"event", std::string(to_string(d.kind))}, {"provider", d.provider}, {"pdl", d.prm_token}};
  if (r.time != TimePoint{}) out["time"] = http::format_time(r.time);
  out["mode"] = std::string(to_string(r.mode));
  if (r.east_wh) out["east_wh"] = *r.east_wh;
  if (r.eait_wh) out["eait_wh"] = *r.eait_wh;
  if (r.irms1_a) out["irms1_a"] = *r.irms1_a;
  if (r.urms1_v) out["urms1_v"] = *r.urms1_v;
  if (r.pref_kva) out["pref_kva"] = *r.pref_kva;
  if (r.pcoup_kva) out["pcoup_kva"] = *r.pcoup_kva;
  if (r.sinsts_va) out["sinsts_va"] = *r.sinsts_va;
  if (r.sinsti_va) out["sinsti_va"] = *r.sinsti_va;
  if (r.stge) {
    char hex[16];
    std::snprintf(hex, sizeof hex, "%08X", *r.stge);
    out["stge"] = hex;
    out["overrun"] = r.overrun;
  }
  if (d.kind == EventKind::power_limit) {
    out["power_limit_kw"] = d.power_limit.limit_kw;
    out["power_limit_from"] = http::format_time(d.power_limit.from);
    out["power_limit_until"] = http::format_time(d.power_limit.until);
    out["obligatory"] = d.power_limit.obligatory;
    out["active"] = d.power_limit.active;
  }
  return out;
}

Result<std::vector<ZoneFlexibilityNeed>> needs_from_market_json(const json& body) {
  GRIDKE_ASSIGN_OR_RETURN(const json* list, http::get_array(body, "", "needs"));
  std::vector<ZoneFlexibilityNeed> out;
  out.reserve(list->size());
  for (std::size_t i = 0; i < list->size(); ++i) {
    const json& n = (*list)[i];
    const std::string path = http::join("needs", i);
    ZoneFlexibilityNeed need;
    GRIDKE_ASSIGN_OR_RETURN(need.zone, http::get_string(n, path, "zone"));
    GRIDKE_ASSIGN_OR_RETURN(need.needs_kw, http::get_number(n, path, "needs"));
    GRIDKE_ASSIGN_OR_RETURN(const std::string dir, http::get_string(n, path, "direction"));
    if (dir == "Up" || dir == "up") {
      need.direction = FlexDirection::up;
    } else if (dir == "Down" || dir == "down") {
      need.direction = FlexDirection::down;
    } else {
      return invalid_argument(http::join(path, "direction") +
                              ": expected \"Up\" or \"Down\", got '" + dir + "'");
    }
    GRIDKE_ASSIGN_OR_RETURN(need.start, http::get_time(n, path, "startTime"));
    GRIDKE_ASSIGN_OR_RETURN(need.end, http::get_time(n, path, "endTime"));
    out.push_back(std::move(need));
  }
  return out;
}

FlexibilityNeedsSource http_needs_source(std::string needs_url, std::chrono::milliseconds timeout) {
  return [url = std::move(needs_url), timeout]() -> Result<std::vector<ZoneFlexibilityNeed>> {
    http::ClientOptions options;
    options.timeout = timeout;
    GRIDKE_ASSIGN_OR_RETURN(auto r, http::request("GET", url, {}, options));
    if (r.status == 404) {
      return unavailable(
          "no flexibility data source is configured: no flexibility market "
          "answers at " +
          url + " (404)");
    }
    if (r.status < 200 || r.status > 299) {
      return unavailable("the flexibility market at " + url + " answered " +
                         std::to_string(r.status));
    }
    GRIDKE_ASSIGN_OR_RETURN(const json body, r.json());
    auto needs = needs_from_market_json(body);
    if (!needs) return needs.error().with_context(url);
    return needs;
  };
}

http::Router make_router(MeteringService& service) {
  http::Router r;
  MeteringService* s = &service;
  r.put("/providers/{id}", [s](const http::Request& q) { return put_provider(*s, q); });
  r.get("/providers", [s](const http::Request&) -> Result<http::Response> {
    json out = json::array();
    for (const auto& p : s->providers()) out.push_back(provider_json(p));
    return http::Response::json(200, json{{"providers", out}});
  });
  r.post("/consents", [s](const http::Request& q) { return post_consent(*s, q); });
  r.get("/consents", [s](const http::Request& q) { return list_consents(*s, q); });
  r.del("/consents/{id}", [s](const http::Request& q) -> Result<http::Response> {
    GRIDKE_ASSIGN_OR_RETURN(auto c, s->withdraw_consent(q.param("id")));
    return http::Response::json(200, to_json(c));
  });
  r.post("/gateways/{prm}/frames", [s](const http::Request& q) { return ingest(*s, q); });
  r.get("/providers/{id}/meters", [s](const http::Request& q) -> Result<http::Response> {
    GRIDKE_ASSIGN_OR_RETURN(auto all, s->latest_all(q.param("id")));
    json out = json::array();
    for (const auto& d : all) out.push_back(to_json(d));
    return http::Response::json(200, json{{"meters", out}});
  });
  r.get("/providers/{id}/meters/{pdl}/latest",
        [s](const http::Request& q) -> Result<http::Response> {
          GRIDKE_ASSIGN_OR_RETURN(auto d, s->latest(q.param("id"), q.param("pdl")));
          return http::Response::json(200, to_json(d));
        });
  r.post("/meters/{prm}/power-limit", [s](const http::Request& q) { return power_limit(*s, q); });
  r.put("/zones/{zone}", [s](const http::Request& q) { return put_zone(*s, q); });
  r.get("/zones", [s](const http::Request&) -> Result<http::Response> {
    json out = json::array();
    for (const auto& z : s->zones()) out.push_back({{"zone", z.zone}, {"meters", z.meters}});
    return http::Response::json(200, json{{"zones", out}});
  });
  r.del("/zones/{zone}", [s](const http::Request& q) -> Result<http::Response> {
    GRIDKE_TRY(s->remove_zone(q.param("zone")));
    return http::Response::json(200, json{{"removed", q.param("zone")}});
  });
  r.post("/open-data/consumption", [s](const http::Request& q) { return open_data(*s, q); });
  r.get("/open-data/flexibility", [s](const http::Request& q) { return open_flexibility(*s, q); });
  r.post("/retention", [s](const http::Request&) -> Result<http::Response> {
    GRIDKE_ASSIGN_OR_RETURN(const auto n, s->enforce_retention());
    return http::Response::json(200, json{{"deleted_readings", n}});
  });
  r.get("/stats", [s](const http::Request&) -> Result<http::Response> {
    const auto st = s->stats();
    return http::Response::json(200, json{{"frames", st.frames},
                                          {"good_groups", st.good_groups},
                                          {"corrupt_groups", st.corrupt_groups},
                                          {"rejected_frames", st.rejected_frames},
                                          {"deliveries", st.deliveries},
                                          {"withheld", st.withheld}});
  });
  return r;
}

CallbackForwarder::CallbackForwarder(MeteringService& service) : service_(service) {
  listener_ = service_.add_listener([this](const Delivery& d) {
    if (d.callback_url.empty()) return;
    dispatcher_.enqueue(d.callback_url, to_json(d).dump(), std::string(to_string(d.kind)));
  });
}

CallbackForwarder::~CallbackForwarder() {
  service_.remove_listener(listener_);
  dispatcher_.stop();
}

http::DeliveryStats CallbackForwarder::stats() const { return dispatcher_.stats(); }
bool CallbackForwarder::wait_idle(std::chrono::milliseconds timeout) const {
  return dispatcher_.wait_idle(timeout);
}

}  // namespace gridke::services::metering
