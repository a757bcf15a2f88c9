// Tests for the metering rest_api.hpp through Router::dispatch: contracts, consents, raw TIC
// ingestion with a corrupt group, consent-gated reads (403 after withdrawal), power limits, and
// 400 answers naming the JSON member.

#include "gridke/services/metering/rest_api.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gridke_matchers.hpp"

namespace gridke::services::metering {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

constexpr const char* kKey = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
constexpr const char* kPrm = "09876543210123";

class MeteringRestApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    MeteringOptions o;
    o.key_hex = kKey;
    auto s = MeteringService::open(":memory:", o);
    ASSERT_THAT(s, IsOk());
    service_ = std::move(s).value();
    router_ = make_router(*service_);
  }
  http::Response call(const std::string& method, const std::string& path, const std::string& body) {
    http::Request r;
    r.method = method;
    r.path = path;
    r.body = body;
    return router_.dispatch(std::move(r));
  }
  std::unique_ptr<MeteringService> service_;
  http::Router router_;
};

TEST_F(MeteringRestApiTest, ConsentGatesAccessToIngestedData) {
  auto r = call(
      "PUT", "/providers/engie",
      json{{"name", "ENGIE"}, {"contract", {"prm", "date", "pcoup", "sinsts", "stge"}}}.dump());
  ASSERT_EQ(r.status, 200) << r.body.dump();
  r = call("POST", "/consents",
           json{{"provider", "engie"},
                {"prm", kPrm},
                {"data_points", {"date", "sinsts"}},
                {"purpose", "dynamic tariff"},
                {"retention_days", 30},
                {"recipients", {"ENGIE"}}}
               .dump());
  ASSERT_EQ(r.status, 201) << r.body.dump();
  const std::string consent = r.body.at("id");
  std::string frames = format_tic_frame(
      TicMode::standard, {{"PRM", "", kPrm}, {"SINSTS", "", "01520"}, {"PCOUP", "", "09"}});
  frames += "\x02\nSINSTS\t0150\tX\r\x03";
  r = call("POST", std::string("/gateways/") + kPrm + "/frames", frames);
  ASSERT_EQ(r.status, 200) << r.body.dump();
  EXPECT_EQ(r.body.at("readings"), 1);
  EXPECT_EQ(r.body.at("corrupt_groups"), 1);
  EXPECT_THAT(r.body.at("errors").at(0).get<std::string>(), HasSubstr("frame 2, line 1 (SINSTS)"));
  r = call("GET", std::string("/providers/engie/meters/") + kPrm + "/latest", "");
  ASSERT_EQ(r.status, 200) << r.body.dump();
  EXPECT_EQ(r.body.at("sinsts_va"), 1520.0);
  EXPECT_FALSE(r.body.contains("pcoup_kva"));  // not in the consent
  EXPECT_NE(r.body.at("pdl"), kPrm);
  r = call("DELETE", "/consents/" + consent, "");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body.at("active"), false);
  r = call("GET", std::string("/providers/engie/meters/") + kPrm + "/latest", "");
  EXPECT_EQ(r.status, 403);
  EXPECT_THAT(r.body.at("message").get<std::string>(), HasSubstr("no active consent"));
}

TEST_F(MeteringRestApiTest, OpenDataPublishesOnlyZonesWithKConsumers) {
  json zone_a{{"zone", "A"}, {"meters", json::array()}};
  for (int m = 0; m < 6; ++m) {
    const std::string prm = "0000000000000" + std::to_string(m);
    zone_a["meters"].push_back(prm);
    std::string body;
    for (int t = 0; t < 2; ++t) {
      body += format_tic_frame(TicMode::standard,
                               {{"PRM", "", prm},
                                {"DATE", t == 0 ? "H261127110000" : "H261127113000", ""},
                                {"EAST", "", std::to_string(1000 + t * 500 * (m + 1))}});
    }
    ASSERT_EQ(call("POST", "/gateways/" + prm + "/frames", body).status, 200);
  }
  const json small{{"zone", "B"}, {"meters", {"00000000000000", "00000000000001"}}};
  auto r = call("POST", "/open-data/consumption",
                json{{"from", "2026-11-27T10:00:00Z"},
                     {"to", "2026-11-27T10:30:00Z"},
                     {"zones", {zone_a, small}}}
                    .dump());
  ASSERT_EQ(r.status, 200) << r.body.dump();
  ASSERT_EQ(r.body.at("published").size(), 1u);
  EXPECT_EQ(r.body.at("published").at(0).at("consumers"), 6);
  EXPECT_DOUBLE_EQ(r.body.at("published").at(0).at("energy_kwh").get<double>(), 0.5 * 21);
  EXPECT_EQ(r.body.at("suppressed").at(0).at("zone"), "B");
  r = call("POST", "/open-data/consumption",
           json{{"from", "2026-11-27T10:00:00Z"},
                {"to", "2026-11-27T10:30:00Z"},
                {"k", 0},
                {"zones", json::array()}}
               .dump());
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body.at("message").get<std::string>(), HasSubstr("k: must be >= 1"));
}

TEST_F(MeteringRestApiTest, BadBodiesNameTheMember) {
  auto r = call("PUT", "/providers/x", json{{"name", "X"}, {"contract", {"pcoup", "papp"}}}.dump());
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body.at("message").get<std::string>(),
              HasSubstr("contract[1]: unknown data point 'papp'"));
  r = call("POST", "/consents", json{{"provider", "x"}}.dump());
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body.at("message").get<std::string>(), HasSubstr("prm: is required"));
  r = call("POST", std::string("/meters/") + kPrm + "/power-limit", json{{"limit_kw", "6"}}.dump());
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body.at("message").get<std::string>(), HasSubstr("limit_kw"));
  r = call("GET", "/providers/nobody/meters", "");
  EXPECT_EQ(r.status, 404);
}

}  // namespace
}  // namespace gridke::services::metering
