#pragma once
// Grid congestion forecast → flexibility needs (InterConnect D4.3 §4.2.2): for every interval
// of a horizon, a three-phase power flow (services/grid) with the forecast load of every load,
// a check of thermal limits (line currents against ampacity, transformer per-phase apparent
// power against rating/3) and voltage limits, and for each violation the flexibility needed in
// one grid zone to remove it.
//
// Needs via sensitivities. A zone z is a set of loads. For a violated quantity q (a bus-phase
// voltage magnitude or a branch phase current) the sensitivity to the zone's flexibility is the
// directional derivative s_z = dq/dF_z, where F_z kW of `down` flexibility lowers every load of
// the zone pro rata to its forecast power (P and Q together, constant power factor) and `up`
// flexibility raises every load of the zone equally. s_z is computed from a second power flow
// with F_z = δ (δ = perturbation_kw); it equals the dV/dP columns of PowerFlow::sensitivities()
// combined with the zone's weights to first order (checked in tests/congestion). The violation
// goes to the zone with the largest |s_z| (the most effective place for flexibility), and the
// need is found by Newton steps F ← F + excess / s_z with a power flow after each step, until
// the quantity is within its limit (to tolerance) — so the reported need is the *least* zone
// flexibility that removes the violation, not just its linear estimate. Several violations in
// one interval are removed worst-first (largest relative excess); needs accumulate per
// (zone, direction).
//
// Windows (D4.3 §4.2.2, §4.4): day-ahead = the 96 quarter hours of day D (computed on D-1,
// published by 12:00); intraday = 48 quarter hours starting 6 h after a publication slot at
// 00, 06, 12 or 18 h.
//
// Thread safety: not thread-safe (owns a PowerFlow with a warm start); one forecaster per thread.
// Ownership: owns a copy of the network and configuration.

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gridke/base/result.hpp"
#include "gridke/services/grid/model/network.hpp"

namespace gridke::services::congestion {

using TimePoint = std::chrono::sys_time<std::chrono::milliseconds>;

struct Zone {
  std::string id;
  std::vector<std::string> load_ids;  ///< loads (Network::loads ids) in the zone
  std::vector<std::string> hems_ids;  ///< HEMS of the zone's participants (for the need message)
};

struct CongestionConfig {
  /// Ampacity per line code (A); lines whose code is absent are not checked.
  std::map<std::string, double> line_code_ampacity_a;
  /// Ampacity per line id, overriding the line code's.
  std::map<std::string, double> line_ampacity_a;
  double transformer_max_loading = 1.0;  ///< per-phase |S| limit as a share of rated_kva / 3
  double voltage_min_pu = 0.94;
  double voltage_max_pu = 1.10;
  std::vector<Zone> zones;       ///< empty = one zone "feeder" with every load
  double perturbation_kw = 1.0;  ///< δ of the directional sensitivity
  double voltage_tolerance_pu = 1e-6;
  double current_tolerance_a = 1e-3;
  int max_corrections = 30;  ///< Newton steps per interval
};

enum class ViolationKind : std::uint8_t {
  line_current,
  transformer_loading,
  undervoltage,
  overvoltage
};
std::string_view to_string(ViolationKind k) noexcept;

struct Violation {
  ViolationKind kind = ViolationKind::undervoltage;
  std::string element;  ///< line id, transformer id or bus id
  int phase = 0;
  double value = 0;  ///< A, kVA or pu
  double limit = 0;
};

enum class NeedDirection : std::uint8_t { up, down };  ///< the market's convention

struct ZoneNeed {
  std::string zone;
  NeedDirection direction = NeedDirection::down;
  double needs_kw = 0;
  TimePoint start;
  TimePoint end;
  std::vector<std::string> hems_ids;
  std::string cause;     ///< e.g. "line_current LINE1 phase B 312.4 A > 300 A"
  bool resolved = true;  ///< false when the zone ran out of load before the limit was met
};

struct IntervalResult {
  TimePoint start;
  std::vector<Violation> violations;  ///< before flexibility
  std::vector<ZoneNeed> needs;
  /// Still violated with the needs applied (beyond tolerance): no zone could remove them, or
  /// a zone ran out of load (its need is then flagged resolved = false).
  std::vector<Violation> violations_after;
  double transformer_loading = 0;  ///< largest per-phase |S| / (rated/3), before flexibility
  double transformer_loading_after = 0;
  double line_loading = 0;  ///< largest phase current / ampacity over rated lines, before
  double line_loading_after = 0;
  double min_voltage_pu = 0;
  double max_voltage_pu = 0;
  double load_kw = 0;
};

struct Forecast {
  std::vector<IntervalResult> intervals;
  /// All needs of the horizon, in interval order.
  std::vector<ZoneNeed> needs() const;
};

/// Load forecast: kW and kvar of every load (Network::loads order) per interval.
using LoadForecast = std::vector<std::vector<grid::LoadPower>>;

class CongestionForecaster {
 public:
  /// Errors: invalid_argument for a zone naming an unknown load, a load in two zones, a
  /// non-positive ampacity, an unknown line id, limits out of order; errors of
  /// grid::PowerFlow::create.
  static Result<CongestionForecaster> create(grid::Network network, CongestionConfig config);
  CongestionForecaster(CongestionForecaster&&) noexcept;
  CongestionForecaster& operator=(CongestionForecaster&&) noexcept;
  ~CongestionForecaster();

  const grid::Network& network() const;
  const CongestionConfig& config() const;

  /// Forecast over forecast.size() intervals of `interval` from `start`. Errors:
  /// invalid_argument (interval count/width, a row of the wrong size, non-finite values naming
  /// interval and load); numerical when a power flow does not converge (naming the interval).
  Result<Forecast> run(TimePoint start, std::chrono::minutes interval,
                       const LoadForecast& forecast);
  /// Day-ahead: 96 quarter hours of the day starting at `day` (midnight UTC). REQUIRES:
  /// forecast.size() == 96.
  Result<Forecast> day_ahead(TimePoint day, const LoadForecast& forecast);
  /// Intraday: 48 quarter hours from slot + 6 h; `slot` must be 00, 06, 12 or 18 h.
  Result<Forecast> intraday(TimePoint slot, const LoadForecast& forecast);

  /// The forecast of the network's own load shapes: interval k is the average of the shape
  /// over minutes [first_minute + k·interval, first_minute + (k+1)·interval).
  LoadForecast forecast_from_load_shapes(int first_minute, int intervals,
                                         int interval_minutes) const;

 private:
  struct Impl;
  explicit CongestionForecaster(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace gridke::services::congestion
