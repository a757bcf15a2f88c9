// RestApi: cpprestsdk http_listener → routes → FaultLocationService, JSON in and out.

#include "gridke/services/fault_location/rest_api.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cpprest/http_listener.h>
#include <cpprest/uri.h>

#include <atomic>
#include <charconv>
#include <condition_variable>
#include <cstring>
#include <map>
#include <thread>
#include <utility>
#include <vector>

#include "callback_dispatcher.hpp"
#include "json_codec.hpp"

namespace gridke::services::fault_location {

using nlohmann::json;
namespace http = web::http;

namespace {

struct Reply {
  int status = 200;
  json body;
};

Reply fail(const Error& e) { return {e.http_status(), rest::error_json(e)}; }

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

Result<std::uint16_t> pick_free_port(const std::string& host) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* res = nullptr;
  if (int rc = getaddrinfo(host.c_str(), "0", &hints, &res); rc != 0) {
    return unavailable("cannot resolve bind_address '" + host + "': " + gai_strerror(rc));
  }
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> guard(res, &freeaddrinfo);
  for (addrinfo* ai = res; ai != nullptr; ai = ai->ai_next) {
    const int fd = ::socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
    if (fd < 0) continue;
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    const bool bound = ::bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
                       ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
    ::close(fd);
    if (!bound) continue;
    return addr.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port)
                                      : ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
  }
  return unavailable("cannot bind a socket on '" + host + "': " + std::strerror(errno));
}

Result<int> query_int(const std::map<std::string, std::string>& q, const std::string& key,
                      int fallback, int lo, int hi) {
  auto it = q.find(key);
  if (it == q.end()) return fallback;
  int v = 0;
  auto [p, ec] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), v);
  if (ec != std::errc() || p != it->second.data() + it->second.size() || v < lo || v > hi) {
    return invalid_argument(key + ": '" + it->second + "' must be an integer in [" +
                            std::to_string(lo) + ", " + std::to_string(hi) + "]");
  }
  return v;
}

Result<void> check_callback_url(const std::string& url) {
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
    return invalid_argument("callbackUrl: '" + url + "' must be an absolute http(s) URL");
  }
  if (!web::uri::validate(url) || web::uri(url).host().empty()) {
    return invalid_argument("callbackUrl: '" + url + "' is not a valid URL");
  }
  return ok();
}

}  // namespace

struct RestApi::Impl {
  FaultLocationService& service;
  RestOptions options;
  std::uint16_t port = 0;
  std::unique_ptr<http::experimental::listener::http_listener> listener;
  std::unique_ptr<rest::CallbackDispatcher> dispatcher;
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
      if (sub.zone.empty() || sub.zone == n.zone) dispatcher->enqueue(sub.endpoint, body);
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

  Reply route(const http::method& method, const std::vector<std::string>& path,
              const std::map<std::string, std::string>& query, const std::string& body);
  Reply parameters(const http::method& m, const std::string& body);
  Reply monitoring(const http::method& m, const std::vector<std::string>& path,
                   const std::string& body);
  Reply zones(const http::method& m, const std::vector<std::string>& path, const std::string& body);
  Reply hems(const http::method& m, const std::vector<std::string>& path,
             const std::map<std::string, std::string>& query, const std::string& body);
  Reply voltages(const http::method& m, const std::string& body);
  Reply faults(const http::method& m, const std::vector<std::string>& path,
               const std::map<std::string, std::string>& query);
  Reply subscriptions(const http::method& m, const std::vector<std::string>& path,
                      const std::string& body);

  void handle(http::http_request req) {
    Reply reply;
    try {
      const auto path = web::uri::split_path(web::uri::decode(req.relative_uri().path()));
      const auto raw_query = web::uri::split_query(req.relative_uri().query());
      std::map<std::string, std::string> query;
      for (const auto& [k, v] : raw_query) query[web::uri::decode(k)] = web::uri::decode(v);
      const std::string body = req.extract_utf8string(true).get();
      reply = route(req.method(), path, query, body);
    } catch (const std::exception& e) {
      reply = fail(internal_error(std::string("request failed: ") + e.what()));
    }
    try {
      req.reply(static_cast<http::status_code>(reply.status), reply.body.dump(),
                "application/json");
    } catch (const std::exception&) {
      // The client went away; nothing to answer.
    }
  }
};

