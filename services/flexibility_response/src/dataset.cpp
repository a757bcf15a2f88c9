// Dataset helpers and validation (D4.3 Table 7); see model/dataset.hpp.

#include "gridke/services/flexibility_response/model/dataset.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string_view>
#include <unordered_set>

namespace gridke::services::flexibility_response::model {
namespace {

// Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar: H. Hinnant,
// "chrono-Compatible Low-Level Date Algorithms", days_from_civil (public domain).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void civil_from_days(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2 ? 1 : 0;
}

bool read_digits(std::string_view text, std::size_t pos, std::size_t count, int& out) {
  if (pos + count > text.size()) return false;
  const char* begin = text.data() + pos;
  const auto [ptr, ec] = std::from_chars(begin, begin + count, out);
  return ec == std::errc() && ptr == begin + count;
}

std::string number_text(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.10g", v);
  return buffer;
}

}  // namespace

std::optional<SignalClass> parse_signal_class(std::string_view text) {
  if (text == "Cost" || text == "cost") return SignalClass::cost;
  if (text == "CO2_Emissions" || text == "co2_emissions") return SignalClass::co2_emissions;
  if (text == "Renew_Energy_Percentage" || text == "renewable_percentage") {
    return SignalClass::renewable_percentage;
  }
  if (text == "maximum_power" || text == "power_limit") return SignalClass::power_limit;
  return std::nullopt;
}

std::string_view to_string(SignalClass signal_class) {
  switch (signal_class) {
    case SignalClass::cost: return "Cost";
    case SignalClass::co2_emissions: return "CO2_Emissions";
    case SignalClass::renewable_percentage: return "Renew_Energy_Percentage";
    case SignalClass::power_limit: return "maximum_power";
  }
  return "?";
}

std::string_view canonical_unit(SignalClass signal_class) {
  switch (signal_class) {
    case SignalClass::cost: return "€/kWh";
    case SignalClass::co2_emissions: return "gCO2/kWh";
    case SignalClass::renewable_percentage: return "%";
    case SignalClass::power_limit: return "kW";
  }
  return "?";
}

bool is_valid_signal_unit(SignalClass signal_class, std::string_view unit) {
  switch (signal_class) {
    case SignalClass::cost:
      return unit == "€/kWh" || unit == "EUR/kWh" || unit == "GBP/kWh" || unit == "£/kWh";
    case SignalClass::co2_emissions: return unit == "gCO2/kWh";
    case SignalClass::renewable_percentage: return unit == "%" || unit == "%/kWh";
    case SignalClass::power_limit: return unit == "kW" || unit == "kWh";
  }
  return false;
}

std::optional<ConsumptionUnit> parse_consumption_unit(std::string_view text) {
  if (text == "W") return ConsumptionUnit::w;
  if (text == "kW") return ConsumptionUnit::kw;
  if (text == "Wh") return ConsumptionUnit::wh;
  if (text == "kWh") return ConsumptionUnit::kwh;
  return std::nullopt;
}

std::string_view to_string(ConsumptionUnit unit) {
  switch (unit) {
    case ConsumptionUnit::w: return "W";
    case ConsumptionUnit::kw: return "kW";
    case ConsumptionUnit::wh: return "Wh";
    case ConsumptionUnit::kwh: return "kWh";
  }
  return "?";
}

Result<std::int64_t> parse_timestamp(std::string_view text) {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  bool ok = false;
  std::size_t time_pos = 0;
  bool date_only = false;
  if (text.size() == 10 && text[4] == '-' && text[7] == '-') {
    ok = read_digits(text, 0, 4, year) && read_digits(text, 5, 2, month) &&
         read_digits(text, 8, 2, day);
    date_only = true;
  } else if (text.size() >= 16 && text[4] == '-' && text[7] == '-' &&
             (text[10] == 'T' || text[10] == ' ')) {
    ok = read_digits(text, 0, 4, year) && read_digits(text, 5, 2, month) &&
         read_digits(text, 8, 2, day);
    time_pos = 11;
  } else if (text.size() >= 16 && text[2] == '-' && text[5] == '-' && text[10] == ' ') {
    ok = read_digits(text, 0, 2, day) && read_digits(text, 3, 2, month) &&
         read_digits(text, 6, 4, year);
    time_pos = 11;
  }
  if (ok && !date_only) {
    ok = read_digits(text, time_pos, 2, hour) && text[time_pos + 2] == ':' &&
         read_digits(text, time_pos + 3, 2, minute);
    std::size_t end = time_pos + 5;
    if (ok && end < text.size() && text[end] == ':') {
      ok = read_digits(text, end + 1, 2, second);
      end += 3;
    }
    if (ok && end < text.size() && text[end] == 'Z') ++end;
    ok = ok && end == text.size();
  }
  if (!ok || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 ||
      second > 59) {
    return parse_error("bad timestamp '" + std::string(text) +
                       "' (expected YYYY-MM-DDTHH:MM:SS[Z], YYYY-MM-DD HH:MM[:SS], YYYY-MM-DD or "
                       "dd-mm-yyyy hh:mm:ss)");
  }
  return days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) * 86400 +
         hour * 3600 + minute * 60 + second;
}

