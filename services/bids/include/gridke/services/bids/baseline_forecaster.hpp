#pragma once
// Baseline forecaster of an aggregator's asset or sub-aggregation (InterConnect D4.3 §4.2.1
// data stream 2, "baseline forecast"): a same-day-type profile corrected by a temperature
// regression.
//
// Model, per day type d (weekday Mon–Fri / weekend Sat–Sun, UTC calendar) and slot s of the
// day (interval_minutes wide):   y(d, s) = a(d, s) + b(d, s) · T,
// fitted by ordinary least squares on the training observations of that (d, s). When the
// temperatures of a (d, s) have (almost) no spread (variance < min_temperature_variance) the
// slope is 0 and a is the mean (the plain same-day-type profile).
// The error on held-out days is reported by evaluate(): MAE, RMSE and MAPE (points with
// |y| < 1e-9 are left out of MAPE). Figures on the Low Carbon London dToU aggregate are in
// docs/flexibility-market.md and tests/bids/baseline_forecaster_test.cpp.
//
// Thread safety: immutable after fit(); share freely.

#include <chrono>
#include <span>
#include <vector>

#include "gridke/base/result.hpp"

namespace gridke::services::bids {

using TimePoint = std::chrono::sys_time<std::chrono::milliseconds>;

struct LoadObservation {
  TimePoint time;  ///< start of the interval, UTC
  double temperature_c = 0;
  double kw = 0;  ///< average power over the interval
};

struct ForecastError {
  double mae_kw = 0;
  double rmse_kw = 0;
  double mape_percent = 0;
  std::size_t points = 0;
};

inline constexpr double min_temperature_variance = 1e-6;  ///< °C², below it: no slope

class BaselineForecaster {
 public:
  /// Fits the model. Errors: invalid_argument when interval_minutes does not divide a day,
  /// when an observation is not on the interval grid or not finite (naming its index), or
  /// when a (day type, slot) has no observation (naming it).
  static Result<BaselineForecaster> fit(std::span<const LoadObservation> history,
                                        int interval_minutes);

  /// Forecast for the interval starting at t. REQUIRES: t on the interval grid.
  double forecast(TimePoint t, double temperature_c) const;
  /// Error of forecast() against `held_out`.
  ForecastError evaluate(std::span<const LoadObservation> held_out) const;

  int interval_minutes() const { return interval_minutes_; }
  /// Intercept and slope of (weekend?, slot).
  double intercept(bool weekend, int slot) const { return a_[index(weekend, slot)]; }
  double slope(bool weekend, int slot) const { return b_[index(weekend, slot)]; }

 private:
  BaselineForecaster() = default;
  std::size_t index(bool weekend, int slot) const {
    return static_cast<std::size_t>(weekend) * static_cast<std::size_t>(slots_) +
           static_cast<std::size_t>(slot);
  }
  int interval_minutes_ = 15;
  int slots_ = 96;
  std::vector<double> a_;
  std::vector<double> b_;
};

/// Whether t falls on a Saturday or Sunday (UTC).
bool is_weekend(TimePoint t);

}  // namespace gridke::services::bids
