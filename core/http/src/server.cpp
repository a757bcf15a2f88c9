// Router and JsonServer (server.hpp): the Boost.Beast transport (transport.hpp, a Mount on a
// port that may be shared) → handler threads → Router → handlers.

#include "gridke/http/server.hpp"

#include "gridke/http/transport.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <filesystem>
#include <mutex>
#include <set>
#include <thread>

namespace gridke::http {

using nlohmann::json;

// ---------------------------------------------------------------------------------------
// Request

Result<json> Request::json(bool allow_empty) const {
  const bool blank =
      std::all_of(body.begin(), body.end(), [](unsigned char c) { return std::isspace(c) != 0; });
  if (blank) {
    if (allow_empty) return nlohmann::json();
    return parse_error("request body is empty (expected JSON)");
  }
  try {
    return nlohmann::json::parse(body);
  } catch (const nlohmann::json::parse_error& e) {
    // e.byte is 1-based: turn it into a line and column for people.
    std::size_t line = 1, column = 1;
    const std::size_t end = std::min<std::size_t>(e.byte > 0 ? e.byte - 1 : 0, body.size());
    for (std::size_t i = 0; i < end; ++i) {
      if (body[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    std::string what = e.what();
    if (auto p = what.find("parse error"); p != std::string::npos) what = what.substr(p);
    return parse_error("request body is not valid JSON at line " + std::to_string(line) +
                       ", column " + std::to_string(column) + ": " + what);
  } catch (const nlohmann::json::exception& e) {
    // A number out of range (e.g. 1e400) is reported as out_of_range, not as a parse error.
    return parse_error(std::string("request body is not valid JSON: ") + e.what());
  }
}

std::optional<std::string> Request::header(std::string_view name) const {
  std::string key(name);
  std::transform(key.begin(), key.end(), key.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  auto it = headers.find(key);
  if (it == headers.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> Request::query_value(const std::string& name) const {
  auto it = query.find(name);
  if (it == query.end()) return std::nullopt;
  return it->second;
}

Result<std::optional<long long>> Request::query_int(const std::string& name, long long lo,
                                                    long long hi) const {
  auto v = query_value(name);
  if (!v) return std::optional<long long>();
  long long out = 0;
  auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
  if (ec != std::errc() || p != v->data() + v->size() || out < lo || out > hi) {
    return invalid_argument("query parameter " + name + ": '" + *v + "' must be an integer in [" +
                            std::to_string(lo) + ", " + std::to_string(hi) + "]");
  }
  return std::optional<long long>(out);
}

Result<std::optional<double>> Request::query_double(const std::string& name) const {
  auto v = query_value(name);
  if (!v) return std::optional<double>();
  double out = 0;
  auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
  if (ec != std::errc() || p != v->data() + v->size() || !std::isfinite(out)) {
    return invalid_argument("query parameter " + name + ": '" + *v + "' must be a number");
  }
  return std::optional<double>(out);
}

Result<std::optional<bool>> Request::query_bool(const std::string& name) const {
  auto v = query_value(name);
  if (!v) return std::optional<bool>();
  if (*v == "true" || *v == "1") return std::optional<bool>(true);
  if (*v == "false" || *v == "0") return std::optional<bool>(false);
  return invalid_argument("query parameter " + name + ": '" + *v + "' must be true or false");
}

Result<void> Request::check_query(std::initializer_list<std::string_view> known) const {
  for (const auto& [k, v] : query) {
    bool found = false;
    for (auto n : known) found = found || n == k;
    if (!found) {
      std::string list;
      for (auto n : known) list += (list.empty() ? "" : ", ") + std::string(n);
      return invalid_argument("query parameter " + k + ": unknown (known: " +
                              (list.empty() ? std::string("none") : list) + ")");
    }
  }
  return ok();
}

// ---------------------------------------------------------------------------------------
// Response

Response Response::json(int status, nlohmann::json body) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

Response Response::raw(int status, std::string content_type, std::string text) {
  Response r;
  r.status = status;
  r.content_type = std::move(content_type);
  r.text = std::move(text);
  return r;
}

Response Response::error(const Error& e) {
  nlohmann::json body = {{"error", std::string(to_string(e.code()))}, {"message", e.message()}};
  if (!e.location().empty()) body["location"] = e.location();
  return json(e.http_status(), std::move(body));
}

// ---------------------------------------------------------------------------------------
// Router

namespace {

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < path.size()) {
    while (i < path.size() && path[i] == '/') ++i;
    std::size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    if (j > i) out.emplace_back(path.substr(i, j - i));
    i = j;
  }
  return out;
}

bool is_param(const std::string& segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

}  // namespace

Router& Router::add(std::string method, std::string pattern, Handler handler) {
  routes_.push_back({std::move(method), split_path(pattern), std::move(handler)});
  return *this;
}

Response Router::dispatch(Request request) const {
  const auto segments = split_path(request.path);
  std::set<std::string> allowed;
  for (const auto& route : routes_) {
    if (route.segments.size() != segments.size()) continue;
    std::map<std::string, std::string> params;
    bool match = true;
    for (std::size_t i = 0; i < segments.size() && match; ++i) {
      if (is_param(route.segments[i])) {
        params[route.segments[i].substr(1, route.segments[i].size() - 2)] = segments[i];
      } else {
        match = route.segments[i] == segments[i];
      }
    }
    if (!match) continue;
    if (route.method != request.method) {
      allowed.insert(route.method);
      continue;
    }
    request.params = std::move(params);
    try {
      auto r = route.handler(request);
      if (!r) return Response::error(r.error());
      return std::move(*r);
    } catch (const std::exception& e) {
      return Response::error(internal_error(std::string("handler failed: ") + e.what()));
    } catch (...) {
      return Response::error(internal_error("handler failed with an unknown exception"));
    }
  }
  if (!allowed.empty()) {
    std::string list;
    for (const auto& m : allowed) list += (list.empty() ? "" : ", ") + m;
    Response r = Response::json(405, {{"error", "method_not_allowed"},
                                      {"message", request.method + " is not allowed on " +
                                                      request.path + " (allowed: " + list + ")"}});
    r.headers["Allow"] = list;
    return r;
  }
  return Response::error(not_found("no resource at " + request.path));
}

// ---------------------------------------------------------------------------------------
// JsonServer

Result<std::uint16_t> pick_free_port(const std::string& host) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* res = nullptr;
  if (int rc = getaddrinfo(host.c_str(), "0", &hints, &res); rc != 0) {
    return unavailable("cannot resolve bind address '" + host + "': " + gai_strerror(rc));
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

namespace {

std::string host_for_url(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

std::string normalise_base(std::string base) {
  while (base.size() > 1 && base.back() == '/') base.pop_back();
  return base;
}

void add_cors(HeaderList& h) {
  h.emplace_back("Access-Control-Allow-Origin", "*");
  h.emplace_back("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, OPTIONS");
  h.emplace_back("Access-Control-Allow-Headers", "*");
}

RawResponse json_answer(int status, const nlohmann::json& body) {
  RawResponse r{status, {}, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)};
  add_cors(r.headers);
  r.headers.emplace_back("Content-Type", "application/json");
  return r;
}

}  // namespace

struct JsonServer::Impl {
  Router router;
  ServerOptions options;
  std::uint16_t port = 0;
  std::unique_ptr<Mount> mount;
  std::atomic<bool> stopped{false};

  struct Pending {
    RawRequest request;
    std::shared_ptr<Responder> responder;
  };

  // Handler threads: the transport's I/O thread only queues the request (see the header).
  std::mutex mu;
  std::condition_variable cv;
  std::deque<Pending> queue;  // GUARDED_BY(mu)
  bool draining = false;      // GUARDED_BY(mu)
  std::vector<std::thread> workers;

  void enqueue(RawRequest request, std::shared_ptr<Responder> responder) {
    {
      std::lock_guard lock(mu);
      if (!draining && queue.size() < options.max_queued) {
        queue.push_back(Pending{std::move(request), std::move(responder)});
        cv.notify_one();
        return;
      }
    }
    auto r =
        json_answer(503, {{"error", "unavailable"},
                          {"message", "the server is busy: " + std::to_string(options.max_queued) +
                                          " requests are waiting; retry later"}});
    r.headers.emplace_back("Retry-After", "1");
    responder->send(std::move(r));
  }

  void work() {
    std::unique_lock lock(mu);
    while (true) {
      cv.wait(lock, [this] { return draining || !queue.empty(); });
      if (queue.empty()) return;  // draining and nothing left
      Pending p = std::move(queue.front());
      queue.pop_front();
      lock.unlock();
      p.responder->send(handle(std::move(p.request)));
      lock.lock();
    }
  }

  void start_workers() {
    for (std::size_t i = 0; i < options.handler_threads; ++i) {
      workers.emplace_back([this] { work(); });
    }
  }

  /// Lets queued requests finish, then joins the handler threads.
  void stop_workers() {
    {
      std::lock_guard lock(mu);
      draining = true;
    }
    cv.notify_all();
    for (auto& t : workers) {
      if (t.joinable()) t.join();
    }
  }

  RawResponse handle(RawRequest raw) {
    Request request;
    request.method = std::move(raw.method);
    if (request.method == "OPTIONS") {
      RawResponse r{204, {}, {}};
      add_cors(r.headers);
      return r;
    }
    std::string_view target(raw.target);
    std::string_view query;
    if (auto q = target.find('?'); q != std::string_view::npos) {
      query = target.substr(q + 1);
      target = target.substr(0, q);
    }
    if (auto hash = query.find('#'); hash != std::string_view::npos) query = query.substr(0, hash);
    auto path = percent_decode(target);
    if (!path) {
      return json_answer(
          400, {{"error", "invalid_argument"},
                {"message", "the request path '" + std::string(target) + "' has a bad %-escape"}});
    }
    const std::string& base = options.base_path;
    if (base != "/" && path->compare(0, base.size(), base) == 0) path->erase(0, base.size());
    request.path = path->empty() ? "/" : std::move(*path);
    while (!query.empty()) {
      const auto amp = query.find('&');
      std::string_view pair = query.substr(0, amp);
      query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
      if (pair.empty()) continue;
      const auto eq = pair.find('=');
      auto key = percent_decode(pair.substr(0, eq));
      auto value =
          percent_decode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
      if (!key || !value) {
        return json_answer(400, {{"error", "invalid_argument"},
                                 {"message", "the query parameter '" + std::string(pair) +
                                                 "' has a bad %-escape"}});
      }
      request.query[std::move(*key)] = std::move(*value);
    }
    for (auto& [k, v] : raw.headers) {
      std::string key = k;
      std::transform(key.begin(), key.end(), key.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      request.headers[std::move(key)] = std::move(v);
    }
    request.body = std::move(raw.body);
    Response response = router.dispatch(std::move(request));
    RawResponse r{response.status, {}, {}};
    add_cors(r.headers);
    for (auto& [k, v] : response.headers) r.headers.emplace_back(k, v);
    if (response.content_type == "application/json") {
      if (!response.body.is_null() || response.status != 204) {
        r.body = response.body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        r.headers.emplace_back("Content-Type", "application/json");
      }
    } else {
      r.body = std::move(response.text);
      r.headers.emplace_back("Content-Type", response.content_type);
    }
    return r;
  }
};

JsonServer::JsonServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

JsonServer::~JsonServer() { stop(); }

Result<std::unique_ptr<JsonServer>> JsonServer::start(Router router, ServerOptions options) {
  if (options.base_path.empty() || options.base_path[0] != '/') {
    return invalid_argument("base_path must start with '/', got '" + options.base_path + "'");
  }
  if (options.max_body_bytes == 0) return invalid_argument("max_body_bytes must be > 0");
  if (options.handler_threads == 0) return invalid_argument("handler_threads must be >= 1");
  if (options.max_queued == 0) return invalid_argument("max_queued must be >= 1");
  if (options.tls) {
    for (const auto* file : {&options.tls->certificate_file, &options.tls->private_key_file}) {
      if (file->empty() || !std::filesystem::is_regular_file(*file)) {
        return unavailable("TLS file '" + *file + "' cannot be read");
      }
    }
    if (!options.tls->client_ca_file.empty() &&
        !std::filesystem::is_regular_file(options.tls->client_ca_file)) {
      return unavailable("TLS client CA file '" + options.tls->client_ca_file + "' cannot be read");
    }
  }
  auto impl = std::make_unique<Impl>();
  impl->router = std::move(router);
  impl->options = std::move(options);
  impl->options.base_path = normalise_base(impl->options.base_path);
  AsyncServerOptions transport;
  transport.bind_address = impl->options.bind_address;
  transport.port = impl->options.port;
  transport.max_body_bytes = impl->options.max_body_bytes;
  if (impl->options.tls) {
    transport.tls =
        TlsFiles{impl->options.tls->certificate_file, impl->options.tls->private_key_file,
                 impl->options.tls->client_ca_file};
  }
  transport.error_response = [](int status, std::string_view message) {
    return json_answer(status, {{"error", status == 413 ? "payload_too_large" : "invalid_argument"},
                                {"message", std::string(message)}});
  };
  Impl* raw = impl.get();
  auto mount = Mount::open(std::move(transport), impl->options.base_path,
                           [raw](RawRequest request, std::shared_ptr<Responder> responder) {
                             raw->enqueue(std::move(request), std::move(responder));
                           });
  if (!mount) {
    return mount.error().with_context("cannot listen on " + impl->options.bind_address + ":" +
                                      std::to_string(impl->options.port) + impl->options.base_path);
  }
  impl->mount = std::move(*mount);
  impl->port = impl->mount->port();
  impl->start_workers();
  return std::unique_ptr<JsonServer>(new JsonServer(std::move(impl)));
}

std::uint16_t JsonServer::port() const { return impl_->port; }

std::string JsonServer::base_url() const {
  std::string base = impl_->options.base_path == "/" ? "" : impl_->options.base_path;
  return std::string(impl_->options.tls ? "https://" : "http://") +
         host_for_url(impl_->options.bind_address) + ":" + std::to_string(impl_->port) + base;
}

void JsonServer::stop() {
  if (!impl_ || impl_->stopped.exchange(true)) return;
  // Requests already queued are answered before the mount closes its connections.
  impl_->stop_workers();
  impl_->mount->close();
}

}  // namespace gridke::http
