#pragma once
// Settlement (D4.3 §4.3 step 3: "the published prices will then be employed to bill the actual
// grid usage individually"): actual consumption per interval billed against a published price
// series (a day-ahead capacity tariff) or a tariff structure (ToU/RTP/CPP with triggers).
// Thread safety: pure functions. Ownership: values.

#include <span>
#include <vector>

#include "gridke/base/result.hpp"
#include "gridke/services/tariffs/model/tariff_structure.hpp"

namespace gridke::services::tariffs {

struct Bill {
  std::vector<double> cost;  ///< per interval, currency
  double energy_kwh = 0.0;
  double total_cost = 0.0;
};

/// cost_t = price_t x energy_t. Errors: invalid_argument when the lengths differ, or a price or
/// consumption is negative or non-finite (names the interval and value).
Result<Bill> settle(std::span<const double> price_per_kwh, std::span<const double> consumption_kwh);

/// Bills consumption_kwh (interval t covers minutes [t m, (t+1) m) of consecutive days, m =
/// interval_minutes) against `tariff`: power = energy / interval hours drives power triggers;
/// energy since the first interval (the billing period) drives energy triggers; the price of an
/// interval is the price at its first minute. Errors: those of validate(tariff); invalid_argument
/// when interval_minutes does not divide 1440 or a consumption is negative or non-finite.
Result<Bill> settle(const model::TariffStructure& tariff, std::span<const double> consumption_kwh,
                    int interval_minutes);

}  // namespace gridke::services::tariffs
