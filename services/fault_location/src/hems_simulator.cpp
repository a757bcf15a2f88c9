#include "gridke/services/fault_location/hems_simulator.hpp"

#include "gridke/services/fault_location/fault_injector.hpp"

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

  // --- The fleet (the in-process layout: cities of 4-7 postal-code zones) ----------------
  Fleet fleet;
  for (int a = 0; a < cfg.access_networks; ++a)
    fleet.networks.push_back("ISP-" + std::to_string(a + 1));
  fleet.region_networks.resize(static_cast<std::size_t>(cfg.cities));
  for (int c = 0; c < cfg.cities; ++c) {
    fleet.regions.push_back("city " + std::to_string(c + 1));
    std::vector<int> all(static_cast<std::size_t>(cfg.access_networks));
    for (int a = 0; a < cfg.access_networks; ++a) all[static_cast<std::size_t>(a)] = a;
    std::shuffle(all.begin(), all.end(), rng);
    all.resize(static_cast<std::size_t>(std::min(cfg.access_networks, uniform_int(2, 3))));
    fleet.region_networks[static_cast<std::size_t>(c)] = all;
    const int nz = uniform_int(cfg.min_zones_per_city, cfg.max_zones_per_city);
    for (int z = 0; z < nz; ++z) {
      FleetZone zone;
      char id[32];
      std::snprintf(id, sizeof id, "C%d-%04d", c + 1, 1000 + 10 * z);  // city + postal code
      zone.id = id;
      zone.region = c;
      const auto& nets = fleet.region_networks[static_cast<std::size_t>(c)];
      // The first zone of a city is always mixed, so an ISP outage there is visible.
      const bool single = z > 0 && uniform(0, 1) < cfg.single_network_zone_fraction;
      const int only =
          nets[static_cast<std::size_t>(uniform_int(0, static_cast<int>(nets.size()) - 1))];
      const int n = uniform_int(cfg.min_hems_per_zone, cfg.max_hems_per_zone);
      for (int i = 0; i < n; ++i) {
        FleetHems h;
        h.id = zone.id + "-h" + std::to_string(i);
        h.zone = static_cast<int>(fleet.zones.size());
        h.region = c;
        h.phase = uniform_int(0, 2);
        h.phase_known = uniform(0, 1) < cfg.phase_known_fraction;
        h.network =
            single
                ? only
                : nets[static_cast<std::size_t>(uniform_int(0, static_cast<int>(nets.size()) - 1))];
        h.offset_ms = static_cast<std::int64_t>(uniform_int(0, 59)) * 1000;
        const double per_day =
            cfg.dropouts_per_hems_day * (uniform(0, 1) < cfg.flaky_fraction ? 10.0 : 1.0);
        h.dropouts_per_period = per_day / 1440.0;
        zone.hems.push_back(static_cast<int>(fleet.hems.size()));
        fleet.hems.push_back(std::move(h));
      }
      fleet.zones.push_back(std::move(zone));
    }
  }

  // --- The service -----------------------------------------------------------------------
  const std::int64_t start_ms = sim_epoch_ms;
  const std::int64_t end_ms = start_ms + static_cast<std::int64_t>(cfg.days) * 1440 * minute_ms;
  auto clock = std::make_shared<ManualClock>(from_epoch_ms(start_ms));
  ServiceOptions options = cfg.service;
  options.default_parameters = cfg.parameters;
  GRIDKE_ASSIGN_OR_RETURN(auto service, FaultLocationService::open(options, clock));
  for (const auto& z : fleet.zones) {
    const std::string& city = fleet.regions[static_cast<std::size_t>(z.region)];
    GRIDKE_TRY(service->add_zone({z.id, "simulated " + city, 230.0, city}));
  }
  for (const auto& h : fleet.hems) {
    Hems info{h.id, fleet.zones[static_cast<std::size_t>(h.zone)].id,
              h.phase_known ? std::optional<Phase>(static_cast<Phase>(h.phase)) : std::nullopt,
              fleet.networks[static_cast<std::size_t>(h.network)]};
    GRIDKE_TRY(service->add_hems(info));
  }
  for (const auto& z : fleet.zones) {
    GRIDKE_ASSIGN_OR_RETURN(auto d, service->request_monitoring({z.id, {}, {}, {}}));
    (void)d;  // zones smaller than N_min are denied and simply not monitored
  }
  std::vector<Notification> raised;
  service->add_listener([&raised](const Notification& n) {
    if (n.status == NotificationStatus::raised) raised.push_back(n);
  });

  // --- Events and dropouts (the injection model shared with the live DSP) -----------------
  const std::int64_t tmin_ms =
      std::chrono::duration_cast<Duration>(cfg.parameters.min_silence).count();
  const std::int64_t period_ms = options.detection.reading_period.count();
  InjectorConfig injection;
  injection.reading_period_ms = minute_ms;
  injection.voltage_noise_pu = cfg.voltage_noise_pu;
  injection.mean_dropout_ms = cfg.mean_dropout.count();
  injection.single_phase_fault_fraction = cfg.single_phase_fault_fraction;
  injection.sag_before_fault_fraction = cfg.sag_before_fault_fraction;
  injection.conflict_margin_ms = tmin_ms + 30 * minute_ms;
  GRIDKE_ASSIGN_OR_RETURN(auto injector, FaultInjector::create(std::move(fleet), injection, rng));
  const auto& zones = injector.fleet().zones;
  injector.place_random_events(
      {cfg.power_faults_per_day * cfg.days, cfg.isp_outages_per_day * cfg.days,
       cfg.voltage_sags_per_day * cfg.days},
      start_ms + cfg.warmup.count(), end_ms - 4 * 3'600'000);
  injector.start_dropouts(start_ms);

  // --- The minutes ---------------------------------------------------------------------------
  SimulationReport report;
  const std::int64_t total_minutes = static_cast<std::int64_t>(cfg.days) * 1440;
  for (std::int64_t m = 0; m < total_minutes; ++m) {
    const std::int64_t t = start_ms + m * minute_ms;
    const auto batch = injector.readings(t);
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
  report.hems = static_cast<int>(injector.fleet().hems.size());
  report.days = cfg.days;
  report.zone_days = static_cast<double>(zones.size()) * cfg.days;
  report.deadline_s = static_cast<double>(tmin_ms + period_ms) / 1000.0;
  std::map<std::string, int> zone_of;
  for (std::size_t z = 0; z < zones.size(); ++z) zone_of[zones[z].id] = static_cast<int>(z);
  std::vector<double> delays;
  std::set<std::size_t> matched_notes;
  const auto& events = injector.events();
  for (const auto& e : events) {
    if (e.kind == InjectedKind::isp_outage) {
      ++report.isp_outages;
      continue;
    }
    if (e.kind == InjectedKind::voltage_sag) {
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
      report.misses.push_back(std::string(e.kind == InjectedKind::zone_fault ? "zone" : "phase") +
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
    const int city = zones[static_cast<std::size_t>(zone_of[n.zone])].region;
    bool isp = false;
    for (const auto& e : events) {
      isp = isp || (e.kind == InjectedKind::isp_outage && (e.region < 0 || e.region == city) &&
                    e.start_ms <= at && at <= e.end_ms + tmin_ms + 2 * period_ms);
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
