#pragma once
// HemsSimulator: plays a data service provider for the fault-location service — a fleet of
// HEMS in grid zones of several cities reporting one voltage per reading period — injects
// power faults (whole zone, single phase), access-network (ISP) outages across the zones of a
// city, random dropouts (with a few flaky devices) and voltage sags, runs the service
// in-process on a ManualClock (days in seconds) and scores its notifications. The injection
// itself is FaultInjector's (fault_injector.hpp), shared with the live DSP of
// `gridke simulate hems --engine`; this file adds the fleet layout and the scoring.
//
// Scoring. A fault notification is a true positive when its zone had an injected power fault
// and it was raised between the fault's start and its end + T_min + one reading period;
// otherwise it is a false alarm, attributed to an ISP outage of that zone's city when one was
// under way (or ended within T_min) and to random dropouts otherwise. A fault is *eligible*
// when at least N_min HEMS of its group (the zone, or the phase-known HEMS of its phase) were
// reporting when it began; it is detected *in time* when notified within T_min + one period.
// Events are injected without overlap of a power fault and an ISP outage in the same city (an
// overlap is genuinely ambiguous from connectivity alone).
// Thread safety: run() is a pure function of its config (seeded); call from any thread.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "gridke/base/result.hpp"
#include "gridke/services/fault_location/fault_location_service.hpp"

namespace gridke::services::fault_location {

struct SimulationConfig {
  std::uint64_t seed = 20261127;
  int cities = 5;
  int min_zones_per_city = 4;
  int max_zones_per_city = 7;
  int min_hems_per_zone = 10;
  int max_hems_per_zone = 150;
  int days = 30;
  int access_networks = 4;  ///< national ISPs; each city uses 2–3 of them
  double single_network_zone_fraction = 0.15;
  double phase_known_fraction = 0.9;
  double power_faults_per_day = 4.0;  ///< over the whole fleet
  double single_phase_fault_fraction = 0.4;
  double sag_before_fault_fraction = 0.3;  ///< faults whose HEMS report low voltage just before
  double isp_outages_per_day = 2.0;
  double voltage_sags_per_day = 2.0;
  double dropouts_per_hems_day = 1.0;
  Duration mean_dropout{15 * 60'000};
  double flaky_fraction = 0.05;  ///< HEMS that drop out 10x as often
  double voltage_noise_pu = 0.012;
  Duration warmup{6 * 3'600'000};   ///< no events in the first hours (history builds up)
  MonitoringParameters parameters;  ///< N_min and T_min of every zone's request
  ServiceOptions service = fast_service_options();

  /// In-memory database, raw readings not persisted, hourly checkpoints: the evaluation's
  /// default (the detection path is identical with persistence on).
  static ServiceOptions fast_service_options();
  /// Errors: invalid_argument naming the field.
  Result<void> validate() const;
};

struct SimulationReport {
  int cities = 0;
  int zones = 0;
  int hems = 0;
  int days = 0;
  double zone_days = 0.0;
  std::int64_t readings = 0;
  int power_faults = 0;  ///< injected
  int eligible_faults = 0;
  int detected_faults = 0;   ///< eligible and notified (any delay within the fault)
  int detected_in_time = 0;  ///< eligible and notified within T_min + one reading period
  double deadline_s = 0.0;   ///< T_min + one reading period
  double delay_mean_s = 0.0;
  double delay_p95_s = 0.0;
  double delay_max_s = 0.0;
  int fault_notifications = 0;
  int true_notifications = 0;
  int isp_false_alarms = 0;
  int dropout_false_alarms = 0;
  int isp_outages = 0;
  int communication_outage_verdicts = 0;  ///< group-ticks put down to an ISP
  int voltage_sags = 0;                   ///< injected, with >= min_abnormal_hems HEMS
  int sags_detected = 0;
  int voltage_notifications = 0;
  double precision = 1.0;
  double recall = 1.0;
  double dropout_false_alarms_per_1000_zone_days = 0.0;
  double wall_seconds = 0.0;
  double readings_per_second = 0.0;
  std::vector<std::string> misses;  ///< each eligible fault not detected in time, in words

  /// The targets: every eligible fault in time, no ISP false alarm, < 1 false alarm
  /// from dropouts per 1,000 zone-days.
  bool meets_targets() const;
};

/// Runs the simulation. `progress(day, days)` is called after each simulated day.
/// Errors: invalid_argument (config); anything the service returns.
Result<SimulationReport> simulate_hems_fleet(const SimulationConfig& config,
                                             const std::function<void(int, int)>& progress = {});

}  // namespace gridke::services::fault_location
