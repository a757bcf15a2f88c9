// SensitivitiesService: SQLite job store and worker (sensitivities_service.hpp).

#include "gridke/services/sensitivities/sensitivities_service.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <condition_variable>
#include <mutex>
#include <random>
#include <thread>
#include <unordered_map>

#include "gridke/services/sensitivities/json_codec.hpp"
#include "gridke/services/sensitivities/model/validation.hpp"
#include "gridke/storage/sqlite.hpp"

namespace gridke::services::sensitivities {
namespace {

using storage::Statement;
using storage::Transaction;

// Schema version 2 (PRAGMA user_version; 2 added the appliance tables, created on open). Journal
// mode and synchronous=FULL come from storage::Database::open.

constexpr const char* kSchema = R"(
CREATE TABLE IF NOT EXISTS grids (
  network_id TEXT PRIMARY KEY,
  registration TEXT NOT NULL,
  created_s INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS measurements (
  network_id TEXT NOT NULL REFERENCES grids(network_id) ON DELETE CASCADE,
  meter_id TEXT NOT NULL,
  timestamp INTEGER NOT NULL,
  v REAL NOT NULL,
  p REAL NOT NULL,
  PRIMARY KEY (network_id, meter_id, timestamp)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sensitivities (
  network_id TEXT PRIMARY KEY REFERENCES grids(network_id) ON DELETE CASCADE,
  result TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS jobs (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  request_id TEXT UNIQUE NOT NULL,
  network_id TEXT NOT NULL REFERENCES grids(network_id) ON DELETE CASCADE,
  kind INTEGER NOT NULL,
  state INTEGER NOT NULL,
  progress REAL NOT NULL,
  input TEXT NOT NULL,
  result TEXT,
  error_code TEXT,
  error_message TEXT,
  created_s INTEGER NOT NULL,
  updated_s INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS appliances (
  network_id TEXT NOT NULL REFERENCES grids(network_id) ON DELETE CASCADE,
  appliance_id TEXT NOT NULL,
  type INTEGER NOT NULL,
  meter_id TEXT NOT NULL,
  PRIMARY KEY (network_id, appliance_id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS appliance_records (
  network_id TEXT NOT NULL,
  appliance_id TEXT NOT NULL,
  timestamp INTEGER NOT NULL,
  p REAL NOT NULL,
  PRIMARY KEY (network_id, appliance_id, timestamp),
  FOREIGN KEY (network_id, appliance_id) REFERENCES appliances(network_id, appliance_id)
    ON DELETE CASCADE) WITHOUT ROWID;
UPDATE jobs SET state = 0, progress = 0 WHERE state = 1;
)";

std::int64_t now_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string new_request_id() {
  static std::mutex m;
  static std::mt19937_64 rng{std::random_device{}()};
  std::lock_guard lock(m);
  char buf[33];
  std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(rng()),
                static_cast<unsigned long long>(rng()));
  return buf;
}

std::string limits_json(const std::optional<VoltageLimits>& l) {
  if (!l) return "null";
  return nlohmann::json{
      {"nominal_v", l->nominal_v}, {"lower_v", l->lower_v}, {"upper_v", l->upper_v}}
      .dump();
}

}  // namespace

const char* to_string(JobKind kind) noexcept {
  switch (kind) {
    case JobKind::update_historical_data: return "updateHistoricalData";
    case JobKind::load_correlation: return "loadCorrelation";
    case JobKind::flexibility_requirements: return "flexibilityRequirements";
  }
  return "updateHistoricalData";
}

const char* to_string(JobState state) noexcept {
  switch (state) {
    case JobState::queued: return "queued";
    case JobState::running: return "running";
    case JobState::done: return "done";
    case JobState::failed: return "failed";
  }
  return "queued";
}

struct SensitivitiesService::Impl {
  ServiceOptions options;
  // The connection is declared first: it must outlive everything that uses it.
  mutable storage::Database db;  // used under `mutex` by const readers too
  mutable std::mutex mutex;      // guards db and `stopping`
  mutable std::condition_variable changed;
  bool stopping = false;
  bool busy = false;                   // the worker is running a job
  std::int64_t appliance_records = 0;  // rows of appliance_records (counted on open)
  std::thread worker;

  // --- storage (REQUIRES: mutex held) ---
  Result<std::optional<GridRegistration>> load_grid(std::string_view id) const {
    GRIDKE_ASSIGN_OR_RETURN(auto st,
                            db.prepare("SELECT registration FROM grids WHERE network_id = ?"));
    st.bind(1, id);
    GRIDKE_ASSIGN_OR_RETURN(const bool row, st.step());
    if (!row) return std::optional<GridRegistration>();
    GRIDKE_ASSIGN_OR_RETURN(auto g, parse_registration(id, st.column_text(0)));
    return std::optional<GridRegistration>(std::move(g));
  }

  Result<GridRegistration> require_grid(std::string_view id) const {
    GRIDKE_ASSIGN_OR_RETURN(auto g, load_grid(id));
    if (!g) return not_found("grid '" + std::string(id) + "' is not registered");
    return std::move(*g);
  }

  Result<HistoricalData> load_history(const GridRegistration& g) const {
    GRIDKE_ASSIGN_OR_RETURN(
        auto st,
        db.prepare("SELECT meter_id, timestamp, v, p FROM measurements WHERE network_id = ? "
                   "ORDER BY meter_id, timestamp"));
    st.bind(1, g.network_id);
    std::unordered_map<std::string, std::size_t> index;
    HistoricalData d;
    for (const auto& m : g.meters) {
      index[m.meter_id] = d.meters.size();
      d.meters.push_back({m, {}});
    }
    while (true) {
      GRIDKE_ASSIGN_OR_RETURN(const bool row, st.step());
      if (!row) break;
      const auto it = index.find(st.column_text(0));
      if (it == index.end()) continue;
      d.meters[it->second].measurements.push_back(
          {st.column_int(1), st.column_double(2), st.column_double(3)});
    }
    return d;
  }

  Result<void> set_progress(const std::string& id, JobState state, double progress) {
    GRIDKE_ASSIGN_OR_RETURN(
        auto st,
        db.prepare("UPDATE jobs SET state = ?, progress = ?, updated_s = ? WHERE request_id = ?"));
    st.bind(1, static_cast<std::int64_t>(state)).bind(2, progress).bind(3, now_s()).bind(4, id);
    GRIDKE_TRY(st.run());
    return ok();
  }

  Result<void> finish(const std::string& id, const Result<std::string>& outcome) {
    GRIDKE_ASSIGN_OR_RETURN(auto st, db.prepare("UPDATE jobs SET state = ?, progress = 1, result = "
                                                "?, error_code = ?, error_message = ?, "
                                                "updated_s = ? WHERE request_id = ?"));
    if (outcome) {
      st.bind(1, static_cast<std::int64_t>(JobState::done)).bind(2, *outcome);
    } else {
      st.bind(1, static_cast<std::int64_t>(JobState::failed))
          .bind(3, gridke::to_string(outcome.error().code()))
          .bind(4, outcome.error().to_string());
    }
    st.bind(5, now_s()).bind(6, id);
    GRIDKE_TRY(st.run());
    return ok();
  }

  // Stores a job (and, for an upload, merges its rows into the grid's history) in one
  // transaction, so a crash leaves either both or neither.
  Result<std::string> enqueue(std::string_view network_id, JobKind kind, const std::string& input,
                              const HistoricalData* upload = nullptr) {
    const std::string id = new_request_id();
    {
      std::lock_guard lock(mutex);
      GRIDKE_ASSIGN_OR_RETURN(auto tx, Transaction::begin(db));
      if (upload != nullptr) {
        GRIDKE_ASSIGN_OR_RETURN(
            auto insert, db.prepare("INSERT OR REPLACE INTO measurements (network_id, meter_id, "
                                    "timestamp, v, p) VALUES (?, ?, ?, ?, ?)"));
        for (const auto& h : upload->meters) {
          for (const auto& r : h.measurements) {
            insert.bind(1, network_id).bind(2, h.meter.meter_id).bind(3, r.timestamp_s);
            insert.bind(4, r.v_measured_v).bind(5, r.p_measured_kw);
            GRIDKE_TRY(insert.run());
          }
        }
      }
      GRIDKE_ASSIGN_OR_RETURN(
          auto st,
          db.prepare("INSERT INTO jobs (request_id, network_id, kind, state, progress, input, "
                     "created_s, updated_s) VALUES (?, ?, ?, 0, 0, ?, ?, ?)"));
      const auto t = now_s();
      st.bind(1, id).bind(2, network_id).bind(3, static_cast<std::int64_t>(kind)).bind(4, input);
      st.bind(5, t).bind(6, t);
      GRIDKE_TRY(st.run());
      GRIDKE_TRY(tx.commit());
    }
    changed.notify_all();
    return id;
  }

  // --- jobs (run without the lock; take it for each storage step) ---
  // The upload's rows were merged when the request was accepted; the job recomputes.
  Result<std::string> run_update(const std::string& id, const std::string& network_id,
                                 const std::string& input) {
    const auto stored = nlohmann::json::parse(input, nullptr, false);
    const std::int64_t records =
        stored.is_object() && stored.contains("records") && stored["records"].is_number_integer()
            ? stored["records"].get<std::int64_t>()
            : 0;
    GridRegistration g;
    HistoricalData all;
    {
      std::lock_guard lock(mutex);
      GRIDKE_ASSIGN_OR_RETURN(g, require_grid(network_id));
      GRIDKE_TRY(set_progress(id, JobState::running, 0.2));
      GRIDKE_ASSIGN_OR_RETURN(all, load_history(g));
      GRIDKE_TRY(set_progress(id, JobState::running, 0.5));
    }
    auto s = estimate_sensitivities(g, all, options.estimator);
    if (!s) {
      return s.error().with_context(std::to_string(records) +
                                    " records stored; sensitivities not recomputed");
    }
    const std::string out = to_json(*s);
    std::lock_guard lock(mutex);
    GRIDKE_ASSIGN_OR_RETURN(
        auto st,
        db.prepare("INSERT OR REPLACE INTO sensitivities (network_id, result) VALUES (?, ?)"));
    st.bind(1, network_id).bind(2, out);
    GRIDKE_TRY(st.run());
    return out;
  }

  Result<std::string> run_analysis(const std::string& id, JobKind kind,
                                   const std::string& network_id, const std::string& input) {
    const auto body = nlohmann::json::parse(input, nullptr, false);
    if (body.is_discarded() || !body.contains("appliances")) {
      return Error(ErrorCode::internal, "stored job input is damaged");
    }
    GRIDKE_ASSIGN_OR_RETURN(const auto appliances, parse_appliances(body.at("appliances").dump()));
    AnalysisOptions ao = options.analysis;
    if (body.contains("limits") && body.at("limits").is_object()) {
      ao.limits.nominal_v = body["limits"].value("nominal_v", ao.limits.nominal_v);
      ao.limits.lower_v = body["limits"].value("lower_v", ao.limits.lower_v);
      ao.limits.upper_v = body["limits"].value("upper_v", ao.limits.upper_v);
    }
    SensitivityMatrix s;
    HistoricalData history;
    {
      std::lock_guard lock(mutex);
      GRIDKE_ASSIGN_OR_RETURN(const auto g, require_grid(network_id));
      GRIDKE_ASSIGN_OR_RETURN(s, load_sensitivities(network_id));
      GRIDKE_ASSIGN_OR_RETURN(history, load_history(g));
      GRIDKE_TRY(set_progress(id, JobState::running, 0.5));
    }
    if (kind == JobKind::load_correlation) {
      GRIDKE_ASSIGN_OR_RETURN(const auto a, analyse_voltages(history, s, appliances, ao));
      return to_json(a);
    }
    GRIDKE_ASSIGN_OR_RETURN(const auto f, flexibility_requirements(history, s, appliances, ao));
    return to_json(f);
  }

  Result<SensitivityMatrix> load_sensitivities(std::string_view network_id) const {
    GRIDKE_ASSIGN_OR_RETURN(auto st,
                            db.prepare("SELECT result FROM sensitivities WHERE network_id = ?"));
    st.bind(1, network_id);
    GRIDKE_ASSIGN_OR_RETURN(const bool row, st.step());
    if (!row) {
      return failed_precondition("grid '" + std::string(network_id) +
                                 "' has no sensitivities yet: upload at least 3 months of "
                                 "historical data for every meter first");
    }
    return parse_sensitivity_matrix(st.column_text(0));
  }

  void work() {
    while (true) {
      std::string id, network_id, input;
      JobKind kind{};
      {
        std::unique_lock lock(mutex);
        busy = false;
        changed.notify_all();
        while (true) {
          if (stopping) return;
          auto st = db.prepare(
              "SELECT request_id, network_id, kind, input FROM jobs WHERE state = 0 "
              "ORDER BY seq LIMIT 1");
          if (st) {
            auto row = st->step();
            if (row && *row) {
              id = st->column_text(0);
              network_id = st->column_text(1);
              kind = static_cast<JobKind>(st->column_int(2));
              input = st->column_text(3);
              break;
            }
          }
          changed.wait(lock);
        }
        busy = true;
        (void)set_progress(id, JobState::running, 0.1);
      }
      Result<std::string> outcome = kind == JobKind::update_historical_data
                                        ? run_update(id, network_id, input)
                                        : run_analysis(id, kind, network_id, input);
      std::lock_guard lock(mutex);
      (void)finish(id, outcome);
    }
  }
};

SensitivitiesService::SensitivitiesService(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

SensitivitiesService::~SensitivitiesService() {
  {
    std::lock_guard lock(impl_->mutex);
    impl_->stopping = true;
  }
  impl_->changed.notify_all();
  if (impl_->worker.joinable()) impl_->worker.join();
}

Result<std::unique_ptr<SensitivitiesService>> SensitivitiesService::open(const std::string& path,
                                                                         ServiceOptions options) {
  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  auto db = storage::Database::open(path);
  if (!db) return db.error().with_context("sensitivities database");
  impl->db = std::move(*db);
  GRIDKE_TRY(impl->db.exec(kSchema));
  GRIDKE_TRY(impl->db.set_user_version(2));
  {
    GRIDKE_ASSIGN_OR_RETURN(auto count, impl->db.prepare("SELECT COUNT(*) FROM appliance_records"));
    GRIDKE_TRY(count.step());
    impl->appliance_records = count.column_int(0);
  }
  std::unique_ptr<SensitivitiesService> service(new SensitivitiesService(std::move(impl)));
  if (service->impl_->options.start_worker) {
    service->impl_->worker = std::thread([s = service->impl_.get()] { s->work(); });
  }
  return service;
}

Result<void> SensitivitiesService::register_grid(const GridRegistration& grid) {
  GRIDKE_TRY(validate_registration(grid, impl_->options.estimator.requirements));
  std::lock_guard lock(impl_->mutex);
  GRIDKE_ASSIGN_OR_RETURN(const auto existing, impl_->load_grid(grid.network_id));
  if (existing) return already_exists("grid '" + grid.network_id + "' is already registered");
  GRIDKE_ASSIGN_OR_RETURN(
      auto st, impl_->db.prepare(
                   "INSERT INTO grids (network_id, registration, created_s) VALUES (?, ?, ?)"));
  st.bind(1, grid.network_id).bind(2, to_json(grid)).bind(3, now_s());
  GRIDKE_TRY(st.run());
  return ok();
}

Result<void> SensitivitiesService::remove_grid(std::string_view network_id) {
  std::lock_guard lock(impl_->mutex);
  GRIDKE_TRY(impl_->require_grid(network_id));
  GRIDKE_ASSIGN_OR_RETURN(
      auto count, impl_->db.prepare("SELECT COUNT(*) FROM appliance_records WHERE network_id = ?"));
  count.bind(1, network_id);
  GRIDKE_TRY(count.step());
  const std::int64_t appliance_rows = count.column_int(0);
  GRIDKE_ASSIGN_OR_RETURN(auto st, impl_->db.prepare("DELETE FROM grids WHERE network_id = ?"));
  st.bind(1, network_id);
  GRIDKE_TRY(st.run());  // cascades to measurements, appliances, appliance_records, jobs
  impl_->appliance_records -= appliance_rows;
  return ok();
}

Result<GridRegistration> SensitivitiesService::grid(std::string_view network_id) const {
  std::lock_guard lock(impl_->mutex);
  return impl_->require_grid(network_id);
}

Result<std::string> SensitivitiesService::submit_historical_data(std::string_view network_id,
                                                                 HistoricalData data) {
  GridRegistration g;
  {
    std::lock_guard lock(impl_->mutex);
    GRIDKE_ASSIGN_OR_RETURN(g, impl_->require_grid(network_id));
  }
  GRIDKE_TRY(validate_upload(g, data));
  if (data.meters.empty()) return invalid_argument("historicalFromMeters is empty");
  std::int64_t records = 0;
  for (const auto& h : data.meters) records += static_cast<std::int64_t>(h.measurements.size());
  const std::string input = nlohmann::json{{"records", records}}.dump();
  return impl_->enqueue(network_id, JobKind::update_historical_data, input, &data);
}

namespace {
// `what` names the list in messages ("historicalFromAppliances" for REST jobs, "appliances").
Result<void> check_appliances(const GridRegistration& g,
                              const std::vector<ApplianceHistory>& appliances,
                              const std::string& what = "historicalFromAppliances") {
  if (appliances.empty()) return invalid_argument(what + " is empty");
  for (std::size_t k = 0; k < appliances.size(); ++k) {
    bool known = false;
    for (const auto& m : g.meters) {
      known = known || (m.meter_id == appliances[k].meter_id && m.kind == MeterKind::regular);
    }
    if (!known) {
      return invalid_argument(what + "[" + std::to_string(k) + "] appliance '" +
                              appliances[k].appliance_id + "': meter '" + appliances[k].meter_id +
                              "' is not a regular meter of grid '" + g.network_id + "'");
    }
  }
  return ok();
}

// The stricter checks of stored appliance data (store_appliance_data).
Result<void> check_stored_appliances(const GridRegistration& g,
                                     const std::vector<ApplianceHistory>& appliances) {
  for (std::size_t k = 0; k < appliances.size(); ++k) {
    const auto& a = appliances[k];
    const std::string at = "appliances[" + std::to_string(k) + "]";
    if (a.appliance_id.empty()) return invalid_argument(at + ".appliance_id must not be empty");
    const int type = static_cast<int>(a.type);
    if (type < 1 || type > 4) {
      return invalid_argument(at + " appliance '" + a.appliance_id + "': type " +
                              std::to_string(type) + " is not 1-4 (D4.3 Table 9)");
    }
    if (a.measurements.empty()) {
      return invalid_argument(at + " appliance '" + a.appliance_id + "' has no measurements");
    }
    for (std::size_t i = 0; i < a.measurements.size(); ++i) {
      const auto& r = a.measurements[i];
      const std::string where = at + ".measurements[" + std::to_string(i) + "]";
      if (!std::isfinite(r.p_measured_kw)) {
        return invalid_argument(where + ".p_measured of appliance '" + a.appliance_id +
                                "' is not a finite number");
      }
      if (r.timestamp_s < 0) {
        return invalid_argument(where + ".timestamp of appliance '" + a.appliance_id +
                                "' is before 1970: " + std::to_string(r.timestamp_s));
      }
    }
  }
  return check_appliances(g, appliances, "appliances");
}
}  // namespace

Result<ApplianceStoreSummary> SensitivitiesService::store_appliance_data(
    std::string_view network_id, const std::vector<ApplianceHistory>& data) {
  std::lock_guard lock(impl_->mutex);
  GRIDKE_ASSIGN_OR_RETURN(const auto g, impl_->require_grid(network_id));
  if (data.empty()) return invalid_argument("appliances is empty");
  GRIDKE_TRY(check_stored_appliances(g, data));
  auto& db = impl_->db;
  ApplianceStoreSummary summary;
  GRIDKE_ASSIGN_OR_RETURN(auto tx, Transaction::begin(db));
  GRIDKE_ASSIGN_OR_RETURN(
      auto upsert,
      db.prepare("INSERT INTO appliances (network_id, appliance_id, type, meter_id) VALUES "
                 "(?, ?, ?, ?) ON CONFLICT (network_id, appliance_id) DO UPDATE SET "
                 "type = excluded.type, meter_id = excluded.meter_id"));
  GRIDKE_ASSIGN_OR_RETURN(
      auto insert, db.prepare("INSERT OR IGNORE INTO appliance_records (network_id, appliance_id, "
                              "timestamp, p) VALUES (?, ?, ?, ?)"));
  GRIDKE_ASSIGN_OR_RETURN(auto update,
                          db.prepare("UPDATE appliance_records SET p = ? WHERE network_id = ? AND "
                                     "appliance_id = ? AND timestamp = ?"));
  for (const auto& a : data) {
    upsert.bind(1, network_id).bind(2, a.appliance_id);
    upsert.bind(3, static_cast<std::int64_t>(a.type)).bind(4, a.meter_id);
    GRIDKE_TRY(upsert.run());
    for (const auto& r : a.measurements) {
      insert.bind(1, network_id).bind(2, a.appliance_id).bind(3, r.timestamp_s);
      insert.bind(4, r.p_measured_kw);
      GRIDKE_ASSIGN_OR_RETURN(const int added, insert.run());
      if (added > 0) {
        ++summary.added;
        continue;
      }
      update.bind(1, r.p_measured_kw).bind(2, network_id).bind(3, a.appliance_id);
      update.bind(4, r.timestamp_s);
      GRIDKE_TRY(update.run());
      ++summary.replaced;
    }
  }
  if (impl_->appliance_records + summary.added > impl_->options.max_appliance_records) {
    return failed_precondition(  // the transaction rolls back
        "appliances: " + std::to_string(summary.added) + " new records would pass the " +
        std::to_string(impl_->options.max_appliance_records) +
        " appliance records the service keeps (max_appliance_records; " +
        std::to_string(impl_->appliance_records) + " held)");
  }
  GRIDKE_ASSIGN_OR_RETURN(
      auto count, db.prepare("SELECT COUNT(*) FROM appliance_records WHERE network_id = ?"));
  count.bind(1, network_id);
  GRIDKE_TRY(count.step());
  summary.total = count.column_int(0);
  GRIDKE_TRY(tx.commit());
  impl_->appliance_records += summary.added;
  return summary;
}

Result<std::vector<ApplianceHistory>> SensitivitiesService::appliance_data(
    std::string_view network_id) const {
  std::lock_guard lock(impl_->mutex);
  GRIDKE_TRY(impl_->require_grid(network_id));
  GRIDKE_ASSIGN_OR_RETURN(
      auto st, impl_->db.prepare("SELECT a.appliance_id, a.type, a.meter_id, r.timestamp, r.p FROM "
                                 "appliances a JOIN appliance_records r ON r.network_id = "
                                 "a.network_id AND r.appliance_id = a.appliance_id WHERE "
                                 "a.network_id = ? ORDER BY a.appliance_id, r.timestamp"));
  st.bind(1, network_id);
  std::vector<ApplianceHistory> out;
  while (true) {
    GRIDKE_ASSIGN_OR_RETURN(const bool row, st.step());
    if (!row) break;
    std::string id = st.column_text(0);
    if (out.empty() || out.back().appliance_id != id) {
      out.push_back(
          {std::move(id), static_cast<ApplianceType>(st.column_int(1)), st.column_text(2), {}});
    }
    out.back().measurements.push_back({st.column_int(3), st.column_double(4)});
  }
  return out;
}

Result<std::string> SensitivitiesService::submit_load_correlation(
    std::string_view network_id, std::vector<ApplianceHistory> appliances,
    std::optional<VoltageLimits> limits) {
  GridRegistration g;
  {
    std::lock_guard lock(impl_->mutex);
    GRIDKE_ASSIGN_OR_RETURN(g, impl_->require_grid(network_id));
  }
  GRIDKE_TRY(check_appliances(g, appliances));
  const std::string input =
      "{\"appliances\":" + to_json(appliances) + ",\"limits\":" + limits_json(limits) + "}";
  return impl_->enqueue(network_id, JobKind::load_correlation, input);
}

Result<std::string> SensitivitiesService::submit_flexibility_requirements(
    std::string_view network_id, std::vector<ApplianceHistory> appliances,
    std::optional<VoltageLimits> limits) {
  GridRegistration g;
  {
    std::lock_guard lock(impl_->mutex);
    GRIDKE_ASSIGN_OR_RETURN(g, impl_->require_grid(network_id));
  }
  GRIDKE_TRY(check_appliances(g, appliances));
  const std::string input =
      "{\"appliances\":" + to_json(appliances) + ",\"limits\":" + limits_json(limits) + "}";
  return impl_->enqueue(network_id, JobKind::flexibility_requirements, input);
}

namespace {
constexpr const char* kJobColumns =
    "SELECT request_id, kind, network_id, state, progress, result, error_code, error_message, "
    "created_s, updated_s FROM jobs ";

JobStatus job_from_row(const Statement& st) {
  JobStatus j;
  j.request_id = st.column_text(0);
  j.kind = static_cast<JobKind>(st.column_int(1));
  j.network_id = st.column_text(2);
  j.state = static_cast<JobState>(st.column_int(3));
  j.progress = st.column_double(4);
  j.result_json = st.column_text(5);
  j.error_code = st.column_text(6);
  j.error_message = st.column_text(7);
  j.created_s = st.column_int(8);
  j.updated_s = st.column_int(9);
  return j;
}
}  // namespace

Result<JobStatus> SensitivitiesService::job(std::string_view request_id) const {
  std::lock_guard lock(impl_->mutex);
  GRIDKE_ASSIGN_OR_RETURN(auto st,
                          impl_->db.prepare(std::string(kJobColumns) + "WHERE request_id = ?"));
  st.bind(1, request_id);
  GRIDKE_ASSIGN_OR_RETURN(const bool row, st.step());
  if (!row) return not_found("request '" + std::string(request_id) + "' is unknown");
  return job_from_row(st);
}

Result<std::optional<JobStatus>> SensitivitiesService::latest_job(std::string_view network_id,
                                                                  JobKind kind) const {
  std::lock_guard lock(impl_->mutex);
  GRIDKE_TRY(impl_->require_grid(network_id));
  GRIDKE_ASSIGN_OR_RETURN(
      auto st, impl_->db.prepare(std::string(kJobColumns) +
                                 "WHERE network_id = ? AND kind = ? ORDER BY seq DESC LIMIT 1"));
  st.bind(1, network_id).bind(2, static_cast<std::int64_t>(kind));
  GRIDKE_ASSIGN_OR_RETURN(const bool row, st.step());
  if (!row) return std::optional<JobStatus>();
  return std::optional<JobStatus>(job_from_row(st));
}

Result<void> SensitivitiesService::remove_job(std::string_view request_id) {
  GRIDKE_ASSIGN_OR_RETURN(const auto j, job(request_id));
  if (j.state == JobState::running) {
    return failed_precondition("request '" + j.request_id + "' is running; remove it when done");
  }
  std::lock_guard lock(impl_->mutex);
  GRIDKE_ASSIGN_OR_RETURN(
      auto st, impl_->db.prepare("DELETE FROM jobs WHERE request_id = ? AND state != 1"));
  st.bind(1, request_id);
  GRIDKE_TRY(st.run());
  return ok();
}

Result<std::vector<std::string>> SensitivitiesService::grids() const {
  std::lock_guard lock(impl_->mutex);
  GRIDKE_ASSIGN_OR_RETURN(auto st,
                          impl_->db.prepare("SELECT network_id FROM grids ORDER BY network_id"));
  std::vector<std::string> out;
  while (true) {
    GRIDKE_ASSIGN_OR_RETURN(const bool row, st.step());
    if (!row) break;
    out.push_back(st.column_text(0));
  }
  return out;
}

Result<HistoricalData> SensitivitiesService::history(std::string_view network_id) const {
  std::lock_guard lock(impl_->mutex);
  GRIDKE_ASSIGN_OR_RETURN(const auto g, impl_->require_grid(network_id));
  return impl_->load_history(g);
}

Result<SensitivityMatrix> SensitivitiesService::sensitivities(std::string_view network_id) const {
  std::lock_guard lock(impl_->mutex);
  GRIDKE_TRY(impl_->require_grid(network_id));
  return impl_->load_sensitivities(network_id);
}

Result<std::int64_t> SensitivitiesService::stored_records(std::string_view network_id) const {
  std::lock_guard lock(impl_->mutex);
  GRIDKE_TRY(impl_->require_grid(network_id));
  GRIDKE_ASSIGN_OR_RETURN(
      auto st, impl_->db.prepare("SELECT COUNT(*) FROM measurements WHERE network_id = ?"));
  st.bind(1, network_id);
  GRIDKE_TRY(st.step());
  return st.column_int(0);
}

bool SensitivitiesService::wait_idle(std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::unique_lock lock(impl_->mutex);
  while (true) {
    bool pending = impl_->busy;
    if (!pending) {
      auto st = impl_->db.prepare("SELECT COUNT(*) FROM jobs WHERE state IN (0, 1)");
      if (st) {
        const auto row = st->step();
        pending = row && *row && st->column_int(0) > 0;
      }
    }
    if (!pending) return true;
    if (!impl_->options.start_worker) return false;
    if (impl_->changed.wait_until(lock, deadline) == std::cv_status::timeout) return false;
  }
}

}  // namespace gridke::services::sensitivities
