// RestApi over a real HTTP listener on an ephemeral port: every D4.3 Table 15 service-1 method,
// 400s that name the field, polling, and callback POSTs with retries to a second listener
// playing the DSO.

#include "gridke/services/fault_location/rest_api.hpp"

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cpprest/http_client.h>
#include <cpprest/http_listener.h>
#include <nlohmann/json.hpp>

#include <mutex>
#include <tuple>

#include "fleet_fixture.hpp"

namespace gridke::services::fault_location::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;
namespace http = web::http;

struct HttpReply {
  int status = 0;
  json body;
};

std::uint16_t free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

class RestApiTest : public FleetTest {
 protected:
  void SetUp() override {
    FleetTest::SetUp();
    open();
    auto api = RestApi::start(*service_, {.bind_address = "127.0.0.1",
                                          .port = 0,
                                          .base_path = "/GridObservability",
                                          .detection_period = std::chrono::milliseconds(0),
                                          .callback_attempts = 3,
                                          .callback_backoff = std::chrono::milliseconds(50),
                                          .callback_timeout = std::chrono::milliseconds(2000)});
    ASSERT_THAT(api, IsOk());
    api_ = std::move(api).value();
  }
  void TearDown() override { api_.reset(); }

  HttpReply call(const http::method& m, const std::string& path, const std::string& body = {}) {
    http::client::http_client client(api_->base_url());
    http::http_request req(m);
    req.set_request_uri(path);
    if (!body.empty()) req.set_body(body, "application/json");
    auto resp = client.request(req).get();
    HttpReply r;
    r.status = resp.status_code();
    const auto text = resp.extract_utf8string(true).get();
    r.body = text.empty() ? json() : json::parse(text);
    return r;
  }

  void register_zone_over_http(const std::string& zone, int n) {
    ASSERT_EQ(call(http::methods::PUT, "/zones/" + zone,
                   R"({"description":"Porto 4200","nominalVoltage":230})")
                  .status,
              201);
    for (int i = 0; i < n; ++i) {
      const json body = {{"gridZone", zone},
                         {"phase", i % 3 == 0 ? "L1" : (i % 3 == 1 ? "L2" : "L3")},
                         {"accessNetwork", i % 2 == 0 ? "ispA" : "ispB"}};
      ASSERT_EQ(call(http::methods::PUT, "/hems/" + hems_name(zone, i), body.dump()).status, 201);
    }
    sizes_[zone] = n;
  }

  std::unique_ptr<RestApi> api_;
};

TEST_F(RestApiTest, ServesZonesParametersAndMonitoring) {
  register_zone_over_http("4200-072", 5);
  auto zones = call(http::methods::GET, "/zones");
  ASSERT_EQ(zones.status, 200);
  ASSERT_EQ(zones.body["gridZones"].size(), 1U);
  EXPECT_EQ(zones.body["gridZones"][0]["id"], "4200-072");
  EXPECT_EQ(zones.body["gridZones"][0]["hems"].size(), 5U);

  auto p = call(http::methods::POST, "/parameters", R"({"minSilentHems":4})");
  ASSERT_EQ(p.status, 200);
  EXPECT_EQ(p.body["minSilentHems"], 4);
  EXPECT_EQ(p.body["minSilenceSeconds"], 300);
  EXPECT_EQ(call(http::methods::GET, "/parameters").body["minSilentHems"], 4);

  auto accepted = call(http::methods::POST, "/monitoring",
                       R"({"gridZone":"4200-072","minSilenceSeconds":600})");
  ASSERT_EQ(accepted.status, 201);
  EXPECT_EQ(accepted.body["status"], "Accepted");
  EXPECT_EQ(accepted.body["monitoring"]["minSilentHems"], 4);
  EXPECT_EQ(accepted.body["monitoring"]["minSilenceSeconds"], 600);
  EXPECT_TRUE(accepted.body["monitoring"]["window"].is_null());

  auto denied = call(http::methods::POST, "/monitoring", R"({"gridZone":"9999-999"})");
  ASSERT_EQ(denied.status, 200);
  EXPECT_EQ(denied.body["status"], "Denied, could not reach Grid Zone or min. nbr. of HEMS");
  denied = call(http::methods::POST, "/monitoring", R"({"gridZone":"4200-072","minSilentHems":6})");
  EXPECT_EQ(denied.body["status"], "Denied, could not reach Grid Zone or min. nbr. of HEMS");
  EXPECT_THAT(denied.body["reason"].get<std::string>(), HasSubstr("5 monitorable HEMS"));

  auto list = call(http::methods::GET, "/monitoring");
  ASSERT_EQ(list.body["monitoring"].size(), 1U);
  const std::string id = list.body["monitoring"][0]["requestId"];
  EXPECT_EQ(call(http::methods::DEL, "/monitoring/" + id).status, 200);
  EXPECT_EQ(call(http::methods::DEL, "/monitoring/" + id).status, 404);
}

