#include "gridke/services/congestion/congestion_forecast.hpp"

#include <algorithm>
#include <cmath>
#include <set>
#include <unordered_map>

#include "gridke/services/grid/power_flow.hpp"

namespace gridke::services::congestion {

namespace grid = gridke::services::grid;

std::string_view to_string(ViolationKind k) noexcept {
  switch (k) {
    case ViolationKind::line_current: return "line_current";
    case ViolationKind::transformer_loading: return "transformer_loading";
    case ViolationKind::undervoltage: return "undervoltage";
    case ViolationKind::overvoltage: return "overvoltage";
  }
  return "?";
}

std::vector<ZoneNeed> Forecast::needs() const {
  std::vector<ZoneNeed> out;
  for (const auto& i : intervals) out.insert(out.end(), i.needs.begin(), i.needs.end());
  return out;
}

namespace {

struct ZoneIndex {
  const Zone* zone;
  std::vector<std::size_t> loads;  // into Network::loads
};

std::string describe(const Violation& v) {
  char buf[200];
  const char ph = grid::phase_letter(v.phase);
  switch (v.kind) {
    case ViolationKind::line_current:
      std::snprintf(buf, sizeof buf, "line_current %s phase %c %.1f A > %.1f A", v.element.c_str(),
                    ph, v.value, v.limit);
      break;
    case ViolationKind::transformer_loading:
      std::snprintf(buf, sizeof buf, "transformer_loading %s phase %c %.1f kVA > %.1f kVA",
                    v.element.c_str(), ph, v.value, v.limit);
      break;
    case ViolationKind::undervoltage:
      std::snprintf(buf, sizeof buf, "undervoltage %s phase %c %.4f pu < %.4f pu",
                    v.element.c_str(), ph, v.value, v.limit);
      break;
    case ViolationKind::overvoltage:
      std::snprintf(buf, sizeof buf, "overvoltage %s phase %c %.4f pu > %.4f pu", v.element.c_str(),
                    ph, v.value, v.limit);
      break;
  }
  return buf;
}

// Buses above this base (kV, line-to-line) are not voltage-checked (the MV side).
constexpr double lv_base_kv_limit = 1.0;

}  // namespace

struct CongestionForecaster::Impl {
  grid::Network network;
  CongestionConfig config;
  std::optional<grid::PowerFlow> pf;
  std::vector<Zone> zones_storage;
  std::vector<ZoneIndex> zones;
  std::unordered_map<std::string, double> ampacity;         // line id → A
  std::unordered_map<std::string, double> transformer_kva;  // id → rated kVA
  std::unordered_map<std::string, std::size_t> branch_index;
  std::unordered_map<std::string, std::size_t> bus_index;

  Result<grid::Snapshot> solve(const std::vector<grid::LoadPower>& p) {
    GRIDKE_TRY(pf->solve_in_place(p));
    grid::Snapshot s = pf->snapshot();
    if (branch_index.empty()) {
      for (std::size_t i = 0; i < s.branches.size(); ++i) branch_index[s.branches[i].id] = i;
      for (std::size_t i = 0; i < s.buses.size(); ++i) bus_index[s.buses[i].id] = i;
    }
    return s;
  }

