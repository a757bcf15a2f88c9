// Tests for sensitivities_service.hpp's stored appliance data (store_appliance_data,
// appliance_data): merging, survival of a reopen, removal with the grid, the record limit and
// bad input (code and message).

#include <gtest/gtest.h>

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <limits>

#include "gridke/services/sensitivities/sensitivities_service.hpp"
#include "gridke_matchers.hpp"

namespace gridke::services::sensitivities {
namespace {

using ::testing::HasSubstr;

class ApplianceStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("gridke_sensitivities_appliances_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    grid_.network_id = "LV-A";
    grid_.meters = {{"m0", "", MeterKind::regular, 1},
                    {"m1", "", MeterKind::regular, 2},
                    {"s0", "", MeterKind::substation, 1}};
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string db() const { return (dir_ / "sensitivities.db").string(); }

  std::unique_ptr<SensitivitiesService> open(std::int64_t max_records = 20'000'000) {
    ServiceOptions o;
    o.start_worker = false;
    o.max_appliance_records = max_records;
    auto s = SensitivitiesService::open(db(), o);
    EXPECT_THAT(s, IsOk());
    return s ? std::move(*s) : nullptr;
  }

  static ApplianceHistory appliance(std::string id, std::string meter, ApplianceType type,
                                    std::vector<ApplianceMeasurement> records) {
    return {std::move(id), type, std::move(meter), std::move(records)};
  }

  std::filesystem::path dir_;
  GridRegistration grid_;
};

TEST_F(ApplianceStoreTest, MergesRecordsAndSurvivesAReopen) {
  {
    auto s = open();
    ASSERT_THAT(s->register_grid(grid_), IsOk());
    auto first = s->store_appliance_data(
        "LV-A", {appliance("ev-1", "m0", ApplianceType::ev, {{1000, 3.5}, {1900, 7.0}}),
                 appliance("pv-1", "m1", ApplianceType::pv, {{1000, 1.2}})});
    ASSERT_THAT(first, IsOk());
    EXPECT_EQ(first->added, 3);
    EXPECT_EQ(first->replaced, 0);
    EXPECT_EQ(first->total, 3);
    // Same appliance and timestamp: the new value replaces the stored one.
    auto second = s->store_appliance_data(
        "LV-A", {appliance("ev-1", "m0", ApplianceType::ev, {{1900, 6.5}, {2800, 0.0}})});
    ASSERT_THAT(second, IsOk());
    EXPECT_EQ(second->added, 1);
    EXPECT_EQ(second->replaced, 1);
    EXPECT_EQ(second->total, 4);
  }
  auto s = open();
  auto data = s->appliance_data("LV-A");
  ASSERT_THAT(data, IsOk());
  ASSERT_EQ(data->size(), 2U);
  const auto& ev = (*data)[0];
  EXPECT_EQ(ev.appliance_id, "ev-1");
  EXPECT_EQ(ev.type, ApplianceType::ev);
  EXPECT_EQ(ev.meter_id, "m0");
  ASSERT_EQ(ev.measurements.size(), 3U);
  EXPECT_EQ(ev.measurements[0].timestamp_s, 1000);
  EXPECT_DOUBLE_EQ(ev.measurements[0].p_measured_kw, 3.5);
  EXPECT_DOUBLE_EQ(ev.measurements[1].p_measured_kw, 6.5);
  EXPECT_EQ(ev.measurements[2].timestamp_s, 2800);
  EXPECT_EQ((*data)[1].appliance_id, "pv-1");
  EXPECT_EQ((*data)[1].type, ApplianceType::pv);
}

TEST_F(ApplianceStoreTest, RemovingTheGridRemovesItsApplianceData) {
  auto s = open();
  ASSERT_THAT(s->register_grid(grid_), IsOk());
  ASSERT_THAT(s->store_appliance_data(
                  "LV-A", {appliance("hp-1", "m1", ApplianceType::heat_pump, {{0, 2.0}})}),
              IsOk());
  ASSERT_THAT(s->remove_grid("LV-A"), IsOk());
  ASSERT_THAT(s->register_grid(grid_), IsOk());
  auto data = s->appliance_data("LV-A");
  ASSERT_THAT(data, IsOk());
  EXPECT_TRUE(data->empty());
  EXPECT_THAT(s->appliance_data("LV-B"), HasError(ErrorCode::not_found, HasSubstr("'LV-B'")));
}

TEST_F(ApplianceStoreTest, RefusesAnUploadPastTheRecordLimitWhole) {
  {
    auto s = open(4);
    ASSERT_THAT(s->register_grid(grid_), IsOk());
    ASSERT_THAT(s->store_appliance_data(
                    "LV-A", {appliance("ev-1", "m0", ApplianceType::ev, {{0, 1}, {900, 2}})}),
                IsOk());
  }
  auto s = open(4);  // the count of held records is restored on open
  EXPECT_THAT(s->store_appliance_data("LV-A", {appliance("ev-2", "m1", ApplianceType::ev,
                                                         {{0, 1}, {900, 2}, {1800, 3}})}),
              HasError(ErrorCode::failed_precondition,
                       HasSubstr("3 new records would pass the 4 appliance records")));
  auto data = s->appliance_data("LV-A");
  ASSERT_THAT(data, IsOk());
  ASSERT_EQ(data->size(), 1U);  // nothing of the refused upload was kept
  // Replacing stored records does not count against the limit.
  EXPECT_THAT(s->store_appliance_data(
                  "LV-A", {appliance("ev-1", "m0", ApplianceType::ev, {{0, 5}, {900, 6}})}),
              IsOk());
}

TEST_F(ApplianceStoreTest, RejectsBadInputNamingTheRecordAndKeepsNothing) {
  auto s = open();
  ASSERT_THAT(s->register_grid(grid_), IsOk());
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const auto good = appliance("ev-1", "m0", ApplianceType::ev, {{0, 1.0}});
  EXPECT_THAT(s->store_appliance_data("LV-X", {good}),
              HasError(ErrorCode::not_found, HasSubstr("grid 'LV-X' is not registered")));
  EXPECT_THAT(s->store_appliance_data("LV-A", {}),
              HasError(ErrorCode::invalid_argument, HasSubstr("appliances is empty")));
  EXPECT_THAT(
      s->store_appliance_data("LV-A", {good, appliance("", "m0", ApplianceType::ev, {{0, 1}})}),
      HasError(ErrorCode::invalid_argument,
               HasSubstr("appliances[1].appliance_id must not be empty")));
  EXPECT_THAT(
      s->store_appliance_data("LV-A", {good, appliance("pv-9", "s0", ApplianceType::pv, {{0, 1}})}),
      HasError(ErrorCode::invalid_argument,
               HasSubstr("appliances[1] appliance 'pv-9': meter 's0' is not a regular "
                         "meter of grid 'LV-A'")));
  EXPECT_THAT(
      s->store_appliance_data("LV-A", {appliance("pv-9", "m7", ApplianceType::pv, {{0, 1}})}),
      HasError(ErrorCode::invalid_argument, HasSubstr("meter 'm7' is not a regular")));
  EXPECT_THAT(s->store_appliance_data("LV-A", {appliance("ev-2", "m0", ApplianceType::ev, {})}),
              HasError(ErrorCode::invalid_argument,
                       HasSubstr("appliances[0] appliance 'ev-2' has no measurements")));
  EXPECT_THAT(
      s->store_appliance_data("LV-A",
                              {appliance("ev-2", "m0", ApplianceType::ev, {{0, 1}, {900, nan}})}),
      HasError(ErrorCode::invalid_argument,
               HasSubstr("appliances[0].measurements[1].p_measured of appliance 'ev-2' is not a "
                         "finite number")));
  EXPECT_THAT(
      s->store_appliance_data("LV-A", {appliance("ev-2", "m0", ApplianceType::ev, {{-5, 1}})}),
      HasError(ErrorCode::invalid_argument,
               HasSubstr("appliances[0].measurements[0].timestamp of appliance 'ev-2' is before "
                         "1970")));
  EXPECT_THAT(s->store_appliance_data(
                  "LV-A", {appliance("x-1", "m0", static_cast<ApplianceType>(9), {{0, 1}})}),
              HasError(ErrorCode::invalid_argument, HasSubstr("type 9 is not 1-4")));
  auto data = s->appliance_data("LV-A");
  ASSERT_THAT(data, IsOk());
  EXPECT_TRUE(data->empty());  // every rejected upload was refused whole
}

}  // namespace
}  // namespace gridke::services::sensitivities
