// D4.3 output JSON; see json_output.hpp.

#include "gridke/services/flexibility_response/json_output.hpp"

#include <nlohmann/json.hpp>

namespace gridke::services::flexibility_response {
namespace {

using nlohmann::json;

json hour_value(int slot, int slot_minutes) {
  if (slot_minutes % 60 == 0) return slot * (slot_minutes / 60);
  return static_cast<double>(slot) * slot_minutes / 60.0;
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
  out["analysis_window"] = {{"start", model::format_timestamp(result.window.start_s)},
                            {"end", model::format_timestamp(result.window.end_s)}};
  json customers = json::array();
  for (const auto& customer : result.customers) {
    json c;
    c["userID"] = customer.user_id;
    json series = json::array();
    json ranking = json::array();
    std::vector<json> reliability(result.levels.size(), json::array());
    for (const auto& slot : customer.slots) {
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
        reliability[k].push_back({{"Intervention_hour", hour},
                                  {"Intervention_hour_unit", "h"},
                                  {i + "_Signal_Power_reliability",
                                   ok ? json(100.0 * level.reliability) : json(nullptr)},
                                  {i + "_Signal_Power_reliability_scale", "%"}});
      }
      series.push_back(std::move(s));
      ranking.push_back(std::move(r));
    }
    c["Time_series"] = std::move(series);
    c["Ranking"] = std::move(ranking);
    for (std::size_t k = 0; k < result.levels.size(); ++k) {
      c["Reliability_i" + std::to_string(k + 1) + "_hours"] = std::move(reliability[k]);
    }
    customers.push_back(std::move(c));
  }
  out["customers"] = std::move(customers);
  return out.dump(indent);
}

}  // namespace gridke::services::flexibility_response