std::string format_timestamp(std::int64_t seconds) {
  std::int64_t days = seconds / 86400;
  std::int64_t rest = seconds % 86400;
  if (rest < 0) {
    rest += 86400;
    --days;
  }
  std::int64_t y = 0;
  unsigned m = 0, d = 0;
  civil_from_days(days, y, m, d);
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%04lld-%02u-%02uT%02lld:%02lld:%02lld",
                static_cast<long long>(y), m, d, static_cast<long long>(rest / 3600),
                static_cast<long long>(rest / 60 % 60), static_cast<long long>(rest % 60));
  return buffer;
}

bool Dataset::is_baseline(std::size_t row) const {
  const double s = signal[row];
  return std::isnan(s) || (baseline_signal_value && s == *baseline_signal_value);
}

namespace {

// Distinct non-baseline finite signal values, ascending; stops after `limit` + 1 values. Most rows
// repeat the previous value, so that is checked before the sorted insert.
std::vector<double> distinct_levels(const Dataset& d, std::size_t limit) {
  std::vector<double> levels;
  double previous = std::numeric_limits<double>::quiet_NaN();
  for (std::size_t row = 0; row < d.size(); ++row) {
    const double s = d.signal[row];
    if (s == previous || d.is_baseline(row) || !std::isfinite(s)) continue;
    previous = s;
    const auto it = std::lower_bound(levels.begin(), levels.end(), s);
    if (it != levels.end() && *it == s) continue;
    levels.insert(it, s);
    if (levels.size() > limit) break;
  }
  return levels;
}

}  // namespace

std::vector<double> Dataset::signal_levels() const {
  auto levels = distinct_levels(*this, kMaxSignalLevels);
  if (levels.size() > kMaxSignalLevels) levels.resize(kMaxSignalLevels);
  return levels;
}

std::string RowIssue::to_string() const {
  std::string out = line > 0 ? "line " + std::to_string(line) : "dataset";
  if (!user_id.empty()) out += " (user " + user_id + ")";
  return out + ": " + message;
}

CustomerIndex index_customers(const Dataset& dataset) {
  const std::size_t users = dataset.user_ids.size();
  CustomerIndex index;
  if (dataset.timestamp_s.size() != dataset.size()) return index;  // validate reports it
  index.offsets.assign(users + 1, 0);
  const auto in_window = [&](std::size_t row) {
    return dataset.user[row] >= 0 && static_cast<std::size_t>(dataset.user[row]) < users &&
           dataset.timestamp_s[row] >= dataset.window.start_s &&
           dataset.timestamp_s[row] < dataset.window.end_s;
  };
  for (std::size_t row = 0; row < dataset.size(); ++row) {
    if (in_window(row)) ++index.offsets[static_cast<std::size_t>(dataset.user[row]) + 1];
  }
  for (std::size_t u = 0; u < users; ++u) index.offsets[u + 1] += index.offsets[u];
  index.rows.resize(index.offsets[users]);
  std::vector<std::size_t> cursor(index.offsets.begin(), index.offsets.end() - 1);
  for (std::size_t row = 0; row < dataset.size(); ++row) {
    if (in_window(row)) index.rows[cursor[static_cast<std::size_t>(dataset.user[row])]++] = row;
  }
  index.time_step_s.assign(users, 0);
  std::vector<std::int64_t> steps;
  for (std::size_t u = 0; u < users; ++u) {
    const auto begin = index.rows.begin() + static_cast<std::ptrdiff_t>(index.offsets[u]);
    const auto end = index.rows.begin() + static_cast<std::ptrdiff_t>(index.offsets[u + 1]);
    const auto by_time = [&](std::size_t a, std::size_t b) {
      return dataset.timestamp_s[a] < dataset.timestamp_s[b];
    };
    if (!std::is_sorted(begin, end, by_time)) std::stable_sort(begin, end, by_time);
    steps.clear();
    for (auto it = begin; it + 1 < end; ++it) {
      const std::int64_t step = dataset.timestamp_s[*(it + 1)] - dataset.timestamp_s[*it];
      if (step > 0) steps.push_back(step);
    }
    if (!steps.empty()) {
      const auto middle = steps.begin() + static_cast<std::ptrdiff_t>(steps.size() / 2);
      std::nth_element(steps.begin(), middle, steps.end());
      index.time_step_s[u] = *middle;
    }
  }
  return index;
}

