#pragma once
// FaultInjector: the fault-injection model shared by both HEMS simulators — the in-process
// evaluation (hems_simulator.hpp, on a simulated clock) and the live data service provider
// (`gridke simulate hems --engine URL`, in real time). Given a fleet of HEMS in grid zones and
// regions, it holds the injected events — power faults (a whole zone, or one phase of it),
// access-network (ISP) outages across the zones of a region, voltage sags — and random dropouts
// of single HEMS, and produces each reading period's voltage readings with all of them applied,
// recording the ground truth (what was injected, and how many HEMS of each faulted or sagged
// group were reporting when it began).
//
// Time is epoch milliseconds throughout (the in-process simulation's clock or the wall clock).
// A HEMS reports once per reading period at its offset within the period; it is silent while
// its zone (or its phase) is without power, while its access network is down in its region and
// during a dropout. Its voltage is nominal x (1 + noise), the sag depth during a sag of its zone
// (or phase), and 0.70-0.84 pu in the two periods before a fault marked sag_before.
//
// Random events are placed without overlap of a power fault and an ISP outage in the same region
// (an overlap is genuinely ambiguous from connectivity alone), nor of two faults in one zone, nor
// of two ISP outages in one region, each kept apart by conflict_margin. Scheduled events
// (add_event) are taken as given.
//
// Thread safety: not synchronised; one thread uses an injector. Deterministic for a given random
// generator state and call sequence.
// Ownership: owns its fleet and events; borrows the caller's random generator, which must
// outlive it.

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "gridke/base/result.hpp"
#include "gridke/services/fault_location/model.hpp"

namespace gridke::services::fault_location {

struct FleetZone {
  std::string id;
  int region = 0;         ///< index into Fleet::regions
  std::vector<int> hems;  ///< indices into Fleet::hems
};

struct FleetHems {
  std::string id;
  int zone = 0;    ///< index into Fleet::zones
  int region = 0;  ///< the zone's region
  int phase = 0;   ///< the phase it is really on, 0..2 (L1..L3)
  bool phase_known = true;
  int network = 0;                   ///< index into Fleet::networks
  std::int64_t offset_ms = 0;        ///< when within each reading period it reports
  double dropouts_per_period = 0;    ///< rate of dropout episodes (exponential gaps)
  std::int64_t next_dropout_ms = 0;  ///< maintained by the injector
  std::int64_t dropout_until_ms = 0;
};

/// The simulated fleet: zones in regions (cities), HEMS on access networks.
struct Fleet {
  std::vector<std::string> regions;   ///< region names (GridZone::region)
  std::vector<std::string> networks;  ///< access-network names (Hems::access_network)
  std::vector<FleetZone> zones;
  std::vector<FleetHems> hems;
  /// Per region, the networks a random ISP outage there picks from; when empty, those its HEMS
  /// use (in index order).
  std::vector<std::vector<int>> region_networks;

  /// Consistency of the indices (zone, region, network, phase of every HEMS; 1..64 networks).
  /// Errors: invalid_argument naming the HEMS or zone and the field.
  Result<void> validate() const;
  /// Index of a zone / network / region by name, or -1.
  int zone_index(std::string_view id) const;
  int network_index(std::string_view name) const;
  int region_index(std::string_view name) const;
};

enum class InjectedKind : std::uint8_t { zone_fault, phase_fault, isp_outage, voltage_sag };
/// "zone_fault", "phase_fault", "isp_outage", "voltage_sag".
std::string_view to_string(InjectedKind k) noexcept;

/// One injected event and its ground truth.
struct InjectedEvent {
  InjectedKind kind = InjectedKind::zone_fault;
  int zone = -1;     ///< faults and sags
  int region = -1;   ///< ISP outages: the region, or -1 for every region; else the zone's
  int phase = -1;    ///< phase faults (0..2); sags on one phase, or -1 for all phases
  int network = -1;  ///< ISP outages
  std::int64_t start_ms = 0;
  std::int64_t end_ms = 0;  ///< exclusive
  bool sag_before = false;  ///< faults: low voltages in the two periods before the cut
  double depth_pu = 1.0;    ///< sags: the voltage during the sag
  /// Faults and sags: HEMS of the group (the zone, or its phase; phase-known HEMS only for a
  /// phase fault) reporting when the event began; -1 until readings() has passed its start.
  int eligible_count = -1;
  bool scheduled = false;  ///< added by add_event (else placed at random)

