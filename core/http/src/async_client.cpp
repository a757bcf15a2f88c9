// AsyncClient: the Boost.Beast HTTP/1.1 client of transport.hpp. A pool of keep-alive
// connections to one origin; each connection runs one exchange at a time on its own strand.
#include <openssl/ssl.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdint>
#include <future>
#include <limits>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

#include "asio_common.hpp"
#include "asio_tls.hpp"
#include "gridke/http/transport.hpp"

namespace gridke::http {

namespace {

using namespace detail;  // NOLINT(google-build-using-namespace): the aliases of asio_common.hpp
namespace bhttp = boost::beast::http;
using SteadyClock = std::chrono::steady_clock;

ClientResult failure(std::string what) {
  ClientResult r;
  r.error = std::move(what);
  return r;
}

// One request and its completion; shared by the handlers of the connection that carries it.
struct Exchange {
  bhttp::request<bhttp::string_body> request;
  SteadyClock::time_point deadline;
  std::chrono::milliseconds timeout{0};
  std::function<void(ClientResult)> done;
  bool retried = false;
  std::atomic<bool> finished{false};

  void finish(ClientResult r) {
    if (finished.exchange(true)) return;
    auto f = std::move(done);
    f(std::move(r));
  }
};

}  // namespace

struct AsyncClient::Impl : std::enable_shared_from_this<AsyncClient::Impl> {
  struct Conn {
    virtual ~Conn() = default;
    // Runs `ex` on this connection (posted to its strand). `reused`: it carried one before.
    virtual void start(std::shared_ptr<Exchange> ex, bool reused) = 0;
    virtual void close() = 0;
    std::uint64_t serial = 0;  // order of creation; set by make_conn
  };

  explicit Impl(AsyncClientOptions o)
      : options(std::move(o)),
        work(net::make_work_guard(ioc)),
        host_header(options.host.find(':') != std::string::npos
                        ? "[" + options.host + "]:" + std::to_string(options.port)
                        : options.host + ":" + std::to_string(options.port)) {}

  AsyncClientOptions options;
  net::io_context ioc;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  std::unique_ptr<net::ssl::context> tls;
  std::string host_header;
  std::vector<std::thread> threads;

  std::mutex mu;
  bool shut = false;  // GUARDED_BY(mu)
  // An idle keep-alive connection and when it went idle.
  struct IdleConn {
    std::shared_ptr<Conn> conn;
    SteadyClock::time_point since;
  };
  // Ordered from the newest connection (highest serial) to the oldest, which is taken first; a
  // full pool closes its newest. A burst opens connections beyond the steady working set; used
  // oldest-first, those later ones stay unused once it is over and expire together, and the
  // sessions (here and on the server) that the steady load goes on using are the ones opened
  // before the burst, not survivors scattered through the memory the burst took
  // (docs/performance.md, "Memory under load").
  using IdlePool = std::vector<IdleConn>;
  IdlePool idle;                                       // GUARDED_BY(mu)
  std::unordered_map<Conn*, std::weak_ptr<Conn>> all;  // GUARDED_BY(mu)
  std::uint64_t next_serial = 0;                       // GUARDED_BY(mu)
  SteadyClock::time_point next_sweep{};                // GUARDED_BY(mu)

  std::shared_ptr<Conn> make_conn();  // REQUIRES: mu held

  // Moves the connections idle for longer than options.idle_timeout into `out` (to be closed
  // outside the lock). Sweeps the pool at most every quarter timeout, so a connection is closed
  // between 1 and 1.25 timeouts after it went idle. REQUIRES: mu held.
  void take_expired(SteadyClock::time_point now, std::vector<std::shared_ptr<Conn>>& out) {
    if (now < next_sweep) return;
    next_sweep = now + options.idle_timeout / 4;
    const auto expired = std::stable_partition(idle.begin(), idle.end(), [&](const IdleConn& c) {
      return now - c.since <= options.idle_timeout;
    });
    for (auto it = expired; it != idle.end(); ++it) out.push_back(std::move(it->conn));
    idle.erase(expired, idle.end());
  }

  // Hands `ex` to an idle connection, or a new one (`fresh`: never an idle one).
  void dispatch(std::shared_ptr<Exchange> ex, bool fresh) {
    std::shared_ptr<Conn> conn;
    std::vector<std::shared_ptr<Conn>> expired;
    bool reused = false;
    {
      std::lock_guard lock(mu);
      take_expired(SteadyClock::now(), expired);
      if (shut) {
        conn = nullptr;
      } else if (!fresh && !idle.empty()) {
        conn = std::move(idle.back().conn);
        idle.pop_back();
        reused = true;
      } else {
        conn = make_conn();
      }
    }
    for (auto& old : expired) old->close();
    if (!conn) return ex->finish(failure("client shut down"));
    conn->start(std::move(ex), reused);
  }

