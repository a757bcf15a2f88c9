// Tests for tic_reading.hpp: the 11 data points from standard and historic frames, horodates
// (season flag → UTC, both ways), STGE bit 7, and errors naming the frame and label.

#include "gridke/services/metering/tic_reading.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gridke_matchers.hpp"

namespace gridke::services::metering {
// Named per file: unity builds concatenate the test sources of this executable.
namespace tic_reading_test {

using namespace std::chrono;
using ::testing::HasSubstr;

TicFrame standard(std::vector<TicGroup> groups) {
  return parse_tic(format_tic_frame(TicMode::standard, groups)).frames.at(0);
}

TEST(TicReading, ReadsTheElevenDataPointsOfAStandardFrame) {
  const auto frame = standard({{"ADSC", "", "041976190489"},
                               {"PRM", "", "09876543210123"},
                               {"DATE", "H261127111500", ""},
                               {"EAST", "", "004509834"},
                               {"EAIT", "", "000120000"},
                               {"IRMS1", "", "007"},
                               {"URMS1", "", "231"},
                               {"PREF", "", "09"},
                               {"PCOUP", "", "09"},
                               {"SINSTS", "", "01520"},
                               {"SINSTI", "", "00310"},
                               {"STGE", "", "003A4081"}});
  auto r = read_frame(frame, "09876543210123", TimePoint{}, 1);
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->prm, "09876543210123");
  EXPECT_EQ(r->time, TimePoint(sys_days{year{2026} / 11 / 27} + hours(10) + minutes(15)));
  EXPECT_EQ(r->east_wh, 4509834);
  EXPECT_EQ(r->eait_wh, 120000);
  EXPECT_EQ(r->irms1_a, 7.0);
  EXPECT_EQ(r->urms1_v, 231.0);
  EXPECT_EQ(r->pref_kva, 9.0);
  EXPECT_EQ(r->pcoup_kva, 9.0);
  EXPECT_EQ(r->sinsts_va, 1520.0);
  EXPECT_EQ(r->sinsti_va, 310.0);
  EXPECT_EQ(r->stge, 0x003A4081u);
  EXPECT_TRUE(r->overrun);  // bit 7 of 0x81
  EXPECT_EQ(r->present(), kAllDataPoints);
}

TEST(TicReading, MapsHistoricFramesAndUsesTheGatewaysDeliveryPoint) {
  const auto frame = parse_tic(format_tic_frame(TicMode::historic, {{"ADCO", "", "050022120078"},
                                                                    {"ISOUSC", "", "45"},
                                                                    {"HCHC", "", "001000000"},
                                                                    {"HCHP", "", "000234567"},
                                                                    {"IINST", "", "046"},
                                                                    {"ADPS", "", "046"},
                                                                    {"PAPP", "", "10580"}}))
                         .frames.at(0);
  const TimePoint received = TimePoint(sys_days{year{2026} / 11 / 27});
  auto r = read_frame(frame, "09876543210123", received, 1);
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->mode, TicMode::historic);
  EXPECT_EQ(r->prm, "09876543210123");
  EXPECT_EQ(r->time, received);
  EXPECT_EQ(r->east_wh, 1234567);
  EXPECT_EQ(r->pref_kva, 9.0);  // 45 A / 5
  EXPECT_EQ(r->pcoup_kva, 9.0);
  EXPECT_EQ(r->sinsts_va, 10580.0);
  EXPECT_EQ(r->irms1_a, 46.0);
  EXPECT_TRUE(r->overrun);
  EXPECT_FALSE(r->stge.has_value());
  EXPECT_FALSE(r->urms1_v.has_value());
}

TEST(TicReading, ErrorsNameTheFrameAndLabel) {
  EXPECT_THAT(read_frame(standard({{"PRM", "", "11111111111111"}}), "09876543210123", {}, 7),
              HasError(ErrorCode::invalid_argument,
                       HasSubstr("frame 7: PRM: '11111111111111' is not the gateway's")));
  EXPECT_THAT(read_frame(standard({{"SINSTS", "", "12a"}}), "1", {}, 3),
              HasError(ErrorCode::invalid_argument,
                       HasSubstr("frame 3: SINSTS: '12a' is not a non-negative integer")));
  EXPECT_THAT(read_frame(standard({{"STGE", "", "XYZ"}}), "1", {}, 2),
              HasError(ErrorCode::invalid_argument, HasSubstr("STGE: 'XYZ' is not 8 hexadecimal")));
  EXPECT_THAT(read_frame(standard({{"DATE", "E261399101500", ""}}), "1", {}, 4),
              HasError(ErrorCode::invalid_argument, HasSubstr("frame 4: DATE: horodate")));
  EXPECT_THAT(read_frame(standard({{"EAST", "", "1"}}), "", {}, 5),
              HasError(ErrorCode::invalid_argument, HasSubstr("no PRM in the frame")));
}

TEST(TicReading, HorodatesFollowFrenchSummerAndWinterTime) {
  const TimePoint winter = TimePoint(sys_days{year{2026} / 1 / 15} + hours(11));
  const TimePoint summer = TimePoint(sys_days{year{2026} / 7 / 15} + hours(11));
  EXPECT_EQ(format_horodate(winter), "H260115120000");
  EXPECT_EQ(format_horodate(summer), "E260715130000");
  EXPECT_EQ(*parse_horodate("H260115120000"), winter);
  EXPECT_EQ(*parse_horodate("E260715130000"), summer);
  EXPECT_THAT(parse_horodate("X260715130000"),
              HasError(ErrorCode::invalid_argument, HasSubstr("'X260715130000'")));
}

TEST(TicReading, DataPointNames) {
  EXPECT_EQ(*parse_data_point("SINSTI"), DataPoint::sinsti);
  EXPECT_EQ(*parse_data_point("pcoup"), DataPoint::pcoup);
  EXPECT_EQ(to_string(DataPoint::stge), "stge");
  EXPECT_THAT(parse_data_point("papp"),
              HasError(ErrorCode::invalid_argument, HasSubstr("unknown data point 'papp'")));
}

}  // namespace tic_reading_test
}  // namespace gridke::services::metering
