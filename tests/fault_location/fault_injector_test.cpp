// Tests for fault_injector.hpp: what each kind of injected event does to a period's readings,
// the ground truth it records, random placement without conflicts, dropouts, and bad input.

#include "gridke/services/fault_location/fault_injector.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

#include "gridke_matchers.hpp"

namespace gridke::services::fault_location {
namespace {

using ::testing::HasSubstr;

constexpr std::int64_t injector_t0_ms = 1'767'225'600'000LL;
constexpr std::int64_t injector_period_ms = 1'000;

// Two regions; zones Z0 (region 0), Z1 (region 1), Z2 (region 0); six HEMS per zone, HEMS i
// on phase i % 3 and network i % 2.
Fleet small_fleet() {
  Fleet f;
  f.regions = {"north", "south"};
  f.networks = {"ispA", "ispB"};
  for (int z = 0; z < 3; ++z) {
    FleetZone zone{"Z" + std::to_string(z), z == 1 ? 1 : 0, {}};
    for (int i = 0; i < 6; ++i) {
      FleetHems h;
      h.id = zone.id + "-h" + std::to_string(i);
      h.zone = z;
      h.region = zone.region;
      h.phase = i % 3;
      h.network = i % 2;
      zone.hems.push_back(static_cast<int>(f.hems.size()));
      f.hems.push_back(h);
    }
    f.zones.push_back(zone);
  }
  return f;
}

InjectorConfig quiet_config() {
  InjectorConfig c;
  c.reading_period_ms = injector_period_ms;
  c.voltage_noise_pu = 0.0;
  c.conflict_margin_ms = 5 * injector_period_ms;
  return c;
}

std::map<std::string, double> by_hems(const std::vector<VoltageReading>& rs) {
  std::map<std::string, double> out;
  for (const auto& r : rs) out[r.hems_id] = r.voltage_v;
  return out;
}

InjectedEvent event_of(InjectedKind kind, int zone, std::int64_t from_period,
                       std::int64_t to_period) {
  InjectedEvent e;
  e.kind = kind;
  e.zone = zone;
  e.start_ms = injector_t0_ms + from_period * injector_period_ms;
  e.end_ms = injector_t0_ms + to_period * injector_period_ms;
  return e;
}

TEST(FaultInjector, EachKindOfEventActsOnItsHems) {
  std::mt19937_64 rng(1);
  auto inj = FaultInjector::create(small_fleet(), quiet_config(), rng);
  ASSERT_THAT(inj, IsOk());
  ASSERT_THAT(inj->add_event(event_of(InjectedKind::zone_fault, 0, 1, 3)), IsOk());
  auto phase = event_of(InjectedKind::phase_fault, 1, 1, 3);
  phase.phase = 2;
  ASSERT_THAT(inj->add_event(phase), IsOk());
  auto isp = event_of(InjectedKind::isp_outage, -1, 1, 3);
  isp.network = 0;
  isp.region = 0;  // north: Z0 and Z2
  ASSERT_THAT(inj->add_event(isp), IsOk());
  auto sag = event_of(InjectedKind::voltage_sag, 1, 1, 3);
  sag.depth_pu = 0.85;
  ASSERT_THAT(inj->add_event(sag), IsOk());
  inj->start_dropouts(injector_t0_ms);

  auto before = by_hems(inj->readings(injector_t0_ms));
  EXPECT_EQ(before.size(), 18U);
  EXPECT_DOUBLE_EQ(before["Z1-h0"], 230.0);

  auto during = by_hems(inj->readings(injector_t0_ms + injector_period_ms));
  for (int i = 0; i < 6; ++i) {
    const std::string h = std::to_string(i);
    EXPECT_FALSE(during.contains("Z0-h" + h)) << "zone fault: Z0-h" << h;
    // Z1: phase 2 (h2, h5) without power; the others sagged to 0.85 pu.
    if (i % 3 == 2) {
      EXPECT_FALSE(during.contains("Z1-h" + h));
    } else {
      ASSERT_TRUE(during.contains("Z1-h" + h));
      EXPECT_DOUBLE_EQ(during["Z1-h" + h], 0.85 * 230.0);
    }
    // Z2 (north): ispA (even HEMS) is down, ispB reports normally.
    EXPECT_EQ(during.contains("Z2-h" + h), i % 2 == 1) << "Z2-h" << h;
  }
  const auto& c = inj->counts();
  EXPECT_EQ(c.lost_to_faults, 6 + 2);
  EXPECT_EQ(c.lost_to_isp, 3);
  EXPECT_EQ(c.sagged, 4);
  // Ground truth: who was reporting when each event began.
  const auto& events = inj->events();
  ASSERT_EQ(events.size(), 4U);
  EXPECT_EQ(events[0].eligible_count, 3);  // Z0's ispA HEMS are dark from the same period
  EXPECT_EQ(events[1].eligible_count, 2);
  EXPECT_EQ(events[2].eligible_count, -1);  // not counted for ISP outages
  EXPECT_EQ(events[3].eligible_count, 6);
  EXPECT_TRUE(events[0].scheduled);

  auto after = by_hems(inj->readings(injector_t0_ms + 3 * injector_period_ms));
  EXPECT_EQ(after.size(), 18U);
}

TEST(FaultInjector, IspOutageWithoutRegionCoversEveryRegion) {
  std::mt19937_64 rng(1);
  auto inj = FaultInjector::create(small_fleet(), quiet_config(), rng);
  ASSERT_THAT(inj, IsOk());
  auto isp = event_of(InjectedKind::isp_outage, -1, 0, 2);
  isp.network = 1;
  ASSERT_THAT(inj->add_event(isp), IsOk());
  inj->start_dropouts(injector_t0_ms);
  EXPECT_EQ(inj->readings(injector_t0_ms).size(), 9U);  // ispB down in all three zones
}

TEST(FaultInjector, RandomEventsAvoidConflictsAndDropoutsAreRecorded) {
  auto fleet = small_fleet();
  for (auto& h : fleet.hems) h.dropouts_per_period = 0.05;
  auto config = quiet_config();
  config.record_dropouts = true;
  config.fault_periods_min = 5;
  config.fault_periods_max = 20;
  config.isp_periods_min = 5;
  config.isp_periods_max = 20;
  config.sag_periods_min = 2;
  config.sag_periods_max = 5;
  std::mt19937_64 rng(7);
  auto inj = FaultInjector::create(fleet, config, rng);
  ASSERT_THAT(inj, IsOk());
  inj->place_random_events({20, 10, 10}, injector_t0_ms,
                           injector_t0_ms + 2000 * injector_period_ms);
  const auto& events = inj->events();
  int faults = 0, isp = 0, sags = 0;
  for (const auto& e : events) {
    faults += e.is_power_fault() ? 1 : 0;
    isp += e.kind == InjectedKind::isp_outage ? 1 : 0;
    sags += e.kind == InjectedKind::voltage_sag ? 1 : 0;
    EXPECT_FALSE(e.scheduled);
    EXPECT_GT(e.end_ms, e.start_ms);
    for (const auto& o : events) {
      if (&o == &e || !e.is_power_fault() || o.kind != InjectedKind::isp_outage) continue;
      if (o.region != e.region) continue;
      const bool apart = e.start_ms >= o.end_ms + config.conflict_margin_ms ||
                         o.start_ms >= e.end_ms + config.conflict_margin_ms;
      EXPECT_TRUE(apart) << "a fault overlaps an ISP outage in its region";
    }
  }
  EXPECT_GT(faults, 5);
  EXPECT_GT(isp, 2);
  EXPECT_GT(sags, 2);
  inj->start_dropouts(injector_t0_ms);
  for (int k = 0; k < 100; ++k) (void)inj->readings(injector_t0_ms + k * injector_period_ms);
  const auto dropouts = inj->take_dropouts();
  EXPECT_FALSE(dropouts.empty());
  EXPECT_EQ(static_cast<std::int64_t>(dropouts.size()), inj->counts().dropouts);
  EXPECT_GT(inj->counts().lost_to_dropouts, 0);
  for (const auto& d : dropouts) EXPECT_GE(d.end_ms, d.start_ms);
  EXPECT_TRUE(inj->take_dropouts().empty());  // taken
}

TEST(FaultInjector, SameSeedSameReadings) {
  auto run = [] {
    auto fleet = small_fleet();
    for (auto& h : fleet.hems) h.dropouts_per_period = 0.1;
    std::mt19937_64 rng(42);
    auto inj = FaultInjector::create(fleet, InjectorConfig{}, rng);
    inj->place_random_events({3, 2, 2}, injector_t0_ms, injector_t0_ms + 3'600'000);
    inj->start_dropouts(injector_t0_ms);
    std::vector<VoltageReading> all;
    for (int k = 0; k < 60; ++k) {
      for (auto& r : inj->readings(injector_t0_ms + k * 60'000)) all.push_back(r);
    }
    return all;
  };
  const auto a = run(), b = run();
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].hems_id, b[i].hems_id);
    EXPECT_EQ(a[i].voltage_v, b[i].voltage_v);
  }
}

TEST(FaultInjector, RejectsBadEventsNamingTheField) {
  std::mt19937_64 rng(1);
  auto inj = FaultInjector::create(small_fleet(), quiet_config(), rng);
  ASSERT_THAT(inj, IsOk());
  EXPECT_THAT(inj->add_event(event_of(InjectedKind::zone_fault, 3, 0, 1)),
              HasError(ErrorCode::invalid_argument, HasSubstr("zone_fault: zone index 3")));
  EXPECT_THAT(inj->add_event(event_of(InjectedKind::zone_fault, 0, 2, 2)),
              HasError(ErrorCode::invalid_argument, HasSubstr("end must be after start")));
  EXPECT_THAT(inj->add_event(event_of(InjectedKind::phase_fault, 0, 0, 1)),
              HasError(ErrorCode::invalid_argument, HasSubstr("phase_fault: phase must be 0..2")));
  auto sag = event_of(InjectedKind::voltage_sag, 0, 0, 1);
  sag.depth_pu = 1.5;
  EXPECT_THAT(inj->add_event(sag),
              HasError(ErrorCode::invalid_argument, HasSubstr("depth must be in (0, 1) pu")));
  auto isp = event_of(InjectedKind::isp_outage, -1, 0, 1);
  isp.network = 2;
  EXPECT_THAT(inj->add_event(isp),
              HasError(ErrorCode::invalid_argument, HasSubstr("isp_outage: network index 2")));
  isp.network = 0;
  isp.region = 5;
  EXPECT_THAT(inj->add_event(isp),
              HasError(ErrorCode::invalid_argument, HasSubstr("region index 5")));
  EXPECT_TRUE(inj->events().empty());
}

TEST(FaultInjector, RejectsInconsistentFleetsAndConfigs) {
  std::mt19937_64 rng(1);
  auto fleet = small_fleet();
  fleet.hems[4].network = 7;
  EXPECT_THAT(
      FaultInjector::create(fleet, quiet_config(), rng),
      HasError(ErrorCode::invalid_argument, HasSubstr("HEMS 'Z0-h4' network index out of range")));
  fleet = small_fleet();
  fleet.hems[0].region = 1;
  EXPECT_THAT(FaultInjector::create(fleet, quiet_config(), rng),
              HasError(ErrorCode::invalid_argument, HasSubstr("region differs from its zone's")));
  fleet = small_fleet();
  fleet.region_networks = {{0}, {3}};
  EXPECT_THAT(
      FaultInjector::create(fleet, quiet_config(), rng),
      HasError(ErrorCode::invalid_argument, HasSubstr("region 'south' lists network index 3")));
  auto config = quiet_config();
  config.reading_period_ms = 0;
  EXPECT_THAT(FaultInjector::create(small_fleet(), config, rng),
              HasError(ErrorCode::invalid_argument, HasSubstr("reading_period_ms must be > 0")));
  config = quiet_config();
  config.sag_depth_max_pu = 1.2;
  EXPECT_THAT(FaultInjector::create(small_fleet(), config, rng),
              HasError(ErrorCode::invalid_argument, HasSubstr("sag depth")));
  config = quiet_config();
  config.fault_periods_min = 0;
  EXPECT_THAT(FaultInjector::create(small_fleet(), config, rng),
              HasError(ErrorCode::invalid_argument, HasSubstr("fault_periods")));
}

}  // namespace
}  // namespace gridke::services::fault_location
