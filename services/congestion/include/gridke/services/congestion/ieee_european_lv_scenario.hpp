#pragma once
// The flexibility demo/benchmark scenario on the IEEE European LV test feeder (906 LV buses, 55
// single-phase household loads, 800 kVA transformer): a winter weekday whose evening adds
// electric-vehicle charging, so that the main feeder cable and the far-end voltages are
// congested in the evening peak and nowhere else.
//   network   tests/data/grid/ieee_european_lv_minute1 (official CSV layout)
//   load      tests/data/flexibility/ieee_eu_lv_profiles_15min.csv: the official 1-minute
//             profiles averaged per quarter hour (96 values per shape, kW)
//   EVs       every `ev_every`-th load charges at ev_kw (single phase, PF 1 added to the
//             household's kvar unchanged) for ev_hours from a start staggered between 17:30 and
//             19:00 (deterministic: load index modulo 4 → +0, +30, +60, +90 min)
//   limits    4c_70 (the trunk, 70 mm² Al) 200 A, 4c_185 355 A; voltage 0.94–1.10 pu
//   zones     three zones of equal load count by the loads' x coordinate (west/centre/east),
//             named zone_names; each zone lists its loads' ids as HEMS ids ("HEMS-<load>")
// Thread safety: pure function.

#include <array>
#include <filesystem>
#include <string>
#include <vector>

#include "gridke/base/result.hpp"
#include "gridke/services/congestion/congestion_forecast.hpp"

namespace gridke::services::congestion {

struct ScenarioOptions {
  int ev_every = 2;    ///< 28 of the 55 households have an EV
  double ev_kw = 7.4;  ///< single-phase 32 A wallbox
  double ev_hours = 3;
  std::array<std::string, 3> zone_names{"PT-Z1", "PT-Z2", "PT-Z3"};
};

struct Scenario {
  grid::Network network;
  CongestionConfig config;
  LoadForecast household;  ///< 96 quarter hours without EVs
  LoadForecast forecast;   ///< 96 quarter hours with EVs
  std::vector<std::string> ev_loads;
};

/// Builds the scenario from the repository at `source_dir`. Errors: not_found / parse_error
/// from the readers (naming the file).
Result<Scenario> ieee_european_lv_ev_evening(const std::filesystem::path& source_dir,
                                             const ScenarioOptions& options = {});

}  // namespace gridke::services::congestion
