#pragma once
// The flexibility-response model (D4.3 §4.1.2; NOTES §3.2): per customer c and per slot h of the
// typical day (slot_minutes, default 60 = D4.3's 24-h series), on the rows of the analysis window
//
//   y_{c,d,h} = b0 + b_T T_{d,h} [+ b_in Tin_{d,h}] [+ b_occ Occ_{d,h}] + sum_k b_k 1[level k at
//   (d,h)] + e
//
// y = consumption in kW (kWh per interval / interval length in h; W and Wh / 1000), T = outside
// temperature (Henley & Peirson 1998: the response depends on temperature), the optional regressors
// when the dataset has them, one dummy per signal level k seen in that slot (levels never seen in
// a slot are not estimated there). Baseline = all dummies 0 (D4.3: "periods without signals").
// Fitted by solver::fit_ols (QR; statsmodels-equivalent inference).
//
// Outputs (D4.3 "the model is run and provides"):
//  1. expected power per slot at the reference conditions x0 (outside temperature = the slot's
//     mean over the window unless `reference_temperature_c` is set; optional regressors at their
//     slot means): baseline yhat_D = x0' b, level k yhat_k = yhat_D + b_k, each with the
//     prediction interval of level `confidence_level` (statsmodels obs_ci_*), and the flexibility
//     b_k = yhat_k - yhat_D with its standard error, t statistic and two-sided p-value;
//  2. ranking per slot and level across customers, 0-100 %: customers sorted by the response in
//     the expected direction d_k b_k (kW); percent = 100 * rank / (N - 1), rank 0 = smallest,
//     ties share their mean rank, N = 1 gives 100;
//  3. reliability per slot and level = the probability that the customer responds in the expected
//     direction, by one of two methods (AnalysisOptions::reliability_method):
//     model (default): P(d_k beta_k > 0) = F_t(d_k b_k / se_k; df)  (NOTES §3.2 (a), one-sided t);
//     empirical (NOTES §3.2 (b)): the fraction of the slot's signalled intervals of level k (rows
//       of the window with that level) on which the customer moved away from its own baseline
//       prediction in the expected direction by more than a threshold:
//         responded_i = d_k (y_i - yhat_D,i) > threshold_i,   yhat_D,i = x_i' b with every signal
//         dummy 0 (the row's own temperature and optional regressors);
//       threshold_i = empirical_threshold_kw when set, else the half-width of the baseline's
//       prediction interval at x_i, q sqrt(x_i' Cov x_i + sigma^2) (i.e. y_i below the lower
//       bound of the baseline for a reduction); reliability = responded / signalled intervals.
// Groups (Dataset::groups): each group is modelled like a customer on its averaged series: at each
// timestamp of the window where EVERY member has a row and all members carry the same signal
// state (the same level, or baseline), y = the mean of the members' consumption in kW and the
// regressors are the members' means; other timestamps are skipped and counted. Groups are
// ranked among groups (not among customers).
// Expected direction d_k (+1 = consume more, -1 = consume less): with a baseline signal value v0,
//   cost, CO2: d_k = -sign(level_k - v0);  renewable %: +sign(level_k - v0);  power limit:
//   +sign(level_k - v0) (a lower limit means less); without v0 (baseline = no signal):
//   cost, CO2, power limit -1, renewable % +1.
//
// Thread safety: pure functions (analyse may start `threads` workers of its own and joins them
// before returning). Ownership: results are values.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gridke/base/result.hpp"
#include "gridke/services/flexibility_response/model/dataset.hpp"
#include "gridke/services/flexibility_response/solver/ols.hpp"

