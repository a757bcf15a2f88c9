#pragma once
// FlexibilityResponseService: the asynchronous job flow of D4.3 Figure 22 on SQLite.
//   submit(dataset)  → (1) the dataset text is written to the database in one transaction and
//                      (2) a request id is returned at once;
//   worker thread    → (4–6) parses and validates the dataset, pseudonymises its user ids (the
//                      stored text is replaced by the pseudonymised CSV, the mapping goes to its
//                      own table), runs analyse() with progress, stores the D4.3 JSON result;
//   status(id)       → queued / running (stage, progress 0..1) / done / failed (code + message);
//   result_json(id)  → the D4.3 output JSON (pseudonyms, or user ids for the mapping's owner);
//   remove(id)       → deletes the dataset, the result and the mapping.
// Nothing is lost on restart: open() re-queues every job that was queued or running.
//
// Storage (one SQLite file through gridke::storage): jobs(id, state, stage, progress, error,
// options, …), datasets(job_id, pseudonymised) with dataset_chunks(job_id, seq, data: 16 MB
// pieces, as one SQLite value holds at most 1e9 bytes), results(job_id, json),
// pseudonyms(job_id, pseudonym, user_id). The raw upload (with real user ids) exists only
// between submit() and the end of the worker's ingestion step, which replaces it by the parsed,
// pseudonymised dataset in binary columns (pseudonymised = 2; 36 bytes per row, ~2.5x smaller
// than the CSV and read back without parsing; 1 = pseudonymised CSV of schema version 1).
// The uploaded text is also kept in memory from submit() to the worker (up to 4 GB of queued
// uploads; the worker reads it back from SQLite only after a restart or beyond that bound), so a
// large upload is written once and never re-read.
//
// Re-identification: submit() returns a mapping token (128 random bits) once; only its SHA-256
// is stored. result_json()/result() with that token return the real user ids; erase_mapping()
// with it deletes the mapping for good (results stay, pseudonymous).
//
// Thread safety: internally synchronised; listeners run on the worker thread.
// Ownership: owns its database and its worker thread; the destructor stops the worker after the
// job in progress (an interrupted job is re-queued by the next open()).

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gridke/base/result.hpp"
#include "gridke/services/flexibility_response/flexibility_model.hpp"
#include "gridke/services/flexibility_response/model/csv_reader.hpp"

namespace gridke::services::flexibility_response {

enum class DatasetFormat { csv, json };
enum class JobState { queued, running, done, failed };

std::string_view to_string(JobState state);
std::string_view to_string(DatasetFormat format);

struct ServiceOptions {
  std::string database_path = ":memory:";
  /// Deployment pseudonym key (see pseudonymiser.hpp); empty = a random key per dataset.
  std::string pseudonym_key;
  int analysis_threads = 1;  ///< AnalysisOptions::threads of every job
  bool start_worker = true;  ///< false: jobs wait until run_pending() (tests)
  /// The largest dataset text accepted (stored in 16 MB pieces; a year of half-hourly CSV for
  /// 1,000 customers is ~1.5 GB).
  std::size_t max_dataset_bytes = std::size_t{4} << 30;
};

/// What the caller sends besides the dataset text.
struct Submission {
  std::string data;  ///< the dataset, CSV (model/csv_reader.hpp) or JSON (model/json_reader.hpp)
  DatasetFormat format = DatasetFormat::json;
  std::optional<model::AnalysisWindow> window;  ///< overrides the dataset's (JSON) window
  std::optional<double> baseline_signal_value;  ///< ditto
  int slot_minutes = 60;
  double confidence_level = 0.95;
  std::optional<double> reference_temperature_c;
  /// Customer groups (model::CustomerGroup); a JSON dataset's own "groups" member wins.
  std::vector<model::CustomerGroup> groups;
  ReliabilityMethod reliability_method = ReliabilityMethod::model;
  std::optional<double> empirical_threshold_kw;  ///< see AnalysisOptions
  std::string callback_url;  ///< D4.3 Table 15 "service provider posts the results" (front door)
};

struct SubmitReceipt {
  std::string request_id;     ///< 32 hex digits
  std::string mapping_token;  ///< shown once; re-identifies and erases the mapping
};

struct JobStatus {
  std::string request_id;
  JobState state = JobState::queued;
  std::string stage;      ///< "queued", "parsing", "pseudonymising", "analysing", "storing", …
  double progress = 0.0;  ///< 0..1
  std::optional<Error> error;  ///< when failed: the dataset's or the model's error
  std::int64_t created_s = 0;  ///< Unix seconds
  std::int64_t updated_s = 0;
  std::int64_t dataset_bytes = 0;
  std::int64_t rows = 0;       ///< known once parsed
  std::int64_t customers = 0;  ///< ditto
  std::string callback_url;
  bool mapping_erased = false;
};

class FlexibilityResponseService {
 public:
  /// Opens (creating) the database and starts the worker; re-queues unfinished jobs.
  /// Errors: those of storage::Database::open; invalid_argument for a too-short pseudonym key
  /// or analysis_threads < 1.
  static Result<std::unique_ptr<FlexibilityResponseService>> open(ServiceOptions options);
  ~FlexibilityResponseService();
  FlexibilityResponseService(const FlexibilityResponseService&) = delete;
  FlexibilityResponseService& operator=(const FlexibilityResponseService&) = delete;

  /// Stores the dataset and queues the job. Errors: invalid_argument naming the field (empty
  /// data, slot_minutes not dividing 1440, confidence_level outside (0, 1), a window whose end
  /// is not after its start, a dataset over max_dataset_bytes); unavailable/internal from SQLite.
  /// Dataset content is checked by the worker (the job then fails with every bad row named).
  Result<SubmitReceipt> submit(Submission submission);

  /// Errors: not_found naming the request id.
  Result<JobStatus> status(const std::string& request_id) const;
  /// Every job, oldest first (no results).
  Result<std::vector<JobStatus>> list() const;

  /// The D4.3 output JSON (json_output.hpp). With `mapping_token`, pseudonyms are replaced by
  /// the user ids. Errors: not_found (unknown id); failed_precondition "…is running (stage,
  /// 42 %)" or naming the job's own error when it failed; permission_denied for a wrong token;
  /// failed_precondition when the mapping was erased and a token is given.
  Result<std::string> result_json(const std::string& request_id,
                                  const std::optional<std::string>& mapping_token = {}) const;
  /// The same as a FlexibilityResult (parsed back from the stored JSON; from_d43_json).
  Result<FlexibilityResult> result(const std::string& request_id,
                                   const std::optional<std::string>& mapping_token = {}) const;
  /// The newest job that is done, if any (the SSA answers from it).
  std::optional<std::string> latest_done() const;

  /// Deletes the job, its dataset, result and mapping (a running job's result is discarded
  /// when it finishes). Errors: not_found.
  Result<void> remove(const std::string& request_id);
  /// Deletes the pseudonym mapping of a job. Errors: not_found; permission_denied (token).
  Result<void> erase_mapping(const std::string& request_id, const std::string& mapping_token);

  /// Blocks until the job is done or failed, or `timeout` passes; returns its status.
  Result<JobStatus> wait(const std::string& request_id, std::chrono::milliseconds timeout) const;
  /// Runs every queued job on the calling thread (for start_worker = false).
  void run_pending();

  /// Called on the worker thread when a job reaches done or failed. Returns a listener id.
  int add_listener(std::function<void(const JobStatus&)> listener);
  void remove_listener(int id);

 private:
  struct Impl;
  explicit FlexibilityResponseService(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace gridke::services::flexibility_response
