// FaultLocationService: open, registry, parameters, monitoring requests, ingestion, queries.
// Detection is in service_tick.cpp, storage in service_storage.cpp.

#include "gridke/services/fault_location/fault_location_service.hpp"

#include <algorithm>
#include <cmath>

#include "service_impl.hpp"

namespace gridke::services::fault_location {

using storage::Statement;

namespace {

constexpr int max_min_silent_hems = 100'000;
constexpr std::chrono::seconds max_min_silence{7 * 24 * 3600};
constexpr double max_voltage_v = 1000.0;

Result<void> validate_parameters(const MonitoringParameters& p, Duration reading_period,
                                 std::string_view prefix) {
  if (p.min_silent_hems < 1 || p.min_silent_hems > max_min_silent_hems) {
    return invalid_argument(std::string(prefix) + "min_silent_hems must be in [1, " +
                            std::to_string(max_min_silent_hems) + "], got " +
                            std::to_string(p.min_silent_hems));
  }
  if (p.min_silence <= reading_period || p.min_silence > max_min_silence) {
    return invalid_argument(std::string(prefix) + "min_silence must exceed the reading period (" +
                            std::to_string(reading_period.count() / 1000) +
                            " s) and be at most 7 days, got " +
                            std::to_string(p.min_silence.count()) + " s");
  }
  return ok();
}

}  // namespace

bool detail::HemsState::remember(std::int64_t t_ms, double v) {
  std::size_t pos = recent_count;
  while (pos > 0 && recent[pos - 1].t_ms > t_ms) --pos;
  if (pos > 0 && recent[pos - 1].t_ms == t_ms) return false;
  if (recent_count == recent_capacity) {
    if (pos == 0) return true;  // older than everything kept: stored, not remembered
    std::move(recent.begin() + 1, recent.begin() + static_cast<std::ptrdiff_t>(pos),
              recent.begin());
    --pos;
  } else {
    std::move_backward(recent.begin() + static_cast<std::ptrdiff_t>(pos),
                       recent.begin() + static_cast<std::ptrdiff_t>(recent_count),
                       recent.begin() + static_cast<std::ptrdiff_t>(recent_count) + 1);
    ++recent_count;
  }
  recent[pos] = {t_ms, v};
  return true;
}

std::uint32_t FaultLocationService::Impl::network_id(const std::string& name) {
  if (name.empty()) return 0;
  for (std::size_t i = 0; i < networks.size(); ++i) {
    if (networks[i] == name) return static_cast<std::uint32_t>(i + 1);
  }
  networks.push_back(name);
  return static_cast<std::uint32_t>(networks.size());
}

MonitoringParameters FaultLocationService::Impl::effective_parameters_locked(
    std::uint32_t zone, std::int64_t now_ms, const Monitoring** first) const {
  // Several active requests on one zone: the most sensitive parameters of each kind apply.
  MonitoringParameters p;
  bool any = false;
  *first = nullptr;
  for (const auto& [id, m] : monitoring) {
    if (m.zone != zones[zone].info.id || !m.is_active(from_epoch_ms(now_ms))) continue;
    if (!any) {
      p = m.parameters;
      *first = &m;
      any = true;
    } else {
      p.min_silent_hems = std::min(p.min_silent_hems, m.parameters.min_silent_hems);
      p.min_silence = std::min(p.min_silence, m.parameters.min_silence);
    }
  }
  return any ? p : defaults;
}

FaultLocationService::FaultLocationService(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

FaultLocationService::~FaultLocationService() {
  if (!impl_) return;
  std::lock_guard lock(impl_->mu);
  (void)impl_->checkpoint_locked();  // best effort; state since then is rebuilt from readings
}

Result<std::unique_ptr<FaultLocationService>> FaultLocationService::open(
    ServiceOptions options, std::shared_ptr<const Clock> clock) {
  if (!clock) return invalid_argument("clock must not be null");
  GRIDKE_TRY(options.detection.validate());
  GRIDKE_TRY(validate_parameters(options.default_parameters, options.detection.reading_period,
                                 "default_parameters."));
  if (options.notification_retention.count() <= 0 || options.max_clock_skew.count() < 0) {
    return invalid_argument("notification_retention must be positive and max_clock_skew >= 0");
  }
  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  impl->clock = std::move(clock);
  impl->defaults = impl->options.default_parameters;
  GRIDKE_ASSIGN_OR_RETURN(impl->db, storage::Database::open(impl->options.database_path));
  GRIDKE_TRY(impl->create_schema());
  GRIDKE_TRY(impl->prepare_statements());
  GRIDKE_TRY(impl->load());
  return std::unique_ptr<FaultLocationService>(new FaultLocationService(std::move(impl)));
}

const DetectionSettings& FaultLocationService::settings() const { return impl_->options.detection; }

Result<void> FaultLocationService::add_zone(const GridZone& zone) {
  if (zone.id.empty()) return invalid_argument("zone.id must not be empty");
  if (!(zone.nominal_voltage_v > 0.0 && zone.nominal_voltage_v <= max_voltage_v)) {
    return invalid_argument("zone.nominal_voltage_v must be in (0, 1000] V, got " +
                            std::to_string(zone.nominal_voltage_v));
  }
  std::lock_guard lock(impl_->mu);
  if (impl_->zone_index.contains(zone.id)) {
    return already_exists("grid zone '" + zone.id + "' already exists");
  }
  GRIDKE_ASSIGN_OR_RETURN(auto s, impl_->db.prepare("INSERT INTO zones(id, description, "
                                                    "nominal_v, region) VALUES(?, ?, ?, ?)"));
  s.bind(1, zone.id).bind(2, zone.description).bind(3, zone.nominal_voltage_v).bind(4, zone.region);
  GRIDKE_TRY(s.run());
  detail::ZoneState z;
  z.info = zone;
  impl_->zone_index.emplace(zone.id, static_cast<std::uint32_t>(impl_->zones.size()));
  impl_->zones.push_back(std::move(z));
  return ok();
}

Result<void> FaultLocationService::add_hems(const Hems& h) {
  if (h.id.empty()) return invalid_argument("hems.id must not be empty");
  std::lock_guard lock(impl_->mu);
  auto zit = impl_->zone_index.find(h.zone);
  if (zit == impl_->zone_index.end()) {
    return not_found("hems.zone: grid zone '" + h.zone + "' does not exist");
  }
  if (impl_->hems_index.contains(h.id)) return already_exists("HEMS '" + h.id + "' already exists");
  auto& s = impl_->insert_hems;
  s.bind(1, h.id).bind(2, h.zone);
  if (h.phase) {
    s.bind(3, std::int64_t{static_cast<int>(*h.phase)});
  } else {
    s.bind_null(3);
  }
  s.bind(4, h.access_network);
  GRIDKE_TRY(s.run());
  detail::HemsState st;
  st.info = h;
  st.key = impl_->db.last_insert_rowid();
  st.zone_index = zit->second;
  st.network = impl_->network_id(h.access_network);
  const auto index = static_cast<std::uint32_t>(impl_->hems.size());
  impl_->zones[zit->second].members.push_back(index);
  impl_->hems_index.emplace(h.id, index);
  impl_->hems.push_back(std::move(st));
  return ok();
}

ZoneListing FaultLocationService::Impl::listing_locked(std::uint32_t z, std::int64_t now_ms) const {
  ZoneListing l;
  l.zone = zones[z].info;
  for (auto m : zones[z].members) l.hems_ids.push_back(hems[m].info.id);
  for (const auto& [id, mon] : monitoring) {
    l.monitored = l.monitored || (mon.zone == l.zone.id && mon.is_active(from_epoch_ms(now_ms)));
  }
  return l;
}

std::vector<ZoneListing> FaultLocationService::list_zones() const {
  std::lock_guard lock(impl_->mu);
  const auto now_ms = to_epoch_ms(impl_->clock->now());
  std::vector<ZoneListing> out;
  for (std::uint32_t z = 0; z < impl_->zones.size(); ++z) {
    out.push_back(impl_->listing_locked(z, now_ms));
  }
  std::sort(out.begin(), out.end(),
            [](const ZoneListing& a, const ZoneListing& b) { return a.zone.id < b.zone.id; });
  return out;
}

Result<ZoneListing> FaultLocationService::zone(std::string_view zone_id) const {
  std::lock_guard lock(impl_->mu);
  auto it = impl_->zone_index.find(std::string(zone_id));
  if (it == impl_->zone_index.end()) {
    return not_found("grid zone '" + std::string(zone_id) + "' does not exist");
  }
  return impl_->listing_locked(it->second, to_epoch_ms(impl_->clock->now()));
}

MonitoringParameters FaultLocationService::default_parameters() const {
  std::lock_guard lock(impl_->mu);
  return impl_->defaults;
}

Result<void> FaultLocationService::set_default_parameters(const MonitoringParameters& p) {
  GRIDKE_TRY(validate_parameters(p, impl_->options.detection.reading_period, ""));
  std::lock_guard lock(impl_->mu);
  GRIDKE_TRY(impl_->save_meta_locked("min_silent_hems", std::to_string(p.min_silent_hems)));
  GRIDKE_TRY(impl_->save_meta_locked("min_silence_s", std::to_string(p.min_silence.count())));
  impl_->defaults = p;
  return ok();
}

Result<MonitoringDecision> FaultLocationService::request_monitoring(const MonitoringRequest& r) {
  if (r.zone.empty()) return invalid_argument("zone must not be empty");
  std::lock_guard lock(impl_->mu);
  const auto now = impl_->clock->now();
  MonitoringParameters p = impl_->defaults;
  if (r.min_silent_hems) p.min_silent_hems = *r.min_silent_hems;
  if (r.min_silence) p.min_silence = *r.min_silence;
  GRIDKE_TRY(validate_parameters(p, impl_->options.detection.reading_period, ""));
  if (r.window) {
    if (r.window->end <= r.window->start) {
      return invalid_argument("window.end must be after window.start");
    }
    if (r.window->end <= now) return invalid_argument("window.end is in the past");
  }
  MonitoringDecision d;
  d.status = std::string(denied_text);
  auto zit = impl_->zone_index.find(r.zone);
  if (zit == impl_->zone_index.end()) {
    d.reason = "grid zone '" + r.zone + "' is not known to the service";
    return d;
  }
  // Monitorable: registered HEMS that are not known to be long gone (silent past stale_after).
  int monitorable = 0;
  for (auto m : impl_->zones[zit->second].members) {
    const auto& st = impl_->hems[m];
    monitorable += (!st.has_reported() || to_epoch_ms(now) - st.last_seen_ms <
                                              impl_->options.detection.stale_after.count())
                       ? 1
                       : 0;
  }
  if (monitorable < p.min_silent_hems) {
    d.reason = "grid zone '" + r.zone + "' has " + std::to_string(monitorable) +
               " monitorable HEMS, fewer than min_silent_hems=" + std::to_string(p.min_silent_hems);
    return d;
  }
  Monitoring m;
  m.id = "mon-" + std::to_string(impl_->next_monitoring);
  m.zone = r.zone;
  m.parameters = p;
  m.window = r.window;
  m.created_at = now;
  GRIDKE_ASSIGN_OR_RETURN(auto s, impl_->db.prepare("INSERT INTO monitoring(id, zone, min_silent, "
                                                    "min_silence_s, win_start, win_end, created) "
                                                    "VALUES(?,?,?,?,?,?,?)"));
  s.bind(1, m.id).bind(2, m.zone).bind(3, std::int64_t{p.min_silent_hems});
  s.bind(4, static_cast<std::int64_t>(p.min_silence.count()));
  if (m.window) {
    s.bind(5, to_epoch_ms(m.window->start)).bind(6, to_epoch_ms(m.window->end));
  } else {
    s.bind_null(5).bind_null(6);
  }
  s.bind(7, to_epoch_ms(now));
  GRIDKE_TRY(s.run());
  ++impl_->next_monitoring;
  GRIDKE_TRY(impl_->save_meta_locked("next_monitoring", std::to_string(impl_->next_monitoring)));
  impl_->monitoring.emplace(m.id, m);
  d.accepted = true;
  d.status = std::string(accepted_text);
  d.monitoring = std::move(m);
  return d;
}

std::vector<Monitoring> FaultLocationService::list_monitoring() const {
  std::lock_guard lock(impl_->mu);
  std::vector<Monitoring> out;
  for (const auto& [id, m] : impl_->monitoring) out.push_back(m);
  return out;
}

Result<void> FaultLocationService::cancel_monitoring(std::string_view monitoring_id) {
  std::lock_guard lock(impl_->mu);
  auto it = impl_->monitoring.find(monitoring_id);
  if (it == impl_->monitoring.end()) {
    return not_found("monitoring request '" + std::string(monitoring_id) + "' does not exist");
  }
  GRIDKE_ASSIGN_OR_RETURN(auto s, impl_->db.prepare("DELETE FROM monitoring WHERE id=?"));
  s.bind(1, monitoring_id);
  GRIDKE_TRY(s.run());
  impl_->monitoring.erase(it);
  return ok();
}

Result<IngestSummary> FaultLocationService::ingest(std::span<const VoltageReading> readings) {
  std::lock_guard lock(impl_->mu);
  Impl& im = *impl_;
  const std::int64_t now_ms = to_epoch_ms(im.clock->now());
  const std::int64_t latest_ms = now_ms + im.options.max_clock_skew.count();
  std::vector<std::uint32_t> index(readings.size());
  for (std::size_t i = 0; i < readings.size(); ++i) {
    const auto& r = readings[i];
    const std::string where = "readings[" + std::to_string(i) + "].";
    auto it = im.hems_index.find(r.hems_id);
    if (it == im.hems_index.end()) {
      return invalid_argument(where + "hems_id: unknown HEMS '" + r.hems_id + "'");
    }
    index[i] = it->second;
    if (!std::isfinite(r.voltage_v) || r.voltage_v < 0.0 || r.voltage_v > max_voltage_v) {
      return invalid_argument(where + "voltage_v must be a number in [0, 1000] V, got " +
                              std::to_string(r.voltage_v));
    }
    if (to_epoch_ms(r.time) > latest_ms) {
      return invalid_argument(where + "time is " +
                              std::to_string((to_epoch_ms(r.time) - now_ms) / 1000) +
                              " s in the future (allowed clock skew " +
                              std::to_string(im.options.max_clock_skew.count() / 1000) + " s)");
    }
  }
  IngestSummary summary;
  const std::int64_t horizon = now_ms - im.options.detection.raw_retention.count();
  const bool persist = im.options.persist_readings;
  std::optional<storage::Transaction> tx;  // rolls back on every early return
  if (persist) {
    GRIDKE_ASSIGN_OR_RETURN(auto begun, storage::Transaction::begin(im.db));
    tx.emplace(std::move(begun));
  }
  for (std::size_t i = 0; i < readings.size(); ++i) {
    const auto& r = readings[i];
    auto& st = im.hems[index[i]];
    const std::int64_t t = to_epoch_ms(r.time);
    if (t < horizon) {
      ++summary.expired;
      continue;
    }
    bool fresh = true;
    if (persist) {
      im.insert_reading.bind(1, t).bind(2, st.key).bind(3, r.voltage_v);
      auto changed = im.insert_reading.run();
      if (!changed) return std::move(changed).error();
      fresh = *changed > 0;
      if (fresh) st.remember(t, r.voltage_v);
    } else {
      fresh = st.remember(t, r.voltage_v);
    }
    if (!fresh) {
      ++summary.duplicates;
      continue;
    }
    ++summary.stored;
    if (t > st.last_seen_ms) {
      st.last_seen_ms = t;
      st.last_voltage_v = r.voltage_v;
      st.dirty = true;
      const double nominal = im.zones[st.zone_index].info.nominal_voltage_v;
      if (r.voltage_v < im.options.detection.abnormal_voltage_pu * nominal) {
        st.abnormal = true;
      } else if (r.voltage_v >= im.options.detection.recovered_voltage_pu * nominal) {
        st.abnormal = false;
      }
    }
  }
  if (tx) GRIDKE_TRY(tx->commit());
  // Any ingest call, even an empty batch (a DSP heartbeat), shows the feed is alive.
  im.last_ingest_ms = std::max(im.last_ingest_ms, now_ms);
  return summary;
}

Result<HemsStatus> FaultLocationService::hems_status(std::string_view hems_id) const {
  std::lock_guard lock(impl_->mu);
  auto it = impl_->hems_index.find(std::string(hems_id));
  if (it == impl_->hems_index.end()) {
    return not_found("HEMS '" + std::string(hems_id) + "' does not exist");
  }
  const auto& st = impl_->hems[it->second];
  const auto now_ms = to_epoch_ms(impl_->clock->now());
  const Monitoring* first = nullptr;
  const auto p = impl_->effective_parameters_locked(st.zone_index, now_ms, &first);
  HemsStatus s;
  s.hems_id = st.info.id;
  s.zone = st.info.zone;
  if (st.has_reported()) {
    s.last_seen = from_epoch_ms(st.last_seen_ms);
    s.last_voltage_v = st.last_voltage_v;
    s.silent_for = Duration(std::max<std::int64_t>(0, now_ms - st.last_seen_ms));
    s.communicating = *s.silent_for < p.min_silence;
  }
  return s;
}

Result<std::vector<VoltageReading>> FaultLocationService::hems_voltages(
    std::string_view hems_id, int limit, std::optional<TimeWindow> range) const {
  if (limit < 1) return invalid_argument("limit must be >= 1, got " + std::to_string(limit));
  if (range && range->end <= range->start) {
    return invalid_argument("range.end must be after range.start");
  }
  std::lock_guard lock(impl_->mu);
  auto it = impl_->hems_index.find(std::string(hems_id));
  if (it == impl_->hems_index.end()) {
    return not_found("HEMS '" + std::string(hems_id) + "' does not exist");
  }
  const auto& st = impl_->hems[it->second];
  std::vector<VoltageReading> out;
  if (!range || !impl_->options.persist_readings) {
    for (std::size_t i = st.recent_count; i > 0 && out.size() < static_cast<std::size_t>(limit);
         --i) {
      const auto& r = st.recent[i - 1];
      if (range && !range->contains(from_epoch_ms(r.t_ms))) continue;
      out.push_back({st.info.id, from_epoch_ms(r.t_ms), r.voltage_v});
    }
    return out;
  }
  auto& s = impl_->select_range;
  s.bind(1, st.key)
      .bind(2, to_epoch_ms(range->start))
      .bind(3, to_epoch_ms(range->end))
      .bind(4, std::int64_t{limit});
  for (;;) {
    auto row = s.step();
    if (!row) {
      s.reset();
      return std::move(row).error();
    }
    if (!*row) break;
    out.push_back({st.info.id, from_epoch_ms(s.column_int(0)), s.column_double(1)});
  }
  s.reset();
  return out;
}

Result<TickSummary> FaultLocationService::tick() {
  std::vector<Notification> events;
  Result<TickSummary> summary = TickSummary{};
  std::vector<Listener> to_call;
  {
    std::lock_guard lock(impl_->mu);
    summary = impl_->tick_locked(events);
    for (const auto& [h, l] : impl_->listeners) to_call.push_back(l);
  }
  for (const auto& n : events) {
    for (const auto& l : to_call) l(n);
  }
  return summary;
}

std::vector<ZoneAssessment> FaultLocationService::last_assessments() const {
  std::lock_guard lock(impl_->mu);
  return impl_->assessments;
}

std::vector<Notification> FaultLocationService::notifications(const NotificationQuery& q) const {
  std::lock_guard lock(impl_->mu);
  auto r = impl_->load_notifications_locked(q);
  return r ? std::move(r).value() : std::vector<Notification>{};
}

Result<Notification> FaultLocationService::notification(std::string_view id) const {
  std::lock_guard lock(impl_->mu);
  GRIDKE_ASSIGN_OR_RETURN(auto all, impl_->load_notifications_locked({}));
  for (auto& n : all) {
    if (n.id == id) return std::move(n);
  }
  return not_found("notification '" + std::string(id) + "' does not exist");
}

std::int64_t FaultLocationService::revision() const {
  std::lock_guard lock(impl_->mu);
  return impl_->revision;
}

int FaultLocationService::add_listener(Listener listener) {
  std::lock_guard lock(impl_->mu);
  const int h = impl_->next_listener++;
  impl_->listeners.emplace(h, std::move(listener));
  return h;
}

void FaultLocationService::remove_listener(int handle) {
  std::lock_guard lock(impl_->mu);
  impl_->listeners.erase(handle);
}

Result<Subscription> FaultLocationService::add_subscription(std::string endpoint,
                                                            std::string zone) {
  if (endpoint.empty()) return invalid_argument("endpoint must not be empty");
  std::lock_guard lock(impl_->mu);
  if (!zone.empty() && !impl_->zone_index.contains(zone)) {
    return not_found("grid zone '" + zone + "' does not exist");
  }
  Subscription sub{"sub-" + std::to_string(impl_->next_subscription), std::move(endpoint),
                   std::move(zone), impl_->clock->now()};
  GRIDKE_ASSIGN_OR_RETURN(auto s, impl_->db.prepare("INSERT INTO subscriptions(id, endpoint, "
                                                    "zone, created) VALUES(?,?,?,?)"));
  s.bind(1, sub.id).bind(2, sub.endpoint).bind(3, sub.zone).bind(4, to_epoch_ms(sub.created_at));
  GRIDKE_TRY(s.run());
  ++impl_->next_subscription;
  GRIDKE_TRY(
      impl_->save_meta_locked("next_subscription", std::to_string(impl_->next_subscription)));
  impl_->subscriptions.emplace(sub.id, sub);
  return sub;
}

std::vector<Subscription> FaultLocationService::subscriptions() const {
  std::lock_guard lock(impl_->mu);
  std::vector<Subscription> out;
  for (const auto& [id, s] : impl_->subscriptions) out.push_back(s);
  return out;
}

Result<void> FaultLocationService::remove_subscription(std::string_view id) {
  std::lock_guard lock(impl_->mu);
  auto it = impl_->subscriptions.find(id);
  if (it == impl_->subscriptions.end()) {
    return not_found("subscription '" + std::string(id) + "' does not exist");
  }
  GRIDKE_ASSIGN_OR_RETURN(auto s, impl_->db.prepare("DELETE FROM subscriptions WHERE id=?"));
  s.bind(1, id);
  GRIDKE_TRY(s.run());
  impl_->subscriptions.erase(it);
  return ok();
}

Result<void> FaultLocationService::checkpoint() {
  std::lock_guard lock(impl_->mu);
  return impl_->checkpoint_locked();
}

Result<std::int64_t> FaultLocationService::prune() {
  std::lock_guard lock(impl_->mu);
  return impl_->prune_locked(to_epoch_ms(impl_->clock->now()));
}

Result<StorageStats> FaultLocationService::storage_stats() const {
  std::lock_guard lock(impl_->mu);
  StorageStats st;
  GRIDKE_ASSIGN_OR_RETURN(auto s, impl_->db.prepare("SELECT (SELECT count(*) FROM readings), "
                                                    "(SELECT page_count FROM pragma_page_count), "
                                                    "(SELECT freelist_count FROM "
                                                    "pragma_freelist_count), (SELECT page_size "
                                                    "FROM pragma_page_size)"));
  GRIDKE_TRY(s.step());
  st.readings = s.column_int(0);
  st.page_count = s.column_int(1);
  st.freelist_pages = s.column_int(2);
  st.page_size = s.column_int(3);
  s.reset();
  return st;
}

}  // namespace gridke::services::fault_location
