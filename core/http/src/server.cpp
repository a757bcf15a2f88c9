// Router and JsonServer (server.hpp): cpprestsdk http_listener → Router → handlers.

#include "gridke/http/server.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cpprest/http_listener.h>
#include <cpprest/uri.h>
#include <pplx/threadpool.h>
#include <boost/asio/ssl.hpp>

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

Result<void> set_io_threads(std::size_t threads) {
  if (threads < 2) {
    return invalid_argument("I/O threads must be >= 2, got " + std::to_string(threads));
  }
  try {
    crossplat::threadpool::initialize_with_threads(threads);
  } catch (const std::exception& e) {
    return failed_precondition(std::string("the HTTP I/O thread pool already exists: ") + e.what());
  }
  return ok();
}

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

namespace wh = web::http;

std::string host_for_url(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

std::string normalise_base(std::string base) {
  while (base.size() > 1 && base.back() == '/') base.pop_back();
  return base;
}

void add_cors(wh::http_response& r) {
  r.headers().add("Access-Control-Allow-Origin", "*");
  r.headers().add("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, OPTIONS");
  r.headers().add("Access-Control-Allow-Headers", "*");
}

}  // namespace

struct JsonServer::Impl {
  Router router;
  ServerOptions options;
  std::uint16_t port = 0;
  std::unique_ptr<wh::experimental::listener::http_listener> listener;
  std::atomic<bool> stopped{false};

  // Handler threads: the listener's I/O thread only queues the request (see the header).
  std::mutex mu;
  std::condition_variable cv;
  std::deque<wh::http_request> queue;  // GUARDED_BY(mu)
  bool draining = false;               // GUARDED_BY(mu)
  std::vector<std::thread> workers;

  void enqueue(wh::http_request req) {
    {
      std::lock_guard lock(mu);
      if (!draining && queue.size() < options.max_queued) {
        queue.push_back(std::move(req));
        cv.notify_one();
        return;
      }
    }
    reply_busy(std::move(req));
  }

  void reply_busy(wh::http_request req) {
    try {
      wh::http_response r(wh::status_codes::ServiceUnavailable);
      add_cors(r);
      r.headers().add("Retry-After", "1");
      r.set_body(
          nlohmann::json{{"error", "unavailable"},
                         {"message", "the server is busy: " + std::to_string(options.max_queued) +
                                         " requests are waiting; retry later"}}
              .dump(),
          "application/json");
      req.reply(r).wait();
    } catch (const std::exception&) {
      // The client went away; nothing to answer.
    }
  }