  // A connection whose exchange ended with keep-alive: back to the pool, or closed.
  void release(const std::shared_ptr<Conn>& conn) {
    std::shared_ptr<Conn> to_close = conn;  // unless the pool keeps it
    {
      std::lock_guard lock(mu);
      if (!shut && options.max_idle_connections > 0) {
        const auto at = std::upper_bound(
            idle.begin(), idle.end(), conn->serial,
            [](std::uint64_t serial, const IdleConn& c) { return serial > c.conn->serial; });
        idle.insert(at, {conn, SteadyClock::now()});
        if (idle.size() <= options.max_idle_connections) return;
        to_close = std::move(idle.front().conn);  // the pool keeps it, closes its newest
        idle.erase(idle.begin());
      }
    }
    to_close->close();
  }
  bool is_shut() {
    std::lock_guard lock(mu);
    return shut;
  }
  void forget(Conn* conn) {
    std::lock_guard lock(mu);
    all.erase(conn);
  }
};

namespace {

template <class Stream>
class Connection : public AsyncClient::Impl::Conn,
                   public std::enable_shared_from_this<Connection<Stream>> {
 public:
  template <class... StreamArgs>
  Connection(std::shared_ptr<AsyncClient::Impl> client, StreamArgs&&... args)
      : client_(std::move(client)), stream_(std::forward<StreamArgs>(args)...) {}
  ~Connection() override { client_->forget(this); }

  void start(std::shared_ptr<Exchange> ex, bool reused) override {
    net::dispatch(stream_.get_executor(),
                  [self = this->shared_from_this(), ex = std::move(ex), reused]() mutable {
                    self->ex_ = std::move(ex);
                    self->reused_ = reused;
                    if (self->closed_) return self->fail(net::error::operation_aborted, "send");
                    if (self->connected_) return self->write();
                    self->resolve();
                  });
  }

  void close() override {
    net::post(stream_.get_executor(), [self = this->shared_from_this()] { self->close_now(); });
  }

 private:
  void resolve() {
    lowest_tcp(stream_).expires_at(ex_->deadline);
    resolver_.emplace(stream_.get_executor());
    resolver_->async_resolve(
        client_->options.host, std::to_string(client_->options.port),
        [self = this->shared_from_this()](beast::error_code ec, tcp::resolver::results_type r) {
          if (ec) return self->fail(ec, "resolve");
          lowest_tcp(self->stream_)
              .async_connect(
                  r, [self](beast::error_code e, const tcp::endpoint&) { self->on_connect(e); });
        });
  }

  void on_connect(beast::error_code ec) {
    if (ec) return fail(ec, "connect");
    beast::error_code ignored;
    lowest_tcp(stream_).socket().set_option(tcp::no_delay(true), ignored);
    if constexpr (std::is_same_v<Stream, TcpStream>) {
      connected_ = true;
      write();
    } else {
      const std::string& host = client_->options.host;
      if (!SSL_set_tlsext_host_name(stream_.native_handle(), host.c_str())) {
        return fail(
            beast::error_code(static_cast<int>(::ERR_get_error()), net::error::get_ssl_category()),
            "TLS server name");
      }
      stream_.set_verify_callback(net::ssl::host_name_verification(host));
      stream_.async_handshake(net::ssl::stream_base::client,
                              [self = this->shared_from_this()](beast::error_code e) {
                                if (e) return self->fail(e, "TLS handshake");
                                self->connected_ = true;
                                self->write();
                              });
    }
  }

  void write() {
    lowest_tcp(stream_).expires_at(ex_->deadline);
    bhttp::async_write(stream_, ex_->request,
                       [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                         if (ec) return self->fail(ec, "send");
                         self->read();
                       });
  }

  void read() {
    parser_.emplace();
    parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                        self->on_read(ec);
                      });
  }

  void on_read(beast::error_code ec) {
    if (ec) return fail(ec, "receive");
    auto msg = parser_->release();
    parser_.reset();
    lowest_tcp(stream_).expires_never();
    const bool keep = msg.keep_alive();
    auto ex = std::move(ex_);
    if (keep) {
      client_->release(this->shared_from_this());
    } else {
      close_now();
    }
    ex->finish(ClientResult{static_cast<int>(msg.result_int()),
                            std::move(msg.body()),
                            {},
                            std::string(msg[bhttp::field::content_type])});
  }

