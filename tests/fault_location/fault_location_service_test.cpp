// FaultLocationService API: registry, parameters, monitoring requests and their acceptance
// rules, ingestion (duplicates, order, expiry), HEMS queries, subscriptions — and every bad
// input, checked by code and message.

#include "gridke/services/fault_location/fault_location_service.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cmath>
#include <limits>

#include "fleet_fixture.hpp"

namespace gridke::services::fault_location::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::SizeIs;

class FaultLocationServiceTest : public FleetTest {
 protected:
  void SetUp() override {
    FleetTest::SetUp();
    open();
  }
};

TEST_F(FaultLocationServiceTest, OpenRejectsInvalidSettings) {
  ServiceOptions o;
  o.detection.min_silent_fraction = 0.0;
  EXPECT_THAT(FaultLocationService::open(o, clock_),
              HasError(ErrorCode::invalid_argument, HasSubstr("min_silent_fraction")));
  o = {};
  o.detection.recovered_voltage_pu = 0.5;
  EXPECT_THAT(FaultLocationService::open(o, clock_),
              HasError(ErrorCode::invalid_argument, HasSubstr("recovered_voltage_pu")));
  o = {};
  o.default_parameters.min_silent_hems = 0;
  EXPECT_THAT(FaultLocationService::open(o, clock_),
              HasError(ErrorCode::invalid_argument,
                       HasSubstr("default_parameters.min_silent_hems must be in [1")));
  EXPECT_THAT(FaultLocationService::open({}, nullptr),
              HasError(ErrorCode::invalid_argument, HasSubstr("clock")));
}

TEST_F(FaultLocationServiceTest, OpenRefusesForeignDatabase) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("gridke-fault-foreign-" + std::to_string(::getpid()) + ".sqlite");
  std::filesystem::remove(path);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "CREATE TABLE other(x INTEGER)", nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  ServiceOptions o;
  o.database_path = path.string();
  EXPECT_THAT(
      FaultLocationService::open(o, clock_),
      HasError(ErrorCode::failed_precondition, HasSubstr("not a GridKE fault-location store")));
  std::filesystem::remove(path);
}

TEST_F(FaultLocationServiceTest, OpenReportsUnopenableFile) {
  ServiceOptions o;
  o.database_path = "/nonexistent-dir/x/fault.sqlite";
  EXPECT_THAT(FaultLocationService::open(o, clock_),
              HasError(ErrorCode::unavailable, HasSubstr("/nonexistent-dir/x/fault.sqlite")));
}

TEST_F(FaultLocationServiceTest, AddZoneRejectsBadInput) {
  EXPECT_THAT(service_->add_zone({"", "", 230.0, ""}),
              HasError(ErrorCode::invalid_argument, HasSubstr("zone.id must not be empty")));
  EXPECT_THAT(service_->add_zone({"Z", "", -5.0, ""}),
              HasError(ErrorCode::invalid_argument, HasSubstr("zone.nominal_voltage_v")));
  ASSERT_THAT(service_->add_zone({"Z", "", 230.0, ""}), IsOk());
  EXPECT_THAT(service_->add_zone({"Z", "", 230.0, ""}),
              HasError(ErrorCode::already_exists, HasSubstr("grid zone 'Z' already exists")));
}

TEST_F(FaultLocationServiceTest, AddHemsRejectsBadInput) {
  ASSERT_THAT(service_->add_zone({"Z", "", 230.0, ""}), IsOk());
  EXPECT_THAT(service_->add_hems({"", "Z", {}, ""}),
              HasError(ErrorCode::invalid_argument, HasSubstr("hems.id must not be empty")));
  EXPECT_THAT(service_->add_hems({"h1", "nowhere", {}, ""}),
              HasError(ErrorCode::not_found, HasSubstr("hems.zone: grid zone 'nowhere'")));
  ASSERT_THAT(service_->add_hems({"h1", "Z", Phase::l1, "isp"}), IsOk());
  EXPECT_THAT(service_->add_hems({"h1", "Z", {}, ""}),
              HasError(ErrorCode::already_exists, HasSubstr("HEMS 'h1' already exists")));
}

TEST_F(FaultLocationServiceTest, ListsZonesWithTheirHemsAndMonitoringFlag) {
  add_zone("B", 2);
  add_zone("A", 3);
  monitor("A");
  auto zones = service_->list_zones();
  ASSERT_THAT(zones, SizeIs(2));
  EXPECT_EQ(zones[0].zone.id, "A");
  EXPECT_TRUE(zones[0].monitored);
  EXPECT_THAT(zones[0].hems_ids, ElementsAre("A-h0", "A-h1", "A-h2"));
  EXPECT_FALSE(zones[1].monitored);
  EXPECT_THAT(service_->zone("nope"), HasError(ErrorCode::not_found, HasSubstr("'nope'")));
}

