// The Italian pilot's MQTT transport against a real Mosquitto broker started by the test on a
// free port (/usr/sbin/mosquitto; the test is skipped when it is not installed), with Debian's
// Paho MQTT C++ client on both sides.
#include "gridke/services/flexibility_market/mqtt/mqtt_bridge.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fcntl.h>

#include <netinet/in.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <csignal>
#include <filesystem>
#include <mutex>
#include <thread>

#include <mqtt/async_client.h>

#include "gridke/services/flexibility_market/model_json.hpp"
#include "gridke/services/flexibility_market/mqtt/italian_request.hpp"
#include "gridke_matchers.hpp"
#include "market_test_time.hpp"

extern char** environ;

namespace gridke::services::flexibility_market {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

using test_time::at;

int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

TEST(ItalianRequest, ParsesTheD43TableOneMessage) {
  auto needs = parse_italian_request(
      R"({"timestamp": 1795860000, "flexibility": [{"activation_time": "2026-11-28T18:00:00Z", "power": 12.5},
          {"activation_time": 1795889700, "power": -4}]})",
      "IT-1");
  ASSERT_THAT(needs, IsOk());
  ASSERT_EQ(needs->size(), 2u);
  EXPECT_EQ((*needs)[0].zone, "IT-1");
  EXPECT_DOUBLE_EQ((*needs)[0].needs_kw, 12.5);
  EXPECT_EQ((*needs)[0].direction, Direction::down);
  EXPECT_EQ(format_time((*needs)[1].start), "2026-11-28T18:15:00Z");
  EXPECT_EQ((*needs)[1].direction, Direction::up);
  EXPECT_EQ((*needs)[1].end - (*needs)[1].start, std::chrono::minutes(15));
}

TEST(ItalianRequest, RejectsMalformedMessages) {
  EXPECT_THAT(parse_italian_request("{", "Z"),
              HasError(ErrorCode::parse_error, HasSubstr("not JSON")));
  EXPECT_THAT(parse_italian_request(R"({"flexibility": []})", "Z"),
              HasError(ErrorCode::invalid_argument, HasSubstr("timestamp: is required")));
  EXPECT_THAT(parse_italian_request(R"({"timestamp": 1, "flexibility": []})", "Z"),
              HasError(ErrorCode::invalid_argument, HasSubstr("at least one entry")));
  EXPECT_THAT(
      parse_italian_request(
          R"({"timestamp": 1, "flexibility": [{"activation_time": "soon", "power": 1}]})", "Z"),
      HasError(ErrorCode::invalid_argument,
               HasSubstr("flexibility[0].activation_time: not an ISO 8601")));
  EXPECT_THAT(parse_italian_request(
                  R"({"timestamp": 1, "flexibility": [{"activation_time": 1, "power": 0}]})", "Z"),
              HasError(ErrorCode::invalid_argument,
                       HasSubstr("flexibility[0].power: must be finite and non-zero")));
  EXPECT_THAT(
      parse_italian_request(
          R"({"timestamp": 1, "flexibility": [{"activation_time": 1, "power": "x"}]})", "Z"),
      HasError(ErrorCode::invalid_argument, HasSubstr("flexibility[0].power: must be a number")));
  EXPECT_THAT(
      parse_italian_request(
          R"({"timestamp": 1, "flexibility": [{"activation_time": 1, "power": 1, "unit": "W"}]})",
          "Z"),
      HasError(ErrorCode::invalid_argument, HasSubstr("flexibility[0].unit: unknown field")));
  EXPECT_THAT(
      parse_italian_request(
          R"({"timestamp": 1, "flexibility": [{"activation_time": 900, "power": 1}, {"activation_time": 900, "power": 2}]})",
          "Z"),
      HasError(ErrorCode::invalid_argument,
               HasSubstr("flexibility[1].activation_time: 1970-01-01T00:15:00Z appears twice")));
}

class MosquittoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists("/usr/sbin/mosquitto"))
      GTEST_SKIP() << "mosquitto is not installed";
    port_ = free_port();
    std::string exe = "/usr/sbin/mosquitto", p = "-p", port = std::to_string(port_);
    char* argv[] = {exe.data(), p.data(), port.data(), nullptr};
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    ASSERT_EQ(::posix_spawn(&pid_, exe.c_str(), &actions, nullptr, argv, environ), 0);
    posix_spawn_file_actions_destroy(&actions);
    uri_ = "tcp://127.0.0.1:" + port;
    // Wait until the broker accepts connections.
    for (int i = 0; i < 100; ++i) {
      try {
        mqtt::async_client probe(uri_, "probe", static_cast<mqtt::iclient_persistence*>(nullptr));
        if (probe.connect()->wait_for(std::chrono::milliseconds(500))) {
          probe.disconnect()->wait();
          break;
        }
      } catch (const std::exception&) {
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    auto m = FlexibilityMarket::open(":memory:", clock_, nullptr);
    ASSERT_THAT(m, IsOk());
    market_ = std::move(*m);
  }
  void TearDown() override {
    bridge_.reset();
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
  }
  // A DSO-side publisher that also collects the bridge's responses.
  struct Peer {
    std::unique_ptr<mqtt::async_client> client;
    std::mutex mu;
    std::vector<json> got;
    void start(const std::string& uri, const std::string& topic) {
      client = std::make_unique<mqtt::async_client>(
          uri, "rse-dso", static_cast<mqtt::iclient_persistence*>(nullptr));
      client->set_message_callback([this](mqtt::const_message_ptr m) {
        std::lock_guard lock(mu);
        got.push_back(json::parse(m->to_string()));
      });
      client->connect()->wait();
      client->subscribe(topic, 1)->wait();
    }
    std::vector<json> wait_for(std::size_t n) {
      for (int i = 0; i < 200; ++i) {
        {
          std::lock_guard lock(mu);
          if (got.size() >= n) return got;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
      std::lock_guard lock(mu);
      return got;
    }
  };

  pid_t pid_ = -1;
  int port_ = 0;
  std::string uri_;
  std::shared_ptr<ManualClock> clock_ = std::make_shared<ManualClock>(at("2026-11-28T06:00:00Z"));
  std::unique_ptr<FlexibilityMarket> market_;
  std::unique_ptr<MqttBridge> bridge_;
};

TEST_F(MosquittoTest, RequestsBecomeNeedsAndBadOnesAreAnswered) {
  MqttBridgeOptions o;
  o.server_uri = uri_;
  o.zone = "IT-1";
  auto b = MqttBridge::start(*market_, o);
  ASSERT_THAT(b, IsOk());
  bridge_ = std::move(*b);
  Peer dso;
  dso.start(uri_, o.request_topic + "/response");
  dso.client
      ->publish(
          o.request_topic,
          R"({"timestamp": "2026-11-28T06:00:00Z", "flexibility": [{"activation_time": "2026-11-28T14:00:00Z", "power": 20}]})",
          1, false)
      ->wait();
  dso.client
      ->publish(o.request_topic,
                R"({"timestamp": 1, "flexibility": [{"activation_time": 1, "power": "x"}]})", 1,
                false)
      ->wait();
  // Intraday: a delivery at 08:00 is past its offer gate (05:00) — a late request.
  dso.client
      ->publish(
          o.request_topic,
          R"({"timestamp": "2026-11-28T06:00:00Z", "flexibility": [{"activation_time": "2026-11-28T08:00:00Z", "power": 5}]})",
          1, false)
      ->wait();
  const auto answers = dso.wait_for(3);
  ASSERT_EQ(answers.size(), 3u);
  EXPECT_EQ(answers[0]["accepted"], true);
  ASSERT_EQ(answers[0]["requestIds"].size(), 1u);
  EXPECT_EQ(answers[1]["accepted"], false);
  EXPECT_EQ(answers[1]["error"], "invalid_argument");
  EXPECT_THAT(answers[1]["message"].get<std::string>(), HasSubstr("flexibility[0].power"));
  EXPECT_EQ(answers[2]["accepted"], false);
  EXPECT_THAT(answers[2]["message"].get<std::string>(), HasSubstr("late needs"));
  const auto needs = market_->needs();
  ASSERT_EQ(needs.size(), 1u);
  EXPECT_EQ(needs[0].zone, "IT-1");
  EXPECT_DOUBLE_EQ(needs[0].needs_kw, 20);
  EXPECT_EQ(needs[0].window, Window::intraday);
  EXPECT_EQ(bridge_->stats().accepted, 1);
  EXPECT_EQ(bridge_->stats().rejected, 2);
}

TEST_F(MosquittoTest, ActivationPlanIsPublished) {
  MqttBridgeOptions o;
  o.server_uri = uri_;
  o.zone = "IT-1";
  auto b = MqttBridge::start(*market_, o);
  ASSERT_THAT(b, IsOk());
  bridge_ = std::move(*b);
  Peer dso;
  dso.start(uri_, o.plan_topic);
  Activation a;
  a.activation_id = "AC-1";
  a.fsp_id = "bsp";
  a.start = at("2026-11-28T14:00:00Z");
  a.power_kw = 7;
  ASSERT_THAT(bridge_->publish_plan({a}), IsOk());
  const auto got = dso.wait_for(1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0]["activations"][0]["activation_time"], "2026-11-28T14:00:00Z");
  EXPECT_EQ(got[0]["activations"][0]["power"], 7);
}

TEST_F(MosquittoTest, UnreachableBrokerIsUnavailable) {
  MqttBridgeOptions o;
  o.server_uri = "tcp://127.0.0.1:" + std::to_string(free_port());
  o.zone = "IT-1";
  o.connect_timeout = std::chrono::milliseconds(1000);
  EXPECT_THAT(MqttBridge::start(*market_, o),
              HasError(ErrorCode::unavailable, HasSubstr(o.server_uri)));
  o.zone = "";
  EXPECT_THAT(MqttBridge::start(*market_, o),
              HasError(ErrorCode::invalid_argument, HasSubstr("zone is required")));
}

}  // namespace
}  // namespace gridke::services::flexibility_market
