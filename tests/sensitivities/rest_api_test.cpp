// Tests for http/rest_api.hpp: the D4.3 Table 15 service-3 routes through Router::dispatch (every
// status and error message), and through a real JsonServer (large body, 413).

#include "gridke/services/sensitivities/http/rest_api.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <unistd.h>
#include <filesystem>
#include <map>

#include "gridke/http/client.hpp"
#include "gridke/services/sensitivities/json_codec.hpp"
#include "gridke_matchers.hpp"
#include "synthetic_data.hpp"

namespace gridke::services::sensitivities {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using namespace std::chrono_literals;

class RestApiTest : public ::testing::Test {
 protected:
  void SetUp() override { open(true); }
  void TearDown() override {
    service_.reset();
    std::filesystem::remove_all(dir_);
  }
  void open(bool worker) {
    dir_ = std::filesystem::temp_directory_path() /
           ("gridke_sensitivities_rest_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    ServiceOptions o;
    o.start_worker = worker;
    auto s = SensitivitiesService::open((dir_ / "s.db").string(), o);
    ASSERT_THAT(s, IsOk());
    service_ = std::move(*s);
    router_ = make_router(*service_);
  }

  http::Response call(const std::string& method, const std::string& path,
                      const std::string& body = {},
                      std::map<std::string, std::string> query = {}) const {
    http::Request r;
    r.method = method;
    r.path = path;
    r.body = body;
    r.query = std::move(query);
    return router_.dispatch(std::move(r));
  }

  // Registers the synthetic grid and uploads its three months; returns the upload request id.
  std::string register_and_upload(const testing::SyntheticGrid& g) {
    auto r = call("POST", "/registerGrid/synthetic", to_json(g.grid));
    EXPECT_EQ(r.status, 201) << r.body.dump();
    r = call("POST", "/updateHistoricalData/synthetic", to_json(g.data));
    EXPECT_EQ(r.status, 202) << r.body.dump();
    EXPECT_TRUE(service_->wait_idle(120s));
    return r.body.value("requestId", "");
  }

  std::filesystem::path dir_;
  std::unique_ptr<SensitivitiesService> service_;
  http::Router router_;
};

std::string appliances_body(const testing::SyntheticGrid& g) {
  std::vector<ApplianceHistory> a;
  for (const auto& h : g.data.meters) {
    ApplianceHistory x{"app-" + h.meter.meter_id, ApplianceType::ev, h.meter.meter_id, {}};
    for (const auto& m : h.measurements) x.measurements.push_back({m.timestamp_s, m.p_measured_kw});
    a.push_back(std::move(x));
  }
  return to_json(a);
}

TEST_F(RestApiTest, RegisterUploadAndReadSensitivities) {
  const auto g = testing::make_synthetic(5, 8640, 0.1);
  const std::string rid = register_and_upload(g);
  ASSERT_EQ(rid.size(), 32U);

  auto r = call("GET", "/updateHistoricalData/synthetic", {}, {{"requestId", rid}});
  ASSERT_EQ(r.status, 200) << r.body.dump();
  EXPECT_EQ(r.body.at("status"), "done");
  EXPECT_EQ(r.body.at("voltage_sensitivity_points").size(), 5U);

  r = call("GET", "/getSensitivities/synthetic");
  ASSERT_EQ(r.status, 200) << r.body.dump();
  EXPECT_EQ(r.body.at("voltage_sensitivity_points")[0].at("power_injection_points").size(), 5U);
  EXPECT_LT(r.body.at("voltage_sensitivity_points")[0]["power_injection_points"][0]["sensitivity"]
                .get<double>(),
            0.0);

  r = call("GET", "/getSensitivities/synthetic", {}, {{"format", "svg"}});
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "image/svg+xml");
  EXPECT_THAT(r.text, HasSubstr("<svg"));
  EXPECT_THAT(r.text, HasSubstr("Voltage sensitivity of grid synthetic"));

  r = call("GET", "/registerGrid/synthetic");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body.at("storedRecords"), 5 * 8640);

  r = call("GET", "/requests/" + rid);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body.at("request"), "updateHistoricalData");
  EXPECT_EQ(r.body.at("progress"), 1.0);

  r = call("DELETE", "/requests/" + rid);
  EXPECT_EQ(r.status, 200);
  r = call("DELETE", "/removeGrid/synthetic");
  EXPECT_EQ(r.status, 200);
  r = call("GET", "/getSensitivities/synthetic");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body.at("error"), "not_found");
}