  std::vector<Violation> check(const grid::Snapshot& s, double* loading, double* vmin, double* vmax,
                               double* line_loading = nullptr) const {
    std::vector<Violation> out;
    double worst_loading = 0, worst_line = 0, lo = INFINITY, hi = 0;
    for (const auto& b : s.branches) {
      if (b.kind == grid::BranchKind::line) {
        auto it = ampacity.find(b.id);
        if (it == ampacity.end()) continue;
        for (int ph = 0; ph < 3; ++ph) {
          const double i = std::abs(b.current_a[static_cast<std::size_t>(ph)]);
          worst_line = std::max(worst_line, i / it->second);
          if (i > it->second + config.current_tolerance_a) {
            out.push_back({ViolationKind::line_current, b.id, ph, i, it->second});
          }
        }
      } else if (b.kind == grid::BranchKind::transformer) {
        const double limit = transformer_kva.at(b.id) / 3.0 * config.transformer_max_loading;
        for (int ph = 0; ph < 3; ++ph) {
          const double sk = std::abs(b.power_out_kva[static_cast<std::size_t>(ph)]);
          worst_loading = std::max(worst_loading, sk / (transformer_kva.at(b.id) / 3.0));
          if (sk > limit * (1 + 1e-9) + 1e-6) {
            out.push_back({ViolationKind::transformer_loading, b.id, ph, sk, limit});
          }
        }
      }
    }
    for (const auto& bus : s.buses) {
      if (bus.base_kv > lv_base_kv_limit) continue;
      for (int ph = 0; ph < 3; ++ph) {
        if (!bus.phases.has(ph)) continue;
        const double v = bus.magnitude_pu(ph);
        lo = std::min(lo, v);
        hi = std::max(hi, v);
        if (v < config.voltage_min_pu - config.voltage_tolerance_pu) {
          out.push_back({ViolationKind::undervoltage, bus.id, ph, v, config.voltage_min_pu});
        } else if (v > config.voltage_max_pu + config.voltage_tolerance_pu) {
          out.push_back({ViolationKind::overvoltage, bus.id, ph, v, config.voltage_max_pu});
        }
      }
    }
    if (loading) *loading = worst_loading;
    if (line_loading) *line_loading = worst_line;
    if (vmin) *vmin = std::isfinite(lo) ? lo : 0;
    if (vmax) *vmax = hi;
    return out;
  }

  // The violated quantity in the direction that flexibility reduces: returns excess over the
  // limit (positive = still violated).
  double excess(const grid::Snapshot& s, const Violation& v) const {
    const auto ph = static_cast<std::size_t>(v.phase);
    switch (v.kind) {
      case ViolationKind::line_current:
        return std::abs(s.branches[branch_index.at(v.element)].current_a[ph]) - v.limit;
      case ViolationKind::transformer_loading:
        return std::abs(s.branches[branch_index.at(v.element)].power_out_kva[ph]) - v.limit;
      case ViolationKind::undervoltage:
        return v.limit - s.buses[bus_index.at(v.element)].magnitude_pu(v.phase);
      case ViolationKind::overvoltage:
        return s.buses[bus_index.at(v.element)].magnitude_pu(v.phase) - v.limit;
    }
    return 0;
  }

  double tolerance_of(const Violation& v) const {
    switch (v.kind) {
      case ViolationKind::line_current: return config.current_tolerance_a;
      case ViolationKind::transformer_loading: return 1e-6;
      default: return config.voltage_tolerance_pu;
    }
  }

  static NeedDirection direction_for(ViolationKind k) {
    return k == ViolationKind::overvoltage ? NeedDirection::up : NeedDirection::down;
  }

  // Load powers with flexibility F (kW) applied per (zone, direction).
  std::vector<grid::LoadPower> apply(
      const std::vector<grid::LoadPower>& base,
      const std::map<std::pair<std::size_t, NeedDirection>, double>& flex) const {
    std::vector<grid::LoadPower> p = base;
    for (const auto& [key, f] : flex) {
      const ZoneIndex& z = zones[key.first];
      if (key.second == NeedDirection::down) {
        double total = 0;
        for (auto j : z.loads) total += base[j].kw;
        if (total <= 0) continue;
        const double keep = std::max(0.0, 1.0 - f / total);
        for (auto j : z.loads) {
          p[j].kw *= keep;
          p[j].kvar *= keep;
        }
      } else {
        const double each = f / static_cast<double>(z.loads.size());
        for (auto j : z.loads) {
          const double ratio = base[j].kw > 0 ? base[j].kvar / base[j].kw : 0.0;
          p[j].kw += each;
          p[j].kvar += each * ratio;
        }
      }
    }
    return p;
  }

  double zone_load_kw(std::size_t z, const std::vector<grid::LoadPower>& base) const {
    double total = 0;
    for (auto j : zones[z].loads) total += base[j].kw;
    return total;
  }

  // d(excess)/dF of zone z in direction d at flexibility `flex` (negative = F reduces the excess).
  Result<double> sensitivity(const std::vector<grid::LoadPower>& base,
                             std::map<std::pair<std::size_t, NeedDirection>, double> flex,
                             std::size_t z, NeedDirection d, const Violation& v,
                             double excess_now) {
    flex[{z, d}] += config.perturbation_kw;
    GRIDKE_ASSIGN_OR_RETURN(grid::Snapshot s, solve(apply(base, flex)));
    return (excess(s, v) - excess_now) / config.perturbation_kw;
  }

