// SQLite schema, loading on open, checkpoints and the retention sweep of FaultLocationService.
//
// Retention: raw readings live in `readings`, a WITHOUT ROWID table keyed (t, hems), so rows
// are appended in time order and the sweep deletes a contiguous key range (the oldest pages).
// SQLite puts the freed pages on its freelist and reuses them for new rows, so the file
// plateaus at about (raw_retention + prune_interval) x readings per ms x bytes per row instead
// of growing with the lifetime of the deployment. Per-HEMS history (silence episodes, observed
// time) is two numbers per HEMS, not a table that grows.

#include <cstdio>
#include <string>

#include "service_impl.hpp"

namespace gridke::services::fault_location {

using storage::Statement;

namespace {

constexpr const char* schema_name = "gridke-fault-location/1";

constexpr const char* schema_sql = R"sql(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS zones(id TEXT PRIMARY KEY, description TEXT NOT NULL,
  nominal_v REAL NOT NULL, region TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS hems(idx INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,
  zone TEXT NOT NULL, phase INTEGER, access_network TEXT NOT NULL, last_seen INTEGER,
  last_v REAL, episodes REAL NOT NULL DEFAULT 0, observed_ms INTEGER NOT NULL DEFAULT 0,
  in_episode INTEGER NOT NULL DEFAULT 0, abnormal INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS readings(t INTEGER NOT NULL, hems INTEGER NOT NULL, v REAL NOT NULL,
  PRIMARY KEY(t, hems)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS monitoring(id TEXT PRIMARY KEY, zone TEXT NOT NULL,
  min_silent INTEGER NOT NULL, min_silence_s INTEGER NOT NULL, win_start INTEGER,
  win_end INTEGER, created INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS notifications(id TEXT PRIMARY KEY, kind INTEGER NOT NULL,
  status INTEGER NOT NULL, zone TEXT NOT NULL, phase INTEGER, monitoring_id TEXT NOT NULL,
  affected INTEGER NOT NULL, monitored INTEGER NOT NULL, confidence TEXT NOT NULL,
  reason TEXT NOT NULL, false_alarm_p REAL NOT NULL, onset INTEGER NOT NULL,
  raised INTEGER NOT NULL, updated INTEGER NOT NULL, cleared INTEGER,
  revision INTEGER NOT NULL, readings TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS notifications_by_revision ON notifications(revision);
CREATE TABLE IF NOT EXISTS notification_members(notification TEXT NOT NULL,
  hems INTEGER NOT NULL, PRIMARY KEY(notification, hems)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS subscriptions(id TEXT PRIMARY KEY, endpoint TEXT NOT NULL,
  zone TEXT NOT NULL, created INTEGER NOT NULL);
)sql";

std::string encode_readings(const std::vector<AbnormalReading>& readings) {
  std::string out;
  char buf[64];
  for (const auto& r : readings) {
    std::snprintf(buf, sizeof buf, "%lld:%.3f;", static_cast<long long>(to_epoch_ms(r.time)),
                  r.voltage_v);
    out += buf;
  }
  return out;
}

std::vector<AbnormalReading> decode_readings(const std::string& text) {
  std::vector<AbnormalReading> out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const auto end = text.find(';', pos);
    const auto item = text.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    const auto colon = item.find(':');
    if (colon != std::string::npos) {
      out.push_back(
          {from_epoch_ms(std::stoll(item.substr(0, colon))), std::stod(item.substr(colon + 1))});
    }
    if (end == std::string::npos) break;
    pos = end + 1;
  }
  return out;
}

Notification read_notification(const Statement& s) {
  Notification n;
  n.id = s.column_text(0);
  n.kind = static_cast<NotificationKind>(s.column_int(1));
  n.status = static_cast<NotificationStatus>(s.column_int(2));
  n.zone = s.column_text(3);
  if (!s.column_is_null(4)) n.phase = static_cast<Phase>(s.column_int(4));
  n.monitoring_id = s.column_text(5);
  n.affected_hems = static_cast<int>(s.column_int(6));
  n.monitored_hems = static_cast<int>(s.column_int(7));
  n.confidence = s.column_text(8);
  n.reason = s.column_text(9);
  n.false_alarm_probability = s.column_double(10);
  n.onset = from_epoch_ms(s.column_int(11));
  n.raised_at = from_epoch_ms(s.column_int(12));
  n.updated_at = from_epoch_ms(s.column_int(13));
  if (!s.column_is_null(14)) n.cleared_at = from_epoch_ms(s.column_int(14));
  n.revision = s.column_int(15);
  n.abnormal_readings = decode_readings(s.column_text(16));
  return n;
}

constexpr const char* notification_columns =
    "id, kind, status, zone, phase, monitoring_id, affected, monitored, confidence, reason, "
    "false_alarm_p, onset, raised, updated, cleared, revision, readings";

}  // namespace

Result<void> FaultLocationService::Impl::create_schema() {
  // A file with tables but no meta table is someone else's database: refuse to touch it.
  GRIDKE_ASSIGN_OR_RETURN(auto probe, db.prepare("SELECT (SELECT count(*) FROM sqlite_master WHERE "
                                                 "type='table'), (SELECT count(*) FROM "
                                                 "sqlite_master WHERE name='meta')"));
  GRIDKE_TRY(probe.step());
  const bool has_tables = probe.column_int(0) > 0;
  const bool has_meta = probe.column_int(1) > 0;
  probe.reset();
  if (has_tables && !has_meta) {
    return failed_precondition("'" + options.database_path +
                               "' is a SQLite database but not a GridKE fault-location store");
  }
  // WAL and synchronous=FULL come from storage::Database::open (README "Operations").
  GRIDKE_TRY(db.exec(schema_sql));
  GRIDKE_ASSIGN_OR_RETURN(auto get, db.prepare("SELECT value FROM meta WHERE key='schema'"));
  GRIDKE_ASSIGN_OR_RETURN(bool found, get.step());
  if (found) {
    if (get.column_text(0) != schema_name) {
      return failed_precondition("'" + options.database_path + "' has schema '" +
                                 get.column_text(0) + "', expected '" + schema_name + "'");
    }
    return ok();
  }
  return save_meta_locked("schema", schema_name);
}

Result<void> FaultLocationService::Impl::save_meta_locked(std::string_view key,
                                                          std::string_view value) {
  GRIDKE_ASSIGN_OR_RETURN(auto s,
                          db.prepare("INSERT INTO meta(key, value) VALUES(?, ?) "
                                     "ON CONFLICT(key) DO UPDATE SET value=excluded.value"));
  s.bind(1, key).bind(2, value);
  GRIDKE_TRY(s.run());
  return ok();
}

Result<void> FaultLocationService::Impl::prepare_statements() {
  GRIDKE_ASSIGN_OR_RETURN(insert_reading, db.prepare("INSERT OR IGNORE INTO readings(t, hems, v) "
                                                     "VALUES(?, ?, ?)"));
  GRIDKE_ASSIGN_OR_RETURN(insert_hems,
                          db.prepare("INSERT INTO hems(id, zone, phase, access_network) "
                                     "VALUES(?, ?, ?, ?)"));
  GRIDKE_ASSIGN_OR_RETURN(
      update_hems_state,
      db.prepare("UPDATE hems SET last_seen=?, last_v=?, episodes=?, observed_ms=?, "
                 "in_episode=?, abnormal=? WHERE idx=?"));
  GRIDKE_ASSIGN_OR_RETURN(
      upsert_notification,
      db.prepare(std::string("INSERT OR REPLACE INTO notifications(") + notification_columns +
                 ") VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"));
  GRIDKE_ASSIGN_OR_RETURN(insert_member, db.prepare("INSERT OR IGNORE INTO notification_members("
                                                    "notification, hems) VALUES(?, ?)"));
  GRIDKE_ASSIGN_OR_RETURN(select_range,
                          db.prepare("SELECT t, v FROM readings WHERE hems=? AND t>=? "
                                     "AND t<? ORDER BY t DESC LIMIT ?"));
  return ok();
}

Result<void> FaultLocationService::Impl::load() {
  {
    GRIDKE_ASSIGN_OR_RETURN(auto s, db.prepare("SELECT key, value FROM meta"));
    for (;;) {
      GRIDKE_ASSIGN_OR_RETURN(bool row, s.step());
      if (!row) break;
      const std::string key = s.column_text(0);
      const std::string value = s.column_text(1);
      if (key == "schema") continue;
      const long long v = std::stoll(value);
      if (key == "min_silent_hems") defaults.min_silent_hems = static_cast<int>(v);
      if (key == "min_silence_s") defaults.min_silence = std::chrono::seconds(v);
      if (key == "next_monitoring") next_monitoring = v;
      if (key == "next_fault") next_fault = v;
      if (key == "next_voltage") next_voltage = v;
      if (key == "next_subscription") next_subscription = v;
      if (key == "revision") revision = v;
      if (key == "last_checkpoint") last_checkpoint_ms = v;
    }
  }
  {
    GRIDKE_ASSIGN_OR_RETURN(auto s, db.prepare("SELECT id, description, nominal_v, region FROM "
                                               "zones ORDER BY rowid"));
    for (;;) {
      GRIDKE_ASSIGN_OR_RETURN(bool row, s.step());
      if (!row) break;
      detail::ZoneState z;
      z.info = {s.column_text(0), s.column_text(1), s.column_double(2), s.column_text(3)};
      zone_index.emplace(z.info.id, static_cast<std::uint32_t>(zones.size()));
      zones.push_back(std::move(z));
    }
  }
  {
    GRIDKE_ASSIGN_OR_RETURN(auto s,
                            db.prepare("SELECT idx, id, zone, phase, access_network, last_seen, "
                                       "last_v, episodes, observed_ms, in_episode, abnormal FROM "
                                       "hems ORDER BY idx"));
    for (;;) {
      GRIDKE_ASSIGN_OR_RETURN(bool row, s.step());
      if (!row) break;
      detail::HemsState st;
      st.key = s.column_int(0);
      st.info.id = s.column_text(1);
      st.info.zone = s.column_text(2);
      if (!s.column_is_null(3)) st.info.phase = static_cast<Phase>(s.column_int(3));
      st.info.access_network = s.column_text(4);
      if (!s.column_is_null(5)) st.last_seen_ms = s.column_int(5);
      st.last_voltage_v = s.column_double(6);
      st.episodes = s.column_double(7);
      st.observed_ms = s.column_int(8);
      st.in_episode = s.column_int(9) != 0;
      st.abnormal = s.column_int(10) != 0;
      auto zit = zone_index.find(st.info.zone);
      if (zit == zone_index.end()) {
        return failed_precondition("stored HEMS '" + st.info.id + "' refers to unknown zone '" +
                                   st.info.zone + "'");
      }
      st.zone_index = zit->second;
      st.network = network_id(st.info.access_network);
      const auto index = static_cast<std::uint32_t>(hems.size());
      zones[st.zone_index].members.push_back(index);
      hems_index.emplace(st.info.id, index);
      hems.push_back(std::move(st));
    }
  }
  // Readings since the last checkpoint (and the recent window) refresh last-seen and the
  // in-memory recent readings.
  {
    std::unordered_map<std::int64_t, std::uint32_t> by_key;
    for (std::uint32_t i = 0; i < hems.size(); ++i) by_key.emplace(hems[i].key, i);
    const std::int64_t now_ms = to_epoch_ms(clock->now());
    std::int64_t from = now_ms - static_cast<std::int64_t>(detail::recent_capacity) *
                                     options.detection.reading_period.count();
    if (last_checkpoint_ms != detail::never_ms) from = std::min(from, last_checkpoint_ms);
    GRIDKE_ASSIGN_OR_RETURN(auto s, db.prepare("SELECT t, hems, v FROM readings WHERE "
                                               "t >= ? ORDER BY t"));
    s.bind(1, from);
    for (;;) {
      GRIDKE_ASSIGN_OR_RETURN(bool row, s.step());
      if (!row) break;
      auto it = by_key.find(s.column_int(1));
      if (it == by_key.end()) continue;
      auto& st = hems[it->second];
      const std::int64_t t = s.column_int(0);
      st.remember(t, s.column_double(2));
      if (t > st.last_seen_ms) {
        st.last_seen_ms = t;
        st.last_voltage_v = s.column_double(2);
      }
    }
    for (const auto& st : hems) last_ingest_ms = std::max(last_ingest_ms, st.last_seen_ms);
  }
  {
    GRIDKE_ASSIGN_OR_RETURN(auto s, db.prepare("SELECT id, zone, min_silent, "
                                               "min_silence_s, win_start, win_end, "
                                               "created FROM monitoring"));
    for (;;) {
      GRIDKE_ASSIGN_OR_RETURN(bool row, s.step());
      if (!row) break;
      Monitoring m;
      m.id = s.column_text(0);
      m.zone = s.column_text(1);
      m.parameters.min_silent_hems = static_cast<int>(s.column_int(2));
      m.parameters.min_silence = std::chrono::seconds(s.column_int(3));
      if (!s.column_is_null(4)) {
        m.window = TimeWindow{from_epoch_ms(s.column_int(4)), from_epoch_ms(s.column_int(5))};
      }
      m.created_at = from_epoch_ms(s.column_int(6));
      monitoring.emplace(m.id, std::move(m));
    }
  }
  {
    GRIDKE_ASSIGN_OR_RETURN(auto s, db.prepare("SELECT id, endpoint, zone, created "
                                               "FROM subscriptions"));
    for (;;) {
      GRIDKE_ASSIGN_OR_RETURN(bool row, s.step());
      if (!row) break;
      Subscription sub{s.column_text(0), s.column_text(1), s.column_text(2),
                       from_epoch_ms(s.column_int(3))};
      subscriptions.emplace(sub.id, std::move(sub));
    }
  }
  {
    GRIDKE_ASSIGN_OR_RETURN(auto s, db.prepare(std::string("SELECT ") + notification_columns +
                                               " FROM notifications WHERE cleared "
                                               "IS NULL"));
    GRIDKE_ASSIGN_OR_RETURN(auto m, db.prepare("SELECT hems FROM notification_members "
                                               "WHERE notification=?"));
    std::unordered_map<std::int64_t, std::uint32_t> by_key;
    for (std::uint32_t i = 0; i < hems.size(); ++i) by_key.emplace(hems[i].key, i);
    for (;;) {
      GRIDKE_ASSIGN_OR_RETURN(bool row, s.step());
      if (!row) break;
      detail::ActiveNotification a;
      a.note = read_notification(s);
      m.bind(1, a.note.id);
      for (;;) {
        GRIDKE_ASSIGN_OR_RETURN(bool mrow, m.step());
        if (!mrow) break;
        auto it = by_key.find(m.column_int(0));
        if (it != by_key.end()) a.members.push_back(it->second);
      }
      m.reset();
      auto zit = zone_index.find(a.note.zone);
      if (zit == zone_index.end()) continue;
      const std::size_t slot =
          a.note.kind == NotificationKind::abnormal_voltage
              ? 4
              : (a.note.phase ? 1 + static_cast<std::size_t>(*a.note.phase) : 0);
      zones[zit->second].active[slot] = a.note.id;
      active.emplace(a.note.id, std::move(a));
    }
  }
  return ok();
}

Result<void> FaultLocationService::Impl::checkpoint_locked() {
  GRIDKE_ASSIGN_OR_RETURN(auto tx, storage::Transaction::begin(db));
  for (auto& st : hems) {
    if (!st.dirty) continue;
    auto& u = update_hems_state;
    if (st.has_reported()) {
      u.bind(1, st.last_seen_ms).bind(2, st.last_voltage_v);
    } else {
      u.bind_null(1).bind_null(2);
    }
    u.bind(3, st.episodes)
        .bind(4, st.observed_ms)
        .bind(5, std::int64_t{st.in_episode})
        .bind(6, std::int64_t{st.abnormal})
        .bind(7, st.key);
    auto r = u.run();
    if (!r) return std::move(r).error();  // tx rolls back
    st.dirty = false;
  }
  last_checkpoint_ms = to_epoch_ms(clock->now());
  GRIDKE_TRY(save_meta_locked("last_checkpoint", std::to_string(last_checkpoint_ms)));
  return tx.commit();
}

Result<std::int64_t> FaultLocationService::Impl::prune_locked(std::int64_t now_ms) {
  last_prune_ms = now_ms;
  GRIDKE_ASSIGN_OR_RETURN(auto del, db.prepare("DELETE FROM readings WHERE t < ?"));
  del.bind(1, now_ms - options.detection.raw_retention.count());
  GRIDKE_ASSIGN_OR_RETURN(int deleted, del.run());
  const std::int64_t cutoff = now_ms - options.notification_retention.count();
  GRIDKE_ASSIGN_OR_RETURN(auto members, db.prepare("DELETE FROM notification_members WHERE "
                                                   "notification IN (SELECT id FROM "
                                                   "notifications WHERE cleared < ?)"));
  members.bind(1, cutoff);
  GRIDKE_TRY(members.run());
  GRIDKE_ASSIGN_OR_RETURN(auto notes, db.prepare("DELETE FROM notifications "
                                                 "WHERE cleared < ?"));
  notes.bind(1, cutoff);
  GRIDKE_TRY(notes.run());
  return std::int64_t{deleted};
}

Result<void> FaultLocationService::Impl::save_notification_locked(
    const detail::ActiveNotification& a, bool new_members) {
  const Notification& n = a.note;
  auto& s = upsert_notification;
  s.bind(1, n.id)
      .bind(2, std::int64_t{static_cast<int>(n.kind)})
      .bind(3, std::int64_t{static_cast<int>(n.status)})
      .bind(4, n.zone);
  if (n.phase) {
    s.bind(5, std::int64_t{static_cast<int>(*n.phase)});
  } else {
    s.bind_null(5);
  }
  s.bind(6, n.monitoring_id)
      .bind(7, std::int64_t{n.affected_hems})
      .bind(8, std::int64_t{n.monitored_hems})
      .bind(9, n.confidence)
      .bind(10, n.reason)
      .bind(11, n.false_alarm_probability)
      .bind(12, to_epoch_ms(n.onset))
      .bind(13, to_epoch_ms(n.raised_at))
      .bind(14, to_epoch_ms(n.updated_at));
  if (n.cleared_at) {
    s.bind(15, to_epoch_ms(*n.cleared_at));
  } else {
    s.bind_null(15);
  }
  s.bind(16, n.revision).bind(17, encode_readings(n.abnormal_readings));
  GRIDKE_TRY(s.run());
  if (new_members) {
    for (auto m : a.members) {
      insert_member.bind(1, n.id).bind(2, hems[m].key);
      GRIDKE_TRY(insert_member.run());
    }
  }
  GRIDKE_TRY(save_meta_locked("revision", std::to_string(revision)));
  GRIDKE_TRY(save_meta_locked("next_fault", std::to_string(next_fault)));
  return save_meta_locked("next_voltage", std::to_string(next_voltage));
}

Result<std::vector<Notification>> FaultLocationService::Impl::load_notifications_locked(
    const NotificationQuery& q) const {
  GRIDKE_ASSIGN_OR_RETURN(auto s, db.prepare(std::string("SELECT ") + notification_columns +
                                             " FROM notifications WHERE (?1 IS NULL OR zone=?1) "
                                             "AND (?2 IS NULL OR kind=?2) AND (?3=0 OR cleared "
                                             "IS NULL) AND revision > ?4 ORDER BY revision"));
  if (q.zone) {
    s.bind(1, std::string_view(*q.zone));
  } else {
    s.bind_null(1);
  }
  if (q.kind) {
    s.bind(2, std::int64_t{static_cast<int>(*q.kind)});
  } else {
    s.bind_null(2);
  }
  s.bind(3, std::int64_t{q.active_only}).bind(4, q.since_revision);
  std::vector<Notification> out;
  for (;;) {
    GRIDKE_ASSIGN_OR_RETURN(bool row, s.step());
    if (!row) break;
    out.push_back(read_notification(s));
  }
  return out;
}

}  // namespace gridke::services::fault_location
