#pragma once
// D4.3 §4.1.3 Outputs 2 and 3 from smart-meter voltages, the sensitivity matrix (Output 1) and
// disaggregated appliance data (Table 9), per period of the typical day (30 min by default).
//
// Output 2 — voltage analysis and load correlation, per period p:
//   average voltage over all (meter, record) pairs whose time of day falls in p;
//   prob_of_occur = 100 x share of those records below lower_v (above upper_v);
//   worst record = lowest (highest) voltage and its meter;
//   causes: for each violating record (meter i, time t) and appliance a at meter j,
//     impact_a = S(i, j) x x_a(t),  x_a = consumption (PV: -generation),
//   i.e. the voltage change the appliance causes against being off (linear model), summed over
//   the violating records; an appliance type at a meter is a cause when its summed
//   impact lowers (undervoltage) / raises (overvoltage) the voltage and is at least
//   cause_share of the total such impact. Warnings say in words which limit, how often, and
//   which load type dominates.
// Output 3 — critical nodes and flexibility requirements, per period with violations:
//   design voltage of meter i = its worst record in p; greedily take the meter with the largest
//   deviation d_i beyond the limit (plus margin_v), its perimeter = meters j with
//   |S(i, j)| >= perimeter_fraction x max_j |S(i, j)|, and the total power change spread evenly
//   over the perimeter that restores meter i to the limit:
//     dP = d_i / mean_{j in perimeter} S(i, j)   (kW; > 0 consumption should increase),
//   apply the linear update V_k += sum_j S(k, j) dP / |perimeter| to every meter and repeat
//   (at most max_perimeters). Recommendations translate dP into EVs (mean observed charging
//   power) and name the direction of change.
//
// Thread safety: pure functions on values.

#include <cstdint>
#include <string>
#include <vector>

#include "gridke/base/result.hpp"
#include "gridke/services/sensitivities/model/meter_data.hpp"
#include "gridke/services/sensitivities/sensitivity_estimator.hpp"

namespace gridke::services::sensitivities {

/// An appliance power below this (kW) counts as "not running" when averaging EV charging power.
inline constexpr double kRunningThresholdKw = 0.5;
/// EV charging power assumed when the data shows no EV charging (kW, a 32 A single-phase wallbox).
inline constexpr double kDefaultEvChargingKw = 7.4;

struct AnalysisOptions {
  VoltageLimits limits;
  int period_minutes = 30;            ///< must divide 1440
  std::int64_t utc_offset_s = 0;      ///< local time of day = UTC + offset
  double near_limit_fraction = 0.02;  ///< "close to the limit" band, share of nominal voltage
  double cause_share = 0.10;          ///< minimum share of the impact to name a cause
  std::size_t max_causes = 10;
  // Output 3.
  double perimeter_fraction = 0.5;
  int max_perimeters = 10;
  double margin_v = 0.5;  ///< aim this far inside the limit
};

struct ProblemCause {
  std::string meter_id;
  ApplianceType load_type = ApplianceType::other;
  double voltage_impact_v = 0;  ///< summed over the violating records
  double share = 0;             ///< of the total impact in the problem direction
};

struct LimitViolation {
  double probability_percent = 0;
  double worst_value_v = 0;  ///< 0 with no violation (D4.3 example)
  std::string worst_meter;
  std::vector<ProblemCause> causes;
};

struct PeriodAnalysis {
  int period = 0;
  std::string label;  ///< "14h00-14h30"
  std::int64_t records = 0;
  double average_voltage_v = 0;
  LimitViolation undervoltage;
  LimitViolation overvoltage;
  std::vector<std::string> warnings;
};

struct VoltageAnalysis {
  std::int64_t start_time_s = 0;        ///< first appliance record
  std::int64_t end_time_s = 0;          ///< last appliance record
  std::vector<PeriodAnalysis> periods;  ///< periods with at least one voltage record
};

struct InterventionPerimeter {
  std::string perimeter_id;  ///< "<period>_<rank>" (unique inside one result)
  std::string critical_meter;
  double voltage_deviation_v = 0;  ///< needed change at the critical meter (+ raise)
  std::vector<std::string> meter_ids;
  double power_variation_kw = 0;  ///< + consumption should increase, - decrease
};

struct PeriodRequirements {
  int period = 0;
  std::string label;
  std::vector<InterventionPerimeter> perimeters;
  std::vector<std::string> recommendations;
};

struct FlexibilityRequirements {
  std::int64_t start_time_s = 0;
  std::int64_t end_time_s = 0;
  std::vector<PeriodRequirements> periods;  ///< periods with violations only
};

/// "14h00-14h30" for period p of the given length.
std::string period_label(int period, int period_minutes);

/// Output 2. Errors: invalid_argument for bad limits/period length, an appliance at a meter
/// that is not a voltage meter of `s` (names the appliance), an empty appliance list;
/// failed_precondition when no meter record falls inside the appliance data's time range.
Result<VoltageAnalysis> analyse_voltages(const HistoricalData& meters, const SensitivityMatrix& s,
                                         const std::vector<ApplianceHistory>& appliances,
                                         const AnalysisOptions& options = {});

/// Output 3. Errors as analyse_voltages.
Result<FlexibilityRequirements> flexibility_requirements(
    const HistoricalData& meters, const SensitivityMatrix& s,
    const std::vector<ApplianceHistory>& appliances, const AnalysisOptions& options = {});

}  // namespace gridke::services::sensitivities
