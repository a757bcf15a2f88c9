// RestApi over a real HTTP listener on an ephemeral port: every D4.3 Table 15 service-1 method,
// 400s that name the field, polling, and callback POSTs with retries to a second server
// playing the DSO.

#include "gridke/services/fault_location/rest_api.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <unistd.h>

#include <filesystem>
#include <mutex>
#include <tuple>

#include "fleet_fixture.hpp"
#include "gridke/http/client.hpp"
#include "gridke/http/server.hpp"

namespace gridke::services::fault_location::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

struct HttpReply {
  int status = 0;
  json body;
};

class RestApiTest : public FleetTest {
 protected:
  void SetUp() override {
    FleetTest::SetUp();
    open();
    RestOptions options;
    options.callback_attempts = 3;
    options.callback_backoff = std::chrono::milliseconds(50);
    options.callback_timeout = std::chrono::milliseconds(2000);
    auto api = RestApi::start(*service_, options);
    ASSERT_THAT(api, IsOk());
    api_ = std::move(api).value();
  }
  void TearDown() override { api_.reset(); }

  HttpReply call(const std::string& method, const std::string& path, const std::string& body = {}) {
    auto resp = http::request(method, api_->base_url() + path, body);
    EXPECT_THAT(resp, IsOk());
    if (!resp) return {};
    HttpReply r;
    r.status = resp->status;
    r.body = resp->body.empty() ? json() : json::parse(resp->body);
    return r;
  }

  void register_zone_over_http(const std::string& zone, int n) {
    ASSERT_EQ(call("PUT", "/zones/" + zone, R"({"description":"Porto 4200","nominalVoltage":230})")
                  .status,
              201);
    for (int i = 0; i < n; ++i) {
      const json body = {{"gridZone", zone},
                         {"phase", i % 3 == 0 ? "L1" : (i % 3 == 1 ? "L2" : "L3")},
                         {"accessNetwork", i % 2 == 0 ? "ispA" : "ispB"}};
      ASSERT_EQ(call("PUT", "/hems/" + hems_name(zone, i), body.dump()).status, 201);
    }
    sizes_[zone] = n;
  }

  std::unique_ptr<RestApi> api_;
};

TEST_F(RestApiTest, ServesZonesParametersAndMonitoring) {
  register_zone_over_http("4200-072", 5);
  auto zones = call("GET", "/zones");
  ASSERT_EQ(zones.status, 200);
  ASSERT_EQ(zones.body["gridZones"].size(), 1U);
  EXPECT_EQ(zones.body["gridZones"][0]["id"], "4200-072");
  EXPECT_EQ(zones.body["gridZones"][0]["hems"].size(), 5U);

  auto p = call("POST", "/parameters", R"({"minSilentHems":4})");
  ASSERT_EQ(p.status, 200);
  EXPECT_EQ(p.body["minSilentHems"], 4);
  EXPECT_EQ(p.body["minSilenceSeconds"], 300);
  EXPECT_EQ(call("GET", "/parameters").body["minSilentHems"], 4);

  auto accepted = call("POST", "/monitoring", R"({"gridZone":"4200-072","minSilenceSeconds":600})");
  ASSERT_EQ(accepted.status, 201);
  EXPECT_EQ(accepted.body["status"], "Accepted");
  EXPECT_EQ(accepted.body["monitoring"]["minSilentHems"], 4);
  EXPECT_EQ(accepted.body["monitoring"]["minSilenceSeconds"], 600);
  EXPECT_TRUE(accepted.body["monitoring"]["window"].is_null());

  auto denied = call("POST", "/monitoring", R"({"gridZone":"9999-999"})");
  ASSERT_EQ(denied.status, 200);
  EXPECT_EQ(denied.body["status"], "Denied, could not reach Grid Zone or min. nbr. of HEMS");
  denied = call("POST", "/monitoring", R"({"gridZone":"4200-072","minSilentHems":6})");
  EXPECT_EQ(denied.body["status"], "Denied, could not reach Grid Zone or min. nbr. of HEMS");
  EXPECT_THAT(denied.body["reason"].get<std::string>(), HasSubstr("5 monitorable HEMS"));

  auto list = call("GET", "/monitoring");
  ASSERT_EQ(list.body["monitoring"].size(), 1U);
  const std::string id = list.body["monitoring"][0]["requestId"];
  EXPECT_EQ(call("DELETE", "/monitoring/" + id).status, 200);
  EXPECT_EQ(call("DELETE", "/monitoring/" + id).status, 404);
}

