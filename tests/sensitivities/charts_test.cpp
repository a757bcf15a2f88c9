// Tests for http/charts.hpp: SVGs of Output 1 and Output 2, and their error paths.

#include "gridke/services/sensitivities/http/charts.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "gridke_matchers.hpp"

namespace gridke::services::sensitivities {
namespace {

using ::testing::HasSubstr;

std::string output2() {
  nlohmann::json periods = nlohmann::json::array();
  for (int k = 0; k < 48; ++k) {
    const bool evening = k == 37;
    periods.push_back({{"time", "p" + std::to_string(k)},
                       {"records", 10},
                       {"average_voltage", 230.0 - (evening ? 15.0 : 0.0)},
                       {"undervoltage",
                        {{"prob_of_occur", evening ? 35.0 : 0.0},
                         {"worst_record", {{"value", evening ? 201.5 : 0.0}, {"meter_id", "m3"}}},
                         {"customers_causing_problems", nlohmann::json::array()}}},
                       {"overvoltage",
                        {{"prob_of_occur", 0.0},
                         {"worst_record", {{"value", 0.0}, {"meter_id", ""}}},
                         {"customers_causing_problems", nlohmann::json::array()}}},
                       {"Warnings", nlohmann::json::array()}});
  }
  return nlohmann::json{{"startTime", "2020-01-01T00:00:00Z"},
                        {"endTime", "2020-04-01T00:00:00Z"},
                        {"periods", periods}}
      .dump();
}

TEST(SensitivityHeatMapSvg, LabelsMetersAndUnits) {
  SensitivityMatrix s;
  s.network_id = "lv<1>";
  s.voltage_meters = s.injection_meters = {"a", "b"};
  s.sensitivity_v_per_kw = Eigen::MatrixXd{{-0.3, -0.1}, {-0.1, -0.4}};
  const auto svg = sensitivity_heat_map_svg(s);
  ASSERT_THAT(svg, IsOk());
  EXPECT_THAT(*svg, HasSubstr("grid lv&lt;1&gt;"));
  EXPECT_THAT(*svg, HasSubstr("V/kW"));
  EXPECT_THAT(*svg, HasSubstr("a / b: -0.1"));
  s.sensitivity_v_per_kw.resize(0, 0);
  EXPECT_THAT(sensitivity_heat_map_svg(s),
              HasError(ErrorCode::invalid_argument, HasSubstr("is empty")));
}

TEST(VoltageProblemsSvg, DrawsProbabilitiesAndProfileWithLimits) {
  const auto bars = voltage_problems_svg(output2());
  ASSERT_THAT(bars, IsOk());
  EXPECT_THAT(*bars, HasSubstr("under-voltage / p37: 35"));
  const auto lines = voltage_profile_svg(output2(), VoltageLimits{230, 207, 253});
  ASSERT_THAT(lines, IsOk());
  EXPECT_THAT(*lines, HasSubstr("lower limit 207 V"));
  EXPECT_THAT(*lines, HasSubstr("worst under-voltage"));
}

TEST(VoltageProblemsSvg, NamesWhatIsWrongWithTheDocument) {
  EXPECT_THAT(voltage_problems_svg("{"), HasError(ErrorCode::parse_error, HasSubstr("not valid")));
  EXPECT_THAT(voltage_problems_svg(R"({"periods": []})"),
              HasError(ErrorCode::invalid_argument, HasSubstr("periods is empty")));
  EXPECT_THAT(
      voltage_problems_svg(R"({"periods": [{"time": "x", "average_voltage": "hi"}]})"),
      HasError(ErrorCode::parse_error, HasSubstr("periods[0].average_voltage: expected a number")));
}

}  // namespace
}  // namespace gridke::services::sensitivities
