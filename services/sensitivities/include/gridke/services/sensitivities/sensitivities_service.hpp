#pragma once
// SensitivitiesService: the Sensitivities Engine as a service (D4.3 §4.1.3, Table 15 service 3):
// registered LV grids, their merged smart-meter history, the latest sensitivity matrix, and
// asynchronous jobs (request id, progress, result, removal), all stored in one SQLite database
// (WAL journal) so that grids, data, results and unfinished jobs survive a restart.
//
// Storage goes through core/storage (storage::Database: WAL, synchronous=FULL).
//
// Jobs: submit_*() validates what can be checked at once (unknown grid, bad rows) and returns a
// request id; one worker thread runs jobs in submission order.
//   update_historical_data — the rows are merged into the grid's history (a row with the same
//     meter and timestamp replaces the stored one) in the transaction that queues the job, so
//     the upload is stored once; the job recomputes the sensitivities (D4.3: "The arrival of a
//     new set of historical measurements triggers the recalculation"). When the merged data is
//     not yet usable (partial network, < 3 months) the rows stay stored and the job fails with
//     that reason. Result: Output 1 JSON.
//   load_correlation — Output 2 JSON; flexibility_requirements — Output 3 JSON. Both need
//     sensitivities (failed_precondition otherwise); their appliance data are stored with the job.
// Appliance data (D4.3 Table 9) posted outside a job (contract (d2) through the SSA) are merged
// into a per-grid appliance history (store_appliance_data), stored like the meter history.
// A job left `running` by a crash is queued again when the database is reopened.
//
// Thread safety: internally synchronised; every method may be called from any thread.
// Ownership: owns its SQLite connection and worker thread; the destructor stops the worker
// after the job in progress (a stopped job stays `running` in the database and is re-queued on
// the next open).

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gridke/base/result.hpp"
#include "gridke/services/sensitivities/model/meter_data.hpp"
#include "gridke/services/sensitivities/sensitivity_estimator.hpp"
#include "gridke/services/sensitivities/voltage_analysis.hpp"

namespace gridke::services::sensitivities {

enum class JobKind : std::uint8_t {
  update_historical_data = 0,
  load_correlation = 1,
  flexibility_requirements = 2,
};
enum class JobState : std::uint8_t { queued = 0, running = 1, done = 2, failed = 3 };

/// "updateHistoricalData", "loadCorrelation", "flexibilityRequirements" (D4.3 endpoint names).
const char* to_string(JobKind kind) noexcept;
/// "queued", "running", "done", "failed".
const char* to_string(JobState state) noexcept;

struct JobStatus {
  std::string request_id;
  JobKind kind = JobKind::update_historical_data;
  std::string network_id;
  JobState state = JobState::queued;
  double progress = 0;      ///< 0..1
  std::string result_json;  ///< when done
  std::string error_code;   ///< when failed: to_string(ErrorCode)
  std::string error_message;
  std::int64_t created_s = 0;
  std::int64_t updated_s = 0;
};

struct ServiceOptions {
  EstimatorOptions estimator;
  AnalysisOptions analysis;
  bool start_worker = true;  ///< false: jobs stay queued (tests of restart behaviour)
  /// Appliance records (store_appliance_data) kept over all grids; an upload that would pass
  /// this is refused whole.
  std::int64_t max_appliance_records = 20'000'000;
};

/// What one store_appliance_data call did.
struct ApplianceStoreSummary {
  std::int64_t added = 0;     ///< new (appliance, timestamp) records
  std::int64_t replaced = 0;  ///< records that replaced a stored one (same appliance and time)
  std::int64_t total = 0;     ///< appliance records of the grid afterwards
};

class SensitivitiesService {
 public:
  /// Opens (creating if needed) the database at `path` (":memory:" for a private in-memory one)
  /// and starts the worker. Errors: unavailable when the file cannot be opened; internal on a
  /// schema failure (SQLite's message included).
  static Result<std::unique_ptr<SensitivitiesService>> open(const std::string& path,
                                                            ServiceOptions options = {});
  ~SensitivitiesService();
  SensitivitiesService(const SensitivitiesService&) = delete;
  SensitivitiesService& operator=(const SensitivitiesService&) = delete;

  /// Errors: invalid_argument from validate_registration; already_exists for a known id.
  Result<void> register_grid(const GridRegistration& grid);
  /// Deletes the grid and every record of it (history, appliance data, sensitivities, jobs).
  /// Errors: not_found.
  Result<void> remove_grid(std::string_view network_id);
  /// Errors: not_found.
  Result<GridRegistration> grid(std::string_view network_id) const;
  /// The ids of every registered grid, sorted.
  Result<std::vector<std::string>> grids() const;
  /// The stored history of a grid (every registered meter, records by time). Errors: not_found.
  Result<HistoricalData> history(std::string_view network_id) const;

  /// Errors: not_found (grid); invalid_argument from validate_upload (every bad row named).
  Result<std::string> submit_historical_data(std::string_view network_id, HistoricalData data);
  /// `limits` overrides the service's default voltage limits for this job.
  /// Errors: not_found (grid); invalid_argument for an empty list or an appliance at a meter
  /// that is not a registered regular meter (named).
  Result<std::string> submit_load_correlation(std::string_view network_id,
                                              std::vector<ApplianceHistory> appliances,
                                              std::optional<VoltageLimits> limits = {});
  Result<std::string> submit_flexibility_requirements(std::string_view network_id,
                                                      std::vector<ApplianceHistory> appliances,
                                                      std::optional<VoltageLimits> limits = {});

  /// Merges appliance data into the grid's stored appliance history, all or nothing: a record
  /// with the same appliance and timestamp replaces the stored one; an appliance's type and
  /// meter are those of its latest upload. Survives restarts; removed with the grid.
  /// Errors: not_found (grid); invalid_argument naming "appliances[k]" (empty list, empty id,
  /// an appliance at a meter that is not a regular meter of the grid, no measurements, a
  /// non-finite power, a negative timestamp); failed_precondition when the service would hold
  /// more than max_appliance_records.
  Result<ApplianceStoreSummary> store_appliance_data(std::string_view network_id,
                                                     const std::vector<ApplianceHistory>& data);
  /// The stored appliance history of a grid, by appliance id, records by time (empty when none
  /// was stored). Errors: not_found (grid).
  Result<std::vector<ApplianceHistory>> appliance_data(std::string_view network_id) const;

  /// Errors: not_found for an unknown request id.
  Result<JobStatus> job(std::string_view request_id) const;
  /// The most recent job of `kind` for a grid, if any. Errors: not_found (grid).
  Result<std::optional<JobStatus>> latest_job(std::string_view network_id, JobKind kind) const;
  /// Forgets a finished or queued job. Errors: not_found; failed_precondition while running.
  Result<void> remove_job(std::string_view request_id);

  /// The latest sensitivity matrix of a grid. Errors: not_found (grid); failed_precondition
  /// when none has been computed yet.
  Result<SensitivityMatrix> sensitivities(std::string_view network_id) const;
  /// Number of stored history records of a grid (all meters). Errors: not_found.
  Result<std::int64_t> stored_records(std::string_view network_id) const;

  /// Blocks until no job is queued or running, or `timeout` passes; true when idle.
  bool wait_idle(std::chrono::milliseconds timeout) const;

 private:
  struct Impl;
  explicit SensitivitiesService(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace gridke::services::sensitivities
