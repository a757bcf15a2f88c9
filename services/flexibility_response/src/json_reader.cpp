// JSON reader for the flexibility-response dataset; see model/json_reader.hpp.

#include "gridke/services/flexibility_response/model/json_reader.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

namespace gridke::services::flexibility_response::model {
namespace {

using nlohmann::json;

constexpr std::string_view kSignalPrefix = "signal_incentive_Class:";

std::string json_type(const json& j) { return j.type_name(); }

bool is_celsius(const std::string& unit) {
  return unit == "degreesCelcius" || unit == "degreesCelsius" || unit == "°C" || unit == "C" ||
         unit == "degC";
}

std::string where(std::size_t index, const std::string& user) {
  std::string out = "user_profile[" + std::to_string(index) + "]";
  if (!user.empty()) out += " (user " + user + ")";
  return out;
}

Error issues_error(const std::vector<std::string>& issues) {
  std::string message = std::to_string(issues.size()) +
                        (issues.size() == 1 ? " problem" : " problems") + " in the dataset: ";
  for (std::size_t k = 0; k < issues.size() && k < kMaxIssuesInMessage; ++k) {
    if (k > 0) message += "; ";
    message += issues[k];
  }
  if (issues.size() > kMaxIssuesInMessage) {
    message += "; and " + std::to_string(issues.size() - kMaxIssuesInMessage) + " more";
  }
  return invalid_argument(std::move(message));
}

Result<std::int64_t> window_time(const json& window, const char* key) {
  const auto it = window.find(key);
  if (it == window.end())
    return invalid_argument(std::string("analysis_window.") + key + ": is required");
  if (!it->is_string()) {
    return invalid_argument(std::string("analysis_window.") + key + ": must be a string, got " +
                            json_type(*it));
  }
  auto t = parse_timestamp(it->get_ref<const std::string&>());
  if (!t.has_value()) return t.error().with_context(std::string("analysis_window.") + key);
  return t;
}

// The fields of one element; `issues` collects every problem with the element's location.
struct RowReader {
  const json& row;
  std::size_t index;
  std::string user;
  std::vector<std::string>& issues;
  bool ok = true;

