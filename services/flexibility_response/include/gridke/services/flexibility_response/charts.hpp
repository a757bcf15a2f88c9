#pragma once
// SVG charts of a flexibility-response result, after InterConnect D4.3 figures 23–26:
//   expected power   (Fig. 23 a) one customer's expected power per hour of the typical day:
//                    the baseline and one line per signal level, each with its prediction
//                    interval as a shaded band;
//   flexibility      (Fig. 23 b) one customer's flexibility (level − baseline, kW) per hour and
//                    level, with the zero line;
//   ranking          (Fig. 24/25) customers × hours heat map of the ranking (0–100 %) for one
//                    level, high (red) to low (blue); customers sorted by their mean ranking;
//   reliability      (Fig. 26) one customer's probability of responding (%) per hour, one bar
//                    group per hour and one bar per level.
// Each chart is prepared as a gridke::plot struct (the data-preparation step, testable without
// rendering) and rendered by gridke/plot/svg.hpp. Values that were not estimated are gaps.
//
// Thread safety: pure functions. Ownership: return values.

#include <cstddef>
#include <string>
#include <vector>

#include "gridke/base/result.hpp"
#include "gridke/plot/svg.hpp"
#include "gridke/services/flexibility_response/flexibility_model.hpp"

namespace gridke::services::flexibility_response {

/// The chart kinds, by the names the REST API and the demo use.
enum class ChartKind { expected_power, flexibility, ranking, reliability };
/// "expected-power", "flexibility", "ranking", "reliability".
std::string_view to_string(ChartKind kind);
/// Errors: invalid_argument naming the text and the known names.
Result<ChartKind> parse_chart_kind(std::string_view text);

/// "i2 (0.672 GBP/kWh)".
std::string level_label(const FlexibilityResult& result, std::size_t level);

/// Errors (all charts): not_found when `user_id` is not in the result; invalid_argument when
/// `level` is out of range or the result has no customers.
Result<plot::LineChart> expected_power_chart(const FlexibilityResult& result,
                                             const std::string& user_id);
Result<plot::LineChart> flexibility_chart(const FlexibilityResult& result,
                                          const std::string& user_id);
/// At most `max_customers` rows (the highest mean rankings first).
Result<plot::HeatMap> ranking_heat_map(const FlexibilityResult& result, std::size_t level,
                                       std::size_t max_customers = 50);
Result<plot::BarChart> reliability_chart(const FlexibilityResult& result,
                                         const std::string& user_id);

/// The SVG of one chart: `user_id` for the per-customer charts (empty = the first customer),
/// `level` for the ranking. Errors: as above, and those of the plot renderers.
Result<std::string> render_chart(const FlexibilityResult& result, ChartKind kind,
                                 const std::string& user_id, std::size_t level);

}  // namespace gridke::services::flexibility_response
