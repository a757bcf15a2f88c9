// Tests for model/validation.hpp: every bad row and dataset problem is named.

#include "gridke/services/sensitivities/model/validation.hpp"

#include <gtest/gtest.h>

#include "gridke_matchers.hpp"
#include "synthetic_data.hpp"

namespace gridke::services::sensitivities {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

GridRegistration two_meters() {
  GridRegistration g;
  g.network_id = "g1";
  g.meters = {{"a", "", MeterKind::regular, 0}, {"b", "", MeterKind::regular, 2}};
  return g;
}

MeterHistory series(const std::string& id, int rows, std::int64_t step = 900, double kw = 1.0) {
  MeterHistory h;
  h.meter.meter_id = id;
  for (int t = 0; t < rows; ++t) h.measurements.push_back({1'600'000'200 + t * step, 230.0, kw});
  return h;
}

TEST(ValidateRegistration, NamesDuplicatesAndBadPhases) {
  GridRegistration g = two_meters();
  g.meters.push_back({"a", "", MeterKind::regular, 0});
  g.meters.push_back({"sub", "", MeterKind::substation, 0});
  g.meters.push_back({"c", "", MeterKind::regular, 7});
  EXPECT_THAT(validate_registration(g),
              HasError(ErrorCode::invalid_argument,
                       AllOf(HasSubstr("3 problems"), HasSubstr("meter 2 'a': duplicate meter_id"),
                             HasSubstr("'sub': substation meter phase 0 is not 1 (R)"),
                             HasSubstr("'c': phase 7 is not 0 (unknown)"))));
}

TEST(ValidateRegistration, RefusesMoreThan150Meters) {
  GridRegistration g;
  g.network_id = "big";
  for (int k = 0; k < 151; ++k) g.meters.push_back({"m" + std::to_string(k), "", {}, 0});
  EXPECT_THAT(validate_registration(g),
              HasError(ErrorCode::invalid_argument,
                       HasSubstr("151 regular meters exceed the limit of 150")));
  g.meters.pop_back();
  EXPECT_THAT(validate_registration(g), IsOk());
}

TEST(ValidateRegistration, RefusesEmptyGrid) {
  GridRegistration g;
  EXPECT_THAT(validate_registration(g),
              HasError(ErrorCode::invalid_argument,
                       AllOf(HasSubstr("network id is empty"), HasSubstr("no regular meter"))));
}

TEST(ValidateUpload, NamesUnknownMeterAndBadPhase) {
  HistoricalData d;
  d.meters.push_back(series("zzz", 3));
  d.meters.push_back(series("b", 3));  // registered with phase 2
  EXPECT_THAT(validate_upload(two_meters(), d),
              HasError(ErrorCode::invalid_argument,
                       AllOf(HasSubstr("historicalFromMeters[0] meter 'zzz': unknown meter"),
                             HasSubstr("historicalFromMeters[1] meter 'b': bad phase 0 "
                                       "(registered 2)"))));
}

TEST(ValidateUpload, NamesDuplicateAndDecreasingTimestamps) {
  HistoricalData d;
  d.meters.push_back(series("a", 5));
  d.meters[0].measurements[2].timestamp_s = d.meters[0].measurements[1].timestamp_s;
  d.meters[0].measurements[4].timestamp_s = 5;
  EXPECT_THAT(validate_upload(two_meters(), d),
              HasError(ErrorCode::invalid_argument,
                       AllOf(HasSubstr("meter 'a' row 2: duplicate timestamp 1600001100"),
                             HasSubstr("row 4: timestamp 5 is earlier than the previous row's"))));
}

TEST(ValidateUpload, NamesNonFiniteValuesAndRepeatedMeters) {
  HistoricalData d;
  d.meters.push_back(series("a", 3));
  d.meters[0].measurements[1].v_measured_v = std::nan("");
  d.meters.push_back(series("a", 3));
  EXPECT_THAT(validate_upload(two_meters(), d),
              HasError(ErrorCode::invalid_argument,
                       AllOf(HasSubstr("row 1: v_measured is not a number"),
                             HasSubstr("historicalFromMeters[1] meter 'a': meter appears twice"))));
}

TEST(ValidateUpload, ListsAtMostTwentyProblems) {
  HistoricalData d;
  for (int k = 0; k < 25; ++k) d.meters.push_back(series("u" + std::to_string(k), 1));
  EXPECT_THAT(
      validate_upload(two_meters(), d),
      HasError(ErrorCode::invalid_argument,
               AllOf(HasSubstr("25 problems"), HasSubstr("'u19'"), HasSubstr("... and 5 more"))));
}

TEST(ValidateDataset, RefusesPartialNetworkWithMissingMeters) {
  HistoricalData d;
  d.meters.push_back(series("a", 8640));
  EXPECT_THAT(validate_dataset(two_meters(), d),
              HasError(ErrorCode::failed_precondition,
                       AllOf(HasSubstr("partial network: 1 of 2 registered meters have no data "
                                       "('b')"),
                             HasSubstr("whole network under one secondary substation"))));
}

TEST(ValidateDataset, RefusesPartialNetworkByEnergyBalance) {
  GridRegistration g = two_meters();
  g.meters[1].phase = 0;
  g.meters.push_back({"sub", "", MeterKind::substation, 1});
  HistoricalData d;
  d.meters.push_back(series("a", 8640, 900, 1.0));
  d.meters.push_back(series("b", 8640, 900, 1.0));
  d.meters.push_back(series("sub", 8640, 900, 10.0));
  d.meters[2].meter = g.meters[2];
  EXPECT_THAT(validate_dataset(g, d),
              HasError(ErrorCode::failed_precondition,
                       AllOf(HasSubstr("explains only 20.00 % of the substation's mean import"),
                             HasSubstr("partial network"))));
  for (auto& r : d.meters[2].measurements) r.p_measured_kw = 2.05;  // 2.4 % losses
  EXPECT_THAT(validate_dataset(g, d), IsOk());
}

TEST(ValidateDataset, RefusesStepsOverThirtyMinutesAndShortSpans) {
  HistoricalData d;
  d.meters.push_back(series("a", 4000, 3600));
  d.meters.push_back(series("b", 100, 900));
  EXPECT_THAT(validate_dataset(two_meters(), d),
              HasError(ErrorCode::failed_precondition,
                       AllOf(HasSubstr("meter 'a': time step 3600 s exceeds 1800 s"),
                             HasSubstr("meter 'b': time step 900 s differs from meter 'a'"),
                             HasSubstr("meter 'b': data span 1.0416 days is shorter than the "
                                       "required 90.000 days"))));
}

TEST(ValidateDataset, AcceptsThreeMonthsAtFifteenMinutesWithGaps) {
  auto s = testing::make_synthetic(4, 8640, 0.1, 0.02);
  EXPECT_THAT(validate_dataset(s.grid, s.data), IsOk());
  EXPECT_EQ(nominal_step_s(s.data.meters[0]), 900);
}

}  // namespace
}  // namespace gridke::services::sensitivities
