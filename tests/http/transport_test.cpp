// AsyncServer, AsyncClient and Mount (gridke/http/transport.hpp) over real loopback sockets.
#include "gridke/http/transport.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "gridke_matchers.hpp"

namespace gridke::http {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using testing_support::HasError;
using testing_support::IsOk;
using namespace std::chrono_literals;

// Echoes method, target, a header and the body: "GET /x?y h=v body".
RequestHandler echo_handler() {
  return [](RawRequest req, std::shared_ptr<Responder> responder) {
    std::string text = req.method + " " + req.target +
                       " h=" + std::string(req.header("x-probe").value_or("")) + " " + req.body;
    responder->send(RawResponse{200, {{"Content-Type", "text/plain"}}, std::move(text)});
  };
}

// A handler that keeps every request unanswered; the test answers (or drops) them later.
// Declare it before the server, so that it outlives the server's I/O threads.
class HeldRequests {
 public:
  RequestHandler handler() {
    return [this](RawRequest, std::shared_ptr<Responder> responder) {
      std::lock_guard lock(mu_);
      held_.push_back(std::move(responder));
    };
  }
  std::size_t size() {
    std::lock_guard lock(mu_);
    return held_.size();
  }
  // The i-th request's responder. REQUIRES: i < size().
  std::shared_ptr<Responder> at(std::size_t i) {
    std::lock_guard lock(mu_);
    return held_.at(i);
  }
  // Waits up to 1 s for `n` requests; true when they arrived.
  bool wait_for(std::size_t n) {
    for (int i = 0; i < 100 && size() < n; ++i) std::this_thread::sleep_for(10ms);
    return size() >= n;
  }

 private:
  std::mutex mu_;
  std::vector<std::shared_ptr<Responder>> held_;
};

// A minimal HTTP/1.1 server that answers each request with the number of the connection it came
// on (0 for the first one accepted), and only once the test allows that connection to answer:
// it shows which of a client's pooled connections carried a request.
class ConnectionLabels {
 public:
  ConnectionLabels() {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    EXPECT_EQ(::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    EXPECT_EQ(::listen(listener_, 16), 0);
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
  }
  ~ConnectionLabels() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
      for (int fd : fds_) ::shutdown(fd, SHUT_RDWR);
    }
    cv_.notify_all();
    ::shutdown(listener_, SHUT_RDWR);
    acceptor_.join();
    for (auto& t : threads_) t.join();
    for (int fd : fds_) ::close(fd);
    ::close(listener_);
  }
  std::uint16_t port() const { return port_; }
  // Lets connection `label` answer one request; allow_all() lets every request through.
  void allow(int label) {
    std::lock_guard lock(mu_);
    ++allowed_[label];
    cv_.notify_all();
  }
  void allow_all() {
    std::lock_guard lock(mu_);
    all_ = true;
    cv_.notify_all();
  }

 private:
  void accept_loop() {
    for (int label = 0;; ++label) {
      const int fd = ::accept(listener_, nullptr, nullptr);
      if (fd < 0) return;
      std::lock_guard lock(mu_);
      fds_.push_back(fd);
      threads_.emplace_back([this, fd, label] { serve(fd, label); });
    }
  }
  void serve(int fd, int label) {
    std::string in;
    char buf[4096];
    while (true) {
      std::size_t end;
      while ((end = in.find("\r\n\r\n")) == std::string::npos) {
        const auto n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) return;
        in.append(buf, static_cast<std::size_t>(n));
      }
      in.erase(0, end + 4);  // GET requests: no body
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return stopping_ || all_ || allowed_[label] > 0; });
        if (stopping_) return;
        if (!all_) --allowed_[label];
      }
      const std::string body = std::to_string(label);
      const std::string out =
          "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
      if (::send(fd, out.data(), out.size(), MSG_NOSIGNAL) < 0) return;
    }
  }

  int listener_ = -1;
  std::uint16_t port_ = 0;
  std::thread acceptor_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;             // GUARDED_BY(mu_)
  bool all_ = false;                  // GUARDED_BY(mu_)
  std::map<int, int> allowed_;        // GUARDED_BY(mu_)
  std::vector<int> fds_;              // GUARDED_BY(mu_)
  std::vector<std::thread> threads_;  // GUARDED_BY(mu_)
};

