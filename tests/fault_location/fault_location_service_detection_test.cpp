// Detection behaviour of FaultLocationService (NOTES.md §6.2): each rule of the fault rule,
// hysteresis and clearing, abnormal voltages, and a restart in the middle of a fault.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fleet_fixture.hpp"

namespace gridke::services::fault_location::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::SizeIs;

class FaultLocationServiceDetectionTest : public FleetTest {
 protected:
  void SetUp() override {
    FleetTest::SetUp();
    open();
  }
};

TEST_F(FaultLocationServiceDetectionTest, RaisesWholeZoneFaultWithinElapsedThreshold) {
  add_zone("Z1", 12);
  monitor("Z1");
  std::vector<Notification> heard;
  service_->add_listener([&heard](const Notification& n) { heard.push_back(n); });
  minutes(30);
  const Timestamp fault_start = clock_->now();
  const auto all = zone_hems("Z1");
  int ticks = 0;
  while (faults().empty() && ticks < 10) {
    minute(all);
    ++ticks;
  }
  ASSERT_THAT(faults(), SizeIs(1));
  const auto n = faults()[0];
  // T_min = 300 s (default) plus at most one reading period.
  EXPECT_LE(n.raised_at - fault_start, Duration(300'000 + 60'000));
  EXPECT_EQ(n.zone, "Z1");
  EXPECT_FALSE(n.phase.has_value());
  EXPECT_EQ(n.affected_hems, 12);
  EXPECT_EQ(n.monitored_hems, 12);
  EXPECT_EQ(n.confidence, "high");  // silent across two access networks, none alive
  EXPECT_THAT(n.reason, HasSubstr("across 2 access networks"));
  EXPECT_LT(n.false_alarm_probability, 1e-6);
  EXPECT_EQ(n.status, NotificationStatus::raised);
  ASSERT_THAT(heard, SizeIs(1));
  EXPECT_EQ(heard[0].id, n.id);
}

TEST_F(FaultLocationServiceDetectionTest, RaisesSinglePhaseFault) {
  add_zone("Z1", 30);
  monitor("Z1");
  minutes(30);
  const auto phase2 = zone_hems("Z1", 1);
  minutes(6, phase2);
  ASSERT_THAT(faults(), SizeIs(1));
  EXPECT_EQ(faults()[0].phase, Phase::l2);
  EXPECT_EQ(faults()[0].affected_hems, 10);
  EXPECT_EQ(faults()[0].monitored_hems, 10);
}

TEST_F(FaultLocationServiceDetectionTest, FewerThanMinimumSilentHemsDoNotAlarm) {
  add_zone("Z1", 4);
  monitor("Z1", {.zone = "", .min_silent_hems = 3, .min_silence = {}, .window = {}});
  minutes(30);
  minutes(20, {hems_name("Z1", 0), hems_name("Z1", 1)});  // 2 < N_min = 3
  EXPECT_THAT(faults(), SizeIs(0));
}

TEST_F(FaultLocationServiceDetectionTest, SmallFractionOfLargeZoneDoesNotAlarm) {
  add_zone("Z1", 40, {});
  monitor("Z1");
  minutes(30);
  std::set<std::string> some;
  // 14 of 40 < f_min 0.5, spread over the phases (about 5 of 13 per phase).
  for (int i = 0; i < 14; ++i) some.insert(hems_name("Z1", i));
  minutes(20, some);
  EXPECT_THAT(faults(), SizeIs(0));
}

TEST_F(FaultLocationServiceDetectionTest, IspOutageInMixedZoneIsCommunicationOutage) {
  add_zone("Z1", 20);
  monitor("Z1");
  minutes(30);
  minutes(20, zone_hems("Z1", -1, "ispA"));
  EXPECT_THAT(faults(), SizeIs(0));
  EXPECT_GE(last_tick_.communication_outages, 1);
  const auto a = service_->last_assessments();
  ASSERT_FALSE(a.empty());
  EXPECT_EQ(a[0].verdict, SilenceClass::communication_outage);
  EXPECT_THAT(a[0].reason, HasSubstr("dark while another network in the zone is alive"));
}

TEST_F(FaultLocationServiceDetectionTest, IspOutageAcrossZonesIsNotAFaultInSingleIspZone) {
  add_zone("MIXED", 20);
  add_zone("ONLY_A", 10, {"ispA"});
  monitor("MIXED");
  monitor("ONLY_A");
  minutes(30);
  auto silent = zone_hems("MIXED", -1, "ispA");
  const auto only_a = zone_hems("ONLY_A");
  silent.insert(only_a.begin(), only_a.end());
  minutes(20, silent);
  EXPECT_THAT(faults(), SizeIs(0));
  bool explained = false;
  for (const auto& a : service_->last_assessments()) {
    if (a.zone == "ONLY_A" && !a.phase) {
      explained = a.verdict == SilenceClass::communication_outage;
      EXPECT_THAT(a.reason, HasSubstr("dark in other zones too"));
    }
  }
  EXPECT_TRUE(explained);
}

