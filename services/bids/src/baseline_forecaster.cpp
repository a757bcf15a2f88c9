#include "gridke/services/bids/baseline_forecaster.hpp"

#include <cmath>
#include <string>

namespace gridke::services::bids {

bool is_weekend(TimePoint t) {
  const std::chrono::weekday wd{std::chrono::floor<std::chrono::days>(t)};
  return wd == std::chrono::Saturday || wd == std::chrono::Sunday;
}

namespace {

int slot_of(TimePoint t, int interval_minutes) {
  const auto since = t - std::chrono::floor<std::chrono::days>(t);
  return static_cast<int>(std::chrono::duration_cast<std::chrono::minutes>(since).count() /
                          interval_minutes);
}

bool on_grid(TimePoint t, int interval_minutes) {
  return (t.time_since_epoch().count() % (static_cast<long long>(interval_minutes) * 60000)) == 0;
}

}  // namespace

Result<BaselineForecaster> BaselineForecaster::fit(std::span<const LoadObservation> history,
                                                   int interval_minutes) {
  if (interval_minutes <= 0 || 1440 % interval_minutes != 0) {
    return invalid_argument("interval_minutes: must divide 1440, got " +
                            std::to_string(interval_minutes));
  }
  BaselineForecaster m;
  m.interval_minutes_ = interval_minutes;
  m.slots_ = 1440 / interval_minutes;
  const std::size_t cells = 2 * static_cast<std::size_t>(m.slots_);
  // Sufficient statistics per cell: n, sum T, sum y, sum T², sum T y.
  std::vector<double> n(cells), st(cells), sy(cells), stt(cells), sty(cells);
  for (std::size_t i = 0; i < history.size(); ++i) {
    const auto& o = history[i];
    if (!on_grid(o.time, interval_minutes)) {
      return invalid_argument("history[" + std::to_string(i) + "]: time is not on the " +
                              std::to_string(interval_minutes) + "-minute grid");
    }
    if (!std::isfinite(o.kw) || !std::isfinite(o.temperature_c)) {
      return invalid_argument("history[" + std::to_string(i) + "]: value is not finite");
    }
    const std::size_t c = m.index(is_weekend(o.time), slot_of(o.time, interval_minutes));
    n[c] += 1;
    st[c] += o.temperature_c;
    sy[c] += o.kw;
    stt[c] += o.temperature_c * o.temperature_c;
    sty[c] += o.temperature_c * o.kw;
  }
  m.a_.assign(cells, 0.0);
  m.b_.assign(cells, 0.0);
  for (std::size_t c = 0; c < cells; ++c) {
    if (n[c] == 0) {
      const bool weekend = c >= static_cast<std::size_t>(m.slots_);
      const int slot = static_cast<int>(c % static_cast<std::size_t>(m.slots_));
      return invalid_argument(std::string("history: no ") + (weekend ? "weekend" : "weekday") +
                              " observation for slot " + std::to_string(slot) + " (" +
                              std::to_string(slot * interval_minutes / 60) + ":" +
                              std::to_string(slot * interval_minutes % 60) + ")");
    }
    const double mt = st[c] / n[c], my = sy[c] / n[c];
    const double var = stt[c] / n[c] - mt * mt;
    const double cov = sty[c] / n[c] - mt * my;
    m.b_[c] = var > min_temperature_variance ? cov / var : 0.0;
    m.a_[c] = my - m.b_[c] * mt;
  }
  return m;
}

double BaselineForecaster::forecast(TimePoint t, double temperature_c) const {
  const std::size_t c = index(is_weekend(t), slot_of(t, interval_minutes_));
  return a_[c] + b_[c] * temperature_c;
}

ForecastError BaselineForecaster::evaluate(std::span<const LoadObservation> held_out) const {
  ForecastError e;
  double abs_sum = 0, sq_sum = 0, pct_sum = 0;
  std::size_t pct_points = 0;
  for (const auto& o : held_out) {
    const double err = forecast(o.time, o.temperature_c) - o.kw;
    abs_sum += std::abs(err);
    sq_sum += err * err;
    if (std::abs(o.kw) > 1e-9) {
      pct_sum += std::abs(err / o.kw);
      ++pct_points;
    }
  }
  e.points = held_out.size();
  if (e.points) {
    e.mae_kw = abs_sum / static_cast<double>(e.points);
    e.rmse_kw = std::sqrt(sq_sum / static_cast<double>(e.points));
  }
  if (pct_points) e.mape_percent = 100.0 * pct_sum / static_cast<double>(pct_points);
  return e;
}

}  // namespace gridke::services::bids