std::unique_ptr<AsyncServer> start_server(RequestHandler handler, AsyncServerOptions options = {}) {
  auto server = AsyncServer::start(std::move(options), std::move(handler));
  EXPECT_THAT(server, IsOk());
  return server ? std::move(*server) : nullptr;
}

std::unique_ptr<AsyncClient> client_for(std::uint16_t port) {
  AsyncClientOptions options;
  options.port = port;
  auto client = AsyncClient::create(options);
  EXPECT_THAT(client, IsOk());
  return client ? std::move(*client) : nullptr;
}

// Sends raw bytes on a fresh TCP connection and returns what the server answers until it
// closes the connection (or 2 s pass).
std::string raw_exchange(std::uint16_t port, const std::string& bytes) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return "connect failed";
  }
  timeval tv{2, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  (void)::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
  std::string out;
  char buf[4096];
  while (true) {
    const auto n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return out;
}

TEST(AsyncServerTest, AnswersAClientRequestWithHeadersAndBody) {
  auto server = start_server(echo_handler());
  auto client = client_for(server->port());
  ClientRequest req{"POST", "/a/b?c=1", {{"X-Probe", "v1"}}, "hello", "text/plain"};
  auto r = client->request_sync(req, 5s);
  EXPECT_EQ(r.status, 200) << r.error;
  EXPECT_EQ(r.body, "POST /a/b?c=1 h=v1 hello");
}

TEST(AsyncServerTest, AnswersFromAnotherThreadLater) {
  HeldRequests held;
  auto server = start_server(held.handler());
  auto client = client_for(server->port());
  std::promise<ClientResult> got;
  client->request({"GET", "/poll", {}, {}, {}}, 5s, [&](ClientResult r) { got.set_value(r); });
  auto future = got.get_future();
  EXPECT_EQ(future.wait_for(100ms), std::future_status::timeout);
  std::thread([&] {
    ASSERT_EQ(held.size(), 1u);
    held.at(0)->send(RawResponse{202, {}, "later"});
    held.at(0)->send(RawResponse{500, {}, "ignored: only the first answer counts"});
  }).join();
  auto r = future.get();
  EXPECT_EQ(r.status, 202);
  EXPECT_EQ(r.body, "later");
}

TEST(AsyncServerTest, KeepsServingManyRequestsOnPooledConnections) {
  std::atomic<int> handled{0};
  auto server = start_server([&](RawRequest req, std::shared_ptr<Responder> responder) {
    ++handled;
    responder->send(RawResponse{200, {}, req.body});
  });
  auto client = client_for(server->port());
  std::vector<std::future<ClientResult>> results;
  for (int i = 0; i < 200; ++i) {
    auto p = std::make_shared<std::promise<ClientResult>>();
    results.push_back(p->get_future());
    client->request({"POST", "/n", {}, std::to_string(i), "text/plain"}, 5s,
                    [p](ClientResult r) { p->set_value(std::move(r)); });
  }
  for (int i = 0; i < 200; ++i) {
    auto r = results[static_cast<std::size_t>(i)].get();
    EXPECT_EQ(r.status, 200) << r.error;
    EXPECT_EQ(r.body, std::to_string(i));
  }
  EXPECT_EQ(handled.load(), 200);
}

TEST(AsyncServerTest, RefusesABodyOverTheLimitWith413) {
  AsyncServerOptions options;
  options.max_body_bytes = 10;
  auto server = start_server(echo_handler(), options);
  auto client = client_for(server->port());
  auto r = client->request_sync({"POST", "/big", {}, std::string(11, 'x'), "text/plain"}, 5s);
  EXPECT_EQ(r.status, 413);
  EXPECT_THAT(r.body, HasSubstr("exceeds the limit of 10 bytes"));
  // The server keeps serving.
  auto ok = client->request_sync({"POST", "/small", {}, "0123456789", "text/plain"}, 5s);
  EXPECT_EQ(ok.status, 200) << ok.error;
}

TEST(AsyncServerTest, AnswersMalformedHttpWith400AndKeepsServing) {
  auto server = start_server(echo_handler());
  auto answer = raw_exchange(server->port(), "GARBAGE\x01 / HTTP/1.1\r\n\r\n");
  EXPECT_THAT(answer, StartsWith("HTTP/1.1 400"));
  EXPECT_THAT(answer, HasSubstr("Malformed HTTP request"));
  for (int i = 0; i < 50; ++i) {
    (void)raw_exchange(server->port(), "GET / HTTP/1.1\r\nContent-Length: nope\r\n\r\n");
  }
  auto client = client_for(server->port());
  EXPECT_EQ(client->request_sync({"GET", "/after", {}, {}, {}}, 5s).status, 200);
}

TEST(AsyncServerTest, SendsContinueForExpect100) {
  auto server = start_server(echo_handler());
  auto answer = raw_exchange(server->port(),
                             "POST /e HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                             "Content-Length: 2\r\nConnection: close\r\n\r\nhi");
  EXPECT_THAT(answer, StartsWith("HTTP/1.1 100 Continue"));
  EXPECT_THAT(answer, HasSubstr("POST /e h= hi"));
}

TEST(AsyncServerTest, StopClosesConnectionsWithHeldRequests) {
  HeldRequests held;
  auto server = start_server(held.handler());
  auto client = client_for(server->port());
  std::promise<ClientResult> got;
  client->request({"GET", "/held", {}, {}, {}}, 5s, [&](ClientResult r) { got.set_value(r); });
  auto future = got.get_future();
  ASSERT_TRUE(held.wait_for(1));
  server->stop();
  auto r = future.get();
  EXPECT_EQ(r.status, 0);
  EXPECT_THAT(r.error, HasSubstr("receive failed"));
  held.at(0)->send(RawResponse{200, {}, "too late"});  // a no-op, not a crash
}

TEST(AsyncServerTest, RejectsBadOptionsNamingTheField) {
  EXPECT_THAT(AsyncServer::start({}, nullptr),
              HasError(ErrorCode::invalid_argument, HasSubstr("request handler")));
  AsyncServerOptions threads;
  threads.io_threads = 0;
  EXPECT_THAT(AsyncServer::start(threads, echo_handler()),
              HasError(ErrorCode::invalid_argument, HasSubstr("io_threads")));
  AsyncServerOptions address;
  address.bind_address = "no such host.invalid";
  EXPECT_THAT(AsyncServer::start(address, echo_handler()),
              HasError(ErrorCode::unavailable, HasSubstr("no such host.invalid")));
  AsyncServerOptions tls;
  tls.tls = TlsFiles{"/nonexistent/cert.pem", "/nonexistent/key.pem", ""};
  EXPECT_THAT(AsyncServer::start(tls, echo_handler()),
              HasError(ErrorCode::invalid_argument, HasSubstr("/nonexistent/cert.pem")));
}

TEST(AsyncServerTest, ReportsAPortInUse) {
  auto first = start_server(echo_handler());
  AsyncServerOptions same;
  same.port = first->port();
  EXPECT_THAT(AsyncServer::start(same, echo_handler()),
              HasError(ErrorCode::unavailable, HasSubstr("Cannot listen on 127.0.0.1:")));
}

TEST(AsyncClientTest, ReportsAConnectFailureWithoutAStatus) {
  std::uint16_t port = 0;
  {
    auto server = start_server(echo_handler());
    port = server->port();
  }
  auto client = client_for(port);
  auto r = client->request_sync({"GET", "/", {}, {}, {}}, 2s);
  EXPECT_EQ(r.status, 0);
  EXPECT_THAT(r.error, HasSubstr("connect failed"));
}

TEST(AsyncClientTest, TimesOutASlowServer) {
  HeldRequests never_answered;
  auto server = start_server(never_answered.handler());
  auto client = client_for(server->port());
  auto r = client->request_sync({"GET", "/slow", {}, {}, {}}, 150ms);
  EXPECT_EQ(r.status, 0);
  EXPECT_THAT(r.error, HasSubstr("timed out after 150 ms"));
}

TEST(AsyncClientTest, ShutdownFailsRequestsInFlight) {
  HeldRequests held;
  auto server = start_server(held.handler());
  auto client = client_for(server->port());
  std::promise<ClientResult> got;
  client->request({"GET", "/held", {}, {}, {}}, 5s, [&](ClientResult r) { got.set_value(r); });
  ASSERT_TRUE(held.wait_for(1));
  client->shutdown();
  auto r = got.get_future().get();
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.error, "client shut down");
  std::promise<ClientResult> after;
  client->request({"GET", "/x", {}, {}, {}}, 1s, [&](ClientResult res) { after.set_value(res); });
  EXPECT_EQ(after.get_future().get().error, "client shut down");
}

TEST(AsyncClientTest, RetriesOnceWhenTheServerClosedAnIdleConnection) {
  AsyncServerOptions options;
  options.idle_timeout = std::chrono::seconds(1);
  auto server = start_server(echo_handler(), options);
  auto client = client_for(server->port());
  EXPECT_EQ(client->request_sync({"GET", "/1", {}, {}, {}}, 5s).status, 200);
  std::this_thread::sleep_for(1500ms);  // the server closes the pooled connection
  auto r = client->request_sync({"GET", "/2", {}, {}, {}}, 5s);
  EXPECT_EQ(r.status, 200) << r.error;
  EXPECT_THAT(r.body, HasSubstr("GET /2"));
}

TEST(AsyncClientTest, ClosesConnectionsIdleLongerThanTheTimeout) {
  HeldRequests held;
  auto server = start_server(held.handler());
  AsyncClientOptions options;
  options.port = server->port();
  options.idle_timeout = 200ms;
  auto created = AsyncClient::create(options);
  ASSERT_THAT(created, IsOk());
  auto& client = **created;
  // A burst: four requests at once need four connections.
  std::vector<std::future<ClientResult>> burst;
  for (int i = 0; i < 4; ++i) {
    auto p = std::make_shared<std::promise<ClientResult>>();
    burst.push_back(p->get_future());
    client.request({"GET", "/burst", {}, {}, {}}, 5s,
                   [p](ClientResult r) { p->set_value(std::move(r)); });
  }
  ASSERT_TRUE(held.wait_for(4));
  for (std::size_t i = 0; i < 4; ++i) held.at(i)->send(RawResponse{200, {}, "ok"});
  for (auto& f : burst) EXPECT_EQ(f.get().status, 200);
  EXPECT_EQ(client.idle_connections(), 4u);
  // Idle past the timeout: the next request closes all four and opens a new connection.
  std::this_thread::sleep_for(300ms);
  std::promise<ClientResult> later;
  client.request({"GET", "/later", {}, {}, {}}, 5s,
                 [&](ClientResult r) { later.set_value(std::move(r)); });
  ASSERT_TRUE(held.wait_for(5));
  EXPECT_EQ(client.idle_connections(), 0u);
  held.at(4)->send(RawResponse{200, {}, "ok"});
  EXPECT_EQ(later.get_future().get().status, 200);
  EXPECT_EQ(client.idle_connections(), 1u);
}

TEST(AsyncClientTest, TakesTheOldestIdleConnectionSoABurstsExtraOnesExpire) {
  ConnectionLabels server;
  AsyncClientOptions options;
  options.port = server.port();
  auto created = AsyncClient::create(options);
  ASSERT_THAT(created, IsOk());
  auto& client = **created;
  server.allow(0);
  EXPECT_EQ(client.request_sync({"GET", "/first", {}, {}, {}}, 5s).body, "0");
  // A burst of three: connection 0 and two new ones, 1 and 2, which answer (and so go back to
  // the pool) in that order.
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::string> answered;
  for (int i = 0; i < 3; ++i) {
    client.request({"GET", "/burst", {}, {}, {}}, 5s, [&](ClientResult r) {
      std::lock_guard lock(mu);
      answered.push_back(r.status == 200 ? r.body : r.error);
      cv.notify_all();
    });
  }
  for (int label = 0; label < 3; ++label) {
    server.allow(label);
    std::unique_lock lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, 5s, [&] { return answered.size() == std::size_t(label) + 1; }));
    EXPECT_EQ(answered.back(), std::to_string(label));
  }
  EXPECT_EQ(client.idle_connections(), 3u);
  // Connection 2 went idle last, but the next request takes the oldest, 0: after a burst the
  // steady load stays on the connections it had, and the burst's extra ones expire.
  server.allow_all();
  EXPECT_EQ(client.request_sync({"GET", "/after", {}, {}, {}}, 5s).body, "0");
  EXPECT_EQ(client.request_sync({"GET", "/again", {}, {}, {}}, 5s).body, "0");
}

