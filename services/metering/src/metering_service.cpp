#include "gridke/services/metering/metering_service.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>
#include <set>

#include "gridke/storage/sqlite.hpp"

namespace gridke::services::metering {
namespace {

using namespace std::chrono;

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS provider (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, contract INTEGER NOT NULL,
  knowledge_base_id TEXT NOT NULL, callback_url TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS consent (
  id TEXT PRIMARY KEY, provider TEXT NOT NULL, prm TEXT NOT NULL, data_points INTEGER NOT NULL,
  purpose TEXT NOT NULL, retention_days INTEGER NOT NULL, recipients TEXT NOT NULL,
  granted_at_ms INTEGER NOT NULL, withdrawn_at_ms INTEGER);
CREATE TABLE IF NOT EXISTS reading (
  prm TEXT NOT NULL, time_ms INTEGER NOT NULL, mode INTEGER NOT NULL,
  east INTEGER, eait INTEGER, irms1 REAL, urms1 REAL, pref REAL, pcoup REAL, sinsts REAL,
  sinsti REAL, stge INTEGER, overrun INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS reading_prm_time ON reading (prm, time_ms);
CREATE TABLE IF NOT EXISTS zone_meter (
  zone TEXT NOT NULL, prm TEXT NOT NULL, PRIMARY KEY (zone, prm));
)sql";

std::string names(DataPointSet s) {
  std::string out;
  for (int i = 0; i < kDataPointCount; ++i) {
    if (s & (1u << i)) out += (out.empty() ? "" : ", ") + std::string(to_string(DataPoint(i)));
  }
  return out;
}

std::string join_list(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : "\n") + s;
  return out;
}

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < s.size()) {
    const auto nl = std::min(s.find('\n', start), s.size());
    out.push_back(s.substr(start, nl - start));
    start = nl + 1;
  }
  return out;
}

// The reading as a provider may see it: only `allowed` data points, no clear PdL.
TicReading filtered(const TicReading& r, DataPointSet allowed) {
  TicReading out = r;
  out.prm.clear();
  const auto keep = [&](DataPoint p) { return (allowed & bit(p)) != 0; };
  if (!keep(DataPoint::east)) out.east_wh.reset();
  if (!keep(DataPoint::eait)) out.eait_wh.reset();
  if (!keep(DataPoint::irms1)) out.irms1_a.reset();
  if (!keep(DataPoint::urms1)) out.urms1_v.reset();
  if (!keep(DataPoint::pref)) out.pref_kva.reset();
  if (!keep(DataPoint::pcoup)) out.pcoup_kva.reset();
  if (!keep(DataPoint::sinsts)) out.sinsts_va.reset();
  if (!keep(DataPoint::sinsti)) out.sinsti_va.reset();
  if (!keep(DataPoint::stge)) {
    out.stge.reset();
    out.overrun = false;
  }
  if (!keep(DataPoint::date)) out.time = TimePoint{};
  return out;
}

// Per-PdL state of the event rules (§2.2).
struct MeterState {
  TicReading latest;
  bool has_latest = false;
  std::optional<TimePoint> last_overrun_post;
  std::optional<TimePoint> last_injection_post;
};

Consent read_consent(const storage::Statement& st) {
  Consent c;
  c.id = st.column_text(0);
  c.provider = st.column_text(1);
  c.prm = st.column_text(2);
  c.data_points = static_cast<DataPointSet>(st.column_int(3));
  c.purpose = st.column_text(4);
  c.retention_days = static_cast<int>(st.column_int(5));
  c.recipients = split_list(st.column_text(6));
  c.granted_at = TimePoint(milliseconds(st.column_int(7)));
  if (!st.column_is_null(8)) c.withdrawn_at = TimePoint(milliseconds(st.column_int(8)));
  return c;
}

constexpr const char* kConsentColumns =
    "SELECT id, provider, prm, data_points, purpose, retention_days, recipients, granted_at_ms, "
    "withdrawn_at_ms FROM consent ";

}  // namespace

