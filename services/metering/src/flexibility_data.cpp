#include "gridke/services/metering/flexibility_data.hpp"

#include <cmath>
#include <map>
#include <sstream>
#include <tuple>

namespace gridke::services::metering {

std::string_view to_string(FlexDirection d) noexcept {
  return d == FlexDirection::up ? "up" : "down";
}

Result<std::vector<ZoneFlexibility>> summarise_flexibility(
    std::span<const ZoneFlexibilityNeed> needs, TimePoint from, TimePoint to, TimePoint now) {
  if (to <= from)
    return invalid_argument("flexibility data: the period end must be after its start");
  using SlotKey = std::tuple<std::string, TimePoint, int, TimePoint>;  // zone, start, dir, end
  std::map<SlotKey, ZoneFlexibility> slots;
  for (std::size_t i = 0; i < needs.size(); ++i) {
    const auto& n = needs[i];
    const std::string where = "flexibility need " + std::to_string(i) + " (zone '" + n.zone + "')";
    if (n.zone.empty()) {
      return invalid_argument("flexibility need " + std::to_string(i) + ": the zone is empty");
    }
    if (!std::isfinite(n.needs_kw) || n.needs_kw < 0.0) {
      std::ostringstream m;
      m << where << ": needs_kw " << n.needs_kw << " must be finite and >= 0";
      return invalid_argument(m.str());
    }
    if (n.end <= n.start) return invalid_argument(where + ": its end is not after its start");
    if (n.end <= from || n.start >= to) continue;
    auto& s = slots[SlotKey{n.zone, n.start, static_cast<int>(n.direction), n.end}];
    if (s.needs == 0) {
      s.zone = n.zone;
      s.direction = n.direction;
      s.start = n.start;
      s.end = n.end;
      s.forecast = n.start >= now;
    }
    s.needs_kw += n.needs_kw;
    ++s.needs;
  }
  std::vector<ZoneFlexibility> out;
  out.reserve(slots.size());
  for (auto& [key, s] : slots) out.push_back(std::move(s));
  return out;
}

}  // namespace gridke::services::metering