  Result<IntervalResult> interval(TimePoint start, TimePoint end,
                                  const std::vector<grid::LoadPower>& base) {
    IntervalResult r;
    r.start = start;
    for (const auto& p : base) r.load_kw += p.kw;
    std::map<std::pair<std::size_t, NeedDirection>, double> flex;
    std::map<std::pair<std::size_t, NeedDirection>, std::string> causes;
    std::set<std::pair<std::size_t, NeedDirection>> unresolved;
    std::map<std::string, std::size_t> zone_of_element;
    GRIDKE_ASSIGN_OR_RETURN(grid::Snapshot s, solve(base));
    r.violations =
        check(s, &r.transformer_loading, &r.min_voltage_pu, &r.max_voltage_pu, &r.line_loading);
    r.transformer_loading_after = r.transformer_loading;
    r.line_loading_after = r.line_loading;
    if (r.violations.empty()) return r;
    std::set<std::string> given_up;
    for (int step = 0; step < config.max_corrections; ++step) {
      auto now = check(s, nullptr, nullptr, nullptr);
      std::erase_if(now, [&](const Violation& v) {
        return given_up.count(std::string(to_string(v.kind)) + v.element + std::to_string(v.phase));
      });
      if (now.empty()) break;
      // Worst first: largest excess relative to the limit.
      const Violation& v =
          *std::max_element(now.begin(), now.end(), [&](const Violation& a, const Violation& b) {
            return excess(s, a) / std::abs(a.limit) < excess(s, b) / std::abs(b.limit);
          });
      const NeedDirection d = direction_for(v.kind);
      const double ex = excess(s, v);
      const std::string key = std::string(to_string(v.kind)) + v.element + std::to_string(v.phase);
      std::size_t z = 0;
      double sens = 0;
      if (auto it = zone_of_element.find(key); it != zone_of_element.end()) {
        z = it->second;
        GRIDKE_ASSIGN_OR_RETURN(sens, sensitivity(base, flex, z, d, v, ex));
      } else {
        // The most effective zone (largest reduction of the excess per kW).
        double best = 0;
        bool found = false;
        for (std::size_t c = 0; c < zones.size(); ++c) {
          if (zones[c].loads.empty()) continue;
          if (d == NeedDirection::down &&
              zone_load_kw(c, base) - flex[{c, d}] <= config.perturbation_kw)
            continue;
          GRIDKE_ASSIGN_OR_RETURN(double sc, sensitivity(base, flex, c, d, v, ex));
          if (!found || sc < best) {
            best = sc;
            z = c;
            found = true;
          }
        }
        sens = best;
        zone_of_element[key] = z;
        if (!causes.count({z, d})) causes[{z, d}] = describe(v);
      }
      // No zone reduces this violation: report it and leave it.
      if (sens >= -1e-12) {
        given_up.insert(key);
        continue;
      }
      // Newton on this quantity until it sits on its limit: the step can overshoot (e.g. a
      // concave V(F) for overvoltage), so iterate from both sides, never below the
      // flexibility the zone already had (earlier violations need it).
      const double floor_kw = flex[{z, d}];
      const double cap = d == NeedDirection::down ? zone_load_kw(z, base) : INFINITY;
      double f = floor_kw;
      double ex_now = ex;
      for (int inner = 0; inner < config.max_corrections; ++inner) {
        f = std::clamp(f + ex_now / -sens, floor_kw, cap);
        flex[{z, d}] = f;
        GRIDKE_ASSIGN_OR_RETURN(s, solve(apply(base, flex)));
        ex_now = excess(s, v);
        if (std::abs(ex_now) <= tolerance_of(v) || (ex_now < 0 && f <= floor_kw)) break;
        if (f >= cap && ex_now > 0) {
          // The zone has no load left: the next step picks the next most effective zone.
          zone_of_element.erase(key);
          break;
        }
        // `s` stays the unperturbed state (sensitivity() solves into its own snapshot).
        GRIDKE_ASSIGN_OR_RETURN(sens, sensitivity(base, flex, z, d, v, ex_now));
        if (sens >= -1e-12) {
          given_up.insert(key);
          break;
        }
      }
    }
    r.violations_after =
        check(s, &r.transformer_loading_after, nullptr, nullptr, &r.line_loading_after);
    // A zone that gave all its load while violations remain could not resolve them.
    for (const auto& [key, f] : flex) {
      if (key.second == NeedDirection::down && f >= zone_load_kw(key.first, base) - 1e-9 &&
          !r.violations_after.empty()) {
        unresolved.insert(key);
      }
    }
    for (const auto& [key, f] : flex) {
      if (f <= 0) continue;
      ZoneNeed n;
      n.zone = zones[key.first].zone->id;
      n.direction = key.second;
      n.needs_kw = f;
      n.start = start;
      n.end = end;
      n.hems_ids = zones[key.first].zone->hems_ids;
      n.cause = causes.count(key) ? causes.at(key) : std::string();
      n.resolved = !unresolved.count(key);
      r.needs.push_back(std::move(n));
    }
    return r;
  }
};

CongestionForecaster::CongestionForecaster(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CongestionForecaster::CongestionForecaster(CongestionForecaster&&) noexcept = default;
CongestionForecaster& CongestionForecaster::operator=(CongestionForecaster&&) noexcept = default;
CongestionForecaster::~CongestionForecaster() = default;

const grid::Network& CongestionForecaster::network() const { return impl_->network; }
const CongestionConfig& CongestionForecaster::config() const { return impl_->config; }

Result<CongestionForecaster> CongestionForecaster::create(grid::Network network,
                                                          CongestionConfig config) {
  if (!(config.voltage_min_pu > 0 && config.voltage_min_pu < config.voltage_max_pu)) {
    return invalid_argument("voltage limits: need 0 < voltage_min_pu < voltage_max_pu, got " +
                            std::to_string(config.voltage_min_pu) + " and " +
                            std::to_string(config.voltage_max_pu));
  }
  if (!(config.transformer_max_loading > 0)) {
    return invalid_argument("transformer_max_loading: must be > 0");
  }
  if (!(config.perturbation_kw > 0)) return invalid_argument("perturbation_kw: must be > 0");
  if (config.max_corrections < 1) return invalid_argument("max_corrections: must be >= 1");
  auto impl = std::make_unique<Impl>();
  GRIDKE_ASSIGN_OR_RETURN(grid::PowerFlow pf, grid::PowerFlow::create(network));
  impl->pf.emplace(std::move(pf));
  std::unordered_map<std::string, std::size_t> load_index;
  for (std::size_t i = 0; i < network.loads.size(); ++i) load_index[network.loads[i].id] = i;
  std::unordered_map<std::string, const grid::Line*> lines;
  for (const auto& l : network.lines) lines[l.id] = &l;
  for (const auto& [code, a] : config.line_code_ampacity_a) {
    if (!(a > 0)) return invalid_argument("line_code_ampacity_a['" + code + "']: must be > 0");
    if (!network.find_line_code(code)) {
      return invalid_argument("line_code_ampacity_a: unknown line code '" + code + "'");
    }
  }
  for (const auto& l : network.lines) {
    auto it = config.line_code_ampacity_a.find(l.line_code);
    if (it != config.line_code_ampacity_a.end()) impl->ampacity[l.id] = it->second;
  }
  for (const auto& [id, a] : config.line_ampacity_a) {
    if (!lines.count(id)) return invalid_argument("line_ampacity_a: unknown line '" + id + "'");
    if (!(a > 0)) return invalid_argument("line_ampacity_a['" + id + "']: must be > 0");
    impl->ampacity[id] = a;
  }
  for (const auto& t : network.transformers) impl->transformer_kva[t.id] = t.rated_kva;
  if (config.zones.empty()) {
    Zone all;
    all.id = "feeder";
    for (const auto& l : network.loads) all.load_ids.push_back(l.id);
    config.zones.push_back(std::move(all));
  }
  std::unordered_map<std::string, std::string> owner;
  std::set<std::string> zone_ids;
  for (std::size_t zi = 0; zi < config.zones.size(); ++zi) {
    const Zone& z = config.zones[zi];
    const std::string where = "zones[" + std::to_string(zi) + "] '" + z.id + "'";
    if (z.id.empty()) return invalid_argument("zones[" + std::to_string(zi) + "]: id is empty");
    if (!zone_ids.insert(z.id).second) return invalid_argument(where + ": duplicate zone id");
    for (const auto& l : z.load_ids) {
      if (!load_index.count(l)) return invalid_argument(where + ": unknown load '" + l + "'");
      if (auto [it, fresh] = owner.emplace(l, z.id); !fresh) {
        return invalid_argument(where + ": load '" + l + "' is already in zone '" + it->second +
                                "'");
      }
    }
  }
  impl->network = std::move(network);
  impl->config = std::move(config);
  for (const auto& z : impl->config.zones) {
    ZoneIndex zi{&z, {}};
    for (const auto& l : z.load_ids) zi.loads.push_back(load_index.at(l));
    impl->zones.push_back(std::move(zi));
  }
  return CongestionForecaster(std::move(impl));
}

Result<Forecast> CongestionForecaster::run(TimePoint start, std::chrono::minutes interval,
                                           const LoadForecast& forecast) {
  if (interval.count() <= 0) return invalid_argument("interval: must be > 0 minutes");
  if (forecast.empty()) return invalid_argument("forecast: no intervals");
  const std::size_t n_loads = impl_->network.loads.size();
  Forecast out;
  out.intervals.reserve(forecast.size());
  for (std::size_t k = 0; k < forecast.size(); ++k) {
    const auto& row = forecast[k];
    if (row.size() != n_loads) {
      return invalid_argument("forecast[" + std::to_string(k) + "]: " + std::to_string(row.size()) +
                              " loads, the network has " + std::to_string(n_loads));
    }
    for (std::size_t j = 0; j < row.size(); ++j) {
      if (!std::isfinite(row[j].kw) || !std::isfinite(row[j].kvar)) {
        return invalid_argument("forecast[" + std::to_string(k) + "] load '" +
                                impl_->network.loads[j].id + "': value is not finite");
      }
    }
    const TimePoint s = start + interval * static_cast<int>(k);
    auto r = impl_->interval(s, s + interval, row);
    if (!r) return r.error().with_context("interval " + std::to_string(k));
    out.intervals.push_back(std::move(*r));
  }
  return out;
}

Result<Forecast> CongestionForecaster::day_ahead(TimePoint day, const LoadForecast& forecast) {
  if (std::chrono::floor<std::chrono::days>(day) != day) {
    return invalid_argument("day-ahead: the day must start at midnight UTC");
  }
  if (forecast.size() != 96) {
    return invalid_argument("day-ahead: 96 quarter-hour intervals expected, got " +
                            std::to_string(forecast.size()));
  }
  return run(day, std::chrono::minutes(15), forecast);
}

Result<Forecast> CongestionForecaster::intraday(TimePoint slot, const LoadForecast& forecast) {
  const auto since = slot - std::chrono::floor<std::chrono::days>(slot);
  if (since % std::chrono::hours(6) != std::chrono::milliseconds(0)) {
    return invalid_argument("intraday: the publication slot must be 00, 06, 12 or 18 h");
  }
  if (forecast.size() != 48) {
    return invalid_argument("intraday: 48 quarter-hour intervals expected, got " +
                            std::to_string(forecast.size()));
  }
  return run(slot + std::chrono::hours(6), std::chrono::minutes(15), forecast);
}

LoadForecast CongestionForecaster::forecast_from_load_shapes(int first_minute, int intervals,
                                                             int interval_minutes) const {
  LoadForecast out(static_cast<std::size_t>(intervals));
  for (int k = 0; k < intervals; ++k) {
    auto& row = out[static_cast<std::size_t>(k)];
    row.assign(impl_->network.loads.size(), {});
    for (int m = 0; m < interval_minutes; ++m) {
      const auto p = impl_->network.load_powers_at_minute(first_minute + k * interval_minutes + m);
      for (std::size_t j = 0; j < p.size(); ++j) {
        row[j].kw += p[j].kw / interval_minutes;
        row[j].kvar += p[j].kvar / interval_minutes;
      }
    }
  }
  return out;
}

}  // namespace gridke::services::congestion