namespace {

// The group definitions: names unique, non-empty and not user ids; members known and distinct.
void validate_groups_into(const Dataset& dataset, std::vector<RowIssue>& issues) {
  if (dataset.groups.empty()) return;
  std::unordered_set<std::string_view> users(dataset.user_ids.begin(), dataset.user_ids.end());
  std::unordered_set<std::string_view> names;
  for (std::size_t g = 0; g < dataset.groups.size(); ++g) {
    const CustomerGroup& group = dataset.groups[g];
    const std::string where =
        group.name.empty() ? "groups[" + std::to_string(g) + "]" : "group '" + group.name + "'";
    const auto add = [&](const std::string& message) {
      issues.push_back({0, {}, where + ": " + message});
    };
    if (group.name.empty()) add("groupID is empty");
    const bool name_safe = std::all_of(group.name.begin(), group.name.end(), [](char ch) {
      return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
             ch == '.' || ch == '_' || ch == '~' || ch == '-';
    });
    if (!name_safe)
      add("groupID may use only letters, digits and . _ ~ - (it becomes part of IRIs)");
    if (!group.name.empty() && !names.insert(group.name).second) {
      add("duplicate groupID (group names must be unique)");
    }
    if (users.count(group.name) > 0) {
      add("groupID equals a userID of the dataset (group and customer results would be confused)");
    }
    if (group.user_ids.empty()) add("has no members (userIDs is empty)");
    std::unordered_set<std::string_view> members;
    for (const auto& user : group.user_ids) {
      if (users.count(user) == 0) {
        add("userID '" + user + "' is not in the dataset");
      } else if (!members.insert(user).second) {
        add("userID '" + user + "' is listed twice");
      }
    }
  }
}

}  // namespace

std::vector<RowIssue> validate(const Dataset& dataset) {
  return validate(dataset, CustomerIndex{});
}

