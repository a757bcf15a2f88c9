// Tests for rest_api.hpp through Router::dispatch (no socket): publication, reading back,
// static tariffs, settlement, and 400/404/409 answers naming the JSON path or the rule.

#include "gridke/services/tariffs/rest_api.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gridke_matchers.hpp"
#include "tariff_test_service.hpp"

namespace gridke::services::tariffs {
namespace {

using namespace std::chrono;
using nlohmann::json;
using ::testing::HasSubstr;

constexpr Day kRestDay = sys_days{year{2026} / 11 / 28};

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
    auto s = test_service::open_in_memory([this] { return now_; });
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
  TimePoint now_ = TimePoint(kRestDay) - hours(12);
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
  now_ = TimePoint(kRestDay) - minutes(30);
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

TEST_F(TariffRestApiTest, ForecastKbSourceWithoutForecastKbFallsBackStated) {
  const auto r = call("POST", "/days/2026-11-28/capacity",
                      json{{"forecasts", {feeder_json("A")}}, {"forecast_source", "forecast-kb"}});
  ASSERT_EQ(r.status, 201) << r.body.dump();
  EXPECT_EQ(r.body.at("forecast_source"), "forecast-kb");
  const auto& use = r.body.at("forecasts").at(0);
  EXPECT_EQ(use.at("zone"), "A");
  EXPECT_EQ(use.at("origin"), "dso");
  EXPECT_EQ(use.at("fallback_reason"), "no forecast source configured");
  EXPECT_THAT(use.at("description").get<std::string>(),
              HasSubstr("fallback to the DSO-computed forecast"));
}

TEST_F(TariffRestApiTest, ForecastSourceErrorsNameTheMember) {
  auto r = call("POST", "/days/2026-11-28/capacity",
                json{{"forecasts", {feeder_json("A")}}, {"forecast_source", "crystal-ball"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body.at("message").get<std::string>(),
              HasSubstr("forecast_source: 'crystal-ball' is not dso, forecast-kb or "
                        "forecast-kb-only"));
  r = call("POST", "/days/2026-11-28/capacity",
           json{{"forecasts", {feeder_json("A")}}, {"forecast_source", "forecast-kb-only"}});
  EXPECT_EQ(r.status, 503);
  EXPECT_THAT(r.body.at("message").get<std::string>(),
              HasSubstr("zone 'A' (no fallback allowed): no forecast source configured"));
  json capacity_only = feeder_json("A");
  capacity_only.erase("baseline_kw");
  capacity_only.erase("controllable_kw");
  r = call("POST", "/days/2026-11-28/capacity",
           json{{"forecasts", {capacity_only}}, {"forecast_source", "forecast-kb"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body.at("message").get<std::string>(),
              HasSubstr("forecasts[0]: zone 'A': no fetched forecast and no DSO-computed"));
  r = call("POST", "/days/2026-11-28/capacity", json{{"forecasts", {capacity_only}}});
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body.at("message").get<std::string>(), HasSubstr("forecasts[0].baseline_kw"));
}

// A forecast source that knows every zone: 70 kW baseline, 50 kW controllable all day.
class RestFlatForecastSource final : public ForecastSource {
 public:
  Result<LoadForecast> fetch(std::string_view zone, sys_days day) override {
    LoadForecast f;
    f.zone = std::string(zone);
    f.day = day;
    f.baseline_kw.assign(kQuartersPerDay, 70.0);
    f.controllable_kw.assign(kQuartersPerDay, 50.0);
    f.source = "https://forecast.example.org/kb/flat";
    return f;
  }
};

TEST_F(TariffRestApiTest, FetchByDefaultUsesTheForecastSourceAndLogsIt) {
  RestFlatForecastSource source;
  std::vector<std::string> lines;
  RouterOptions options;
  options.forecast_source = &source;
  options.fetch_by_default = true;
  options.log = [&lines](const std::string& line) { lines.push_back(line); };
  router_ = make_router(*service_, options);
  const auto config = call("GET", "/config", nullptr);
  EXPECT_EQ(config.body.at("forecast_source_default"), "forecast-kb");
  EXPECT_EQ(config.body.at("forecast_kb_configured"), true);
  const auto r = call("POST", "/days/2026-11-28/capacity", json{{"forecasts", {feeder_json("A")}}});
  ASSERT_EQ(r.status, 201) << r.body.dump();
  EXPECT_EQ(r.body.at("forecasts").at(0).at("origin"), "forecast-kb");
  EXPECT_EQ(r.body.at("forecasts").at(0).at("source"), "https://forecast.example.org/kb/flat");
  // 70 + 50 kW stays under the 160 kW capacity except where the fixture's capacity is 110 kW.
  const auto& quarters = r.body.at("tariffs").at(0).at("quarters");
  EXPECT_EQ(quarters.at(10).at("expected_demand_kw"), 120.0);
  EXPECT_EQ(quarters.at(80).at("status"), "binding");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_THAT(lines[0], HasSubstr("tariffs 2026-11-28: zone 'A': forecast from forecast KB "
                                  "<https://forecast.example.org/kb/flat>"));
  const auto dso = call("POST", "/days/2026-11-29/capacity",
                        json{{"forecasts", {feeder_json("A")}}, {"forecast_source", "dso"}});
  ASSERT_EQ(dso.status, 201) << dso.body.dump();
  EXPECT_FALSE(dso.body.contains("forecasts"));
  EXPECT_EQ(dso.body.at("tariffs").at(0).at("quarters").at(10).at("expected_demand_kw"), 70.0);
}

}  // namespace
}  // namespace gridke::services::tariffs
