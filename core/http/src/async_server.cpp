// AsyncServer: the Boost.Beast HTTP/1.1 server of transport.hpp. One Session per connection,
// each on its own strand; the I/O threads parse and write, the handler is called once per
// request and answers through a Responder that posts the answer back to the session's strand.
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <atomic>
#include <cctype>
#include <exception>
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

constexpr std::size_t kHeaderLimit = 64u << 10;
constexpr std::chrono::seconds kBodyReadTimeout{60};
constexpr std::chrono::seconds kWriteTimeout{60};
constexpr std::chrono::seconds kTlsTimeout{10};
constexpr std::chrono::seconds kStopGrace{2};
constexpr std::chrono::seconds kLingerTimeout{10};
constexpr std::size_t kLingerMaxBytes = 1u << 30;

RawResponse default_error_response(int status, std::string_view message) {
  std::string body = "{\"message\":\"";
  for (char c : message) {
    if (c == '"' || c == '\\') body += '\\';
    if (static_cast<unsigned char>(c) < 0x20) continue;
    body += c;
  }
  body += "\"}";
  return RawResponse{status, {{"Content-Type", "application/json"}}, std::move(body)};
}

}  // namespace

std::optional<std::string_view> RawRequest::header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    // Boost 1.74's beast::string_view is boost::string_view: no conversion from std's.
    if (boost::beast::iequals(k, boost::beast::string_view(name.data(), name.size()))) {
      return std::string_view(v);
    }
  }
  return std::nullopt;
}

std::optional<std::string> percent_decode(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '%') {
      out += raw[i];
      continue;
    }
    if (i + 2 >= raw.size() || !std::isxdigit(static_cast<unsigned char>(raw[i + 1])) ||
        !std::isxdigit(static_cast<unsigned char>(raw[i + 2]))) {
      return std::nullopt;
    }
    auto hex = [](char c) {
      return std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : (std::tolower(c) - 'a' + 10);
    };
    out += static_cast<char>(hex(raw[i + 1]) * 16 + hex(raw[i + 2]));
    i += 2;
  }
  return out;
}

std::optional<std::string> RawRequest::path() const {
  std::string_view raw(target);
  if (auto q = raw.find_first_of("?#"); q != std::string_view::npos) raw = raw.substr(0, q);
  return percent_decode(raw);
}

struct AsyncServer::Impl : std::enable_shared_from_this<AsyncServer::Impl> {
  struct SessionBase {
    virtual ~SessionBase() = default;
    virtual void close() = 0;  // posts a close to the session's strand
  };

  Impl(AsyncServerOptions o, RequestHandler h)
      : options(std::move(o)),
        handler(std::move(h)),
        work(net::make_work_guard(ioc)),
        acceptor(net::make_strand(ioc)) {
    if (!options.error_response) options.error_response = default_error_response;
  }

  AsyncServerOptions options;
  RequestHandler handler;
  net::io_context ioc;
  // Keeps run() going while a session waits for its handler with no I/O pending, so that what
  // stop() posts (the closes) always runs: a handler left in the queue would hold its session
  // and, through it, this Impl.
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  std::unique_ptr<net::ssl::context> tls;
  tcp::acceptor acceptor;
  std::uint16_t bound_port = 0;
  std::vector<std::thread> threads;

  std::mutex mu;
  bool stopped = false;                                                   // GUARDED_BY(mu)
  std::unordered_map<SessionBase*, std::weak_ptr<SessionBase>> sessions;  // GUARDED_BY(mu)

  // Registers a new session; false once the server stops (the caller drops it).
  bool enter(SessionBase* s, std::weak_ptr<SessionBase> weak) {
    std::lock_guard lock(mu);
    if (stopped) return false;
    sessions.emplace(s, std::move(weak));
    return true;
  }
  void leave(SessionBase* s) {
    std::lock_guard lock(mu);
    sessions.erase(s);
  }
  void accept();
  void on_accept(beast::error_code ec, ConnSocket socket);
  template <class Stream>
  void start_session(Stream stream);
};

