// Tests for model/json_reader.hpp: the D4.3 user-profile JSON, and row-level errors naming the
// element, the user and the field.

#include "gridke/services/flexibility_response/model/json_reader.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gridke/services/flexibility_response/model/csv_reader.hpp"
#include "gridke_matchers.hpp"
#include "test_datasets.hpp"

namespace gridke::services::flexibility_response::model {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using testing::small_dataset;
using testing::to_d43_dataset_json;

nlohmann::json one_row() {
  return {{"userID", "ID644"},
          {"timestamp", "12-04-2021 15:00:00"},
          {"customer_consumption", 0.2},
          {"customer_consumption_unit", "kW"},
          {"signal_incentive_Class:Cost", 0.11},
          {"signal_incentive_unit", "€/kWh"},
          {"external_temperature", 19},
          {"external_temperature_unit", "degreesCelcius"}};
}

TEST(JsonReader, ReadsTheSameDatasetAsTheCsvForm) {
  const Dataset original = small_dataset(2, 40);
  const auto from_json = read_dataset_json(to_d43_dataset_json(original).dump(), {});
  ASSERT_THAT(from_json, IsOk());
  CsvReadOptions csv_options;
  csv_options.baseline_signal_value = original.baseline_signal_value;
  const auto from_csv = read_dataset_csv(write_dataset_csv(original), csv_options);
  ASSERT_THAT(from_csv, IsOk());
  EXPECT_EQ(from_json->user_ids, from_csv->user_ids);
  EXPECT_EQ(from_json->timestamp_s, from_csv->timestamp_s);
  EXPECT_EQ(from_json->consumption, from_csv->consumption);
  EXPECT_EQ(from_json->outside_temperature_c, from_csv->outside_temperature_c);
  EXPECT_EQ(from_json->signal_levels(), from_csv->signal_levels());
  EXPECT_EQ(from_json->window.start_s, from_csv->window.start_s);
  EXPECT_EQ(from_json->signal_class, SignalClass::cost);
  EXPECT_EQ(from_json->baseline_signal_value, original.baseline_signal_value);
}

TEST(JsonReader, TakesTheAnalysisWindowFromTheBody) {
  auto body = to_d43_dataset_json(small_dataset(1, 40));
  body["analysis_window"] = {{"start", "01-01-2013 00:00:00"}, {"end", "2013-02-01T00:00:00"}};
  const auto d = read_dataset_json(body.dump(), {});
  ASSERT_THAT(d, IsOk());
  EXPECT_EQ(format_timestamp(d->window.start_s), "2013-01-01T00:00:00");
  EXPECT_EQ(format_timestamp(d->window.end_s), "2013-02-01T00:00:00");
}

TEST(JsonReader, NamesEveryBadElementTheUserAndTheField) {
  auto body = to_d43_dataset_json(small_dataset(1, 40));
  auto& rows = body["user_profile"];
  rows[3]["customer_consumption"] = "0.2";
  rows[5]["customer_consumption_unit"] = "MW";
  rows[7].erase("external_temperature");
  rows[9]["signal_incentive_Class:CO2_Emissions"] = 120;
  rows[9]["signal_incentive_unit"] = "gCO2/kWh";
  rows[9].erase("signal_incentive_Class:Cost");
  rows[11]["colour"] = "blue";
  EXPECT_THAT(
      read_dataset_json(body.dump(), {}),
      HasError(ErrorCode::invalid_argument,
               AllOf(HasSubstr("5 problems in the dataset"),
                     HasSubstr("user_profile[3] (user user0): customer_consumption must be a "
                               "number, got string"),
                     HasSubstr("user_profile[5] (user user0): unknown customer_consumption_unit "
                               "'MW'"),
                     HasSubstr("user_profile[7] (user user0): external_temperature is required"),
                     HasSubstr("user_profile[9] (user user0): signal class CO2_Emissions mixed "
                               "into a Cost dataset"),
                     HasSubstr("user_profile[11] (user user0): unknown member 'colour'"))));
}

TEST(JsonReader, ReportsValidationProblemsByElement) {
  nlohmann::json body{{"user_profile", nlohmann::json::array({one_row(), one_row()})}};
  body["user_profile"][1]["timestamp"] = "12-04-2021 16:00:00";  // a 60-min step
  EXPECT_THAT(
      read_dataset_json(body.dump(), {}),
      HasError(ErrorCode::invalid_argument, AllOf(HasSubstr("(user ID644)"), HasSubstr("30 min"))));
}

TEST(JsonReader, RejectsTextThatIsNotJsonNamingLineAndColumn) {
  EXPECT_THAT(read_dataset_json("{\n  \"user_profile\": [\n    {,}\n  ]\n}", {}),
              HasError(ErrorCode::parse_error, HasSubstr("line 3, column 6")));
}

TEST(JsonReader, RejectsABodyWithoutUserProfiles) {
  EXPECT_THAT(read_dataset_json(R"({"profiles": []})", {}),
              HasError(ErrorCode::invalid_argument, HasSubstr("unknown member 'profiles'")));
  EXPECT_THAT(read_dataset_json(R"({"user_profile": {}})", {}),
              HasError(ErrorCode::parse_error, HasSubstr("user_profile must be an array")));
  EXPECT_THAT(read_dataset_json(R"({"user_profile": []})", {}),
              HasError(ErrorCode::invalid_argument, HasSubstr("user_profile is empty")));
}

TEST(JsonReader, RejectsADatasetWithoutAnySignal) {
  auto row = one_row();
  row.erase("signal_incentive_Class:Cost");
  const nlohmann::json body{{"user_profile", nlohmann::json::array({row})}};
  EXPECT_THAT(
      read_dataset_json(body.dump(), {}),
      HasError(ErrorCode::invalid_argument, HasSubstr("no row carries an incentive signal")));
}

TEST(JsonReader, RejectsANonCelsiusTemperature) {
  auto row = one_row();
  row["external_temperature_unit"] = "F";
  const nlohmann::json body{{"user_profile", nlohmann::json::array({row})}};
  EXPECT_THAT(read_dataset_json(body.dump(), {}),
              HasError(ErrorCode::invalid_argument,
                       HasSubstr("user_profile[0] (user ID644): external_temperature_unit 'F' is "
                                 "not Celsius")));
}

TEST(JsonReader, RejectsABadAnalysisWindow) {
  nlohmann::json body{
      {"user_profile", nlohmann::json::array({one_row()})},
      {"analysis_window", {{"start", "yesterday"}, {"end", "2021-05-01T00:00:00"}}}};
  EXPECT_THAT(read_dataset_json(body.dump(), {}),
              HasError(ErrorCode::parse_error, HasSubstr("analysis_window.start")));
}

}  // namespace
}  // namespace gridke::services::flexibility_response::model