TEST_F(FaultLocationServiceTest, DefaultParametersAreValidatedAndStored) {
  EXPECT_EQ(service_->default_parameters().min_silent_hems, 3);
  EXPECT_EQ(service_->default_parameters().min_silence, std::chrono::seconds(300));
  EXPECT_THAT(service_->set_default_parameters({0, std::chrono::seconds(300)}),
              HasError(ErrorCode::invalid_argument, HasSubstr("min_silent_hems must be in [1")));
  EXPECT_THAT(service_->set_default_parameters({3, std::chrono::seconds(30)}),
              HasError(ErrorCode::invalid_argument,
                       HasSubstr("min_silence must exceed the reading period (60 s)")));
  ASSERT_THAT(service_->set_default_parameters({5, std::chrono::seconds(600)}), IsOk());
  EXPECT_EQ(service_->default_parameters().min_silent_hems, 5);
}

TEST_F(FaultLocationServiceTest, MonitoringRequestAcceptedWithDefaults) {
  add_zone("Z", 5);
  auto d = service_->request_monitoring({"Z", {}, {}, {}});
  ASSERT_THAT(d, IsOk());
  EXPECT_TRUE(d->accepted);
  EXPECT_EQ(d->status, "Accepted");
  ASSERT_TRUE(d->monitoring.has_value());
  EXPECT_EQ(d->monitoring->parameters.min_silent_hems, 3);
  EXPECT_EQ(d->monitoring->id, "mon-1");
  EXPECT_THAT(service_->list_monitoring(), SizeIs(1));
  ASSERT_THAT(service_->cancel_monitoring("mon-1"), IsOk());
  EXPECT_THAT(service_->list_monitoring(), SizeIs(0));
  EXPECT_THAT(service_->cancel_monitoring("mon-1"),
              HasError(ErrorCode::not_found, HasSubstr("monitoring request 'mon-1'")));
}

TEST_F(FaultLocationServiceTest, MonitoringRequestDeniedForUnknownZoneOrTooFewHems) {
  add_zone("Z", 2);
  auto d = service_->request_monitoring({"unknown", {}, {}, {}});
  ASSERT_THAT(d, IsOk());
  EXPECT_FALSE(d->accepted);
  EXPECT_EQ(d->status, "Denied, could not reach Grid Zone or min. nbr. of HEMS");
  EXPECT_THAT(d->reason, HasSubstr("'unknown' is not known"));
  d = service_->request_monitoring({"Z", 3, {}, {}});
  ASSERT_THAT(d, IsOk());
  EXPECT_FALSE(d->accepted);
  EXPECT_THAT(d->reason, HasSubstr("has 2 monitorable HEMS, fewer than min_silent_hems=3"));
  EXPECT_THAT(service_->list_monitoring(), SizeIs(0));
}

TEST_F(FaultLocationServiceTest, MonitoringRequestRejectsBadInput) {
  add_zone("Z", 5);
  EXPECT_THAT(service_->request_monitoring({"", {}, {}, {}}),
              HasError(ErrorCode::invalid_argument, HasSubstr("zone must not be empty")));
  EXPECT_THAT(service_->request_monitoring({"Z", -1, {}, {}}),
              HasError(ErrorCode::invalid_argument, HasSubstr("min_silent_hems")));
  EXPECT_THAT(service_->request_monitoring({"Z", {}, std::chrono::seconds(10), {}}),
              HasError(ErrorCode::invalid_argument, HasSubstr("min_silence")));
  const auto now = clock_->now();
  EXPECT_THAT(
      service_->request_monitoring({"Z", {}, {}, TimeWindow{now + 2h, now + 1h}}),
      HasError(ErrorCode::invalid_argument, HasSubstr("window.end must be after window.start")));
  EXPECT_THAT(service_->request_monitoring({"Z", {}, {}, TimeWindow{now - 2h, now - 1h}}),
              HasError(ErrorCode::invalid_argument, HasSubstr("window.end is in the past")));
}

TEST_F(FaultLocationServiceTest, IngestRejectsBadReadingsAllOrNothing) {
  add_zone("Z", 2);
  const auto t = clock_->now();
  std::vector<VoltageReading> batch = {{"Z-h0", t, 230.0}, {"ghost", t, 230.0}};
  EXPECT_THAT(service_->ingest(batch),
              HasError(ErrorCode::invalid_argument,
                       HasSubstr("readings[1].hems_id: unknown HEMS 'ghost'")));
  EXPECT_FALSE(service_->hems_status("Z-h0")->last_seen.has_value());  // nothing stored
  batch = {{"Z-h0", t, std::numeric_limits<double>::quiet_NaN()}};
  EXPECT_THAT(service_->ingest(batch),
              HasError(ErrorCode::invalid_argument, HasSubstr("readings[0].voltage_v")));
  batch = {{"Z-h0", t, -1.0}};
  EXPECT_THAT(service_->ingest(batch),
              HasError(ErrorCode::invalid_argument, HasSubstr("readings[0].voltage_v")));
  batch = {{"Z-h0", t + 1h, 230.0}};
  EXPECT_THAT(
      service_->ingest(batch),
      HasError(ErrorCode::invalid_argument, HasSubstr("readings[0].time is 3600 s in the future")));
}

