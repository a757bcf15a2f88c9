// Tests for forecast_kb.hpp: the forecast file forms (JSON, CSV with the fixture
// tests/data/tariffs/load_forecast_2026-11-28.csv) with errors naming file, line/path and
// column, and the ForecastKb answering only the zone and day an ASK binds.

#include "gridke/adapters/tariffs/forecast_kb.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "gridke/adapter/generic_adapter.hpp"
#include "gridke/engine/embedded_engine.hpp"
#include "gridke/services/tariffs/tariff_service.hpp"
#include "gridke_matchers.hpp"

namespace gridke::adapters::tariffs {
namespace {

using namespace std::chrono;
namespace tf = services::tariffs;
using ::testing::HasSubstr;

constexpr tf::Day kFkDay = sys_days{year{2026} / 11 / 28};

nlohmann::json fk_json_forecast(const std::string& zone, const std::string& day) {
  nlohmann::json f{{"zone", zone}, {"day", day}};
  f["baseline_kw"] = std::vector<double>(tf::kQuartersPerDay, 50.0);
  f["controllable_kw"] = std::vector<double>(tf::kQuartersPerDay, 10.0);
  return f;
}

std::string fk_csv(const std::string& zone, std::size_t quarters) {
  std::string out = "zone,quarter_start,baseline_kw,controllable_kw\n";
  for (std::size_t q = 0; q < quarters; ++q) {
    char row[96];
    std::snprintf(row, sizeof row, "%s,2026-11-28T%02zu:%02zu:00Z,%zu,%zu\n", zone.c_str(), q / 4,
                  (q % 4) * 15, 40 + q, q % 5);
    out += row;
  }
  return out;
}

TEST(ForecastFile, ParsesTheCsvFixture) {
  auto forecasts = load_forecast_file(GRIDKE_TEST_DATA_DIR "/tariffs/load_forecast_2026-11-28.csv");
  ASSERT_THAT(forecasts, IsOk());
  ASSERT_EQ(forecasts->size(), 2u);
  EXPECT_EQ((*forecasts)[0].zone, "feeder-A");
  EXPECT_EQ((*forecasts)[1].zone, "feeder-B");
  EXPECT_EQ((*forecasts)[0].day, kFkDay);
  ASSERT_EQ((*forecasts)[0].baseline_kw.size(), tf::kQuartersPerDay);
  EXPECT_NEAR((*forecasts)[1].baseline_kw[74], 0.8 * (*forecasts)[0].baseline_kw[74], 2e-3);
}

TEST(ForecastFile, ParsesCsvRowsInAnyOrder) {
  const std::string ordered = fk_csv("Z", tf::kQuartersPerDay);
  std::vector<std::string> rows;
  std::size_t pos = ordered.find('\n') + 1;
  while (pos < ordered.size()) {
    const auto nl = ordered.find('\n', pos);
    rows.push_back(ordered.substr(pos, nl - pos + 1));
    pos = nl + 1;
  }
  std::string text = "zone,quarter_start,baseline_kw,controllable_kw\r\n";
  for (auto it = rows.rbegin(); it != rows.rend(); ++it) text += *it;
  auto forecasts = parse_forecast_csv(text, "f.csv");
  ASSERT_THAT(forecasts, IsOk());
  EXPECT_EQ((*forecasts)[0].baseline_kw[95], 135.0);
  EXPECT_EQ((*forecasts)[0].controllable_kw[7], 2.0);
}

TEST(ForecastFile, CsvErrorsNameFileLineAndColumn) {
  EXPECT_THAT(parse_forecast_csv("zone,start,b,c\n", "f.csv"),
              HasError(ErrorCode::invalid_argument, HasSubstr("f.csv:1: expected the header")));
  EXPECT_THAT(parse_forecast_csv(fk_csv("Z", 95), "f.csv"),
              HasError(ErrorCode::invalid_argument,
                       HasSubstr("f.csv: zone 'Z' on 2026-11-28 misses 1 of 96 quarter hours "
                                 "(23:45)")));
  std::string text = fk_csv("Z", 96) + "Z,2026-11-28T10:00:00Z,1,2\n";
  EXPECT_THAT(parse_forecast_csv(text, "f.csv"),
              HasError(ErrorCode::invalid_argument,
                       HasSubstr("f.csv:98: zone 'Z' at 2026-11-28T10:00:00Z is already on line "
                                 "42")));
  text = fk_csv("Z", 3) + "Z,2026-11-28T10:00:00Z,many,2\n";
  EXPECT_THAT(parse_forecast_csv(text, "f.csv"),
              HasError(ErrorCode::invalid_argument,
                       HasSubstr("f.csv:5: column baseline_kw: 'many' is not a number")));
  text = fk_csv("Z", 3) + "Z,2026-11-28T10:07:00Z,1,2\n";
  EXPECT_THAT(parse_forecast_csv(text, "f.csv"),
              HasError(ErrorCode::invalid_argument, HasSubstr("f.csv:5: column quarter_start: "
                                                              "2026-11-28T10:07:00Z is not on the "
                                                              "quarter-hour grid")));
  text = fk_csv("Z", 3) + "Z,2026-11-28T10:00:00Z,1\n";
  EXPECT_THAT(parse_forecast_csv(text, "f.csv"),
              HasError(ErrorCode::invalid_argument, HasSubstr("f.csv:5: 3 columns, expected 4")));
  text = fk_csv("Z", 96);
  text.replace(text.find(",40,0"), 5, ",-40,0");
  EXPECT_THAT(parse_forecast_csv(text, "f.csv"),
              HasError(ErrorCode::invalid_argument,
                       HasSubstr("f.csv: zone 'Z' on 2026-11-28: baseline_kw at 00:00 (quarter 0) "
                                 "is -40 kW")));
}

TEST(ForecastFile, ParsesJsonAndNamesBadMembers) {
  nlohmann::json doc{{"forecasts", {fk_json_forecast("A", "2026-11-28")}}};
  auto ok_forecasts = parse_forecast_json(doc.dump(), "f.json");
  ASSERT_THAT(ok_forecasts, IsOk());
  EXPECT_EQ((*ok_forecasts)[0].zone, "A");
  EXPECT_EQ((*ok_forecasts)[0].day, kFkDay);

  auto bad = doc;
  bad["forecasts"][0]["baseline_kw"][17] = "x";
  EXPECT_THAT(parse_forecast_json(bad.dump(), "f.json"),
              HasError(ErrorCode::invalid_argument,
                       HasSubstr("f.json: forecasts[0].baseline_kw[17]: must be a number")));
  bad = doc;
  bad["forecasts"][0]["controllable_kw"].erase(0);
  EXPECT_THAT(parse_forecast_json(bad.dump(), "f.json"),
              HasError(ErrorCode::invalid_argument,
                       HasSubstr("controllable_kw has 95 quarter hours, expected 96")));
  bad = doc;
  bad["forecasts"].push_back(fk_json_forecast("A", "2026-11-28"));
  EXPECT_THAT(parse_forecast_json(bad.dump(), "f.json"),
              HasError(ErrorCode::invalid_argument,
                       HasSubstr("forecasts[1]: zone 'A' on 2026-11-28 is already forecasts[0]")));
  bad = doc;
  bad["forecasts"][0]["capacity_kw"] = 1;
  EXPECT_THAT(
      parse_forecast_json(bad.dump(), "f.json"),
      HasError(ErrorCode::invalid_argument, HasSubstr("forecasts[0].capacity_kw: unknown member")));
  EXPECT_THAT(parse_forecast_json("{", "f.json"),
              HasError(ErrorCode::parse_error, HasSubstr("f.json: not JSON")));
}

TEST(ForecastFile, UnknownExtensionAndMissingFileAreErrors) {
  EXPECT_THAT(load_forecast_file(GRIDKE_TEST_DATA_DIR "/tariffs/SOURCES.md"),
              HasError(ErrorCode::invalid_argument, HasSubstr("expected a .json or .csv file")));
  EXPECT_THAT(load_forecast_file("/nonexistent/f.csv"),
              HasError(ErrorCode::not_found, HasSubstr("'/nonexistent/f.csv' cannot be opened")));
}

class ForecastKbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto contracts = adapter::load_contracts(GRIDKE_SOURCE_DIR "/graph-patterns/tariffs");
    ASSERT_THAT(contracts, IsOk());
    contracts_ = std::move(contracts).value();
    adapter::Ssa dso("https://dso.example.org/kb/tariffs-test", "asker");
    dso.ask(kAskLoadForecast);
    auto a = adapter::GenericAdapter::start(engine_, contracts_, std::move(dso));
    ASSERT_THAT(a, IsOk());
    asker_ = std::move(a).value();
  }
  engine::EmbeddedEngine engine_;
  adapter::ContractSet contracts_;
  std::unique_ptr<adapter::GenericAdapter> asker_;
};