TEST(AsyncClientTest, RejectsBadOptionsNamingTheField) {
  AsyncClientOptions options;
  options.idle_timeout = 0ms;
  EXPECT_THAT(AsyncClient::create(options),
              HasError(ErrorCode::invalid_argument, HasSubstr("idle_timeout must be positive")));
  options = {};
  options.io_threads = 0;
  EXPECT_THAT(AsyncClient::create(options),
              HasError(ErrorCode::invalid_argument, HasSubstr("io_threads must be at least 1")));
  options = {};
  options.scheme = "ftp";
  EXPECT_THAT(AsyncClient::create(options),
              HasError(ErrorCode::invalid_argument, HasSubstr("scheme must be http or https")));
}

TEST(MountTest, RoutesByLongestPrefixOnOnePort) {
  auto tagged = [](std::string tag) {
    return [tag](RawRequest req, std::shared_ptr<Responder> responder) {
      responder->send(RawResponse{200, {}, tag + " " + req.target});
    };
  };
  auto rest = Mount::open({}, "/rest", tagged("ke"));
  ASSERT_THAT(rest, IsOk());
  AsyncServerOptions same;
  same.port = (*rest)->port();
  auto service = Mount::open(same, "/rest/service/", tagged("service"));
  ASSERT_THAT(service, IsOk());
  EXPECT_EQ((*service)->port(), (*rest)->port());
  auto client = client_for((*rest)->port());
  EXPECT_EQ(client->request_sync({"GET", "/rest/sc", {}, {}, {}}, 5s).body, "ke /rest/sc");
  EXPECT_EQ(client->request_sync({"GET", "/rest/service/x", {}, {}, {}}, 5s).body,
            "service /rest/service/x");
  EXPECT_EQ(client->request_sync({"GET", "/rest", {}, {}, {}}, 5s).body, "ke /rest");
  auto none = client->request_sync({"GET", "/restless", {}, {}, {}}, 5s);
  EXPECT_EQ(none.status, 404);
  EXPECT_THAT(none.body, HasSubstr("No such endpoint"));
  EXPECT_THAT(Mount::open(same, "/rest", tagged("again")),
              HasError(ErrorCode::unavailable, HasSubstr("'/rest' is already served")));
  (*service)->close();
  EXPECT_EQ(client->request_sync({"GET", "/rest/service/x", {}, {}, {}}, 5s).body,
            "ke /rest/service/x");
}

