#pragma once
// ForecastKb: a small forecast knowledge base (the "forecast PUC" of D4.3 Table 16 step 1) that
// ANSWERs answer-load-forecast with day-ahead zone load forecasts read from a file, on any
// KnowledgeEngine (the embedded one, or a RemoteEngine joining `gridke serve`; the process is
// `gridke simulate forecast`).
//
// File formats (UTF-8):
//   JSON  {"forecasts": [{"zone": "feeder-A", "day": "2026-11-28",
//                         "baseline_kw": [96 numbers], "controllable_kw": [96 numbers]}, …]}
//   CSV   header `zone,quarter_start,baseline_kw,controllable_kw`, one row per zone and quarter
//         hour; quarter_start is an ISO 8601 UTC time on the quarter-hour grid
//         ("2026-11-28T10:15:00Z"); rows may come in any order; every zone day needs 96 rows.
// Answers: every forecast binding compatible with one of the ASK bindings (typically ?zoneId
// and ?forecastId "<zone>/<YYYY-MM-DD>"); an empty ASK binding set gets every forecast.
// Thread safety: internally synchronised (immutable forecasts; handlers run on engine threads).
// Ownership: the engine must outlive the ForecastKb.

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gridke/adapter/contract.hpp"
#include "gridke/adapters/tariffs/forecast_fetch.hpp"
#include "gridke/base/result.hpp"
#include "gridke/engine/knowledge_engine.hpp"
#include "gridke/services/tariffs/forecast_source.hpp"

namespace gridke::adapters::tariffs {

/// Parses the JSON form. Errors: parse_error (not JSON, naming `name`), invalid_argument naming
/// `name` and the JSON path (forecasts[1].baseline_kw[17]: …) or the check_load_forecast()
/// failure, and a zone day given twice.
Result<std::vector<services::tariffs::LoadForecast>> parse_forecast_json(std::string_view text,
                                                                         std::string_view name);
/// Parses the CSV form. Errors: invalid_argument naming `name`, the line and the column (bad
/// header, wrong column count, non-numeric value, time not on the quarter-hour grid, a row
/// given twice), and for each zone day the missing quarter hours.
Result<std::vector<services::tariffs::LoadForecast>> parse_forecast_csv(std::string_view text,
                                                                        std::string_view name);
/// Reads `path` and parses it by extension (.json or .csv). Errors: not_found (cannot open),
/// invalid_argument (other extension), and the parsers' errors.
Result<std::vector<services::tariffs::LoadForecast>> load_forecast_file(const std::string& path);

struct ForecastKbOptions {
  std::string knowledge_base_id = "https://forecast.example.org/kb/load-forecast";
  std::string name = "Day-ahead load forecaster";
  ForecastIris iris;
};

class ForecastKb {
 public:
  /// Registers ANSWER answer-load-forecast serving `forecasts`. Errors: invalid_argument (a
  /// forecast fails check_load_forecast(), or a zone day is given twice); the errors of
  /// adapter::GenericAdapter::start().
  static Result<std::unique_ptr<ForecastKb>> start(
      engine::KnowledgeEngine& engine, const adapter::ContractSet& contracts,
      std::vector<services::tariffs::LoadForecast> forecasts, ForecastKbOptions options = {});
  ~ForecastKb();  ///< removes the knowledge base
  ForecastKb(const ForecastKb&) = delete;
  ForecastKb& operator=(const ForecastKb&) = delete;

  std::size_t zone_days() const noexcept;
  /// ASKs answered so far.
  std::int64_t asks_answered() const noexcept;
  const std::string& knowledge_base_id() const noexcept;

 private:
  struct Impl;
  explicit ForecastKb(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace gridke::adapters::tariffs
