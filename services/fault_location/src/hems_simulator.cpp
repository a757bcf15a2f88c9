#include "gridke/services/fault_location/hems_simulator.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <random>
#include <set>

namespace gridke::services::fault_location {
namespace {

using namespace std::chrono_literals;

constexpr std::int64_t minute_ms = 60'000;
// 2026-01-01T00:00:00Z: the simulation's epoch.
constexpr std::int64_t sim_epoch_ms = 1'767'225'600'000LL;

struct SimZone {
  std::string id;
  int city = 0;
  std::vector<int> hems;  // indices into SimFleet::hems
};

struct SimHems {
  std::string id;
  int zone = 0;
  int city = 0;
  int true_phase = 0;  // the phase it is really on
  bool phase_known = true;
  int network = 0;   // 0-based ISP index
  int offset_s = 0;  // second within the minute it reports at
  double dropout_rate_per_min = 0.0;
  std::int64_t next_dropout_ms = 0;
  std::int64_t dropout_until_ms = 0;
};

enum class EventKind { zone_fault, phase_fault, isp_outage, voltage_sag };

struct SimEvent {
  EventKind kind;
  int zone = -1;     // faults, sags
  int city = -1;     // ISP outages (and the zone's city)
  int phase = -1;    // phase faults; sags on one phase
  int network = -1;  // ISP outages
  std::int64_t start_ms = 0;
  std::int64_t end_ms = 0;
  bool sag_before = false;
  double depth_pu = 1.0;
  int eligible_count = -1;  // HEMS of the group reporting at the start (faults, sags)
};

}  // namespace

ServiceOptions SimulationConfig::fast_service_options() {
  ServiceOptions o;
  o.database_path = ":memory:";
  o.persist_readings = false;
  o.detection.checkpoint_interval = Duration(3'600'000);
  return o;
}

Result<void> SimulationConfig::validate() const {
  auto positive = [](double v, const char* name) -> Result<void> {
    if (!(v >= 0.0) || !std::isfinite(v)) {
      return invalid_argument(std::string(name) + " must be >= 0, got " + std::to_string(v));
    }
    return ok();
  };
  if (cities < 1) return invalid_argument("cities must be >= 1, got " + std::to_string(cities));
  if (min_zones_per_city < 1 || max_zones_per_city < min_zones_per_city) {
    return invalid_argument("zones per city must satisfy 1 <= min <= max, got " +
                            std::to_string(min_zones_per_city) + ".." +
                            std::to_string(max_zones_per_city));
  }
  if (min_hems_per_zone < 1 || max_hems_per_zone < min_hems_per_zone) {
    return invalid_argument("HEMS per zone must satisfy 1 <= min <= max, got " +
                            std::to_string(min_hems_per_zone) + ".." +
                            std::to_string(max_hems_per_zone));
  }
  if (days < 1) return invalid_argument("days must be >= 1, got " + std::to_string(days));
  if (access_networks < 2 || access_networks > 60) {
    return invalid_argument("access_networks must be in [2, 60], got " +
                            std::to_string(access_networks));
  }
  GRIDKE_TRY(positive(power_faults_per_day, "power_faults_per_day"));
  GRIDKE_TRY(positive(isp_outages_per_day, "isp_outages_per_day"));
  GRIDKE_TRY(positive(voltage_sags_per_day, "voltage_sags_per_day"));
  GRIDKE_TRY(positive(dropouts_per_hems_day, "dropouts_per_hems_day"));
  GRIDKE_TRY(positive(voltage_noise_pu, "voltage_noise_pu"));
  for (auto [v, name] : {std::pair{single_network_zone_fraction, "single_network_zone_fraction"},
                         std::pair{phase_known_fraction, "phase_known_fraction"},
                         std::pair{single_phase_fault_fraction, "single_phase_fault_fraction"},
                         std::pair{sag_before_fault_fraction, "sag_before_fault_fraction"},
                         std::pair{flaky_fraction, "flaky_fraction"}}) {
    if (!(v >= 0.0 && v <= 1.0)) {
      return invalid_argument(std::string(name) + " must be in [0, 1], got " + std::to_string(v));
    }
  }
  if (mean_dropout.count() <= 0) return invalid_argument("mean_dropout must be positive");
  return service.detection.validate();
}

bool SimulationReport::meets_targets() const {
  return detected_in_time == eligible_faults && isp_false_alarms == 0 &&
         dropout_false_alarms_per_1000_zone_days < 1.0;
}

Result<SimulationReport> simulate_hems_fleet(const SimulationConfig& cfg,
                                             const std::function<void(int, int)>& progress) {
  GRIDKE_TRY(cfg.validate());
  const auto wall_start = std::chrono::steady_clock::now();
  std::mt19937_64 rng(cfg.seed);
  auto uniform_int = [&rng](int lo, int hi) {
    return std::uniform_int_distribution<int>(lo, hi)(rng);
  };
  auto uniform = [&rng](double lo, double hi) {
    return std::uniform_real_distribution<double>(lo, hi)(rng);
  };
  std::normal_distribution<double> noise(0.0, 1.0);

  // --- The fleet -------------------------------------------------------------------------
  std::vector<SimZone> zones;
  std::vector<SimHems> hems;
  std::vector<std::vector<int>> city_networks(static_cast<std::size_t>(cfg.cities));
  for (int c = 0; c < cfg.cities; ++c) {
    std::vector<int> all(static_cast<std::size_t>(cfg.access_networks));
    for (int a = 0; a < cfg.access_networks; ++a) all[static_cast<std::size_t>(a)] = a;
    std::shuffle(all.begin(), all.end(), rng);
    all.resize(static_cast<std::size_t>(std::min(cfg.access_networks, uniform_int(2, 3))));
    city_networks[static_cast<std::size_t>(c)] = all;
    const int nz = uniform_int(cfg.min_zones_per_city, cfg.max_zones_per_city);
    for (int z = 0; z < nz; ++z) {
      SimZone zone;
      char id[32];
      std::snprintf(id, sizeof id, "C%d-%04d", c + 1, 1000 + 10 * z);  // city + postal code
      zone.id = id;
      zone.city = c;
      const auto& nets = city_networks[static_cast<std::size_t>(c)];
      // The first zone of a city is always mixed, so an ISP outage there is visible.
      const bool single = z > 0 && uniform(0, 1) < cfg.single_network_zone_fraction;
      const int only =
          nets[static_cast<std::size_t>(uniform_int(0, static_cast<int>(nets.size()) - 1))];
      const int n = uniform_int(cfg.min_hems_per_zone, cfg.max_hems_per_zone);
      for (int i = 0; i < n; ++i) {
        SimHems h;
        h.id = zone.id + "-h" + std::to_string(i);
        h.zone = static_cast<int>(zones.size());
        h.city = c;
        h.true_phase = uniform_int(0, 2);
        h.phase_known = uniform(0, 1) < cfg.phase_known_fraction;
        h.network =
            single
                ? only
                : nets[static_cast<std::size_t>(uniform_int(0, static_cast<int>(nets.size()) - 1))];
        h.offset_s = uniform_int(0, 59);
        const double per_day =
            cfg.dropouts_per_hems_day * (uniform(0, 1) < cfg.flaky_fraction ? 10.0 : 1.0);
        h.dropout_rate_per_min = per_day / 1440.0;
        zone.hems.push_back(static_cast<int>(hems.size()));
        hems.push_back(std::move(h));
      }
      zones.push_back(std::move(zone));
    }
  }

  // --- The service -----------------------------------------------------------------------
  const std::int64_t start_ms = sim_epoch_ms;
  const std::int64_t end_ms = start_ms + static_cast<std::int64_t>(cfg.days) * 1440 * minute_ms;
  auto clock = std::make_shared<ManualClock>(from_epoch_ms(start_ms));
  ServiceOptions options = cfg.service;
  options.default_parameters = cfg.parameters;
  GRIDKE_ASSIGN_OR_RETURN(auto service, FaultLocationService::open(options, clock));
  for (const auto& z : zones) {
    const std::string city = "city " + std::to_string(z.city + 1);
    GRIDKE_TRY(service->add_zone({z.id, "simulated " + city, 230.0, city}));
  }
  for (const auto& h : hems) {
    Hems info{h.id, zones[static_cast<std::size_t>(h.zone)].id,
              h.phase_known ? std::optional<Phase>(static_cast<Phase>(h.true_phase)) : std::nullopt,
              "ISP-" + std::to_string(h.network + 1)};
    GRIDKE_TRY(service->add_hems(info));
  }
  for (const auto& z : zones) {
    GRIDKE_ASSIGN_OR_RETURN(auto d, service->request_monitoring({z.id, {}, {}, {}}));
    (void)d;  // zones smaller than N_min are denied and simply not monitored
  }
  std::vector<Notification> raised;
  service->add_listener([&raised](const Notification& n) {
    if (n.status == NotificationStatus::raised) raised.push_back(n);
  });

  // --- Events ----------------------------------------------------------------------------
  const std::int64_t tmin_ms =
      std::chrono::duration_cast<Duration>(cfg.parameters.min_silence).count();
  const std::int64_t period_ms = options.detection.reading_period.count();
  std::vector<SimEvent> events;
  std::poisson_distribution<int> count_faults(cfg.power_faults_per_day * cfg.days);
  std::poisson_distribution<int> count_isp(cfg.isp_outages_per_day * cfg.days);
  std::poisson_distribution<int> count_sags(cfg.voltage_sags_per_day * cfg.days);
  const std::int64_t first_ms = start_ms + cfg.warmup.count();
  const std::int64_t last_ms = end_ms - 4 * 3'600'000;
  auto random_start = [&]() {
    return first_ms +
           static_cast<std::int64_t>(uniform(0, 1) * static_cast<double>(std::max<std::int64_t>(
                                                         last_ms - first_ms, minute_ms)));
  };
  const std::int64_t margin = tmin_ms + 30 * minute_ms;
  auto conflicts = [&](const SimEvent& e) {
    for (const auto& o : events) {
      const bool overlap = e.start_ms < o.end_ms + margin && o.start_ms < e.end_ms + margin;
      if (!overlap) continue;
      const bool e_fault = e.kind == EventKind::zone_fault || e.kind == EventKind::phase_fault;
      const bool o_fault = o.kind == EventKind::zone_fault || o.kind == EventKind::phase_fault;
      if (e_fault && o_fault && e.zone == o.zone) return true;
      if ((e_fault && o.kind == EventKind::isp_outage && o.city == e.city) ||
          (o_fault && e.kind == EventKind::isp_outage && e.city == o.city)) {
        return true;
      }
      if (e.kind == EventKind::isp_outage && o.kind == EventKind::isp_outage && e.city == o.city) {
        return true;
      }
    }
    return false;
  };
  auto place = [&](SimEvent e, std::int64_t duration_ms) {
    for (int attempt = 0; attempt < 200; ++attempt) {
      e.start_ms = random_start();
      e.end_ms = e.start_ms + duration_ms;
      if (!conflicts(e)) {
        events.push_back(e);
        return;
      }
    }
  };
  const int n_faults = count_faults(rng);
  for (int i = 0; i < n_faults; ++i) {
    SimEvent e;
    e.zone = uniform_int(0, static_cast<int>(zones.size()) - 1);
    e.city = zones[static_cast<std::size_t>(e.zone)].city;
    const bool phase = uniform(0, 1) < cfg.single_phase_fault_fraction;
    e.kind = phase ? EventKind::phase_fault : EventKind::zone_fault;
    e.phase = phase ? uniform_int(0, 2) : -1;
    e.sag_before = uniform(0, 1) < cfg.sag_before_fault_fraction;
    place(e, static_cast<std::int64_t>(uniform(20, 180)) * minute_ms);
  }
  const int n_isp = count_isp(rng);
  for (int i = 0; i < n_isp; ++i) {
    SimEvent e;
    e.kind = EventKind::isp_outage;
    e.city = uniform_int(0, cfg.cities - 1);
    const auto& nets = city_networks[static_cast<std::size_t>(e.city)];
    e.network = nets[static_cast<std::size_t>(uniform_int(0, static_cast<int>(nets.size()) - 1))];
    place(e, static_cast<std::int64_t>(uniform(15, 120)) * minute_ms);
  }
  const int n_sags = count_sags(rng);
  for (int i = 0; i < n_sags; ++i) {
    SimEvent e;
    e.kind = EventKind::voltage_sag;
    e.zone = uniform_int(0, static_cast<int>(zones.size()) - 1);
    e.city = zones[static_cast<std::size_t>(e.zone)].city;
    e.phase = uniform(0, 1) < 0.5 ? uniform_int(0, 2) : -1;
    e.depth_pu = uniform(0.80, 0.88);
    place(e, static_cast<std::int64_t>(uniform(10, 60)) * minute_ms);
  }

  // --- Dropout schedule --------------------------------------------------------------------
  auto next_gap_ms = [&](const SimHems& h) {
    std::exponential_distribution<double> gap(h.dropout_rate_per_min);
    return static_cast<std::int64_t>(gap(rng) * minute_ms);
  };
  std::exponential_distribution<double> dropout_len(1.0 /
                                                    static_cast<double>(cfg.mean_dropout.count()));
  for (auto& h : hems) {
    h.next_dropout_ms = h.dropout_rate_per_min > 0 ? start_ms + next_gap_ms(h) : end_ms;
  }

  // --- The minutes ---------------------------------------------------------------------------
  SimulationReport report;
  std::vector<VoltageReading> batch;
  batch.reserve(hems.size());
  std::vector<std::uint8_t> zone_fault_phases(zones.size());  // bit 3 = whole zone
  std::vector<std::uint8_t> zone_prefault(zones.size());      // same, for the sag before
  std::vector<double> zone_sag(zones.size());
  std::vector<int> zone_sag_phase(zones.size());
  std::vector<std::uint64_t> city_down(static_cast<std::size_t>(cfg.cities));
  const std::int64_t total_minutes = static_cast<std::int64_t>(cfg.days) * 1440;
  for (std::int64_t m = 0; m < total_minutes; ++m) {
    const std::int64_t t = start_ms + m * minute_ms;
    std::fill(zone_fault_phases.begin(), zone_fault_phases.end(), 0);
    std::fill(zone_prefault.begin(), zone_prefault.end(), 0);
    std::fill(zone_sag.begin(), zone_sag.end(), 1.0);
    std::fill(city_down.begin(), city_down.end(), 0);
    for (auto& e : events) {
      const auto zi = static_cast<std::size_t>(std::max(e.zone, 0));
      const std::uint8_t bits = e.phase >= 0 ? static_cast<std::uint8_t>(1U << e.phase) : 0x0f;
      if (e.kind == EventKind::isp_outage) {
        if (t < e.end_ms && t + minute_ms > e.start_ms) {
          city_down[static_cast<std::size_t>(e.city)] |= std::uint64_t{1} << e.network;
        }
        continue;
      }
      if (e.kind == EventKind::voltage_sag) {
        if (t < e.end_ms && t + minute_ms > e.start_ms) {
          zone_sag[zi] = e.depth_pu;
          zone_sag_phase[zi] = e.phase;
        }
        continue;
      }
      if (t < e.end_ms && t + minute_ms > e.start_ms) zone_fault_phases[zi] |= bits;
      if (e.sag_before && t + minute_ms <= e.start_ms && t + 3 * minute_ms > e.start_ms) {
        zone_prefault[zi] |= bits;
      }
    }
    batch.clear();
    for (auto& h : hems) {
      while (h.next_dropout_ms <= t) {
        h.dropout_until_ms = std::max(
            h.dropout_until_ms, h.next_dropout_ms + static_cast<std::int64_t>(dropout_len(rng)));
        h.next_dropout_ms += std::max<std::int64_t>(next_gap_ms(h), minute_ms);
      }
      const std::int64_t at = t + h.offset_s * 1000;
      const auto zi = static_cast<std::size_t>(h.zone);
      const auto phase_bit = static_cast<std::uint8_t>(1U << h.true_phase);
      if (zone_fault_phases[zi] & phase_bit) {
        // Power is off only from the fault's start within this minute.
        bool off = false;
        for (const auto& e : events) {
          if ((e.kind == EventKind::zone_fault || e.kind == EventKind::phase_fault) &&
              e.zone == h.zone && (e.phase < 0 || e.phase == h.true_phase) && at >= e.start_ms &&
              at < e.end_ms) {
            off = true;
          }
        }
        if (off) continue;
      }
      if ((city_down[static_cast<std::size_t>(h.city)] >> h.network) & 1U) continue;
      if (at < h.dropout_until_ms) continue;
      double pu = 1.0 + cfg.voltage_noise_pu * noise(rng);
      if (zone_sag[zi] < 1.0 && (zone_sag_phase[zi] < 0 || zone_sag_phase[zi] == h.true_phase)) {
        pu = zone_sag[zi] + cfg.voltage_noise_pu * noise(rng);
      }
      if (zone_prefault[zi] & phase_bit) pu = uniform(0.70, 0.84);
      batch.push_back({h.id, from_epoch_ms(at), 230.0 * pu});
    }
    // Eligibility is judged on who was reporting when each fault or sag began.
    for (auto& e : events) {
      if (e.kind == EventKind::isp_outage || e.eligible_count >= 0) continue;
      if (e.start_ms >= t + minute_ms) continue;
      int reporting = 0;
      for (int hi : zones[static_cast<std::size_t>(e.zone)].hems) {
        const auto& h = hems[static_cast<std::size_t>(hi)];
        if (e.phase >= 0 &&
            (h.true_phase != e.phase || (e.kind == EventKind::phase_fault && !h.phase_known))) {
          continue;
        }
        const bool isp_down = (city_down[static_cast<std::size_t>(h.city)] >> h.network) & 1U;
        reporting += (!isp_down && e.start_ms >= h.dropout_until_ms) ? 1 : 0;
      }
      e.eligible_count = reporting;
    }
    clock->set(from_epoch_ms(t + minute_ms));
    GRIDKE_ASSIGN_OR_RETURN(auto ingested, service->ingest(batch));
    report.readings += static_cast<std::int64_t>(ingested.stored);
    GRIDKE_ASSIGN_OR_RETURN(auto tick, service->tick());
    report.communication_outage_verdicts += tick.communication_outages;
    if (progress && (m + 1) % 1440 == 0) progress(static_cast<int>((m + 1) / 1440), cfg.days);
  }

  // --- Scoring -----------------------------------------------------------------------------
  report.cities = cfg.cities;
  report.zones = static_cast<int>(zones.size());
  report.hems = static_cast<int>(hems.size());
  report.days = cfg.days;
  report.zone_days = static_cast<double>(zones.size()) * cfg.days;
  report.deadline_s = static_cast<double>(tmin_ms + period_ms) / 1000.0;
  std::map<std::string, int> zone_of;
  for (std::size_t z = 0; z < zones.size(); ++z) zone_of[zones[z].id] = static_cast<int>(z);
  std::vector<double> delays;
  std::set<std::size_t> matched_notes;
  for (const auto& e : events) {
    if (e.kind == EventKind::isp_outage) {
      ++report.isp_outages;
      continue;
    }
    if (e.kind == EventKind::voltage_sag) {
      if (e.eligible_count < options.detection.min_abnormal_hems) continue;
      ++report.voltage_sags;
      for (const auto& n : raised) {
        if (n.kind == NotificationKind::abnormal_voltage && zone_of[n.zone] == e.zone &&
            to_epoch_ms(n.raised_at) >= e.start_ms &&
            to_epoch_ms(n.raised_at) <= e.end_ms + 2 * period_ms) {
          ++report.sags_detected;
          break;
        }
      }
      continue;
    }
    ++report.power_faults;
    const bool eligible = e.eligible_count >= cfg.parameters.min_silent_hems;
    report.eligible_faults += eligible ? 1 : 0;
    std::optional<std::int64_t> delay;
    for (std::size_t i = 0; i < raised.size(); ++i) {
      const auto& n = raised[i];
      if (n.kind != NotificationKind::power_fault || zone_of[n.zone] != e.zone) continue;
      const std::int64_t at = to_epoch_ms(n.raised_at);
      if (at < e.start_ms || at > e.end_ms + tmin_ms + period_ms) continue;
      matched_notes.insert(i);
      if (!delay || at - e.start_ms < *delay) delay = at - e.start_ms;
    }
    if (!eligible) continue;
    if (delay) {
      ++report.detected_faults;
      delays.push_back(static_cast<double>(*delay) / 1000.0);
      if (*delay <= tmin_ms + period_ms) ++report.detected_in_time;
    }
    if (!delay || *delay > tmin_ms + period_ms) {
      report.misses.push_back(std::string(e.kind == EventKind::zone_fault ? "zone" : "phase") +
                              " fault in " + zones[static_cast<std::size_t>(e.zone)].id +
                              " at minute " + std::to_string((e.start_ms - start_ms) / minute_ms) +
                              " (" + std::to_string(e.eligible_count) + " HEMS): " +
                              (delay ? "late by " + std::to_string(*delay / 1000) + " s"
                                     : std::string("not notified")));
    }
  }
  for (std::size_t i = 0; i < raised.size(); ++i) {
    const auto& n = raised[i];
    if (n.kind == NotificationKind::abnormal_voltage) {
      ++report.voltage_notifications;
      continue;
    }
    ++report.fault_notifications;
    if (matched_notes.contains(i)) {
      ++report.true_notifications;
      continue;
    }
    const std::int64_t at = to_epoch_ms(n.raised_at);
    const int city = zones[static_cast<std::size_t>(zone_of[n.zone])].city;
    bool isp = false;
    for (const auto& e : events) {
      isp = isp || (e.kind == EventKind::isp_outage && e.city == city && e.start_ms <= at &&
                    at <= e.end_ms + tmin_ms + 2 * period_ms);
    }
    ++(isp ? report.isp_false_alarms : report.dropout_false_alarms);
  }
  if (!delays.empty()) {
    std::sort(delays.begin(), delays.end());
    double sum = 0.0;
    for (double d : delays) sum += d;
    report.delay_mean_s = sum / static_cast<double>(delays.size());
    report.delay_p95_s =
        delays[std::min(delays.size() - 1, static_cast<std::size_t>(0.95 * delays.size()))];
    report.delay_max_s = delays.back();
  }
  report.precision =
      report.fault_notifications == 0
          ? 1.0
          : static_cast<double>(report.true_notifications) / report.fault_notifications;
  report.recall = report.eligible_faults == 0
                      ? 1.0
                      : static_cast<double>(report.detected_faults) / report.eligible_faults;
  report.dropout_false_alarms_per_1000_zone_days =
      1000.0 * report.dropout_false_alarms / report.zone_days;
  report.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  report.readings_per_second = static_cast<double>(report.readings) / report.wall_seconds;
  return report;
}

}  // namespace gridke::services::fault_location
