#pragma once
// JSON REST front doors for GridKE services: a Router of `METHOD /path/{param}` routes and a
// JsonServer that puts a Router behind a real HTTP listener (a transport.hpp Mount, so front
// doors may share a port with the KE REST API). Every service REST API (fault location,
// sensitivities, flexibility response, tariffs, metering, flexibility market …) is a Router filled
// by that service's http/ code.
//
// Conventions (README "Service REST APIs"):
// - A handler returns Result<Response>; an Error becomes
//   {"error": "<code name>", "message": "<message>"} with Error::http_status().
// - Unknown path → 404 naming the path; known path, wrong method → 405 with an Allow header
//   and the allowed methods in the message; body over max_body_bytes → 413; malformed JSON →
//   400 naming the line and column (Request::json()).
// - A handler that throws is answered 500 (the server keeps serving).
// - CORS headers on every answer; OPTIONS answered 204.
//
// Thread safety: Router is immutable after the server starts. Handlers run concurrently on the
// server's own handler threads (ServerOptions::handler_threads), never on the transport's
// I/O threads: a handler may block (SQLite, a knowledge-engine call that reaches remote
// knowledge bases over REST) without starving the KE API or other front doors in the process.
// Handlers must synchronise their own state.
// Ownership: JsonServer owns its listener; stop() (or the destructor) closes it and waits for
// running handlers.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "gridke/base/result.hpp"

namespace gridke::http {

/// One HTTP request as a handler sees it.
struct Request {
  std::string method;                          ///< "GET", "POST", …
  std::string path;                            ///< decoded path below the server's base path
  std::map<std::string, std::string> params;   ///< {name} segments of the matched route
  std::map<std::string, std::string> query;    ///< decoded query parameters
  std::map<std::string, std::string> headers;  ///< header names lower-cased
  std::string body;

  /// The body as JSON. Errors: parse_error "request body: <what> at line L, column C" (or
  /// "request body is empty" unless allow_empty, which yields null).
  Result<nlohmann::json> json(bool allow_empty = false) const;
  /// A header by case-insensitive name.
  std::optional<std::string> header(std::string_view name) const;
  /// A path parameter; REQUIRES: the route declares {name}.
  const std::string& param(const std::string& name) const { return params.at(name); }
  /// Query parameter helpers; errors name the parameter and the value.
  std::optional<std::string> query_value(const std::string& name) const;
  Result<std::optional<long long>> query_int(const std::string& name, long long lo,
                                             long long hi) const;
  Result<std::optional<double>> query_double(const std::string& name) const;
  Result<std::optional<bool>> query_bool(const std::string& name) const;
  /// invalid_argument naming the first query parameter not in `known`.
  Result<void> check_query(std::initializer_list<std::string_view> known) const;
};

/// An answer: JSON by default; set content_type and text for anything else (SVG, CSV).
struct Response {
  int status = 200;
  nlohmann::json body;
  std::string content_type = "application/json";
  std::string text;  ///< used instead of body when content_type is not JSON
  std::map<std::string, std::string> headers;

  static Response json(int status, nlohmann::json body);
  static Response raw(int status, std::string content_type, std::string text);
  /// {"error": code name, "message": …} with e.http_status().
  static Response error(const Error& e);
};

using Handler = std::function<Result<Response>(const Request&)>;

class Router {
 public:
  /// Adds a route. `pattern` is a path below the base path, segments "{name}" match one
  /// non-empty segment ("/registerGrid/{networkID}"). A trailing slash in a request is ignored.
  Router& add(std::string method, std::string pattern, Handler handler);
  Router& get(std::string pattern, Handler h) {
    return add("GET", std::move(pattern), std::move(h));
  }
  Router& post(std::string pattern, Handler h) {
    return add("POST", std::move(pattern), std::move(h));
  }
  Router& put(std::string pattern, Handler h) {
    return add("PUT", std::move(pattern), std::move(h));
  }
  Router& del(std::string pattern, Handler h) {
    return add("DELETE", std::move(pattern), std::move(h));
  }

  /// Routes `request` (its path relative to the base path) and runs the handler; never throws.
  Response dispatch(Request request) const;

 private:
  struct Route {
    std::string method;
    std::vector<std::string> segments;
    Handler handler;
  };
  std::vector<Route> routes_;
};

/// Transport security for a server (see README "Security"): PEM files; `client_ca_file`
/// non-empty requires and verifies client certificates (mutual TLS).
struct TlsOptions {
  std::string certificate_file;
  std::string private_key_file;
  std::string client_ca_file;
};

struct ServerOptions {
  std::string bind_address = "127.0.0.1";
  std::uint16_t port = 0;       ///< 0 = an ephemeral free port (see port())
  std::string base_path = "/";  ///< e.g. "/sensitivitiesengine"
  std::size_t max_body_bytes = 64u << 20;
  std::size_t handler_threads = 4;  ///< threads that run handlers (>= 1)
  std::size_t max_queued = 1024;    ///< requests waiting for a handler thread; more get 503
  std::optional<TlsOptions> tls;    ///< https when set
};

class JsonServer {
 public:
  /// Starts listening. Errors: invalid_argument (options, naming the field); unavailable (the
  /// address/port cannot be bound, or TLS files cannot be read — naming the file).
  static Result<std::unique_ptr<JsonServer>> start(Router router, ServerOptions options);
  ~JsonServer();  ///< stop()
  JsonServer(const JsonServer&) = delete;
  JsonServer& operator=(const JsonServer&) = delete;

  std::uint16_t port() const;
  /// e.g. "http://127.0.0.1:40123/sensitivitiesengine" (no trailing slash).
  std::string base_url() const;
  /// Closes the listener; idempotent.
  void stop();

 private:
  struct Impl;
  explicit JsonServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// A free TCP port on `host` (bind to port 0, read it back, close). Errors: unavailable.
Result<std::uint16_t> pick_free_port(const std::string& host);

}  // namespace gridke::http
