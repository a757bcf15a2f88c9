#pragma once
// D4.3 Table 16 step 1 "fetch forecast" through the knowledge engine: the DSO tariff service
// ASKs (ask-load-forecast) and a forecast knowledge base ANSWERs (answer-load-forecast) with
// the day-ahead load of a grid zone, one binding per quarter hour and usage:
//   ?usage s4ener:BaseLine  inflexible baseline load        → LoadForecast::baseline_kw
//   ?usage s4ener:Downflex  controllable demand at the reference price → controllable_kw
// with ?unit om:kilowatt (om:watt and om:megawatt are converted), ?quarterStart/?quarterEnd
// xsd:dateTimeStamp, and the ASK binding ?zoneId and ?forecastId "<zone>/<YYYY-MM-DD>" (the
// UTC day; the convention of contract (i)'s tariffId).
// IRIs (forecast side): series <base>forecast/<zone>/<day>, points
// <base>forecast/<zone>/<day>/q/<q>/<baseline|controllable>, zone <zone_base><zone>, periods
// <base>period/<start>/PT15M; instants <base>instant/<time>.
//
// KeForecastSource is the services::tariffs::ForecastSource the tariff SSA hands to the
// service (TariffSsa::forecast_source()).
// Thread safety: the functions are pure; KeForecastSource is internally synchronised (it only
// calls the internally synchronised GenericAdapter).
// Ownership: KeForecastSource borrows its adapter, which must outlive it.

#include <chrono>
#include <string>
#include <string_view>

#include "gridke/adapter/generic_adapter.hpp"
#include "gridke/base/result.hpp"
#include "gridke/pattern/binding.hpp"
#include "gridke/services/tariffs/forecast_source.hpp"

namespace gridke::adapters::tariffs {

inline constexpr const char* kAskLoadForecast = "ask-load-forecast";
inline constexpr const char* kAnswerLoadForecast = "answer-load-forecast";

inline constexpr std::string_view kUsageBaseLine = "https://saref.etsi.org/saref4ener/BaseLine";
inline constexpr std::string_view kUsageDownflex = "https://saref.etsi.org/saref4ener/Downflex";
inline constexpr std::string_view kUnitKilowatt =
    "http://www.ontology-of-units-of-measure.org/resource/om-2/kilowatt";
inline constexpr std::string_view kUnitWatt =
    "http://www.ontology-of-units-of-measure.org/resource/om-2/watt";
inline constexpr std::string_view kUnitMegawatt =
    "http://www.ontology-of-units-of-measure.org/resource/om-2/megawatt";

struct ForecastIris {
  std::string base = "https://forecast.example.org/";
  std::string zone_base = "https://dso.example.org/zone/";
};

/// The 192 answer bindings of one zone day (forecast KB side), in kilowatt. Errors:
/// invalid_argument from services::tariffs::check_load_forecast(), or when the zone cannot be
/// part of an IRI (naming the zone).
Result<pattern::BindingSet> load_forecast_bindings(const services::tariffs::LoadForecast& forecast,
                                                   const ForecastIris& iris = {});

/// The ASK binding for a zone and day: ?zoneId and ?forecastId "<zone>/<YYYY-MM-DD>".
Result<pattern::Binding> load_forecast_query(std::string_view zone, std::chrono::sys_days day);

/// Decodes the bindings of `zone` on `day` (bindings of other zones or days are ignored) into a
/// checked LoadForecast; `source` goes into LoadForecast::source. Errors, each naming the zone,
/// the day and, where there is one, the quarter hour ("HH:MM") and series:
///   not_found         no binding for the zone and day;
///   invalid_argument  a variable unbound or not of its type (non-numeric ?value, a
///                     ?quarterStart that is not a dateTime), a usage other than BaseLine or
///                     Downflex, a unit that is not a power unit, a quarter not on the 15-min
///                     grid of the day or not 15 minutes long, a value negative or not finite,
///                     a quarter hour given twice for the same usage (duplicate interval), and
///                     missing quarter hours (listing the first ones and the count).
Result<services::tariffs::LoadForecast> load_forecast_from_bindings(
    const pattern::BindingSet& bindings, std::string_view zone, std::chrono::sys_days day,
    std::string source = {});

/// Fetches through `adapter`'s ASK ask-load-forecast (see the services header for the errors:
/// unavailable when no forecast KB's ANSWER matched or every one failed, naming them; the
/// decoding errors of load_forecast_from_bindings()).
class KeForecastSource final : public services::tariffs::ForecastSource {
 public:
  /// REQUIRES: `adapter` declared ASK kAskLoadForecast and outlives this object.
  KeForecastSource(adapter::GenericAdapter& adapter, std::chrono::milliseconds deadline)
      : adapter_(adapter), deadline_(deadline) {}
  Result<services::tariffs::LoadForecast> fetch(std::string_view zone,
                                                std::chrono::sys_days day) override;

 private:
  adapter::GenericAdapter& adapter_;
  std::chrono::milliseconds deadline_;
};

}  // namespace gridke::adapters::tariffs
