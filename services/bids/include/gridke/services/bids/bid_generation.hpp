#pragma once
// Flexibility bid generation of an aggregator (InterConnect D4.3 §4.2.1, Figure 30; algorithm
// formalised in ../shared/reference-data/NOTES.md §4.2): per bid period and direction,
//   1. available flexibility F_u,p of every unit (asset or sub-aggregation): the smallest
//      forecast flexibility over the period's intervals (power that can be held all period);
//   2. reserve rule: none; fixed % (every unit scaled by 1 − r, so R = r · sum F); n−y (the y
//      units with the largest F_u,p are withheld; ties: smaller id withheld first);
//   3. merit order: price ascending, then larger F, then id (deterministic);
//   4. blocks (bid size B, market limits B_min <= B <= B_max): units accumulate in merit order
//      and a block is emitted once it reaches B. A unit is kept whole in one block when it fits
//      (block <= B_max); when it does not fit, the current block is emitted if it has reached
//      B_min, otherwise the unit is split to fill the block to B (split bids, as Piclo Flex).
//      A last block below B_min is dropped or merged into the previous block of the same
//      period and direction if the result stays <= B_max (LeftoverPolicy);
//   5. block price: energy-weighted average sum(F c)/sum(F), min or max of the member prices.
// Invariants (property-tested in tests/bids): total offered <= sum F − R; every block within
// [min_block_kw, max_block_kw]; block prices non-decreasing in bid order; n−y withholds exactly
// min(y, units with F > 0) units; the result does not depend on the input order of units.
// Cost: one O(U log U) sort per direction; O(U) per period (prices are per unit).
//
// Thread safety: pure function.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "gridke/base/result.hpp"

namespace gridke::services::bids {

/// The flexibility market's convention (services/flexibility_market/model.hpp): `down` = less
/// consumption (or more generation) than the baseline, `up` = more consumption.
enum class FlexDirection : std::uint8_t { up, down };

/// The flexibility forecast of one unit: available power per forecast interval and direction,
/// with marginal costs (D4.3 Figure 29 stream 3).
struct UnitFlexibility {
  std::string id;
  std::vector<double> up_kw;    ///< per interval, >= 0
  std::vector<double> down_kw;  ///< per interval, >= 0
  double up_price_eur_per_mwh = 0;
  double down_price_eur_per_mwh = 0;
};

enum class ReserveRule : std::uint8_t { none, fixed_percent, n_minus_y };
enum class LeftoverPolicy : std::uint8_t { drop, merge_into_previous };
enum class PriceRule : std::uint8_t { weighted_average, min, max };

struct BidRules {
  int intervals_per_period = 4;  ///< bid period in forecast intervals (4 × 15 min = 1 h)
  ReserveRule reserve = ReserveRule::none;
  double reserve_percent = 0;  ///< fixed_percent: r in [0, 100)
  int reserve_units = 0;       ///< n_minus_y: y >= 0
  double min_block_kw = 0;     ///< B_min, market minimum
  double max_block_kw = 1000;  ///< B_max, market maximum
  double block_size_kw = 0;    ///< B, the bid size aimed at; 0 = max_block_kw
  LeftoverPolicy leftover = LeftoverPolicy::drop;
  PriceRule price_rule = PriceRule::max;
};

struct BlockMember {
  std::uint32_t unit = 0;  ///< index into the units passed in
  double kw = 0;
};

struct Bid {
  int period = 0;
  FlexDirection direction = FlexDirection::up;
  double power_kw = 0;
  double price_eur_per_mwh = 0;
  std::uint32_t first_member = 0;  ///< into BidSet::members
  std::uint32_t member_count = 0;
};

/// Book-keeping per (period, direction), index period * 2 + direction.
struct PeriodSummary {
  double available_kw = 0;  ///< sum F
  double reserved_kw = 0;   ///< R
  double offered_kw = 0;    ///< in bids
  double dropped_kw = 0;    ///< leftover below the minimum block, dropped
  int withheld_units = 0;   ///< n−y
};

struct BidSet {
  std::vector<Bid> bids;  ///< by period, direction, then merit order
  std::vector<BlockMember> members;
  std::vector<PeriodSummary> summary;
  int periods = 0;
};

/// Errors: invalid_argument for bad rules (naming the field and value), no units, duplicate
/// or empty unit ids, series of different lengths or not a whole number of periods, negative
/// or non-finite values (naming the unit and interval).
Result<BidSet> generate_bids(std::span<const UnitFlexibility> units, const BidRules& rules);

}  // namespace gridke::services::bids
