// RestApi: gridke::http Router (routes below) behind a JsonServer → FaultLocationService.
// Notification changes go to subscribers through http::CallbackDispatcher.

#include "gridke/services/fault_location/rest_api.hpp"

#include <atomic>
#include <condition_variable>
#include <cstring>
#include <limits>
#include <mutex>
#include <thread>
#include <utility>

#include "gridke/http/client.hpp"
#include "gridke/http/server.hpp"
#include "json_codec.hpp"

namespace gridke::services::fault_location {

using gridke::http::Request;
using gridke::http::Response;
using nlohmann::json;

namespace {

// The service names fields in C++ style; the REST client sent them in JSON style.
Error to_rest_names(Error e) {
  static const std::pair<const char*, const char*> names[] = {
      {"min_silent_hems", "minSilentHems"},
      {"min_silence", "minSilenceSeconds"},
      {"].hems_id", "].hemsId"},
      {"].voltage_v", "].voltage"},
      {"].time ", "].timestamp "},
      {"zone.nominal_voltage_v", "nominalVoltage"},
      {"hems.zone", "gridZone"},
      {"zone must not be empty", "gridZone must not be empty"},
      {"endpoint must", "callbackUrl must"}};
  std::string m = e.message();
  for (const auto& [from, to] : names) {
    for (auto pos = m.find(from); pos != std::string::npos; pos = m.find(from, pos)) {
      m.replace(pos, std::strlen(from), to);
      pos += std::strlen(to);
    }
  }
  return Error(e.code(), m, e.location());
}

Response reply(int status, json body) { return Response::json(status, std::move(body)); }

}  // namespace

struct RestApi::Impl {
  FaultLocationService& service;
  RestOptions options;
  std::unique_ptr<http::CallbackDispatcher> dispatcher;
  std::unique_ptr<http::JsonServer> server;  // after the dispatcher: handlers may enqueue
  int listener_handle = 0;
  std::atomic<bool> stopped{false};
  std::thread ticker;
  std::mutex tick_mu;
  std::condition_variable tick_cv;
  bool tick_stop = false;

  Impl(FaultLocationService& s, RestOptions o) : service(s), options(std::move(o)) {}

  void on_notification(const Notification& n) {
    const std::string body = rest::to_json(n).dump();
    for (const auto& sub : service.subscriptions()) {
      if (sub.zone.empty() || sub.zone == n.zone) dispatcher->enqueue(sub.endpoint, body, "fault");
    }
  }

  void tick_loop() {
    std::unique_lock lock(tick_mu);
    while (!tick_cv.wait_for(lock, options.detection_period, [this] { return tick_stop; })) {
      lock.unlock();
      (void)service.tick();  // failures are retried on the next period
      lock.lock();
    }
  }