namespace {

template <class Stream>
class Session : public AsyncServer::Impl::SessionBase,
                public std::enable_shared_from_this<Session<Stream>> {
 public:
  Session(std::shared_ptr<AsyncServer::Impl> server, Stream stream)
      : server_(std::move(server)), stream_(std::move(stream)) {}
  ~Session() override { server_->leave(this); }

  void start() {
    if (!server_->enter(this, this->weak_from_this())) return;
    if constexpr (std::is_same_v<Stream, TcpStream>) {
      net::dispatch(stream_.get_executor(), [self = this->shared_from_this()] { self->read(); });
    } else {
      lowest_tcp(stream_).expires_after(kTlsTimeout);
      stream_.async_handshake(net::ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) {
                                if (ec) return self->close_now();
                                self->read();
                              });
    }
  }

  // At stop(): an answer being written is finished first (bounded by kStopGrace), so answers
  // handed over before stop() — the 410s of a stopping KE server — reach their clients.
  void close() override {
    net::post(stream_.get_executor(), [self = this->shared_from_this()] {
      if (!self->writing_) return self->close_now();
      self->close_after_write_ = true;
      lowest_tcp(self->stream_).expires_after(kStopGrace);
    });
  }

  // Called on any thread by the Responder.
  void answer(RawResponse response) {
    // Posted under the server's lock: once stop() has set `stopped` nothing more is queued, and
    // what was queued before keeps the I/O threads running until it has run.
    std::lock_guard lock(server_->mu);
    if (server_->stopped) return;
    net::post(stream_.get_executor(),
              [self = this->shared_from_this(), r = std::move(response)]() mutable {
                self->write(std::move(r), self->keep_alive_);
              });
  }

 private:
  // Holds its session (and so the connection) until it answers: while a handler keeps the
  // request (a long poll), no I/O operation does.
  class SessionResponder final : public Responder {
   public:
    explicit SessionResponder(std::shared_ptr<Session> session) : session_(std::move(session)) {}
    void send(RawResponse response) override {
      if (sent_.exchange(true)) return;
      auto session = std::move(session_);  // only the thread that set sent_ gets here
      session->answer(std::move(response));
    }

   private:
    std::shared_ptr<Session> session_;
    std::atomic<bool> sent_{false};
  };