std::string_view to_string(EventKind kind) noexcept {
  switch (kind) {
    case EventKind::pcoup_changed: return "pcoup_changed";
    case EventKind::overrun: return "overrun";
    case EventKind::injection: return "injection";
    case EventKind::latest: return "latest";
    case EventKind::power_limit: return "power_limit";
  }
  return "unknown";
}

struct MeteringService::Impl {
  MeteringOptions options;
  PdlCipher cipher;
  mutable std::mutex mu;  // guards everything below
  storage::Database db;
  storage::Statement insert_reading;
  std::map<std::string, Provider, std::less<>> providers;
  std::map<std::string, Consent, std::less<>> consents;  // by id, mirrors the table
  std::map<std::string, MeterState, std::less<>> meters;
  std::map<int, Listener> listeners;
  int next_listener = 1;
  std::int64_t next_consent = 1;
  MeteringStats stats;
  std::map<std::string, std::vector<std::string>, std::less<>> zones;  // mirrors zone_meter
  FlexibilityNeedsSource flexibility_source;

  Impl(MeteringOptions o, PdlCipher c) : options(std::move(o)), cipher(std::move(c)) {}

  // REQUIRES: mu held. Deliveries of `kind` for `reading` to every consented provider whose
  // contract and consent cover `needed`.
  void deliveries_for(EventKind kind, const TicReading& reading, DataPoint needed,
                      std::vector<Delivery>& out) {
    std::optional<std::string> token;
    bool any = false;
    for (const auto& [id, c] : consents) {
      if (!c.active() || c.prm != reading.prm) continue;
      auto p = providers.find(c.provider);
      if (p == providers.end()) continue;
      const DataPointSet allowed = p->second.contract & c.data_points;
      if ((allowed & bit(needed)) == 0) continue;
      if (!token) {
        auto t = cipher.encrypt(reading.prm);
        if (!t) return;
        token = std::move(*t);
      }
      Delivery d;
      d.kind = kind;
      d.provider = p->second.id;
      d.knowledge_base_id = p->second.knowledge_base_id;
      d.callback_url = p->second.callback_url;
      d.prm_token = *token;
      d.reading = filtered(reading, allowed);
      out.push_back(std::move(d));
      any = true;
    }
    if (!any) ++stats.withheld;
  }

  // REQUIRES: mu held. Applies the §2.2 rules to a new reading.
  void apply_rules(const TicReading& r, std::vector<Delivery>& out) {
    MeterState& m = meters[r.prm];
    if (m.has_latest && r.pcoup_kva && m.latest.pcoup_kva && *r.pcoup_kva != *m.latest.pcoup_kva) {
      deliveries_for(EventKind::pcoup_changed, r, DataPoint::pcoup, out);
    }
    if (r.overrun) {
      if (!m.last_overrun_post || r.time - *m.last_overrun_post >= options.overrun_period) {
        deliveries_for(EventKind::overrun, r, DataPoint::stge, out);
        m.last_overrun_post = r.time;
      }
    } else {
      m.last_overrun_post.reset();
    }
    const bool producing = (r.eait_wh && *r.eait_wh > 0) || (r.sinsti_va && *r.sinsti_va > 0);
    if (r.sinsti_va && producing &&
        (!m.last_injection_post || r.time - *m.last_injection_post >= options.injection_period)) {
      deliveries_for(EventKind::injection, r, DataPoint::sinsti, out);
      m.last_injection_post = r.time;
    }
    m.latest = r;
    m.has_latest = true;
  }

  Result<void> store(const TicReading& r) {
    auto& st = insert_reading;
    st.bind(1, r.prm)
        .bind(2, static_cast<std::int64_t>(r.time.time_since_epoch().count()))
        .bind(3, static_cast<int>(r.mode))
        .bind(4, r.east_wh)
        .bind(5, r.eait_wh)
        .bind(6, r.irms1_a)
        .bind(7, r.urms1_v)
        .bind(8, r.pref_kva)
        .bind(9, r.pcoup_kva)
        .bind(10, r.sinsts_va)
        .bind(11, r.sinsti_va)
        .bind(12, r.stge ? std::optional<std::int64_t>(*r.stge) : std::nullopt)
        .bind(13, r.overrun ? 1 : 0);
    GRIDKE_TRY(st.run());
    return ok();
  }