TEST_F(RestApiTest, RegistrationWithMeasurementsIsTheFirstUpload) {
  const auto g = testing::make_synthetic(3, 8640, 0.1);
  auto body = json::parse(to_json(g.data));
  const auto r = call("POST", "/registerGrid/synthetic", body.dump());
  ASSERT_EQ(r.status, 201) << r.body.dump();
  EXPECT_EQ(r.body.at("records"), 3 * 8640);
  const std::string rid = r.body.at("requestId");
  ASSERT_TRUE(service_->wait_idle(120s));
  EXPECT_EQ(call("GET", "/updateHistoricalData/synthetic").body.at("requestId"), rid);
  EXPECT_EQ(call("GET", "/getSensitivities/synthetic").status, 200);
}

TEST_F(RestApiTest, AnalysesAnswerWithRequestIdsThenOutputsTwoAndThree) {
  const auto g = testing::make_synthetic(5, 8640, 0.1);
  register_and_upload(g);
  // The synthetic voltages sit around 229–231 V: a 230.5 V upper limit makes over-voltages.
  const std::map<std::string, std::string> limits = {{"upperV", "230.5"}};
  auto r = call("POST", "/loadCorrelation/synthetic", appliances_body(g), limits);
  ASSERT_EQ(r.status, 202) << r.body.dump();
  const std::string correlation = r.body.at("requestId");
  r = call("POST", "/flexibilityRequirements/synthetic", appliances_body(g), limits);
  ASSERT_EQ(r.status, 202) << r.body.dump();
  ASSERT_TRUE(service_->wait_idle(120s));

  r = call("GET", "/loadCorrelation/synthetic");  // latest job of that kind
  ASSERT_EQ(r.status, 200) << r.body.dump();
  EXPECT_EQ(r.body.at("requestId"), correlation);
  ASSERT_EQ(r.body.at("periods").size(), 48U);
  double worst = 0;
  for (const auto& p : r.body.at("periods"))
    worst = std::max(worst, p.at("overvoltage").at("prob_of_occur").get<double>());
  EXPECT_GT(worst, 0.0);

  r = call("GET", "/loadCorrelation/synthetic", {}, {{"format", "svg"}});
  ASSERT_EQ(r.status, 200);
  EXPECT_THAT(r.text, HasSubstr("Voltage problems per half hour"));
  r = call("GET", "/loadCorrelation/synthetic", {},
           {{"format", "profile-svg"}, {"upperV", "230.5"}});
  ASSERT_EQ(r.status, 200);
  EXPECT_THAT(r.text, HasSubstr("upper limit 230.5 V"));

  r = call("GET", "/flexibilityRequirements/synthetic");
  ASSERT_EQ(r.status, 200) << r.body.dump();
  EXPECT_EQ(r.body.at("periods").size(), 48U);
  r = call("GET", "/flexibilityRequirements/synthetic", {}, {{"format", "svg"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body.at("message").get<std::string>(), HasSubstr("format='svg'"));
}

TEST_F(RestApiTest, PendingJobAnswers202WithItsStatus) {
  TearDown();
  open(false);  // no worker: jobs stay queued
  const auto g = testing::make_synthetic(3, 8640, 0.1);
  ASSERT_EQ(call("POST", "/registerGrid/synthetic", to_json(g.grid)).status, 201);
  const auto posted = call("POST", "/updateHistoricalData/synthetic", to_json(g.data));
  ASSERT_EQ(posted.status, 202);
  const auto r = call("GET", "/updateHistoricalData/synthetic", {},
                      {{"requestId", posted.body.at("requestId")}});
  EXPECT_EQ(r.status, 202);
  EXPECT_EQ(r.body.at("status"), "queued");
  EXPECT_EQ(r.body.at("progress"), 0.0);
}

TEST_F(RestApiTest, FailedJobAnswersWithItsErrorAndStatus) {
  const auto g = testing::make_synthetic(3, 200, 0.1);  // two days: too short
  ASSERT_EQ(call("POST", "/registerGrid/synthetic", to_json(g.grid)).status, 201);
  const auto posted = call("POST", "/updateHistoricalData/synthetic", to_json(g.data));
  ASSERT_EQ(posted.status, 202);
  ASSERT_TRUE(service_->wait_idle(60s));
  const auto r = call("GET", "/updateHistoricalData/synthetic");
  EXPECT_EQ(r.status, 409) << r.body.dump();  // failed_precondition: not enough data
  EXPECT_EQ(r.body.at("error"), "failed_precondition");
  EXPECT_EQ(r.body.at("status"), "failed");
  EXPECT_EQ(r.body.at("requestId"), posted.body.at("requestId"));
  EXPECT_THAT(r.body.at("message").get<std::string>(), HasSubstr("records stored"));
}

TEST_F(RestApiTest, RejectsBadInputNamingWhatAndWhere) {
  const auto g = testing::make_synthetic(3, 100, 0.1);
  auto expect = [](const http::Response& r, int status, const std::string& code,
                   const std::string& message) {
    EXPECT_EQ(r.status, status) << r.body.dump();
    EXPECT_EQ(r.body.value("error", ""), code) << r.body.dump();
    EXPECT_THAT(r.body.value("message", ""), HasSubstr(message));
  };
  expect(call("POST", "/registerGrid/bad$id", to_json(g.grid)), 400, "invalid_argument",
         "networkID 'bad$id': only letters");
  expect(call("POST", "/registerGrid/g1", "  "), 400, "invalid_argument",
         "request body is empty: expected {\"historicalFromMeters\"");
  expect(call("POST", "/registerGrid/g1", "{\"historicalFromMeters\": ["), 400, "parse_error",
         "not valid JSON");
  expect(call("POST", "/registerGrid/g1", R"({"historicalFromMeters": [{"meter_id": 7}]})"), 400,
         "parse_error", "historicalFromMeters[0].meter_id: expected a string");
  expect(call("POST", "/registerGrid/g1", to_json(g.grid), {{"x", "1"}}), 400, "invalid_argument",
         "x");
  ASSERT_EQ(call("POST", "/registerGrid/g1", to_json(g.grid)).status, 201);
  expect(call("POST", "/registerGrid/g1", to_json(g.grid)),
         Error(ErrorCode::already_exists, "").http_status(), "already_exists", "g1");
  expect(call("POST", "/updateHistoricalData/nope", to_json(g.data)), 404, "not_found", "nope");
  expect(call("POST", "/updateHistoricalData/g1",
              R"({"historicalFromMeters": [{"meter_id": "m0", "measurements": [
                  {"timestamp": 1, "v_measured": "high", "p_measured": 1}]}]})"),
         400, "parse_error",
         "historicalFromMeters[0].measurements[0].v_measured: expected a number");
  expect(call("POST", "/updateHistoricalData/g1",
              R"({"historicalFromMeters": [{"meter_id": "stranger", "measurements": []}]})"),
         400, "invalid_argument", "stranger");
  expect(call("POST", "/loadCorrelation/g1", appliances_body(g), {{"lowerV", "240"}}), 400,
         "invalid_argument", "need lowerV < nominalV < upperV");
  expect(call("POST", "/loadCorrelation/g1", appliances_body(g), {{"nominalV", "abc"}}), 400,
         "invalid_argument", "nominalV");
  expect(call("POST", "/loadCorrelation/g1",
              R"({"historicalFromAppliances": [{"appliance_id": "a", "appliance_type": 9,
                  "meter_id": "m0", "measurements": []}]})"),
         400, "parse_error", "historicalFromAppliances[0].appliance_type: 9 is not 1 (EV)");
  expect(call("GET", "/loadCorrelation/g1"), 404, "not_found",
         "grid 'g1' has no loadCorrelation request yet");
  expect(call("GET", "/loadCorrelation/g1", {}, {{"requestId", "feed"}}), 404, "not_found", "feed");
  expect(call("GET", "/getSensitivities/g1"), 409, "failed_precondition",
         "has no sensitivities yet");
  expect(call("GET", "/getSensitivities/g1", {}, {{"format", "png"}}), 400, "invalid_argument",
         "format='png': expected one of json, svg");
  expect(call("DELETE", "/removeGrid/nope"), 404, "not_found", "nope");
  expect(call("DELETE", "/requests/feed"), 404, "not_found", "feed");
  const auto wrong_method = call("POST", "/getSensitivities/g1", "{}");
  EXPECT_EQ(wrong_method.status, 405);
}

