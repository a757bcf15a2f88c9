#pragma once
// The Sensitivities Engine estimator (D4.3 §4.1.3 Output 1; NOTES §1.3): from smart-meter history
// alone, the matrix S with S(i, j) = change of meter i's voltage (V) per +1 kW *consumed* at meter
// j, estimated by regressing voltage changes on power changes of all regular meters.
//
// Pipeline (the one translation step from model/ to solver/):
// 1. Alignment: every meter on one time grid (origin = earliest timestamp, step = the common
//    nominal step); a record off the grid is snapped to the nearest slot. Missing slots stay
//    missing — voltages are never interpolated (interpolation manufactures noise-free pairs).
// 2. Plausibility: voltages outside [kPlausibleLow, kPlausibleHigh] x nominal are dropped as
//    outliers (counted).
// 3. First differences dV(t) = V(t) - V(t-1), dP likewise; a difference exists only when both
//    records exist ("pair-wise completeness").
// 4. Reference removal (ReferenceVoltage): busbar — dV_i minus dV of the substation meter on
//    meter i's phase (registered phase, else the substation phase whose dV correlates most with
//    dV_i); S then excludes the transformer impedance (VoltTune's `V -= V[center]`). source —
//    absolute dV_i; S includes the transformer and the MV source impedance, and upstream MV
//    voltage variation stays in the residual (it is uncorrelated with customer power changes).
// 5. Outliers: robust z-score per difference series, |x - median| > mad_threshold x 1.4826 MAD
//    -> that difference is dropped (NOTES §1.3 step 3). Series with MAD = 0 are not filtered.
// 6. Regressors: regular meters' dP; a meter whose dP has fewer than kMinPairCount samples or
//    no variation (all |dP| <= power_resolution_kw) is not identifiable and is left out (listed
//    in quality.not_identifiable; its column is absent from Output 1).
// 7. Solve (solver/regression.hpp): ols — lambda 0, no refit (equals numpy lstsq on the same
//    matrices when nothing is missing); robust — lambda by GCV and one residual-trimming refit.
//
// Thread safety: pure function on values. Ownership: the result is a value.

#include <cstdint>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "gridke/base/result.hpp"
#include "gridke/services/sensitivities/model/meter_data.hpp"
#include "gridke/services/sensitivities/model/validation.hpp"

namespace gridke::services::sensitivities {

enum class ReferenceVoltage : std::uint8_t { busbar, source };
enum class EstimatorMode : std::uint8_t { ols, robust };

/// "busbar" / "source", "ols" / "robust".
const char* to_string(ReferenceVoltage reference) noexcept;
const char* to_string(EstimatorMode mode) noexcept;

/// Voltages outside [low, high] x nominal are measurement errors, not grid states.
inline constexpr double kPlausibleLow = 0.5;
inline constexpr double kPlausibleHigh = 1.5;

struct EstimatorOptions {
  EstimatorMode mode = EstimatorMode::robust;
  ReferenceVoltage reference = ReferenceVoltage::source;
  double mad_threshold = 5.0;         ///< robust z-score beyond which a difference is dropped
  double power_resolution_kw = 1e-6;  ///< |dP| at or below this carries no information
  double nominal_v = 230.0;           ///< for the plausibility check
  int robust_iterations = 1;          ///< residual-trimming refits in robust mode
  double trim_threshold = 5.0;        ///< residual robust z-score trimmed in robust mode
  DataRequirements requirements;
};

/// Data-quality counts reported beside the matrix.
struct DataQuality {
  std::int64_t step_s = 0;                    ///< common time step
  std::int64_t slots = 0;                     ///< slots on the time grid
  std::int64_t records = 0;                   ///< records received (all meters)
  std::int64_t missing_records = 0;           ///< grid slots without a record (all meters)
  std::int64_t implausible_voltages = 0;      ///< dropped by the plausibility check
  std::int64_t snapped_timestamps = 0;        ///< records moved to the nearest grid slot
  std::int64_t voltage_outliers = 0;          ///< voltage differences dropped by the MAD filter
  std::int64_t power_outliers = 0;            ///< power differences dropped by the MAD filter
  std::int64_t residual_outliers = 0;         ///< rows trimmed by the robust refit (all targets)
  std::vector<std::string> not_identifiable;  ///< meters left out of the regressors
};

/// Output 1 with its uncertainty. Rows = voltage_meters, columns = injection_meters.
struct SensitivityMatrix {
  std::string network_id;
  std::int64_t start_time_s = 0;  ///< first record used
  std::int64_t end_time_s = 0;    ///< last record used
  ReferenceVoltage reference = ReferenceVoltage::source;
  EstimatorMode mode = EstimatorMode::robust;
  std::vector<std::string> voltage_meters;
  std::vector<std::string> injection_meters;
  Eigen::MatrixXd sensitivity_v_per_kw;  ///< S(i, j), V per kW consumed
  Eigen::MatrixXd standard_error_v_per_kw;
  std::vector<double> r_squared;         ///< per voltage meter
  std::vector<double> residual_sigma_v;  ///< per voltage meter
  std::vector<double> samples;           ///< difference samples used per voltage meter
  double lambda = 0;                     ///< ridge parameter used (units of kW^2 per step)
  double condition_number = 0;           ///< of the averaged normal matrix (1-norm estimate)
  DataQuality quality;
};

/// Validates (validate_registration, validate_upload, validate_dataset) and estimates.
/// Errors: invalid_argument / failed_precondition from validation (busbar reference without a
/// substation meter is failed_precondition); numerical from the solver with the meter named.
Result<SensitivityMatrix> estimate_sensitivities(const GridRegistration& grid,
                                                 const HistoricalData& data,
                                                 const EstimatorOptions& options = {});

}  // namespace gridke::services::sensitivities