  std::vector<Listener> listener_copy() const {
    std::vector<Listener> out;
    for (const auto& [id, l] : listeners) out.push_back(l);
    return out;
  }
};

MeteringService::MeteringService(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
MeteringService::~MeteringService() = default;

Result<std::unique_ptr<MeteringService>> MeteringService::open(const std::string& path,
                                                               MeteringOptions options) {
  GRIDKE_ASSIGN_OR_RETURN(auto cipher, PdlCipher::create(options.key_hex));
  if (options.overrun_period.count() <= 0 || options.injection_period.count() <= 0) {
    return invalid_argument("metering: overrun_period and injection_period must be > 0");
  }
  if (options.open_data_k < 1) return invalid_argument("metering: open_data_k must be >= 1");
  if (!options.now) options.now = [] { return time_point_cast<milliseconds>(system_clock::now()); };
  auto impl = std::make_unique<Impl>(std::move(options), std::move(cipher));
  GRIDKE_ASSIGN_OR_RETURN(impl->db, storage::Database::open(path));
  GRIDKE_TRY(impl->db.exec(kSchema));
  GRIDKE_ASSIGN_OR_RETURN(
      impl->insert_reading,
      impl->db.prepare("INSERT INTO reading (prm, time_ms, mode, east, eait, irms1, urms1, pref, "
                       "pcoup, sinsts, sinsti, stge, overrun) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)"));
  {
    GRIDKE_ASSIGN_OR_RETURN(
        auto st, impl->db.prepare("SELECT id, name, contract, knowledge_base_id, callback_url "
                                  "FROM provider"));
    while (true) {
      GRIDKE_ASSIGN_OR_RETURN(const bool row, st.step());
      if (!row) break;
      Provider p{st.column_text(0), st.column_text(1), static_cast<DataPointSet>(st.column_int(2)),
                 st.column_text(3), st.column_text(4)};
      impl->providers.emplace(p.id, p);
    }
  }
  {
    GRIDKE_ASSIGN_OR_RETURN(auto st, impl->db.prepare(kConsentColumns));
    while (true) {
      GRIDKE_ASSIGN_OR_RETURN(const bool row, st.step());
      if (!row) break;
      Consent c = read_consent(st);
      const auto n = std::strtoll(c.id.c_str() + (c.id.starts_with("C-") ? 2 : 0), nullptr, 10);
      impl->next_consent = std::max(impl->next_consent, static_cast<std::int64_t>(n) + 1);
      impl->consents.emplace(c.id, std::move(c));
    }
  }
  {
    GRIDKE_ASSIGN_OR_RETURN(
        auto st, impl->db.prepare("SELECT zone, prm FROM zone_meter ORDER BY zone, prm"));
    while (true) {
      GRIDKE_ASSIGN_OR_RETURN(const bool row, st.step());
      if (!row) break;
      impl->zones[st.column_text(0)].push_back(st.column_text(1));
    }
  }
  return std::unique_ptr<MeteringService>(new MeteringService(std::move(impl)));
}

Result<void> MeteringService::register_provider(Provider p) {
  if (p.id.empty()) return invalid_argument("provider: id must not be empty");
  if ((p.contract & kAllDataPoints) == 0) {
    return invalid_argument("provider '" + p.id + "': the contract lists no data point");
  }
  std::lock_guard lock(impl_->mu);
  GRIDKE_ASSIGN_OR_RETURN(auto st,
                          impl_->db.prepare("INSERT OR REPLACE INTO provider (id, name, contract, "
                                            "knowledge_base_id, callback_url) VALUES (?,?,?,?,?)"));
  st.bind(1, p.id)
      .bind(2, p.name)
      .bind(3, static_cast<std::int64_t>(p.contract))
      .bind(4, p.knowledge_base_id)
      .bind(5, p.callback_url);
  GRIDKE_TRY(st.run());
  impl_->providers[p.id] = p;
  return ok();
}

Result<Provider> MeteringService::provider(std::string_view id) const {
  std::lock_guard lock(impl_->mu);
  auto it = impl_->providers.find(id);
  if (it == impl_->providers.end()) {
    return not_found("no service provider '" + std::string(id) + "'");
  }
  return it->second;
}

std::vector<Provider> MeteringService::providers() const {
  std::lock_guard lock(impl_->mu);
  std::vector<Provider> out;
  for (const auto& [id, p] : impl_->providers) out.push_back(p);
  return out;
}

Result<Consent> MeteringService::grant_consent(Consent c) {
  if (c.prm.empty()) return invalid_argument("consent: prm (delivery point) must not be empty");
  if (c.purpose.empty()) return invalid_argument("consent: purpose must not be empty");
  if ((c.data_points & kAllDataPoints) == 0) {
    return invalid_argument("consent: no data point (the nature of the data) is listed");
  }
  if (c.retention_days < 1) {
    return invalid_argument("consent: retention_days " + std::to_string(c.retention_days) +
                            " must be >= 1");
  }
  if (c.recipients.empty()) return invalid_argument("consent: recipients must not be empty");
  std::lock_guard lock(impl_->mu);
  auto p = impl_->providers.find(c.provider);
  if (p == impl_->providers.end()) {
    return not_found("consent: no service provider '" + c.provider + "' (no contract signed)");
  }
  if (const DataPointSet outside = c.data_points & ~p->second.contract; outside != 0) {
    return permission_denied("consent: data points " + names(outside) +
                             " are not in the contract of provider '" + c.provider + "'");
  }
  c.id = "C-" + std::to_string(impl_->next_consent++);
  c.granted_at = impl_->options.now();
  c.withdrawn_at.reset();
  GRIDKE_ASSIGN_OR_RETURN(
      auto st, impl_->db.prepare("INSERT INTO consent (id, provider, prm, data_points, purpose, "
                                 "retention_days, recipients, granted_at_ms, withdrawn_at_ms) "
                                 "VALUES (?,?,?,?,?,?,?,?,NULL)"));
  st.bind(1, c.id)
      .bind(2, c.provider)
      .bind(3, c.prm)
      .bind(4, static_cast<std::int64_t>(c.data_points))
      .bind(5, c.purpose)
      .bind(6, c.retention_days)
      .bind(7, join_list(c.recipients))
      .bind(8, static_cast<std::int64_t>(c.granted_at.time_since_epoch().count()));
  GRIDKE_TRY(st.run());
  impl_->consents[c.id] = c;
  return c;
}

Result<Consent> MeteringService::withdraw_consent(std::string_view id) {
  std::lock_guard lock(impl_->mu);
  auto it = impl_->consents.find(id);
  if (it == impl_->consents.end()) return not_found("no consent '" + std::string(id) + "'");
  if (it->second.withdrawn_at) return it->second;
  const TimePoint t = impl_->options.now();
  GRIDKE_ASSIGN_OR_RETURN(auto st,
                          impl_->db.prepare("UPDATE consent SET withdrawn_at_ms = ? WHERE id = ?"));
  st.bind(1, static_cast<std::int64_t>(t.time_since_epoch().count())).bind(2, id);
  GRIDKE_TRY(st.run());
  it->second.withdrawn_at = t;
  return it->second;
}

Result<std::vector<Consent>> MeteringService::consents(std::string_view provider) const {
  std::lock_guard lock(impl_->mu);
  std::vector<Consent> out;
  for (const auto& [id, c] : impl_->consents) {
    if (provider.empty() || c.provider == provider) out.push_back(c);
  }
  return out;
}

Result<IngestSummary> MeteringService::ingest(std::string_view prm, std::string_view bytes) {
  if (prm.empty()) return invalid_argument("ingest: the gateway's delivery point (prm) is empty");
  const TimePoint received = impl_->options.now();
  IngestSummary summary;
  const auto parsed = parse_tic(bytes);
  summary.frames = parsed.frames.size();
  summary.good_groups = parsed.good_groups;
  summary.corrupt_groups = parsed.corrupt_groups;
  for (const auto& e : parsed.errors) {
    if (summary.errors.size() < impl_->options.max_errors) summary.errors.push_back(e.to_string());
  }
  std::vector<TicReading> readings;
  readings.reserve(parsed.frames.size());
  for (std::size_t i = 0; i < parsed.frames.size(); ++i) {
    auto r = read_frame(parsed.frames[i], prm, received, i + 1);
    if (!r) {
      ++summary.rejected_frames;
      if (summary.errors.size() < impl_->options.max_errors) {
        summary.errors.push_back(r.error().message());
      }
      continue;
    }
    readings.push_back(std::move(*r));
  }
  summary.readings = readings.size();
  std::vector<Delivery> out;
  std::vector<Listener> listeners;
  {
    std::lock_guard lock(impl_->mu);
    if (impl_->options.keep_history && !readings.empty()) {
      GRIDKE_ASSIGN_OR_RETURN(auto tx, storage::Transaction::begin(impl_->db));
      for (const auto& r : readings) GRIDKE_TRY(impl_->store(r));
      GRIDKE_TRY(tx.commit());
    }
    for (const auto& r : readings) impl_->apply_rules(r, out);
    auto& s = impl_->stats;
    s.frames += static_cast<std::int64_t>(summary.frames);
    s.good_groups += static_cast<std::int64_t>(summary.good_groups);
    s.corrupt_groups += static_cast<std::int64_t>(summary.corrupt_groups);
    s.rejected_frames += static_cast<std::int64_t>(summary.rejected_frames);
    s.deliveries += static_cast<std::int64_t>(out.size());
    if (!out.empty()) listeners = impl_->listener_copy();
  }
  summary.deliveries = out.size();
  for (const auto& d : out) {
    for (const auto& l : listeners) l(d);
  }
  return summary;
}

Result<Delivery> MeteringService::latest(std::string_view provider,
                                         std::string_view prm_or_token) const {
  std::string prm(prm_or_token);
  const bool looks_like_prm = !prm.empty() && std::all_of(prm.begin(), prm.end(), [](char c) {
    return c >= '0' && c <= '9';
  });
  if (!looks_like_prm) {
    GRIDKE_ASSIGN_OR_RETURN(prm, impl_->cipher.decrypt(prm_or_token));
  }
  std::lock_guard lock(impl_->mu);
  auto p = impl_->providers.find(provider);
  if (p == impl_->providers.end()) {
    return not_found("no service provider '" + std::string(provider) + "'");
  }
  DataPointSet allowed = 0;
  for (const auto& [id, c] : impl_->consents) {
    if (c.active() && c.provider == provider && c.prm == prm) allowed |= c.data_points;
  }
  allowed &= p->second.contract;
  if (allowed == 0) {
    return permission_denied("provider '" + std::string(provider) +
                             "' holds no active consent for this delivery point");
  }
  auto m = impl_->meters.find(prm);
  if (m == impl_->meters.end() || !m->second.has_latest) {
    return not_found("no TIC reading yet for this delivery point");
  }
  Delivery d;
  d.kind = EventKind::latest;
  d.provider = p->second.id;
  d.knowledge_base_id = p->second.knowledge_base_id;
  d.callback_url = p->second.callback_url;
  GRIDKE_ASSIGN_OR_RETURN(d.prm_token, impl_->cipher.encrypt(prm));
  d.reading = filtered(m->second.latest, allowed);
  return d;
}

Result<std::vector<Delivery>> MeteringService::latest_all(std::string_view provider) const {
  std::set<std::string> prms;
  {
    std::lock_guard lock(impl_->mu);
    if (impl_->providers.find(provider) == impl_->providers.end()) {
      return not_found("no service provider '" + std::string(provider) + "'");
    }
    for (const auto& [id, c] : impl_->consents) {
      if (c.active() && c.provider == provider) prms.insert(c.prm);
    }
  }
  std::vector<Delivery> out;
  for (const auto& prm : prms) {
    auto d = latest(provider, prm);
    if (d) out.push_back(std::move(*d));
  }
  return out;
}

Result<void> MeteringService::check_power_limit(std::string_view prm,
                                                const PowerLimitOrder& order) const {
  if (prm.empty()) return invalid_argument("power limit: the delivery point (prm) is empty");
  if (!std::isfinite(order.limit_kw) || order.limit_kw <= 0.0) {
    return invalid_argument("power limit for delivery point " + std::string(prm) + ": " +
                            std::to_string(order.limit_kw) + " kW must be > 0");
  }
  if (order.until <= order.from) {
    return invalid_argument("power limit for delivery point " + std::string(prm) +
                            ": its end (until) is not after its start (from)");
  }
  std::lock_guard lock(impl_->mu);
  if (impl_->meters.find(prm) != impl_->meters.end()) return ok();
  for (const auto& [id, c] : impl_->consents) {
    if (c.prm == prm) return ok();
  }
  GRIDKE_ASSIGN_OR_RETURN(auto st,
                          impl_->db.prepare("SELECT 1 FROM reading WHERE prm = ? LIMIT 1"));
  st.bind(1, prm);
  GRIDKE_ASSIGN_OR_RETURN(const bool seen, st.step());
  if (seen) return ok();
  return not_found("power limit: unknown delivery point " + std::string(prm) +
                   " (no TIC reading and no consent names it)");
}

Result<std::size_t> MeteringService::limit_power(std::string_view prm, double limit_kw) {
  PowerLimitOrder order;
  order.limit_kw = limit_kw;
  order.from = impl_->options.now();
  order.until = order.from + power_limit_default_duration;
  return limit_power(prm, order);
}

Result<std::size_t> MeteringService::limit_power(std::string_view prm,
                                                 const PowerLimitOrder& order) {
  GRIDKE_TRY(check_power_limit(prm, order));
  GRIDKE_ASSIGN_OR_RETURN(const std::string token, impl_->cipher.encrypt(prm));
  std::vector<Delivery> out;
  std::vector<Listener> listeners;
  {
    std::lock_guard lock(impl_->mu);
    TicReading r;
    r.time = impl_->options.now();
    // Any active consent suffices: the limit concerns the provider's own control of the site.
    for (const auto& [id, c] : impl_->consents) {
      if (!c.active() || c.prm != prm) continue;
      auto p = impl_->providers.find(c.provider);
      if (p == impl_->providers.end()) continue;
      bool seen = false;
      for (const auto& d : out) seen = seen || d.provider == p->second.id;
      if (seen) continue;
      Delivery d;
      d.kind = EventKind::power_limit;
      d.provider = p->second.id;
      d.knowledge_base_id = p->second.knowledge_base_id;
      d.callback_url = p->second.callback_url;
      d.prm_token = token;
      d.reading = r;
      d.power_limit = order;
      out.push_back(std::move(d));
    }
    impl_->stats.deliveries += static_cast<std::int64_t>(out.size());
    if (out.empty()) ++impl_->stats.withheld;
    listeners = impl_->listener_copy();
  }
  for (const auto& d : out) {
    for (const auto& l : listeners) l(d);
  }
  return out.size();
}

namespace {
bool is_zone_id_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}
}  // namespace