TEST_F(RestApiTest, ServesLargeBodiesOverHttpAndRefusesOversizedOnes) {
  RestOptions o;
  o.max_body_bytes = 8u << 20;
  auto api = RestApi::start(*service_, o);
  ASSERT_THAT(api, IsOk());
  EXPECT_THAT((*api)->base_url(), StartsWith("http://127.0.0.1:"));
  const auto g = testing::make_synthetic(10, 8640, 0.1);
  const std::string grid = to_json(g.grid), data = to_json(g.data);
  ASSERT_GT(data.size(), std::size_t{4} << 20);  // several MB of Table 8 JSON
  http::ClientOptions copts;
  copts.timeout = 60s;
  auto r = http::request("POST", (*api)->base_url() + "/registerGrid/synthetic", grid, copts);
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->status, 201) << r->body;
  r = http::request("POST", (*api)->base_url() + "/updateHistoricalData/synthetic", data, copts);
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->status, 202) << r->body;
  ASSERT_TRUE(service_->wait_idle(120s));
  r = http::request("GET", (*api)->base_url() + "/getSensitivities/synthetic", {}, copts);
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->status, 200);
  const std::string huge(9u << 20, ' ');
  r = http::request("POST", (*api)->base_url() + "/updateHistoricalData/synthetic", huge, copts);
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->status, 413);
}

}  // namespace
}  // namespace gridke::services::sensitivities
