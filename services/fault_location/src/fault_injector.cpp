#include "gridke/services/fault_location/fault_injector.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <tuple>

namespace gridke::services::fault_location {

namespace fault_injector_detail {

bool same_region(int a, int b) { return a < 0 || b < 0 || a == b; }

bool network_down(const std::vector<std::uint64_t>& region_down, const FleetHems& h) {
  return (region_down[static_cast<std::size_t>(h.region)] >> h.network) & 1U;
}

}  // namespace fault_injector_detail

std::string_view to_string(InjectedKind k) noexcept {
  switch (k) {
    case InjectedKind::zone_fault: return "zone_fault";
    case InjectedKind::phase_fault: return "phase_fault";
    case InjectedKind::isp_outage: return "isp_outage";
    case InjectedKind::voltage_sag: return "voltage_sag";
  }
  return "zone_fault";
}

Result<void> Fleet::validate() const {
  if (regions.empty()) return invalid_argument("fleet: at least one region is needed");
  if (networks.empty() || networks.size() > 64) {
    return invalid_argument("fleet: 1..64 access networks are needed, got " +
                            std::to_string(networks.size()));
  }
  if (zones.empty()) return invalid_argument("fleet: at least one zone is needed");
  const auto n_regions = static_cast<int>(regions.size());
  for (const auto& z : zones) {
    if (z.region < 0 || z.region >= n_regions) {
      return invalid_argument("fleet: zone '" + z.id + "' region " + std::to_string(z.region) +
                              " is out of range");
    }
    for (int i : z.hems) {
      if (i < 0 || i >= static_cast<int>(hems.size())) {
        return invalid_argument("fleet: zone '" + z.id + "' lists HEMS index " + std::to_string(i) +
                                ", out of range");
      }
    }
  }
  for (const auto& h : hems) {
    if (h.zone < 0 || h.zone >= static_cast<int>(zones.size())) {
      return invalid_argument("fleet: HEMS '" + h.id + "' zone index out of range");
    }
    if (h.region != zones[static_cast<std::size_t>(h.zone)].region) {
      return invalid_argument("fleet: HEMS '" + h.id + "' region differs from its zone's");
    }
    if (h.network < 0 || h.network >= static_cast<int>(networks.size())) {
      return invalid_argument("fleet: HEMS '" + h.id + "' network index out of range");
    }
    if (h.phase < 0 || h.phase > 2) {
      return invalid_argument("fleet: HEMS '" + h.id + "' phase must be 0..2");
    }
    if (!(h.dropouts_per_period >= 0) || !std::isfinite(h.dropouts_per_period)) {
      return invalid_argument("fleet: HEMS '" + h.id + "' dropouts_per_period must be >= 0");
    }
  }
  if (!region_networks.empty() && region_networks.size() != regions.size()) {
    return invalid_argument("fleet: region_networks must be empty or have one entry per region");
  }
  for (std::size_t r = 0; r < region_networks.size(); ++r) {
    for (int n : region_networks[r]) {
      if (n < 0 || n >= static_cast<int>(networks.size())) {
        return invalid_argument("fleet: region '" + regions[r] + "' lists network index " +
                                std::to_string(n) + ", out of range");
      }
    }
  }
  return ok();
}

int Fleet::zone_index(std::string_view id) const {
  for (std::size_t i = 0; i < zones.size(); ++i) {
    if (zones[i].id == id) return static_cast<int>(i);
  }
  return -1;
}

int Fleet::network_index(std::string_view name) const {
  for (std::size_t i = 0; i < networks.size(); ++i) {
    if (networks[i] == name) return static_cast<int>(i);
  }
  return -1;
}

int Fleet::region_index(std::string_view name) const {
  for (std::size_t i = 0; i < regions.size(); ++i) {
    if (regions[i] == name) return static_cast<int>(i);
  }
  return -1;
}

Result<void> InjectorConfig::validate() const {
  if (reading_period_ms <= 0) {
    return invalid_argument("reading_period_ms must be > 0, got " +
                            std::to_string(reading_period_ms));
  }
  if (!(nominal_v > 0) || !std::isfinite(nominal_v)) {
    return invalid_argument("nominal_v must be > 0");
  }
  if (!(voltage_noise_pu >= 0 && voltage_noise_pu < 0.5)) {
    return invalid_argument("voltage_noise_pu must be in [0, 0.5), got " +
                            std::to_string(voltage_noise_pu));
  }
  if (mean_dropout_ms <= 0) return invalid_argument("mean_dropout must be positive");
  for (auto [v, name] : {std::pair{single_phase_fault_fraction, "single_phase_fault_fraction"},
                         std::pair{sag_before_fault_fraction, "sag_before_fault_fraction"}}) {
    if (!(v >= 0.0 && v <= 1.0)) {
      return invalid_argument(std::string(name) + " must be in [0, 1], got " + std::to_string(v));
    }
  }
  for (auto [lo, hi, name] : {std::tuple{fault_periods_min, fault_periods_max, "fault_periods"},
                              std::tuple{isp_periods_min, isp_periods_max, "isp_periods"},
                              std::tuple{sag_periods_min, sag_periods_max, "sag_periods"}}) {
    if (!(lo >= 1 && hi >= lo && std::isfinite(hi))) {
      return invalid_argument(std::string(name) + " must satisfy 1 <= min <= max, got " +
                              std::to_string(lo) + ".." + std::to_string(hi));
    }
  }
  if (!(sag_depth_min_pu > 0 && sag_depth_max_pu >= sag_depth_min_pu && sag_depth_max_pu < 1)) {
    return invalid_argument("sag depth must satisfy 0 < min <= max < 1 pu, got " +
                            std::to_string(sag_depth_min_pu) + ".." +
                            std::to_string(sag_depth_max_pu));
  }
  if (conflict_margin_ms < 0) return invalid_argument("conflict_margin_ms must be >= 0");
  return ok();
}

Result<FaultInjector> FaultInjector::create(Fleet fleet, InjectorConfig config,
                                            std::mt19937_64& rng) {
  GRIDKE_TRY(fleet.validate());
  GRIDKE_TRY(config.validate());
  return FaultInjector(std::move(fleet), config, rng);
}

Result<void> FaultInjector::add_event(InjectedEvent e) {
  const auto n_zones = static_cast<int>(fleet_.zones.size());
  const std::string what = "event " + std::string(to_string(e.kind));
  if (e.end_ms <= e.start_ms) return invalid_argument(what + ": end must be after start");
  if (e.kind == InjectedKind::isp_outage) {
    if (e.network < 0 || e.network >= static_cast<int>(fleet_.networks.size())) {
      return invalid_argument(what + ": network index " + std::to_string(e.network) +
                              " out of range");
    }
    if (e.region < -1 || e.region >= static_cast<int>(fleet_.regions.size())) {
      return invalid_argument(what + ": region index " + std::to_string(e.region) +
                              " out of range");
    }
  } else {
    if (e.zone < 0 || e.zone >= n_zones) {
      return invalid_argument(what + ": zone index " + std::to_string(e.zone) + " out of range");
    }
    e.region = fleet_.zones[static_cast<std::size_t>(e.zone)].region;
    if (e.kind == InjectedKind::zone_fault) e.phase = -1;
    if (e.phase < -1 || e.phase > 2 || (e.kind == InjectedKind::phase_fault && e.phase < 0)) {
      return invalid_argument(what + ": phase must be 0..2" +
                              (e.kind == InjectedKind::phase_fault ? "" : " or -1 (all)"));
    }
    if (e.kind == InjectedKind::voltage_sag && !(e.depth_pu > 0 && e.depth_pu < 1)) {
      return invalid_argument(what + ": depth must be in (0, 1) pu, got " +
                              std::to_string(e.depth_pu));
    }
  }
  e.eligible_count = -1;
  e.scheduled = true;
  events_.push_back(e);
  return ok();
}

bool FaultInjector::conflicts(const InjectedEvent& e) const {
  using fault_injector_detail::same_region;
  const std::int64_t margin = config_.conflict_margin_ms;
  for (const auto& o : events_) {
    const bool overlap = e.start_ms < o.end_ms + margin && o.start_ms < e.end_ms + margin;
    if (!overlap) continue;
    if (e.is_power_fault() && o.is_power_fault() && e.zone == o.zone) return true;
    if ((e.is_power_fault() && o.kind == InjectedKind::isp_outage &&
         same_region(o.region, e.region)) ||
        (o.is_power_fault() && e.kind == InjectedKind::isp_outage &&
         same_region(e.region, o.region))) {
      return true;
    }
    if (e.kind == InjectedKind::isp_outage && o.kind == InjectedKind::isp_outage &&
        same_region(e.region, o.region)) {
      return true;
    }
  }
  return false;
}

void FaultInjector::place(InjectedEvent e, std::int64_t duration_ms, std::int64_t from_ms,
                          std::int64_t to_ms) {
  std::uniform_real_distribution<double> unit(0, 1);
  const auto span = static_cast<double>(std::max(to_ms - from_ms, config_.reading_period_ms));
  for (int attempt = 0; attempt < 200; ++attempt) {
    e.start_ms = from_ms + static_cast<std::int64_t>(unit(*rng_) * span);
    e.end_ms = e.start_ms + duration_ms;
    if (!conflicts(e)) {
      events_.push_back(e);
      return;
    }
  }
}

std::int64_t FaultInjector::random_periods(double lo, double hi) {
  return static_cast<std::int64_t>(std::uniform_real_distribution<double>(lo, hi)(*rng_)) *
         config_.reading_period_ms;
}

void FaultInjector::place_random_events(const RandomEventCounts& expected, std::int64_t from_ms,
                                        std::int64_t to_ms) {
  auto& rng = *rng_;
  auto uniform_int = [&rng](int lo, int hi) {
    return std::uniform_int_distribution<int>(lo, hi)(rng);
  };
  auto unit = [&rng]() { return std::uniform_real_distribution<double>(0, 1)(rng); };
  auto poisson = [&rng](double mean) {
    return mean > 0 ? std::poisson_distribution<int>(mean)(rng) : 0;
  };
  const int n_zones = static_cast<int>(fleet_.zones.size());
  const int n_faults = poisson(expected.power_faults);
  for (int i = 0; i < n_faults; ++i) {
    InjectedEvent e;
    e.zone = uniform_int(0, n_zones - 1);
    e.region = fleet_.zones[static_cast<std::size_t>(e.zone)].region;
    const bool phase = unit() < config_.single_phase_fault_fraction;
    e.kind = phase ? InjectedKind::phase_fault : InjectedKind::zone_fault;
    e.phase = phase ? uniform_int(0, 2) : -1;
    e.sag_before = unit() < config_.sag_before_fault_fraction;
    const auto duration = random_periods(config_.fault_periods_min, config_.fault_periods_max);
    place(e, duration, from_ms, to_ms);
  }
  const int n_isp = poisson(expected.isp_outages);
  for (int i = 0; i < n_isp; ++i) {
    InjectedEvent e;
    e.kind = InjectedKind::isp_outage;
    e.region = uniform_int(0, static_cast<int>(fleet_.regions.size()) - 1);
    // An outage of a network the region uses.
    std::vector<int> used;
    if (static_cast<std::size_t>(e.region) < fleet_.region_networks.size()) {
      used = fleet_.region_networks[static_cast<std::size_t>(e.region)];
    }
    if (used.empty()) {
      for (const auto& h : fleet_.hems) {
        if (h.region == e.region && std::find(used.begin(), used.end(), h.network) == used.end()) {
          used.push_back(h.network);
        }
      }
      std::sort(used.begin(), used.end());
    }
    if (used.empty()) used.push_back(0);
    e.network = used[static_cast<std::size_t>(uniform_int(0, static_cast<int>(used.size()) - 1))];
    const auto duration = random_periods(config_.isp_periods_min, config_.isp_periods_max);
    place(e, duration, from_ms, to_ms);
  }
  const int n_sags = poisson(expected.voltage_sags);
  for (int i = 0; i < n_sags; ++i) {
    InjectedEvent e;
    e.kind = InjectedKind::voltage_sag;
    e.zone = uniform_int(0, n_zones - 1);
    e.region = fleet_.zones[static_cast<std::size_t>(e.zone)].region;
    e.phase = unit() < 0.5 ? uniform_int(0, 2) : -1;
    e.depth_pu = std::uniform_real_distribution<double>(config_.sag_depth_min_pu,
                                                        config_.sag_depth_max_pu)(rng);
    const auto duration = random_periods(config_.sag_periods_min, config_.sag_periods_max);
    place(e, duration, from_ms, to_ms);
  }
}

void FaultInjector::start_dropouts(std::int64_t start_ms) {
  const std::int64_t period = config_.reading_period_ms;
  for (auto& h : fleet_.hems) {
    if (h.dropouts_per_period > 0) {
      std::exponential_distribution<double> gap(h.dropouts_per_period);
      h.next_dropout_ms = start_ms + static_cast<std::int64_t>(gap(*rng_) * period);
    } else {
      h.next_dropout_ms = std::numeric_limits<std::int64_t>::max();
    }
  }
}

std::vector<VoltageReading> FaultInjector::readings(std::int64_t t) {
  using fault_injector_detail::network_down;
  auto& rng = *rng_;
  const std::int64_t period = config_.reading_period_ms;
  const std::size_t n_zones = fleet_.zones.size();
  // Per zone: faulted phases (bit p; 0x0f = whole zone), phases low before a fault, sag.
  std::vector<std::uint8_t> fault_phases(n_zones), prefault(n_zones);
  std::vector<double> sag(n_zones, 1.0);
  std::vector<int> sag_phase(n_zones, -1);
  std::vector<std::uint64_t> region_down(fleet_.regions.size());
  for (const auto& e : events_) {
    const bool in_period = t < e.end_ms && t + period > e.start_ms;
    if (e.kind == InjectedKind::isp_outage) {
      if (!in_period) continue;
      for (std::size_t r = 0; r < region_down.size(); ++r) {
        if (e.region < 0 || e.region == static_cast<int>(r)) {
          region_down[r] |= std::uint64_t{1} << e.network;
        }
      }
      continue;
    }
    const auto zi = static_cast<std::size_t>(e.zone);
    if (e.kind == InjectedKind::voltage_sag) {
      if (in_period) {
        sag[zi] = e.depth_pu;
        sag_phase[zi] = e.phase;
      }
      continue;
    }
    const std::uint8_t bits = e.phase >= 0 ? static_cast<std::uint8_t>(1U << e.phase) : 0x0f;
    if (in_period) fault_phases[zi] |= bits;
    if (e.sag_before && t + period <= e.start_ms && t + 3 * period > e.start_ms) {
      prefault[zi] |= bits;
    }
  }
  std::exponential_distribution<double> dropout_len(1.0 /
                                                    static_cast<double>(config_.mean_dropout_ms));
  std::vector<VoltageReading> batch;
  batch.reserve(fleet_.hems.size());
  for (std::size_t hi = 0; hi < fleet_.hems.size(); ++hi) {
    auto& h = fleet_.hems[hi];
    while (h.next_dropout_ms <= t) {
      const auto until = h.next_dropout_ms + static_cast<std::int64_t>(dropout_len(rng));
      if (config_.record_dropouts && until > h.dropout_until_ms) {
        dropouts_.push_back(
            {static_cast<int>(hi), std::max(h.next_dropout_ms, h.dropout_until_ms), until});
      }
      counts_.dropouts += until > h.dropout_until_ms ? 1 : 0;
      h.dropout_until_ms = std::max(h.dropout_until_ms, until);
      std::exponential_distribution<double> gap(h.dropouts_per_period);
      h.next_dropout_ms += std::max<std::int64_t>(
          static_cast<std::int64_t>(gap(rng) * static_cast<double>(period)), period);
    }
    const std::int64_t at = t + h.offset_ms;
    const auto zi = static_cast<std::size_t>(h.zone);
    const auto phase_bit = static_cast<std::uint8_t>(1U << h.phase);
    if (fault_phases[zi] & phase_bit) {
      // Power is off only from the fault's start within this period.
      bool off = false;
      for (const auto& e : events_) {
        off = off || (e.is_power_fault() && e.zone == h.zone &&
                      (e.phase < 0 || e.phase == h.phase) && e.active_at(at));
      }
      if (off) {
        ++counts_.lost_to_faults;
        continue;
      }
    }
    if (network_down(region_down, h)) {
      ++counts_.lost_to_isp;
      continue;
    }
    if (at < h.dropout_until_ms) {
      ++counts_.lost_to_dropouts;
      continue;
    }
    double pu = 1.0 + config_.voltage_noise_pu * noise_(rng);
    if (sag[zi] < 1.0 && (sag_phase[zi] < 0 || sag_phase[zi] == h.phase)) {
      pu = sag[zi] + config_.voltage_noise_pu * noise_(rng);
      ++counts_.sagged;
    }
    if (prefault[zi] & phase_bit) pu = std::uniform_real_distribution<double>(0.70, 0.84)(rng);
    batch.push_back({h.id, from_epoch_ms(at), config_.nominal_v * pu});
  }
  // Eligibility is judged on who was reporting when each fault or sag began.
  for (auto& e : events_) {
    if (e.kind == InjectedKind::isp_outage || e.eligible_count >= 0) continue;
    if (e.start_ms >= t + period) continue;
    int reporting = 0;
    for (int i : fleet_.zones[static_cast<std::size_t>(e.zone)].hems) {
      const auto& h = fleet_.hems[static_cast<std::size_t>(i)];
      if (e.phase >= 0 &&
          (h.phase != e.phase || (e.kind == InjectedKind::phase_fault && !h.phase_known))) {
        continue;
      }
      reporting += (!network_down(region_down, h) && e.start_ms >= h.dropout_until_ms) ? 1 : 0;
    }
    e.eligible_count = reporting;
  }
  ++counts_.periods;
  counts_.readings += static_cast<std::int64_t>(batch.size());
  return batch;
}

std::vector<DropoutEpisode> FaultInjector::take_dropouts() {
  std::vector<DropoutEpisode> out;
  out.swap(dropouts_);
  return out;
}

}  // namespace gridke::services::fault_location
