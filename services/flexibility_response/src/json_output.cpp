// D4.3 output JSON; see json_output.hpp.

#include "gridke/services/flexibility_response/json_output.hpp"

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace gridke::services::flexibility_response {
namespace {

using nlohmann::json;

json hour_value(int slot, int slot_minutes) {
  if (slot_minutes % 60 == 0) return slot * (slot_minutes / 60);
  return static_cast<double>(slot) * slot_minutes / 60.0;
}

}  // namespace

namespace {

// Time_series, Ranking and Reliability_iK_hours of one customer or group into `c`.
void flex_put_slots(json& c, const std::vector<SlotResult>& slots,
                    const FlexibilityResult& result) {
  json series = json::array();
  json ranking = json::array();
  std::vector<json> reliability(result.levels.size(), json::array());
  for (const auto& slot : slots) {
    const json hour = hour_value(slot.slot, result.slot_minutes);
    json s{{"hour", hour}, {"hour_unit", "h"}};
    const auto power = [&](const std::string& key, bool ok, double v) {
      s[key] = ok ? json(v) : json(nullptr);
      s[key + "_unit"] = "kW";
    };
    power("y_PowerD", slot.estimated, slot.baseline_kw.mean);
    power("y_lowerD", slot.estimated, slot.baseline_kw.obs_ci_lower);
    power("y_upperD", slot.estimated, slot.baseline_kw.obs_ci_upper);
    json r{{"Ranking_hour", hour}, {"Ranking_hour_unit", "h"}};
    for (std::size_t k = 0; k < result.levels.size(); ++k) {
      const std::string i = "i" + std::to_string(k + 1);
      const auto& level = slot.levels[k];
      const bool ok = slot.estimated && level.estimated;
      power("y_Power_" + i, ok, level.power_kw.mean);
      power("y_lower_" + i, ok, level.power_kw.obs_ci_lower);
      power("y_upper_" + i, ok, level.power_kw.obs_ci_upper);
      power("Flex_" + i, ok, level.flexibility_kw);
      power("Flex_" + i + "_se", ok, level.flexibility_se_kw);
      s["Flex_" + i + "_pvalue"] = ok ? json(level.p_value) : json(nullptr);
      r["rank_Flex_" + i + "_Price"] = ok ? json(level.ranking_percent) : json(nullptr);
      r["rank_Flex_" + i + "_Price_scale"] = "%";
      json entry{
          {"Intervention_hour", hour},
          {"Intervention_hour_unit", "h"},
          {i + "_Signal_Power_reliability", ok ? json(100.0 * level.reliability) : json(nullptr)},
          {i + "_Signal_Power_reliability_scale", "%"}};
      if (result.reliability_method == ReliabilityMethod::empirical) {
        entry[i + "_signalled_intervals"] = level.observations;
        entry[i + "_responded_intervals"] = ok ? json(level.responded_intervals) : json(nullptr);
      }
      reliability[k].push_back(std::move(entry));
    }
    series.push_back(std::move(s));
    ranking.push_back(std::move(r));
  }
  c["Time_series"] = std::move(series);
  c["Ranking"] = std::move(ranking);
  for (std::size_t k = 0; k < result.levels.size(); ++k) {
    c["Reliability_i" + std::to_string(k + 1) + "_hours"] = std::move(reliability[k]);
  }
}

}  // namespace

std::string to_d43_json(const FlexibilityResult& result, int indent) {
  json out;
  out["signal_incentive_Class"] = std::string(model::to_string(result.signal_class));
  out["signal_incentive_unit"] = result.signal_unit;
  json levels = json::array();
  for (std::size_t k = 0; k < result.levels.size(); ++k) {
    levels.push_back({{"name", "i" + std::to_string(k + 1)}, {"value", result.levels[k]}});
  }
  out["signal_levels"] = levels;
  out["baseline_signal_value"] =
      result.baseline_signal_value ? json(*result.baseline_signal_value) : json(nullptr);
  out["slot_minutes"] = result.slot_minutes;
  out["confidence_level"] = result.confidence_level;
  out["reliability_method"] = std::string(to_string(result.reliability_method));
  out["empirical_threshold_kw"] =
      result.empirical_threshold_kw ? json(*result.empirical_threshold_kw) : json(nullptr);
  out["analysis_window"] = {{"start", model::format_timestamp(result.window.start_s)},
                            {"end", model::format_timestamp(result.window.end_s)}};
  json customers = json::array();
  for (const auto& customer : result.customers) {
    json c;
    c["userID"] = customer.user_id;
    flex_put_slots(c, customer.slots, result);
    customers.push_back(std::move(c));
  }
  out["customers"] = std::move(customers);
  json groups = json::array();
  for (const auto& group : result.groups) {
    json g{{"groupID", group.name},
           {"userIDs", group.members},
           {"intervals", group.intervals},
           {"incomplete_intervals", group.incomplete_intervals},
           {"mixed_signal_intervals", group.mixed_signal_intervals}};
    flex_put_slots(g, group.slots, result);
    groups.push_back(std::move(g));
  }
  out["groups"] = std::move(groups);
  return out.dump(indent);
}

}  // namespace gridke::services::flexibility_response

