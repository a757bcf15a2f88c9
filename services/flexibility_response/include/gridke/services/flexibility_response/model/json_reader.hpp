#pragma once
// JSON form of the D4.3 Table 7 dataset (D4.3 §4.1.2, the "user profile" JSON), as POSTed to the
// REST front door:
//   {"analysis_window": {"start": "01-01-2013 00:00:00", "end": "01-01-2014 00:00:00"},  (optional)
//    "baseline_signal_value": 0.1176, (optional) "user_profile": [
//      {"userID": "ID644", "timestamp": "2021-04-12T15:11:20Z",
//       "customer_consumption": 0.2, "customer_consumption_unit": "kW",
//       "signal_incentive_Class:Cost": 0.11, "signal_incentive_unit": "€/kWh",
//       "external_temperature": 19, "external_temperature_unit": "degreesCelcius",
//       "indoor_temperature_sensor": 24, "indoor_temperature_sensor_unit": "degreesCelcius",
//       "occupancy_rate": 4.3}, ...],
//    "groups": [{"groupID": "north", "userIDs": ["ID644", "ID645"]}, ...]}     (optional)
// The signal key is "signal_incentive_Class:<class>" with class Cost, CO2_Emissions,
// Renew_Energy_Percentage or maximum_power (D4.3's " (pi_pwim)" suffix is accepted); a row
// without one (or with null) is a baseline row. Temperature units, when given, must be Celsius
// ("degreesCelcius" as D4.3 spells it, "degreesCelsius", "°C", "C"). Indoor temperature and
// occupancy are optional, but a dataset has them on every row or on none.
//
// Errors name the element: "user_profile[12] (user U1): customer_consumption must be a number,
// got string"; every bad row is reported (up to model::kMaxIssuesInMessage in the message).
//
// Thread safety: pure functions. Ownership: the returned Dataset owns copies of all text.

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "gridke/base/result.hpp"
#include "gridke/services/flexibility_response/model/csv_reader.hpp"
#include "gridke/services/flexibility_response/model/dataset.hpp"

namespace gridke::services::flexibility_response::model {

/// Reads group definitions: [{"groupID": "north", "userIDs": ["ID644", "ID645"]}, ...]. Checks
/// the shape only (errors name `path` and the element, e.g. "groups[1] (group 'north')
/// .userIDs[0]: must be a string, got number"); membership is checked by model::validate.
Result<std::vector<CustomerGroup>> read_customer_groups(const nlohmann::json& groups,
                                                        const std::string& path);
/// The same from JSON text (REST X-Customer-Groups). Errors: invalid_argument naming `path`.
Result<std::vector<CustomerGroup>> parse_customer_groups(std::string_view text,
                                                         const std::string& path);

/// Parses and validates (model::validate) a JSON dataset. The body's "analysis_window" and
/// "baseline_signal_value" win over `options` when both are given.
/// Errors: parse_error for text that is not JSON ("line L, column C") or not an object with a
/// "user_profile" array; invalid_argument listing every bad element as above.
Result<Dataset> read_dataset_json(std::string_view text, const CsvReadOptions& options);

}  // namespace gridke::services::flexibility_response::model
