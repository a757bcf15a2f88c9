#pragma once
// Test fixture for FaultLocationService: a manual clock, zones of HEMS with phases and access
// networks, and helpers that play the DSP minute by minute.

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "gridke/services/fault_location/fault_location_service.hpp"
#include "gridke_matchers.hpp"

namespace gridke::services::fault_location::testing {

using namespace std::chrono_literals;

// 2026-11-27T00:00:00Z
inline const Timestamp test_epoch = from_epoch_ms(1'795'737'600'000LL);

inline std::string hems_name(const std::string& zone, int i) {
  return zone + "-h" + std::to_string(i);
}

class FleetTest : public ::testing::Test {
 protected:
  void SetUp() override { clock_ = std::make_shared<ManualClock>(test_epoch); }

  void open(ServiceOptions options = {}) {
    service_.reset();
    auto r = FaultLocationService::open(std::move(options), clock_);
    ASSERT_THAT(r, IsOk());
    service_ = std::move(r).value();
  }

  // A zone of n HEMS; HEMS i is on phase i % 3 and access network networks[i % size].
  void add_zone(const std::string& zone, int n,
                std::vector<std::string> networks = {"ispA", "ispB"}) {
    ASSERT_THAT(service_->add_zone({zone, "test zone", 230.0, ""}), IsOk());
    for (int i = 0; i < n; ++i) {
      Hems h{hems_name(zone, i), zone, static_cast<Phase>(i % 3),
             networks.empty() ? std::string()
                              : networks[static_cast<std::size_t>(i) % networks.size()]};
      ASSERT_THAT(service_->add_hems(h), IsOk());
    }
    sizes_[zone] = n;
  }

  void monitor(const std::string& zone, MonitoringRequest r = {}) {
    r.zone = zone;
    auto d = service_->request_monitoring(r);
    ASSERT_THAT(d, IsOk());
    ASSERT_TRUE(d->accepted) << d->reason;
  }

  // One minute: every HEMS not in `silent` reports (at staggered seconds) with `voltage`
  // (or `low_voltage` for HEMS in `low`); then the clock moves to the next minute and ticks.
  void minute(const std::set<std::string>& silent = {}, double voltage = 231.0,
              const std::set<std::string>& low = {}, double low_voltage = 180.0) {
    std::vector<VoltageReading> batch;
    int k = 0;
    for (const auto& [zone, n] : sizes_) {
      for (int i = 0; i < n; ++i, ++k) {
        const auto id = hems_name(zone, i);
        if (silent.contains(id)) continue;
        batch.push_back({id, clock_->now() + std::chrono::seconds(k % 60),
                         low.contains(id) ? low_voltage : voltage});
      }
    }
    clock_->advance(60s);
    ASSERT_THAT(service_->ingest(batch), IsOk());
    auto t = service_->tick();
    ASSERT_THAT(t, IsOk());
    last_tick_ = *t;
  }

  void minutes(int count, const std::set<std::string>& silent = {}) {
    for (int i = 0; i < count; ++i) minute(silent);
  }

  std::set<std::string> zone_hems(const std::string& zone, int phase = -1, std::string network = {},
                                  std::vector<std::string> networks = {"ispA", "ispB"}) const {
    std::set<std::string> out;
    for (int i = 0; i < sizes_.at(zone); ++i) {
      if (phase >= 0 && i % 3 != phase) continue;
      if (!network.empty() && networks[static_cast<std::size_t>(i) % networks.size()] != network) {
        continue;
      }
      out.insert(hems_name(zone, i));
    }
    return out;
  }

  std::vector<Notification> faults(bool active_only = true) const {
    NotificationQuery q;
    q.kind = NotificationKind::power_fault;
    q.active_only = active_only;
    return service_->notifications(q);
  }

  std::shared_ptr<ManualClock> clock_;
  std::unique_ptr<FaultLocationService> service_;
  std::map<std::string, int> sizes_;
  TickSummary last_tick_;
};

}  // namespace gridke::services::fault_location::testing
