#pragma once
// The HTTP/1.1 transport under GridKE's Knowledge Engine REST API: an asynchronous server and
// an asynchronous, connection-pooling client on Boost.Beast (Boost.Asio), plain or TLS (mutual
// TLS as an option). Boost stays out of this header.
//
// Why not cpprestsdk here: every request through cpprestsdk's listener or client crosses its
// PPL task machinery (several heap-allocated, reference-counted tasks and thread-pool hand-offs
// per request); under the issue-11 load that, not GridKE's engine, was most of the CPU
// (docs/performance.md "HTTP transport"). This layer parses and writes on the I/O threads and
// calls the handler once per request, nothing more.
//
// Server model: one request at a time per connection (HTTP/1.1 keep-alive; pipelined requests
// wait in the socket buffer and are answered in order). The handler gets the request and a
// Responder and may answer at once or later from any thread (long polls, asks that wait on
// other knowledge bases); the connection reads its next request only after the answer is
// written. A body over max_body_bytes is answered 413 as soon as its Content-Length is read
// (the rest of the body is then read and dropped, so clients that send it all before reading
// still see the 413); malformed HTTP 400; both through `error_response`, then the connection is
// closed.
//
// Client model: requests to one origin (scheme, host, port) over a pool of keep-alive
// connections, one request in flight per connection; `done` runs exactly once, on an I/O
// thread of the client, so it must not block (hand work to another thread). A request that
// fails on a reused connection before any byte of an answer arrived (the server closed the idle
// connection) is retried once on a new connection.
//
// Thread safety: AsyncServer, Responder and AsyncClient are internally synchronised.
// Ownership: each owns its I/O threads; stop()/shutdown() (or the destructor) closes every
// connection and joins them. Responders outliving their server are harmless no-ops.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gridke/base/result.hpp"

namespace gridke::http {

/// PEM files of one TLS endpoint.
struct TlsFiles {
  std::string certificate_file;  ///< may be empty on a client (no client certificate)
  std::string private_key_file;
  /// Server: the CA of client certificates (set = mutual TLS, certificates required).
  /// Client: the CA of the server (empty = the system's CAs).
  std::string ca_file;
};

using HeaderList = std::vector<std::pair<std::string, std::string>>;

/// A request as the server read it.
struct RawRequest {
  std::string method;  ///< "GET", "POST", … as sent
  std::string target;  ///< the request target as sent: path and query, percent-encoded
  HeaderList headers;  ///< names as sent
  std::string body;
  /// The first header of that name (case-insensitive), if any.
  std::optional<std::string_view> header(std::string_view name) const;
  /// The path part of `target`, percent-decoded ("/rest/sc"); nullopt when its encoding is bad.
  std::optional<std::string> path() const;
};

struct RawResponse {
  int status = 200;
  HeaderList headers;  ///< Content-Type among them; Content-Length is added by the transport
  std::string body;
};

/// The answer channel of one request. send() once, from any thread; later calls are ignored,
/// as are calls after the connection closed or the server stopped.
class Responder {
 public:
  virtual ~Responder() = default;
  virtual void send(RawResponse response) = 0;
};

using RequestHandler = std::function<void(RawRequest, std::shared_ptr<Responder>)>;

struct AsyncServerOptions {
  std::string bind_address = "127.0.0.1";
  std::uint16_t port = 0;      ///< 0: the kernel picks a free port (see AsyncServer::port())
  std::size_t io_threads = 2;  ///< threads reading, parsing and writing (>= 1)
  std::size_t max_body_bytes = 64u << 20;
  /// A keep-alive connection waiting this long for its next request is closed.
  std::chrono::seconds idle_timeout{300};
  std::optional<TlsFiles> tls;  ///< https when set (certificate and key required)
  /// The answer to a request the transport refuses (400 malformed, 413 too large); `message`
  /// says why. Default: {"message": …} as application/json.
  std::function<RawResponse(int status, std::string_view message)> error_response;
};

class AsyncServer {
 public:
  /// Binds, listens and starts the I/O threads. Errors: invalid_argument (options, naming the
  /// field; TLS files that cannot be used, naming the file); unavailable (cannot bind; a bind
  /// address that does not resolve).
  static Result<std::unique_ptr<AsyncServer>> start(AsyncServerOptions options,
                                                    RequestHandler handler);
  ~AsyncServer();  ///< stop()
  AsyncServer(const AsyncServer&) = delete;
  AsyncServer& operator=(const AsyncServer&) = delete;

  std::uint16_t port() const noexcept;
  /// Stops accepting, closes every connection (pending Responders become no-ops) and joins the
  /// I/O threads. Idempotent. REQUIRES: not called from a handler.
  void stop();

  struct Impl;  ///< implementation (public so its source's helper classes can name it)

