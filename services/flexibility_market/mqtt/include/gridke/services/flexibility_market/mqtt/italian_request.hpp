#pragma once
// The Italian pilot's flexibility request (InterConnect D4.3 Table 1), as the DSO (simulated by
// RSE) publishes it over MQTT:
//   {"timestamp": T, "flexibility": [{"activation_time": A, "power": P}, ...]}
// T and A are ISO 8601 date-times or Unix epoch seconds (numbers). Each entry becomes one need
// for `slot` starting at A in the bridge's zone: |P| kW, direction Down for P > 0 (reduce
// consumption, the pilot's sense of a flexibility request) and Up for P < 0. P = 0, unknown
// fields, duplicates of an activation time and non-finite numbers are rejected naming the path.
// Thread safety: pure functions.

#include <string>
#include <string_view>
#include <vector>

#include "gridke/base/result.hpp"
#include "gridke/services/flexibility_market/flexibility_market.hpp"

namespace gridke::services::flexibility_market {

/// Errors: parse_error (not JSON, with line/column), invalid_argument naming the field.
Result<std::vector<NeedInput>> parse_italian_request(std::string_view payload,
                                                     const std::string& zone,
                                                     Duration slot = std::chrono::minutes(15));

}  // namespace gridke::services::flexibility_market