Reply RestApi::Impl::route(const http::method& method, const std::vector<std::string>& path,
                           const std::map<std::string, std::string>& query,
                           const std::string& body) {
  if (path.empty()) return fail(not_found("no resource at the base path"));
  const std::string& head = path[0];
  if (head == "parameters" && path.size() == 1) return parameters(method, body);
  if (head == "monitoring") return monitoring(method, path, body);
  if (head == "zones") return zones(method, path, body);
  if (head == "hems") return hems(method, path, query, body);
  if (head == "voltages" && path.size() == 1) return voltages(method, body);
  if (head == "faults") return faults(method, path, query);
  if (head == "subscriptions") return subscriptions(method, path, body);
  return fail(not_found("no resource '" + head + "' (see docs/fault-location.md)"));
}

namespace {
Reply method_not_allowed(const http::method& m, const char* allowed) {
  return {405, rest::error_json(
                   failed_precondition("method " + m + " not allowed here; use " + allowed))};
}
}  // namespace

Reply RestApi::Impl::parameters(const http::method& m, const std::string& body) {
  if (m == http::methods::GET) return {200, rest::to_json(service.default_parameters())};
  if (m != http::methods::POST) return method_not_allowed(m, "GET or POST");
  auto j = rest::parse_body(body);
  if (!j) return fail(j.error());
  auto p = rest::parameters_from_json(*j, service.default_parameters());
  if (!p) return fail(p.error());
  if (auto r = service.set_default_parameters(*p); !r) return fail(to_rest_names(r.error()));
  return {200, rest::to_json(*p)};
}

Reply RestApi::Impl::monitoring(const http::method& m, const std::vector<std::string>& path,
                                const std::string& body) {
  if (path.size() == 1 && m == http::methods::GET) {
    json list = json::array();
    for (const auto& mon : service.list_monitoring()) list.push_back(rest::to_json(mon));
    return {200, {{"monitoring", list}}};
  }
  if (path.size() == 1 && m == http::methods::POST) {
    auto j = rest::parse_body(body);
    if (!j) return fail(j.error());
    auto req = rest::monitoring_request_from_json(*j);
    if (!req) return fail(req.error());
    auto d = service.request_monitoring(*req);
    if (!d) return fail(to_rest_names(d.error()));
    return {d->accepted ? 201 : 200, rest::to_json(*d)};
  }
  if (path.size() == 2 && m == http::methods::DEL) {
    if (auto r = service.cancel_monitoring(path[1]); !r) return fail(r.error());
    return {200, {{"cancelled", path[1]}}};
  }
  return path.size() == 1 ? method_not_allowed(m, "GET or POST") : method_not_allowed(m, "DELETE");
}

Reply RestApi::Impl::zones(const http::method& m, const std::vector<std::string>& path,
                           const std::string& body) {
  if (path.size() == 1) {
    if (m != http::methods::GET) return method_not_allowed(m, "GET");
    json list = json::array();
    for (const auto& z : service.list_zones()) list.push_back(rest::to_json(z));
    return {200, {{"gridZones", list}}};
  }
  if (path.size() != 2) return fail(not_found("no such zone resource"));
  if (m == http::methods::GET) {
    auto z = service.zone(path[1]);
    if (!z) return fail(z.error());
    return {200, rest::to_json(*z)};
  }
  if (m != http::methods::PUT) return method_not_allowed(m, "GET or PUT");
  auto j = rest::parse_body(body, true);
  if (!j) return fail(j.error());
  auto zone = rest::zone_from_json(*j, path[1]);
  if (!zone) return fail(zone.error());
  if (auto r = service.add_zone(*zone); !r) return fail(to_rest_names(r.error()));
  return {201, rest::to_json(*service.zone(path[1]))};
}

