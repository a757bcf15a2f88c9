#include "gridke/services/tariffs/capacity_tariff.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace gridke::services::tariffs {
namespace {

using solver::IntervalLoad;
using solver::PriceSolution;
using solver::PriceStatus;

Error bad_config(const char* field, double value, const char* rule) {
  std::ostringstream m;
  m << "capacity tariff config: " << field << ' ' << value << ' ' << rule;
  return invalid_argument(m.str());
}

Result<void> check_series(const ZoneForecast& f) {
  const std::size_t n = f.baseline_kw.size();
  if (n == 0) return invalid_argument("zone '" + f.zone + "': forecast has no intervals");
  if (f.controllable_kw.size() != n || f.capacity_kw.size() != n) {
    return invalid_argument("zone '" + f.zone + "': series lengths differ (baseline " +
                            std::to_string(n) + ", controllable " +
                            std::to_string(f.controllable_kw.size()) + ", capacity " +
                            std::to_string(f.capacity_kw.size()) + ")");
  }
  const auto check = [&](const std::vector<double>& v, const char* name,
                         bool positive) -> Result<void> {
    for (std::size_t t = 0; t < n; ++t) {
      if (!std::isfinite(v[t]) || v[t] < 0.0 || (positive && v[t] == 0.0)) {
        std::ostringstream m;
        m << "zone '" << f.zone << "': " << name << '[' << t << "] = " << v[t] << " must be "
          << (positive ? "finite and > 0" : "finite and >= 0");
        return invalid_argument(m.str());
      }
    }
    return ok();
  };
  GRIDKE_TRY(check(f.baseline_kw, "baseline_kw", false));
  GRIDKE_TRY(check(f.controllable_kw, "controllable_kw", false));
  GRIDKE_TRY(check(f.capacity_kw, "capacity_kw", true));
  return ok();
}

Result<void> check_tiers(const std::vector<double>& tiers, bool constant) {
  for (std::size_t i = 0; i < tiers.size(); ++i) {
    const double q = tiers[i];
    if (!std::isfinite(q) || q < 0.0 || (constant && q == 0.0)) {
      std::ostringstream m;
      m << "capacity tariff config: tier price " << i << " = " << q << " must be finite and "
        << (constant ? "> 0 with a constant-elasticity response" : ">= 0");
      return invalid_argument(m.str());
    }
    if (i > 0 && q <= tiers[i - 1]) {
      std::ostringstream m;
      m << "capacity tariff config: tier prices must be strictly ascending, but tier " << i << " = "
        << q << " follows " << tiers[i - 1];
      return invalid_argument(m.str());
    }
  }
  return ok();
}

}  // namespace

std::vector<std::size_t> ZoneTariff::baseline_over_capacity() const {
  std::vector<std::size_t> out;
  for (std::size_t t = 0; t < status.size(); ++t) {
    if (status[t] == PriceStatus::baseline_over_capacity) out.push_back(t);
  }
  return out;
}

Result<CapacityTariffCalculator> CapacityTariffCalculator::create(CapacityTariffConfig config) {
  const bool constant = std::holds_alternative<solver::ConstantElasticity>(config.response);
  if (config.tier_prices.empty()) {
    GRIDKE_TRY(solver::validate_response(config.response, config.bounds));
  } else {
    // Tiers replace floor and cap; the reference price still anchors the response model.
    solver::PriceBounds tier_bounds{config.bounds.reference, config.tier_prices.front(),
                                    config.tier_prices.back()};
    GRIDKE_TRY(check_tiers(config.tier_prices, constant));
    GRIDKE_TRY(solver::validate_response(config.response, tier_bounds));
  }
  if (!std::isfinite(config.margin_kw) || config.margin_kw < 0.0) {
    return bad_config("margin_kw", config.margin_kw, "must be finite and >= 0");
  }
  if (!(config.margin_fraction >= 0.0 && config.margin_fraction < 1.0)) {
    return bad_config("margin_fraction", config.margin_fraction, "must be in [0, 1)");
  }
  if (!(config.shift_fraction >= 0.0 && config.shift_fraction <= 1.0)) {
    return bad_config("shift_fraction", config.shift_fraction, "must be in [0, 1]");
  }
  if (!(config.damping > 0.0 && config.damping <= 1.0)) {
    return bad_config("damping", config.damping, "must be in (0, 1]");
  }
  if (config.max_iterations < 1) {
    return bad_config("max_iterations", config.max_iterations, "must be >= 1");
  }
  CapacityTariffCalculator calculator(std::move(config));
  const auto& c = calculator.config_;
  const double floor = c.tier_prices.empty() ? c.bounds.floor : c.tier_prices.front();
  if (const auto* m = std::get_if<solver::MonotoneResponse>(&c.response)) {
    const double f = m->curve(floor);
    if (!std::isfinite(f) || f < 0.0) {
      std::ostringstream msg;
      msg << "capacity tariff config: response curve returned " << f << " at the floor price "
          << floor;
      return invalid_argument(msg.str());
    }
    calculator.f_floor_ = f;
  } else {
    calculator.f_floor_ = solver::remaining_fraction(c.response, c.bounds.reference, floor);
  }
  return calculator;
}

