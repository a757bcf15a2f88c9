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
//   with the empirical reliability method, each reliability entry also carries
//     "iK_signalled_intervals" and "iK_responded_intervals".
// "groups": per customer group {"groupID", "userIDs", "intervals", "incomplete_intervals",
//   "mixed_signal_intervals"} and the same "Time_series", "Ranking" (among groups) and
//   "Reliability_iK_hours" as a customer.
// Values that could not be estimated (level absent in a slot, slot not fitted) are null.
// A header object carries the signal class/unit, the level values, the baseline value, the slot
// length, the interval level, "reliability_method" ("model" or "empirical") with
// "empirical_threshold_kw" (null = the prediction-interval margin) and the analysis window.
//
// Thread safety: pure function. Ownership: returns a new string.

#include <string>
#include <string_view>

#include "gridke/base/result.hpp"

#include "gridke/services/flexibility_response/flexibility_model.hpp"

namespace gridke::services::flexibility_response {

/// Serialises `result`; indent < 0 = compact, otherwise pretty-printed with that indent.
std::string to_d43_json(const FlexibilityResult& result, int indent = -1);

/// Parses the output of to_d43_json back (for charts, the SSA and clients of the REST API).
/// Restored: the header, user ids, per slot the baseline power and prediction interval, per
/// level the power and its prediction interval, flexibility, its standard error and p-value,
/// ranking and reliability (and the empirical counts), the groups; `estimated` from the nulls;
/// expected_direction recomputed. Not in the JSON and left at their defaults: observations, t
/// statistics, mean CIs, R², notes. Errors: parse_error (not JSON, naming line and column);
/// invalid_argument naming the member
/// ("customers[3].Time_series[7].y_PowerD: must be a number or null, got string").
Result<FlexibilityResult> from_d43_json(std::string_view text);

}  // namespace gridke::services::flexibility_response