TEST_F(RestApiTest, IngestsVoltagesAndAnswersHemsStatusAndVoltage) {
  register_zone_over_http("Z", 2);
  // One ISO 8601 timestamp, one in the D4.3 Table 6 form (27-Nov-2026 = the test clock's day).
  auto r = call("POST", "/voltages", R"({"readings":[
      {"hemsId":"Z-h0","timestamp":"2026-11-27T00:00:00Z","voltage":229.5},
      {"hemsId":"Z-h0","timestamp":"26-Nov-2026 23:59:00","voltage":228.0},
      {"hemsId":"Z-h0","timestamp":"2026-11-27T01:00:00+01:00","voltage":229.5}]})");
  ASSERT_EQ(r.status, 200) << r.body.dump();
  EXPECT_EQ(r.body["stored"], 2);
  EXPECT_EQ(r.body["duplicates"], 1);  // 01:00+01:00 is 00:00Z again
  auto s = call("GET", "/hems/Z-h0/status");
  ASSERT_EQ(s.status, 200);
  EXPECT_EQ(s.body["communicating"], true);
  EXPECT_EQ(s.body["lastSeen"], "2026-11-27T00:00:00.000Z");
  EXPECT_EQ(s.body["lastVoltage"], 229.5);
  auto never = call("GET", "/hems/Z-h1/status");
  EXPECT_EQ(never.body["communicating"], false);
  EXPECT_TRUE(never.body["lastSeen"].is_null());
  auto v = call("GET", "/hems/Z-h0/voltage?limit=5");
  ASSERT_EQ(v.status, 200);
  ASSERT_EQ(v.body["readings"].size(), 2U);
  EXPECT_EQ(v.body["readings"][1]["timestamp"], "2026-11-26T23:59:00.000Z");
  v = call("GET", "/hems/Z-h0/voltage?limit=5&from=2026-11-26T23:58:00Z&to=2026-11-26T23:59:30Z");
  ASSERT_EQ(v.body["readings"].size(), 1U);
  EXPECT_EQ(v.body["readings"][0]["voltage"], 228.0);
}

