#pragma once
// Least-cost selection of flexibility offers per grid zone and interval (D4.3 §3.2.2 B, §4.4
// step (3) "activation plan").
//
// Problem, per need n (zone z, direction d, interval [s, e), power N kW): choose powers x_o for
// the eligible offers o (same zone and direction, interval covering [s, e), state active, not
// suspended at s) with x_o = 0 or min_o <= x_o <= max_o (an indivisible offer has
// min_o = max_o), minimising sum price_o * x_o subject to sum x_o >= N. An offer's power can be
// used once per interval: needs of the same zone, direction and interval share it.
//
// Algorithm (O(n log n) per zone for the sort, O(n) per need): offers in merit order (price
// ascending, then larger quantity, then offer id — deterministic). Walking the order with the
// remaining need R: an offer with max_o <= R is taken whole; a divisible offer with
// min_o <= R < max_o closes the need at R (optimal: every later offer costs at least as much
// per kW). An offer that would over-cover (min_o > R) is a candidate *completion*, recorded
// with its cost, and the walk continues without it. The cheapest covering alternative — the
// completions and the walk itself — wins. With only divisible offers this is the exact LP
// optimum (the fractional knapsack); with indivisible offers it is a heuristic that is never
// worse than plain greedy and is tested against brute force on small cases.
// When the offers cannot cover N, all eligible power is taken and the rest is reported as
// uncovered.
//
// Thread safety: pure function.

#include <span>
#include <string>
#include <vector>

#include "gridke/services/flexibility_market/model.hpp"

namespace gridke::services::flexibility_market {

struct Award {
  std::string request_id;
  std::string offer_id;
  double power_kw = 0;
  double cost_eur = 0;  ///< power × duration × price
};

struct UncoveredNeed {
  std::string request_id;
  std::string zone;
  TimePoint start;
  double missing_kw = 0;
};

struct Selection {
  std::vector<Award> awards;
  std::vector<UncoveredNeed> uncovered;
  double total_cost_eur = 0;
};

/// Tolerance for "covered", kW.
inline constexpr double coverage_tolerance_kw = 1e-6;

/// Selects offers for `needs`. Offers in any state other than active, or suspended over the
/// need's start, are ignored.
Selection select_offers(std::span<const FlexibilityNeed> needs,
                        std::span<const FlexibilityOffer> offers);

}  // namespace gridke::services::flexibility_market
