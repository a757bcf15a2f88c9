#pragma once
// JSON of the Sensitivities Engine in the D4.3 §4.1.3 shapes: request bodies (Table 8
// "historicalFromMeters", Table 9 "historicalFromAppliances") and Outputs 1-3. Field names are
// the D4.3 ones (snake_case: meter_id, master_id, v_measured, p_measured, appliance_type, ...).
// Request bodies are read by a streaming (SAX) parser straight into the structs below: no JSON
// tree is built, so a 100 MB upload costs its text plus 24 bytes per record. Unknown keys are
// skipped. Output 1 adds, beside D4.3's "sensitivity", "standard_error" per coefficient and per
// voltage point "r_squared", "residual_sigma" and "samples", plus top-level "reference", "mode",
// "lambda", "condition_number" and "data_quality"; parse_sensitivity_matrix() reads all of it
// back (used by the job store). Times are ISO 8601 UTC ("2018-09-26T00:00:00Z").
//
// Thread safety: pure functions.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gridke/base/result.hpp"
#include "gridke/services/sensitivities/model/meter_data.hpp"
#include "gridke/services/sensitivities/sensitivity_estimator.hpp"
#include "gridke/services/sensitivities/voltage_analysis.hpp"

namespace gridke::services::sensitivities {

/// {"historicalFromMeters": [...]} (or the bare array). Errors: parse_error with the JSON path,
/// e.g. "historicalFromMeters[2].measurements[17].v_measured: expected a number".
Result<HistoricalData> parse_historical_data(std::string_view json);

/// A registration body: the same shape as historical data (D4.3: "The structure is the same as
/// the update method"); measurements may be absent. Errors: parse_error with the JSON path.
Result<GridRegistration> parse_registration(std::string_view network_id, std::string_view json);

/// A registration body with whatever measurements it carries (possibly none), read in one pass.
/// Errors: parse_error with the JSON path.
Result<std::pair<GridRegistration, HistoricalData>> parse_registration_upload(
    std::string_view network_id, std::string_view json);

/// {"historicalFromAppliances": [...]} (or the bare array). appliance_type must be 1..4.
/// Errors: parse_error with the JSON path.
Result<std::vector<ApplianceHistory>> parse_appliances(std::string_view json);

/// Writers (compact JSON).
std::string to_json(const HistoricalData& data);
std::string to_json(const GridRegistration& grid);
std::string to_json(const std::vector<ApplianceHistory>& appliances);
std::string to_json(const SensitivityMatrix& s);        ///< Output 1
std::string to_json(const VoltageAnalysis& a);          ///< Output 2
std::string to_json(const FlexibilityRequirements& f);  ///< Output 3

/// Reads to_json(SensitivityMatrix) back. Errors: parse_error with the JSON path.
Result<SensitivityMatrix> parse_sensitivity_matrix(std::string_view json);

/// "2018-09-26T00:00:00Z".
std::string iso8601_utc(std::int64_t unix_s);

}  // namespace gridke::services::sensitivities
