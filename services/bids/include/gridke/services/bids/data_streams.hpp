#pragma once
// The four data streams an aggregator's SSA exchanges per energy asset or sub-aggregation
// (InterConnect D4.3 §4.2.1, Figure 29):
//   1. active power (measured consumption or generation),
//   2. baseline forecast (expected power without activation),
//   3. flexibility forecast with marginal costs (available up / down power and prices) —
//      UnitFlexibility in bid_generation.hpp,
//   4. control signals (continuous set-points or scheduled activations) — derived here from
//      accepted bids: every member of an accepted block gets a scheduled activation of its
//      share of the block for the block's period.
// Thread safety: plain values and pure functions.

#include <span>
#include <string>
#include <vector>

#include "gridke/base/result.hpp"
#include "gridke/services/bids/baseline_forecaster.hpp"
#include "gridke/services/bids/bid_generation.hpp"

namespace gridke::services::bids {

/// Streams 1 and 2 of one asset over consecutive intervals from `start`.
struct AssetSeries {
  std::string asset_id;
  TimePoint start;
  int interval_minutes = 15;
  std::vector<double> active_power_kw;  ///< stream 1 (measured; may be shorter than baseline)
  std::vector<double> baseline_kw;      ///< stream 2
};

enum class ControlMode : std::uint8_t { continuous, scheduled };

/// Stream 4: a change of the asset's power relative to its baseline over [start, end), in the
/// market's direction convention (bid_generation.hpp).
struct ControlSignal {
  std::string asset_id;
  ControlMode mode = ControlMode::scheduled;
  FlexDirection direction = FlexDirection::up;
  TimePoint start;
  TimePoint end;
  double power_kw = 0;  ///< flexibility to deliver (>= 0)
};

/// Control signals for the accepted bids of `bids` (indices into bids.bids); the bid period p
/// spans [start + p·period, start + (p+1)·period). Shares of one asset in several blocks of
/// the same period and direction are summed. Errors: invalid_argument for an index out of
/// range or period_minutes <= 0.
Result<std::vector<ControlSignal>> control_signals(std::span<const UnitFlexibility> units,
                                                   const BidSet& bids,
                                                   std::span<const std::size_t> accepted,
                                                   TimePoint start, int period_minutes);

/// Target consumption of an asset under a control signal: baseline − power for `down` (less
/// consumption), baseline + power for `up`.
double target_power_kw(double baseline_kw, const ControlSignal& signal);

}  // namespace gridke::services::bids
