// Tests of client calls and CallbackDispatcher against a real JsonServer.

#include "gridke/http/client.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>

#include "gridke/http/server.hpp"
#include "gridke_matchers.hpp"

namespace gridke::http {
namespace {

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
              HasError(ErrorCode::invalid_argument, HasSubstr("not a valid URL")));
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
