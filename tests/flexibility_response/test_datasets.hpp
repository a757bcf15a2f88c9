#pragma once
// Test helper: a model::Dataset written in the D4.3 JSON form that model::read_dataset_json reads
// (the inverse direction is not part of the library: clients produce this JSON).

#include <cmath>
#include <string>

#include <nlohmann/json.hpp>

#include "gridke/services/flexibility_response/model/dataset.hpp"
#include "gridke/services/flexibility_response/synthetic_dataset.hpp"

namespace gridke::services::flexibility_response::testing {

inline nlohmann::json to_d43_dataset_json(const model::Dataset& d) {
  nlohmann::json rows = nlohmann::json::array();
  const std::string signal_key = "signal_incentive_Class:" + std::string(to_string(d.signal_class));
  for (std::size_t r = 0; r < d.size(); ++r) {
    nlohmann::json row{{"userID", d.user_ids[static_cast<std::size_t>(d.user[r])]},
                       {"timestamp", model::format_timestamp(d.timestamp_s[r]) + "Z"},
                       {"customer_consumption", d.consumption[r]},
                       {"customer_consumption_unit", std::string(to_string(d.consumption_unit))},
                       {"external_temperature", d.outside_temperature_c[r]},
                       {"external_temperature_unit", "degreesCelcius"}};
    if (!std::isnan(d.signal[r])) {
      row[signal_key] = d.signal[r];
      row["signal_incentive_unit"] = d.signal_unit;
    }
    if (d.has_indoor_temperature()) row["indoor_temperature_sensor"] = d.indoor_temperature_c[r];
    if (d.has_occupancy()) row["occupancy_rate"] = d.occupancy[r];
    rows.push_back(std::move(row));
  }
  nlohmann::json body{{"user_profile", std::move(rows)}};
  if (d.baseline_signal_value) body["baseline_signal_value"] = *d.baseline_signal_value;
  return body;
}

/// A small synthetic dataset (customers × days, half-hourly, planted response).
inline model::Dataset small_dataset(int customers = 4, int days = 60) {
  SyntheticOptions options;
  options.customers = customers;
  options.days = days;
  return make_synthetic_dataset(options);
}

}  // namespace gridke::services::flexibility_response::testing
