// Tests for json_codec.hpp: D4.3 request bodies with path-named parse errors, and Output 1.

#include "gridke/services/sensitivities/json_codec.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "gridke_matchers.hpp"
#include "synthetic_data.hpp"

namespace gridke::services::sensitivities {
namespace {

using ::testing::HasSubstr;

TEST(JsonCodec, ParsesTable8Body) {
  const auto d = parse_historical_data(R"({"historicalFromMeters": [
    {"meter_id": "ytu92099021", "master_id": "", "info": 0, "phase": 0, "measurements": [
      {"timestamp": 1287691200, "v_measured": 232.034, "p_measured": 0.0},
      {"timestamp": 1287691800, "v_measured": 232.334, "p_measured": 1.5}]},
    {"meter_id": "sub", "info": 1, "phase": 2, "measurements": []}]})");
  ASSERT_THAT(d, IsOk());
  ASSERT_EQ(d->meters.size(), 2U);
  EXPECT_EQ(d->meters[0].meter.meter_id, "ytu92099021");
  EXPECT_EQ(d->meters[0].measurements[1].timestamp_s, 1287691800);
  EXPECT_DOUBLE_EQ(d->meters[0].measurements[1].v_measured_v, 232.334);
  EXPECT_EQ(d->meters[1].meter.kind, MeterKind::substation);
  EXPECT_EQ(d->meters[1].meter.phase, 2);
}

TEST(JsonCodec, NamesThePathOfABadField) {
  EXPECT_THAT(parse_historical_data(R"({"historicalFromMeters": [{"meter_id": "a",
      "measurements": [{"timestamp": 1, "v_measured": 230, "p_measured": 1},
                       {"timestamp": 2, "v_measured": "high", "p_measured": 1}]}]})"),
              HasError(ErrorCode::parse_error,
                       HasSubstr("historicalFromMeters[0].measurements[1].v_measured: expected a "
                                 "number")));
  EXPECT_THAT(parse_historical_data(R"({"historicalFromMeters": [{"meter_id": "a", "info": 3,
      "measurements": []}]})"),
              HasError(ErrorCode::parse_error,
                       HasSubstr("historicalFromMeters[0].info: 3 is not 0 (regular meter) or 1")));
  EXPECT_THAT(parse_historical_data("{"),
              HasError(ErrorCode::parse_error, HasSubstr("not valid JSON")));
  EXPECT_THAT(parse_historical_data(R"({"other": []})"),
              HasError(ErrorCode::parse_error, HasSubstr("\"historicalFromMeters\"")));
}

TEST(JsonCodec, StreamsUploadsSkippingUnknownKeysAndNamingStructuralErrors) {
  const auto d = parse_historical_data(R"({"comment": {"deep": [1, {"x": []}]},
    "historicalFromMeters": [{"meter_id": "a", "extra": [1, 2], "measurements": [
      {"timestamp": 1.0, "v_measured": 230, "p_measured": -1, "quality": {"flag": 1}}]}],
    "trailer": 5})");
  ASSERT_THAT(d, IsOk());
  ASSERT_EQ(d->meters.size(), 1U);
  EXPECT_EQ(d->meters[0].measurements[0].timestamp_s, 1);
  EXPECT_DOUBLE_EQ(d->meters[0].measurements[0].p_measured_kw, -1.0);
  EXPECT_THAT(
      parse_historical_data(R"({"historicalFromMeters": {"meter_id": "a"}})"),
      HasError(ErrorCode::parse_error, HasSubstr("historicalFromMeters: expected an array")));
  EXPECT_THAT(parse_historical_data(R"([{"meter_id": "a", "measurements": [[1, 2]]}])"),
              HasError(ErrorCode::parse_error,
                       HasSubstr("historicalFromMeters[0].measurements[0]: expected an object")));
  EXPECT_THAT(parse_historical_data(R"([{"meter_id": "a", "measurements": [
                {"timestamp": 1.5, "v_measured": 230, "p_measured": 1}]}])"),
              HasError(ErrorCode::parse_error,
                       HasSubstr("measurements[0].timestamp: expected an integer")));
  EXPECT_THAT(parse_historical_data(R"([{"meter_id": "a", "measurements": [
                {"timestamp": 1, "v_measured": [230], "p_measured": 1}]}])"),
              HasError(ErrorCode::parse_error, HasSubstr("v_measured: expected a number")));
  EXPECT_THAT(parse_historical_data(R"([{"meter_id": "a"}])"),
              HasError(ErrorCode::parse_error, HasSubstr("[0].measurements: missing")));
  EXPECT_THAT(parse_historical_data("[{\"meter_id\": \"a\",\n \"measurements\": [}]"),
              HasError(ErrorCode::parse_error, HasSubstr("line 2")));
  EXPECT_THAT(parse_historical_data("42"),
              HasError(ErrorCode::parse_error, HasSubstr("\"historicalFromMeters\" or an array")));
}

