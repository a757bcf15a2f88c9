// Tests for json_output.hpp: the D4.3 keys, units, scales and nulls.

#include "gridke/services/flexibility_response/json_output.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "gridke/services/flexibility_response/synthetic_dataset.hpp"
#include "gridke_matchers.hpp"

namespace gridke::services::flexibility_response {
namespace {

TEST(JsonOutput, WritesTheD43Shape) {
  SyntheticOptions options;
  options.customers = 2;
  options.days = 120;
  const auto result = analyse(make_synthetic_dataset(options), {});
  ASSERT_THAT(result, IsOk());
  const auto j = nlohmann::json::parse(to_d43_json(*result, 2));
  EXPECT_EQ(j["signal_incentive_Class"], "Cost");
  EXPECT_EQ(j["signal_incentive_unit"], "GBP/kWh");
  EXPECT_EQ(j["signal_levels"][1]["name"], "i2");
  EXPECT_DOUBLE_EQ(j["signal_levels"][1]["value"].get<double>(), 0.6720);
  EXPECT_DOUBLE_EQ(j["baseline_signal_value"].get<double>(), 0.1176);
  EXPECT_EQ(j["analysis_window"]["start"], "2013-01-01T00:00:00");
  const auto& c = j["customers"][0];
  EXPECT_EQ(c["userID"], "user0");
  ASSERT_EQ(c["Time_series"].size(), 24u);
  const auto& evening = c["Time_series"][18];
  EXPECT_EQ(evening["hour"], 18);
  EXPECT_EQ(evening["y_PowerD_unit"], "kW");
  const auto& slot = result->customers[0].slots[18];
  EXPECT_DOUBLE_EQ(evening["y_PowerD"].get<double>(), slot.baseline_kw.mean);
  EXPECT_DOUBLE_EQ(evening["y_lowerD"].get<double>(), slot.baseline_kw.obs_ci_lower);
  EXPECT_DOUBLE_EQ(evening["y_upper_i2"].get<double>(), slot.levels[1].power_kw.obs_ci_upper);
  EXPECT_DOUBLE_EQ(evening["Flex_i2"].get<double>(), slot.levels[1].flexibility_kw);
  EXPECT_TRUE(evening["y_Power_i1"].is_null());  // no low price at 18:00
  const auto& rank = c["Ranking"][18];
  EXPECT_EQ(rank["Ranking_hour"], 18);
  EXPECT_EQ(rank["rank_Flex_i2_Price_scale"], "%");
  EXPECT_DOUBLE_EQ(rank["rank_Flex_i2_Price"].get<double>(), 100.0);  // user0 responds, user1 not
  const auto& reliability = c["Reliability_i2_hours"][18];
  EXPECT_EQ(reliability["Intervention_hour"], 18);
  EXPECT_DOUBLE_EQ(reliability["i2_Signal_Power_reliability"].get<double>(),
                   100.0 * slot.levels[1].reliability);
  EXPECT_EQ(reliability["i2_Signal_Power_reliability_scale"], "%");
}

TEST(JsonOutput, WritesFractionalHoursForHalfHourSlots) {
  SyntheticOptions options;
  options.customers = 1;
  options.days = 60;
  AnalysisOptions analysis;
  analysis.slot_minutes = 30;
  const auto result = analyse(make_synthetic_dataset(options), analysis);
  ASSERT_THAT(result, IsOk());
  const auto j = nlohmann::json::parse(to_d43_json(*result));
  EXPECT_EQ(j["customers"][0]["Time_series"].size(), 48u);
  EXPECT_DOUBLE_EQ(j["customers"][0]["Time_series"][37]["hour"].get<double>(), 18.5);
  EXPECT_EQ(j["slot_minutes"], 30);
}

}  // namespace
}  // namespace gridke::services::flexibility_response