TEST_F(RestApiTest, RejectsBadInputWith400NamingTheField) {
  register_zone_over_http("Z", 3);
  const std::string ok_time = "2026-11-27T00:00:00Z";
  const std::vector<std::tuple<std::string, std::string, std::string, int, std::string>> cases = {
      {"POST", "/parameters", R"({"minSilentHems":0})", 400, "minSilentHems"},
      {"POST", "/parameters", R"({"minSilentHems":"three"})", 400,
       "minSilentHems: must be an integer"},
      {"POST", "/parameters", R"({"minSilenceSecs":10})", 400, "minSilenceSecs: unknown field"},
      {"POST", "/parameters", R"({"minSilenceSeconds":30})", 400,
       "minSilenceSeconds must exceed the reading period"},
      {"POST", "/parameters", "not json", 400, "body: not valid JSON"},
      // Found by gridke_fault_location_json_fuzz: a number out of range threw past the handler.
      {"POST", "/parameters", R"({"minSilentHems":7e861111111111})", 400, "body: not valid JSON"},
      {"POST", "/parameters", "[1,2]", 400, "body: must be a JSON object"},
      {"POST", "/monitoring", "{}", 400, "gridZone: missing"},
      {"POST", "/monitoring", R"({"gridZone":""})", 400, "gridZone: must not be empty"},
      {"POST", "/monitoring",
       R"({"gridZone":"Z","window":{"start":"yesterday","end":"2026-11-28T00:00:00Z"}})", 400,
       "window.start: 'yesterday' is not a timestamp"},
      {"POST", "/monitoring", R"({"gridZone":"Z","window":{"start":"x"}})", 400,
       "window: needs start and end"},
      {"POST", "/monitoring",
       R"({"gridZone":"Z","window":{"start":"2026-11-28T00:00:00Z","end":"2026-11-27T12:00:00Z"}})",
       400, "window.end must be after window.start"},
      {"POST", "/voltages", R"({"readings":5})", 400, "readings: must be an array"},
      {"POST", "/voltages",
       R"({"readings":[{"hemsId":"Z-h0","timestamp":")" + ok_time + R"(","voltage":"high"}]})", 400,
       "readings[0].voltage: must be a number"},
      {"POST", "/voltages",
       R"({"readings":[{"hemsId":"Z-h0","timestamp":")" + ok_time + R"(","voltage":230},
                        {"hemsId":"ghost","timestamp":")" +
           ok_time + R"(","voltage":230}]})",
       400, "readings[1].hemsId: unknown HEMS 'ghost'"},
      {"POST", "/voltages", R"({"readings":[{"hemsId":"Z-h0","voltage":230}]})", 400,
       "readings[0].timestamp: missing"},
      {"POST", "/voltages",
       R"({"readings":[{"hemsId":"Z-h0","timestamp":"2026-13-01T00:00:00Z","voltage":230}]})", 400,
       "readings[0].timestamp: '2026-13-01T00:00:00Z' is not a timestamp"},
      {"POST", "/voltages",
       R"({"readings":[{"hemsId":"Z-h0","timestamp":"2027-01-01T00:00:00Z","voltage":230}]})", 400,
       "readings[0].timestamp is"},
      {"POST", "/voltages",
       R"({"readings":[{"hemsId":"Z-h0","timestamp":")" + ok_time + R"(","voltage":-3}]})", 400,
       "readings[0].voltage must be a number in [0, 1000] V"},
      {"PUT", "/hems/x", R"({"gridZone":"Z","phase":"L9"})", 400,
       "phase: 'L9' is not L1, L2 or L3"},
      {"PUT", "/hems/x", R"({"phase":"L1"})", 400, "gridZone: missing"},
      {"PUT", "/hems/x", R"({"gridZone":"nowhere"})", 404,
       "gridZone: grid zone 'nowhere' does not exist"},
      {"PUT", "/hems/Z-h0", R"({"gridZone":"Z"})", 400, "HEMS 'Z-h0' already exists"},
      {"PUT", "/zones/Y", R"({"nominalVoltage":-1})", 400, "nominalVoltage must be in (0, 1000] V"},
      {"GET", "/hems/Z-h0/voltage?limit=0", "", 400, "limit: '0' must be an integer in [1, 10000]"},
      {"GET", "/hems/Z-h0/voltage?from=x&to=y", "", 400, "from: 'x' is not a timestamp"},
      {"GET", "/hems/Z-h0/voltage?from=2026-11-27T00:00:00Z", "", 400,
       "from, to: give both or neither"},
      {"GET", "/faults?since=-3", "", 400, "since"},
      {"GET", "/faults?active=maybe", "", 400, "active: 'maybe' must be true or false"},
      {"GET", "/faults?kind=storm", "", 400,
       "kind: 'storm' must be power_fault or abnormal_voltage"},
      {"GET", "/faults?color=red", "", 400, "query parameter color: unknown"},
      {"POST", "/subscriptions", R"({"callbackUrl":"ftp://dso/x"})", 400,
       "callbackUrl: 'ftp://dso/x' must be an absolute http(s) URL"},
      {"POST", "/subscriptions", R"({"callbackUrl":42})", 400, "callbackUrl: must be a string"},
      {"POST", "/subscriptions", R"({"callbackUrl":"http://127.0.0.1:9/cb","gridZone":"nowhere"})",
       404, "grid zone 'nowhere' does not exist"},
      {"GET", "/hems/ghost/status", "", 404, "HEMS 'ghost' does not exist"},
      {"GET", "/faults/fault-77", "", 404, "notification 'fault-77'"},
      {"GET", "/weather", "", 404, "/weather"},
      {"DELETE", "/parameters", "", 405, "DELETE"},
  };
  for (const auto& [method, path, body, status, message] : cases) {
    auto r = call(method, path, body);
    EXPECT_EQ(r.status, status) << method << " " << path << " " << body;
    ASSERT_TRUE(r.body.contains("message")) << path << ": " << r.body.dump();
    EXPECT_THAT(r.body["message"].get<std::string>(), HasSubstr(message))
        << method << " " << path << " " << body;
  }
}

// The DSO's callback endpoint: answers 503 to the first `fail_first` POSTs, then 200.
class DsoReceiver {
 public:
  explicit DsoReceiver(int fail_first) : fail_left_(fail_first) {
    http::Router router;
    router.post("/faults", [this](const http::Request& req) -> Result<http::Response> {
      std::lock_guard lock(mu_);
      if (fail_left_ > 0) {
        --fail_left_;
        return http::Response::json(503, {{"message", "try again"}});
      }
      bodies_.push_back(json::parse(req.body));
      return http::Response::json(200, json::object());
    });
    http::ServerOptions options;
    options.base_path = "/dso";
    auto server = http::JsonServer::start(std::move(router), options);
    EXPECT_THAT(server, IsOk());
    if (server) server_ = std::move(server).value();
  }
  std::string url() const { return server_->base_url() + "/faults"; }
  std::vector<json> bodies() {
    std::lock_guard lock(mu_);
    return bodies_;
  }

