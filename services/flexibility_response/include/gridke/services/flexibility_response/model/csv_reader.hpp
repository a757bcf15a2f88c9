#pragma once
// CSV form of the D4.3 Table 7 dataset: one row per user and time step, columns by name (any
// order), a header line first:
//   user_id,timestamp,consumption,consumption_unit,signal_class,signal_value,signal_unit,
//   outside_temperature_c[,indoor_temperature_c][,occupancy]
// signal_class/signal_value/signal_unit are empty on rows without a signal (the baseline). Fields
// are separated by ',' and may be wrapped in '"' (no embedded commas). Timestamps as
// model::parse_timestamp. One consumption unit and one signal class per dataset: a row that
// differs is reported, like every other bad row, with its line number.
//
// Thread safety: pure functions. Ownership: the returned Dataset / string owns copies of all text.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gridke/base/result.hpp"
#include "gridke/services/flexibility_response/model/dataset.hpp"

namespace gridke::services::flexibility_response::model {

struct CsvReadOptions {
  /// Analysis window; nullopt = from the first to one step past the last timestamp.
  std::optional<AnalysisWindow> window;
  /// A signal value that counts as baseline (e.g. the normal tariff); nullopt = only rows
  /// without a signal are baseline.
  std::optional<double> baseline_signal_value;
  /// Customer groups (a CSV has no place for them; the JSON dataset's "groups" member wins).
  std::vector<CustomerGroup> groups;
};

/// Parses and validates (model::validate) a dataset.
/// Errors: parse_error when the header lacks a required column or names an unknown one;
/// invalid_argument listing every bad row ("line 7 (user U2): unknown consumption unit 'MW'
/// (expected W, kW, Wh, kWh)") — see issues_to_error for the format.
Result<Dataset> read_dataset_csv(std::string_view text, const CsvReadOptions& options);

/// The same from a file. Errors: not_found when the file cannot be opened, then as above with the
/// path as context.
Result<Dataset> read_dataset_csv_file(const std::string& path, const CsvReadOptions& options);

/// The CSV form of `dataset` (header + one line per row, numbers in shortest round-trip form, so
/// read_dataset_csv(write_dataset_csv(d)) reproduces every value). REQUIRES: columns consistent.
std::string write_dataset_csv(const Dataset& dataset);

}  // namespace gridke::services::flexibility_response::model