TEST_F(FaultLocationServiceDetectionTest, SingleIspZoneAloneStillRaisesWithMediumConfidence) {
  add_zone("ONLY_A", 10, {"ispA"});
  monitor("ONLY_A");
  minutes(30);
  minutes(6, zone_hems("ONLY_A"));
  ASSERT_THAT(faults(), SizeIs(1));
  EXPECT_EQ(faults()[0].confidence, "medium");
}

TEST_F(FaultLocationServiceDetectionTest, LowVoltageBeforeSilenceCorroboratesAgainstIspRule) {
  add_zone("Z1", 20);
  monitor("Z1");
  minutes(30);
  const auto isp_a = zone_hems("Z1", -1, "ispA");
  minute({}, 231.0, isp_a, 150.0);  // their last readings are far below 0.85 pu
  minutes(7, isp_a);
  ASSERT_THAT(faults(), SizeIs(1));
  EXPECT_EQ(faults()[0].confidence, "high");
  EXPECT_THAT(faults()[0].reason, HasSubstr("low voltages before the silence"));
  EXPECT_FALSE(faults()[0].abnormal_readings.empty());
  EXPECT_DOUBLE_EQ(faults()[0].abnormal_readings[0].voltage_v, 150.0);
}

TEST_F(FaultLocationServiceDetectionTest, StaggeredDropoutsAreNotSignificant) {
  add_zone("Z1", 6, {});
  monitor("Z1");
  minutes(30);
  // Six HEMS fall silent one every 10 minutes: never coincident, so chance explains them.
  std::set<std::string> silent;
  for (int i = 0; i < 6; ++i) {
    silent.insert(hems_name("Z1", i));
    minutes(10, silent);
  }
  EXPECT_THAT(faults(), SizeIs(0));
  const auto a = service_->last_assessments();
  ASSERT_FALSE(a.empty());
  EXPECT_EQ(a[0].verdict, SilenceClass::not_significant);
  EXPECT_THAT(a[0].reason, HasSubstr("not significant"));
}

TEST_F(FaultLocationServiceDetectionTest, FaultUpdatesThenClearsWithHysteresis) {
  add_zone("Z1", 10);
  monitor("Z1");
  minutes(30);
  auto silent = zone_hems("Z1");
  silent.erase(hems_name("Z1", 9));
  minutes(6, silent);
  ASSERT_THAT(faults(), SizeIs(1));
  EXPECT_EQ(faults()[0].affected_hems, 9);
  const std::string id = faults()[0].id;
  // The last HEMS goes too: updated.
  minutes(6, zone_hems("Z1"));
  auto n = service_->notification(id);
  ASSERT_THAT(n, IsOk());
  EXPECT_EQ(n->status, NotificationStatus::updated);
  EXPECT_EQ(n->affected_hems, 10);
  // Half come back: still active (clear_fraction 0.8).
  std::set<std::string> half;
  for (int i = 0; i < 5; ++i) half.insert(hems_name("Z1", i));
  minutes(3, half);
  ASSERT_THAT(faults(), SizeIs(1));
  EXPECT_EQ(service_->notification(id)->affected_hems, 5);
  minutes(2);
  EXPECT_THAT(faults(), SizeIs(0));
  n = service_->notification(id);
  EXPECT_EQ(n->status, NotificationStatus::cleared);
  ASSERT_TRUE(n->cleared_at.has_value());
}

TEST_F(FaultLocationServiceDetectionTest, AbnormalVoltageRaisedAndClearedWithHysteresis) {
  add_zone("Z1", 10);
  monitor("Z1");
  minutes(5);
  const std::set<std::string> low = {hems_name("Z1", 1), hems_name("Z1", 2), hems_name("Z1", 3)};
  minute({}, 231.0, low, 200.0);  // below 0.90 pu = 207 V
  NotificationQuery q;
  q.kind = NotificationKind::abnormal_voltage;
  q.active_only = true;
  auto v = service_->notifications(q);
  ASSERT_THAT(v, SizeIs(1));
  EXPECT_EQ(v[0].affected_hems, 3);
  EXPECT_THAT(v[0].reason, HasSubstr("below 207.0 V"));
  EXPECT_THAT(v[0].abnormal_readings, SizeIs(3));
  // 210 V is above 0.90 pu but below the 0.92 pu recovery level: still abnormal.
  minute({}, 231.0, low, 210.0);
  EXPECT_THAT(service_->notifications(q), SizeIs(1));
  minute({}, 231.0, low, 220.0);
  EXPECT_THAT(service_->notifications(q), SizeIs(0));
  q.active_only = false;
  ASSERT_THAT(service_->notifications(q), SizeIs(1));
  EXPECT_EQ(service_->notifications(q)[0].status, NotificationStatus::cleared);
}