Reply RestApi::Impl::hems(const http::method& m, const std::vector<std::string>& path,
                          const std::map<std::string, std::string>& query,
                          const std::string& body) {
  if (path.size() == 2 && m == http::methods::PUT) {
    auto j = rest::parse_body(body);
    if (!j) return fail(j.error());
    auto h = rest::hems_from_json(*j, path[1]);
    if (!h) return fail(h.error());
    if (auto r = service.add_hems(*h); !r) return fail(to_rest_names(r.error()));
    return {201, rest::to_json(*service.hems_status(path[1]))};
  }
  if (path.size() != 3) return fail(not_found("use /hems/{id}/status or /hems/{id}/voltage"));
  if (m != http::methods::GET) return method_not_allowed(m, "GET");
  if (path[2] == "status") {
    auto s = service.hems_status(path[1]);
    if (!s) return fail(s.error());
    return {200, rest::to_json(*s)};
  }
  if (path[2] != "voltage") return fail(not_found("no resource '" + path[2] + "' for a HEMS"));
  auto limit = query_int(query, "limit", 1, 1, 10'000);
  if (!limit) return fail(limit.error());
  std::optional<TimeWindow> range;
  if (query.contains("from") || query.contains("to")) {
    if (!query.contains("from") || !query.contains("to")) {
      return fail(invalid_argument("from, to: give both or neither"));
    }
    auto from = rest::parse_timestamp(query.at("from"), "from");
    if (!from) return fail(from.error());
    auto to = rest::parse_timestamp(query.at("to"), "to");
    if (!to) return fail(to.error());
    if (*to <= *from) return fail(invalid_argument("to: must be after from"));
    range = TimeWindow{*from, *to};
  }
  auto v = service.hems_voltages(path[1], *limit, range);
  if (!v) return fail(v.error());
  json readings = json::array();
  for (const auto& r : *v) {
    readings.push_back({{"timestamp", rest::format_timestamp(r.time)}, {"voltage", r.voltage_v}});
  }
  return {200, {{"hemsId", path[1]}, {"readings", readings}}};
}

Reply RestApi::Impl::voltages(const http::method& m, const std::string& body) {
  if (m != http::methods::POST) return method_not_allowed(m, "POST");
  auto j = rest::parse_body(body);
  if (!j) return fail(j.error());
  auto readings = rest::readings_from_json(*j);
  if (!readings) return fail(readings.error());
  auto s = service.ingest(*readings);
  if (!s) return fail(to_rest_names(s.error()));
  return {200, rest::to_json(*s)};
}

Reply RestApi::Impl::faults(const http::method& m, const std::vector<std::string>& path,
                            const std::map<std::string, std::string>& query) {
  if (m != http::methods::GET) return method_not_allowed(m, "GET");
  if (path.size() == 2) {
    auto n = service.notification(path[1]);
    if (!n) return fail(n.error());
    return {200, rest::to_json(*n)};
  }
  if (path.size() != 1) return fail(not_found("no such notification resource"));
  NotificationQuery q;
  for (const auto& [k, v] : query) {
    if (k != "since" && k != "gridZone" && k != "active" && k != "kind") {
      return fail(
          invalid_argument(k + ": unknown query parameter (since, gridZone, active, kind)"));
    }
  }
  const auto since = query.find("since");
  if (since != query.end()) {
    std::int64_t v = 0;
    auto [p, ec] =
        std::from_chars(since->second.data(), since->second.data() + since->second.size(), v);
    if (ec != std::errc() || p != since->second.data() + since->second.size() || v < 0) {
      return fail(invalid_argument("since: '" + since->second + "' must be a revision >= 0"));
    }
    q.since_revision = v;
  }
  if (auto z = query.find("gridZone"); z != query.end()) q.zone = z->second;
  if (auto a = query.find("active"); a != query.end()) {
    if (a->second != "true" && a->second != "false") {
      return fail(invalid_argument("active: '" + a->second + "' must be true or false"));
    }
    q.active_only = a->second == "true";
  }
  if (auto k = query.find("kind"); k != query.end()) {
    if (k->second == "power_fault") {
      q.kind = NotificationKind::power_fault;
    } else if (k->second == "abnormal_voltage") {
      q.kind = NotificationKind::abnormal_voltage;
    } else {
      return fail(
          invalid_argument("kind: '" + k->second + "' must be power_fault or abnormal_voltage"));
    }
  }
  const auto revision = service.revision();
  json list = json::array();
  for (const auto& n : service.notifications(q)) list.push_back(rest::to_json(n));
  return {200, {{"revision", revision}, {"notifications", list}}};
}

Reply RestApi::Impl::subscriptions(const http::method& m, const std::vector<std::string>& path,
                                   const std::string& body) {
  if (path.size() == 1 && m == http::methods::GET) {
    json list = json::array();
    for (const auto& s : service.subscriptions()) list.push_back(rest::to_json(s));
    return {200, {{"subscriptions", list}}};
  }
  if (path.size() == 1 && m == http::methods::POST) {
    auto j = rest::parse_body(body);
    if (!j) return fail(j.error());
    if (auto r = rest::check_object(*j, "", {"callbackUrl", "gridZone"}); !r) {
      return fail(r.error());
    }
    if (!j->contains("callbackUrl") || !(*j)["callbackUrl"].is_string()) {
      return fail(invalid_argument("callbackUrl: must be a string"));
    }
    const std::string url = (*j)["callbackUrl"].get<std::string>();
    if (auto r = check_callback_url(url); !r) return fail(r.error());
    std::string zone;
    if (j->contains("gridZone")) {
      if (!(*j)["gridZone"].is_string())
        return fail(invalid_argument("gridZone: must be a string"));
      zone = (*j)["gridZone"].get<std::string>();
    }
    auto s = service.add_subscription(url, zone);
    if (!s) return fail(to_rest_names(s.error()));
    return {201, rest::to_json(*s)};
  }
  if (path.size() == 2 && m == http::methods::DEL) {
    if (auto r = service.remove_subscription(path[1]); !r) return fail(r.error());
    return {200, {{"deleted", path[1]}}};
  }
  return path.size() == 1 ? method_not_allowed(m, "GET or POST") : method_not_allowed(m, "DELETE");
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
  const bool ephemeral = impl->options.port == 0;
  std::string last_error;
  for (int attempt = 0; attempt < (ephemeral ? 5 : 1) && !impl->listener; ++attempt) {
    std::uint16_t port = impl->options.port;
    if (ephemeral) {
      GRIDKE_ASSIGN_OR_RETURN(port, pick_free_port(impl->options.bind_address));
    }
    const auto& host = impl->options.bind_address;
    const bool v6 = host.find(':') != std::string::npos;
    const std::string uri = "http://" + (v6 ? "[" + host + "]" : host) + ":" +
                            std::to_string(port) + impl->options.base_path;
    try {
      auto listener = std::make_unique<http::experimental::listener::http_listener>(uri);
      Impl* raw = impl.get();
      listener->support([raw](http::http_request req) { raw->handle(std::move(req)); });
      listener->open().wait();
      impl->listener = std::move(listener);
      impl->port = port;
    } catch (const std::exception& e) {
      last_error = e.what();
    }
  }
  if (!impl->listener) {
    return unavailable("cannot listen on " + impl->options.bind_address + ":" +
                       std::to_string(impl->options.port) + ": " + last_error);
  }
  impl->dispatcher = std::make_unique<rest::CallbackDispatcher>(impl->options.callback_attempts,
                                                                impl->options.callback_backoff,
                                                                impl->options.callback_timeout);
  Impl* raw = impl.get();
  impl->listener_handle =
      service.add_listener([raw](const Notification& n) { raw->on_notification(n); });
  if (impl->options.detection_period.count() > 0) {
    impl->ticker = std::thread([raw] { raw->tick_loop(); });
  }
  return std::unique_ptr<RestApi>(new RestApi(std::move(impl)));
}

std::uint16_t RestApi::port() const { return impl_->port; }

std::string RestApi::base_url() const {
  const auto& host = impl_->options.bind_address;
  const bool v6 = host.find(':') != std::string::npos;
  return "http://" + (v6 ? "[" + host + "]" : host) + ":" + std::to_string(impl_->port) +
         impl_->options.base_path;
}

void RestApi::stop() {
  if (!impl_ || impl_->stopped.exchange(true)) return;
  impl_->service.remove_listener(impl_->listener_handle);
  {
    std::lock_guard lock(impl_->tick_mu);
    impl_->tick_stop = true;
  }
  impl_->tick_cv.notify_all();
  if (impl_->ticker.joinable()) impl_->ticker.join();
  try {
    impl_->listener->close().wait();
  } catch (const std::exception&) {
    // Already closed or never fully opened: nothing left to release.
  }
  impl_->dispatcher->stop();
}

DeliveryStats RestApi::deliveries() const { return impl_->dispatcher->stats(); }

bool RestApi::wait_for_deliveries(std::chrono::milliseconds timeout) const {
  return impl_->dispatcher->wait_idle(timeout);
}

}  // namespace gridke::services::fault_location
