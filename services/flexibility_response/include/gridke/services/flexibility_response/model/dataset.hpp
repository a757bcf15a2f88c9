#pragma once
// The input dataset of the flexibility-response service (InterConnect D4.3 §4.1.2, Table 7): user
// profiles with consumption, ONE incentive-signal class, outside temperature and the optional
// indoor temperature and occupancy, over an analysis window, time step <= 30 min.
//
// Storage is columnar (one vector per field, one entry per row) so a year of half-hourly data for
// 1,000 customers (17.5 M rows) costs ~0.5 GB, not a struct per row.
// Signal levels: every distinct signal value other than the baseline value is one level; levels
// are numbered i1..iK in ascending value order (K <= 24, D4.3 "a maximum of 24 incentive
// signals"). Baseline rows: rows without a signal (NaN) and rows whose value equals
// `baseline_signal_value` when given (e.g. the LCL "Normal" tariff 0.1176 GBP/kWh).
//
// Thread safety: plain values; const access may run concurrently.
// Ownership: a Dataset owns all its rows; CustomerIndex holds row numbers into one Dataset and is
// valid as long as that Dataset is not modified.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gridke/base/result.hpp"

namespace gridke::services::flexibility_response::model {

/// D4.3 Table 7's four incentive-signal classes.
enum class SignalClass { cost, co2_emissions, renewable_percentage, power_limit };

/// Consumption as power (W, kW) or energy per interval (Wh, kWh).
enum class ConsumptionUnit { w, kw, wh, kwh };

/// The largest time step D4.3 Table 7 accepts (30 min).
inline constexpr std::int64_t kMaxTimeStepS = 1800;
/// D4.3: "a maximum of 24 incentive signal[s] for the specified category".
inline constexpr std::size_t kMaxSignalLevels = 24;
/// At most this many issues are spelled out in an error message (all are in the issue list).
inline constexpr std::size_t kMaxIssuesInMessage = 50;

/// Parses the class names of the D4.3 JSON ("Cost", "CO2_Emissions", "Renew_Energy_Percentage",
/// "maximum_power") and the snake_case enumerator names; nullopt when unknown.
std::optional<SignalClass> parse_signal_class(std::string_view text);
/// The D4.3 name, e.g. "Cost".
std::string_view to_string(SignalClass signal_class);
/// The canonical unit, e.g. "€/kWh" for cost.
std::string_view canonical_unit(SignalClass signal_class);
/// Whether `unit` is accepted for the class (cost: €/kWh, EUR/kWh, GBP/kWh, £/kWh; CO2: gCO2/kWh;
/// renewable: %, %/kWh; power limit: kW, kWh as D4.3 writes it).
bool is_valid_signal_unit(SignalClass signal_class, std::string_view unit);

/// "W", "kW", "Wh", "kWh" (case-sensitive, as SI writes them); nullopt otherwise.
std::optional<ConsumptionUnit> parse_consumption_unit(std::string_view text);
std::string_view to_string(ConsumptionUnit unit);

/// Seconds since 1970-01-01 00:00 of the civil time written in the file (no time zone shifts).
/// Accepts "YYYY-MM-DDTHH:MM:SS[Z]", "YYYY-MM-DD HH:MM[:SS]", "YYYY-MM-DD" (midnight) and D4.3's
/// "dd-mm-yyyy hh:mm:ss".
/// Errors: parse_error naming the text.
Result<std::int64_t> parse_timestamp(std::string_view text);
/// "YYYY-MM-DDTHH:MM:SS".
std::string format_timestamp(std::int64_t seconds);

/// The historic analysis window [start, end) (D4.3 Table 7: 1 month, a season or a year).
struct AnalysisWindow {
  std::int64_t start_s = 0;
  std::int64_t end_s = 0;
};

/// A named set of customers of one dataset (issue 8 "per customer (and per group)"): the model is
/// also fitted on the group's averaged consumption (flexibility_model.hpp). Given in the dataset
/// JSON as "groups": [{"groupID": "north", "userIDs": ["ID644", ...]}, ...] or with the request
/// (CsvReadOptions::groups, REST X-Customer-Groups).
struct CustomerGroup {
  std::string name;                   ///< unique within the dataset, not a user id
  std::vector<std::string> user_ids;  ///< members: user ids of the dataset, at least one
};

struct Dataset {
  std::vector<std::string> user_ids;  ///< distinct users; rows refer to them by index
  std::vector<CustomerGroup> groups;  ///< optional customer groups
  ConsumptionUnit consumption_unit = ConsumptionUnit::kw;
  SignalClass signal_class = SignalClass::cost;
  std::string signal_unit = "€/kWh";
  std::optional<double> baseline_signal_value;  ///< rows with this value count as baseline
  AnalysisWindow window;