Result<PriceSolution> CapacityTariffCalculator::solve(const IntervalLoad& load) const {
  // Fast path: an uncongested interval needs no model evaluation beyond the cached f(floor)
  // (curves are deterministic functions of the price, so the cached value is the curve's).
  if (load.baseline_kw < load.target_kw &&
      load.baseline_kw + load.controllable_kw * f_floor_ <= load.target_kw) {
    const double floor =
        config_.tier_prices.empty() ? config_.bounds.floor : config_.tier_prices.front();
    return PriceSolution{floor, load.controllable_kw * f_floor_, PriceStatus::at_floor};
  }
  if (!config_.tier_prices.empty()) {
    return solver::lowest_tier(load, config_.response, config_.bounds.reference,
                               config_.tier_prices);
  }
  return solver::lowest_price(load, config_.response, config_.bounds);
}

double CapacityTariffCalculator::target_kw(const ZoneForecast& f, std::size_t t) const {
  return f.capacity_kw[t] * (1.0 - config_.margin_fraction) - config_.margin_kw;
}

Result<double> CapacityTariffCalculator::price_all(const ZoneForecast& f, ZoneTariff& out) const {
  double removed = 0.0;
  for (std::size_t t = 0; t < f.baseline_kw.size(); ++t) {
    const double reference = f.controllable_kw[t] + out.shifted_in_kw[t];
    auto s = solve({f.baseline_kw[t], reference, target_kw(f, t)});
    if (!s.has_value()) {
      return s.error().with_context("zone '" + f.zone + "', interval " + std::to_string(t));
    }
    out.price_per_kwh[t] = s->price;
    out.demand_kw[t] = f.baseline_kw[t] + s->controllable_kw;
    out.status[t] = s->status;
    removed += std::max(0.0, reference - s->controllable_kw);
  }
  return removed;
}

Result<void> CapacityTariffCalculator::shift_until_stable(const ZoneForecast& f, double removed,
                                                          ZoneTariff& out) const {
  const std::size_t n = f.baseline_kw.size();
  // Headroom weights from the forecast without shifting (header comment, w_t).
  std::vector<double> weight(n, 0.0);
  double total_weight = 0.0;
  if (f_floor_ > 0.0) {
    for (std::size_t t = 0; t < n; ++t) {
      weight[t] =
          std::max(0.0, (target_kw(f, t) - f.baseline_kw[t]) / f_floor_ - f.controllable_kw[t]);
      total_weight += weight[t];
    }
  }
  if (total_weight <= 0.0) return ok();  // nowhere to go: the removed energy is not consumed
  out.converged = false;
  const double lambda = config_.damping;
  while (out.iterations < config_.max_iterations) {
    const double moved = config_.shift_fraction * removed / total_weight;
    double change = 0.0;
    for (std::size_t t = 0; t < n; ++t) {
      const double next = (1.0 - lambda) * out.shifted_in_kw[t] + lambda * moved * weight[t];
      change = std::max(change, std::fabs(next - out.shifted_in_kw[t]));
      out.shifted_in_kw[t] = next;
    }
    GRIDKE_ASSIGN_OR_RETURN(removed, price_all(f, out));
    ++out.iterations;
    if (change <= kShiftToleranceKw) {
      out.converged = true;
      break;
    }
  }
  return ok();
}

Result<void> CapacityTariffCalculator::check_cap(const ZoneForecast& f,
                                                 const ZoneTariff& out) const {
  for (std::size_t t = 0; t < out.status.size(); ++t) {
    const auto st = out.status[t];
    if (st != PriceStatus::at_floor && st != PriceStatus::binding) continue;
    const double limit = target_kw(f, t);
    if (out.demand_kw[t] > limit + kCapCheckRelativeTolerance * std::max(1.0, limit)) {
      std::ostringstream m;
      m << "zone '" << f.zone << "', interval " << t << ": demand " << out.demand_kw[t]
        << " kW exceeds target " << limit << " kW after pricing";
      return internal_error(m.str());
    }
  }
  return ok();
}

Result<void> CapacityTariffCalculator::compute_into(const ZoneForecast& f, ZoneTariff& out) const {
  GRIDKE_TRY(check_series(f));
  const std::size_t n = f.baseline_kw.size();
  out.zone = f.zone;
  out.price_per_kwh.assign(n, 0.0);
  out.demand_kw.assign(n, 0.0);
  out.shifted_in_kw.assign(n, 0.0);
  out.status.assign(n, PriceStatus::at_floor);
  out.converged = true;
  GRIDKE_ASSIGN_OR_RETURN(const double removed, price_all(f, out));
  out.iterations = 1;
  if (config_.shift_fraction > 0.0 && removed > 0.0) {
    GRIDKE_TRY(shift_until_stable(f, removed, out));
  }
  // The cap holds in every interval that is not flagged (a bug otherwise).
  return check_cap(f, out);
}

Result<ZoneTariff> CapacityTariffCalculator::compute(const ZoneForecast& forecast) const {
  ZoneTariff out;
  GRIDKE_TRY(compute_into(forecast, out));
  return out;
}

Result<std::vector<ZoneTariff>> CapacityTariffCalculator::compute_all(
    std::span<const ZoneForecast> forecasts) const {
  std::vector<ZoneTariff> out(forecasts.size());
  for (std::size_t z = 0; z < forecasts.size(); ++z) {
    GRIDKE_TRY(compute_into(forecasts[z], out[z]));
  }
  return out;
}

}  // namespace gridke::services::tariffs
