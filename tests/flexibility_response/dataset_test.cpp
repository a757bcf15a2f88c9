// Tests for model/dataset.hpp: timestamps, units, signal classes, the customer index and
// validation of every D4.3 Table 7 rule (each problem named with its line and user).

#include "gridke/services/flexibility_response/model/dataset.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "gridke/services/flexibility_response/synthetic_dataset.hpp"
#include "gridke_matchers.hpp"

namespace gridke::services::flexibility_response::model {
namespace {

using ::testing::HasSubstr;

// Two users, 4 half-hours each, a signal on the second row of each.
Dataset small_dataset() {
  Dataset d;
  d.user_ids = {"A", "B"};
  d.signal_class = SignalClass::cost;
  d.signal_unit = "€/kWh";
  const std::int64_t t0 = *parse_timestamp("2021-04-12T00:00:00Z");
  d.window = {t0, t0 + 86400};
  for (int u = 0; u < 2; ++u) {
    for (int k = 0; k < 4; ++k) {
      d.user.push_back(u);
      d.timestamp_s.push_back(t0 + k * 1800);
      d.consumption.push_back(0.5);
      d.signal.push_back(k == 1 ? 0.3 : std::nan(""));
      d.outside_temperature_c.push_back(12.0);
    }
  }
  return d;
}

bool has_issue(const std::vector<RowIssue>& issues, const std::string& text) {
  for (const auto& issue : issues) {
    if (issue.to_string().find(text) != std::string::npos) return true;
  }
  return false;
}

TEST(Dataset, ParsesTheTimestampForms) {
  const auto iso = parse_timestamp("2013-01-01T00:30:00Z");
  ASSERT_THAT(iso, IsOk());
  EXPECT_EQ(*iso, 1356998400 + 1800);
  EXPECT_EQ(*parse_timestamp("2013-01-01 00:30:00"), *iso);
  EXPECT_EQ(*parse_timestamp("2013-01-01 00:30"), *iso);
  EXPECT_EQ(*parse_timestamp("01-01-2013 00:30:00"), *iso);  // D4.3 dd-mm-yyyy
  EXPECT_EQ(*parse_timestamp("2013-01-01"), 1356998400);     // a date is its midnight
  EXPECT_THAT(parse_timestamp("2013-02-30x"),
              HasError(ErrorCode::parse_error, HasSubstr("2013-02-30x")));
  EXPECT_EQ(format_timestamp(*iso), "2013-01-01T00:30:00");
  EXPECT_THAT(parse_timestamp("2013-13-01 00:00:00"),
              HasError(ErrorCode::parse_error, HasSubstr("bad timestamp '2013-13-01 00:00:00'")));
  EXPECT_THAT(parse_timestamp("yesterday"),
              HasError(ErrorCode::parse_error, HasSubstr("yesterday")));
}

TEST(Dataset, KnowsTheD43SignalClassesAndUnits) {
  EXPECT_EQ(parse_signal_class("CO2_Emissions"), SignalClass::co2_emissions);
  EXPECT_EQ(parse_signal_class("maximum_power"), SignalClass::power_limit);
  EXPECT_EQ(parse_signal_class("Price"), std::nullopt);
  EXPECT_TRUE(is_valid_signal_unit(SignalClass::cost, "GBP/kWh"));
  EXPECT_FALSE(is_valid_signal_unit(SignalClass::co2_emissions, "€/kWh"));
  EXPECT_EQ(parse_consumption_unit("kWh"), ConsumptionUnit::kwh);
  EXPECT_EQ(parse_consumption_unit("MW"), std::nullopt);
}

TEST(Dataset, ValidSmallDatasetHasNoIssues) {
  const auto d = small_dataset();
  EXPECT_TRUE(validate(d).empty());
  EXPECT_EQ(d.signal_levels(), std::vector<double>{0.3});
}

TEST(Dataset, BaselineValueIsNotALevel) {
  auto d = small_dataset();
  d.signal[2] = 0.12;
  d.baseline_signal_value = 0.12;
  EXPECT_TRUE(d.is_baseline(2));
  EXPECT_EQ(d.signal_levels(), std::vector<double>{0.3});
}

TEST(Dataset, NamesEveryBadRow) {
  auto d = small_dataset();
  d.source_line = {2, 3, 4, 5, 6, 7, 8, 9};
  d.consumption[2] = std::nan("");
  d.outside_temperature_c[5] = INFINITY;
  const auto issues = validate(d);
  ASSERT_EQ(issues.size(), 2u);
  EXPECT_EQ(issues[0].to_string(), "line 4 (user A): consumption is not finite (nan)");
  EXPECT_EQ(issues[1].to_string(), "line 7 (user B): outside temperature is not finite (inf)");
}

TEST(Dataset, ReportsTooCoarseTimeStep) {
  auto d = small_dataset();
  for (std::size_t r = 0; r < d.size(); ++r) d.timestamp_s[r] = d.window.start_s + (r % 4) * 3600;
  const auto issues = validate(d);
  EXPECT_TRUE(has_issue(issues, "line 2 (user A): time step 60 min is coarser than the 30 min"));
  EXPECT_TRUE(has_issue(issues, "(user B): time step 60 min"));
}

TEST(Dataset, ReportsMissingBaselineAndSignalPeriods) {
  auto d = small_dataset();
  for (std::size_t r = 0; r < 4; ++r) d.signal[r] = 0.3;           // A: always signalled
  for (std::size_t r = 4; r < 8; ++r) d.signal[r] = std::nan("");  // B: never
  const auto issues = validate(d);
  EXPECT_TRUE(has_issue(issues, "dataset (user A): no baseline period"));
  EXPECT_TRUE(has_issue(issues, "dataset (user B): no signal period"));
}

TEST(Dataset, ReportsDuplicateTimestampsAndOutOfRangeSignals) {
  auto d = small_dataset();
  d.timestamp_s[3] = d.timestamp_s[2];
  d.signal_class = SignalClass::renewable_percentage;
  d.signal_unit = "%";
  d.signal[1] = 130.0;
  const auto issues = validate(d);
  EXPECT_TRUE(has_issue(issues,
                        "line 4 (user A): duplicate timestamp 2021-04-12T01:00:00 "
                        "(first at line 3)"));
  EXPECT_TRUE(has_issue(issues, "line 2 (user A): renewable-energy percentage 130 is outside"));
}

TEST(Dataset, ReportsTooManyLevelsAndEmptyWindow) {
  auto d = small_dataset();
  for (int k = 0; k < 26; ++k) {
    d.user.push_back(0);
    d.timestamp_s.push_back(d.window.start_s + 7200 + k * 1800);
    d.consumption.push_back(1.0);
    d.signal.push_back(1.0 + k);
    d.outside_temperature_c.push_back(10.0);
  }
  EXPECT_TRUE(has_issue(validate(d), "27 distinct signal levels; D4.3 allows at most 24"));
  d.window.end_s = d.window.start_s;
  EXPECT_TRUE(has_issue(validate(d), "analysis window is empty"));
}

TEST(Dataset, ReportsWrongUnitForClassAndUserWithoutRowsInWindow) {
  auto d = small_dataset();
  d.signal_unit = "kW";
  for (std::size_t r = 4; r < 8; ++r) d.timestamp_s[r] += 2 * 86400;
  const auto issues = validate(d);
  EXPECT_TRUE(has_issue(issues, "unit 'kW' is not valid for signal class Cost (expected €/kWh)"));
  EXPECT_TRUE(has_issue(issues, "(user B): no rows inside the analysis window"));
}

TEST(Dataset, IssuesToErrorListsProblemsWithCount) {
  const std::vector<RowIssue> issues = {{3, "A", "x"}, {0, {}, "y"}};
  const Error e = issues_to_error(issues);
  EXPECT_EQ(e.code(), ErrorCode::invalid_argument);
  EXPECT_EQ(e.message(), "2 problems in the dataset: line 3 (user A): x; dataset: y");
}

TEST(Dataset, ValidGroupsHaveNoIssues) {
  auto d = small_dataset();
  d.groups = {{"north", {"A", "B"}}, {"only-b", {"B"}}};
  EXPECT_TRUE(validate(d).empty());
}

TEST(Dataset, NamesTheGroupOfEveryBadGroupDefinition) {
  auto d = small_dataset();
  d.groups = {{"north", {"A", "Z9"}},  // unknown user
              {"empty", {}},           // no members
              {"north", {"B"}},        // duplicate name
              {"twice", {"A", "A"}},   // repeated member
              {"B", {"A"}},            // a user id as group name
              {"bad name", {"A"}},     // not IRI-safe
              {"", {"A"}}};            // no name
  const auto issues = validate(d);
  EXPECT_TRUE(has_issue(issues, "dataset: group 'north': userID 'Z9' is not in the dataset"));
  EXPECT_TRUE(has_issue(issues, "group 'empty': has no members (userIDs is empty)"));
  EXPECT_TRUE(has_issue(issues, "group 'north': duplicate groupID"));
  EXPECT_TRUE(has_issue(issues, "group 'twice': userID 'A' is listed twice"));
  EXPECT_TRUE(has_issue(issues, "group 'B': groupID equals a userID of the dataset"));
  EXPECT_TRUE(has_issue(issues, "group 'bad name': groupID may use only letters"));
  EXPECT_TRUE(has_issue(issues, "groups[6]: groupID is empty"));
  EXPECT_EQ(issues.size(), 7u);
  const Error e = issues_to_error(issues);
  EXPECT_EQ(e.code(), ErrorCode::invalid_argument);
  EXPECT_THAT(e.message(), HasSubstr("7 problems in the dataset: dataset: group 'north': userID "
                                     "'Z9' is not in the dataset"));
}

TEST(CustomerIndex, GroupsRowsByUserInTimeOrderWithMedianStep) {
  auto d = small_dataset();
  std::swap(d.timestamp_s[0], d.timestamp_s[3]);  // user A out of order
  const auto index = index_customers(d);
  ASSERT_EQ(index.offsets, (std::vector<std::size_t>{0, 4, 8}));
  EXPECT_EQ(index.rows[0], 3u);
  EXPECT_EQ(index.rows[3], 0u);
  EXPECT_EQ(index.time_step_s, (std::vector<std::int64_t>{1800, 1800}));
}

TEST(CustomerIndex, SyntheticYearValidates) {
  SyntheticOptions options;
  options.customers = 3;
  options.days = 30;
  const auto d = make_synthetic_dataset(options);
  EXPECT_EQ(d.size(), 3u * 30 * 48);
  EXPECT_TRUE(validate(d).empty());
  EXPECT_EQ(d.signal_levels(), (std::vector<double>{0.0399, 0.6720}));
}

}  // namespace
}  // namespace gridke::services::flexibility_response::model