  void read() {
    if (closed_) return;
    parser_.emplace();
    parser_->header_limit(kHeaderLimit);
    parser_->body_limit(server_->options.max_body_bytes);
    lowest_tcp(stream_).expires_after(server_->options.idle_timeout);
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                               self->on_header(ec);
                             });
  }

  void on_header(beast::error_code ec) {
    if (ec) return refuse_or_close(ec);
    auto& req = parser_->get();
    if (bhttp::token_list(req[bhttp::field::expect]).exists("100-continue") &&
        !parser_->is_done()) {
      auto cont = std::make_shared<bhttp::response<bhttp::empty_body>>(bhttp::status::continue_,
                                                                       req.version());
      lowest_tcp(stream_).expires_after(kWriteTimeout);
      bhttp::async_write(stream_, *cont,
                         [self = this->shared_from_this(), cont](beast::error_code e, std::size_t) {
                           if (e) return self->close_now();
                           self->read_body();
                         });
      return;
    }
    read_body();
  }

  void read_body() {
    lowest_tcp(stream_).expires_after(kBodyReadTimeout);
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                        self->on_request(ec);
                      });
  }

  // A transport-level refusal (400, 413) is answered and the connection closed; other read
  // errors (the peer went away, idle timeout) just close.
  void refuse_or_close(beast::error_code ec) {
    if (ec == bhttp::error::body_limit) {
      // Many clients (cpprestsdk among them) send the whole body before they read an answer:
      // after the 413 the rest of the body is read and dropped, so they see the 413 rather than
      // a reset connection.
      linger_ = true;
      return write(server_->options.error_response(
                       413, "Request body exceeds the limit of " +
                                std::to_string(server_->options.max_body_bytes) + " bytes."),
                   false);
    }
    if (ec.category() == bhttp::make_error_code(bhttp::error::end_of_stream).category() &&
        ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message) {
      return write(server_->options.error_response(400, "Malformed HTTP request: " + ec.message()),
                   false);
    }
    close_now();
  }

  void on_request(beast::error_code ec) {
    if (ec) return refuse_or_close(ec);
    auto msg = parser_->release();
    parser_.reset();
    keep_alive_ = msg.keep_alive();
    version_ = msg.version();
    RawRequest request;
    request.method = std::string(msg.method_string());
    request.target = std::string(msg.target());
    request.headers.reserve(8);
    for (const auto& f : msg) {
      request.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
    }
    request.body = std::move(msg.body());
    lowest_tcp(stream_).expires_never();
    auto responder = std::make_shared<SessionResponder>(this->shared_from_this());
    try {
      server_->handler(std::move(request), responder);
    } catch (const std::exception& e) {
      responder->send(
          server_->options.error_response(500, std::string("Internal error: ") + e.what()));
    } catch (...) {
      responder->send(server_->options.error_response(500, "Internal error"));
    }
  }

  void write(RawResponse r, bool keep_alive) {
    if (closed_) return;
    response_.emplace(static_cast<bhttp::status>(r.status), version_);
    for (auto& [k, v] : r.headers) response_->insert(k, v);
    response_->body() = std::move(r.body);
    response_->keep_alive(keep_alive);
    response_->prepare_payload();
    lowest_tcp(stream_).expires_after(close_after_write_ ? kStopGrace : kWriteTimeout);
    writing_ = true;
    bhttp::async_write(
        stream_, *response_,
        [self = this->shared_from_this(), keep_alive](beast::error_code ec, std::size_t) {
          self->writing_ = false;
          self->response_.reset();
          if (!ec && self->linger_ && !self->close_after_write_) {
            return self->discard_input();
          }
          if (ec || !keep_alive || self->close_after_write_) {
            return self->close_now();
          }
          self->read();
        });
  }

  // Reads and drops what the client still sends (bounded in time and bytes), then closes.
  void discard_input() {
    if (discarded_ == 0) lowest_tcp(stream_).expires_after(kLingerTimeout);
    buffer_.consume(buffer_.size());
    stream_.async_read_some(buffer_.prepare(64u << 10),
                            [self = this->shared_from_this()](beast::error_code ec, std::size_t n) {
                              self->discarded_ += n;
                              if (ec || self->discarded_ > kLingerMaxBytes)
                                return self->close_now();
                              self->discard_input();
                            });
  }

  void close_now() {
    if (closed_) return;
    closed_ = true;
    beast::error_code ignored;
    if constexpr (!std::is_same_v<Stream, TcpStream>) {
      // No close_notify round trip: the peer may be gone, and a stuck shutdown would hold the
      // socket. The TCP FIN tells the client the connection is over.
      lowest_tcp(stream_).socket().shutdown(tcp::socket::shutdown_both, ignored);
    } else {
      stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    }
    lowest_tcp(stream_).close();
  }

  std::shared_ptr<AsyncServer::Impl> server_;
  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::optional<bhttp::response<bhttp::string_body>> response_;
  unsigned version_ = 11;
  bool keep_alive_ = true;
  bool writing_ = false;
  bool linger_ = false;
  std::size_t discarded_ = 0;
  bool close_after_write_ = false;
  bool closed_ = false;
};

}  // namespace

void AsyncServer::Impl::accept() {
  acceptor.async_accept(net::make_strand(ioc),
                        [self = shared_from_this()](beast::error_code ec, ConnSocket socket) {
                          self->on_accept(ec, std::move(socket));
                        });
}

