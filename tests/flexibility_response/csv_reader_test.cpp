// Tests for model/csv_reader.hpp: a valid file (tests/data/flexibility_response/small_dataset.csv),
// header errors, and row-level messages for every kind of bad row.

#include "gridke/services/flexibility_response/model/csv_reader.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "gridke/services/flexibility_response/synthetic_dataset.hpp"
#include "gridke_matchers.hpp"

namespace gridke::services::flexibility_response::model {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

const std::string kHeader =
    "user_id,timestamp,consumption,consumption_unit,signal_class,signal_value,signal_unit,"
    "outside_temperature_c\n";

std::string data_dir() { return std::string(GRIDKE_TEST_DATA_DIR) + "/flexibility_response"; }

TEST(CsvReader, ReadsTheSmallFixture) {
  const auto d = read_dataset_csv_file(data_dir() + "/small_dataset.csv", {});
  ASSERT_THAT(d, IsOk());
  EXPECT_EQ(d->user_ids, (std::vector<std::string>{"ID644", "ID645"}));
  EXPECT_EQ(d->size(), 16u);
  EXPECT_EQ(d->consumption_unit, ConsumptionUnit::kwh);
  EXPECT_EQ(d->signal_class, SignalClass::cost);
  EXPECT_EQ(d->signal_unit, "€/kWh");
  EXPECT_TRUE(d->has_indoor_temperature());
  EXPECT_TRUE(d->has_occupancy());
  EXPECT_TRUE(std::isnan(d->signal[0]));
  EXPECT_DOUBLE_EQ(d->signal[2], 0.30);
  EXPECT_EQ(d->source_line[0], 2);
  EXPECT_EQ(d->window.start_s, *parse_timestamp("2021-04-12 00:00:00"));
}

TEST(CsvReader, AppliesTheAnalysisWindow) {
  CsvReadOptions options;
  options.window = AnalysisWindow{*parse_timestamp("2021-04-12 00:00:00"),
                                  *parse_timestamp("2021-04-12 01:00:00")};
  // Inside the first hour user ID645 has only baseline rows.
  EXPECT_THAT(read_dataset_csv_file(data_dir() + "/small_dataset.csv", options),
              HasError(ErrorCode::invalid_argument, HasSubstr("(user ID645): no signal period")));
}

TEST(CsvReader, RejectsHeaderProblems) {
  EXPECT_THAT(read_dataset_csv("", {}), HasError(ErrorCode::parse_error, HasSubstr("empty")));
  EXPECT_THAT(read_dataset_csv("user_id,timestamp,watts\n", {}),
              HasError(ErrorCode::parse_error, HasSubstr("line 1: unknown column 'watts'")));
  EXPECT_THAT(
      read_dataset_csv("user_id,timestamp\n", {}),
      HasError(ErrorCode::parse_error, HasSubstr("required column 'consumption' is missing")));
}

TEST(CsvReader, NamesEveryBadRow) {
  const std::string text = kHeader +
                           "U1,2021-04-12 00:00:00,0.2,kW,,,,10\n"
                           "U1,2021-04-12 00:30:00,0.2,MW,,,,10\n"
                           "U1,2021-04-12 01:00:00,abc,kW,Cost,0.3,€/kWh,10\n"
                           "U1,2021-04-12 01:30:00,0.2,kW,CO2_Emissions,200,gCO2/kWh,10\n"
                           "U1,2021-04-12 02:00:00,0.2,kW,Cost,0.3,gCO2/kWh,10\n"
                           "U1,12/04/2021,0.2,kW,,,,10\n"
                           "U1,2021-04-12 03:00:00,0.2,kW,Price,0.3,€/kWh,10\n"
                           "U1,2021-04-12 03:30:00,0.2,kWh,,,,10\n"
                           "U1,2021-04-12 04:00:00,0.2,kW\n";
  EXPECT_THAT(
      read_dataset_csv(text, {}),
      HasError(ErrorCode::invalid_argument,
               AllOf(HasSubstr("8 problems in the dataset"),
                     HasSubstr("line 3 (user U1): unknown consumption unit 'MW'"),
                     HasSubstr("line 4 (user U1): consumption 'abc' is not a number"),
                     HasSubstr("line 5 (user U1): signal class CO2_Emissions mixed into a Cost "
                               "dataset (class set at line 4"),
                     HasSubstr("line 6 (user U1): signal unit 'gCO2/kWh' is not valid for class "
                               "Cost"),
                     HasSubstr("line 7 (user U1): bad timestamp '12/04/2021'"),
                     HasSubstr("line 8 (user U1): unknown signal class 'Price'"),
                     HasSubstr("line 9 (user U1): consumption unit 'kWh' differs from 'kW' of "
                               "line 2"),
                     HasSubstr("line 10 (user U1): 4 fields, the header has 8"))));
}

TEST(CsvReader, ValidatesAfterParsing) {
  const std::string text = kHeader +
                           "U1,2021-04-12 00:00:00,0.2,kW,Cost,0.3,€/kWh,10\n"
                           "U1,2021-04-12 01:00:00,0.2,kW,Cost,0.3,€/kWh,10\n"
                           "U1,2021-04-12 02:00:00,0.2,kW,Cost,0.3,€/kWh,10\n";
  EXPECT_THAT(read_dataset_csv(text, {}),
              HasError(ErrorCode::invalid_argument,
                       AllOf(HasSubstr("line 3 (user U1): time step 60 min is coarser"),
                             HasSubstr("(user U1): no baseline period"))));
}

TEST(CsvReader, ReportsShortRowWhenUserColumnComesLast) {
  const std::string text =
      "timestamp,consumption,consumption_unit,signal_class,signal_value,signal_unit,"
      "outside_temperature_c,user_id\n"
      "2021-04-12 00:00:00,0.2,kW\n";
  EXPECT_THAT(
      read_dataset_csv(text, {}),
      HasError(ErrorCode::invalid_argument, HasSubstr("line 2: 3 fields, the header has 8")));
}

TEST(CsvReader, RejectsDatasetWithoutAnySignal) {
  const std::string text = kHeader +
                           "U1,2021-04-12 00:00:00,0.2,kW,,,,10\n"
                           "U1,2021-04-12 00:30:00,0.2,kW,,,,10\n";
  EXPECT_THAT(
      read_dataset_csv(text, {}),
      HasError(ErrorCode::invalid_argument, HasSubstr("no row carries an incentive signal")));
}

TEST(CsvReader, WriteThenReadReproducesTheDataset) {
  SyntheticOptions options;
  options.customers = 3;
  options.days = 20;
  const auto original = make_synthetic_dataset(options);
  CsvReadOptions read;
  read.baseline_signal_value = options.normal_price;
  read.window = original.window;
  const auto copy = read_dataset_csv(write_dataset_csv(original), read);
  ASSERT_THAT(copy, IsOk());
  EXPECT_EQ(copy->user_ids, original.user_ids);
  EXPECT_EQ(copy->user, original.user);
  EXPECT_EQ(copy->timestamp_s, original.timestamp_s);
  EXPECT_EQ(copy->consumption, original.consumption);  // exact: shortest round-trip numbers
  EXPECT_EQ(copy->outside_temperature_c, original.outside_temperature_c);
  EXPECT_EQ(copy->signal_levels(), original.signal_levels());
  EXPECT_EQ(copy->signal_unit, "GBP/kWh");
}

TEST(CsvReader, ReportsMissingFile) {
  EXPECT_THAT(
      read_dataset_csv_file("/nonexistent/x.csv", {}),
      HasError(ErrorCode::not_found, HasSubstr("cannot open dataset CSV '/nonexistent/x.csv'")));
}

}  // namespace
}  // namespace gridke::services::flexibility_response::model
