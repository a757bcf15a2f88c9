// The asynchronous job flow of D4.3 Figure 22; see flexibility_response_service.hpp.

#include "gridke/services/flexibility_response/flexibility_response_service.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "gridke/services/flexibility_response/json_output.hpp"
#include "gridke/services/flexibility_response/model/json_reader.hpp"
#include "gridke/services/flexibility_response/pseudonymiser.hpp"
#include "gridke/storage/sqlite.hpp"

namespace gridke::services::flexibility_response {
namespace {

using nlohmann::json;

// 2: datasets.pseudonymised = 2 (binary columns) besides 0 (raw) and 1 (pseudonymised CSV).
constexpr int kSchemaVersion = 2;
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS jobs(
  id TEXT PRIMARY KEY,
  state TEXT NOT NULL,
  stage TEXT NOT NULL,
  progress REAL NOT NULL,
  error_code INTEGER,
  error_message TEXT,
  created_s INTEGER NOT NULL,
  updated_s INTEGER NOT NULL,
  options TEXT NOT NULL,
  token_hash TEXT NOT NULL,
  dataset_bytes INTEGER NOT NULL,
  rows INTEGER NOT NULL DEFAULT 0,
  customers INTEGER NOT NULL DEFAULT 0,
  mapping_erased INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS datasets(
  job_id TEXT PRIMARY KEY REFERENCES jobs(id) ON DELETE CASCADE,
  pseudonymised INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS dataset_chunks(
  job_id TEXT NOT NULL REFERENCES datasets(job_id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY(job_id, seq));
CREATE TABLE IF NOT EXISTS results(
  job_id TEXT PRIMARY KEY REFERENCES jobs(id) ON DELETE CASCADE,
  json TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS pseudonyms(
  job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  pseudonym TEXT NOT NULL,
  user_id TEXT NOT NULL,
  PRIMARY KEY(job_id, pseudonym));
)sql";

// Datasets are stored in pieces of this size: SQLite caps one value at 1e9 bytes
// (SQLITE_MAX_LENGTH), and a year of half-hourly CSV for 1,000 customers is ~1.5 GB. 16 MB
// rather than more: SQLite copies each bound piece, and below glibc's 32 MB mmap ceiling those
// copies reuse heap memory instead of faulting in fresh zeroed pages every time.
constexpr std::size_t kChunkBytes = 16u << 20;

// Uploads kept in memory for the worker (beyond this they are read back from SQLite).
constexpr std::size_t kMaxHeldUploadBytes = std::size_t{4} << 30;

// Progress shares of the stages of one job (the model dominates on large datasets).
constexpr double kParsedProgress = 0.2;
constexpr double kPseudonymisedProgress = 0.3;
constexpr double kAnalysedProgress = 0.95;

std::int64_t now_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::optional<JobState> parse_state(std::string_view s) {
  for (JobState state : {JobState::queued, JobState::running, JobState::done, JobState::failed}) {
    if (to_string(state) == s) return state;
  }
  return std::nullopt;
}

json options_json(const Submission& s) {
  json o{{"format", std::string(to_string(s.format))},
         {"slot_minutes", s.slot_minutes},
         {"confidence_level", s.confidence_level},
         {"callback_url", s.callback_url}};
  o["window"] =
      s.window ? json{{"start", s.window->start_s}, {"end", s.window->end_s}} : json(nullptr);
  o["baseline_signal_value"] = s.baseline_signal_value ? json(*s.baseline_signal_value) : json();
  o["reference_temperature_c"] =
      s.reference_temperature_c ? json(*s.reference_temperature_c) : json();
  o["reliability_method"] = std::string(to_string(s.reliability_method));
  o["empirical_threshold_kw"] = s.empirical_threshold_kw ? json(*s.empirical_threshold_kw) : json();
  json groups = json::array();
  for (const auto& g : s.groups) groups.push_back({{"groupID", g.name}, {"userIDs", g.user_ids}});
  o["groups"] = std::move(groups);
  return o;
}

struct JobOptions {
  DatasetFormat format = DatasetFormat::json;
  model::CsvReadOptions read;
  AnalysisOptions analysis;
  std::string callback_url;
};

JobOptions parse_options(const std::string& text) {
  const json o = json::parse(text, nullptr, false);
  JobOptions out;
  if (!o.is_object()) return out;  // written by options_json only; never malformed
  out.format = o.value("format", "json") == "csv" ? DatasetFormat::csv : DatasetFormat::json;
  if (o.contains("window") && o["window"].is_object()) {
    out.read.window = model::AnalysisWindow{o["window"].value("start", std::int64_t{0}),
                                            o["window"].value("end", std::int64_t{0})};
  }
  if (o.contains("baseline_signal_value") && o["baseline_signal_value"].is_number()) {
    out.read.baseline_signal_value = o["baseline_signal_value"].get<double>();
  }
  out.analysis.slot_minutes = o.value("slot_minutes", 60);
  out.analysis.confidence_level = o.value("confidence_level", 0.95);
  if (o.contains("reference_temperature_c") && o["reference_temperature_c"].is_number()) {
    out.analysis.reference_temperature_c = o["reference_temperature_c"].get<double>();
  }
  out.callback_url = o.value("callback_url", "");
  out.analysis.reliability_method = parse_reliability_method(o.value("reliability_method", "model"))
                                        .value_or(ReliabilityMethod::model);
  if (o.contains("empirical_threshold_kw") && o["empirical_threshold_kw"].is_number()) {
    out.analysis.empirical_threshold_kw = o["empirical_threshold_kw"].get<double>();
  }
  if (o.contains("groups") && o["groups"].is_array()) {
    for (const auto& g : o["groups"]) {
      model::CustomerGroup group;
      group.name = g.value("groupID", "");
      if (g.contains("userIDs") && g["userIDs"].is_array()) {
        for (const auto& u : g["userIDs"]) {
          if (u.is_string()) group.user_ids.push_back(u.get<std::string>());
        }
      }
      out.read.groups.push_back(std::move(group));
    }
  }
  return out;
}

// The pseudonymised dataset as stored (datasets.pseudonymised = 2): native little-endian binary
// columns after a small header. Window, baseline value and groups travel in the job's options.
namespace flex_columns {

constexpr char kMagic[8] = {'G', 'K', 'F', 'R', 'C', 'O', 'L', '1'};
static_assert(std::endian::native == std::endian::little, "column encoding is little-endian");

template <typename T>
void put(std::string& out, const T& v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof v);
}
template <typename T>
void put_column(std::string& out, const std::vector<T>& v) {
  out.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
}
void put_text(std::string& out, std::string_view text) {
  put(out, static_cast<std::uint32_t>(text.size()));
  out.append(text);
}

std::string encode(const model::Dataset& d) {
  std::string out;
  const std::size_t rows = d.size();
  std::size_t bytes = 64 + d.signal_unit.size() + rows * (4 + 8 * 4);
  for (const auto& u : d.user_ids) bytes += 4 + u.size();
  if (d.has_indoor_temperature()) bytes += rows * 8;
  if (d.has_occupancy()) bytes += rows * 8;
  out.reserve(bytes);
  out.append(kMagic, sizeof kMagic);
  put(out, static_cast<std::uint64_t>(rows));
  put(out, static_cast<std::uint64_t>(d.user_ids.size()));
  put(out, static_cast<std::uint8_t>(d.consumption_unit));
  put(out, static_cast<std::uint8_t>(d.signal_class));
  put(out, static_cast<std::uint8_t>(d.has_indoor_temperature() ? 1 : 0));
  put(out, static_cast<std::uint8_t>(d.has_occupancy() ? 1 : 0));
  put_text(out, d.signal_unit);
  for (const auto& u : d.user_ids) put_text(out, u);
  put_column(out, d.user);
  put_column(out, d.timestamp_s);
  put_column(out, d.consumption);
  put_column(out, d.signal);
  put_column(out, d.outside_temperature_c);
  if (d.has_indoor_temperature()) put_column(out, d.indoor_temperature_c);
  if (d.has_occupancy()) put_column(out, d.occupancy);
  return out;
}

struct Cursor {
  std::string_view data;
  std::size_t pos = 0;
  bool ok = true;
  template <typename T>
  T get() {
    T v{};
    if (pos + sizeof v > data.size()) {
      ok = false;
      return v;
    }
    std::memcpy(&v, data.data() + pos, sizeof v);
    pos += sizeof v;
    return v;
  }
  std::string text() {
    const auto n = get<std::uint32_t>();
    if (!ok || pos + n > data.size()) {
      ok = false;
      return {};
    }
    std::string out(data.substr(pos, n));
    pos += n;
    return out;
  }
  template <typename T>
  void column(std::vector<T>& v, std::size_t rows) {
    if (!ok || pos + rows * sizeof(T) > data.size()) {
      ok = false;
      return;
    }
    v.resize(rows);
    std::memcpy(v.data(), data.data() + pos, rows * sizeof(T));
    pos += rows * sizeof(T);
  }
};

Result<model::Dataset> decode(std::string_view data, const std::string& id) {
  const auto corrupt = [&id](const char* what) {
    return internal_error("stored dataset of request '" + id + "' is corrupt (" + what + ")");
  };
  if (data.size() < sizeof kMagic || data.substr(0, sizeof kMagic) != std::string_view(kMagic, 8)) {
    return corrupt("bad magic");
  }
  Cursor c{data, sizeof kMagic};
  model::Dataset d;
  const auto rows = static_cast<std::size_t>(c.get<std::uint64_t>());
  const auto users = static_cast<std::size_t>(c.get<std::uint64_t>());
  const auto unit = c.get<std::uint8_t>();
  const auto signal_class = c.get<std::uint8_t>();
  const bool indoor = c.get<std::uint8_t>() != 0;
  const bool occupancy = c.get<std::uint8_t>() != 0;
  if (!c.ok || unit > 3 || signal_class > 3 || users > data.size()) return corrupt("header");
  d.consumption_unit = static_cast<model::ConsumptionUnit>(unit);
  d.signal_class = static_cast<model::SignalClass>(signal_class);
  d.signal_unit = c.text();
  d.user_ids.reserve(users);
  for (std::size_t u = 0; u < users && c.ok; ++u) d.user_ids.push_back(c.text());
  c.column(d.user, rows);
  c.column(d.timestamp_s, rows);
  c.column(d.consumption, rows);
  c.column(d.signal, rows);
  c.column(d.outside_temperature_c, rows);
  if (indoor) c.column(d.indoor_temperature_c, rows);
  if (occupancy) c.column(d.occupancy, rows);
  if (!c.ok || c.pos != data.size()) return corrupt("length");
  return d;
}

}  // namespace flex_columns

}  // namespace

std::string_view to_string(JobState state) {
  switch (state) {
    case JobState::queued: return "queued";
    case JobState::running: return "running";
    case JobState::done: return "done";
    case JobState::failed: return "failed";
  }
  return "?";
}

std::string_view to_string(DatasetFormat format) {
  return format == DatasetFormat::csv ? "csv" : "json";
}

struct FlexibilityResponseService::Impl {
  ServiceOptions options;
  mutable std::mutex mu;  // guards db, queue, live, stopping
  mutable storage::Database db;
  std::deque<std::string> queue;
  struct Live {
    std::string stage;
    double progress = 0.0;
  };
  std::unordered_map<std::string, Live> live;  // jobs in progress: stage and progress
  // Uploaded texts from submit() until the worker takes them (also stored in dataset_chunks), at
  // most kMaxHeldUploadBytes in all: further queued uploads are read back from SQLite.
  std::unordered_map<std::string, std::shared_ptr<const std::string>> uploads;
  std::size_t upload_bytes = 0;

  void forget_upload(const std::string& id) {
    if (const auto it = uploads.find(id); it != uploads.end()) {
      upload_bytes -= it->second->size();
      uploads.erase(it);
    }
  }
  std::mutex listener_mu;  // guards listeners and next_listener; taken before `mu`, never after
  std::map<int, std::function<void(const JobStatus&)>> listeners;
  int next_listener = 1;
  bool stopping = false;
  mutable std::condition_variable work_cv;
  mutable std::condition_variable changed_cv;
  std::thread worker;

  // --- storage helpers (REQUIRES: mu held) ---

  Result<std::optional<JobStatus>> load_status(const std::string& id) const {
    GRIDKE_ASSIGN_OR_RETURN(auto st,
                            db.prepare("SELECT state, stage, progress, error_code, error_message, "
                                       "created_s, updated_s, dataset_bytes, rows, customers, "
                                       "options, mapping_erased FROM jobs WHERE id = ?"));
    st.bind(1, id);
    GRIDKE_ASSIGN_OR_RETURN(const bool row, st.step());
    if (!row) return std::optional<JobStatus>();
    JobStatus s;
    s.request_id = id;
    s.state = parse_state(st.column_text(0)).value_or(JobState::failed);
    s.stage = st.column_text(1);
    s.progress = st.column_double(2);
    if (!st.column_is_null(3)) {
      s.error = Error(static_cast<ErrorCode>(st.column_int(3)), st.column_text(4));
    }
    s.created_s = st.column_int(5);
    s.updated_s = st.column_int(6);
    s.dataset_bytes = st.column_int(7);
    s.rows = st.column_int(8);
    s.customers = st.column_int(9);
    s.callback_url = parse_options(st.column_text(10)).callback_url;
    s.mapping_erased = st.column_int(11) != 0;
    if (const auto it = live.find(id); it != live.end() && s.state == JobState::running) {
      s.stage = it->second.stage;
      s.progress = it->second.progress;
    }
    return std::optional<JobStatus>(std::move(s));
  }

  Result<JobStatus> require_status(const std::string& id) const {
    GRIDKE_ASSIGN_OR_RETURN(auto s, load_status(id));
    if (!s) return not_found("no flexibility-response request with id '" + id + "'");
    return *s;
  }

  // Sets state/stage/progress; returns false when the job no longer exists (removed).
  Result<bool> set_state(const std::string& id, JobState state, std::string_view stage,
                         double progress) {
    GRIDKE_ASSIGN_OR_RETURN(auto st, db.prepare("UPDATE jobs SET state = ?, stage = ?, "
                                                "progress = ?, updated_s = ? WHERE id = ?"));
    st.bind(1, to_string(state)).bind(2, stage).bind(3, progress).bind(4, now_s()).bind(5, id);
    GRIDKE_ASSIGN_OR_RETURN(const int changed, st.run());
    return changed > 0;
  }

  Result<void> check_token(const std::string& id, const std::string& token) const {
    GRIDKE_ASSIGN_OR_RETURN(auto st, db.prepare("SELECT token_hash, mapping_erased FROM "
                                                "jobs WHERE id = ?"));
    st.bind(1, id);
    GRIDKE_ASSIGN_OR_RETURN(const bool row, st.step());
    if (!row) return not_found("no flexibility-response request with id '" + id + "'");
    if (st.column_text(0) != sha256_hex(token)) {
      return permission_denied("the mapping token does not belong to request '" + id + "'");
    }
    if (st.column_int(1) != 0) {
      return failed_precondition("the pseudonym mapping of request '" + id +
                                 "' was erased; results can no longer be re-identified");
    }
    return ok();
  }

  // Replaces the stored text of a job's dataset (REQUIRES: mu held, inside a transaction).
  Result<void> write_chunks(const std::string& id, std::string_view text) {
    GRIDKE_ASSIGN_OR_RETURN(auto del, db.prepare("DELETE FROM dataset_chunks WHERE job_id = ?"));
    del.bind(1, id);
    GRIDKE_TRY(del.run());
    GRIDKE_ASSIGN_OR_RETURN(auto insert, db.prepare("INSERT INTO dataset_chunks(job_id, seq, "
                                                    "data) VALUES (?, ?, ?)"));
    for (std::size_t offset = 0, seq = 0; offset < text.size(); offset += kChunkBytes, ++seq) {
      const auto piece = text.substr(offset, kChunkBytes);
      insert.bind(1, id)
          .bind(2, static_cast<std::int64_t>(seq))
          .bind_blob(3, piece.data(), piece.size());
      GRIDKE_TRY(insert.run());
    }
    return ok();
  }

  // The stored text of a job's dataset (REQUIRES: mu held).
  Result<std::string> read_chunks(const std::string& id) {
    GRIDKE_ASSIGN_OR_RETURN(auto st, db.prepare("SELECT data FROM dataset_chunks WHERE job_id = "
                                                "? ORDER BY seq"));
    st.bind(1, id);
    std::string text;
    for (;;) {
      GRIDKE_ASSIGN_OR_RETURN(const bool row, st.step());
      if (!row) break;
      text += st.column_text(0);
    }
    return text;
  }

  // --- the worker ---

  void set_live(const std::string& id, std::string stage, double progress) {
    std::lock_guard lock(mu);
    live[id] = Live{std::move(stage), progress};
  }

  void finish(const std::string& id, const std::optional<Error>& error) {
    std::optional<JobStatus> status;
    {
      std::lock_guard lock(mu);
      if (error) {
        auto st = db.prepare(
            "UPDATE jobs SET state = 'failed', stage = 'failed', error_code = ?, "
            "error_message = ?, updated_s = ? WHERE id = ?");
        if (st) {
          st->bind(1, static_cast<std::int64_t>(error->code()))
              .bind(2, error->message())
              .bind(3, now_s())
              .bind(4, id);
          (void)st->run();
        }
      }
      if (auto s = load_status(id); s && *s) status = **s;
    }
    if (status) {
      // Listeners run without `mu` (they may call the service) but under `listener_mu`, so
      // remove_listener() returns only once no call of the removed listener is in flight.
      std::lock_guard calls(listener_mu);
      for (const auto& [key, fn] : listeners) fn(*status);
    }
    {
      // Only now is the job finished for wait(): its listeners have run.
      std::lock_guard lock(mu);
      live.erase(id);
    }
    changed_cv.notify_all();
  }

  // Parsing, pseudonymisation, analysis and storage of one job. Returns the job's own error
  // (a bad dataset) as an Error; a removed job ends quietly.
  Result<void> process(const std::string& id) {
    std::shared_ptr<const std::string> data;
    int stored_as = 0;  // datasets.pseudonymised: 0 raw text, 1 pseudonymised CSV, 2 columns
    JobOptions job;
    {
      std::lock_guard lock(mu);
      GRIDKE_ASSIGN_OR_RETURN(auto st, db.prepare("SELECT d.pseudonymised, j.options "
                                                  "FROM datasets d JOIN jobs j ON j.id = d.job_id "
                                                  "WHERE d.job_id = ?"));
      st.bind(1, id);
      GRIDKE_ASSIGN_OR_RETURN(const bool row, st.step());
      if (!row) return ok();  // removed before it started
      stored_as = static_cast<int>(st.column_int(0));
      job = parse_options(st.column_text(1));
      if (const auto it = uploads.find(id); it != uploads.end() && stored_as == 0) {
        data = it->second;  // this process received it: no re-read
        forget_upload(id);
      } else {
        GRIDKE_ASSIGN_OR_RETURN(auto text, read_chunks(id));
        data = std::make_shared<const std::string>(std::move(text));
      }
      GRIDKE_ASSIGN_OR_RETURN(const bool exists, set_state(id, JobState::running, "parsing", 0.02));
      if (!exists) return ok();
      live[id] = Live{"parsing", 0.02};
    }
    model::Dataset dataset;
    if (stored_as == 2) {
      GRIDKE_ASSIGN_OR_RETURN(dataset, flex_columns::decode(*data, id));
      dataset.baseline_signal_value = job.read.baseline_signal_value;
      if (job.read.window) dataset.window = *job.read.window;
      dataset.groups = job.read.groups;
    } else {
      auto parsed = (stored_as == 1 || job.format == DatasetFormat::csv)
                        ? model::read_dataset_csv(*data, job.read)
                        : model::read_dataset_json(*data, job.read);
      if (!parsed.has_value()) return parsed.error();
      dataset = std::move(*parsed);
    }
    data.reset();

    if (stored_as == 0) {
      set_live(id, "pseudonymising", kParsedProgress);
      std::optional<Pseudonymiser> pseudonymiser;
      if (options.pseudonym_key.empty()) {
        GRIDKE_ASSIGN_OR_RETURN(auto p, Pseudonymiser::with_random_key());
        pseudonymiser.emplace(std::move(p));
      } else {
        GRIDKE_ASSIGN_OR_RETURN(auto p, Pseudonymiser::create(options.pseudonym_key));
        pseudonymiser.emplace(std::move(p));
      }
      std::unordered_map<std::string, std::string> seen;
      std::unordered_map<std::string, std::string> to_pseudonym;
      std::vector<std::pair<std::string, std::string>> mapping;
      for (auto& user : dataset.user_ids) {
        std::string pseudonym = pseudonymiser->pseudonym(user);
        if (const auto [it, inserted] = seen.emplace(pseudonym, user); !inserted) {
          return internal_error(
              "pseudonym collision between two user ids of the dataset; "
              "submit again (a random key) or change the deployment key");
        }
        to_pseudonym.emplace(user, pseudonym);
        mapping.emplace_back(pseudonym, std::move(user));
        user = std::move(pseudonym);
      }
      for (auto& group : dataset.groups) {
        for (auto& member : group.user_ids) member = to_pseudonym.at(member);
      }
      const std::string columns = flex_columns::encode(dataset);
      JobOptions resolved_job = job;
      resolved_job.format = DatasetFormat::csv;
      resolved_job.read.window = dataset.window;
      resolved_job.read.baseline_signal_value = dataset.baseline_signal_value;
      resolved_job.read.groups = dataset.groups;
      const std::string resolved = to_options_text(resolved_job);
      std::lock_guard lock(mu);
      GRIDKE_ASSIGN_OR_RETURN(auto tx, storage::Transaction::begin(db));
      GRIDKE_ASSIGN_OR_RETURN(auto update, db.prepare("UPDATE jobs SET options = ?, rows = ?, "
                                                      "customers = ? WHERE id = ?"));
      update.bind(1, resolved)
          .bind(2, static_cast<std::int64_t>(dataset.size()))
          .bind(3, static_cast<std::int64_t>(dataset.user_ids.size()))
          .bind(4, id);
      GRIDKE_ASSIGN_OR_RETURN(const int exists, update.run());
      if (exists == 0) return ok();  // removed meanwhile
      GRIDKE_ASSIGN_OR_RETURN(auto store, db.prepare("UPDATE datasets SET pseudonymised = 2 "
                                                     "WHERE job_id = ?"));
      store.bind(1, id);
      GRIDKE_TRY(store.run());
      GRIDKE_TRY(write_chunks(id, columns));
      GRIDKE_ASSIGN_OR_RETURN(auto insert, db.prepare("INSERT OR REPLACE INTO pseudonyms("
                                                      "job_id, pseudonym, user_id) "
                                                      "VALUES (?, ?, ?)"));
      for (const auto& [pseudonym, user] : mapping) {
        insert.bind(1, id).bind(2, pseudonym).bind(3, user);
        GRIDKE_TRY(insert.run());
      }
      GRIDKE_TRY(tx.commit());
      live[id] = Live{"analysing", kPseudonymisedProgress};
    } else {
      set_live(id, "analysing", kPseudonymisedProgress);
    }

    AnalysisOptions analysis = job.analysis;
    analysis.threads = options.analysis_threads;
    analysis.progress = [this, &id](std::size_t done, std::size_t total) {
      std::lock_guard lock(mu);
      live[id] = Live{"analysing", kPseudonymisedProgress +
                                       (kAnalysedProgress - kPseudonymisedProgress) *
                                           static_cast<double>(done) /
                                           static_cast<double>(std::max<std::size_t>(total, 1))};
    };
    auto result = analyse(dataset, analysis);
    if (!result.has_value()) return result.error();
    set_live(id, "storing", kAnalysedProgress);
    const std::string text = to_d43_json(*result);

    std::lock_guard lock(mu);
    GRIDKE_ASSIGN_OR_RETURN(auto tx, storage::Transaction::begin(db));
    GRIDKE_ASSIGN_OR_RETURN(const bool exists, set_state(id, JobState::done, "done", 1.0));
    if (!exists) return ok();
    GRIDKE_ASSIGN_OR_RETURN(auto store, db.prepare("INSERT OR REPLACE INTO results(job_id, json) "
                                                   "VALUES (?, ?)"));
    store.bind(1, id).bind(2, text);
    GRIDKE_TRY(store.run());
    GRIDKE_ASSIGN_OR_RETURN(auto counts, db.prepare("UPDATE jobs SET rows = ?, customers = ? "
                                                    "WHERE id = ?"));
    counts.bind(1, static_cast<std::int64_t>(dataset.size()))
        .bind(2, static_cast<std::int64_t>(dataset.user_ids.size()))
        .bind(3, id);
    GRIDKE_TRY(counts.run());
    return tx.commit();
  }

  static std::string to_options_text(const JobOptions& job) {
    Submission s;
    s.format = job.format;
    s.window = job.read.window;
    s.baseline_signal_value = job.read.baseline_signal_value;
    s.slot_minutes = job.analysis.slot_minutes;
    s.confidence_level = job.analysis.confidence_level;
    s.reference_temperature_c = job.analysis.reference_temperature_c;
    s.groups = job.read.groups;
    s.reliability_method = job.analysis.reliability_method;
    s.empirical_threshold_kw = job.analysis.empirical_threshold_kw;
    s.callback_url = job.callback_url;
    return options_json(s).dump();
  }

  void run_one(const std::string& id) {
    auto done = process(id);
    finish(id, done.has_value() ? std::nullopt : std::optional<Error>(done.error()));
  }

  void run_worker() {
    for (;;) {
      std::string id;
      {
        std::unique_lock lock(mu);
        work_cv.wait(lock, [this] { return stopping || !queue.empty(); });
        if (stopping) return;
        id = std::move(queue.front());
        queue.pop_front();
      }
      run_one(id);
    }
  }
};

FlexibilityResponseService::FlexibilityResponseService(std::unique_ptr<Impl> impl)
    : impl_(std::move(impl)) {}

FlexibilityResponseService::~FlexibilityResponseService() {
  if (!impl_) return;
  {
    std::lock_guard lock(impl_->mu);
    impl_->stopping = true;
  }
  impl_->work_cv.notify_all();
  if (impl_->worker.joinable()) impl_->worker.join();
}

Result<std::unique_ptr<FlexibilityResponseService>> FlexibilityResponseService::open(
    ServiceOptions options) {
  if (options.analysis_threads < 1) {
    return invalid_argument("analysis_threads must be at least 1, got " +
                            std::to_string(options.analysis_threads));
  }
  if (!options.pseudonym_key.empty()) GRIDKE_TRY(Pseudonymiser::create(options.pseudonym_key));
  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  GRIDKE_ASSIGN_OR_RETURN(impl->db, storage::Database::open(impl->options.database_path));
  GRIDKE_ASSIGN_OR_RETURN(const int version, impl->db.user_version());
  if (version > kSchemaVersion) {
    return failed_precondition("flexibility-response database '" + impl->options.database_path +
                               "' has schema version " + std::to_string(version) +
                               ", newer than this build's " + std::to_string(kSchemaVersion));
  }
  GRIDKE_TRY(impl->db.exec(kSchema));
  GRIDKE_TRY(impl->db.set_user_version(kSchemaVersion));
  // Jobs interrupted by a stop or a crash start again from their stored dataset.
  GRIDKE_ASSIGN_OR_RETURN(auto pending, impl->db.prepare("SELECT id FROM jobs WHERE state IN "
                                                         "('queued', 'running') ORDER BY "
                                                         "created_s, rowid"));
  for (;;) {
    GRIDKE_ASSIGN_OR_RETURN(const bool row, pending.step());
    if (!row) break;
    impl->queue.push_back(pending.column_text(0));
  }
  pending = {};
  GRIDKE_TRY(
      impl->db.exec("UPDATE jobs SET state = 'queued', stage = 'queued (restarted)' "
                    "WHERE state = 'running'"));
  std::unique_ptr<FlexibilityResponseService> service(
      new FlexibilityResponseService(std::move(impl)));
  if (service->impl_->options.start_worker) {
    Impl* raw = service->impl_.get();
    service->impl_->worker = std::thread([raw] { raw->run_worker(); });
  }
  return service;
}

Result<SubmitReceipt> FlexibilityResponseService::submit(Submission submission) {
  if (submission.data.empty()) return invalid_argument("dataset: is empty");
  if (submission.data.size() > impl_->options.max_dataset_bytes) {
    return invalid_argument("dataset: " + std::to_string(submission.data.size()) +
                            " bytes exceed the limit of " +
                            std::to_string(impl_->options.max_dataset_bytes));
  }
  if (submission.slot_minutes <= 0 || 1440 % submission.slot_minutes != 0) {
    return invalid_argument("slotMinutes: must divide 1440, got " +
                            std::to_string(submission.slot_minutes));
  }
  if (!(submission.confidence_level > 0.0 && submission.confidence_level < 1.0)) {
    return invalid_argument("confidenceLevel: must be in (0, 1), got " +
                            std::to_string(submission.confidence_level));
  }
  if (submission.empirical_threshold_kw && !(std::isfinite(*submission.empirical_threshold_kw) &&
                                             *submission.empirical_threshold_kw >= 0.0)) {
    return invalid_argument("reliabilityThresholdKw: must be a finite number >= 0, got " +
                            std::to_string(*submission.empirical_threshold_kw));
  }
  if (submission.window && submission.window->end_s <= submission.window->start_s) {
    return invalid_argument(
        "analysis_window: end " + model::format_timestamp(submission.window->end_s) +
        " is not after start " + model::format_timestamp(submission.window->start_s));
  }
  SubmitReceipt receipt;
  GRIDKE_ASSIGN_OR_RETURN(receipt.request_id, random_hex(16));
  GRIDKE_ASSIGN_OR_RETURN(receipt.mapping_token, random_hex(16));
  const std::int64_t now = now_s();
  const std::string options_text = options_json(submission).dump();
  auto upload = std::make_shared<const std::string>(std::move(submission.data));
  {
    std::lock_guard lock(impl_->mu);
    auto& db = impl_->db;
    GRIDKE_ASSIGN_OR_RETURN(auto tx, storage::Transaction::begin(db));
    GRIDKE_ASSIGN_OR_RETURN(
        auto job, db.prepare("INSERT INTO jobs(id, state, stage, progress, created_s, updated_s, "
                             "options, token_hash, dataset_bytes) VALUES (?, 'queued', 'queued', "
                             "0, ?, ?, ?, ?, ?)"));
    job.bind(1, receipt.request_id)
        .bind(2, now)
        .bind(3, now)
        .bind(4, options_text)
        .bind(5, sha256_hex(receipt.mapping_token))
        .bind(6, static_cast<std::int64_t>(upload->size()));
    GRIDKE_TRY(job.run());
    GRIDKE_ASSIGN_OR_RETURN(auto data, db.prepare("INSERT INTO datasets(job_id, pseudonymised) "
                                                  "VALUES (?, 0)"));
    data.bind(1, receipt.request_id);
    GRIDKE_TRY(data.run());
    GRIDKE_TRY(impl_->write_chunks(receipt.request_id, *upload));
    GRIDKE_TRY(tx.commit());
    if (impl_->upload_bytes + upload->size() <= kMaxHeldUploadBytes) {
      impl_->upload_bytes += upload->size();
      impl_->uploads.emplace(receipt.request_id, std::move(upload));
    }
    impl_->queue.push_back(receipt.request_id);
  }
  impl_->work_cv.notify_one();
  return receipt;
}

Result<JobStatus> FlexibilityResponseService::status(const std::string& request_id) const {
  std::lock_guard lock(impl_->mu);
  return impl_->require_status(request_id);
}

Result<std::vector<JobStatus>> FlexibilityResponseService::list() const {
  std::lock_guard lock(impl_->mu);
  std::vector<std::string> ids;
  {
    GRIDKE_ASSIGN_OR_RETURN(auto st, impl_->db.prepare("SELECT id FROM jobs ORDER BY created_s, "
                                                       "rowid"));
    for (;;) {
      GRIDKE_ASSIGN_OR_RETURN(const bool row, st.step());
      if (!row) break;
      ids.push_back(st.column_text(0));
    }
  }
  std::vector<JobStatus> out;
  for (const auto& id : ids) {
    GRIDKE_ASSIGN_OR_RETURN(auto s, impl_->require_status(id));
    out.push_back(std::move(s));
  }
  return out;
}

Result<std::string> FlexibilityResponseService::result_json(
    const std::string& request_id, const std::optional<std::string>& mapping_token) const {
  std::lock_guard lock(impl_->mu);
  GRIDKE_ASSIGN_OR_RETURN(const auto status, impl_->require_status(request_id));
  if (status.state == JobState::failed) {
    return failed_precondition("request '" + request_id + "' failed: " +
                               (status.error ? status.error->message() : std::string("?")));
  }
  if (status.state != JobState::done) {
    return failed_precondition("request '" + request_id + "' is " +
                               std::string(to_string(status.state)) + " (" + status.stage + ", " +
                               std::to_string(static_cast<int>(status.progress * 100.0)) +
                               " %); no result yet");
  }
  if (mapping_token) GRIDKE_TRY(impl_->check_token(request_id, *mapping_token));
  GRIDKE_ASSIGN_OR_RETURN(auto st, impl_->db.prepare("SELECT json FROM results WHERE job_id = ?"));
  st.bind(1, request_id);
  GRIDKE_ASSIGN_OR_RETURN(const bool row, st.step());
  if (!row) return internal_error("request '" + request_id + "' is done but has no result");
  std::string text = st.column_text(0);
  if (!mapping_token) return text;

  std::unordered_map<std::string, std::string> mapping;
  GRIDKE_ASSIGN_OR_RETURN(auto map, impl_->db.prepare("SELECT pseudonym, user_id FROM pseudonyms "
                                                      "WHERE job_id = ?"));
  map.bind(1, request_id);
  for (;;) {
    GRIDKE_ASSIGN_OR_RETURN(const bool more, map.step());
    if (!more) break;
    mapping.emplace(map.column_text(0), map.column_text(1));
  }
  json j = json::parse(text, nullptr, false);
  if (!j.is_object() || !j.contains("customers")) {
    return internal_error("stored result of request '" + request_id + "' is not valid JSON");
  }
  for (auto& customer : j["customers"]) {
    const auto it = mapping.find(customer.value("userID", ""));
    if (it != mapping.end()) customer["userID"] = it->second;
  }
  if (j.contains("groups") && j["groups"].is_array()) {
    for (auto& group : j["groups"]) {
      if (!group.contains("userIDs") || !group["userIDs"].is_array()) continue;
      for (auto& member : group["userIDs"]) {
        if (!member.is_string()) continue;
        const auto it = mapping.find(member.get<std::string>());
        if (it != mapping.end()) member = it->second;
      }
    }
  }
  return j.dump();
}

Result<FlexibilityResult> FlexibilityResponseService::result(
    const std::string& request_id, const std::optional<std::string>& mapping_token) const {
  GRIDKE_ASSIGN_OR_RETURN(const std::string text, result_json(request_id, mapping_token));
  return from_d43_json(text);
}

std::optional<std::string> FlexibilityResponseService::latest_done() const {
  std::lock_guard lock(impl_->mu);
  auto st = impl_->db.prepare(
      "SELECT id FROM jobs WHERE state = 'done' ORDER BY updated_s DESC, "
      "rowid DESC LIMIT 1");
  if (!st) return std::nullopt;
  auto row = st->step();
  if (!row || !*row) return std::nullopt;
  return st->column_text(0);
}

Result<void> FlexibilityResponseService::remove(const std::string& request_id) {
  std::lock_guard lock(impl_->mu);
  GRIDKE_ASSIGN_OR_RETURN(auto st, impl_->db.prepare("DELETE FROM jobs WHERE id = ?"));
  st.bind(1, request_id);
  GRIDKE_ASSIGN_OR_RETURN(const int removed, st.run());
  if (removed == 0)
    return not_found("no flexibility-response request with id '" + request_id + "'");
  auto& q = impl_->queue;
  q.erase(std::remove(q.begin(), q.end(), request_id), q.end());
  impl_->forget_upload(request_id);
  return ok();
}

Result<void> FlexibilityResponseService::erase_mapping(const std::string& request_id,
                                                       const std::string& mapping_token) {
  std::lock_guard lock(impl_->mu);
  GRIDKE_TRY(impl_->check_token(request_id, mapping_token));
  GRIDKE_ASSIGN_OR_RETURN(auto tx, storage::Transaction::begin(impl_->db));
  GRIDKE_ASSIGN_OR_RETURN(auto del, impl_->db.prepare("DELETE FROM pseudonyms WHERE job_id = ?"));
  del.bind(1, request_id);
  GRIDKE_TRY(del.run());
  GRIDKE_ASSIGN_OR_RETURN(auto mark, impl_->db.prepare("UPDATE jobs SET mapping_erased = 1 "
                                                       "WHERE id = ?"));
  mark.bind(1, request_id);
  GRIDKE_TRY(mark.run());
  return tx.commit();
}

Result<JobStatus> FlexibilityResponseService::wait(const std::string& request_id,
                                                   std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::unique_lock lock(impl_->mu);
  for (;;) {
    GRIDKE_ASSIGN_OR_RETURN(auto s, impl_->require_status(request_id));
    const bool finishing = impl_->live.count(request_id) > 0;  // listeners still running
    if ((s.state == JobState::done || s.state == JobState::failed) && !finishing) return s;
    if (impl_->changed_cv.wait_until(lock, deadline) == std::cv_status::timeout) {
      return impl_->require_status(request_id);
    }
  }
}

void FlexibilityResponseService::run_pending() {
  for (;;) {
    std::string id;
    {
      std::lock_guard lock(impl_->mu);
      if (impl_->queue.empty()) return;
      id = std::move(impl_->queue.front());
      impl_->queue.pop_front();
    }
    impl_->run_one(id);
  }
}

int FlexibilityResponseService::add_listener(std::function<void(const JobStatus&)> listener) {
  std::lock_guard lock(impl_->listener_mu);
  const int id = impl_->next_listener++;
  impl_->listeners.emplace(id, std::move(listener));
  return id;
}

void FlexibilityResponseService::remove_listener(int id) {
  std::lock_guard lock(impl_->listener_mu);
  impl_->listeners.erase(id);
}

}  // namespace gridke::services::flexibility_response