 private:
  std::mutex mu_;
  int fail_left_;
  std::vector<json> bodies_;
  std::unique_ptr<http::JsonServer> server_;  // last: stopped before the members it uses
};

TEST_F(RestApiTest, PostsNotificationsToSubscribersWithRetries) {
  DsoReceiver dso(/*fail_first=*/1);
  register_zone_over_http("Z", 10);
  auto sub =
      call("POST", "/subscriptions", json({{"callbackUrl", dso.url()}, {"gridZone", "Z"}}).dump());
  ASSERT_EQ(sub.status, 201) << sub.body.dump();
  EXPECT_EQ(sub.body["id"], "sub-1");
  ASSERT_EQ(call("POST", "/monitoring", R"({"gridZone":"Z"})").status, 201);
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
  auto poll = call("GET", "/faults?active=true&gridZone=Z");
  ASSERT_EQ(poll.body["notifications"].size(), 1U);
  const auto revision = poll.body["revision"].get<long long>();
  poll = call("GET", "/faults?since=" + std::to_string(revision));
  EXPECT_EQ(poll.body["notifications"].size(), 0U);
  auto one = call("GET", "/faults/" + bodies[0]["id"].get<std::string>());
  EXPECT_EQ(one.status, 200);
  EXPECT_EQ(one.body["gridZone"], "Z");

  // Power returns: the clearing is delivered too.
  minutes(2);
  ASSERT_TRUE(api_->wait_for_deliveries(std::chrono::seconds(10)));
  ASSERT_EQ(dso.bodies().size(), 2U);
  EXPECT_EQ(dso.bodies()[1]["status"], "cleared");
  EXPECT_EQ(call("DELETE", "/subscriptions/sub-1").status, 200);
}

TEST_F(RestApiTest, GivesUpOnUnreachableCallbackAfterConfiguredAttempts) {
  register_zone_over_http("Z", 10);
  auto port = http::pick_free_port("127.0.0.1");
  ASSERT_THAT(port, IsOk());
  const std::string dead = "http://127.0.0.1:" + std::to_string(*port) + "/nobody";
  ASSERT_EQ(call("POST", "/subscriptions", json({{"callbackUrl", dead}}).dump()).status, 201);
  ASSERT_EQ(call("POST", "/monitoring", R"({"gridZone":"Z"})").status, 201);
  minutes(30);
  minutes(6, zone_hems("Z"));
  ASSERT_TRUE(api_->wait_for_deliveries(std::chrono::seconds(10)));
  EXPECT_EQ(api_->deliveries().failed_attempts, 3);
  EXPECT_EQ(api_->deliveries().abandoned, 1);
}

// The whole deployment (service + front door) stops in the middle of a fault and starts again
// on the same SQLite file: the DSO polling /faults still sees the notification, active.
TEST_F(RestApiTest, NotificationIsStillActiveOverRestAfterARestartInTheMiddleOfAFault) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("gridke-fault-rest-restart-" + std::to_string(::getpid()) + ".sqlite");
  auto cleanup = [&] {
    for (const char* s : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + s);
  };
  cleanup();
  api_.reset();
  ServiceOptions options;
  options.database_path = path.string();
  open(options);
  api_ = std::move(RestApi::start(*service_, {})).value();
  register_zone_over_http("Z", 10);
  ASSERT_EQ(call("POST", "/monitoring", R"({"gridZone":"Z"})").status, 201);
  minutes(30);
  minutes(6, zone_hems("Z"));
  auto before = call("GET", "/faults?active=true&gridZone=Z");
  ASSERT_EQ(before.body["notifications"].size(), 1U);
  const auto id = before.body["notifications"][0]["id"].get<std::string>();

  api_.reset();  // stop the front door, then the service (checkpoint), mid-fault
  open(options);
  api_ = std::move(RestApi::start(*service_, {})).value();
  auto after = call("GET", "/faults?active=true&gridZone=Z");
  ASSERT_EQ(after.body["notifications"].size(), 1U) << after.body.dump();
  EXPECT_EQ(after.body["notifications"][0]["id"], id);
  EXPECT_EQ(after.body["notifications"][0]["status"], "raised");
  EXPECT_EQ(after.body["notifications"][0]["affectedHems"], 10);
  auto status = call("GET", "/hems/Z-h0/status");
  EXPECT_EQ(status.body["communicating"], false);
  api_.reset();
  service_.reset();
  cleanup();
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