Result<void> MeteringService::set_zone(ZoneMembership zone) {
  if (zone.zone.empty()) return invalid_argument("zone: the id must not be empty");
  for (const char c : zone.zone) {
    if (!is_zone_id_char(c)) {
      return invalid_argument("zone '" + zone.zone +
                              "': ids may use letters, digits and -._~ only (they become IRIs)");
    }
  }
  if (zone.meters.empty()) return invalid_argument("zone '" + zone.zone + "': no meters");
  for (std::size_t i = 0; i < zone.meters.size(); ++i) {
    if (zone.meters[i].empty()) {
      return invalid_argument("zone '" + zone.zone + "': meters[" + std::to_string(i) +
                              "] is empty");
    }
  }
  std::sort(zone.meters.begin(), zone.meters.end());
  zone.meters.erase(std::unique(zone.meters.begin(), zone.meters.end()), zone.meters.end());
  std::lock_guard lock(impl_->mu);
  GRIDKE_ASSIGN_OR_RETURN(auto tx, storage::Transaction::begin(impl_->db));
  GRIDKE_ASSIGN_OR_RETURN(auto del, impl_->db.prepare("DELETE FROM zone_meter WHERE zone = ?"));
  del.bind(1, zone.zone);
  GRIDKE_TRY(del.run());
  GRIDKE_ASSIGN_OR_RETURN(auto ins,
                          impl_->db.prepare("INSERT INTO zone_meter (zone, prm) VALUES (?, ?)"));
  for (const auto& m : zone.meters) {
    ins.bind(1, zone.zone).bind(2, m);
    GRIDKE_TRY(ins.run());
  }
  GRIDKE_TRY(tx.commit());
  impl_->zones[zone.zone] = std::move(zone.meters);
  return ok();
}

