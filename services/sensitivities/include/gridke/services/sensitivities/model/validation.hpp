#pragma once
// Validation of a grid registration and of smart-meter history (D4.3 §4.1.3, Table 8) before
// anything is stored or estimated. Every bad row is named (meter id, row index, value); up to
// `kMaxListedProblems` problems are listed in one message, followed by the total count.
//
// Thread safety: free functions on values; reentrant.

#include <cstddef>
#include <cstdint>

#include "gridke/base/result.hpp"
#include "gridke/services/sensitivities/model/meter_data.hpp"

namespace gridke::services::sensitivities {

/// How many individual problems one error message lists before "... and N more".
inline constexpr std::size_t kMaxListedProblems = 20;

/// Dataset-level requirements (D4.3 §4.1.3: "<= 30-min time steps; minimum 3 months", "The
/// service allows for 150 nodes", "no partial data can be used").
struct DataRequirements {
  std::size_t max_regular_meters = 150;
  std::int64_t max_step_s = 30 * 60;
  std::int64_t min_span_s = 90LL * 24 * 3600;  ///< "3 months" read as 90 days
  /// Partial-network check from the substation meters' power (when they report it): the
  /// customers' mean consumption must explain at least this share of the substation's mean
  /// import (losses are a few %; a missing feeder shows up as a large shortfall).
  double min_energy_balance = 0.8;
  /// The balance check runs only when the substation's mean import exceeds this, kW.
  double min_substation_import_kw = 1.0;
};

/// Checks a registration: non-empty network id, at least one regular meter, unique meter ids,
/// phases (substation meters 1..3, regular 0..3), at most 3 substation meters (one per phase),
/// at most max_regular_meters regular meters.
/// Errors: invalid_argument listing every problem.
Result<void> validate_registration(const GridRegistration& grid,
                                   const DataRequirements& requirements = {});

/// Checks one upload row by row against the registration: unknown meter ids, duplicated meter
/// entries, meter kind/phase differing from the registration, non-finite values, duplicate or
/// decreasing timestamps. Errors: invalid_argument listing every bad row.
Result<void> validate_upload(const GridRegistration& grid, const HistoricalData& upload);

/// Checks a complete dataset (all uploads merged) before estimation: every registered meter has
/// data (else "partial network"), nominal time step (most frequent step) <= max_step_s and equal
/// for all meters, coverage (last - first + step) >= min_span_s, and the energy balance against
/// the substation meters.
/// Errors: failed_precondition naming the meters and the limit.
/// REQUIRES: validate_upload() passed for `data`.
Result<void> validate_dataset(const GridRegistration& grid, const HistoricalData& data,
                              const DataRequirements& requirements = {});

/// The most frequent positive step between consecutive timestamps, s (0 with < 2 rows).
std::int64_t nominal_step_s(const MeterHistory& meter);

}  // namespace gridke::services::sensitivities
