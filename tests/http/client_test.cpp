// Tests of client calls and CallbackDispatcher against a real JsonServer.

#include "gridke/http/client.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <thread>

#include "gridke/http/server.hpp"
#include "gridke_matchers.hpp"
#include "test_certs.hpp"

namespace gridke::http {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using namespace std::chrono_literals;

TEST(ClientTest, UnreachableServerIsUnavailableNamingTheUrl) {
  auto port = pick_free_port("127.0.0.1");
  ASSERT_THAT(port, IsOk());
  const std::string url = "http://127.0.0.1:" + std::to_string(*port) + "/x";
  ClientOptions options;
  options.timeout = 2000ms;
  EXPECT_THAT(request("GET", url, {}, options),
              HasError(ErrorCode::unavailable, HasSubstr("GET " + url)));
}

TEST(ClientTest, RejectsBadUrls) {
  EXPECT_THAT(request("GET", "not a url"), HasError(ErrorCode::invalid_argument, HasSubstr("URL")));
  EXPECT_THAT(request("GET", "ftp://example.org/x"),
              HasError(ErrorCode::invalid_argument, HasSubstr("http(s)")));
}

TEST(CallbackUrlTest, ChecksSchemeAndHost) {
  EXPECT_THAT(check_callback_url("http://127.0.0.1:9/cb"), IsOk());
  EXPECT_THAT(check_callback_url("mailto:x@y", "needsCallback"),
              HasError(ErrorCode::invalid_argument, HasSubstr("needsCallback: 'mailto:x@y'")));
  EXPECT_THAT(check_callback_url("http:///nohost"),
              HasError(ErrorCode::invalid_argument,
                       HasSubstr("callbackUrl: 'http:///nohost' is not an http(s) URL: the host "
                                 "is empty")));
  EXPECT_THAT(check_callback_url("http://dso:99999/cb"),
              HasError(ErrorCode::invalid_argument, HasSubstr("port must be a number")));
}

// request() against a real server: method, path, query and headers arrive as sent; the
// answer's status, body and Content-Type come back.
class ClientRequestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Router router;
    auto echo = [](const Request& r) -> Result<Response> {
      return Response::json(200, {{"method", r.method},
                                  {"path", r.path},
                                  {"query", r.query},
                                  {"who", r.header("X-Who").value_or("")},
                                  {"type", r.header("Content-Type").value_or("")},
                                  {"body", r.body}});
    };
    router.get("/echo", echo);
    router.post("/echo", echo);
    router.put("/echo", echo);
    router.get("/svg", [](const Request&) -> Result<Response> {
      return Response::raw(200, "image/svg+xml", "<svg/>");
    });
    auto s = JsonServer::start(std::move(router), ServerOptions{});
    ASSERT_THAT(s, IsOk());
    server_ = std::move(*s);
  }
  std::unique_ptr<JsonServer> server_;
};

TEST_F(ClientRequestTest, SendsMethodPathQueryHeadersAndBody) {
  ClientOptions options;
  options.headers["X-Who"] = "dso";
  auto r = request("POST", server_->base_url() + "/echo?from=2026-01-01&n=3#ignored", R"({"a":1})",
                   options);
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->status, 200);
  EXPECT_THAT(r->content_type, HasSubstr("application/json"));
  auto j = r->json();
  ASSERT_THAT(j, IsOk());
  EXPECT_EQ((*j)["method"], "POST");
  EXPECT_EQ((*j)["path"], "/echo");
  EXPECT_EQ((*j)["query"], (nlohmann::json{{"from", "2026-01-01"}, {"n", "3"}}));
  EXPECT_EQ((*j)["who"], "dso");
  EXPECT_THAT((*j)["type"].get<std::string>(), HasSubstr("application/json"));
  EXPECT_EQ((*j)["body"], R"({"a":1})");
}

TEST_F(ClientRequestTest, ACallersContentTypeReplacesJson) {
  ClientOptions options;
  options.headers["content-type"] = "text/csv";
  auto csv = request("PUT", server_->base_url() + "/echo", "a,b\n1,2\n", options);
  ASSERT_THAT(csv, IsOk());
  auto echoed = csv->json();
  ASSERT_THAT(echoed, IsOk());
  EXPECT_EQ((*echoed)["type"], "text/csv");
  EXPECT_EQ((*echoed)["body"], "a,b\n1,2\n");
}

TEST_F(ClientRequestTest, ReadsNonJsonAnswersAndTheirType) {
  auto r = request("GET", server_->base_url() + "/svg");
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->content_type, "image/svg+xml");
  EXPECT_EQ(r->body, "<svg/>");
  EXPECT_THAT(r->json(), HasError(ErrorCode::parse_error, HasSubstr("not JSON (HTTP 200)")));
}

