// CSV reader for the flexibility-response dataset; see model/csv_reader.hpp.

#include "gridke/services/flexibility_response/model/csv_reader.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>
#include <unordered_map>
#include <vector>

namespace gridke::services::flexibility_response::model {
namespace {

enum Column : int {
  kUserId,
  kTimestamp,
  kConsumption,
  kConsumptionUnit,
  kSignalClass,
  kSignalValue,
  kSignalUnit,
  kOutsideTemperature,
  kIndoorTemperature,
  kOccupancy,
  kColumnCount
};
constexpr std::array<std::string_view, kColumnCount> kColumnNames = {
    "user_id",      "timestamp",   "consumption",           "consumption_unit",     "signal_class",
    "signal_value", "signal_unit", "outside_temperature_c", "indoor_temperature_c", "occupancy"};
constexpr int kRequiredColumns = kIndoorTemperature;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
  return s;
}

void split(std::string_view line, std::vector<std::string_view>& fields) {
  fields.clear();
  std::size_t start = 0;
  for (;;) {
    const std::size_t comma = line.find(',', start);
    if (comma == std::string_view::npos) {
      fields.push_back(trim(line.substr(start)));
      return;
    }
    fields.push_back(trim(line.substr(start, comma - start)));
    start = comma + 1;
  }
}

bool parse_double(std::string_view text, double& out) {
  if (text.empty()) return false;
  if (text.front() == '+') text.remove_prefix(1);
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

}  // namespace

Result<Dataset> read_dataset_csv(std::string_view text, const CsvReadOptions& options) {
  std::vector<std::string_view> fields;
  std::size_t pos = 0;
  std::int64_t line_number = 0;
  const auto next_line = [&](std::string_view& line) {
    if (pos >= text.size()) return false;
    const std::size_t end = std::min(text.find('\n', pos), text.size());
    line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_number;
    return true;
  };
  std::string_view line;
  if (!next_line(line)) return parse_error("dataset CSV is empty (no header line)");
  if (line.size() >= 3 && line.substr(0, 3) == "\xEF\xBB\xBF") line.remove_prefix(3);
  split(line, fields);
  std::array<int, kColumnCount> position;
  position.fill(-1);
  for (std::size_t k = 0; k < fields.size(); ++k) {
    const auto it = std::find(kColumnNames.begin(), kColumnNames.end(), fields[k]);
    if (it == kColumnNames.end()) {
      return parse_error("line 1: unknown column '" + std::string(fields[k]) +
                         "' (expected user_id, timestamp, consumption, consumption_unit, "
                         "signal_class, signal_value, signal_unit, outside_temperature_c, "
                         "optional indoor_temperature_c, occupancy)");
    }
    const auto column = static_cast<std::size_t>(it - kColumnNames.begin());
    if (position[column] >= 0) {
      return parse_error("line 1: column '" + std::string(fields[k]) + "' appears twice");
    }
    position[column] = static_cast<int>(k);
  }
  for (int c = 0; c < kRequiredColumns; ++c) {
    if (position[static_cast<std::size_t>(c)] < 0) {
      return parse_error("line 1: required column '" +
                         std::string(kColumnNames[static_cast<std::size_t>(c)]) + "' is missing");
    }
  }
  const std::size_t field_count = fields.size();
  const bool has_indoor = position[kIndoorTemperature] >= 0;
  const bool has_occupancy = position[kOccupancy] >= 0;

  Dataset dataset;
  dataset.baseline_signal_value = options.baseline_signal_value;
  dataset.groups = options.groups;
  // One allocation per column (17.5 M rows would otherwise regrow each column ~25 times).
  const auto expected_rows =
      static_cast<std::size_t>(
          std::count(text.begin() + static_cast<std::ptrdiff_t>(pos), text.end(), '\n')) +
      1;
  dataset.user.reserve(expected_rows);
  dataset.timestamp_s.reserve(expected_rows);
  dataset.consumption.reserve(expected_rows);
  dataset.signal.reserve(expected_rows);
  dataset.outside_temperature_c.reserve(expected_rows);
  if (has_indoor) dataset.indoor_temperature_c.reserve(expected_rows);
  if (has_occupancy) dataset.occupancy.reserve(expected_rows);
  dataset.source_line.reserve(expected_rows);
  std::unordered_map<std::string, std::int32_t> user_index;
  // Rows usually come grouped by user: the previous row's user is checked before the map.
  std::string previous_user;
  std::int32_t previous_index = -1;
  std::vector<RowIssue> issues;
  std::optional<ConsumptionUnit> unit;
  std::int64_t unit_line = 0;
  std::optional<SignalClass> signal_class;
  std::string signal_unit;
  std::int64_t class_line = 0;
  const auto field = [&](Column c) { return fields[static_cast<std::size_t>(position[c])]; };

  while (next_line(line)) {
    if (trim(line).empty()) continue;
    split(line, fields);
    const auto user_position = static_cast<std::size_t>(position[kUserId]);
    const std::string_view user =
        user_position < fields.size() ? fields[user_position] : std::string_view{};
    const auto add = [&](std::string message) {
      issues.push_back({line_number, std::string(user), std::move(message)});
    };
    if (fields.size() != field_count) {
      add(std::to_string(fields.size()) + " fields, the header has " + std::to_string(field_count));
      continue;
    }
    if (user.empty()) {
      add("user_id is empty");
      continue;
    }
    bool row_ok = true;
    const auto timestamp = parse_timestamp(field(kTimestamp));
    if (!timestamp.has_value()) {
      add(timestamp.error().message());
      row_ok = false;
    }
    const auto number = [&](Column c, const char* what, double& out) {
      if (!parse_double(field(c), out)) {
        add(std::string(what) + " '" + std::string(field(c)) + "' is not a number");
        row_ok = false;
      }
    };
    double consumption = 0.0;
    number(kConsumption, "consumption", consumption);
    const auto row_unit = parse_consumption_unit(field(kConsumptionUnit));
    if (!row_unit) {
      add("unknown consumption unit '" + std::string(field(kConsumptionUnit)) +
          "' (expected W, kW, Wh, kWh)");
      row_ok = false;
    } else if (!unit) {
      unit = row_unit;
      unit_line = line_number;
    } else if (*unit != *row_unit) {
      add("consumption unit '" + std::string(field(kConsumptionUnit)) + "' differs from '" +
          std::string(to_string(*unit)) + "' of line " + std::to_string(unit_line) +
          " (one unit per dataset)");
      row_ok = false;
    }
    double signal = std::numeric_limits<double>::quiet_NaN();
    const std::string_view class_text = field(kSignalClass);
    if (class_text.empty()) {
      if (!field(kSignalValue).empty()) {
        add("signal_value '" + std::string(field(kSignalValue)) + "' without a signal_class");
        row_ok = false;
      }
    } else {
      const auto row_class = parse_signal_class(class_text);
      if (!row_class) {
        add("unknown signal class '" + std::string(class_text) +
            "' (expected Cost, CO2_Emissions, Renew_Energy_Percentage, maximum_power)");
        row_ok = false;
      } else if (!signal_class) {
        signal_class = row_class;
        signal_unit = std::string(field(kSignalUnit));
        class_line = line_number;
      } else if (*signal_class != *row_class) {
        add("signal class " + std::string(to_string(*row_class)) + " mixed into a " +
            std::string(to_string(*signal_class)) + " dataset (class set at line " +
            std::to_string(class_line) + "; one class per dataset)");
        row_ok = false;
      }
      if (row_class && !is_valid_signal_unit(*row_class, field(kSignalUnit))) {
        add("signal unit '" + std::string(field(kSignalUnit)) + "' is not valid for class " +
            std::string(to_string(*row_class)) + " (expected " +
            std::string(canonical_unit(*row_class)) + ")");
        row_ok = false;
      } else if (row_class && signal_class == row_class && field(kSignalUnit) != signal_unit) {
        add("signal unit '" + std::string(field(kSignalUnit)) + "' differs from '" + signal_unit +
            "' of line " + std::to_string(class_line));
        row_ok = false;
      }
      if (field(kSignalValue).empty()) {
        add("signal class " + std::string(class_text) + " without a signal_value");
        row_ok = false;
      } else {
        number(kSignalValue, "signal_value", signal);
      }
    }
    double outside = 0.0;
    number(kOutsideTemperature, "outside_temperature_c", outside);
    double indoor = 0.0;
    if (has_indoor) number(kIndoorTemperature, "indoor_temperature_c", indoor);
    double occupancy = 0.0;
    if (has_occupancy) number(kOccupancy, "occupancy", occupancy);
    if (!row_ok) continue;
    if (previous_index < 0 || user != previous_user) {
      previous_user.assign(user);
      const auto [it, inserted] =
          user_index.try_emplace(previous_user, static_cast<std::int32_t>(dataset.user_ids.size()));
      if (inserted) dataset.user_ids.push_back(previous_user);
      previous_index = it->second;
    }
    dataset.user.push_back(previous_index);
    dataset.timestamp_s.push_back(*timestamp);
    dataset.consumption.push_back(consumption);
    dataset.signal.push_back(signal);
    dataset.outside_temperature_c.push_back(outside);
    if (has_indoor) dataset.indoor_temperature_c.push_back(indoor);
    if (has_occupancy) dataset.occupancy.push_back(occupancy);
    dataset.source_line.push_back(line_number);
  }
  if (dataset.size() == 0 && issues.empty()) {
    return invalid_argument("dataset CSV has a header but no data rows");
  }
  if (!signal_class) {
    issues.push_back({0,
                      {},
                      "no row carries an incentive signal (signal_class is empty "
                      "everywhere), so there is nothing to compare the baseline with"});
  }
  if (!issues.empty()) return issues_to_error(issues);
  dataset.consumption_unit = *unit;
  dataset.signal_class = *signal_class;
  dataset.signal_unit = signal_unit;
  if (options.window) {
    dataset.window = *options.window;
  } else {
    const auto [lo, hi] =
        std::minmax_element(dataset.timestamp_s.begin(), dataset.timestamp_s.end());
    dataset.window = {*lo, *hi + 1};
  }
  auto problems = validate(dataset);
  if (!problems.empty()) return issues_to_error(problems);
  return dataset;
}

std::string write_dataset_csv(const Dataset& dataset) {
  std::string out =
      "user_id,timestamp,consumption,consumption_unit,signal_class,signal_value,signal_unit,"
      "outside_temperature_c";
  if (dataset.has_indoor_temperature()) out += ",indoor_temperature_c";
  if (dataset.has_occupancy()) out += ",occupancy";
  out += '\n';
  const std::string unit(to_string(dataset.consumption_unit));
  const std::string signal_prefix = std::string(to_string(dataset.signal_class)) + ",";
  const std::string signal_suffix = "," + dataset.signal_unit + ",";
  char buffer[32];
  const auto number = [&](double v) {
    const auto [ptr, ec] = std::to_chars(buffer, buffer + sizeof buffer, v);
    out.append(buffer, ec == std::errc() ? ptr : buffer);
  };
  for (std::size_t row = 0; row < dataset.size(); ++row) {
    out += dataset.user_ids[static_cast<std::size_t>(dataset.user[row])];
    out += ',';
    std::string time = format_timestamp(dataset.timestamp_s[row]);
    time[10] = ' ';
    out += time;
    out += ',';
    number(dataset.consumption[row]);
    out += ',';
    out += unit;
    out += ',';
    if (std::isnan(dataset.signal[row])) {
      out += ",,,";
    } else {
      out += signal_prefix;
      number(dataset.signal[row]);
      out += signal_suffix;
    }
    number(dataset.outside_temperature_c[row]);
    if (dataset.has_indoor_temperature()) {
      out += ',';
      number(dataset.indoor_temperature_c[row]);
    }
    if (dataset.has_occupancy()) {
      out += ',';
      number(dataset.occupancy[row]);
    }
    out += '\n';
  }
  return out;
}

Result<Dataset> read_dataset_csv_file(const std::string& path, const CsvReadOptions& options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return not_found("cannot open dataset CSV '" + path + "'");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  auto dataset = read_dataset_csv(buffer.str(), options);
  if (!dataset.has_value()) return dataset.error().with_context(path);
  return dataset;
}

}  // namespace gridke::services::flexibility_response::model