TEST_F(FaultLocationServiceTest, IngestToleratesDuplicatesAndDisorder) {
  add_zone("Z", 1);
  const auto t = clock_->now();
  std::vector<VoltageReading> batch = {
      {"Z-h0", t - 1min, 229.0}, {"Z-h0", t - 3min, 227.0}, {"Z-h0", t - 2min, 228.0}};
  auto r = service_->ingest(batch);
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->stored, 3U);
  r = service_->ingest(batch);
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->stored, 0U);
  EXPECT_EQ(r->duplicates, 3U);
  auto status = service_->hems_status("Z-h0");
  ASSERT_THAT(status, IsOk());
  EXPECT_EQ(*status->last_seen, t - 1min);  // the newest, not the last received
  EXPECT_DOUBLE_EQ(*status->last_voltage_v, 229.0);
  EXPECT_TRUE(status->communicating);
  auto v = service_->hems_voltages("Z-h0", 10);
  ASSERT_THAT(v, IsOk());
  ASSERT_THAT(*v, SizeIs(3));
  EXPECT_DOUBLE_EQ((*v)[0].voltage_v, 229.0);
  EXPECT_DOUBLE_EQ((*v)[2].voltage_v, 227.0);
  v = service_->hems_voltages("Z-h0", 10, TimeWindow{t - 150s, t});
  ASSERT_THAT(v, IsOk());
  ASSERT_THAT(*v, SizeIs(2));  // from storage
  EXPECT_DOUBLE_EQ((*v)[1].voltage_v, 228.0);
}

TEST_F(FaultLocationServiceTest, HemsQueriesRejectBadInput) {
  add_zone("Z", 1);
  EXPECT_THAT(service_->hems_status("ghost"),
              HasError(ErrorCode::not_found, HasSubstr("HEMS 'ghost' does not exist")));
  EXPECT_THAT(service_->hems_voltages("Z-h0", 0),
              HasError(ErrorCode::invalid_argument, HasSubstr("limit must be >= 1")));
  const auto t = clock_->now();
  EXPECT_THAT(service_->hems_voltages("Z-h0", 5, TimeWindow{t, t}),
              HasError(ErrorCode::invalid_argument, HasSubstr("range.end")));
  EXPECT_THAT(service_->hems_voltages("ghost", 5),
              HasError(ErrorCode::not_found, HasSubstr("ghost")));
}

TEST_F(FaultLocationServiceTest, HemsStatusTurnsSilentAfterElapsedThreshold) {
  add_zone("Z", 1);
  minute();
  EXPECT_TRUE(service_->hems_status("Z-h0")->communicating);
  clock_->advance(6min);
  auto s = service_->hems_status("Z-h0");
  EXPECT_FALSE(s->communicating);
  EXPECT_GE(*s->silent_for, Duration(360'000));
}

TEST_F(FaultLocationServiceTest, SubscriptionsAreStoredAndValidated) {
  add_zone("Z", 1);
  EXPECT_THAT(service_->add_subscription("", ""),
              HasError(ErrorCode::invalid_argument, HasSubstr("endpoint must not be empty")));
  EXPECT_THAT(service_->add_subscription("http://dso/cb", "nowhere"),
              HasError(ErrorCode::not_found, HasSubstr("grid zone 'nowhere'")));
  auto s = service_->add_subscription("http://dso/cb", "Z");
  ASSERT_THAT(s, IsOk());
  EXPECT_EQ(s->id, "sub-1");
  EXPECT_THAT(service_->subscriptions(), SizeIs(1));
  ASSERT_THAT(service_->remove_subscription("sub-1"), IsOk());
  EXPECT_THAT(service_->remove_subscription("sub-1"),
              HasError(ErrorCode::not_found, HasSubstr("subscription 'sub-1'")));
  EXPECT_THAT(service_->notification("fault-9"),
              HasError(ErrorCode::not_found, HasSubstr("notification 'fault-9'")));
}

TEST(ManualClock, AdvancesOnlyWhenTold) {
  ManualClock c(test_epoch);
  EXPECT_EQ(c.now(), test_epoch);
  c.advance(Duration(1500));
  EXPECT_EQ(to_epoch_ms(c.now()), to_epoch_ms(test_epoch) + 1500);
  c.set(test_epoch);
  EXPECT_EQ(c.now(), test_epoch);
  SystemClock s;
  EXPECT_GT(to_epoch_ms(s.now()), 1'700'000'000'000LL);
}

TEST(Phase, ParsesCommonSpellings) {
  EXPECT_EQ(parse_phase("L1"), Phase::l1);
  EXPECT_EQ(parse_phase("b"), Phase::l2);
  EXPECT_EQ(parse_phase("3"), Phase::l3);
  EXPECT_FALSE(parse_phase("L4").has_value());
  EXPECT_EQ(to_string(Phase::l2), "L2");
}

}  // namespace
}  // namespace gridke::services::fault_location::testing