std::vector<RowIssue> validate(const Dataset& dataset, const CustomerIndex& prebuilt) {
  std::vector<RowIssue> issues;
  const std::size_t n = dataset.size();
  const auto column_ok = [&](std::size_t size, bool optional) {
    return size == n || (optional && size == 0);
  };
  if (!column_ok(dataset.timestamp_s.size(), false) ||
      !column_ok(dataset.consumption.size(), false) || !column_ok(dataset.signal.size(), false) ||
      !column_ok(dataset.outside_temperature_c.size(), false) ||
      !column_ok(dataset.indoor_temperature_c.size(), true) ||
      !column_ok(dataset.occupancy.size(), true) || !column_ok(dataset.source_line.size(), true)) {
    issues.push_back({0, {}, "columns have different lengths (" + std::to_string(n) + " rows)"});
    return issues;
  }
  for (std::size_t row = 0; row < n; ++row) {
    if (dataset.user[row] < 0 ||
        static_cast<std::size_t>(dataset.user[row]) >= dataset.user_ids.size()) {
      issues.push_back({dataset.line_of(row),
                        {},
                        "user index " + std::to_string(dataset.user[row]) + " out of range"});
      return issues;
    }
  }
  validate_groups_into(dataset, issues);
  if (!is_valid_signal_unit(dataset.signal_class, dataset.signal_unit)) {
    issues.push_back({0,
                      {},
                      "unit '" + dataset.signal_unit + "' is not valid for signal class " +
                          std::string(to_string(dataset.signal_class)) + " (expected " +
                          std::string(canonical_unit(dataset.signal_class)) + ")"});
  }
  if (dataset.window.end_s <= dataset.window.start_s) {
    issues.push_back({0,
                      {},
                      "analysis window is empty: start " +
                          format_timestamp(dataset.window.start_s) + " is not before end " +
                          format_timestamp(dataset.window.end_s)});
  }
  for (std::size_t row = 0; row < n; ++row) {
    const auto& user = dataset.user_ids[static_cast<std::size_t>(dataset.user[row])];
    const auto add = [&](std::string message) {
      issues.push_back({dataset.line_of(row), user, std::move(message)});
    };
    if (!std::isfinite(dataset.consumption[row])) {
      add("consumption is not finite (" + number_text(dataset.consumption[row]) + ")");
    }
    if (!std::isfinite(dataset.outside_temperature_c[row])) {
      add("outside temperature is not finite (" + number_text(dataset.outside_temperature_c[row]) +
          ")");
    }
    if (dataset.has_indoor_temperature() && !std::isfinite(dataset.indoor_temperature_c[row])) {
      add("indoor temperature is not finite (" + number_text(dataset.indoor_temperature_c[row]) +
          ")");
    }
    if (dataset.has_occupancy() &&
        !(dataset.occupancy[row] >= 0.0 && std::isfinite(dataset.occupancy[row]))) {
      add("occupancy must be a finite number >= 0, got " + number_text(dataset.occupancy[row]));
    }
    const double s = dataset.signal[row];
    if (std::isinf(s)) {
      add("signal value is infinite");
    } else if (!std::isnan(s)) {
      if (dataset.signal_class == SignalClass::renewable_percentage && (s < 0.0 || s > 100.0)) {
        add("renewable-energy percentage " + number_text(s) + " is outside [0, 100]");
      } else if ((dataset.signal_class == SignalClass::co2_emissions ||
                  dataset.signal_class == SignalClass::power_limit) &&
                 s < 0.0) {
        add(std::string(to_string(dataset.signal_class)) + " signal " + number_text(s) +
            " is negative");
      }
    }
  }
  const auto levels = distinct_levels(dataset, std::numeric_limits<std::size_t>::max() - 1);
  if (levels.size() > kMaxSignalLevels) {
    issues.push_back({0,
                      {},
                      std::to_string(levels.size()) +
                          " distinct signal levels; D4.3 allows at most " +
                          std::to_string(kMaxSignalLevels)});
  }
  if (dataset.window.end_s <= dataset.window.start_s) return issues;
  CustomerIndex built;
  if (prebuilt.offsets.empty()) built = index_customers(dataset);
  const CustomerIndex& index = prebuilt.offsets.empty() ? built : prebuilt;
  for (std::size_t u = 0; u < dataset.user_ids.size(); ++u) {
    const auto& user = dataset.user_ids[u];
    const std::size_t begin = index.offsets[u];
    const std::size_t end = index.offsets[u + 1];
    if (begin == end) {
      issues.push_back({0, user,
                        "no rows inside the analysis window " +
                            format_timestamp(dataset.window.start_s) + " .. " +
                            format_timestamp(dataset.window.end_s)});
      continue;
    }
    bool has_baseline = false;
    bool has_signal = false;
    for (std::size_t k = begin; k < end; ++k) {
      const std::size_t row = index.rows[k];
      (dataset.is_baseline(row) ? has_baseline : has_signal) = true;
      if (k > begin && dataset.timestamp_s[row] == dataset.timestamp_s[index.rows[k - 1]]) {
        issues.push_back({dataset.line_of(row), user,
                          "duplicate timestamp " + format_timestamp(dataset.timestamp_s[row]) +
                              " (first at line " +
                              std::to_string(dataset.line_of(index.rows[k - 1])) + ")"});
      }
    }
    if (index.time_step_s[u] > kMaxTimeStepS) {
      std::size_t first = index.rows[begin];
      for (std::size_t k = begin + 1; k < end; ++k) {
        if (dataset.timestamp_s[index.rows[k]] - dataset.timestamp_s[index.rows[k - 1]] ==
            index.time_step_s[u]) {
          first = index.rows[k];
          break;
        }
      }
      issues.push_back({dataset.line_of(first), user,
                        "time step " + std::to_string(index.time_step_s[u] / 60) +
                            " min is coarser than the 30 min D4.3 allows"});
    }
    if (end - begin < 2) {
      issues.push_back(
          {dataset.line_of(index.rows[begin]), user, "a single row cannot establish a time step"});
    }
    if (!has_baseline) {
      issues.push_back({0, user, "no baseline period (every row in the window carries a signal)"});
    }
    if (!has_signal) {
      issues.push_back({0, user, "no signal period (no row in the window carries a signal)"});
    }
  }
  return issues;
}

Error issues_to_error(const std::vector<RowIssue>& issues) {
  std::string message = std::to_string(issues.size()) +
                        (issues.size() == 1 ? " problem" : " problems") + " in the dataset: ";
  for (std::size_t k = 0; k < issues.size() && k < kMaxIssuesInMessage; ++k) {
    if (k > 0) message += "; ";
    message += issues[k].to_string();
  }
  if (issues.size() > kMaxIssuesInMessage) {
    message += "; and " + std::to_string(issues.size() - kMaxIssuesInMessage) + " more";
  }
  return invalid_argument(std::move(message));
}

}  // namespace gridke::services::flexibility_response::model
