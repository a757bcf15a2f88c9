// Tests for tic.hpp: checksums of both modes against published Linky/CBE groups, frames with
// mixed good and corrupt groups (bad checksum, missing separator, truncated, noise between
// frames, missing ETX), errors naming frame, line and label, and format/parse round trips.

#include "gridke/services/metering/tic.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace gridke::services::metering {
// Named per file: unity builds concatenate the test sources of this executable.
namespace tic_test {

using ::testing::HasSubstr;

std::string historic_group(const std::string& label, const std::string& value) {
  const std::string covered = label + " " + value;
  return "\n" + covered + " " + tic_checksum(covered) + "\r";
}

TEST(TicChecksum, MatchesPublishedHistoricAndStandardGroups) {
  // Groups as printed in Enedis' TIC specifications (historic mode: Enedis-NOI-CPT_02E; standard
  // mode: Enedis-NOI-CPT_54E), including a checksum that is itself a space (PTEC).
  EXPECT_EQ(tic_checksum("ADCO 050022120078"), '2');
  EXPECT_EQ(tic_checksum("OPTARIF HC.."), '<');
  EXPECT_EQ(tic_checksum("ISOUSC 45"), '?');
  EXPECT_EQ(tic_checksum("IINST 002"), 'Y');
  EXPECT_EQ(tic_checksum("PAPP 00390"), '-');
  EXPECT_EQ(tic_checksum("MOTDETAT 000000"), 'B');
  EXPECT_EQ(tic_checksum("PTEC HP.."), ' ');
  EXPECT_EQ(tic_checksum("VTIC\t02\t"), 'J');
  EXPECT_EQ(tic_checksum("NGTF\t      BASE      \t"), '<');
}

TEST(TicParser, ReadsAHistoricFrameIncludingASpaceChecksum) {
  const std::string frame =
      "\x02\nADCO 050022120078 2\r\nISOUSC 45 ?\r\nPTEC HP..  \r"
      "\nPAPP 00390 -\r\x03";
  const auto r = parse_tic(frame);
  ASSERT_EQ(r.frames.size(), 1u);
  EXPECT_TRUE(r.errors.empty()) << r.errors.front().to_string();
  const auto& f = r.frames.front();
  EXPECT_EQ(f.mode, TicMode::historic);
  ASSERT_EQ(f.groups.size(), 4u);
  EXPECT_EQ(f.find("PTEC")->value, "HP..");
  EXPECT_EQ(f.find("PAPP")->value, "00390");
  EXPECT_EQ(f.find("HCHC"), nullptr);
  EXPECT_EQ(r.good_groups, 4u);
}

TEST(TicParser, ReadsAStandardFrameWithHorodatesAndEmptyValues) {
  const std::vector<TicGroup> groups = {{"ADSC", "", "041976190489"},
                                        {"DATE", "E261127101500", ""},
                                        {"NGTF", "", "      BASE      "},
                                        {"SMAXSN", "E261127080000", "05230"},
                                        {"STGE", "", "003A4001"}};
  const auto r = parse_tic(format_tic_frame(TicMode::standard, groups));
  ASSERT_EQ(r.frames.size(), 1u);
  EXPECT_TRUE(r.errors.empty());
  const auto& f = r.frames.front();
  EXPECT_EQ(f.mode, TicMode::standard);
  ASSERT_EQ(f.groups.size(), groups.size());
  EXPECT_EQ(f.find("DATE")->horodate, "E261127101500");
  EXPECT_EQ(f.find("DATE")->value, "");
  EXPECT_EQ(f.find("NGTF")->value, "      BASE      ");
  EXPECT_EQ(f.find("SMAXSN")->horodate, "E261127080000");
  EXPECT_EQ(f.find("SMAXSN")->value, "05230");
}

TEST(TicParser, CountsAndNamesCorruptGroupsWithoutLosingGoodOnes) {
  std::string bad_checksum = historic_group("PAPP", "00390");
  bad_checksum[bad_checksum.size() - 2] = 'X';  // was '-'
  const std::string frame1 = "\x02" + historic_group("ADCO", "050022120078") + bad_checksum +
                             "\nIINST002Y\r" + historic_group("IINST", "002") + "\x03";
  const std::string frame2 = "\x02" + historic_group("BASE", "001234567") + "\nHCHC 0012" +
                             historic_group("PAPP", "00450") + "\x03";
  const auto r = parse_tic(frame1 + "garbage" + frame2, 41);
  ASSERT_EQ(r.frames.size(), 2u);
  EXPECT_EQ(r.good_groups, 4u);
  EXPECT_EQ(r.corrupt_groups, 3u);
  EXPECT_EQ(r.frames[0].groups.size(), 2u);  // ADCO, IINST
  EXPECT_EQ(r.frames[1].groups.size(), 2u);  // BASE, PAPP
  ASSERT_EQ(r.errors.size(), 4u);
  EXPECT_EQ(r.errors[0].to_string(),
            "frame 41, line 2 (PAPP): checksum 'X' does not match the computed '-'");
  EXPECT_THAT(r.errors[1].to_string(),
              HasSubstr("frame 41, line 3 (IINST002Y): missing a separator"));
  EXPECT_EQ(r.errors[2].to_string(), "frame 42, line 2 (HCHC): truncated group (no CR)");
  EXPECT_THAT(r.errors[3].to_string(), HasSubstr("7 bytes outside STX...ETX frames skipped"));
}

TEST(TicParser, KeepsTheGoodGroupsOfAFrameWithoutEtx) {
  const std::string stream =
      "\x02" + historic_group("ADCO", "050022120078") + historic_group("PAPP", "00390") + "\nIIN";
  const auto r = parse_tic(stream);
  ASSERT_EQ(r.frames.size(), 1u);
  EXPECT_EQ(r.frames[0].groups.size(), 2u);
  EXPECT_EQ(r.incomplete_frames, 1u);
  EXPECT_EQ(r.corrupt_groups, 1u);
  EXPECT_THAT(r.errors.back().to_string(), HasSubstr("frame 1: frame not terminated by ETX"));
}

TEST(TicParser, RejectsControlBytesAndBadStandardLayouts) {
  const std::string covered = std::string("SINSTS\t00\x01") + "23\t";
  const std::string frame = "\x02\n" + covered + tic_checksum(covered) +
                            "\r\nEAST\t0045X\r\nPCOUP\t\t" + tic_checksum("PCOUP\t\t") + "\r\x03";
  const auto r = parse_tic(frame);
  EXPECT_EQ(r.corrupt_groups, 2u);
  ASSERT_GE(r.errors.size(), 2u);
  EXPECT_EQ(r.errors[0].to_string(), "frame 1, line 1 (SINSTS): byte 0x01 in the value");
  EXPECT_EQ(r.errors[1].to_string(),
            "frame 1, line 2 (EAST): missing the separator before the checksum");
  ASSERT_EQ(r.frames.size(), 1u);
  EXPECT_EQ(r.frames[0].find("PCOUP")->value, "");  // empty value, valid checksum
}

// Found by gridke_tic_frame_fuzz (clang evaluates arguments left to right): the message of a bad
// byte in the horodate indexed a string already moved into the error result.
TEST(TicParser, NamesABadByteInTheHorodate) {
  const std::string covered = std::string("SMAXSN\tE26\x01") + "127081500\t02500\t";
  const std::string frame = "\x02\n" + covered + tic_checksum(covered) + "\r\x03";
  const auto r = parse_tic(frame);
  EXPECT_EQ(r.corrupt_groups, 1u);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].to_string(), "frame 1, line 1 (SMAXSN): byte 0x01 in the horodate");
}

TEST(TicParser, RoundTripsBothModes) {
  for (const TicMode mode : {TicMode::historic, TicMode::standard}) {
    const std::vector<TicGroup> groups = {{"A1", "", "X Y"}, {"LABEL", "", "0123"}};
    const auto r = parse_tic(format_tic_frame(mode, groups) + format_tic_frame(mode, groups));
    ASSERT_EQ(r.frames.size(), 2u) << to_string(mode);
    EXPECT_TRUE(r.errors.empty());
    EXPECT_EQ(r.frames[1].mode, mode);
    EXPECT_EQ(r.frames[1].groups[0].value, "X Y");
  }
  EXPECT_TRUE(parse_tic("").frames.empty());
  EXPECT_EQ(to_string(TicMode::historic), "historic");
}

}  // namespace tic_test
}  // namespace gridke::services::metering