  // Columns, one entry per row.
  std::vector<std::int32_t> user;         ///< index into user_ids
  std::vector<std::int64_t> timestamp_s;  ///< see parse_timestamp
  std::vector<double> consumption;        ///< in consumption_unit
  std::vector<double> signal;             ///< NaN = no signal
  std::vector<double> outside_temperature_c;
  std::vector<double> indoor_temperature_c;  ///< empty = not supplied
  std::vector<double> occupancy;             ///< persons; empty = not supplied
  std::vector<std::int64_t> source_line;     ///< line in the source file; empty = row number + 1

  std::size_t size() const { return user.size(); }
  bool has_indoor_temperature() const { return !indoor_temperature_c.empty(); }
  bool has_occupancy() const { return !occupancy.empty(); }
  /// The line to name in messages for row `row`.
  std::int64_t line_of(std::size_t row) const {
    return source_line.empty() ? static_cast<std::int64_t>(row) + 1 : source_line[row];
  }
  /// True when row `row` is a baseline row (no signal, or the baseline value).
  bool is_baseline(std::size_t row) const;
  /// The signal levels i1..iK, ascending, baseline value excluded.
  std::vector<double> signal_levels() const;
};

/// One problem found in a dataset. `line` is 0 for dataset-wide problems.
struct RowIssue {
  std::int64_t line = 0;
  std::string user_id;  ///< empty when not tied to one user
  std::string message;

  /// "line 12 (user U1): consumption is not finite (nan)".
  std::string to_string() const;
};

/// Rows of each user inside the analysis window, sorted by timestamp, in CSR form: user u owns
/// rows[offsets[u] .. offsets[u+1]).
struct CustomerIndex {
  std::vector<std::size_t> offsets;
  std::vector<std::size_t> rows;
  std::vector<std::int64_t> time_step_s;  ///< median positive step per user (0 if < 2 rows)
};

/// Builds the index in O(rows) (plus a sort of any user whose rows are out of order). Rows with an
/// out-of-range user index are skipped; offsets stay empty when the timestamp column is short
/// (both are reported by validate).
CustomerIndex index_customers(const Dataset& dataset);

/// Every problem in the dataset: group definitions (empty or duplicate group name, a name equal
/// to a user id, a group without members, an unknown or repeated userID — each naming the group),
/// non-finite values, renewable % outside [0, 100], negative CO2 or
/// power limit, occupancy < 0, more than 24 signal levels, an empty or inverted window, and per
/// user inside the window: duplicate timestamps, a time step coarser than 30 min, no baseline
/// period, no signal period, no rows at all.
std::vector<RowIssue> validate(const Dataset& dataset);

/// The same with a prebuilt index_customers(dataset) (saves the second pass when the caller needs
/// the index anyway). REQUIRES: `index` was built from `dataset` as it is now.
std::vector<RowIssue> validate(const Dataset& dataset, const CustomerIndex& index);

/// An invalid_argument Error listing up to kMaxIssuesInMessage issues ("3 problems in the
/// dataset: line 4 (user A): ...; ..."). REQUIRES: !issues.empty().
Error issues_to_error(const std::vector<RowIssue>& issues);

}  // namespace gridke::services::flexibility_response::model