void AsyncServer::Impl::on_accept(beast::error_code ec, ConnSocket socket) {
  if (ec == net::error::operation_aborted || !acceptor.is_open()) return;
  if (!ec) {
    TcpStream stream(std::move(socket));
    if (tls) {
      start_session(TlsStream(std::move(stream), *tls));
    } else {
      start_session(std::move(stream));
    }
  }
  // Accept errors (e.g. too many open files) must not end the accept loop.
  accept();
}

template <class Stream>
void AsyncServer::Impl::start_session(Stream stream) {
  std::make_shared<Session<Stream>>(shared_from_this(), std::move(stream))->start();
}

AsyncServer::AsyncServer(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

AsyncServer::~AsyncServer() { stop(); }

std::uint16_t AsyncServer::port() const noexcept { return impl_->bound_port; }

Result<std::unique_ptr<AsyncServer>> AsyncServer::start(AsyncServerOptions options,
                                                        RequestHandler handler) {
  if (!handler) return invalid_argument("AsyncServer needs a request handler");
  if (options.io_threads == 0) return invalid_argument("io_threads must be at least 1");
  if (options.bind_address.empty()) return invalid_argument("bind_address must not be empty");
  beast::error_code ec;
  auto address = net::ip::make_address(options.bind_address, ec);
  if (ec) {  // a host name ("localhost"): its first address
    net::io_context lookup;
    tcp::resolver resolver(lookup);
    auto found = resolver.resolve(options.bind_address, "", ec);
    if (ec || found.empty()) {
      return unavailable("bind_address '" + options.bind_address +
                         "' is neither an IP address nor a known host name: " + ec.message());
    }
    address = found.begin()->endpoint().address();
  }
  auto impl = std::make_shared<Impl>(std::move(options), std::move(handler));
  if (impl->options.tls) {
    GRIDKE_ASSIGN_OR_RETURN(impl->tls, detail::make_server_tls(*impl->options.tls));
  }
  const tcp::endpoint endpoint(address, impl->options.port);
  const std::string where = impl->options.bind_address + ":" + std::to_string(impl->options.port);
  auto& acc = impl->acceptor;
  if (acc.open(endpoint.protocol(), ec); ec) {
    return unavailable("Cannot open a socket for " + where + ": " + ec.message());
  }
  acc.set_option(net::socket_base::reuse_address(true), ec);
  if (acc.bind(endpoint, ec); ec)
    return unavailable("Cannot listen on " + where + ": " + ec.message());
  if (acc.listen(net::socket_base::max_listen_connections, ec); ec) {
    return unavailable("Cannot listen on " + where + ": " + ec.message());
  }
  impl->bound_port = acc.local_endpoint().port();
  impl->accept();
  for (std::size_t i = 0; i < impl->options.io_threads; ++i) {
    impl->threads.emplace_back([raw = impl.get()] { raw->ioc.run(); });
  }
  return std::unique_ptr<AsyncServer>(new AsyncServer(std::move(impl)));
}

void AsyncServer::stop() {
  Impl& s = *impl_;
  std::vector<std::shared_ptr<Impl::SessionBase>> open;
  {
    std::lock_guard lock(s.mu);
    if (s.stopped) return;
    s.stopped = true;
    for (auto& [raw, weak] : s.sessions) {
      if (auto session = weak.lock()) open.push_back(std::move(session));
    }
  }
  net::post(s.acceptor.get_executor(), [impl = impl_] {
    beast::error_code ignored;
    impl->acceptor.close(ignored);
  });
  for (auto& session : open) session->close();
  open.clear();
  // Nothing more is posted (answer() checks `stopped` under the lock): once the closes above
  // have run and their operations finished, run() returns.
  s.work.reset();
  for (auto& t : s.threads) {
    if (t.joinable()) t.join();
  }
}

}  // namespace gridke::http
