#pragma once
// Downstream verification and settlement of one activation (D4.3 §3.2.4): delivered flexibility
// per participant and interval = baseline (from the FSP) − metered consumption (direction
// down) or metered − baseline (up); summed over participants per interval; compared with the
// contracted power over the activation's intervals.
//
//   delivered_kwh = sum_k delivered_kw[k] * dt_h
//   contracted_kwh = power_kw * (end − start)_h
//   settled_kwh = clamp(delivered_kwh, 0, contracted_kwh)
//   penalty_eur = penalty_factor * price * max(0, contracted − delivered)_kWh / 1000
//   amount_eur = settled_kwh * price / 1000 − penalty_eur
//
// Thread safety: pure function.

#include <span>

#include "gridke/base/result.hpp"
#include "gridke/services/flexibility_market/model.hpp"

namespace gridke::services::flexibility_market {

struct VerificationOptions {
  Duration interval{std::chrono::minutes(15)};
  double penalty_factor = 0;  ///< share of the price charged per undelivered kWh
};

/// Errors: invalid_argument when a participant has no baseline or no metering, when the
/// series lengths differ from the activation's interval count (names participant, lengths),
/// or when a value is not finite (names participant and index).
Result<Verification> verify_activation(const Activation& activation,
                                       std::span<const ParticipantSeries> baselines,
                                       std::span<const ParticipantSeries> metered,
                                       const VerificationOptions& options = {});

}  // namespace gridke::services::flexibility_market