Result<void> MeteringService::remove_zone(std::string_view zone) {
  std::lock_guard lock(impl_->mu);
  auto it = impl_->zones.find(zone);
  if (it == impl_->zones.end()) return not_found("no grid zone '" + std::string(zone) + "'");
  GRIDKE_ASSIGN_OR_RETURN(auto del, impl_->db.prepare("DELETE FROM zone_meter WHERE zone = ?"));
  del.bind(1, zone);
  GRIDKE_TRY(del.run());
  impl_->zones.erase(it);
  return ok();
}

std::vector<ZoneMembership> MeteringService::zones() const {
  std::lock_guard lock(impl_->mu);
  std::vector<ZoneMembership> out;
  for (const auto& [id, meters] : impl_->zones) out.push_back({id, meters});
  return out;
}

std::size_t MeteringService::open_data_k() const { return impl_->options.open_data_k; }

Result<OpenDataRelease> MeteringService::open_data_consumption(TimePoint from, TimePoint to,
                                                               std::size_t k) const {
  const std::size_t min_k = impl_->options.open_data_k;
  if (k != 0 && k < min_k) {
    return permission_denied("open data: k = " + std::to_string(k) +
                             " is below the platform's minimum k = " + std::to_string(min_k));
  }
  GRIDKE_ASSIGN_OR_RETURN(auto energy, energy_between(from, to));
  const auto all = zones();
  return aggregate_by_zone(all, energy, AnonymisationPolicy{k == 0 ? min_k : k});
}