TEST_F(RestApiTest, IngestsVoltagesAndAnswersHemsStatusAndVoltage) {
  register_zone_over_http("Z", 2);
  // One ISO 8601 timestamp, one in the D4.3 Table 6 form (27-Nov-2026 = the test clock's day).
  auto r = call(http::methods::POST, "/voltages", R"({"readings":[
      {"hemsId":"Z-h0","timestamp":"2026-11-27T00:00:00Z","voltage":229.5},
      {"hemsId":"Z-h0","timestamp":"26-Nov-2026 23:59:00","voltage":228.0},
      {"hemsId":"Z-h0","timestamp":"2026-11-27T01:00:00+01:00","voltage":229.5}]})");
  ASSERT_EQ(r.status, 200) << r.body.dump();
  EXPECT_EQ(r.body["stored"], 2);
  EXPECT_EQ(r.body["duplicates"], 1);  // 01:00+01:00 is 00:00Z again
  auto s = call(http::methods::GET, "/hems/Z-h0/status");
  ASSERT_EQ(s.status, 200);
  EXPECT_EQ(s.body["communicating"], true);
  EXPECT_EQ(s.body["lastSeen"], "2026-11-27T00:00:00.000Z");
  EXPECT_EQ(s.body["lastVoltage"], 229.5);
  auto never = call(http::methods::GET, "/hems/Z-h1/status");
  EXPECT_EQ(never.body["communicating"], false);
  EXPECT_TRUE(never.body["lastSeen"].is_null());
  auto v = call(http::methods::GET, "/hems/Z-h0/voltage?limit=5");
  ASSERT_EQ(v.status, 200);
  ASSERT_EQ(v.body["readings"].size(), 2U);
  EXPECT_EQ(v.body["readings"][1]["timestamp"], "2026-11-26T23:59:00.000Z");
  v = call(http::methods::GET,
           "/hems/Z-h0/voltage?limit=5&from=2026-11-26T23:58:00Z&to=2026-11-26T23:59:30Z");
  ASSERT_EQ(v.body["readings"].size(), 1U);
  EXPECT_EQ(v.body["readings"][0]["voltage"], 228.0);
}