namespace gridke::services::flexibility_response {
namespace {

using nlohmann::json;

// Reads the D4.3 JSON back; every accessor names the member path in its error.
struct Reader {
  static Result<const json*> member(const json& j, const std::string& path,
                                    const std::string& key) {
    if (!j.is_object()) return invalid_argument(path + ": must be an object, got " + j.type_name());
    const auto it = j.find(key);
    if (it == j.end()) return invalid_argument(path + "." + key + ": is required");
    return &*it;
  }
  static Result<std::optional<double>> number(const json& j, const std::string& path,
                                              const std::string& key) {
    GRIDKE_ASSIGN_OR_RETURN(const json* v, member(j, path, key));
    if (v->is_null()) return std::optional<double>();
    if (!v->is_number()) {
      return invalid_argument(path + "." + key + ": must be a number or null, got " +
                              v->type_name());
    }
    return std::optional<double>(v->get<double>());
  }
  static Result<const json*> array(const json& j, const std::string& path, const std::string& key) {
    GRIDKE_ASSIGN_OR_RETURN(const json* v, member(j, path, key));
    if (!v->is_array()) {
      return invalid_argument(path + "." + key + ": must be an array, got " + v->type_name());
    }
    return v;
  }
  static Result<std::string> string(const json& j, const std::string& path,
                                    const std::string& key) {
    GRIDKE_ASSIGN_OR_RETURN(const json* v, member(j, path, key));
    if (!v->is_string()) {
      return invalid_argument(path + "." + key + ": must be a string, got " + v->type_name());
    }
    return v->get<std::string>();
  }
};

Result<void> read_slots(const json& c, const std::string& path, const FlexibilityResult& header,
                        std::vector<SlotResult>& slots) {
  GRIDKE_ASSIGN_OR_RETURN(const json* series, Reader::array(c, path, "Time_series"));
  GRIDKE_ASSIGN_OR_RETURN(const json* ranking, Reader::array(c, path, "Ranking"));
  const std::size_t levels = header.levels.size();
  if (ranking->size() != series->size()) {
    return invalid_argument(path + ".Ranking: has " + std::to_string(ranking->size()) +
                            " entries, Time_series has " + std::to_string(series->size()));
  }
  std::vector<const json*> reliability(levels);
  for (std::size_t k = 0; k < levels; ++k) {
    const std::string key = "Reliability_i" + std::to_string(k + 1) + "_hours";
    GRIDKE_ASSIGN_OR_RETURN(reliability[k], Reader::array(c, path, key));
    if (reliability[k]->size() != series->size()) {
      return invalid_argument(path + "." + key + ": has " + std::to_string(reliability[k]->size()) +
                              " entries, Time_series has " + std::to_string(series->size()));
    }
  }
  slots.resize(series->size());
  for (std::size_t h = 0; h < series->size(); ++h) {
    const std::string sp = path + ".Time_series[" + std::to_string(h) + "]";
    const std::string rp = path + ".Ranking[" + std::to_string(h) + "]";
    const json& s = (*series)[h];
    SlotResult& slot = slots[h];
    slot.slot = static_cast<int>(h);
    GRIDKE_ASSIGN_OR_RETURN(const auto mean, Reader::number(s, sp, "y_PowerD"));
    GRIDKE_ASSIGN_OR_RETURN(const auto lower, Reader::number(s, sp, "y_lowerD"));
    GRIDKE_ASSIGN_OR_RETURN(const auto upper, Reader::number(s, sp, "y_upperD"));
    slot.estimated = mean.has_value();
    slot.baseline_kw.mean = mean.value_or(0.0);
    slot.baseline_kw.obs_ci_lower = lower.value_or(0.0);
    slot.baseline_kw.obs_ci_upper = upper.value_or(0.0);
    slot.levels.resize(levels);
    for (std::size_t k = 0; k < levels; ++k) {
      const std::string i = "i" + std::to_string(k + 1);
      LevelResult& level = slot.levels[k];
      level.expected_direction =
          expected_direction(header.signal_class, header.levels[k], header.baseline_signal_value);
      GRIDKE_ASSIGN_OR_RETURN(const auto power, Reader::number(s, sp, "y_Power_" + i));
      GRIDKE_ASSIGN_OR_RETURN(const auto lo, Reader::number(s, sp, "y_lower_" + i));
      GRIDKE_ASSIGN_OR_RETURN(const auto hi, Reader::number(s, sp, "y_upper_" + i));
      GRIDKE_ASSIGN_OR_RETURN(const auto flex, Reader::number(s, sp, "Flex_" + i));
      GRIDKE_ASSIGN_OR_RETURN(const auto se, Reader::number(s, sp, "Flex_" + i + "_se"));
      GRIDKE_ASSIGN_OR_RETURN(const auto p, Reader::number(s, sp, "Flex_" + i + "_pvalue"));
      GRIDKE_ASSIGN_OR_RETURN(const auto rank,
                              Reader::number((*ranking)[h], rp, "rank_Flex_" + i + "_Price"));
      GRIDKE_ASSIGN_OR_RETURN(
          const auto rel,
          Reader::number((*reliability[k])[h],
                         path + ".Reliability_" + i + "_hours[" + std::to_string(h) + "]",
                         i + "_Signal_Power_reliability"));
      level.estimated = power.has_value();
      level.power_kw.mean = power.value_or(0.0);
      level.power_kw.obs_ci_lower = lo.value_or(0.0);
      level.power_kw.obs_ci_upper = hi.value_or(0.0);
      level.flexibility_kw = flex.value_or(0.0);
      level.flexibility_se_kw = se.value_or(0.0);
      level.p_value = p.value_or(1.0);
      level.ranking_percent = rank.value_or(0.0);
      level.reliability = rel.value_or(0.0) / 100.0;
      if (const auto it = (*reliability[k])[h].find(i + "_responded_intervals");
          it != (*reliability[k])[h].end() && it->is_number()) {
        level.responded_intervals = it->get<std::int64_t>();
      }
      if (const auto it = (*reliability[k])[h].find(i + "_signalled_intervals");
          it != (*reliability[k])[h].end() && it->is_number()) {
        level.observations = it->get<std::int64_t>();
      }
    }
  }
  return ok();
}

Result<void> read_customer(const json& c, const std::string& path, const FlexibilityResult& header,
                           CustomerResult& customer) {
  GRIDKE_ASSIGN_OR_RETURN(customer.user_id, Reader::string(c, path, "userID"));
  return read_slots(c, path, header, customer.slots);
}

Result<void> read_group(const json& g, const std::string& path, const FlexibilityResult& header,
                        GroupResult& group) {
  GRIDKE_ASSIGN_OR_RETURN(group.name, Reader::string(g, path, "groupID"));
  GRIDKE_ASSIGN_OR_RETURN(const json* members, Reader::array(g, path, "userIDs"));
  for (std::size_t m = 0; m < members->size(); ++m) {
    if (!(*members)[m].is_string()) {
      return invalid_argument(path + ".userIDs[" + std::to_string(m) + "]: must be a string, got " +
                              (*members)[m].type_name());
    }
    group.members.push_back((*members)[m].get<std::string>());
  }
  for (auto [key, target] : {std::pair<const char*, std::int64_t*>{"intervals", &group.intervals},
                             {"incomplete_intervals", &group.incomplete_intervals},
                             {"mixed_signal_intervals", &group.mixed_signal_intervals}}) {
    GRIDKE_ASSIGN_OR_RETURN(const auto v, Reader::number(g, path, key));
    *target = static_cast<std::int64_t>(v.value_or(0.0));
  }
  return read_slots(g, path, header, group.slots);
}

}  // namespace

Result<FlexibilityResult> from_d43_json(std::string_view text) {
  json j;
  try {
    j = json::parse(text.begin(), text.end());
  } catch (const json::exception& e) {
    return parse_error(std::string("flexibility result JSON: ") + e.what());
  }
  FlexibilityResult result;
  GRIDKE_ASSIGN_OR_RETURN(const std::string class_name,
                          Reader::string(j, "result", "signal_incentive_Class"));
  const auto signal_class = model::parse_signal_class(class_name);
  if (!signal_class) {
    return invalid_argument("result.signal_incentive_Class: unknown class '" + class_name + "'");
  }
  result.signal_class = *signal_class;
  GRIDKE_ASSIGN_OR_RETURN(result.signal_unit, Reader::string(j, "result", "signal_incentive_unit"));
  GRIDKE_ASSIGN_OR_RETURN(const json* levels, Reader::array(j, "result", "signal_levels"));
  for (std::size_t k = 0; k < levels->size(); ++k) {
    GRIDKE_ASSIGN_OR_RETURN(
        const auto v,
        Reader::number((*levels)[k], "result.signal_levels[" + std::to_string(k) + "]", "value"));
    if (!v) {
      return invalid_argument("result.signal_levels[" + std::to_string(k) +
                              "].value: must be a number");
    }
    result.levels.push_back(*v);
  }
  GRIDKE_ASSIGN_OR_RETURN(result.baseline_signal_value,
                          Reader::number(j, "result", "baseline_signal_value"));
  GRIDKE_ASSIGN_OR_RETURN(const auto slot_minutes, Reader::number(j, "result", "slot_minutes"));
  GRIDKE_ASSIGN_OR_RETURN(const auto confidence, Reader::number(j, "result", "confidence_level"));
  if (!slot_minutes || !confidence) {
    return invalid_argument("result.slot_minutes and result.confidence_level must be numbers");
  }
  result.slot_minutes = static_cast<int>(*slot_minutes);
  result.confidence_level = *confidence;
  // Results stored before the reliability option and groups existed lack these members.
  if (const auto m = j.find("reliability_method"); m != j.end()) {
    const auto method = m->is_string() ? parse_reliability_method(m->get<std::string>())
                                       : std::optional<ReliabilityMethod>();
    if (!method) {
      return invalid_argument("result.reliability_method: must be \"model\" or \"empirical\"");
    }
    result.reliability_method = *method;
    GRIDKE_ASSIGN_OR_RETURN(result.empirical_threshold_kw,
                            Reader::number(j, "result", "empirical_threshold_kw"));
  }
  GRIDKE_ASSIGN_OR_RETURN(const json* window, Reader::member(j, "result", "analysis_window"));
  GRIDKE_ASSIGN_OR_RETURN(const std::string start,
                          Reader::string(*window, "result.analysis_window", "start"));
  GRIDKE_ASSIGN_OR_RETURN(const std::string end,
                          Reader::string(*window, "result.analysis_window", "end"));
  GRIDKE_ASSIGN_OR_RETURN(result.window.start_s, model::parse_timestamp(start));
  GRIDKE_ASSIGN_OR_RETURN(result.window.end_s, model::parse_timestamp(end));
  GRIDKE_ASSIGN_OR_RETURN(const json* customers, Reader::array(j, "result", "customers"));
  result.customers.resize(customers->size());
  for (std::size_t c = 0; c < customers->size(); ++c) {
    GRIDKE_TRY(read_customer((*customers)[c], "customers[" + std::to_string(c) + "]", result,
                             result.customers[c]));
  }
  if (j.contains("groups")) {
    GRIDKE_ASSIGN_OR_RETURN(const json* groups, Reader::array(j, "result", "groups"));
    result.groups.resize(groups->size());
    for (std::size_t g = 0; g < groups->size(); ++g) {
      GRIDKE_TRY(
          read_group((*groups)[g], "groups[" + std::to_string(g) + "]", result, result.groups[g]));
    }
  }
  return result;
}

}  // namespace gridke::services::flexibility_response