void MeteringService::set_flexibility_source(FlexibilityNeedsSource source) {
  std::lock_guard lock(impl_->mu);
  impl_->flexibility_source = std::move(source);
}

bool MeteringService::has_flexibility_source() const {
  std::lock_guard lock(impl_->mu);
  return static_cast<bool>(impl_->flexibility_source);
}

Result<std::vector<ZoneFlexibility>> MeteringService::flexibility_by_zone(TimePoint from,
                                                                          TimePoint to) const {
  FlexibilityNeedsSource source;
  {
    std::lock_guard lock(impl_->mu);
    source = impl_->flexibility_source;
  }
  if (!source) {
    return unavailable(
        "open data: no flexibility data source is configured (the flexibility market does not "
        "run with this metering platform)");
  }
  auto needs = source();
  if (!needs) return needs.error().with_context("flexibility data source");
  return summarise_flexibility(*needs, from, to, impl_->options.now());
}

Result<std::int64_t> MeteringService::enforce_retention() {
  std::lock_guard lock(impl_->mu);
  const TimePoint now = impl_->options.now();
  std::map<std::string, int, std::less<>> keep_days;  // PdL → longest active retention
  for (const auto& [id, c] : impl_->consents) {
    if (c.active()) keep_days[c.prm] = std::max(keep_days[c.prm], c.retention_days);
  }
  GRIDKE_ASSIGN_OR_RETURN(auto tx, storage::Transaction::begin(impl_->db));
  GRIDKE_ASSIGN_OR_RETURN(auto prms, impl_->db.prepare("SELECT DISTINCT prm FROM reading"));
  std::vector<std::string> all;
  while (true) {
    GRIDKE_ASSIGN_OR_RETURN(const bool row, prms.step());
    if (!row) break;
    all.push_back(prms.column_text(0));
  }
  GRIDKE_ASSIGN_OR_RETURN(auto del,
                          impl_->db.prepare("DELETE FROM reading WHERE prm = ? AND time_ms < ?"));
  std::int64_t deleted = 0;
  for (const auto& prm : all) {
    auto k = keep_days.find(prm);
    // No active consent: nothing may be kept (the cut-off is after every reading).
    const TimePoint cutoff = k == keep_days.end() ? TimePoint::max() : now - days(k->second);
    del.bind(1, prm).bind(2, static_cast<std::int64_t>(cutoff.time_since_epoch().count()));
    GRIDKE_ASSIGN_OR_RETURN(const int n, del.run());
    deleted += n;
    if (k == keep_days.end()) impl_->meters.erase(prm);
  }
  GRIDKE_TRY(tx.commit());
  return deleted;
}