TEST(JsonCodec, RegistrationUploadKeepsMeasurementsWhenPresent) {
  const auto r = parse_registration_upload("g", R"({"historicalFromMeters": [
    {"meter_id": "a"}, {"meter_id": "b", "measurements": [
      {"timestamp": 900, "v_measured": 231, "p_measured": 0.5}]}]})");
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->first.network_id, "g");
  ASSERT_EQ(r->first.meters.size(), 2U);
  EXPECT_TRUE(r->second.meters[0].measurements.empty());
  EXPECT_EQ(r->second.meters[1].measurements.size(), 1U);
}

TEST(JsonCodec, ParsesTable9AndRejectsUnknownApplianceType) {
  const auto a = parse_appliances(R"({"historicalFromAppliances": [{"appliance_id": "dsk98",
      "appliance_type": 1, "meter_id": "ytu", "info": 0,
      "measurements": [{"timestamp": 1287691200, "p_measured": 1.24}]}]})");
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ((*a)[0].type, ApplianceType::ev);
  EXPECT_DOUBLE_EQ((*a)[0].measurements[0].p_measured_kw, 1.24);
  EXPECT_THAT(parse_appliances(R"([{"appliance_id": "dsk97", "appliance_type": 12,
      "meter_id": "ytu", "measurements": []}])"),
              HasError(ErrorCode::parse_error,
                       HasSubstr("historicalFromAppliances[0].appliance_type: 12 is not 1 (EV)")));
}

TEST(JsonCodec, Output1HasTheD43ShapeAndRoundTrips) {
  const auto s = testing::make_synthetic(3, 8640, 0.1);
  const auto est = estimate_sensitivities(s.grid, s.data);
  ASSERT_THAT(est, IsOk());
  const std::string text = to_json(*est);
  const auto j = nlohmann::json::parse(text);
  EXPECT_EQ(j.at("startTime"), "2020-09-13T12:30:00Z");
  ASSERT_EQ(j.at("voltage_sensitivity_points").size(), 3U);
  const auto& first = j.at("voltage_sensitivity_points")[0];
  EXPECT_EQ(first.at("meter_id_V"), "m0");
  EXPECT_EQ(first.at("power_injection_points")[1].at("meter_id_P"), "m1");
  EXPECT_TRUE(first.at("power_injection_points")[1].at("sensitivity").is_number());
  EXPECT_TRUE(first.at("power_injection_points")[1].at("standard_error").is_number());
  const auto back = parse_sensitivity_matrix(text);
  ASSERT_THAT(back, IsOk());
  EXPECT_EQ(back->injection_meters, est->injection_meters);
  EXPECT_EQ(back->start_time_s, est->start_time_s);
  EXPECT_EQ(back->end_time_s, est->end_time_s);
  EXPECT_TRUE(back->sensitivity_v_per_kw.isApprox(est->sensitivity_v_per_kw, 1e-12));
  EXPECT_EQ(back->quality.slots, est->quality.slots);
}

}  // namespace
}  // namespace gridke::services::sensitivities
