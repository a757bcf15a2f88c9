#include "gridke/services/congestion/ieee_european_lv_scenario.hpp"

#include <algorithm>
#include <numeric>

#include "gridke/services/congestion/load_forecast_csv.hpp"
#include "gridke/services/grid/model/ieee_european_lv_csv.hpp"

namespace gridke::services::congestion {

Result<Scenario> ieee_european_lv_ev_evening(const std::filesystem::path& source_dir,
                                             const ScenarioOptions& options) {
  Scenario s;
  GRIDKE_ASSIGN_OR_RETURN(s.network,
                          grid::read_ieee_european_lv(
                              (source_dir / "tests/data/grid/ieee_european_lv_minute1").string()));
  GRIDKE_ASSIGN_OR_RETURN(
      s.household,
      read_profile_forecast(
          (source_dir / "tests/data/flexibility/ieee_eu_lv_profiles_15min.csv").string(),
          s.network));
  s.forecast = s.household;
  const auto& loads = s.network.loads;
  for (std::size_t j = 0; j < loads.size(); ++j) {
    if (options.ev_every <= 0 || j % static_cast<std::size_t>(options.ev_every) != 0) continue;
    s.ev_loads.push_back(loads[j].id);
    // 17:30 = quarter hour 70; staggered by 2 quarter hours per EV.
    const int first =
        70 + 2 * static_cast<int>((j / static_cast<std::size_t>(options.ev_every)) % 4);
    const int count = static_cast<int>(options.ev_hours * 4);
    for (int k = first; k < std::min(96, first + count); ++k) {
      s.forecast[static_cast<std::size_t>(k)][j].kw += options.ev_kw;
    }
  }
  s.config.line_code_ampacity_a = {{"4c_70", 200.0}, {"4c_185", 355.0}};
  s.config.voltage_min_pu = 0.94;
  s.config.voltage_max_pu = 1.10;
  // Zones: loads sorted by the x coordinate of their bus, three equal groups.
  std::vector<std::size_t> order(loads.size());
  std::iota(order.begin(), order.end(), 0);
  auto x_of = [&](std::size_t j) {
    const auto b = s.network.find_bus(loads[j].bus);
    return b && s.network.buses[*b].x ? *s.network.buses[*b].x : 0.0;
  };
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return x_of(a) < x_of(b); });
  for (std::size_t z = 0; z < 3; ++z) {
    Zone zone;
    zone.id = options.zone_names[z];
    const std::size_t from = z * order.size() / 3, to = (z + 1) * order.size() / 3;
    for (std::size_t i = from; i < to; ++i) {
      zone.load_ids.push_back(loads[order[i]].id);
      zone.hems_ids.push_back("HEMS-" + loads[order[i]].id);
    }
    s.config.zones.push_back(std::move(zone));
  }
  return s;
}

}  // namespace gridke::services::congestion
