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

TEST(JsonOutput, ReadsItsOwnOutputBack) {
  SyntheticOptions options;
  options.customers = 3;
  options.days = 90;
  const auto result = analyse(make_synthetic_dataset(options), {});
  ASSERT_THAT(result, IsOk());
  const auto back = from_d43_json(to_d43_json(*result));
  ASSERT_THAT(back, IsOk());
  EXPECT_EQ(back->signal_class, result->signal_class);
  EXPECT_EQ(back->signal_unit, result->signal_unit);
  EXPECT_EQ(back->levels, result->levels);
  EXPECT_EQ(back->baseline_signal_value, result->baseline_signal_value);
  EXPECT_EQ(back->window.start_s, result->window.start_s);
  EXPECT_EQ(back->window.end_s, result->window.end_s);
  ASSERT_EQ(back->customers.size(), 3u);
  for (std::size_t c = 0; c < 3; ++c) {
    const auto& a = result->customers[c];
    const auto& b = back->customers[c];
    EXPECT_EQ(a.user_id, b.user_id);
    ASSERT_EQ(a.slots.size(), b.slots.size());
    for (std::size_t h = 0; h < a.slots.size(); ++h) {
      EXPECT_EQ(a.slots[h].estimated, b.slots[h].estimated);
      EXPECT_DOUBLE_EQ(a.slots[h].baseline_kw.mean, b.slots[h].baseline_kw.mean);
      for (std::size_t k = 0; k < a.slots[h].levels.size(); ++k) {
        const auto& la = a.slots[h].levels[k];
        const auto& lb = b.slots[h].levels[k];
        ASSERT_EQ(la.estimated, lb.estimated) << "slot " << h << " level " << k;
        if (!la.estimated) continue;
        EXPECT_DOUBLE_EQ(la.power_kw.obs_ci_upper, lb.power_kw.obs_ci_upper);
        EXPECT_DOUBLE_EQ(la.flexibility_kw, lb.flexibility_kw);
        EXPECT_DOUBLE_EQ(la.p_value, lb.p_value);
        EXPECT_DOUBLE_EQ(la.ranking_percent, lb.ranking_percent);
        EXPECT_NEAR(la.reliability, lb.reliability, 1e-15);
        EXPECT_DOUBLE_EQ(la.expected_direction, lb.expected_direction);
      }
    }
  }
}

TEST(JsonOutput, WritesGroupsAndTheEmpiricalReliabilityAndReadsThemBack) {
  SyntheticOptions options;
  options.customers = 3;
  options.days = 90;
  auto dataset = make_synthetic_dataset(options);
  dataset.groups = {{"pair", {"user0", "user1"}}, {"solo", {"user2"}}};
  AnalysisOptions analysis;
  analysis.reliability_method = ReliabilityMethod::empirical;
  analysis.empirical_threshold_kw = 0.25;
  const auto result = analyse(dataset, analysis);
  ASSERT_THAT(result, IsOk());
  const auto j = nlohmann::json::parse(to_d43_json(*result));
  EXPECT_EQ(j["reliability_method"], "empirical");
  EXPECT_DOUBLE_EQ(j["empirical_threshold_kw"].get<double>(), 0.25);
  ASSERT_EQ(j["groups"].size(), 2u);
  const auto& pair = j["groups"][0];
  EXPECT_EQ(pair["groupID"], "pair");
  EXPECT_EQ(pair["userIDs"], nlohmann::json({"user0", "user1"}));
  EXPECT_EQ(pair["intervals"], 90 * 48);
  EXPECT_EQ(pair["incomplete_intervals"], 0);
  EXPECT_EQ(pair["mixed_signal_intervals"], 0);
  const auto& group_slot = result->groups[0].slots[18];
  EXPECT_DOUBLE_EQ(pair["Time_series"][18]["Flex_i2"].get<double>(),
                   group_slot.levels[1].flexibility_kw);
  EXPECT_DOUBLE_EQ(pair["Ranking"][18]["rank_Flex_i2_Price"].get<double>(),
                   group_slot.levels[1].ranking_percent);
  const auto& reliability = pair["Reliability_i2_hours"][18];
  EXPECT_EQ(reliability["i2_signalled_intervals"], group_slot.levels[1].observations);
  EXPECT_EQ(reliability["i2_responded_intervals"], group_slot.levels[1].responded_intervals);
  EXPECT_DOUBLE_EQ(reliability["i2_Signal_Power_reliability"].get<double>(),
                   100.0 * group_slot.levels[1].reliability);
  EXPECT_TRUE(j["customers"][0]["Reliability_i2_hours"][18].contains("i2_responded_intervals"));

  const auto back = from_d43_json(j.dump());
  ASSERT_THAT(back, IsOk());
  EXPECT_EQ(back->reliability_method, ReliabilityMethod::empirical);
  EXPECT_EQ(back->empirical_threshold_kw, 0.25);
  ASSERT_EQ(back->groups.size(), 2u);
  EXPECT_EQ(back->groups[1].name, "solo");
  EXPECT_EQ(back->groups[1].members, (std::vector<std::string>{"user2"}));
  EXPECT_EQ(back->groups[0].intervals, 90 * 48);
  const auto& back_level = back->groups[0].slots[18].levels[1];
  EXPECT_DOUBLE_EQ(back_level.flexibility_kw, group_slot.levels[1].flexibility_kw);
  EXPECT_EQ(back_level.responded_intervals, group_slot.levels[1].responded_intervals);
  EXPECT_NEAR(back_level.reliability, group_slot.levels[1].reliability, 1e-15);
}

TEST(JsonOutput, NamesTheMemberThatDoesNotReadBack) {
  SyntheticOptions options;
  options.customers = 1;
  options.days = 60;
  const auto result = analyse(make_synthetic_dataset(options), {});
  ASSERT_THAT(result, IsOk());
  auto j = nlohmann::json::parse(to_d43_json(*result));
  j["customers"][0]["Time_series"][7]["y_PowerD"] = "high";
  EXPECT_THAT(from_d43_json(j.dump()),
              HasError(ErrorCode::invalid_argument,
                       ::testing::HasSubstr("customers[0].Time_series[7].y_PowerD: must be a "
                                            "number or null, got string")));
  j["customers"][0].erase("Ranking");
  EXPECT_THAT(from_d43_json(j.dump()),
              HasError(ErrorCode::invalid_argument,
                       ::testing::HasSubstr("customers[0].Ranking: is required")));
  EXPECT_THAT(from_d43_json("{"), HasError(ErrorCode::parse_error, ::testing::HasSubstr("JSON")));
  auto k = nlohmann::json::parse(to_d43_json(*result));
  k["groups"] = {{{"groupID", "g"}, {"userIDs", {7}}}};
  EXPECT_THAT(from_d43_json(k.dump()),
              HasError(ErrorCode::invalid_argument,
                       ::testing::HasSubstr("groups[0].userIDs[0]: must be a string, got number")));
  k["reliability_method"] = "guess";
  EXPECT_THAT(from_d43_json(k.dump()),
              HasError(ErrorCode::invalid_argument,
                       ::testing::HasSubstr("result.reliability_method: must be \"model\" or "
                                            "\"empirical\"")));
}

}  // namespace
}  // namespace gridke::services::flexibility_response
