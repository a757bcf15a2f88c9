#pragma once
// The D4.3 §4.1.2 output JSON of a FlexibilityResult (field by field in
// docs/flexibility-response.md). Per customer, following D4.3's key names:
//   "userID";
//   "Time_series": per slot {"hour", "hour_unit": "h", "y_PowerD", "y_lowerD", "y_upperD" (baseline
//     expected power and prediction interval, kW), per level iK "y_Power_iK", "y_lower_iK",
//     "y_upper_iK", "Flex_iK" (= y_Power_iK - y_PowerD), "Flex_iK_se", "Flex_iK_pvalue", each
//     power with a "<key>_unit": "kW"};
//   "Ranking": per slot {"Ranking_hour", "Ranking_hour_unit": "h", "rank_Flex_iK_Price" (0-100),
//     "rank_Flex_iK_Price_scale": "%"};
//   "Reliability_iK_hours": per slot {"Intervention_hour", "Intervention_hour_unit": "h",
//     "iK_Signal_Power_reliability" (0-100), "iK_Signal_Power_reliability_scale": "%"}.
// Values that could not be estimated (level absent in a slot, slot not fitted) are null.
// A header object carries the signal class/unit, the level values, the baseline value, the slot
// length, the interval level and the analysis window.
//
// Thread safety: pure function. Ownership: returns a new string.

#include <string>

#include "gridke/services/flexibility_response/flexibility_model.hpp"

namespace gridke::services::flexibility_response {

/// Serialises `result`; indent < 0 = compact, otherwise pretty-printed with that indent.
std::string to_d43_json(const FlexibilityResult& result, int indent = -1);

}  // namespace gridke::services::flexibility_response
