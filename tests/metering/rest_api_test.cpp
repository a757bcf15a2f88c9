// Tests for the metering rest_api.hpp through Router::dispatch: contracts, consents, raw TIC
// ingestion with a corrupt group, consent-gated reads (403 after withdrawal), power limits, and
// 400 answers naming the JSON member.

#include "gridke/services/metering/rest_api.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gridke_matchers.hpp"

namespace gridke::services::metering {
// Named per file: unity builds concatenate the test sources of this executable.
namespace rest_api_test {

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
    const auto q = path.find('?');
    r.path = path.substr(0, q);
    // name=value pairs after '?' (the tests use no escapes).
    for (auto at = q; at != std::string::npos;) {
      const auto next = path.find('&', at + 1);
      const std::string pair =
          path.substr(at + 1, next == std::string::npos ? next : next - at - 1);
      const auto eq = pair.find('=');
      r.query[pair.substr(0, eq)] = eq == std::string::npos ? "" : pair.substr(eq + 1);
      at = next;
    }
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
  auto r = call("PUT", "/zones/A", json{{"meters", zone_a.at("meters")}}.dump());
  ASSERT_EQ(r.status, 200) << r.body.dump();
  r = call("PUT", "/zones/B", json{{"meters", {"00000000000000", "00000000000001"}}}.dump());
  ASSERT_EQ(r.status, 200) << r.body.dump();
  r = call("GET", "/zones", "");
  EXPECT_EQ(r.body.at("zones").size(), 2u);
  r = call("POST", "/open-data/consumption",
           json{{"from", "2026-11-27T10:00:00Z"}, {"to", "2026-11-27T10:30:00Z"}}.dump());
  ASSERT_EQ(r.status, 200) << r.body.dump();
  ASSERT_EQ(r.body.at("published").size(), 1u);
  EXPECT_EQ(r.body.at("published").at(0).at("consumers"), 6);
  EXPECT_DOUBLE_EQ(r.body.at("published").at(0).at("energy_kwh").get<double>(), 0.5 * 21);
  EXPECT_EQ(r.body.at("suppressed").at(0).at("zone"), "B");
  r = call("POST", "/open-data/consumption",
           json{{"from", "2026-11-27T10:00:00Z"}, {"to", "2026-11-27T10:30:00Z"}, {"k", 0}}.dump());
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body.at("message").get<std::string>(), HasSubstr("k: must be >= 1"));
  r = call("POST", "/open-data/consumption",
           json{{"from", "2026-11-27T10:00:00Z"}, {"to", "2026-11-27T10:30:00Z"}, {"k", 2}}.dump());
  EXPECT_EQ(r.status, 403);
  EXPECT_THAT(r.body.at("message").get<std::string>(), HasSubstr("below the platform's minimum"));
  // Zones come from the platform only: a requester cannot define its own.
  r = call(
      "POST", "/open-data/consumption",
      json{{"from", "2026-11-27T10:00:00Z"}, {"to", "2026-11-27T10:30:00Z"}, {"zones", {}}}.dump());
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body.at("message").get<std::string>(), HasSubstr("zones"));
  r = call("PUT", "/zones/C", json{{"meters", {1}}}.dump());
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body.at("message").get<std::string>(), HasSubstr("meters[0]: must be a string"));
  r = call("DELETE", "/zones/nope", "");
  EXPECT_EQ(r.status, 404);
}

TEST_F(MeteringRestApiTest, PowerLimitsAreForwardedOrRefused) {
  ASSERT_THAT(service_->register_provider({"engie", "ENGIE", kAllDataPoints, "", ""}), IsOk());
  ASSERT_THAT(
      service_->grant_consent({"", "engie", kPrm, kAllDataPoints, "EMS", 30, {"ENGIE"}, {}, {}}),
      IsOk());
  auto r = call("POST", std::string("/meters/") + kPrm + "/power-limit",
                json{{"limit_kw", 6},
                     {"from", "2026-11-27T17:00:00Z"},
                     {"until", "2026-11-27T19:00:00Z"},
                     {"obligatory", false}}
                    .dump());
  ASSERT_EQ(r.status, 200) << r.body.dump();
  EXPECT_EQ(r.body.at("forwarded_to"), 1);
  EXPECT_EQ(r.body.at("until"), "2026-11-27T19:00:00Z");
  r = call("POST", "/meters/01234567890123/power-limit", json{{"limit_kw", 6}}.dump());
  EXPECT_EQ(r.status, 404);
  EXPECT_THAT(r.body.at("message").get<std::string>(), HasSubstr("unknown delivery point"));
  r = call("POST", std::string("/meters/") + kPrm + "/power-limit", json{{"limit_kw", 0}}.dump());
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body.at("message").get<std::string>(), HasSubstr("must be > 0"));
  r = call("POST", std::string("/meters/") + kPrm + "/power-limit",
           json{{"limit_kw", 6}, {"active", "yes"}}.dump());
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body.at("message").get<std::string>(), HasSubstr("active"));
}

