#pragma once
// SVG charts of the Sensitivities Engine's outputs (drawn with core/plot), served by the REST
// front door (?format=svg) and written by `gridke demo sensitivities`.
//
// Thread safety: pure functions. Ownership: inputs are only read; SVG text returned by value.

#include <string>
#include <string_view>

#include "gridke/base/result.hpp"
#include "gridke/services/sensitivities/model/meter_data.hpp"
#include "gridke/services/sensitivities/sensitivity_estimator.hpp"

namespace gridke::services::sensitivities {

/// Output 1 as a heat map: rows = voltage meters, columns = power meters, diverging colours in
/// V/kW (blue = voltage falls when the column meter consumes more). Errors: invalid_argument
/// for an empty matrix.
Result<std::string> sensitivity_heat_map_svg(const SensitivityMatrix& s);

/// Output 2 JSON (to_json(VoltageAnalysis)) as a bar chart of the under- and over-voltage
/// probability (%) per 30-min period of the typical day. Errors: parse_error naming the JSON
/// path when the document is not Output 2; invalid_argument when it has no periods.
Result<std::string> voltage_problems_svg(std::string_view output2_json);

/// Output 2 JSON as a line chart per period: average voltage, worst under- and over-voltage
/// record, with the limits of `limits` drawn as reference lines. Errors: as voltage_problems_svg.
Result<std::string> voltage_profile_svg(std::string_view output2_json,
                                        const VoltageLimits& limits = {});

}  // namespace gridke::services::sensitivities
