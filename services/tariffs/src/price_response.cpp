#include "gridke/services/tariffs/solver/price_response.hpp"

#include <algorithm>
#include <cmath>
#include <optional>
#include <sstream>

namespace gridke::services::tariffs::solver {
namespace {

template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

// Evaluates a user curve and rejects values that are not a demand fraction.
Result<double> evaluate(const ResponseCurve& curve, double price) {
  const double f = curve(price);
  if (!std::isfinite(f) || f < 0.0) {
    std::ostringstream m;
    m.precision(17);
    m << "response curve returned " << f << " at price " << price
      << " (a remaining demand fraction must be finite and >= 0)";
    return numerical(m.str());
  }
  return f;
}

Error increasing(double p_low, double f_low, double p_high, double f_high) {
  std::ostringstream m;
  m.precision(17);
  m << "response curve is not non-increasing: f(" << p_low << ") = " << f_low << " < f(" << p_high
    << ") = " << f_high;
  return numerical(m.str());
}

// Classification shared by all models, given f at floor and cap.
std::optional<PriceSolution> classify(const IntervalLoad& load, const PriceBounds& bounds,
                                      double f_floor, double f_cap) {
  if (load.baseline_kw >= load.target_kw) {
    return PriceSolution{bounds.cap, load.controllable_kw * f_cap,
                         PriceStatus::baseline_over_capacity};
  }
  if (load.baseline_kw + load.controllable_kw * f_floor <= load.target_kw) {
    return PriceSolution{bounds.floor, load.controllable_kw * f_floor, PriceStatus::at_floor};
  }
  if (load.baseline_kw + load.controllable_kw * f_cap > load.target_kw) {
    return PriceSolution{bounds.cap, load.controllable_kw * f_cap,
                         PriceStatus::insufficient_flexibility};
  }
  return std::nullopt;
}

}  // namespace

std::string_view to_string(PriceStatus status) noexcept {
  switch (status) {
    case PriceStatus::at_floor: return "at_floor";
    case PriceStatus::binding: return "binding";
    case PriceStatus::insufficient_flexibility: return "insufficient_flexibility";
    case PriceStatus::baseline_over_capacity: return "baseline_over_capacity";
  }
  return "unknown";
}

double remaining_fraction(const PriceResponse& response, double reference_price, double price) {
  return std::visit(
      Overloaded{
          [&](const ConstantElasticity& m) {
            return std::pow(price / reference_price, m.elasticity);
          },
          [&](const LinearElasticity& m) {
            return std::max(0.0, 1.0 + m.elasticity * (price - reference_price) / reference_price);
          },
          [&](const MonotoneResponse& m) { return m.curve(price); },
      },
      response);
}

Result<void> validate_response(const PriceResponse& response, const PriceBounds& bounds) {
  const auto bad = [](const char* what, double v, const char* rule) {
    std::ostringstream m;
    m << what << ' ' << v << ' ' << rule;
    return invalid_argument(m.str());
  };
  if (!std::isfinite(bounds.reference) || bounds.reference <= 0.0) {
    return bad("reference price", bounds.reference, "must be finite and > 0");
  }
  if (!std::isfinite(bounds.floor) || bounds.floor < 0.0) {
    return bad("price floor", bounds.floor, "must be finite and >= 0");
  }
  if (!std::isfinite(bounds.cap) || bounds.cap < bounds.floor) {
    std::ostringstream m;
    m << "price cap " << bounds.cap << " must be finite and >= the price floor " << bounds.floor;
    return invalid_argument(m.str());
  }
  if (!std::isfinite(bounds.tolerance) || bounds.tolerance < 0.0) {
    return bad("price tolerance", bounds.tolerance, "must be finite and >= 0");
  }
  if (const auto* c = std::get_if<ConstantElasticity>(&response)) {
    if (!std::isfinite(c->elasticity) || c->elasticity >= 0.0) {
      return bad("constant elasticity", c->elasticity, "must be finite and < 0");
    }
    if (bounds.floor <= 0.0) {
      return bad("price floor", bounds.floor, "must be > 0 with a constant-elasticity response");
    }
  } else if (const auto* l = std::get_if<LinearElasticity>(&response)) {
    if (!std::isfinite(l->elasticity) || l->elasticity >= 0.0) {
      return bad("linear elasticity", l->elasticity, "must be finite and < 0");
    }
  } else if (!std::get<MonotoneResponse>(response).curve) {
    return invalid_argument("monotone response has no curve");
  }
  return ok();
}

Result<PriceSolution> bisect_price(const IntervalLoad& load, const ResponseCurve& curve,
                                   const PriceBounds& bounds) {
  GRIDKE_ASSIGN_OR_RETURN(const double f_floor, evaluate(curve, bounds.floor));
  GRIDKE_ASSIGN_OR_RETURN(const double f_cap, evaluate(curve, bounds.cap));
  if (f_cap > f_floor) return increasing(bounds.floor, f_floor, bounds.cap, f_cap);
  if (auto s = classify(load, bounds, f_floor, f_cap)) return *s;
  // Invariant: g(lo) > 0 >= g(hi) with g(p) = B + D0 f(p) - T; f(lo) >= f(hi).
  // Safeguarded Illinois (regula falsi with halving of the stale end's residual): the secant
  // point is kept at least tolerance/2 from both ends, so once it lies that close to the root
  // the next step lands on the other side and closes the bracket; a bisection step is forced
  // whenever two steps have not halved the bracket, so the worst case is about twice plain
  // bisection while smooth curves need 6-10 evaluations instead of ~45.
  double lo = bounds.floor, hi = bounds.cap, f_lo = f_floor, f_hi = f_cap;
  const auto residual = [&](double f) {
    return load.baseline_kw + load.controllable_kw * f - load.target_kw;
  };
  double g_lo = residual(f_lo), g_hi = residual(f_hi);  // Illinois-scaled copies
  const double tolerance =
      bounds.tolerance > 0.0 ? bounds.tolerance : kPriceRelativeTolerance * bounds.cap;
  int last_side = 0;  // -1: lo moved last, +1: hi moved last
  double width_two_steps_ago = hi - lo, width_one_step_ago = hi - lo;
  for (int step = 0; step < kMaxBisectionSteps && hi - lo > tolerance; ++step) {
    const double width = hi - lo;
    double x = lo + 0.5 * width;
    if (step < 2 || width <= 0.5 * width_two_steps_ago) {
      const double denominator = g_lo - g_hi;  // > 0 by the invariant
      if (denominator > 0.0 && std::isfinite(denominator)) {
        const double secant = lo + width * (g_lo / denominator);
        x = std::clamp(secant, lo + 0.5 * tolerance, hi - 0.5 * tolerance);
      }
    }
    width_two_steps_ago = width_one_step_ago;
    width_one_step_ago = width;
    if (x <= lo || x >= hi) x = lo + 0.5 * width;
    if (x <= lo || x >= hi) break;  // bracket at double resolution
    GRIDKE_ASSIGN_OR_RETURN(const double f_x, evaluate(curve, x));
    if (f_x > f_lo) return increasing(lo, f_lo, x, f_x);
    if (f_x < f_hi) return increasing(x, f_x, hi, f_hi);
    const double g_x = residual(f_x);
    if (g_x > 0.0) {
      lo = x;
      f_lo = f_x;
      g_lo = g_x;
      if (last_side == -1) g_hi *= 0.5;
      last_side = -1;
    } else {
      hi = x;
      f_hi = f_x;
      g_hi = g_x;
      if (last_side == 1) g_lo *= 0.5;
      last_side = 1;
    }
  }
  return PriceSolution{hi, load.controllable_kw * f_hi, PriceStatus::binding};
}

Result<PriceSolution> lowest_price(const IntervalLoad& load, const PriceResponse& response,
                                   const PriceBounds& bounds) {
  if (const auto* m = std::get_if<MonotoneResponse>(&response)) {
    return bisect_price(load, m->curve, bounds);
  }
  const double f_floor = remaining_fraction(response, bounds.reference, bounds.floor);
  const double f_cap = remaining_fraction(response, bounds.reference, bounds.cap);
  if (auto s = classify(load, bounds, f_floor, f_cap)) return *s;
  // Binding: D0 > 0 here (else classify() returned at_floor), and (T - B) / D0 lies in
  // [f(cap), f(floor)), so the closed form lands in (floor, cap].
  const double ratio = (load.target_kw - load.baseline_kw) / load.controllable_kw;
  double price = 0.0;
  if (const auto* c = std::get_if<ConstantElasticity>(&response)) {
    price = bounds.reference * std::pow(ratio, 1.0 / c->elasticity);
  } else {
    price =
        bounds.reference * (1.0 + (ratio - 1.0) / std::get<LinearElasticity>(response).elasticity);
  }
  price = std::clamp(price, bounds.floor, bounds.cap);
  return PriceSolution{price, load.target_kw - load.baseline_kw, PriceStatus::binding};
}

Result<PriceSolution> lowest_tier(const IntervalLoad& load, const PriceResponse& response,
                                  double reference_price, std::span<const double> tier_prices) {
  const double top = tier_prices.back();
  double previous_f = 0.0;
  for (std::size_t i = 0; i < tier_prices.size(); ++i) {
    const double q = tier_prices[i];
    double f = 0.0;
    if (const auto* m = std::get_if<MonotoneResponse>(&response)) {
      GRIDKE_ASSIGN_OR_RETURN(f, evaluate(m->curve, q));
      if (i > 0 && f > previous_f) return increasing(tier_prices[i - 1], previous_f, q, f);
    } else {
      f = remaining_fraction(response, reference_price, q);
    }
    previous_f = f;
    const double controllable = load.controllable_kw * f;
    if (load.baseline_kw >= load.target_kw) break;
    if (load.baseline_kw + controllable <= load.target_kw) {
      return PriceSolution{q, controllable, i == 0 ? PriceStatus::at_floor : PriceStatus::binding};
    }
  }
  double f_top = 0.0;
  if (const auto* m = std::get_if<MonotoneResponse>(&response)) {
    GRIDKE_ASSIGN_OR_RETURN(f_top, evaluate(m->curve, top));
  } else {
    f_top = remaining_fraction(response, reference_price, top);
  }
  return PriceSolution{top, load.controllable_kw * f_top,
                       load.baseline_kw >= load.target_kw ? PriceStatus::baseline_over_capacity
                                                          : PriceStatus::insufficient_flexibility};
}

}  // namespace gridke::services::tariffs::solver