  void work() {
    std::unique_lock lock(mu);
    while (true) {
      cv.wait(lock, [this] { return draining || !queue.empty(); });
      if (queue.empty()) return;  // draining and nothing left
      wh::http_request req = std::move(queue.front());
      queue.pop_front();
      lock.unlock();
      handle(std::move(req));
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

  void handle(wh::http_request req) {
    Response response;
    try {
      Request request;
      request.method = req.method();
      // request_uri(), not relative_uri(): the latter decodes and re-parses the query, which
      // fails on values holding ':' (timestamps, callback URLs).
      const auto& full = req.request_uri();
      std::string path = full.path();
      const std::string& base = options.base_path;
      if (base != "/" && path.compare(0, base.size(), base) == 0) path.erase(0, base.size());
      request.path = web::uri::decode(path);
      if (request.path.empty()) request.path = "/";
      for (const auto& [k, v] : web::uri::split_query(full.query())) {
        request.query[web::uri::decode(k)] = web::uri::decode(v);
      }
      for (const auto& [k, v] : req.headers()) {
        std::string key = k;
        std::transform(key.begin(), key.end(), key.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        request.headers[key] = v;
      }
      if (request.method == wh::methods::OPTIONS) {
        wh::http_response r(wh::status_codes::NoContent);
        add_cors(r);
        req.reply(r).wait();
        return;
      }
      const auto declared = req.headers().content_length();
      if (declared > options.max_body_bytes) {
        response = Response::json(
            413, {{"error", "payload_too_large"},
                  {"message", "request body of " + std::to_string(declared) +
                                  " bytes exceeds the limit of " +
                                  std::to_string(options.max_body_bytes) + " bytes"}});
      } else {
        request.body = req.extract_utf8string(true).get();
        if (request.body.size() > options.max_body_bytes) {
          response = Response::json(
              413, {{"error", "payload_too_large"},
                    {"message", "request body exceeds the limit of " +
                                    std::to_string(options.max_body_bytes) + " bytes"}});
        } else {
          response = router.dispatch(std::move(request));
        }
      }
    } catch (const std::exception& e) {
      response = Response::error(invalid_argument(std::string("unreadable request: ") + e.what()));
    }
    try {
      wh::http_response r(static_cast<wh::status_code>(response.status));
      add_cors(r);
      for (const auto& [k, v] : response.headers) r.headers().add(k, v);
      if (response.content_type == "application/json") {
        if (!response.body.is_null() || response.status != 204) {
          r.set_body(response.body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                     "application/json");
        }
      } else {
        r.set_body(response.text, response.content_type);
      }
      req.reply(r).wait();
    } catch (const std::exception&) {
      // The client went away; nothing to answer.
    }
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
  const bool ephemeral = impl->options.port == 0;
  std::string last_error;
  for (int attempt = 0; attempt < (ephemeral ? 5 : 1) && !impl->listener; ++attempt) {
    std::uint16_t port = impl->options.port;
    if (ephemeral) {
      GRIDKE_ASSIGN_OR_RETURN(port, pick_free_port(impl->options.bind_address));
    }
    const std::string uri = std::string(impl->options.tls ? "https://" : "http://") +
                            host_for_url(impl->options.bind_address) + ":" + std::to_string(port) +
                            impl->options.base_path;
    try {
      wh::experimental::listener::http_listener_config config;
      if (impl->options.tls) {
        const TlsOptions tls = *impl->options.tls;
        config.set_ssl_context_callback([tls](boost::asio::ssl::context& ctx) {
          ctx.set_options(
              boost::asio::ssl::context::default_workarounds | boost::asio::ssl::context::no_sslv2 |
              boost::asio::ssl::context::no_sslv3 | boost::asio::ssl::context::no_tlsv1 |
              boost::asio::ssl::context::no_tlsv1_1);
          ctx.use_certificate_chain_file(tls.certificate_file);
          ctx.use_private_key_file(tls.private_key_file, boost::asio::ssl::context::pem);
          if (!tls.client_ca_file.empty()) {
            ctx.load_verify_file(tls.client_ca_file);
            ctx.set_verify_mode(boost::asio::ssl::verify_peer |
                                boost::asio::ssl::verify_fail_if_no_peer_cert);
          }
        });
      }
      auto listener = std::make_unique<wh::experimental::listener::http_listener>(uri, config);
      Impl* raw = impl.get();
      listener->support([raw](wh::http_request req) { raw->enqueue(std::move(req)); });
      // cpprestsdk answers OPTIONS itself unless a handler is registered for it.
      listener->support(wh::methods::OPTIONS,
                        [raw](wh::http_request req) { raw->enqueue(std::move(req)); });
      listener->open().wait();
      impl->listener = std::move(listener);
      impl->port = port;
    } catch (const std::exception& e) {
      last_error = e.what();
    }
  }
  if (!impl->listener) {
    return unavailable("cannot listen on " + impl->options.bind_address + ":" +
                       std::to_string(impl->options.port) + impl->options.base_path + ": " +
                       last_error);
  }
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
  try {
    impl_->listener->close().wait();
  } catch (const std::exception&) {
    // Already closed: nothing left to release.
  }
  impl_->stop_workers();
}

}  // namespace gridke::http