  void add(const std::string& message) {
    issues.push_back(where(index, user) + ": " + message);
    ok = false;
  }
  std::optional<double> number(const char* key, bool required) {
    const auto it = row.find(key);
    if (it == row.end() || it->is_null()) {
      if (required) add(std::string(key) + " is required");
      return std::nullopt;
    }
    if (!it->is_number()) {
      add(std::string(key) + " must be a number, got " + json_type(*it));
      return std::nullopt;
    }
    return it->get<double>();
  }
  std::optional<std::string> text(const char* key, bool required) {
    const auto it = row.find(key);
    if (it == row.end() || it->is_null()) {
      if (required) add(std::string(key) + " is required");
      return std::nullopt;
    }
    if (!it->is_string()) {
      add(std::string(key) + " must be a string, got " + json_type(*it));
      return std::nullopt;
    }
    return it->get<std::string>();
  }
};

const std::vector<std::string_view>& known_keys() {
  static const std::vector<std::string_view> keys = {"userID",
                                                     "timestamp",
                                                     "customer_consumption",
                                                     "customer_consumption_unit",
                                                     "signal_incentive_unit",
                                                     "external_temperature",
                                                     "external_temperature_unit",
                                                     "indoor_temperature_sensor",
                                                     "indoor_temperature_sensor_unit",
                                                     "occupancy_rate"};
  return keys;
}

}  // namespace

Result<std::vector<CustomerGroup>> read_customer_groups(const nlohmann::json& groups,
                                                        const std::string& path) {
  if (!groups.is_array()) {
    return invalid_argument(path + ": must be an array of {\"groupID\", \"userIDs\"}, got " +
                            json_type(groups));
  }
  std::vector<CustomerGroup> out;
  out.reserve(groups.size());
  for (std::size_t g = 0; g < groups.size(); ++g) {
    const json& item = groups[g];
    const std::string where = path + "[" + std::to_string(g) + "]";
    if (!item.is_object()) {
      return invalid_argument(where + ": must be an object, got " + json_type(item));
    }
    for (const auto& [key, value] : item.items()) {
      if (key != "groupID" && key != "userIDs") {
        return invalid_argument(where + ": unknown member '" + key +
                                "' (expected groupID, userIDs)");
      }
    }
    const auto name = item.find("groupID");
    if (name == item.end() || !name->is_string()) {
      return invalid_argument(where + ".groupID: must be a string, got " +
                              (name == item.end() ? std::string("nothing") : json_type(*name)));
    }
    CustomerGroup group;
    group.name = name->get<std::string>();
    const auto members = item.find("userIDs");
    if (members == item.end() || !members->is_array()) {
      return invalid_argument(
          where + " (group '" + group.name + "').userIDs: must be an array of strings, got " +
          (members == item.end() ? std::string("nothing") : json_type(*members)));
    }
    for (std::size_t m = 0; m < members->size(); ++m) {
      const json& member = (*members)[m];
      if (!member.is_string()) {
        return invalid_argument(where + " (group '" + group.name + "').userIDs[" +
                                std::to_string(m) + "]: must be a string, got " +
                                json_type(member));
      }
      group.user_ids.push_back(member.get<std::string>());
    }
    out.push_back(std::move(group));
  }
  return out;
}

Result<std::vector<CustomerGroup>> parse_customer_groups(std::string_view text,
                                                         const std::string& path) {
  const json parsed = json::parse(text.begin(), text.end(), nullptr, false);
  if (parsed.is_discarded()) return invalid_argument(path + ": is not valid JSON");
  return read_customer_groups(parsed, path);
}

Result<Dataset> read_dataset_json(std::string_view text, const CsvReadOptions& options) {
  json body;
  try {
    body = json::parse(text.begin(), text.end());
  } catch (const json::parse_error& e) {
    // Line and column of the byte nlohmann stopped at (1-based).
    const std::size_t byte = std::min<std::size_t>(e.byte == 0 ? 0 : e.byte - 1, text.size());
    const auto prefix = text.substr(0, byte);
    const auto line = 1 + std::count(prefix.begin(), prefix.end(), '\n');
    const auto last_newline = prefix.rfind('\n');
    const auto column = byte - (last_newline == std::string_view::npos ? 0 : last_newline + 1) + 1;
    return parse_error("dataset JSON is not valid at line " + std::to_string(line) + ", column " +
                       std::to_string(column));
  } catch (const json::exception& e) {  // e.g. a number out of range (1e400)
    return parse_error(std::string("dataset JSON is not valid: ") + e.what());
  }
  if (!body.is_object()) {
    return parse_error("dataset JSON must be an object with a \"user_profile\" array, got " +
                       json_type(body));
  }
  for (const auto& [key, value] : body.items()) {
    if (key != "user_profile" && key != "analysis_window" && key != "baseline_signal_value" &&
        key != "groups") {
      return invalid_argument(
          "dataset JSON: unknown member '" + key +
          "' (expected user_profile, analysis_window, baseline_signal_value, groups)");
    }
  }
  const auto profiles = body.find("user_profile");
  if (profiles == body.end() || !profiles->is_array()) {
    return parse_error("dataset JSON: user_profile must be an array of user profile rows, got " +
                       (profiles == body.end() ? std::string("nothing") : json_type(*profiles)));
  }
  if (profiles->empty()) return invalid_argument("dataset JSON: user_profile is empty");

  Dataset dataset;
  dataset.baseline_signal_value = options.baseline_signal_value;
  if (const auto b = body.find("baseline_signal_value"); b != body.end() && !b->is_null()) {
    if (!b->is_number()) {
      return invalid_argument("baseline_signal_value: must be a number, got " + json_type(*b));
    }
    dataset.baseline_signal_value = b->get<double>();
  }
  dataset.groups = options.groups;
  if (const auto g = body.find("groups"); g != body.end() && !g->is_null()) {
    GRIDKE_ASSIGN_OR_RETURN(dataset.groups, read_customer_groups(*g, "groups"));
  }
  std::optional<AnalysisWindow> window = options.window;
  if (const auto w = body.find("analysis_window"); w != body.end() && !w->is_null()) {
    if (!w->is_object()) {
      return invalid_argument("analysis_window: must be an object, got " + json_type(*w));
    }
    AnalysisWindow parsed;
    GRIDKE_ASSIGN_OR_RETURN(parsed.start_s, window_time(*w, "start"));
    GRIDKE_ASSIGN_OR_RETURN(parsed.end_s, window_time(*w, "end"));
    window = parsed;
  }

  bool has_indoor = false;
  bool has_occupancy = false;
  for (const auto& row : *profiles) {
    if (!row.is_object()) continue;
    has_indoor = has_indoor || row.contains("indoor_temperature_sensor");
    has_occupancy = has_occupancy || row.contains("occupancy_rate");
  }

  std::vector<std::string> issues;
  std::unordered_map<std::string, std::int32_t> user_index;
  std::optional<ConsumptionUnit> unit;
  std::size_t unit_row = 0;
  std::optional<SignalClass> signal_class;
  std::string signal_unit;
  std::size_t class_row = 0;
  for (std::size_t i = 0; i < profiles->size(); ++i) {
    const json& row = (*profiles)[i];
    if (!row.is_object()) {
      issues.push_back(where(i, {}) + ": must be an object, got " + json_type(row));
      continue;
    }
    RowReader r{row, i, {}, issues};
    const auto user = r.text("userID", true);
    if (user) r.user = *user;
    if (user && user->empty()) r.add("userID is empty");
    std::optional<SignalClass> row_class;
    double signal = std::numeric_limits<double>::quiet_NaN();
    for (const auto& [key, value] : row.items()) {
      if (key.rfind(kSignalPrefix, 0) == 0) {
        std::string name = key.substr(kSignalPrefix.size());
        if (const auto paren = name.find(" ("); paren != std::string::npos) name.resize(paren);
        const auto parsed = parse_signal_class(name);
        if (!parsed) {
          r.add("unknown signal class '" + name +
                "' (expected Cost, CO2_Emissions, Renew_Energy_Percentage, maximum_power)");
          continue;
        }
        if (value.is_null()) continue;
        if (!value.is_number()) {
          r.add(key + " must be a number, got " + json_type(value));
          continue;
        }
        if (row_class) {
          r.add("two incentive signals in one row (" + std::string(to_string(*row_class)) +
                " and " + std::string(to_string(*parsed)) + "; one class per dataset)");
          continue;
        }
        row_class = parsed;
        signal = value.get<double>();
      } else if (std::find(known_keys().begin(), known_keys().end(), key) == known_keys().end()) {
        r.add("unknown member '" + key + "'");
      }
    }
    const auto timestamp_text = r.text("timestamp", true);
    std::int64_t timestamp = 0;
    if (timestamp_text) {
      auto t = parse_timestamp(*timestamp_text);
      if (t.has_value()) {
        timestamp = *t;
      } else {
        r.add("timestamp: " + t.error().message());
      }
    }
    const auto consumption = r.number("customer_consumption", true);
    if (const auto unit_text = r.text("customer_consumption_unit", true)) {
      const auto row_unit = parse_consumption_unit(*unit_text);
      if (!row_unit) {
        r.add("unknown customer_consumption_unit '" + *unit_text + "' (expected W, kW, Wh, kWh)");
      } else if (!unit) {
        unit = row_unit;
        unit_row = i;
      } else if (*unit != *row_unit) {
        r.add("customer_consumption_unit '" + *unit_text + "' differs from '" +
              std::string(to_string(*unit)) + "' of user_profile[" + std::to_string(unit_row) +
              "] (one unit per dataset)");
      }
    }
    if (row_class) {
      const auto row_signal_unit = r.text("signal_incentive_unit", true);
      if (!signal_class) {
        signal_class = row_class;
        signal_unit = row_signal_unit.value_or("");
        class_row = i;
      } else if (*signal_class != *row_class) {
        r.add("signal class " + std::string(to_string(*row_class)) + " mixed into a " +
              std::string(to_string(*signal_class)) + " dataset (class set at user_profile[" +
              std::to_string(class_row) + "]; one class per dataset)");
      }
      if (row_signal_unit && !is_valid_signal_unit(*row_class, *row_signal_unit)) {
        r.add("signal_incentive_unit '" + *row_signal_unit + "' is not valid for class " +
              std::string(to_string(*row_class)) + " (expected " +
              std::string(canonical_unit(*row_class)) + ")");
      } else if (row_signal_unit && signal_class == row_class && *row_signal_unit != signal_unit) {
        r.add("signal_incentive_unit '" + *row_signal_unit + "' differs from '" + signal_unit +
              "' of user_profile[" + std::to_string(class_row) + "]");
      }
    }
    const auto outside = r.number("external_temperature", true);
    for (const char* key : {"external_temperature_unit", "indoor_temperature_sensor_unit"}) {
      if (const auto u = r.text(key, false); u && !is_celsius(*u)) {
        r.add(std::string(key) + " '" + *u + "' is not Celsius (expected degreesCelcius)");
      }
    }
    const auto indoor = r.number("indoor_temperature_sensor", has_indoor);
    const auto occupancy = r.number("occupancy_rate", has_occupancy);
    if (!r.ok) continue;
    const auto [it, inserted] =
        user_index.try_emplace(*user, static_cast<std::int32_t>(dataset.user_ids.size()));
    if (inserted) dataset.user_ids.push_back(*user);
    dataset.user.push_back(it->second);
    dataset.timestamp_s.push_back(timestamp);
    dataset.consumption.push_back(*consumption);
    dataset.signal.push_back(signal);
    dataset.outside_temperature_c.push_back(*outside);
    if (has_indoor) dataset.indoor_temperature_c.push_back(*indoor);
    if (has_occupancy) dataset.occupancy.push_back(*occupancy);
    dataset.source_line.push_back(static_cast<std::int64_t>(i) + 1);
  }
  if (!signal_class) {
    issues.push_back(
        "dataset: no row carries an incentive signal (no signal_incentive_Class:<class> value), "
        "so there is nothing to compare the baseline with");
  }
  if (!issues.empty()) return issues_error(issues);
  dataset.consumption_unit = *unit;
  dataset.signal_class = *signal_class;
  dataset.signal_unit = signal_unit;
  if (window) {
    dataset.window = *window;
  } else {
    const auto [lo, hi] =
        std::minmax_element(dataset.timestamp_s.begin(), dataset.timestamp_s.end());
    dataset.window = {*lo, *hi + 1};
  }
  const auto problems = validate(dataset);
  if (!problems.empty()) {
    std::vector<std::string> located;
    located.reserve(problems.size());
    for (const auto& p : problems) {
      if (p.line <= 0) {
        located.push_back(p.to_string());
      } else {
        located.push_back(where(static_cast<std::size_t>(p.line - 1), p.user_id) + ": " +
                          p.message);
      }
    }
    return issues_error(located);
  }
  return dataset;
}

}  // namespace gridke::services::flexibility_response::model
