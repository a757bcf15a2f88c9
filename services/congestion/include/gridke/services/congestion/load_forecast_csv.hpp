#pragma once
// Reading a load forecast as a table of load-shape profiles: a CSV with a header
// `shape,q0,q1,…,q{n-1}` and one row per load shape (the values are kW, as the IEEE European LV
// feeder's `useactual` shapes); every load of the network gets its shape's row, with kvar from
// the load's nominal power factor (kvar/kW of Load::kw, Load::kvar).
// Thread safety: pure functions.

#include <string>

#include "gridke/base/result.hpp"
#include "gridke/services/congestion/congestion_forecast.hpp"

namespace gridke::services::congestion {

/// Errors: not_found (file); parse_error "file:line: …" (bad number, ragged row); invalid_argument
/// when a load's shape has no row (naming load and shape).
Result<LoadForecast> read_profile_forecast(const std::string& path, const grid::Network& network);

/// The same from CSV text (`name` is used in messages).
Result<LoadForecast> parse_profile_forecast(const std::string& text, const std::string& name,
                                            const grid::Network& network);

}  // namespace gridke::services::congestion