TEST_F(FaultLocationServiceDetectionTest, SilentFeedSkipsDetection) {
  add_zone("Z1", 10);
  monitor("Z1");
  minutes(30);
  // The DSP stops sending anything: no HEMS can be judged, so no fault.
  for (int i = 0; i < 20; ++i) {
    clock_->advance(60s);
    ASSERT_THAT(service_->tick(), IsOk());
  }
  EXPECT_THAT(faults(), SizeIs(0));
}

TEST_F(FaultLocationServiceDetectionTest, MonitoringWindowLimitsDetection) {
  add_zone("Z1", 10);
  MonitoringRequest r;
  r.window = TimeWindow{clock_->now() + 60min, clock_->now() + 120min};
  monitor("Z1", r);
  minutes(30);
  minutes(10, zone_hems("Z1"));  // before the window: ignored
  EXPECT_THAT(faults(), SizeIs(0));
  minutes(25);
  minutes(10, zone_hems("Z1"));  // inside the window
  EXPECT_THAT(faults(), SizeIs(1));
}

TEST_F(FaultLocationServiceDetectionTest, PollingReturnsChangesSinceRevision) {
  add_zone("Z1", 10);
  monitor("Z1");
  minutes(30);
  const auto before = service_->revision();
  minutes(6, zone_hems("Z1"));
  NotificationQuery q;
  q.since_revision = before;
  auto changed = service_->notifications(q);
  ASSERT_THAT(changed, SizeIs(1));
  q.since_revision = changed[0].revision;
  EXPECT_THAT(service_->notifications(q), SizeIs(0));
}

class FaultLocationServiceRestartTest : public FleetTest {
 protected:
  void SetUp() override {
    FleetTest::SetUp();
    path_ = std::filesystem::temp_directory_path() /
            ("gridke-fault-restart-" + std::to_string(::getpid()) + ".sqlite");
    std::filesystem::remove(path_);
  }
  void TearDown() override {
    service_.reset();
    for (const char* suffix : {"", "-wal", "-shm"}) {
      std::filesystem::remove(path_.string() + suffix);
    }
  }
  ServiceOptions file_options() const {
    ServiceOptions o;
    o.database_path = path_.string();
    return o;
  }
  std::filesystem::path path_;
};

TEST_F(FaultLocationServiceRestartTest, NotificationSurvivesRestartAndClearsAfterwards) {
  open(file_options());
  add_zone("Z1", 12);
  monitor("Z1");
  minutes(30);
  const auto all = zone_hems("Z1");
  minutes(6, all);
  ASSERT_THAT(faults(), SizeIs(1));
  const auto raised = faults()[0];

  // The service stops in the middle of the fault and comes back.
  open(file_options());
  auto still = faults();
  ASSERT_THAT(still, SizeIs(1));
  EXPECT_EQ(still[0].id, raised.id);
  EXPECT_EQ(still[0].affected_hems, 12);
  EXPECT_EQ(still[0].raised_at, raised.raised_at);
  ASSERT_THAT(service_->list_monitoring(), SizeIs(1));
  auto status = service_->hems_status(hems_name("Z1", 0));
  ASSERT_THAT(status, IsOk());
  EXPECT_FALSE(status->communicating);

  // Still silent after the restart: no duplicate notification.
  minutes(3, all);
  EXPECT_THAT(faults(), SizeIs(1));
  // Power is back: the restored notification clears.
  minutes(2);
  EXPECT_THAT(faults(), SizeIs(0));
  EXPECT_EQ(service_->notification(raised.id)->status, NotificationStatus::cleared);
  // New ids continue after the stored counters.
  minutes(6, all);
  ASSERT_THAT(faults(), SizeIs(1));
  EXPECT_NE(faults()[0].id, raised.id);
}

TEST_F(FaultLocationServiceRestartTest, RetentionKeepsDatabaseBounded) {
  // Scaled down: 200 HEMS at one reading per minute, 2 h raw retention, 10 min sweeps, a day.
  ServiceOptions o = file_options();
  o.detection.raw_retention = 2h;
  o.detection.prune_interval = 10min;
  open(o);
  add_zone("Z1", 100);
  add_zone("Z2", 100);
  std::int64_t pages_at_6h = 0;
  const std::int64_t per_minute = 200;
  for (int m = 1; m <= 24 * 60; ++m) {
    minute();
    if (m == 6 * 60) pages_at_6h = service_->storage_stats()->page_count;
  }
  auto stats = service_->storage_stats();
  ASSERT_THAT(stats, IsOk());
  // Rows: at most retention + one sweep interval of readings.
  EXPECT_LE(stats->readings, per_minute * (120 + 10 + 1));
  EXPECT_GE(stats->readings, per_minute * 120);
  // The file stopped growing once the first sweeps freed pages (reused, not appended).
  EXPECT_GT(pages_at_6h, 0);
  EXPECT_LE(stats->page_count, pages_at_6h + pages_at_6h / 10);
  // A reading older than the retention horizon is not stored.
  auto r = service_->ingest(
      std::vector<VoltageReading>{{hems_name("Z1", 0), clock_->now() - 3h, 230.0}});
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->expired, 1U);
}

}  // namespace
}  // namespace gridke::services::fault_location::testing
