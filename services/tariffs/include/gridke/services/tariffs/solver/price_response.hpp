#pragma once
// The lowest price that keeps one interval's demand at or below its target (NOTES §5.2, D4.3 §4.3
// "the lowest tariff that would cause the controllable plus baseline demand to be just lower than
// network capacity").
//
// One interval: baseline B (inflexible, kW), controllable demand D0 at the reference price p0
// (kW), target T = capacity - margin (kW). The controllable demand at price p is D0 f(p), with f
// non-increasing and f(p0) = 1 for the models below:
//   constant elasticity  f(p) = (p / p0)^eps, eps < 0
//       closed form  p* = p0 ((T - B) / D0)^(1 / eps)
//   linear elasticity    f(p) = max(0, 1 + eps (p - p0) / p0), eps < 0
//       closed form  p* = p0 (1 + ((T - B) / D0 - 1) / eps)
//   any monotone response f (a std::function): bracketing root search of B + D0 f(p) - T on
//       [floor, cap] (safeguarded Illinois / regula falsi, falling back to bisection when the
//       bracket does not halve), keeping the feasible end, until the bracket is narrower than
//       bounds.tolerance (default kPriceRelativeTolerance * cap).
// The answer is clamped to [floor, cap]:
//   B >= T                        baseline_over_capacity, price = cap (nothing can help)
//   B + D0 f(floor) <= T          at_floor, price = floor (no congestion)
//   B + D0 f(cap) > T             insufficient_flexibility, price = cap
//   otherwise                     binding, B + D0 f(p*) = T
// Discrete tiers: the cheapest tier price q with B + D0 f(q) <= T (NOTES §5.2), else the most
// expensive tier with the flag above.
//
// Thread safety: pure functions; a MonotoneResponse's curve must be safe to call concurrently if
// solutions run concurrently. Ownership: values.

#include <cstdint>
#include <functional>
#include <span>
#include <string_view>
#include <variant>

#include "gridke/base/result.hpp"

namespace gridke::services::tariffs::solver {

/// The bracketing search stops when the bracket is narrower than this fraction of the price cap.
inline constexpr double kPriceRelativeTolerance = 1e-13;
/// The bracketing search gives up after this many steps (each forced bisection halves the
/// bracket; 2^-100 x cap is far below double resolution).
inline constexpr int kMaxBisectionSteps = 200;

/// Remaining fraction of the controllable demand at a price (relative to the reference price).
using ResponseCurve = std::function<double(double price)>;

struct ConstantElasticity {
  double elasticity = -0.3;  ///< d ln D / d ln p, < 0
};
struct LinearElasticity {
  double elasticity = -0.3;  ///< slope of D/D0 against p/p0, < 0
};
/// Any non-increasing response, solved by bisection.
struct MonotoneResponse {
  ResponseCurve curve;
};
using PriceResponse = std::variant<ConstantElasticity, LinearElasticity, MonotoneResponse>;

/// Price range of the continuous tariff, currency per kWh.
struct PriceBounds {
  double reference = 0.0;  ///< p0: the price at which the controllable demand was forecast
  double floor = 0.0;      ///< lowest price published (often p0)
  double cap = 0.0;        ///< highest price published
  /// Bisection bracket width at which to stop; 0 means kPriceRelativeTolerance x cap. Published
  /// prices need far less than the default (e.g. 1e-6 per kWh halves the curve evaluations).
  double tolerance = 0.0;
};

/// One quarter hour of one zone.
struct IntervalLoad {
  double baseline_kw = 0.0;
  double controllable_kw = 0.0;  ///< D0, at the reference price
  double target_kw = 0.0;        ///< capacity minus margin
};

enum class PriceStatus : std::uint8_t {
  at_floor,                  ///< no congestion at the lowest price
  binding,                   ///< price chosen so that demand equals the target
  insufficient_flexibility,  ///< even the cap leaves demand above the target
  baseline_over_capacity,    ///< the baseline alone reaches the target
};

std::string_view to_string(PriceStatus status) noexcept;

struct PriceSolution {
  double price = 0.0;            ///< per kWh
  double controllable_kw = 0.0;  ///< D0 f(price)
  PriceStatus status = PriceStatus::at_floor;
};

/// f(price) of a response model. REQUIRES: validate_response() succeeded; price > 0 for
/// ConstantElasticity.
double remaining_fraction(const PriceResponse& response, double reference_price, double price);

/// Checks a model and bounds. Errors (invalid_argument, naming the value): elasticity not < 0 or
/// not finite; empty curve; reference <= 0; floor < 0 (or <= 0 with constant elasticity);
/// cap < floor; non-finite bounds; tolerance < 0.
Result<void> validate_response(const PriceResponse& response, const PriceBounds& bounds);

/// Lowest price in [floor, cap] with B + D0 f(p) <= T, see the header comment.
/// REQUIRES: validate_response() succeeded; load values finite, controllable_kw >= 0.
/// Errors: numerical when a MonotoneResponse curve returns a non-finite or negative value or is
/// found increasing between two sampled prices (names the prices and values; a rise between
/// samples goes unnoticed: monotonicity is the caller's precondition).
Result<PriceSolution> lowest_price(const IntervalLoad& load, const PriceResponse& response,
                                   const PriceBounds& bounds);

/// Bracketing root search for any response (used by lowest_price for MonotoneResponse; exposed for
/// tests that check the closed forms against it).
Result<PriceSolution> bisect_price(const IntervalLoad& load, const ResponseCurve& curve,
                                   const PriceBounds& bounds);

/// Cheapest tier price (ascending, non-negative) that keeps B + D0 f(q) <= T.
/// REQUIRES: validate_response() succeeded; tiers non-empty, ascending, > 0 with constant
/// elasticity. Errors: numerical as lowest_price.
Result<PriceSolution> lowest_tier(const IntervalLoad& load, const PriceResponse& response,
                                  double reference_price, std::span<const double> tier_prices);

}  // namespace gridke::services::tariffs::solver
