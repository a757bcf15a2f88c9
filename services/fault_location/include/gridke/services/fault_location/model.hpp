#pragma once
// The fault-location service's vocabulary (InterConnect D4.3 §4.1.1, Table 6): grid zones and
// their HEMS, monitoring parameters and requests, voltage readings, and the zone-level
// notifications the service raises.
// Thread safety: plain values; immutable once built, share const objects freely.
// Ownership: every type owns its strings and vectors.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gridke/services/fault_location/clock.hpp"

namespace gridke::services::fault_location {

/// The phase a single-phase HEMS connection is on, when the DSO knows it.
enum class Phase : std::uint8_t { l1, l2, l3 };
std::string_view to_string(Phase p) noexcept;
/// "L1"/"l1"/"a"/"1" → l1, and likewise; nullopt for anything else.
std::optional<Phase> parse_phase(std::string_view text) noexcept;

/// A grid zone: a neighbourhood or postal code, the unit the DSO monitors (D4.3 Table 6).
struct GridZone {
  std::string id;                    ///< e.g. a postal code "4200-072"; unique
  std::string description;           ///< free text (city, substation), may be empty
  double nominal_voltage_v = 230.0;  ///< phase-to-neutral nominal of the zone's LV network
  /// Neighbourhood for access-network corroboration (a city, a substation area): an ISP that is
  /// dark in another zone of the same region explains silence here. "" is a region too.
  std::string region;
};

/// A HEMS that reports its connection-point voltage through the data service provider.
struct Hems {
  std::string id;              ///< unique across zones
  std::string zone;            ///< GridZone::id it is connected in
  std::optional<Phase> phase;  ///< if known
  std::string access_network;  ///< ISP / access network if known, else empty
};

/// A time window [start, end); a monitoring request without one is permanent.
struct TimeWindow {
  Timestamp start;
  Timestamp end;
  bool contains(Timestamp t) const noexcept { return t >= start && t < end; }
};

/// The two DSO-settable trigger parameters of D4.3 §4.1.1 (both optional, both defaulted).
struct MonitoringParameters {
  /// Minimum number of HEMS not communicating to trigger a potential fault alert (N_min).
  int min_silent_hems = 3;
  /// Minimum elapsed time not communicating (T_min).
  std::chrono::seconds min_silence{300};
};

/// A DSO request to monitor one grid zone (D4.3: "POST .../{Postal Code}").
struct MonitoringRequest {
  std::string zone;
  std::optional<int> min_silent_hems;               ///< default: service parameters
  std::optional<std::chrono::seconds> min_silence;  ///< default: service parameters
  std::optional<TimeWindow> window;                 ///< nullopt = permanent monitoring
};

/// The literal answers D4.3 §4.1.1 prescribes.
inline constexpr std::string_view accepted_text = "Accepted";
inline constexpr std::string_view denied_text =
    "Denied, could not reach Grid Zone or min. nbr. of HEMS";

/// An accepted, stored monitoring request (effective parameters resolved).
struct Monitoring {
  std::string id;  ///< "mon-<n>"
  std::string zone;
  MonitoringParameters parameters;
  std::optional<TimeWindow> window;
  Timestamp created_at;
  bool is_active(Timestamp t) const noexcept { return !window || window->contains(t); }
};

/// The answer to a monitoring request: Accepted (with the stored request) or Denied (with why).
struct MonitoringDecision {
  bool accepted = false;
  std::string status;                    ///< accepted_text or denied_text
  std::string reason;                    ///< empty when accepted; the detail when denied
  std::optional<Monitoring> monitoring;  ///< set when accepted
};

/// One voltage reading reported by the DSP for a HEMS (D4.3 Table 6: V, timestamp, HEMS id).
struct VoltageReading {
  std::string hems_id;
  Timestamp time;
  double voltage_v = 0.0;
};

/// What one ingest call did with its readings.
struct IngestSummary {
  std::size_t stored = 0;      ///< new readings kept
  std::size_t duplicates = 0;  ///< same HEMS and timestamp as a stored reading: ignored
  std::size_t expired = 0;     ///< older than the retention horizon: ignored
};

/// The communication status of one HEMS (D4.3: "GET .../{HEMS ID_Status}").
struct HemsStatus {
  std::string hems_id;
  std::string zone;
  bool communicating = false;            ///< reported within the zone's T_min
  std::optional<Timestamp> last_seen;    ///< newest reading time, if any
  std::optional<double> last_voltage_v;  ///< voltage of that reading
  std::optional<Duration> silent_for;    ///< now - last_seen
};

/// A zone and the HEMS that can be monitored in it (D4.3: "GET .../{GridZones}").
struct ZoneListing {
  GridZone zone;
  std::vector<std::string> hems_ids;
  bool monitored = false;  ///< an accepted monitoring request covers "now"
};

enum class NotificationKind : std::uint8_t {
  power_fault,       ///< potential outage in the zone (or on one phase of it)
  abnormal_voltage,  ///< voltages in the zone below the abnormal threshold
};
enum class NotificationStatus : std::uint8_t { raised, updated, cleared };
std::string_view to_string(NotificationKind k) noexcept;
std::string_view to_string(NotificationStatus s) noexcept;

/// A voltage reading as it leaves the service: value and time only, never the HEMS id (privacy:
/// only zone-level results leave the service).
struct AbnormalReading {
  Timestamp time;
  double voltage_v = 0.0;
};

/// A zone-level notification and its lifecycle (D4.3: "POST .../{Post Code_Fault}").
/// Kept until the problem is solved (status cleared) and across restarts.
struct Notification {
  std::string id;  ///< "fault-<n>" or "voltage-<n>"
  NotificationKind kind = NotificationKind::power_fault;
  NotificationStatus status = NotificationStatus::raised;
  std::string zone;
  std::optional<Phase> phase;  ///< set for a single-phase fault
  std::string monitoring_id;   ///< the request that covered the zone
  int affected_hems = 0;       ///< potentially faulty disconnections / HEMS below threshold
  int monitored_hems = 0;      ///< HEMS considered in the zone (or phase)
  std::string confidence;      ///< "high" (corroborated by ISPs or voltages) or "medium"
  std::string reason;          ///< why the rule fired, in words
  double false_alarm_probability = 0.0;  ///< the guard's tail probability at raise time
  Timestamp onset;  ///< earliest last-seen of the silent HEMS / first low reading
  Timestamp raised_at;
  Timestamp updated_at;
  std::optional<Timestamp> cleared_at;
  std::vector<AbnormalReading> abnormal_readings;  ///< newest first, at most 64
  std::int64_t revision = 0;  ///< service-wide change sequence of the last change
};

}  // namespace gridke::services::fault_location