Result<std::vector<MeterEnergy>> MeteringService::energy_between(TimePoint from,
                                                                 TimePoint to) const {
  if (to <= from) return invalid_argument("open data: the period end must be after its start");
  std::lock_guard lock(impl_->mu);
  GRIDKE_ASSIGN_OR_RETURN(
      auto st,
      impl_->db.prepare("SELECT prm, east FROM reading WHERE time_ms >= ? AND time_ms <= ? "
                        "AND east IS NOT NULL ORDER BY prm, time_ms"));
  st.bind(1, static_cast<std::int64_t>(from.time_since_epoch().count()))
      .bind(2, static_cast<std::int64_t>(to.time_since_epoch().count()));
  std::vector<MeterEnergy> out;
  std::string current;
  std::int64_t first = 0, last = 0, count = 0;
  const auto flush = [&] {
    if (count >= 2 && last >= first) {
      out.push_back({current, static_cast<double>(last - first) / 1000.0});
    }
  };
  while (true) {
    GRIDKE_ASSIGN_OR_RETURN(const bool row, st.step());
    if (!row) break;
    std::string prm = st.column_text(0);
    const std::int64_t east = st.column_int(1);
    if (prm != current) {
      flush();
      current = std::move(prm);
      first = east;
      count = 0;
    }
    last = east;
    ++count;
  }
  flush();
  return out;
}

