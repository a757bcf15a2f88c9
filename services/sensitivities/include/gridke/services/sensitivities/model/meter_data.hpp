#pragma once
// Domain types of the Sensitivities Engine (InterConnect D4.3 §4.1.3): the registered LV grid,
// smart-meter history (D4.3 Table 8) and disaggregated appliance history (D4.3 Table 9).
// Units are in the names (STYLE.md §2.4): volts, kW, UNIX seconds. No Eigen here (STYLE §2.6).
//
// Conventions:
// - p_measured_kw of a meter is *consumption* (positive = power drawn from the grid, negative =
//   net injection), as smart meters report it. Sensitivities are therefore V per kW consumed:
//   negative for a customer's own voltage (D4.3 Table 14: "-0.05674 V ... due to 1 kW").
// - Appliance power is in the appliance's natural direction: consumption for EVs, heat pumps and
//   "other", *generation* for PV (appliance_type 3). The analyses convert PV to -p.
//
// Thread safety: plain value types; share const instances freely.
// Ownership: everything by value.

#include <cstdint>
#include <string>
#include <vector>

namespace gridke::services::sensitivities {

/// D4.3 Table 8 "info": 0 regular smart meter, 1 meter at the MV/LV substation.
enum class MeterKind : std::uint8_t { regular = 0, substation = 1 };

/// One measuring device of the registered grid.
struct MeterInfo {
  std::string meter_id;
  std::string master_id;  ///< device the meter belongs to (splits a 3-phase meter), may be empty
  MeterKind kind = MeterKind::regular;
  /// D4.3 Table 8: 1 = phase R, 2 = S, 3 = T; required for substation meters, 0 (unknown) or
  /// 1..3 for regular meters.
  int phase = 0;
};

/// One averaged record (D4.3: "average values for <= 30-min time steps").
struct Measurement {
  std::int64_t timestamp_s = 0;  ///< UNIX time of the record
  double v_measured_v = 0;       ///< voltage magnitude, V
  double p_measured_kw = 0;      ///< active power, kW, consumption positive
};

struct MeterHistory {
  MeterInfo meter;
  std::vector<Measurement> measurements;  ///< strictly increasing timestamps
};

/// The body of updateHistoricalData ("historicalFromMeters").
struct HistoricalData {
  std::vector<MeterHistory> meters;
};

/// An LV grid as registered: every meter under one secondary substation (D4.3: "the full
/// network consumption by node ... is required, no partial data can be used").
struct GridRegistration {
  std::string network_id;
  std::vector<MeterInfo> meters;
};

/// D4.3 Table 9 appliance_type.
enum class ApplianceType : std::uint8_t { ev = 1, heat_pump = 2, pv = 3, other = 4 };

/// "EV", "heat pump", "PV", "other".
const char* to_string(ApplianceType type) noexcept;

struct ApplianceMeasurement {
  std::int64_t timestamp_s = 0;
  double p_measured_kw = 0;  ///< natural direction: consumption, or generation for PV
};

/// The body of loadCorrelation / flexibilityRequirements ("historicalFromAppliances").
struct ApplianceHistory {
  std::string appliance_id;
  ApplianceType type = ApplianceType::other;
  std::string meter_id;
  std::vector<ApplianceMeasurement> measurements;
};

/// Admissible voltage band (D4.3: configurable; MV use possible). Default 230 V +-10 %
/// (EN 50160 LV range).
struct VoltageLimits {
  double nominal_v = 230.0;
  double lower_v = 207.0;
  double upper_v = 253.0;
};

}  // namespace gridke::services::sensitivities
