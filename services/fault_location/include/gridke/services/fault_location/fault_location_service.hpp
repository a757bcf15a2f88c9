#pragma once
// FaultLocationService: InterConnect Observability service 1 (D4.3 §4.1.1) — locates potential
// distribution-grid faults per grid zone from HEMS connectivity and voltages, and flags
// abnormal (below-nominal) voltages. Its own C++ API; the REST front door
// (services/fault_location/http) and the SSA (adapters/fault_location) both call it.
//
// Storage: one SQLite file (WAL): zones, HEMS, monitoring requests, raw readings (kept for
// DetectionSettings::raw_retention, then deleted by a sweep whose freed pages are reused, so
// the file stays at about retention x rate x ~40 bytes), per-HEMS state and history
// (checkpointed), notifications (kept until cleared, then for notification_retention) and
// callback subscriptions. Reopening the file restores all of it.
//
// Thread safety: internally synchronised; every method may be called from any thread.
// Listeners are called outside the internal lock, on the thread that ran tick().
// Ownership: the service shares ownership of its Clock.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "gridke/base/result.hpp"
#include "gridke/services/fault_location/clock.hpp"
#include "gridke/services/fault_location/detection.hpp"
#include "gridke/services/fault_location/model.hpp"

namespace gridke::services::fault_location {

struct ServiceOptions {
  /// SQLite file; ":memory:" keeps everything in memory (lost on close).
  std::string database_path = ":memory:";
  /// false: raw readings update the in-memory state only (the simulator's fast mode);
  /// everything else is still stored.
  bool persist_readings = true;
  DetectionSettings detection;
  /// Defaults for requests that omit N_min / T_min, until set_default_parameters() stores
  /// others in the database.
  MonitoringParameters default_parameters;
  /// Cleared notifications older than this are deleted by the retention sweep.
  Duration notification_retention{30LL * 24 * 3'600'000};
  /// Readings stamped later than now + this are rejected.
  Duration max_clock_skew{300'000};
};

/// The verdict of the last tick for one group (a zone, or one phase of it).
struct ZoneAssessment {
  std::string zone;
  std::optional<Phase> phase;
  SilenceClass verdict = SilenceClass::none;
  int silent = 0;
  int monitored = 0;
  std::string reason;
};

/// What one detection tick did.
struct TickSummary {
  Timestamp at;
  int zones_evaluated = 0;
  int raised = 0;
  int updated = 0;
  int cleared = 0;
  int communication_outages = 0;  ///< groups whose silence was put down to an ISP
  /// No ingest call (an empty batch counts as a DSP heartbeat) for a whole T_min: the feed, not
  /// the grid, is silent, so detection was skipped.
  bool feed_silent = false;
};

/// Which notifications to list.
struct NotificationQuery {
  std::optional<std::string> zone;
  std::optional<NotificationKind> kind;
  bool active_only = false;
  std::int64_t since_revision = 0;  ///< only those changed after this revision
};

/// A stored callback endpoint (the REST front door POSTs notifications to it).
struct Subscription {
  std::string id;        ///< "sub-<n>"
  std::string endpoint;  ///< callback URL (validated by the front door)
  std::string zone;      ///< empty = all zones
  Timestamp created_at;
};

/// Storage figures for the retention mechanism.
struct StorageStats {
  std::int64_t readings = 0;
  std::int64_t page_count = 0;
  std::int64_t freelist_pages = 0;
  std::int64_t page_size = 0;
  std::int64_t file_bytes() const { return page_count * page_size; }
};

class FaultLocationService {
 public:
  using Listener = std::function<void(const Notification&)>;

  /// Opens (creating if needed) the database and restores the stored state.
  /// Errors: invalid_argument (settings or parameters, naming the field); unavailable (file
  /// cannot be opened); failed_precondition (not a GridKE fault-location database).
  static Result<std::unique_ptr<FaultLocationService>> open(ServiceOptions options,
                                                            std::shared_ptr<const Clock> clock);
  ~FaultLocationService();  ///< checkpoints per-HEMS state
  FaultLocationService(const FaultLocationService&) = delete;
  FaultLocationService& operator=(const FaultLocationService&) = delete;