TEST_F(ForecastKbTest, AnswersOnlyTheBoundZoneAndDay) {
  auto forecasts = load_forecast_file(GRIDKE_TEST_DATA_DIR "/tariffs/load_forecast_2026-11-28.csv");
  ASSERT_THAT(forecasts, IsOk());
  auto kb = ForecastKb::start(engine_, contracts_, *forecasts);
  ASSERT_THAT(kb, IsOk());
  EXPECT_EQ((*kb)->zone_days(), 2u);
  auto query = load_forecast_query("feeder-B", kFkDay);
  ASSERT_THAT(query, IsOk());
  auto answer = asker_->ask(kAskLoadForecast, pattern::BindingSet{*query});
  ASSERT_THAT(answer, IsOk());
  EXPECT_EQ(answer->bindings.size(), 2 * tf::kQuartersPerDay);
  auto decoded = load_forecast_from_bindings(answer->bindings, "feeder-B", kFkDay);
  ASSERT_THAT(decoded, IsOk());
  EXPECT_EQ(decoded->baseline_kw, (*forecasts)[1].baseline_kw);

  auto other_day = load_forecast_query("feeder-B", kFkDay + days(1));
  ASSERT_THAT(other_day, IsOk());
  auto none = asker_->ask(kAskLoadForecast, pattern::BindingSet{*other_day});
  ASSERT_THAT(none, IsOk());
  EXPECT_TRUE(none->bindings.empty());
  EXPECT_EQ((*kb)->asks_answered(), 2);
}

TEST_F(ForecastKbTest, RefusesInvalidOrDuplicateForecasts) {
  tf::LoadForecast f;
  f.zone = "A";
  f.day = kFkDay;
  f.baseline_kw.assign(tf::kQuartersPerDay, 10.0);
  f.controllable_kw.assign(tf::kQuartersPerDay, 1.0);
  EXPECT_THAT(ForecastKb::start(engine_, contracts_, {f, f}),
              HasError(ErrorCode::invalid_argument,
                       HasSubstr("forecast KB: zone 'A' on 2026-11-28 is given twice")));
  f.controllable_kw[3] = -1.0;
  EXPECT_THAT(ForecastKb::start(engine_, contracts_, {f}),
              HasError(ErrorCode::invalid_argument,
                       HasSubstr("zone 'A' on 2026-11-28: controllable_kw at 00:45 (quarter 3)")));
}

}  // namespace
}  // namespace gridke::adapters::tariffs