  void fail(beast::error_code ec, const char* stage) {
    auto ex = std::move(ex_);
    const bool got_answer = parser_ && parser_->got_some();
    close_now();
    if (!ex) return;
    // The server may close an idle keep-alive connection just as we reuse it: nothing of an
    // answer arrived, so send once more on a new connection.
    const bool stale = reused_ && !got_answer && !ex->retried &&
                       (ec == bhttp::error::end_of_stream || ec == net::error::eof ||
                        ec == net::error::connection_reset || ec == net::error::broken_pipe);
    if (stale && SteadyClock::now() < ex->deadline) {
      ex->retried = true;
      client_->dispatch(std::move(ex), /*fresh=*/true);
      return;
    }
    std::string what = client_->is_shut() ? std::string("client shut down")
                       : ec == beast::error::timeout
                           ? "timed out after " + std::to_string(ex->timeout.count()) + " ms"
                           : std::string(stage) + " failed: " + ec.message();
    ex->finish(failure(std::move(what)));
  }

  void close_now() {
    if (closed_) return;
    closed_ = true;
    connected_ = false;
    beast::error_code ignored;
    if (resolver_) resolver_->cancel();
    lowest_tcp(stream_).socket().shutdown(tcp::socket::shutdown_both, ignored);
    lowest_tcp(stream_).close();
  }

  std::shared_ptr<AsyncClient::Impl> client_;
  Stream stream_;
  std::optional<tcp::resolver> resolver_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::response_parser<bhttp::string_body>> parser_;
  std::shared_ptr<Exchange> ex_;
  bool reused_ = false;
  bool connected_ = false;
  bool closed_ = false;
};

}  // namespace

std::shared_ptr<AsyncClient::Impl::Conn> AsyncClient::Impl::make_conn() {
  std::shared_ptr<Conn> conn;
  if (tls) {
    conn = std::make_shared<Connection<TlsStream>>(shared_from_this(), net::make_strand(ioc), *tls);
  } else {
    conn = std::make_shared<Connection<TcpStream>>(shared_from_this(), net::make_strand(ioc));
  }
  conn->serial = next_serial++;
  all.emplace(conn.get(), conn);
  return conn;
}