TEST_F(MeteringRestApiTest, FlexibilityEndpointSaysWhenNoSourceIsConfigured) {
  auto r = call("GET", "/open-data/flexibility", "");
  EXPECT_EQ(r.status, 503);
  EXPECT_THAT(r.body.at("message").get<std::string>(),
              HasSubstr("no flexibility data source is configured"));
  const json market{{"needs",
                     {{{"requestId", "R-1"},
                       {"zone", "Z-1"},
                       {"needs", 12.5},
                       {"direction", "Down"},
                       {"startTime", "2026-11-27T17:00:00Z"},
                       {"endTime", "2026-11-27T18:00:00Z"},
                       {"HEMSIds", {"H-1"}}}}}};
  service_->set_flexibility_source([market]() { return needs_from_market_json(market); });
  r = call("GET", "/open-data/flexibility?from=2026-11-27T00:00:00Z", "");
  ASSERT_EQ(r.status, 200) << r.body.dump();
  ASSERT_EQ(r.body.at("flexibility").size(), 1u);
  const auto& z = r.body.at("flexibility").at(0);
  EXPECT_EQ(z.at("zone"), "Z-1");
  EXPECT_EQ(z.at("direction"), "down");
  EXPECT_EQ(z.at("needs_kw"), 12.5);
  EXPECT_FALSE(z.contains("HEMSIds"));
  r = call("GET", "/open-data/flexibility?from=tomorrow", "");
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body.at("message").get<std::string>(), HasSubstr("from"));
}

TEST(MeteringNeedsFromMarketJson, NamesTheBadMember) {
  json bad{{"needs",
            {{{"zone", "Z"},
              {"needs", 1},
              {"direction", "sideways"},
              {"startTime", "2026-11-27T17:00:00Z"},
              {"endTime", "2026-11-27T18:00:00Z"}}}}};
  EXPECT_THAT(needs_from_market_json(bad),
              HasError(ErrorCode::invalid_argument,
                       HasSubstr("needs[0].direction: expected \"Up\" or \"Down\"")));
  EXPECT_THAT(needs_from_market_json(json::object()),
              HasError(ErrorCode::invalid_argument, HasSubstr("needs")));
}

TEST(MeteringHttpNeedsSource, ReadsAMarketAndReportsAMissingOne) {
  http::Router market;
  market.get("/Needs", [](const http::Request&) -> Result<http::Response> {
    return http::Response::json(200, json{{"needs",
                                           {{{"zone", "Z-3"},
                                             {"needs", 7},
                                             {"direction", "Up"},
                                             {"startTime", "2026-11-27T17:00:00Z"},
                                             {"endTime", "2026-11-27T18:00:00Z"}}}}});
  });
  http::ServerOptions options;
  options.bind_address = "127.0.0.1";
  options.port = 0;
  options.base_path = "/Flexibility";
  auto server = http::JsonServer::start(std::move(market), options);
  ASSERT_THAT(server, IsOk());
  auto needs = http_needs_source((*server)->base_url() + "/Needs")();
  ASSERT_THAT(needs, IsOk());
  ASSERT_EQ(needs->size(), 1u);
  EXPECT_EQ(needs->front().direction, FlexDirection::up);
  EXPECT_THAT(
      http_needs_source((*server)->base_url() + "/Nothing")(),
      HasError(ErrorCode::unavailable, HasSubstr("no flexibility data source is configured")));
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

}  // namespace rest_api_test
}  // namespace gridke::services::metering