 private:
  explicit AsyncServer(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

/// A handler mounted under a path prefix on a port the process may share: one AsyncServer per
/// (bind address, port) in the process, each request going to the mount with the longest
/// matching prefix ("/rest" matches "/rest" and "/rest/sc", not "/restx"; "" or "/" matches
/// every path), 404 when none matches. This is how `gridke serve` puts the KE REST API and the
/// service front doors on one port.
class Mount {
 public:
  /// Mounts `handler` under `prefix`; joins the server already listening on that address and
  /// port in this process, or starts one (port 0: always a new one). Errors: as
  /// AsyncServer::start; unavailable when the prefix is taken on that port; invalid_argument
  /// when the port already serves with other TLS settings.
  static Result<std::unique_ptr<Mount>> open(AsyncServerOptions options, std::string prefix,
                                             RequestHandler handler);
  ~Mount();  ///< close()
  Mount(const Mount&) = delete;
  Mount& operator=(const Mount&) = delete;

  std::uint16_t port() const noexcept { return port_; }
  /// Unmounts (requests under the prefix then get 404). When this was the port's last mount,
  /// the server stops as AsyncServer::stop() does. Idempotent. REQUIRES: not from a handler.
  void close();

  struct Shared;  ///< the port's server and its mounts (implementation)

 private:
  Mount(std::shared_ptr<Shared> shared, std::string prefix, std::uint16_t port);
  std::shared_ptr<Shared> shared_;
  std::string prefix_;
  std::uint16_t port_ = 0;
};

/// One client request; `target` is the path (and query) below the origin, e.g. "/rest/sc".
struct ClientRequest {
  std::string method = "GET";
  std::string target;
  HeaderList headers;
  std::string body;  ///< sent with `content_type` when non-empty
  std::string content_type = "application/json; charset=UTF-8";
};

/// status 0: no HTTP answer (connect failure, timeout, shutdown); `error` says which.
struct ClientResult {
  int status = 0;
  std::string body;
  std::string error;
  std::string content_type;  ///< the answer's Content-Type, empty when it had none
};

struct AsyncClientOptions {
  std::string scheme = "http";  ///< "http" or "https"
  std::string host = "127.0.0.1";
  std::uint16_t port = 80;
  std::size_t io_threads = 1;
  /// Keep-alive connections kept open while unused; when more are, the newest is closed. A
  /// request takes the oldest idle connection, so the connections a burst added stay unused
  /// afterwards and expire (idle_timeout).
  std::size_t max_idle_connections = 256;
  /// An unused connection idle for longer is closed when the client next sends (checked at
  /// most every quarter timeout), so a burst's extra connections (and the server's sessions
  /// for them) do not stay for good.
  std::chrono::milliseconds idle_timeout{std::chrono::seconds(30)};
  std::optional<TlsFiles> tls;  ///< https: CA and, for mutual TLS, certificate and key
};

class AsyncClient {
 public:
  /// Errors: invalid_argument (scheme, host, io_threads; TLS files that cannot be used).
  static Result<std::unique_ptr<AsyncClient>> create(AsyncClientOptions options);
  ~AsyncClient();  ///< shutdown()
  AsyncClient(const AsyncClient&) = delete;
  AsyncClient& operator=(const AsyncClient&) = delete;

  /// Sends `request`; `done` runs once with the answer or the failure. `timeout` bounds the
  /// whole exchange (connect, write, wait, read).
  void request(ClientRequest request, std::chrono::milliseconds timeout,
               std::function<void(ClientResult)> done);
  /// Keep-alive connections now waiting in the pool (for tests and diagnostics).
  std::size_t idle_connections() const;
  /// Blocking request(). REQUIRES: not called on this client's I/O threads.
  ClientResult request_sync(ClientRequest request, std::chrono::milliseconds timeout);
  /// Fails every request in flight ("client shut down"), closes the connections and joins the
  /// I/O threads. Idempotent. REQUIRES: not called from a `done` callback.
  void shutdown();

  struct Impl;  ///< implementation (public so its source's helper classes can name it)

 private:
  explicit AsyncClient(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

/// Decodes %XX escapes ('+' stays '+'); nullopt when an escape is malformed.
std::optional<std::string> percent_decode(std::string_view text);

/// An absolute http(s) URL split for one request.
struct ParsedUrl {
  AsyncClientOptions origin;  ///< scheme, host and port (80/443 when the URL names none)
  std::string target;         ///< path and query as written, "/" when empty; no fragment
  bool has_query_or_fragment = false;
};

/// Splits an absolute http(s) URL ("https://dso.example:8443/rest/sc?x=1#f"). No user
/// information; IPv6 hosts in brackets. Errors: invalid_argument naming the URL and the fault.
Result<ParsedUrl> parse_url(std::string_view url);

/// Splits an absolute http(s) URL into options (scheme, host, port) and its path ("" or
/// "/rest"), without a trailing slash. Errors: invalid_argument naming the URL.
Result<std::pair<AsyncClientOptions, std::string>> parse_base_url(std::string_view url);

}  // namespace gridke::http