AsyncClient::AsyncClient(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

AsyncClient::~AsyncClient() { shutdown(); }

Result<std::unique_ptr<AsyncClient>> AsyncClient::create(AsyncClientOptions options) {
  if (options.scheme != "http" && options.scheme != "https") {
    return invalid_argument("scheme must be http or https, got '" + options.scheme + "'");
  }
  if (options.host.empty()) return invalid_argument("host must not be empty");
  if (options.io_threads == 0) return invalid_argument("io_threads must be at least 1");
  if (options.idle_timeout <= std::chrono::milliseconds(0)) {
    return invalid_argument("idle_timeout must be positive, got " +
                            std::to_string(options.idle_timeout.count()) + " ms");
  }
  auto impl = std::make_shared<Impl>(std::move(options));
  if (impl->options.scheme == "https") {
    GRIDKE_ASSIGN_OR_RETURN(impl->tls,
                            detail::make_client_tls(impl->options.tls.value_or(TlsFiles{})));
  }
  for (std::size_t i = 0; i < impl->options.io_threads; ++i) {
    impl->threads.emplace_back([raw = impl.get()] { raw->ioc.run(); });
  }
  return std::unique_ptr<AsyncClient>(new AsyncClient(std::move(impl)));
}

void AsyncClient::request(ClientRequest request, std::chrono::milliseconds timeout,
                          std::function<void(ClientResult)> done) {
  auto ex = std::make_shared<Exchange>();
  ex->timeout = timeout;
  ex->deadline = SteadyClock::now() + timeout;
  ex->done = std::move(done);
  auto& r = ex->request;
  r.version(11);
  const auto verb = bhttp::string_to_verb(request.method);
  if (verb == bhttp::verb::unknown) {
    r.method_string(request.method);
  } else {
    r.method(verb);
  }
  r.target(request.target.empty() ? "/" : request.target);
  r.set(bhttp::field::host, impl_->host_header);
  r.set(bhttp::field::user_agent, "gridke");
  for (auto& [k, v] : request.headers) r.insert(k, v);
  if (!request.body.empty()) {
    r.set(bhttp::field::content_type, request.content_type);
    r.body() = std::move(request.body);
  }
  r.keep_alive(true);
  r.prepare_payload();
  impl_->dispatch(std::move(ex), /*fresh=*/false);
}

std::size_t AsyncClient::idle_connections() const {
  std::lock_guard lock(impl_->mu);
  return impl_->idle.size();
}

ClientResult AsyncClient::request_sync(ClientRequest request, std::chrono::milliseconds timeout) {
  auto promise = std::make_shared<std::promise<ClientResult>>();
  auto future = promise->get_future();
  this->request(std::move(request), timeout,
                [promise](ClientResult r) { promise->set_value(std::move(r)); });
  return future.get();
}

void AsyncClient::shutdown() {
  Impl& c = *impl_;
  std::vector<std::shared_ptr<Impl::Conn>> open;
  Impl::IdlePool idle;  // released outside the lock (~Connection locks)
  {
    std::lock_guard lock(c.mu);
    if (c.shut) return;
    c.shut = true;
    idle.swap(c.idle);
    for (auto& [raw, weak] : c.all) {
      if (auto conn = weak.lock()) open.push_back(std::move(conn));
    }
  }
  for (auto& conn : open) conn->close();
  open.clear();
  idle.clear();
  c.work.reset();
  for (auto& t : c.threads) {
    if (t.joinable()) t.join();
  }
}

Result<ParsedUrl> parse_url(std::string_view url) {
  auto bad = [&](std::string_view why) {
    return invalid_argument("'" + std::string(url) +
                            "' is not an http(s) URL: " + std::string(why));
  };
  ParsedUrl parsed;
  AsyncClientOptions& options = parsed.origin;
  std::string_view rest = url;
  if (rest.starts_with("http://")) {
    options.scheme = "http";
    options.port = 80;
    rest.remove_prefix(7);
  } else if (rest.starts_with("https://")) {
    options.scheme = "https";
    options.port = 443;
    rest.remove_prefix(8);
  } else {
    return bad("it must start with http:// or https://");
  }
  const auto slash = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, slash);
  std::string_view target =
      slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  parsed.has_query_or_fragment = target.find_first_of("?#") != std::string_view::npos;
  target = target.substr(0, target.find('#'));
  if (authority.find('@') != std::string_view::npos) return bad("user information is not allowed");
  std::string_view port_text;
  if (authority.starts_with("[")) {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return bad("an IPv6 host needs a closing ']'");
    options.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return bad("unexpected text after the IPv6 host");
      port_text = after.substr(1);
      if (port_text.empty()) return bad("the port is empty");
    }
  } else {
    const auto colon = authority.rfind(':');
    options.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      if (port_text.empty()) return bad("the port is empty");
    }
  }
  if (options.host.empty()) return bad("the host is empty");
  for (char c : options.host) {
    if (std::isspace(static_cast<unsigned char>(c)) || c == '/' || c == '\\') {
      return bad("the host contains '" + std::string(1, c) + "'");
    }
  }
  if (!port_text.empty()) {
    unsigned long port = 0;
    for (char c : port_text) {
      if (!std::isdigit(static_cast<unsigned char>(c)) || port > 65535) {
        return bad("the port must be a number from 1 to 65535");
      }
      port = port * 10 + static_cast<unsigned long>(c - '0');
    }
    if (port == 0 || port > 65535) return bad("the port must be a number from 1 to 65535");
    options.port = static_cast<std::uint16_t>(port);
  }
  for (char c : target) {
    if (std::isspace(static_cast<unsigned char>(c)) ||
        std::iscntrl(static_cast<unsigned char>(c))) {
      return bad("the path contains white space or a control character");
    }
  }
  parsed.target = target.empty()          ? std::string("/")
                  : target.front() == '?' ? "/" + std::string(target)
                                          : std::string(target);
  return parsed;
}

Result<std::pair<AsyncClientOptions, std::string>> parse_base_url(std::string_view url) {
  GRIDKE_ASSIGN_OR_RETURN(auto parsed, parse_url(url));
  if (parsed.has_query_or_fragment) {
    return invalid_argument("'" + std::string(url) +
                            "' is not an http(s) URL: a base URL has no query or fragment");
  }
  std::string base = std::move(parsed.target);
  while (!base.empty() && base.back() == '/') base.pop_back();
  return std::pair{std::move(parsed.origin), std::move(base)};
}

}  // namespace gridke::http
