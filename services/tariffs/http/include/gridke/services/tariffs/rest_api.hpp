#pragma once
// The tariff service's JSON REST front door (syntactic interoperability; D4.3 §2.1.1.4: "a
// quarterly hour capacity tariff, published at least one hour before the active day"). Routes,
// below the server's base path (`gridke serve` uses /tariffs):
//   GET  /config                                lead time, deadline rule, default model
//   POST /days/{day}/capacity                   {"forecasts": [...], "model": {...}?,
//                                                "forecast_source": "dso" | "forecast-kb" |
//                                                "forecast-kb-only"?} → publish
//   PUT  /zones/{zone}/static                   {"price_per_kwh": [96 numbers]}
//   GET  /zones/{zone}/static                   the static tariff of a zone
//   POST /days/{day}/static                     publish every static tariff unchanged
//   GET  /days/{day}                            every zone published for the day
//   GET  /days/{day}/zones/{zone}               one zone's published day
//   POST /days/{day}/zones/{zone}/settlement    {"consumption_kwh": [96]} → bill
// {day} is YYYY-MM-DD (UTC). Errors follow core/http: 400 invalid_argument naming the JSON path
// ("forecasts[2].capacity_kw[17]: ..."), 404 not_found, 409 failed_precondition for a late
// publication ("late publication: ... had to be published by ...").
// forecast_source (D4.3 Table 16 step 1): "dso" prices the request's forecasts; "forecast-kb"
// fetches each zone's baseline and controllable load from the router's ForecastSource (the
// forecast KB) and falls back to the request's (DSO-computed) forecast, stated per zone in the
// answer's "forecasts" member and logged; "forecast-kb-only" fails instead of falling back
// (the fetch error with its status: 503 unavailable, 404 not_found, 400 a malformed forecast).
// With a forecast-kb source a forecast may omit baseline_kw and controllable_kw.
// JSON shapes are in docs/tariffs.md.
// Thread safety: the router's handlers call the internally synchronised service.
// Ownership: the service must outlive the router (and any server running it).

#include <functional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "gridke/base/result.hpp"
#include "gridke/http/server.hpp"
#include "gridke/services/tariffs/tariff_service.hpp"

namespace gridke::services::tariffs {

struct RouterOptions {
  /// Where "forecast-kb" fetches from; null: every zone falls back (stated).
  ForecastSource* forecast_source = nullptr;
  /// The forecast_source of a request that names none: "forecast-kb" when true, else "dso".
  bool fetch_by_default = false;
  /// Told one line per zone of a fetching publication (ForecastUse::describe()); may be empty.
  std::function<void(const std::string&)> log;
};

/// The routes above, bound to `service`.
http::Router make_router(TariffService& service);
/// As above; the source (when set) must outlive the router.
http::Router make_router(TariffService& service, RouterOptions options);

/// {"zone", "day", "mode", "published_at", "interval_minutes", "quarters": [{"start", "end",
/// "price_per_kwh", "status", "expected_demand_kw"?}], "baseline_over_capacity": [indices]}.
nlohmann::json to_json(const PublishedTariff& tariff);

/// {"zone", "baseline_kw": [...], "controllable_kw": [...], "capacity_kw": [...]}; with
/// `load_optional`, baseline_kw and controllable_kw may be absent (left empty).
/// Errors: invalid_argument naming `path` and the member.
Result<ZoneForecast> forecast_from_json(const nlohmann::json& j, std::string_view path,
                                        bool load_optional = false);

/// {"zone", "origin": "forecast-kb" | "dso", "source"?, "fallback_reason"?, "description"}.
nlohmann::json to_json(const ForecastUse& use);

/// Overrides `base` with the members present: {"response": {"model": "constant_elasticity" |
/// "linear_elasticity", "elasticity"}, "reference_price", "floor_price", "cap_price",
/// "tolerance", "tiers": [...], "margin_kw", "margin_fraction", "shift_fraction", "damping",
/// "max_iterations"}. Errors: invalid_argument naming the member (unknown members too).
Result<CapacityTariffConfig> config_from_json(const nlohmann::json& j, std::string_view path,
                                              CapacityTariffConfig base);

/// The model part of a config as JSON (MonotoneResponse curves are written as "monotone").
nlohmann::json to_json(const CapacityTariffConfig& config);

}  // namespace gridke::services::tariffs