TEST(TransportUrlTest, ParsesBaseUrls) {
  auto plain = parse_base_url("http://127.0.0.1:8280/rest/");
  ASSERT_THAT(plain, IsOk());
  EXPECT_EQ(plain->first.scheme, "http");
  EXPECT_EQ(plain->first.host, "127.0.0.1");
  EXPECT_EQ(plain->first.port, 8280);
  EXPECT_EQ(plain->second, "/rest");
  auto v6 = parse_base_url("https://[::1]/");
  ASSERT_THAT(v6, IsOk());
  EXPECT_EQ(v6->first.host, "::1");
  EXPECT_EQ(v6->first.port, 443);
  EXPECT_EQ(v6->second, "");
}

TEST(TransportUrlTest, RejectsBadUrlsNamingTheProblem) {
  EXPECT_THAT(parse_base_url("ftp://x/"),
              HasError(ErrorCode::invalid_argument, HasSubstr("must start with http://")));
  EXPECT_THAT(parse_base_url("http://:80/"),
              HasError(ErrorCode::invalid_argument, HasSubstr("the host is empty")));
  EXPECT_THAT(parse_base_url("http://h:99999/"),
              HasError(ErrorCode::invalid_argument, HasSubstr("from 1 to 65535")));
  EXPECT_THAT(parse_base_url("http://h:/"),
              HasError(ErrorCode::invalid_argument, HasSubstr("the port is empty")));
  EXPECT_THAT(parse_base_url("http://h/a?b"),
              HasError(ErrorCode::invalid_argument, HasSubstr("no query")));
  EXPECT_THAT(parse_base_url("http://[::1/"),
              HasError(ErrorCode::invalid_argument, HasSubstr("closing ']'")));
}

TEST(TransportUrlTest, PercentDecodes) {
  EXPECT_EQ(percent_decode("/a%20b%2Fc+d"), "/a b/c+d");
  EXPECT_EQ(percent_decode("%e2%82%ac"), "\xe2\x82\xac");
  EXPECT_EQ(percent_decode("bad%2"), std::nullopt);
  EXPECT_EQ(percent_decode("bad%zz"), std::nullopt);
}

}  // namespace
}  // namespace gridke::http