TEST_F(RestApiTest, RejectsBadInputWith400NamingTheField) {
  register_zone_over_http("Z", 3);
  const std::string ok_time = "2026-11-27T00:00:00Z";
  const std::vector<std::tuple<http::method, std::string, std::string, int, std::string>> cases = {
      {http::methods::POST, "/parameters", R"({"minSilentHems":0})", 400, "minSilentHems"},
      {http::methods::POST, "/parameters", R"({"minSilentHems":"three"})", 400,
       "minSilentHems: must be an integer"},
      {http::methods::POST, "/parameters", R"({"minSilenceSecs":10})", 400,
       "minSilenceSecs: unknown field"},
      {http::methods::POST, "/parameters", R"({"minSilenceSeconds":30})", 400,
       "minSilenceSeconds must exceed the reading period"},
      {http::methods::POST, "/parameters", "not json", 400, "body: not valid JSON"},
      {http::methods::POST, "/parameters", "[1,2]", 400, "body: must be a JSON object"},
      {http::methods::POST, "/monitoring", "{}", 400, "gridZone: missing"},
      {http::methods::POST, "/monitoring", R"({"gridZone":""})", 400,
       "gridZone: must not be empty"},
      {http::methods::POST, "/monitoring",
       R"({"gridZone":"Z","window":{"start":"yesterday","end":"2026-11-28T00:00:00Z"}})", 400,
       "window.start: 'yesterday' is not a timestamp"},
      {http::methods::POST, "/monitoring", R"({"gridZone":"Z","window":{"start":"x"}})", 400,
       "window: needs start and end"},
      {http::methods::POST, "/monitoring",
       R"({"gridZone":"Z","window":{"start":"2026-11-28T00:00:00Z","end":"2026-11-27T12:00:00Z"}})",
       400, "window.end must be after window.start"},
      {http::methods::POST, "/voltages", R"({"readings":5})", 400, "readings: must be an array"},
      {http::methods::POST, "/voltages",
       R"({"readings":[{"hemsId":"Z-h0","timestamp":")" + ok_time + R"(","voltage":"high"}]})", 400,
       "readings[0].voltage: must be a number"},
      {http::methods::POST, "/voltages",
       R"({"readings":[{"hemsId":"Z-h0","timestamp":")" + ok_time + R"(","voltage":230},
                        {"hemsId":"ghost","timestamp":")" +
           ok_time + R"(","voltage":230}]})",
       400, "readings[1].hemsId: unknown HEMS 'ghost'"},
      {http::methods::POST, "/voltages", R"({"readings":[{"hemsId":"Z-h0","voltage":230}]})", 400,
       "readings[0].timestamp: missing"},
      {http::methods::POST, "/voltages",
       R"({"readings":[{"hemsId":"Z-h0","timestamp":"2026-13-01T00:00:00Z","voltage":230}]})", 400,
       "readings[0].timestamp: '2026-13-01T00:00:00Z' is not a timestamp"},
      {http::methods::POST, "/voltages",
       R"({"readings":[{"hemsId":"Z-h0","timestamp":"2027-01-01T00:00:00Z","voltage":230}]})", 400,
       "readings[0].timestamp is"},
      {http::methods::POST, "/voltages",
       R"({"readings":[{"hemsId":"Z-h0","timestamp":")" + ok_time + R"(","voltage":-3}]})", 400,
       "readings[0].voltage must be a number in [0, 1000] V"},
      {http::methods::PUT, "/hems/x", R"({"gridZone":"Z","phase":"L9"})", 400,
       "phase: 'L9' is not L1, L2 or L3"},
      {http::methods::PUT, "/hems/x", R"({"phase":"L1"})", 400, "gridZone: missing"},
      {http::methods::PUT, "/hems/x", R"({"gridZone":"nowhere"})", 404,
       "gridZone: grid zone 'nowhere' does not exist"},
      {http::methods::PUT, "/hems/Z-h0", R"({"gridZone":"Z"})", 400, "HEMS 'Z-h0' already exists"},
      {http::methods::PUT, "/zones/Y", R"({"nominalVoltage":-1})", 400,
       "nominalVoltage must be in (0, 1000] V"},
      {http::methods::GET, "/hems/Z-h0/voltage?limit=0", "", 400,
       "limit: '0' must be an integer in [1, 10000]"},
      {http::methods::GET, "/hems/Z-h0/voltage?from=x&to=y", "", 400,
       "from: 'x' is not a timestamp"},
      {http::methods::GET, "/hems/Z-h0/voltage?from=2026-11-27T00:00:00Z", "", 400,
       "from, to: give both or neither"},
      {http::methods::GET, "/faults?since=-3", "", 400, "since: '-3' must be a revision >= 0"},
      {http::methods::GET, "/faults?active=maybe", "", 400,
       "active: 'maybe' must be true or false"},
      {http::methods::GET, "/faults?kind=storm", "", 400,
       "kind: 'storm' must be power_fault or abnormal_voltage"},
      {http::methods::GET, "/faults?color=red", "", 400, "color: unknown query parameter"},
      {http::methods::POST, "/subscriptions", R"({"callbackUrl":"ftp://dso/x"})", 400,
       "callbackUrl: 'ftp://dso/x' must be an absolute http(s) URL"},
      {http::methods::POST, "/subscriptions", R"({"callbackUrl":42})", 400,
       "callbackUrl: must be a string"},
      {http::methods::POST, "/subscriptions",
       R"({"callbackUrl":"http://127.0.0.1:9/cb","gridZone":"nowhere"})", 404,
       "grid zone 'nowhere' does not exist"},
      {http::methods::GET, "/hems/ghost/status", "", 404, "HEMS 'ghost' does not exist"},
      {http::methods::GET, "/faults/fault-77", "", 404, "notification 'fault-77'"},
      {http::methods::GET, "/weather", "", 404, "no resource 'weather'"},
      {http::methods::DEL, "/parameters", "", 405, "method DELETE not allowed here"},
  };
  for (const auto& [method, path, body, status, message] : cases) {
    auto r = call(method, path, body);
    EXPECT_EQ(r.status, status) << method << " " << path << " " << body;
    ASSERT_TRUE(r.body.contains("message")) << path << ": " << r.body.dump();
    EXPECT_THAT(r.body["message"].get<std::string>(), HasSubstr(message))
        << method << " " << path << " " << body;
  }
}

class DsoReceiver {
 public:
  explicit DsoReceiver(int fail_first) : fail_left_(fail_first) {
    url_ = "http://127.0.0.1:" + std::to_string(free_port()) + "/dso/faults";
    listener_ = std::make_unique<http::experimental::listener::http_listener>(url_);
    listener_->support([this](http::http_request req) {
      const auto body = req.extract_utf8string(true).get();
      std::lock_guard lock(mu_);
      if (fail_left_ > 0) {
        --fail_left_;
        req.reply(http::status_codes::ServiceUnavailable);
        return;
      }
      bodies_.push_back(json::parse(body));
      req.reply(http::status_codes::OK);
    });
    listener_->open().wait();
  }
  ~DsoReceiver() { listener_->close().wait(); }
  const std::string& url() const { return url_; }
  std::vector<json> bodies() {
    std::lock_guard lock(mu_);
    return bodies_;
  }

