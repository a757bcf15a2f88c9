// Tests for rest_api.hpp through Router::dispatch (no socket): publication, reading back,
// static tariffs, settlement, and 400/404/409 answers naming the JSON path or the rule.

#include "gridke/services/tariffs/rest_api.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gridke_matchers.hpp"

namespace gridke::services::tariffs {
namespace {

using namespace std::chrono;
using nlohmann::json;
using ::testing::HasSubstr;

constexpr Day kDay = sys_days{year{2026} / 11 / 28};

json feeder_json(const std::string& zone) {
  json f{{"zone", zone},
         {"baseline_kw", json::array()},
         {"controllable_kw", json::array()},
         {"capacity_kw", json::array()}};
  for (std::size_t q = 0; q < kQuartersPerDay; ++q) {
    const bool evening = q >= 68 && q < 84;
    f["baseline_kw"].push_back(evening ? 120.0 : 60.0);
    f["controllable_kw"].push_back(evening ? 80.0 : 10.0);
    f["capacity_kw"].push_back(evening && q == 80 ? 110.0 : 160.0);
  }
  return f;
}

class TariffRestApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    TariffServiceOptions o;
    o.capacity.bounds = {0.10, 0.10, 1.00};
    o.capacity.response = solver::ConstantElasticity{-0.5};
    o.now = [this] { return now_; };
    auto s = TariffService::open(":memory:", o);
    ASSERT_THAT(s, IsOk());
    service_ = std::move(s).value();
    router_ = make_router(*service_);
  }
  http::Response call(const std::string& method, const std::string& path, const json& body) {
    http::Request r;
    r.method = method;
    r.path = path;
    r.body = body.is_null() ? std::string() : body.dump();
    return router_.dispatch(std::move(r));
  }
  TimePoint now_ = TimePoint(kDay) - hours(12);
  std::unique_ptr<TariffService> service_;
  http::Router router_;
};

TEST_F(TariffRestApiTest, PublishesAndServesADay) {
  const auto r = call("POST", "/days/2026-11-28/capacity", json{{"forecasts", {feeder_json("A")}}});
  ASSERT_EQ(r.status, 201) << r.body.dump();
  const auto& t = r.body.at("tariffs").at(0);
  EXPECT_EQ(t.at("zone"), "A");
  EXPECT_EQ(t.at("mode"), "dynamic");
  ASSERT_EQ(t.at("quarters").size(), kQuartersPerDay);
  EXPECT_EQ(t.at("quarters").at(70).at("start"), "2026-11-28T17:30:00Z");
  EXPECT_EQ(t.at("quarters").at(70).at("end"), "2026-11-28T17:45:00Z");
  EXPECT_EQ(t.at("quarters").at(70).at("status"), "binding");
  EXPECT_EQ(t.at("baseline_over_capacity"), json::array({80}));
  const auto got = call("GET", "/days/2026-11-28/zones/A", nullptr);
  ASSERT_EQ(got.status, 200);
  EXPECT_EQ(got.body.at("quarters"), t.at("quarters"));
  const auto day = call("GET", "/days/2026-11-28", nullptr);
  ASSERT_EQ(day.status, 200);
  EXPECT_EQ(day.body.at("tariffs").size(), 1u);
  const auto missing = call("GET", "/days/2026-11-29/zones/A", nullptr);
  EXPECT_EQ(missing.status, 404);
  EXPECT_THAT(missing.body.at("message").get<std::string>(),
              HasSubstr("no tariff published for zone 'A' on 2026-11-29"));
}

TEST_F(TariffRestApiTest, LatePublicationIsAConflict) {
  now_ = TimePoint(kDay) - minutes(30);
  const auto r = call("POST", "/days/2026-11-28/capacity", json{{"forecasts", {feeder_json("A")}}});
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(r.body.at("error"), "failed_precondition");
  EXPECT_THAT(r.body.at("message").get<std::string>(), HasSubstr("late publication"));
}

TEST_F(TariffRestApiTest, BadBodiesNameTheJsonPath) {
  json bad = feeder_json("A");
  bad["capacity_kw"][3] = "lots";
  auto r = call("POST", "/days/2026-11-28/capacity", json{{"forecasts", {bad}}});
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body.at("message").get<std::string>(),
              HasSubstr("forecasts[0].capacity_kw[3]: must be a number, got string"));
  json negative = feeder_json("B");
  negative["baseline_kw"][5] = -3;
  r = call("POST", "/days/2026-11-28/capacity", json{{"forecasts", {feeder_json("A"), negative}}});
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body.at("message").get<std::string>(),
              HasSubstr("forecasts[1]: zone 'B': baseline_kw[5] = -3"));
  r = call("POST", "/days/2026-11-28/capacity",
           json{{"forecasts", {feeder_json("A")}},
                {"model", {{"response", {{"model", "magic"}, {"elasticity", -1}}}}}});
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body.at("message").get<std::string>(),
              HasSubstr("model.response.model: 'magic' is not"));
  r = call("POST", "/days/2026-11-28/capacity",
           json{{"forecasts", {feeder_json("A")}}, {"model", {{"cap_price", 0.01}}}});
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body.at("message").get<std::string>(), HasSubstr("model: price cap 0.01"));
  r = call("POST", "/days/2026-13-01/capacity", json{{"forecasts", {feeder_json("A")}}});
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body.at("message").get<std::string>(), HasSubstr("path {day}: '2026-13-01'"));
  r = call("POST", "/days/2026-11-28/capacity", json{{"forecast", json::array()}});
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body.at("message").get<std::string>(), HasSubstr("forecast: unknown field"));
}

TEST_F(TariffRestApiTest, StaticTariffsAndSettlement) {
  std::vector<double> prices(kQuartersPerDay, 0.08);
  auto r = call("PUT", "/zones/A/static", json{{"price_per_kwh", prices}});
  ASSERT_EQ(r.status, 200) << r.body.dump();
  r = call("GET", "/zones/A/static", nullptr);
  EXPECT_EQ(r.body.at("price_per_kwh").size(), kQuartersPerDay);
  EXPECT_EQ(call("GET", "/zones/B/static", nullptr).status, 404);
  r = call("POST", "/days/2026-11-28/static", nullptr);
  ASSERT_EQ(r.status, 201) << r.body.dump();
  EXPECT_EQ(r.body.at("tariffs").at(0).at("mode"), "static");
  r = call("POST", "/days/2026-11-28/zones/A/settlement",
           json{{"consumption_kwh", std::vector<double>(kQuartersPerDay, 2.0)}});
  ASSERT_EQ(r.status, 200) << r.body.dump();
  EXPECT_NEAR(r.body.at("total_cost").get<double>(), 96 * 2.0 * 0.08, 1e-9);
  r = call("POST", "/days/2026-11-28/zones/A/settlement",
           json{{"consumption_kwh", std::vector<double>(3, 2.0)}});
  EXPECT_EQ(r.status, 400);
  r = call("PUT", "/zones/A/static", json{{"price_per_kwh", {0.1}}});
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body.at("message").get<std::string>(), HasSubstr("1 prices, expected 96"));
}

TEST_F(TariffRestApiTest, ConfigShowsTheLeadTimeAndModel) {
  const auto r = call("GET", "/config", nullptr);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body.at("lead_time_minutes"), 60);
  EXPECT_EQ(r.body.at("model").at("response").at("model"), "constant_elasticity");
  EXPECT_EQ(r.body.at("model").at("cap_price"), 1.0);
}

}  // namespace
}  // namespace gridke::services::tariffs
