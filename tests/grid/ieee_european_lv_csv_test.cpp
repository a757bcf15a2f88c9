#include "gridke/services/grid/model/ieee_european_lv_csv.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "grid_test_support.hpp"
#include "gridke/services/grid/power_flow.hpp"
#include "gridke_matchers.hpp"

namespace gridke::services::grid {
namespace {

namespace fs = std::filesystem;
using ::testing::AllOf;
using ::testing::HasSubstr;
using namespace gridke::services::grid::testing;

/// A writable copy of the minute-1 feeder in a fresh temporary folder.
class IeeeEuropeanLvCsvTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("gridke_grid_csv_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::copy(test_data("ieee_european_lv_minute1"), dir_, fs::copy_options::recursive);
    for (auto& e : fs::recursive_directory_iterator(dir_)) {
      fs::permissions(e.path(), fs::perms::owner_write, fs::perm_options::add);
    }
  }
  void TearDown() override { fs::remove_all(dir_); }

  /// Replaces the first occurrence of `from` by `to` in `file`.
  void edit(const std::string& file, const std::string& from, const std::string& to) {
    std::ifstream in(dir_ / file);
    std::stringstream buf;
    buf << in.rdbuf();
    std::string text = buf.str();
    const auto pos = text.find(from);
    ASSERT_NE(pos, std::string::npos) << from;
    text.replace(pos, from.size(), to);
    std::ofstream(dir_ / file) << text;
  }

  fs::path dir_;
};

TEST_F(IeeeEuropeanLvCsvTest, ReadsTheWholeFeeder) {
  auto net = read_ieee_european_lv(dir_.string());
  ASSERT_THAT(net, IsOk());
  EXPECT_EQ(net->buses.size(), 907U);  // 906 in Buscoords.csv + SourceBus
  EXPECT_EQ(net->lines.size(), 905U);
  EXPECT_EQ(net->line_codes.size(), 10U);
  EXPECT_EQ(net->loads.size(), 55U);
  EXPECT_EQ(net->load_shapes.size(), 55U);
  ASSERT_EQ(net->transformers.size(), 1U);
  const Transformer& tr = net->transformers[0];
  EXPECT_EQ(tr.primary_connection, WindingConnection::delta);
  EXPECT_DOUBLE_EQ(tr.rated_kva, 800);
  EXPECT_DOUBLE_EQ(tr.percent_r, 0.4);
  EXPECT_DOUBLE_EQ(tr.percent_x, 4);
  EXPECT_EQ(net->source.bus, "SourceBus");
  EXPECT_DOUBLE_EQ(net->source.voltage_pu, 1.05);
  EXPECT_NEAR(net->lines[0].length_km, 1.098e-3, 1e-15);  // 1.098 m
  const Load& load = net->loads[0];
  EXPECT_EQ(load.bus, "34");
  EXPECT_EQ(load.phases.to_string(), "A");
  EXPECT_NEAR(load.kvar, std::tan(std::acos(0.95)), 1e-12);
}

TEST_F(IeeeEuropeanLvCsvTest, MissingFileIsNotFound) {
  fs::remove(dir_ / "Lines.csv");
  EXPECT_THAT(read_ieee_european_lv(dir_.string()),
              HasError(ErrorCode::not_found, HasSubstr("Lines.csv")));
  EXPECT_THAT(read_ieee_european_lv((dir_ / "nope").string()),
              HasError(ErrorCode::not_found, HasSubstr("does not exist")));
}

TEST_F(IeeeEuropeanLvCsvTest, BadNumberNamesFileLineAndColumn) {
  edit("Lines.csv", "LINE2,2,3,ABC,0.11511", "LINE2,2,3,ABC,0.11x11");
  EXPECT_THAT(
      read_ieee_european_lv(dir_.string()),
      HasError(ErrorCode::parse_error, AllOf(HasSubstr("Lines.csv:4"), HasSubstr("column 'length'"),
                                             HasSubstr("'0.11x11'"))));
}

TEST_F(IeeeEuropeanLvCsvTest, BadProfileValueNamesTheProfileFile) {
  edit("load_profiles/Load_profile_3.csv", "00:01:00,", "00:01:00,abc");
  EXPECT_THAT(read_ieee_european_lv(dir_.string()),
              HasError(ErrorCode::parse_error,
                       AllOf(HasSubstr("Load_profile_3.csv:2"), HasSubstr("column 'mult'"))));
}

TEST_F(IeeeEuropeanLvCsvTest, UnknownLineCodeNamesTheLine) {
  edit("Lines.csv", "LINE3,3,4,ABC,0.10784,m,4c_70", "LINE3,3,4,ABC,0.10784,m,4c_71");
  EXPECT_THAT(read_ieee_european_lv(dir_.string()),
              HasError(ErrorCode::parse_error,
                       AllOf(HasSubstr("Lines.csv:5"), HasSubstr("unknown line code '4c_71'"))));
}

TEST_F(IeeeEuropeanLvCsvTest, MissingColumnIsReported) {
  edit("Loads.csv", "Name,numPhases,Bus,phases,kV,Model", "Name,numPhases,Bus,phases,kVolt,Model");
  EXPECT_THAT(read_ieee_european_lv(dir_.string()),
              HasError(ErrorCode::parse_error,
                       AllOf(HasSubstr("Loads.csv"), HasSubstr("missing column 'kV'"))));
}

TEST_F(IeeeEuropeanLvCsvTest, UnsupportedLoadModelIsRejected) {
  edit("Loads.csv", "LOAD1,1,34,A,0.23,1,", "LOAD1,1,34,A,0.23,3,");
  EXPECT_THAT(read_ieee_european_lv(dir_.string()),
              HasError(ErrorCode::parse_error,
                       AllOf(HasSubstr("Loads.csv:4"), HasSubstr("unsupported load model 3"))));
}

TEST_F(IeeeEuropeanLvCsvTest, LoadOnUnknownBusIsRejected) {
  edit("Loads.csv", "LOAD1,1,34,A", "LOAD1,1,99999,A");
  EXPECT_THAT(read_ieee_european_lv(dir_.string()),
              HasError(ErrorCode::invalid_argument,
                       HasSubstr("load 'LOAD1': bus '99999' is not a bus of the network")));
}

TEST_F(IeeeEuropeanLvCsvTest, DisconnectedBusIsRejectedBySolver) {
  edit("Buscoords.csv", "1,390872.663,392887.379", "1,390872.663,392887.379\nISLAND,0,0");
  auto net = read_ieee_european_lv(dir_.string());
  ASSERT_THAT(net, IsOk());
  EXPECT_THAT(PowerFlow::create(std::move(net).value()),
              HasError(ErrorCode::invalid_argument,
                       AllOf(HasSubstr("1 bus(es) not connected to the source bus 'SourceBus'"),
                             HasSubstr("'ISLAND'"))));
}

TEST_F(IeeeEuropeanLvCsvTest, BadSourceKeyIsReported) {
  edit("Source.csv", "ISC3=3000 A", "ISC3=lots A");
  EXPECT_THAT(
      read_ieee_european_lv(dir_.string()),
      HasError(ErrorCode::parse_error, AllOf(HasSubstr("Source.csv:5"), HasSubstr("key 'isc3'"))));
}

}  // namespace
}  // namespace gridke::services::grid