 private:
  std::string url_;
  std::unique_ptr<http::experimental::listener::http_listener> listener_;
  std::mutex mu_;
  int fail_left_;
  std::vector<json> bodies_;
};

TEST_F(RestApiTest, PostsNotificationsToSubscribersWithRetries) {
  DsoReceiver dso(/*fail_first=*/1);
  register_zone_over_http("Z", 10);
  auto sub = call(http::methods::POST, "/subscriptions",
                  json({{"callbackUrl", dso.url()}, {"gridZone", "Z"}}).dump());
  ASSERT_EQ(sub.status, 201) << sub.body.dump();
  EXPECT_EQ(sub.body["id"], "sub-1");
  ASSERT_EQ(call(http::methods::POST, "/monitoring", R"({"gridZone":"Z"})").status, 201);
  minutes(30);
  minutes(6, zone_hems("Z"));  // the whole zone loses power
  ASSERT_TRUE(api_->wait_for_deliveries(std::chrono::seconds(10)));
  const auto bodies = dso.bodies();
  ASSERT_EQ(bodies.size(), 1U);
  EXPECT_EQ(bodies[0]["kind"], "power_fault");
  EXPECT_EQ(bodies[0]["status"], "raised");
  EXPECT_EQ(bodies[0]["gridZone"], "Z");
  EXPECT_EQ(bodies[0]["affectedHems"], 10);
  // Privacy: only zone-level results leave the service — no HEMS id in the notification.
  EXPECT_THAT(bodies[0].dump(), Not(HasSubstr("Z-h")));
  const auto stats = api_->deliveries();
  EXPECT_EQ(stats.delivered, 1);
  EXPECT_EQ(stats.failed_attempts, 1);  // the 503, retried
  EXPECT_EQ(stats.abandoned, 0);

  // Polling sees the same notification; the cursor then returns nothing new.
  auto poll = call(http::methods::GET, "/faults?active=true&gridZone=Z");
  ASSERT_EQ(poll.body["notifications"].size(), 1U);
  const auto revision = poll.body["revision"].get<long long>();
  poll = call(http::methods::GET, "/faults?since=" + std::to_string(revision));
  EXPECT_EQ(poll.body["notifications"].size(), 0U);
  auto one = call(http::methods::GET, "/faults/" + bodies[0]["id"].get<std::string>());
  EXPECT_EQ(one.status, 200);
  EXPECT_EQ(one.body["gridZone"], "Z");

  // Power returns: the clearing is delivered too.
  minutes(2);
  ASSERT_TRUE(api_->wait_for_deliveries(std::chrono::seconds(10)));
  ASSERT_EQ(dso.bodies().size(), 2U);
  EXPECT_EQ(dso.bodies()[1]["status"], "cleared");
  EXPECT_EQ(call(http::methods::DEL, "/subscriptions/sub-1").status, 200);
}

TEST_F(RestApiTest, GivesUpOnUnreachableCallbackAfterConfiguredAttempts) {
  register_zone_over_http("Z", 10);
  const std::string dead = "http://127.0.0.1:" + std::to_string(free_port()) + "/nobody";
  ASSERT_EQ(
      call(http::methods::POST, "/subscriptions", json({{"callbackUrl", dead}}).dump()).status,
      201);
  ASSERT_EQ(call(http::methods::POST, "/monitoring", R"({"gridZone":"Z"})").status, 201);
  minutes(30);
  minutes(6, zone_hems("Z"));
  ASSERT_TRUE(api_->wait_for_deliveries(std::chrono::seconds(10)));
  EXPECT_EQ(api_->deliveries().failed_attempts, 3);
  EXPECT_EQ(api_->deliveries().abandoned, 1);
}

TEST(RestApi, StartRejectsBadOptions) {
  auto clock = std::make_shared<ManualClock>(test_epoch);
  auto service = FaultLocationService::open({}, clock);
  ASSERT_THAT(service, IsOk());
  RestOptions o;
  o.base_path = "GridObservability";
  EXPECT_THAT(RestApi::start(**service, o),
              HasError(ErrorCode::invalid_argument, HasSubstr("base_path must start with '/'")));
  o = {};
  o.callback_attempts = 0;
  EXPECT_THAT(RestApi::start(**service, o),
              HasError(ErrorCode::invalid_argument, HasSubstr("callback_attempts")));
  o = {};
  o.bind_address = "no-such-host.invalid";
  EXPECT_THAT(RestApi::start(**service, o),
              HasError(ErrorCode::unavailable, HasSubstr("no-such-host.invalid")));
}

}  // namespace
}  // namespace gridke::services::fault_location::testing
