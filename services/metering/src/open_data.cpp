#include "gridke/services/metering/open_data.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

namespace gridke::services::metering {
namespace {

struct Zone {
  std::vector<std::uint32_t> members;  // sorted meter indices with data
  double energy = 0.0;
  bool published = false;
};

// |a \ b| for sorted vectors.
std::size_t difference_size(const std::vector<std::uint32_t>& a,
                            const std::vector<std::uint32_t>& b) {
  std::size_t n = 0, j = 0;
  for (auto x : a) {
    while (j < b.size() && b[j] < x) ++j;
    if (j == b.size() || b[j] != x) ++n;
  }
  return n;
}

}  // namespace

Result<OpenDataRelease> aggregate_by_zone(std::span<const ZoneMembership> zones,
                                          std::span<const MeterEnergy> energy,
                                          AnonymisationPolicy policy) {
  if (policy.k < 1) return invalid_argument("open data: k must be >= 1");
  std::unordered_map<std::string_view, std::uint32_t> index;
  index.reserve(energy.size() * 2);
  for (std::size_t i = 0; i < energy.size(); ++i) {
    const auto& e = energy[i];
    if (!std::isfinite(e.energy_kwh) || e.energy_kwh < 0.0) {
      std::ostringstream m;
      m << "open data: energy[" << i << "] of meter '" << e.meter << "' = " << e.energy_kwh
        << " kWh must be finite and >= 0";
      return invalid_argument(m.str());
    }
    if (!index.emplace(e.meter, static_cast<std::uint32_t>(i)).second) {
      return invalid_argument("open data: meter '" + e.meter + "' has two energy values");
    }
  }
  std::vector<Zone> z(zones.size());
  std::unordered_set<std::string_view> ids;
  std::vector<std::vector<std::uint32_t>> zones_of(energy.size());  // meter → zones
  for (std::size_t i = 0; i < zones.size(); ++i) {
    if (zones[i].zone.empty())
      return invalid_argument("open data: zones[" + std::to_string(i) + "] has no id");
    if (!ids.insert(zones[i].zone).second) {
      return invalid_argument("open data: zone '" + zones[i].zone + "' is listed twice");
    }
    for (const auto& m : zones[i].meters) {
      auto it = index.find(m);
      if (it == index.end()) continue;
      z[i].members.push_back(it->second);
    }
    std::sort(z[i].members.begin(), z[i].members.end());
    z[i].members.erase(std::unique(z[i].members.begin(), z[i].members.end()), z[i].members.end());
    for (auto m : z[i].members) {
      z[i].energy += energy[m].energy_kwh;
      zones_of[m].push_back(static_cast<std::uint32_t>(i));
    }
  }
  OpenDataRelease out;
  std::vector<std::string> reason(zones.size());
  for (std::size_t i = 0; i < z.size(); ++i) {
    z[i].published = z[i].members.size() >= policy.k;
    if (!z[i].published) {
      reason[i] =
          std::to_string(z[i].members.size()) + " consumers < k = " + std::to_string(policy.k);
    }
  }
  // Overlap rule: repeat until no published pair differs by 1..k-1 consumers on either side.
  for (bool changed = true; changed;) {
    changed = false;
    for (std::size_t a = 0; a < z.size() && !changed; ++a) {
      if (!z[a].published) continue;
      std::unordered_set<std::uint32_t> seen;
      for (auto m : z[a].members) {
        for (auto b : zones_of[m]) {
          if (b <= a || !z[b].published || !seen.insert(b).second) continue;
          const std::size_t a_only = difference_size(z[a].members, z[b].members);
          const std::size_t b_only = difference_size(z[b].members, z[a].members);
          const auto violates = [&](std::size_t d) { return d > 0 && d < policy.k; };
          if (!violates(a_only) && !violates(b_only)) continue;
          const std::size_t drop = z[b].members.size() <= z[a].members.size() ? b : a;
          const std::size_t keep = drop == a ? b : a;
          z[drop].published = false;
          reason[drop] = "overlaps zone '" + zones[keep].zone + "': the two differ by " +
                         std::to_string(drop == a ? a_only : b_only) + " and " +
                         std::to_string(drop == a ? b_only : a_only) +
                         " consumers, fewer than k = " + std::to_string(policy.k) +
                         " on one side (re-identification by difference)";
          changed = true;
          break;
        }
        if (changed) break;
      }
    }
  }
  for (std::size_t i = 0; i < z.size(); ++i) {
    if (z[i].published) {
      out.published.push_back({zones[i].zone, z[i].energy, z[i].members.size()});
    } else {
      out.suppressed.push_back({zones[i].zone, reason[i]});
    }
  }
  return out;
}

}  // namespace gridke::services::metering
