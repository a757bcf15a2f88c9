#pragma once
// Ground truth for the Sensitivities Engine (issue 6 "Validation against ground truth", NOTES
// §1.4): simulate smart-meter history on a real feeder with the grid library's unbalanced power
// flow, corrupt it like real meters (noise, gaps, spikes), estimate, and compare with the exact
// sensitivities of the power flow at the mean operating point:
//   S_true(i, j) = -(dV_i/dP_j + tan(phi_j) dV_i/dQ_j)   (V per kW consumed at constant PF)
// where for a three-phase load P_j is split equally over its phases (the column is the mean of
// the per-phase columns) and meter i reads the first phase of its load.
//
// Load model per customer j and step t (15 min by default): P_j(t) = base_j × daily shape(t) ×
// exp(0.5 AR_j(t)), AR(1) with coefficient 0.8 and unit stationary variance 1 (log-normal
// fluctuation), constant power factor 0.95 lagging; base_j = the load's nominal kW × a factor in
// [0.6, 1.4] (so customers differ) × `load_scale`. Deterministic for a given seed.
//
// Thread safety: pure functions over their inputs. Ownership: results by value.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "gridke/base/result.hpp"
#include "gridke/services/grid/model/network.hpp"
#include "gridke/services/sensitivities/sensitivity_estimator.hpp"

namespace gridke::services::sensitivities::validation {

struct SimulationOptions {
  int days = 90;
  std::int64_t step_s = 900;
  std::int64_t start_s = 1'600'041'600;  ///< 2020-09-14T00:00:00Z, a multiple of step_s
  double load_scale = 1.0;               ///< multiplies every load's nominal kW
  double tan_phi = 0.3287;               ///< power factor 0.95 lagging
  unsigned seed = 11;
};

/// Exact meter data and the true sensitivities of one feeder.
struct FeederTruth {
  std::string feeder;
  GridRegistration grid;               ///< one regular meter per load (meter id = load id)
  std::vector<std::vector<double>> v;  ///< [meter][step], V, exact
  std::vector<std::vector<double>> p;  ///< [meter][step], kW consumed
  Eigen::MatrixXd s_true;              ///< V per kW consumed
  std::int64_t start_s = 0;            ///< time of step 0
  std::int64_t step_s = 900;
  int power_flow_iterations = 0;  ///< over the whole series
  double power_flow_seconds = 0;
};

/// Simulates the series. `progress(done, total)` is called every 500 steps when set.
/// Errors: invalid_argument (no loads, days < 1, step not dividing a day); those of
/// grid::PowerFlow (numerical naming the step that failed).
Result<FeederTruth> simulate_feeder(const grid::Network& network, const SimulationOptions& options,
                                    const std::function<void(int, int)>& progress = {});

/// How meters corrupt the truth (NOTES §1.4 step 5).
struct NoiseScenario {
  std::string name;
  double sigma_v = 0;     ///< Gaussian voltage noise, V
  double sigma_p = 0;     ///< relative Gaussian power noise (0.01 = 1 %)
  double gap_rate = 0;    ///< share of records missing, independently per meter
  double spike_rate = 0;  ///< share of voltage records with a ±20 V spike
};

/// The truth with the scenario's noise, gaps and spikes; the first and last record of every
/// meter are kept (so every meter spans the whole period).
HistoricalData corrupt(const FeederTruth& truth, const NoiseScenario& scenario, unsigned seed);

struct ScenarioResult {
  std::string feeder;
  std::string scenario;
  int meters = 0;
  int samples = 0;                ///< steps per meter before gaps
  double frobenius_relative = 0;  ///< ||S_est - S_true||_F / ||S_true||_F
  double worst_diagonal_relative = 0;
  double median_diagonal_relative = 0;
  int diagonal_signs_right = 0;            ///< of `meters`
  double off_diagonal_sign_agreement = 0;  ///< share of off-diagonal signs equal to the truth
  double true_diagonal_min = 0;            ///< V/kW (most negative)
  double true_diagonal_max = 0;
  double fit_seconds = 0;
  DataQuality quality;
};

/// Corrupts, estimates (source-referenced) and compares. Errors: those of
/// estimate_sensitivities; internal if the estimate's meters differ from the truth's.
Result<ScenarioResult> evaluate(const FeederTruth& truth, const NoiseScenario& scenario,
                                const EstimatorOptions& estimator, unsigned seed);

}  // namespace gridke::services::sensitivities::validation