  // --- Grid zones and HEMS -------------------------------------------------------------
  /// Errors: invalid_argument (empty id, nominal voltage not in (0, 1000]); already_exists.
  Result<void> add_zone(const GridZone& zone);
  /// Errors: invalid_argument (empty id); not_found (zone); already_exists (id).
  Result<void> add_hems(const Hems& hems);
  /// All zones with their HEMS ids, sorted by zone id.
  std::vector<ZoneListing> list_zones() const;
  /// Errors: not_found.
  Result<ZoneListing> zone(std::string_view zone_id) const;

  // --- Parameters and monitoring (D4.3: {HEMS Nbr}, {HEMS Elps_Time}, {Postal Code}) ----
  MonitoringParameters default_parameters() const;
  /// Stores new defaults. Errors: invalid_argument naming min_silent_hems / min_silence.
  Result<void> set_default_parameters(const MonitoringParameters& p);
  /// Accepted if the zone exists and has at least N_min monitorable HEMS, else Denied (not an
  /// error). Errors: invalid_argument for a bad parameter or window (named).
  Result<MonitoringDecision> request_monitoring(const MonitoringRequest& request);
  std::vector<Monitoring> list_monitoring() const;
  /// Errors: not_found.
  Result<void> cancel_monitoring(std::string_view monitoring_id);

  // --- Readings and HEMS queries (D4.3: {HEMS ID_Status}, {HEMS ID_Volt}) --------------
  /// Stores readings (any order; duplicates and expired readings are counted and ignored).
  /// All-or-nothing validation first. Errors: invalid_argument naming "readings[i].<field>"
  /// (unknown HEMS, voltage not finite or outside [0, 1000] V, time in the future).
  Result<IngestSummary> ingest(std::span<const VoltageReading> readings);
  /// Errors: not_found.
  Result<HemsStatus> hems_status(std::string_view hems_id) const;
  /// Readings of one HEMS, newest first: the last `limit` kept in memory (<= 32) when `range`
  /// is empty, else from storage within the range (at most `limit`).
  /// Errors: not_found (HEMS); invalid_argument (limit < 1, empty range).
  Result<std::vector<VoltageReading>> hems_voltages(std::string_view hems_id, int limit,
                                                    std::optional<TimeWindow> range = {}) const;

  // --- Detection and notifications ------------------------------------------------------
  /// Runs detection for every monitored zone at clock->now(), then the retention sweep and
  /// checkpoint when due. Raised/updated/cleared notifications go to listeners.
  Result<TickSummary> tick();
  /// The group verdicts of the last tick (groups that were candidates or had a notification).
  std::vector<ZoneAssessment> last_assessments() const;
  std::vector<Notification> notifications(const NotificationQuery& query = {}) const;
  /// Errors: not_found.
  Result<Notification> notification(std::string_view id) const;
  /// The highest revision so far (a polling cursor).
  std::int64_t revision() const;
  /// Registers an in-process listener; returns a handle for remove_listener().
  int add_listener(Listener listener);
  void remove_listener(int handle);

  // --- Subscriptions (stored for the front doors) ---------------------------------------
  /// Errors: invalid_argument (empty endpoint); not_found (zone, if given).
  Result<Subscription> add_subscription(std::string endpoint, std::string zone);
  std::vector<Subscription> subscriptions() const;
  /// Errors: not_found.
  Result<void> remove_subscription(std::string_view id);

  // --- Storage ----------------------------------------------------------------------------
  /// Writes per-HEMS state now.
  Result<void> checkpoint();
  /// Deletes raw readings older than raw_retention and old cleared notifications; returns the
  /// number of readings deleted.
  Result<std::int64_t> prune();
  Result<StorageStats> storage_stats() const;
  const DetectionSettings& settings() const;

 private:
  struct Impl;
  explicit FaultLocationService(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace gridke::services::fault_location
