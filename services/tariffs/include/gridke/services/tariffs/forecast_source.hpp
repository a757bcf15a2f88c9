#pragma once
// Day-ahead load forecasts from outside the tariff service (D4.3 Table 16 step 1 "fetch
// forecast": "The DSO fetches a forecast (either being created by itself or from the forecast
// PUC, the latter is preferred)").
//
// A LoadForecast is what a forecast knowledge base delivers for one grid zone and UTC day:
// the inflexible baseline and the controllable demand (at the reference price) per quarter
// hour. The capacity is the DSO's own and never comes from the forecast KB.
//
// ForecastSource is the seam between the service and whatever fetches forecasts (the tariff
// SSA asks a forecast KB through the knowledge engine: adapters/tariffs/forecast_fetch.hpp).
// resolve_forecasts() applies Table 16's preference: the fetched forecast when the source has
// a valid one, else the DSO-computed forecast of the request, saying which was used and why.
//
// Thread safety: LoadForecast, ForecastUse are values; a ForecastSource implementation states
// its own (the SSA's is internally synchronised). Ownership: results are values.

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "gridke/base/result.hpp"
#include "gridke/services/tariffs/capacity_tariff.hpp"

namespace gridke::services::tariffs {

/// One grid zone's day-ahead load, as a forecast KB delivers it (kQuartersPerDay values each).
struct LoadForecast {
  std::string zone;
  std::chrono::sys_days day{};
  std::vector<double> baseline_kw;
  std::vector<double> controllable_kw;  ///< at the reference price
  std::string source;                   ///< who produced it (a knowledge-base id), may be empty
};

/// Checks a load forecast: zone non-empty, 96 values in each series, every value finite and
/// >= 0. Errors: invalid_argument naming the zone, the day, the series and the quarter hour
/// ("zone 'Z-17' on 2026-11-28: baseline_kw at 10:15 (quarter 41) is -3 kW: ...").
Result<void> check_load_forecast(const LoadForecast& forecast);

/// "HH:MM" (UTC) of quarter hour q of a day.
std::string quarter_label(std::size_t q);

/// Fetches day-ahead load forecasts (the forecast KB through the knowledge engine).
class ForecastSource {
 public:
  virtual ~ForecastSource() = default;
  /// The forecast of `zone` on `day`, checked with check_load_forecast(). Errors:
  /// unavailable (nothing reachable answers), not_found (sources answered without a forecast
  /// for the zone and day), invalid_argument (a malformed forecast, naming zone and interval),
  /// deadline_exceeded.
  virtual Result<LoadForecast> fetch(std::string_view zone, std::chrono::sys_days day) = 0;
};

enum class ForecastOrigin : std::uint8_t { forecast_kb, dso };
/// "forecast-kb", "dso".
std::string_view to_string(ForecastOrigin origin) noexcept;

enum class FetchPolicy : std::uint8_t {
  fetched_or_dso,  ///< use the fetched forecast; fall back to the DSO's (stated) on any error
  fetched_only,    ///< the fetch must succeed (no fallback)
};

/// Which forecast a zone's tariff was computed from.
struct ForecastUse {
  std::string zone;
  ForecastOrigin origin = ForecastOrigin::dso;
  std::string source;           ///< forecast-kb: the knowledge base that answered
  std::string fallback_reason;  ///< dso: why the fetched forecast was not used
  /// "zone 'A': forecast from forecast KB <…>" or "zone 'A': fallback to the DSO-computed
  /// forecast (<reason>)".
  std::string describe() const;
};

struct ResolvedForecasts {
  std::vector<ZoneForecast> forecasts;  ///< in request order, capacity from the request
  std::vector<ForecastUse> uses;        ///< one per forecast, same order
};

/// Table 16 step 1 for every zone of `requested` (the DSO's forecasts: zone and capacity_kw
/// always; baseline_kw and controllable_kw may be empty when the DSO has computed none).
/// With a `source`, fetches each zone and, when the fetch succeeds, takes its baseline and
/// controllable demand; otherwise (no source, or an error under fetched_or_dso) keeps the
/// DSO's forecast and records the reason. Errors: invalid_argument when a zone needs the
/// fallback but the request has no DSO forecast for it (naming the zone and the fetch error);
/// under fetched_only, the fetch error of the first failing zone (with the zone as context), or
/// unavailable when there is no source.
Result<ResolvedForecasts> resolve_forecasts(std::chrono::sys_days day,
                                            std::span<const ZoneForecast> requested,
                                            ForecastSource* source,
                                            FetchPolicy policy = FetchPolicy::fetched_or_dso);

}  // namespace gridke::services::tariffs
