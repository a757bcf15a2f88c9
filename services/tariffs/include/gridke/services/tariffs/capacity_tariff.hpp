#pragma once
// Day-ahead grid capacity tariff (D4.3 §2.1.1.4 Dutch pilot, §4.3, Table 16 step 2 "determine
// tariff"; NOTES §5.2): from a day-ahead forecast per grid zone — baseline B_t, controllable
// demand D0_t at the reference price and capacity C_t per quarter hour — the lowest price per
// quarter hour that keeps B_t + D_t(p_t) at or below the target T_t = C_t (1 - margin_fraction) -
// margin_kw, using a price-response model (solver/price_response.hpp) or discrete tiers.
//
// Load shifting (NOTES §5.2 "inter-temporal shifting ... iterate price -> shifted demand ->
// price with damping"): a fraction s of the controllable energy a price removes from a quarter
// hour moves to other quarter hours of the same zone and day, in proportion to their headroom
// under the target at the floor price in the forecast without shifting,
//   w_t = max(0, (T_t - B_t) / f(floor) - D0_t).
// Shifted energy is added to the reference demand of its new quarter hour and is itself price
// responsive, so it can congest that quarter hour, be priced and shift again. Iteration k:
//   prices p^k from D0 + S^k;  R^k = sum_t max(0, D0_t + S^k_t - D_t(p^k_t))  (kW x quarters)
//   S^{k+1} = (1 - lambda) S^k + lambda s R^k w / sum(w)
// until max_t |S^{k+1}_t - S^k_t| <= kShiftToleranceKw; prices are then recomputed for the final
// S, so the cap holds after the last iteration in every quarter hour not flagged. With s < 1 the
// map is a contraction (the removed demand never exceeds the reference demand, so the factor is
// at most 1 - lambda (1 - s)) and converges; when no quarter hour has headroom (sum w = 0) the
// removed energy is not re-placed; with s = 1 and more shifted energy than headroom
// there is no fixed point: the result says converged = false after max_iterations, still priced
// consistently with its final S.
//
// Flags: baseline_over_capacity (B_t >= T_t: no tariff can help; the cap price is published and
// the interval must go to other DSO tools, e.g. the flexibility market) and
// insufficient_flexibility (even the cap price leaves B + D above T).
//
// Thread safety: a CapacityTariffCalculator is immutable after create(); compute() may run
// concurrently if the response curve allows it. A MonotoneResponse curve must be a deterministic
// function of the price: f(floor) is evaluated once, in create(). Ownership: results are values.

#include <span>
#include <string>
#include <vector>

#include "gridke/base/result.hpp"
#include "gridke/services/tariffs/solver/price_response.hpp"

namespace gridke::services::tariffs {

/// Convergence threshold of the shifted demand between iterations, kW.
inline constexpr double kShiftToleranceKw = 1e-9;
/// Tolerance of the final cap check, relative to the target.
inline constexpr double kCapCheckRelativeTolerance = 1e-9;

/// Day-ahead forecast of one grid zone or connection, one value per interval (96 quarter hours
/// for a normal day; 92/100 on DST days).
struct ZoneForecast {
  std::string zone;
  std::vector<double> baseline_kw;
  std::vector<double> controllable_kw;  ///< at the reference price
  std::vector<double> capacity_kw;
};

struct CapacityTariffConfig {
  solver::PriceResponse response = solver::ConstantElasticity{};
  solver::PriceBounds bounds;       ///< continuous tariff range (reference, floor, cap)
  std::vector<double> tier_prices;  ///< non-empty: discrete tiers (ascending) instead of bounds
  double margin_kw = 0.0;           ///< "just below" capacity
  double margin_fraction = 0.0;     ///< of capacity, in [0, 1)
  double shift_fraction = 0.0;      ///< s in [0, 1]: share of removed energy that shifts
  double damping = 1.0;             ///< lambda in (0, 1]
  int max_iterations = 100;
};

/// One zone's published day.
struct ZoneTariff {
  std::string zone;
  std::vector<double> price_per_kwh;
  std::vector<double> demand_kw;      ///< expected B + D(p) after shifting
  std::vector<double> shifted_in_kw;  ///< S: reference demand moved into the interval
  std::vector<solver::PriceStatus> status;
  int iterations = 0;
  bool converged = true;
  /// Indices of intervals whose baseline alone reaches the target.
  std::vector<std::size_t> baseline_over_capacity() const;
};

class CapacityTariffCalculator {
 public:
  /// Validates the configuration. Errors (invalid_argument, naming the field and value): as
  /// validate_response(); tiers not ascending, negative or non-finite (or <= 0 with constant
  /// elasticity); margin_kw < 0; margin_fraction outside [0, 1); shift_fraction outside [0, 1];
  /// damping outside (0, 1]; max_iterations < 1.
  static Result<CapacityTariffCalculator> create(CapacityTariffConfig config);

  /// Prices one zone. Errors: invalid_argument when the three series differ in length or are
  /// empty, or a value is negative or non-finite, or a capacity is 0 (names zone, series, index
  /// and value); numerical from a MonotoneResponse curve (with the zone and interval as context).
  Result<ZoneTariff> compute(const ZoneForecast& forecast) const;

  /// As compute(), reusing `out`'s buffers (the benchmark's and a daily batch's path).
  Result<void> compute_into(const ZoneForecast& forecast, ZoneTariff& out) const;

  /// Prices every zone; the first error stops the batch (with the zone as context).
  Result<std::vector<ZoneTariff>> compute_all(std::span<const ZoneForecast> forecasts) const;

  const CapacityTariffConfig& config() const noexcept { return config_; }

 private:
  explicit CapacityTariffCalculator(CapacityTariffConfig config) : config_(std::move(config)) {}
  Result<solver::PriceSolution> solve(const solver::IntervalLoad& load) const;
  double target_kw(const ZoneForecast& f, std::size_t t) const;
  // Prices every interval for out.shifted_in_kw; returns the removed reference demand (kW).
  Result<double> price_all(const ZoneForecast& f, ZoneTariff& out) const;
  Result<void> shift_until_stable(const ZoneForecast& f, double removed, ZoneTariff& out) const;
  Result<void> check_cap(const ZoneForecast& f, const ZoneTariff& out) const;

  CapacityTariffConfig config_;
  double f_floor_ = 1.0;  // f at the lowest publishable price
};

}  // namespace gridke::services::tariffs