  bool is_power_fault() const noexcept {
    return kind == InjectedKind::zone_fault || kind == InjectedKind::phase_fault;
  }
  bool active_at(std::int64_t t_ms) const noexcept { return t_ms >= start_ms && t_ms < end_ms; }
};

/// A dropout of one HEMS (recorded when InjectorConfig::record_dropouts is set).
struct DropoutEpisode {
  int hems = 0;
  std::int64_t start_ms = 0;
  std::int64_t end_ms = 0;
};

/// Expected numbers of random events to place in one window.
struct RandomEventCounts {
  double power_faults = 0;
  double isp_outages = 0;
  double voltage_sags = 0;
};

struct InjectorConfig {
  std::int64_t reading_period_ms = 60'000;
  double nominal_v = 230.0;
  double voltage_noise_pu = 0.012;
  std::int64_t mean_dropout_ms = 15 * 60'000;  ///< exponential episode length
  double single_phase_fault_fraction = 0.4;    ///< random faults on one phase only
  double sag_before_fault_fraction = 0.3;      ///< random faults with low voltages before
  /// Durations of random events, in reading periods (uniform, whole periods).
  double fault_periods_min = 20, fault_periods_max = 180;
  double isp_periods_min = 15, isp_periods_max = 120;
  double sag_periods_min = 10, sag_periods_max = 60;
  double sag_depth_min_pu = 0.80, sag_depth_max_pu = 0.88;
  /// Random events of conflicting kinds (see above) are kept this far apart.
  std::int64_t conflict_margin_ms = 35 * 60'000;
  bool record_dropouts = false;  ///< keep DropoutEpisodes for take_dropouts()

  /// Errors: invalid_argument naming the field.
  Result<void> validate() const;
};

/// Why readings were not produced, summed over every readings() call.
struct InjectionCounts {
  std::int64_t periods = 0;
  std::int64_t readings = 0;        ///< produced
  std::int64_t lost_to_faults = 0;  ///< HEMS without power
  std::int64_t lost_to_isp = 0;     ///< access network down
  std::int64_t lost_to_dropouts = 0;
  std::int64_t dropouts = 0;  ///< dropout episodes begun
  std::int64_t sagged = 0;    ///< readings during a sag of their zone or phase
};

class FaultInjector {
 public:
  /// Errors: invalid_argument from Fleet::validate() or InjectorConfig::validate().
  static Result<FaultInjector> create(Fleet fleet, InjectorConfig config, std::mt19937_64& rng);

  const Fleet& fleet() const { return fleet_; }
  const InjectorConfig& config() const { return config_; }
  const std::vector<InjectedEvent>& events() const { return events_; }
  const InjectionCounts& counts() const { return counts_; }

  /// Adds a scheduled event. Errors: invalid_argument (zone, region, network or phase out of
  /// range for its kind; end <= start; sag depth not in (0, 1)).
  Result<void> add_event(InjectedEvent event);
  /// Places Poisson(expected) random events of each kind (faults, then ISP outages, then sags),
  /// starting uniformly in [from_ms, to_ms), without conflicts (an event that finds no free slot
  /// in 200 tries is dropped).
  void place_random_events(const RandomEventCounts& expected, std::int64_t from_ms,
                           std::int64_t to_ms);
  /// Draws each HEMS's first dropout after `start_ms`. Call once, before the first readings().
  void start_dropouts(std::int64_t start_ms);
  /// The readings of the reading period that begins at `t_ms` (each HEMS at t_ms + its offset),
  /// with every event and dropout applied; records eligible counts of events begun by then.
  std::vector<VoltageReading> readings(std::int64_t t_ms);
  /// Dropout episodes begun since the last call (empty unless record_dropouts).
  std::vector<DropoutEpisode> take_dropouts();

 private:
  FaultInjector(Fleet fleet, InjectorConfig config, std::mt19937_64& rng)
      : fleet_(std::move(fleet)), config_(config), rng_(&rng) {}
  bool conflicts(const InjectedEvent& e) const;
  void place(InjectedEvent e, std::int64_t duration_ms, std::int64_t from_ms, std::int64_t to_ms);
  std::int64_t random_periods(double lo, double hi);

  Fleet fleet_;
  InjectorConfig config_;
  std::mt19937_64* rng_;
  std::vector<InjectedEvent> events_;
  std::vector<DropoutEpisode> dropouts_;
  InjectionCounts counts_;
  std::normal_distribution<double> noise_{0.0, 1.0};  // keeps its cached second draw
};

}  // namespace gridke::services::fault_location
