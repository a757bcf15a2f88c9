#pragma once
// The private state of FaultLocationService, shared by its translation units:
// fault_location_service.cpp (API), service_storage.cpp (SQLite schema, load, checkpoint,
// retention) and service_tick.cpp (detection).
// Thread safety: every member is guarded by mu; functions named *_locked require it held.

#include <array>
#include <limits>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "gridke/services/fault_location/fault_location_service.hpp"
#include "gridke/storage/sqlite.hpp"

namespace gridke::services::fault_location {

namespace detail {

inline constexpr std::int64_t never_ms = std::numeric_limits<std::int64_t>::min();
inline constexpr std::size_t recent_capacity = 32;

struct RecentReading {
  std::int64_t t_ms;
  double voltage_v;
};

struct HemsState {
  Hems info;
  std::int64_t key = 0;          // hems.idx in SQLite
  std::uint32_t zone_index = 0;  // into Impl::zones
  std::uint32_t network = 0;     // 0 = unknown, else 1 + index into Impl::networks
  std::int64_t last_seen_ms = never_ms;
  double last_voltage_v = 0.0;
  std::array<RecentReading, recent_capacity> recent{};  // ascending by time
  std::size_t recent_count = 0;
  bool abnormal = false;    // below abnormal_voltage_pu, until back above recovered_voltage_pu
  bool in_episode = false;  // currently silent >= the default T_min
  double episodes = 0.0;    // silence episodes counted for the guard
  std::int64_t observed_ms = 0;
  bool dirty = false;  // changed since the last checkpoint
  bool has_reported() const { return last_seen_ms != never_ms; }
  /// Inserts keeping time order; false if a reading with the same time is already kept.
  bool remember(std::int64_t t_ms, double v);
};

// A notification the service keeps alive, with the HEMS it concerns (never leaves the service).
struct ActiveNotification {
  Notification note;
  std::vector<std::uint32_t> members;  // indices into Impl::hems
};

struct ZoneState {
  GridZone info;
  std::vector<std::uint32_t> members;  // indices into Impl::hems
  // Active notification ids: [0] whole-zone fault, [1..3] phase faults, [4] abnormal voltage.
  std::array<std::string, 5> active;
};

}  // namespace detail

struct FaultLocationService::Impl {
  ServiceOptions options;
  std::shared_ptr<const Clock> clock;
  mutable std::mutex mu;

  // Declared before the statements: it must outlive them. Mutable because const queries
  // prepare statements too; guarded by mu like everything else.
  mutable storage::Database db;
  storage::Statement insert_reading, insert_hems, update_hems_state, upsert_notification,
      insert_member, select_range;

  MonitoringParameters defaults;
  std::vector<detail::ZoneState> zones;
  std::unordered_map<std::string, std::uint32_t> zone_index;
  std::vector<detail::HemsState> hems;
  std::unordered_map<std::string, std::uint32_t> hems_index;
  std::vector<std::string> networks;  // access network names; network n is networks[n - 1]
  std::map<std::string, Monitoring, std::less<>> monitoring;
  std::map<std::string, detail::ActiveNotification, std::less<>> active;
  std::map<std::string, Subscription, std::less<>> subscriptions;
  std::int64_t next_monitoring = 1, next_fault = 1, next_voltage = 1, next_subscription = 1;
  std::int64_t revision = 0;
  std::int64_t last_tick_ms = detail::never_ms;
  std::int64_t last_prune_ms = detail::never_ms;
  std::int64_t last_checkpoint_ms = detail::never_ms;
  std::int64_t last_ingest_ms = detail::never_ms;  // clock time of the last stored reading
  std::vector<ZoneAssessment> assessments;
  std::map<int, Listener> listeners;
  int next_listener = 1;

  // service_storage.cpp
  Result<void> create_schema();
  Result<void> prepare_statements();
  Result<void> load();
  Result<void> checkpoint_locked();
  Result<std::int64_t> prune_locked(std::int64_t now_ms);
  Result<void> save_notification_locked(const detail::ActiveNotification& a, bool new_members);
  Result<void> save_meta_locked(std::string_view key, std::string_view value);
  Result<std::vector<Notification>> load_notifications_locked(const NotificationQuery& q) const;

  // fault_location_service.cpp
  std::uint32_t network_id(const std::string& name);
  ZoneListing listing_locked(std::uint32_t z, std::int64_t now_ms) const;
  MonitoringParameters effective_parameters_locked(std::uint32_t zone, std::int64_t now_ms,
                                                   const Monitoring** first) const;

  // service_tick.cpp
  Result<TickSummary> tick_locked(std::vector<Notification>& events);
};

}  // namespace gridke::services::fault_location
