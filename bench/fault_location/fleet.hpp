#pragma once
// A benchmark fleet for the fault-location service: `zones` zones of `per_zone` HEMS (two ISPs,
// three phases), every zone monitored, on a manual clock.

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "gridke/services/fault_location/fault_location_service.hpp"

namespace gridke::services::fault_location::bench {

struct Fleet {
  std::shared_ptr<ManualClock> clock;
  std::unique_ptr<FaultLocationService> service;
  std::vector<std::string> ids;
};

inline Fleet make_fleet(int zones, int per_zone, ServiceOptions options) {
  Fleet f;
  f.clock = std::make_shared<ManualClock>(from_epoch_ms(1'795'737'600'000LL));
  f.service = std::move(FaultLocationService::open(std::move(options), f.clock)).value();
  for (int z = 0; z < zones; ++z) {
    const std::string zone = "Z" + std::to_string(z);
    (void)f.service->add_zone({zone, "", 230.0, "region " + std::to_string(z / 10)});
    for (int i = 0; i < per_zone; ++i) {
      f.ids.push_back(zone + "-h" + std::to_string(i));
      (void)f.service->add_hems(
          {f.ids.back(), zone, static_cast<Phase>(i % 3), i % 2 == 0 ? "ispA" : "ispB"});
    }
    (void)f.service->request_monitoring({zone, {}, {}, {}});
  }
  return f;
}

/// One reading per HEMS stamped within the minute before now (the clock moves on by a minute).
inline std::vector<VoltageReading> one_minute(Fleet& f) {
  std::vector<VoltageReading> batch;
  batch.reserve(f.ids.size());
  const auto t0 = f.clock->now();
  for (std::size_t i = 0; i < f.ids.size(); ++i) {
    batch.push_back({f.ids[i], t0 + std::chrono::milliseconds(static_cast<long long>(i % 60'000)),
                     229.0 + static_cast<double>(i % 7)});
  }
  f.clock->advance(std::chrono::minutes(1));
  return batch;
}

}  // namespace gridke::services::fault_location::bench