namespace gridke::services::flexibility_response {

/// How LevelResult::reliability is computed (see the header comment).
enum class ReliabilityMethod { model, empirical };
std::string_view to_string(ReliabilityMethod method);
/// "model" or "empirical"; nullopt otherwise.
std::optional<ReliabilityMethod> parse_reliability_method(std::string_view text);

struct AnalysisOptions {
  int slot_minutes = 60;           ///< slot length of the typical day; divides 1440, >= time step
  double confidence_level = 0.95;  ///< of the prediction intervals (bounds of expected power)
  std::optional<double> reference_temperature_c;  ///< nullopt = the slot's mean temperature
  bool use_indoor_temperature = true;             ///< when the dataset has it
  bool use_occupancy = true;                      ///< when the dataset has it
  ReliabilityMethod reliability_method = ReliabilityMethod::model;
  /// Empirical method: the response (kW) an interval must exceed; nullopt = the baseline's
  /// prediction-interval half-width at that interval. Must be finite and >= 0.
  std::optional<double> empirical_threshold_kw;
  int threads = 1;  ///< worker threads over customers (results do not depend on it)
  /// Called after each customer with (customers done, customers in total), from the worker
  /// threads (so it must be thread-safe); empty = no reports.
  std::function<void(std::size_t, std::size_t)> progress;
};

/// One signal level in one slot of one customer.
struct LevelResult {
  bool estimated = false;  ///< false when the level never occurs in this slot
  std::int64_t observations = 0;
  double expected_direction = -1.0;  ///< d_k
  double flexibility_kw = 0.0;       ///< b_k = yhat_k - yhat_D
  double flexibility_se_kw = 0.0;
  double t_statistic = 0.0;
  double p_value = 1.0;                  ///< two-sided
  solver::Prediction power_kw;           ///< yhat_k with confidence and prediction intervals
  double reliability = 0.0;              ///< 0..1, by AnalysisOptions::reliability_method
  std::int64_t responded_intervals = 0;  ///< empirical method: intervals that responded
  double ranking_percent = 0.0;          ///< 0..100 across customers (set by `analyse`)
};

struct SlotResult {
  int slot = 0;  ///< 0 .. slots_per_day-1; starts at slot * slot_minutes after midnight
  bool estimated = false;
  std::string note;  ///< why not estimated (too few rows, collinear regressors)
  std::int64_t observations = 0;
  std::int64_t baseline_observations = 0;
  double reference_temperature_c = 0.0;
  std::int64_t df_resid = 0;
  double r_squared = 0.0;
  solver::Prediction baseline_kw;   ///< yhat_D
  std::vector<LevelResult> levels;  ///< one per dataset level, i1..iK
};

struct CustomerResult {
  std::string user_id;
  std::int64_t time_step_s = 0;
  std::vector<SlotResult> slots;
};

/// The model of one customer group on its averaged series (see the header comment).
struct GroupResult {
  std::string name;
  std::vector<std::string> members;  ///< user ids (pseudonyms in the service)
  std::int64_t time_step_s = 0;
  std::int64_t intervals = 0;               ///< timestamps of the averaged series
  std::int64_t incomplete_intervals = 0;    ///< skipped: a member has no row there
  std::int64_t mixed_signal_intervals = 0;  ///< skipped: members carry different signals
  std::vector<SlotResult> slots;
};

struct FlexibilityResult {
  model::SignalClass signal_class = model::SignalClass::cost;
  std::string signal_unit;
  std::vector<double> levels;  ///< values of i1..iK, ascending
  std::optional<double> baseline_signal_value;
  int slot_minutes = 60;
  double confidence_level = 0.95;
  ReliabilityMethod reliability_method = ReliabilityMethod::model;
  std::optional<double> empirical_threshold_kw;
  model::AnalysisWindow window;
  std::vector<CustomerResult> customers;
  std::vector<GroupResult> groups;  ///< one per Dataset::groups entry, in that order
};

/// The expected direction d_k of `level` (see the header comment).
double expected_direction(model::SignalClass signal_class, double level,
                          std::optional<double> baseline_signal_value);

/// Runs the model on a dataset that passed model::validate.
/// Errors: invalid_argument when slot_minutes does not divide 1440 or is shorter than a
/// customer's time step, confidence_level is outside (0, 1) or empirical_threshold_kw is negative
/// or not finite; invalid_argument with every issue
/// when the dataset does not validate; numerical from the Student-t quantile. A slot that cannot
/// be fitted (n <= p, collinear) is reported in SlotResult::note, not as an error.
Result<FlexibilityResult> analyse(const model::Dataset& dataset, const AnalysisOptions& options);

/// Fills LevelResult::ranking_percent across the customers of `result`, and separately across its
/// groups (done by analyse; public for results assembled from several runs).
void rank_customers(FlexibilityResult& result);

/// The averaged series of one group as a one-user dataset (consumption in kW, the group's name as
/// its user id; see the header comment), with the skipped timestamps counted into `group`'s
/// incomplete_intervals and mixed_signal_intervals. Public for tests. REQUIRES: `dataset`
/// passed model::validate, `index` = model::index_customers(dataset), `group_index` is valid.
model::Dataset group_series(const model::Dataset& dataset, const model::CustomerIndex& index,
                            std::size_t group_index, GroupResult& group);

}  // namespace gridke::services::flexibility_response