  http::Router router();
  Result<Response> set_parameters(const Request& r);
  Result<Response> request_monitoring(const Request& r);
  Result<Response> put_zone(const Request& r);
  Result<Response> put_hems(const Request& r);
  Result<Response> hems_voltage(const Request& r);
  Result<Response> ingest(const Request& r);
  Result<Response> list_faults(const Request& r);
  Result<Response> subscribe(const Request& r);
};

http::Router RestApi::Impl::router() {
  http::Router r;
  FaultLocationService& s = service;
  r.get("/parameters",
        [&s](const Request&) -> Result<Response> {
          return reply(200, rest::to_json(s.default_parameters()));
        })
      .post("/parameters", [this](const Request& q) { return set_parameters(q); })
      .get("/monitoring",
           [&s](const Request&) -> Result<Response> {
             json list = json::array();
             for (const auto& mon : s.list_monitoring()) list.push_back(rest::to_json(mon));
             return reply(200, {{"monitoring", list}});
           })
      .post("/monitoring", [this](const Request& q) { return request_monitoring(q); })
      .del("/monitoring/{id}",
           [&s](const Request& q) -> Result<Response> {
             GRIDKE_TRY(s.cancel_monitoring(q.param("id")));
             return reply(200, {{"cancelled", q.param("id")}});
           })
      .get("/zones",
           [&s](const Request&) -> Result<Response> {
             json list = json::array();
             for (const auto& z : s.list_zones()) list.push_back(rest::to_json(z));
             return reply(200, {{"gridZones", list}});
           })
      .get("/zones/{zone}",
           [&s](const Request& q) -> Result<Response> {
             GRIDKE_ASSIGN_OR_RETURN(auto z, s.zone(q.param("zone")));
             return reply(200, rest::to_json(z));
           })
      .put("/zones/{zone}", [this](const Request& q) { return put_zone(q); })
      .put("/hems/{id}", [this](const Request& q) { return put_hems(q); })
      .get("/hems/{id}/status",
           [&s](const Request& q) -> Result<Response> {
             GRIDKE_ASSIGN_OR_RETURN(auto st, s.hems_status(q.param("id")));
             return reply(200, rest::to_json(st));
           })
      .get("/hems/{id}/voltage", [this](const Request& q) { return hems_voltage(q); })
      .post("/voltages", [this](const Request& q) { return ingest(q); })
      .get("/faults", [this](const Request& q) { return list_faults(q); })
      .get("/faults/{id}",
           [&s](const Request& q) -> Result<Response> {
             GRIDKE_ASSIGN_OR_RETURN(auto n, s.notification(q.param("id")));
             return reply(200, rest::to_json(n));
           })
      .get("/subscriptions",
           [&s](const Request&) -> Result<Response> {
             json list = json::array();
             for (const auto& sub : s.subscriptions()) list.push_back(rest::to_json(sub));
             return reply(200, {{"subscriptions", list}});
           })
      .post("/subscriptions", [this](const Request& q) { return subscribe(q); })
      .del("/subscriptions/{id}", [&s](const Request& q) -> Result<Response> {
        GRIDKE_TRY(s.remove_subscription(q.param("id")));
        return reply(200, {{"deleted", q.param("id")}});
      });
  return r;
}

Result<Response> RestApi::Impl::set_parameters(const Request& q) {
  GRIDKE_ASSIGN_OR_RETURN(auto j, rest::parse_body(q.body));
  GRIDKE_ASSIGN_OR_RETURN(auto p, rest::parameters_from_json(j, service.default_parameters()));
  if (auto r = service.set_default_parameters(p); !r) return to_rest_names(r.error());
  return reply(200, rest::to_json(p));
}

Result<Response> RestApi::Impl::request_monitoring(const Request& q) {
  GRIDKE_ASSIGN_OR_RETURN(auto j, rest::parse_body(q.body));
  GRIDKE_ASSIGN_OR_RETURN(auto req, rest::monitoring_request_from_json(j));
  auto d = service.request_monitoring(req);
  if (!d) return to_rest_names(d.error());
  return reply(d->accepted ? 201 : 200, rest::to_json(*d));
}

Result<Response> RestApi::Impl::put_zone(const Request& q) {
  const std::string& id = q.param("zone");
  GRIDKE_ASSIGN_OR_RETURN(auto j, rest::parse_body(q.body, true));
  GRIDKE_ASSIGN_OR_RETURN(auto zone, rest::zone_from_json(j, id));
  if (auto r = service.add_zone(zone); !r) return to_rest_names(r.error());
  GRIDKE_ASSIGN_OR_RETURN(auto listing, service.zone(id));
  return reply(201, rest::to_json(listing));
}

Result<Response> RestApi::Impl::put_hems(const Request& q) {
  const std::string& id = q.param("id");
  GRIDKE_ASSIGN_OR_RETURN(auto j, rest::parse_body(q.body));
  GRIDKE_ASSIGN_OR_RETURN(auto h, rest::hems_from_json(j, id));
  if (auto r = service.add_hems(h); !r) return to_rest_names(r.error());
  GRIDKE_ASSIGN_OR_RETURN(auto status, service.hems_status(id));
  return reply(201, rest::to_json(status));
}

Result<Response> RestApi::Impl::hems_voltage(const Request& q) {
  GRIDKE_TRY(q.check_query({"limit", "from", "to"}));
  GRIDKE_ASSIGN_OR_RETURN(auto limit, q.query_int("limit", 1, 10'000));
  std::optional<TimeWindow> range;
  const auto from_text = q.query_value("from");
  const auto to_text = q.query_value("to");
  if (from_text || to_text) {
    if (!from_text || !to_text) return invalid_argument("from, to: give both or neither");
    GRIDKE_ASSIGN_OR_RETURN(auto from, rest::parse_timestamp(*from_text, "from"));
    GRIDKE_ASSIGN_OR_RETURN(auto to, rest::parse_timestamp(*to_text, "to"));
    if (to <= from) return invalid_argument("to: must be after from");
    range = TimeWindow{from, to};
  }
  const std::string& id = q.param("id");
  GRIDKE_ASSIGN_OR_RETURN(auto v,
                          service.hems_voltages(id, static_cast<int>(limit.value_or(1)), range));
  json readings = json::array();
  for (const auto& r : v) {
    readings.push_back({{"timestamp", rest::format_timestamp(r.time)}, {"voltage", r.voltage_v}});
  }
  return reply(200, {{"hemsId", id}, {"readings", readings}});
}

Result<Response> RestApi::Impl::ingest(const Request& q) {
  GRIDKE_ASSIGN_OR_RETURN(auto j, rest::parse_body(q.body));
  GRIDKE_ASSIGN_OR_RETURN(auto readings, rest::readings_from_json(j));
  auto s = service.ingest(readings);
  if (!s) return to_rest_names(s.error());
  return reply(200, rest::to_json(*s));
}

Result<Response> RestApi::Impl::list_faults(const Request& q) {
  GRIDKE_TRY(q.check_query({"since", "gridZone", "active", "kind"}));
  NotificationQuery nq;
  GRIDKE_ASSIGN_OR_RETURN(auto since,
                          q.query_int("since", 0, std::numeric_limits<long long>::max()));
  if (since) nq.since_revision = *since;
  if (auto z = q.query_value("gridZone")) nq.zone = *z;
  GRIDKE_ASSIGN_OR_RETURN(auto active, q.query_bool("active"));
  if (active) nq.active_only = *active;
  if (auto k = q.query_value("kind")) {
    if (*k == "power_fault") {
      nq.kind = NotificationKind::power_fault;
    } else if (*k == "abnormal_voltage") {
      nq.kind = NotificationKind::abnormal_voltage;
    } else {
      return invalid_argument("kind: '" + *k + "' must be power_fault or abnormal_voltage");
    }
  }
  const auto revision = service.revision();
  json list = json::array();
  for (const auto& n : service.notifications(nq)) list.push_back(rest::to_json(n));
  return reply(200, {{"revision", revision}, {"notifications", list}});
}

Result<Response> RestApi::Impl::subscribe(const Request& q) {
  GRIDKE_ASSIGN_OR_RETURN(auto j, rest::parse_body(q.body));
  GRIDKE_TRY(rest::check_object(j, "", {"callbackUrl", "gridZone"}));
  if (!j.contains("callbackUrl") || !j["callbackUrl"].is_string()) {
    return invalid_argument("callbackUrl: must be a string");
  }
  const std::string url = j["callbackUrl"].get<std::string>();
  GRIDKE_TRY(http::check_callback_url(url, "callbackUrl"));
  std::string zone;
  if (j.contains("gridZone")) {
    if (!j["gridZone"].is_string()) return invalid_argument("gridZone: must be a string");
    zone = j["gridZone"].get<std::string>();
  }
  auto s = service.add_subscription(url, zone);
  if (!s) return to_rest_names(s.error());
  return reply(201, rest::to_json(*s));
}

RestApi::RestApi(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

RestApi::~RestApi() { stop(); }

Result<std::unique_ptr<RestApi>> RestApi::start(FaultLocationService& service,
                                                RestOptions options) {
  if (options.base_path.empty() || options.base_path[0] != '/') {
    return invalid_argument("base_path must start with '/', got '" + options.base_path + "'");
  }
  if (options.callback_attempts < 1) {
    return invalid_argument("callback_attempts must be >= 1, got " +
                            std::to_string(options.callback_attempts));
  }
  if (options.detection_period.count() < 0 || options.callback_backoff.count() < 0 ||
      options.callback_timeout.count() <= 0) {
    return invalid_argument(
        "detection_period and callback_backoff must be >= 0, callback_timeout > 0");
  }
  auto impl = std::make_unique<Impl>(service, std::move(options));
  impl->dispatcher = std::make_unique<http::CallbackDispatcher>(impl->options.callback_attempts,
                                                                impl->options.callback_backoff,
                                                                impl->options.callback_timeout);
  http::ServerOptions server_options;
  server_options.bind_address = impl->options.bind_address;
  server_options.port = impl->options.port;
  server_options.base_path = impl->options.base_path;
  server_options.tls = impl->options.tls;
  GRIDKE_ASSIGN_OR_RETURN(impl->server, http::JsonServer::start(impl->router(), server_options));
  Impl* raw = impl.get();
  impl->listener_handle =
      service.add_listener([raw](const Notification& n) { raw->on_notification(n); });
  if (impl->options.detection_period.count() > 0) {
    impl->ticker = std::thread([raw] { raw->tick_loop(); });
  }
  return std::unique_ptr<RestApi>(new RestApi(std::move(impl)));
}

std::uint16_t RestApi::port() const { return impl_->server->port(); }

std::string RestApi::base_url() const { return impl_->server->base_url(); }

void RestApi::stop() {
  if (!impl_ || impl_->stopped.exchange(true)) return;
  impl_->service.remove_listener(impl_->listener_handle);
  {
    std::lock_guard lock(impl_->tick_mu);
    impl_->tick_stop = true;
  }
  impl_->tick_cv.notify_all();
  if (impl_->ticker.joinable()) impl_->ticker.join();
  impl_->server->stop();
  impl_->dispatcher->stop();
}

DeliveryStats RestApi::deliveries() const {
  const auto s = impl_->dispatcher->stats();
  return {s.delivered, s.failed_attempts, s.abandoned};
}

bool RestApi::wait_for_deliveries(std::chrono::milliseconds timeout) const {
  return impl_->dispatcher->wait_idle(timeout);
}

}  // namespace gridke::services::fault_location
