#include "gridke/services/grid/model/network_json.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "grid_test_support.hpp"
#include "gridke/services/grid/model/ieee_european_lv_csv.hpp"
#include "gridke/services/grid/power_flow.hpp"
#include "gridke_matchers.hpp"

namespace gridke::services::grid {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using namespace gridke::services::grid::testing;

constexpr const char* small_feeder = R"({
  "format": "gridke-grid/1", "name": "small",
  "source": {"bus": "S", "kv": 11, "voltage_pu": 1.0, "r1_ohm": 0.5, "x1_ohm": 2},
  "buses": [{"id": "S"}, {"id": "1"}, {"id": "2"}, {"id": "3"}],
  "transformers": [{"id": "T", "primary_bus": "S", "secondary_bus": "1", "kv_primary": 11,
                    "kv_secondary": 0.416, "kva": 400, "percent_r": 1, "percent_x": 4}],
  "line_codes": [{"id": "c", "r1_ohm_per_km": 0.3, "x1_ohm_per_km": 0.07,
                  "r0_ohm_per_km": 1.2, "x0_ohm_per_km": 0.09}],
  "lines": [{"id": "L1", "from": "1", "to": "2", "length_m": 100, "line_code": "c"},
            {"id": "L2", "from": "2", "to": "3", "phases": "A", "length_km": 0.05,
             "line_code": "c"}],
  "loads": [{"id": "P1", "bus": "3", "phases": "A", "kv": 0.23, "kw": 5, "pf": 0.95},
            {"id": "P2", "bus": "2", "phases": "ABC", "kv": 0.4, "kw": 9, "kvar": 3,
             "model": "constant_impedance"}]
})";

TEST(NetworkJson, ParsesAndSolvesASmallFeeder) {
  auto net = parse_network_json(small_feeder, "small.json");
  ASSERT_THAT(net, IsOk());
  EXPECT_EQ(net->lines[0].length_km, 0.1);
  EXPECT_EQ(net->lines[1].phases.to_string(), "A");
  EXPECT_EQ(net->loads[1].model, LoadModel::constant_impedance);
  auto pf = PowerFlow::create(std::move(net).value());
  ASSERT_THAT(pf, IsOk());
  auto snap = pf->solve_minute(1);
  ASSERT_THAT(snap, IsOk());
  const BusResult* b3 = snap->find_bus("3");
  ASSERT_NE(b3, nullptr);
  EXPECT_EQ(b3->phases.to_string(), "A");
  EXPECT_LT(b3->magnitude_pu(0), 1.0);
  EXPECT_EQ(b3->magnitude_v(1), 0.0);  // phase B absent downstream of the 1-phase line
}

TEST(NetworkJson, RoundTripReproducesTheSolution) {
  auto net = read_ieee_european_lv(test_data("ieee_european_lv_minute1"));
  ASSERT_THAT(net, IsOk());
  auto again = parse_network_json(write_network_json(*net), "roundtrip");
  ASSERT_THAT(again, IsOk());
  auto a = PowerFlow::create(*net);
  auto b = PowerFlow::create(std::move(again).value());
  ASSERT_THAT(a, IsOk());
  ASSERT_THAT(b, IsOk());
  auto sa = a->solve_minute(1);
  auto sb = b->solve_minute(1);
  ASSERT_THAT(sa, IsOk());
  ASSERT_THAT(sb, IsOk());
  for (std::size_t i = 0; i < sa->buses.size(); ++i) {
    for (int p = 0; p < 3; ++p) {
      EXPECT_NEAR(std::abs(sa->buses[i].voltage_v[p] - sb->buses[i].voltage_v[p]), 0, 1e-9);
    }
  }
}

TEST(NetworkJson, ReportsBadJsonWithOffset) {
  EXPECT_THAT(parse_network_json("{\"format\": ", "x.json"),
              HasError(ErrorCode::parse_error, AllOf(HasSubstr("x.json"), HasSubstr("byte"))));
  EXPECT_THAT(read_network_json("/nonexistent/feeder.json"),
              HasError(ErrorCode::not_found, HasSubstr("/nonexistent/feeder.json")));
}

std::string replace(std::string text, const std::string& from, const std::string& to) {
  text.replace(text.find(from), from.size(), to);
  return text;
}

TEST(NetworkJson, MissingOrIllTypedFieldNamesItsPath) {
  EXPECT_THAT(parse_network_json(replace(small_feeder, "\"length_m\": 100,", ""), "f.json"),
              HasError(ErrorCode::parse_error,
                       AllOf(HasSubstr("f.json"), HasSubstr("lines[0].length_m: missing number"))));
  EXPECT_THAT(
      parse_network_json(replace(small_feeder, "\"kw\": 5", "\"kw\": \"five\""), "f.json"),
      HasError(ErrorCode::parse_error, HasSubstr("loads[0].kw: expected a number, got \"five\"")));
  EXPECT_THAT(parse_network_json(replace(small_feeder, "gridke-grid/1", "other"), "f.json"),
              HasError(ErrorCode::parse_error, HasSubstr("format")));
}

TEST(NetworkJson, UnknownLineCodeIsInvalid) {
  EXPECT_THAT(
      parse_network_json(replace(small_feeder, "\"line_code\": \"c\"}", "\"line_code\": \"z\"}"),
                         "f.json"),
      HasError(ErrorCode::invalid_argument, HasSubstr("line 'L1': unknown line code 'z'")));
}

TEST(NetworkJson, LoopIsRejectedAsNotRadial) {
  auto net = parse_network_json(
      replace(small_feeder, "\"line_code\": \"c\"}],",
              "\"line_code\": \"c\"}, {\"id\": \"L3\", \"from\": \"3\", \"to\": \"1\", "
              "\"phases\": \"A\", \"length_m\": 5, \"line_code\": \"c\"}],"),
      "f.json");
  ASSERT_THAT(net, IsOk());
  EXPECT_THAT(PowerFlow::create(std::move(net).value()),
              HasError(ErrorCode::invalid_argument, HasSubstr("not radial")));
}

TEST(NetworkJson, LoadOnAbsentPhaseIsRejected) {
  auto net = parse_network_json(replace(small_feeder, "\"bus\": \"3\", \"phases\": \"A\"",
                                        "\"bus\": \"3\", \"phases\": \"B\""),
                                "f.json");
  ASSERT_THAT(net, IsOk());
  EXPECT_THAT(PowerFlow::create(std::move(net).value()),
              HasError(ErrorCode::invalid_argument,
                       HasSubstr("load 'P1' uses phases B but bus '3' has only A")));
}

TEST(NetworkJson, RegulatorNeedsThreeRatios) {
  const std::string with_regulator =
      replace(small_feeder, "\"loads\":",
              "\"regulators\": [{\"id\": \"R\", \"from\": \"1\", \"to\": \"2\", "
              "\"ratio_pu\": [1.0, 1.1]}],\n  \"loads\":");
  EXPECT_THAT(parse_network_json(with_regulator, "f.json"),
              HasError(ErrorCode::parse_error,
                       HasSubstr("regulators[0].ratio_pu: expected an array of 3 numbers")));
}

}  // namespace
}  // namespace gridke::services::grid