TEST_F(ClientRequestTest, ManyCallsFromManyThreadsAllSucceed) {
  // The process-wide keep-alive client is shared: concurrent callers must each get their own
  // answer.
  std::vector<std::thread> threads;
  std::atomic<int> good{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        const std::string n = std::to_string(t * 100 + i);
        auto r = call_json("GET", server_->base_url() + "/echo?n=" + n);
        if (r && (*r)["query"]["n"] == n) ++good;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(good.load(), 200);
}

TEST_F(ClientRequestTest, ServerStoppedBetweenCallsIsUnavailable) {
  const std::string url = server_->base_url() + "/echo";
  ASSERT_THAT(call_json("GET", url), IsOk());  // leaves a kept-alive connection in the pool
  server_->stop();
  EXPECT_THAT(call_json("GET", url), HasError(ErrorCode::unavailable, HasSubstr("GET " + url)));
}

TEST(RequestArgumentsTest, RejectsBadMethodsAndTlsOptionsNamingThem) {
  EXPECT_THAT(request("GE T", "http://127.0.0.1:9/x"),
              HasError(ErrorCode::invalid_argument, HasSubstr("'GE T' is not an HTTP method")));
  ClientOptions options;
  options.ca_file = "/nonexistent/ca.pem";
  EXPECT_THAT(request("GET", "http://127.0.0.1:9/x", {}, options),
              HasError(ErrorCode::invalid_argument, HasSubstr("is not https")));
  EXPECT_THAT(request("GET", "https://127.0.0.1:9/x", {}, options),
              HasError(ErrorCode::invalid_argument, AllOf(HasSubstr("GET https://127.0.0.1:9/x"),
                                                          HasSubstr("/nonexistent/ca.pem"))));
  EXPECT_THAT(request("GET", "http://127.0.0.1:9/a b"),
              HasError(ErrorCode::invalid_argument, HasSubstr("white space")));
}

class RequestTlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    certs_ = new testing::TestCertificates(testing::make_test_certificates("http-client"));
  }
  static void TearDownTestSuite() {
    std::filesystem::remove_all(certs_->dir);
    delete certs_;
    certs_ = nullptr;
  }
  void SetUp() override {
    ASSERT_EQ(certs_->error, "");
    Router router;
    router.get("/ping", [](const Request&) -> Result<Response> {
      return Response::json(200, {{"pong", true}});
    });
    ServerOptions options;
    options.tls = TlsOptions{certs_->server_cert, certs_->server_key, {}};
    auto s = JsonServer::start(std::move(router), options);
    ASSERT_THAT(s, IsOk());
    server_ = std::move(*s);
  }
  static testing::TestCertificates* certs_;
  std::unique_ptr<JsonServer> server_;
};

testing::TestCertificates* RequestTlsTest::certs_ = nullptr;

TEST_F(RequestTlsTest, TrustsTheServerSignedByItsCaAndRefusesAnotherCa) {
  const std::string url = server_->base_url() + "/ping";
  ASSERT_THAT(url, ::testing::StartsWith("https://"));
  ClientOptions options;
  options.ca_file = certs_->ca;
  auto good = call_json("GET", url, nullptr, options);
  ASSERT_THAT(good, IsOk());
  EXPECT_EQ((*good)["pong"], true);
  options.ca_file = certs_->other_ca;
  EXPECT_THAT(call_json("GET", url, nullptr, options),
              HasError(ErrorCode::unavailable,
                       AllOf(HasSubstr("GET " + url), HasSubstr("certificate verify failed"))));
  // Plain http to the https port gets no answer (the server expects a TLS handshake).
  auto plain = url;
  plain.replace(0, 5, "http");
  ClientOptions quick;
  quick.timeout = 2000ms;
  EXPECT_THAT(request("GET", plain, {}, quick),
              HasError(ErrorCode::unavailable, HasSubstr("GET " + plain)));
}

class DispatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Router router;
    router.post("/ok", [this](const Request& r) -> Result<Response> {
      std::lock_guard lock(mu_);
      received_.push_back(r.body);
      return Response::json(200, {});
    });
    router.post("/flaky", [this](const Request&) -> Result<Response> {
      if (flaky_calls_++ < 2) return unavailable("try again");
      return Response::json(200, {});
    });
    auto s = JsonServer::start(std::move(router), ServerOptions{});
    ASSERT_THAT(s, IsOk());
    server_ = std::move(*s);
  }
  std::unique_ptr<JsonServer> server_;
  std::mutex mu_;
  std::vector<std::string> received_;
  std::atomic<int> flaky_calls_{0};
};

TEST_F(DispatcherTest, DeliversInOrderAndLogs) {
  CallbackDispatcher d(3, 10ms, 2000ms);
  for (int i = 0; i < 5; ++i) d.enqueue(server_->base_url() + "/ok", std::to_string(i), "needs");
  ASSERT_TRUE(d.wait_idle(10s));
  {
    std::lock_guard lock(mu_);
    EXPECT_EQ(received_, (std::vector<std::string>{"0", "1", "2", "3", "4"}));
  }
  EXPECT_EQ(d.stats().delivered, 5);
  auto log = d.log();
  ASSERT_EQ(log.size(), 5u);
  EXPECT_TRUE(log[0].delivered);
  EXPECT_EQ(log[0].topic, "needs");
  EXPECT_EQ(log[0].last_status, 200);
}

TEST_F(DispatcherTest, RetriesWithBackoffThenSucceeds) {
  CallbackDispatcher d(4, 10ms, 2000ms);
  d.enqueue(server_->base_url() + "/flaky", "{}");
  ASSERT_TRUE(d.wait_idle(10s));
  EXPECT_EQ(d.stats().delivered, 1);
  EXPECT_EQ(d.stats().failed_attempts, 2);
  EXPECT_EQ(d.log().at(0).attempts, 3);
}

TEST_F(DispatcherTest, AbandonsAfterAttemptsAndRecordsTheStatus) {
  CallbackDispatcher d(2, 10ms, 2000ms);
  d.enqueue(server_->base_url() + "/missing", "{}");
  ASSERT_TRUE(d.wait_idle(10s));
  EXPECT_EQ(d.stats().abandoned, 1);
  EXPECT_EQ(d.log().at(0).last_status, 404);
  EXPECT_FALSE(d.log().at(0).delivered);
}

}  // namespace
}  // namespace gridke::http