Result<std::int64_t> MeteringService::stored_readings(std::string_view prm) const {
  std::lock_guard lock(impl_->mu);
  GRIDKE_ASSIGN_OR_RETURN(auto st, impl_->db.prepare("SELECT COUNT(*) FROM reading WHERE prm = ?"));
  st.bind(1, prm);
  GRIDKE_ASSIGN_OR_RETURN(const bool row, st.step());
  return row ? st.column_int(0) : 0;
}

Result<std::string> MeteringService::encrypt_prm(std::string_view prm) const {
  return impl_->cipher.encrypt(prm);
}
Result<std::string> MeteringService::decrypt_prm(std::string_view token) const {
  return impl_->cipher.decrypt(token);
}

int MeteringService::add_listener(Listener listener) {
  std::lock_guard lock(impl_->mu);
  const int id = impl_->next_listener++;
  impl_->listeners.emplace(id, std::move(listener));
  return id;
}

void MeteringService::remove_listener(int id) {
  std::lock_guard lock(impl_->mu);
  impl_->listeners.erase(id);
}

MeteringStats MeteringService::stats() const {
  std::lock_guard lock(impl_->mu);
  return impl_->stats;
}

TimePoint MeteringService::now() const { return impl_->options.now(); }

}  // namespace gridke::services::metering
