#include "gridke/adapters/tariffs/forecast_fetch.hpp"

#include <array>
#include <cmath>
#include <cstdio>
#include <optional>
#include <set>
#include <vector>

#include "gridke/adapter/codec.hpp"
#include "gridke/rdf/vocabulary.hpp"
#include "gridke/services/tariffs/tariff_service.hpp"

namespace gridke::adapters::tariffs {
namespace forecast_fetch_detail {

namespace tf = services::tariffs;
constexpr std::string_view kStampType = "http://www.w3.org/2001/XMLSchema#dateTimeStamp";
constexpr std::size_t kQuarters = tf::kQuartersPerDay;

// "2026-11-28T10:00:00Z" (literals) or "2026-11-28T10:00Z" (inside IRIs).
std::string stamp(std::chrono::sys_time<std::chrono::minutes> t, bool seconds) {
  const auto day = std::chrono::floor<std::chrono::days>(t);
  const std::chrono::hh_mm_ss hms(t - day);
  char buf[48];
  std::snprintf(buf, sizeof buf, seconds ? "%sT%02d:%02d:00Z" : "%sT%02d:%02dZ",
                tf::format_day(day).c_str(), static_cast<int>(hms.hours().count()),
                static_cast<int>(hms.minutes().count()));
  return buf;
}

std::string where(std::string_view zone, std::chrono::sys_days day) {
  return "forecast of zone '" + std::string(zone) + "' on " + tf::format_day(day);
}

// Puts an error from a codec (located at the variable) into the zone/quarter context.
Error in_context(const Error& e, const std::string& prefix) {
  return Error(e.code(), prefix + ": " + e.message(), e.location());
}

}  // namespace forecast_fetch_detail

Result<pattern::BindingSet> load_forecast_bindings(const services::tariffs::LoadForecast& f,
                                                   const ForecastIris& iris) {
  namespace d = forecast_fetch_detail;
  using namespace std::chrono;
  GRIDKE_TRY(services::tariffs::check_load_forecast(f));
  const std::string day = services::tariffs::format_day(f.day);
  const std::string series = iris.base + "forecast/" + f.zone + "/" + day;
  const auto midnight = sys_time<minutes>(f.day);
  const adapter::DoubleCodec decimal{std::string(rdf::vocab::xsd_decimal)};
  const adapter::IriCodec any_iri{};
  pattern::BindingSet out;
  out.reserve(2 * d::kQuarters);
  for (std::size_t q = 0; q < d::kQuarters; ++q) {
    const auto start = midnight + minutes(15 * static_cast<int>(q));
    const auto end = start + minutes(15);
    for (const bool baseline : {true, false}) {
      pattern::Binding b;
      auto fill = [&]() -> Result<void> {
        GRIDKE_TRY(adapter::put(b, "forecast", series, any_iri, kAnswerLoadForecast));
        GRIDKE_TRY(adapter::put(b, "forecastId", f.zone + "/" + day, adapter::StringCodec{},
                                kAnswerLoadForecast));
        GRIDKE_TRY(adapter::put(b, "zone", f.zone, adapter::IriCodec{iris.zone_base},
                                kAnswerLoadForecast));
        GRIDKE_TRY(adapter::put(b, "zoneId", f.zone, adapter::StringCodec{}, kAnswerLoadForecast));
        GRIDKE_TRY(adapter::put(
            b, "point",
            series + "/q/" + std::to_string(q) + (baseline ? "/baseline" : "/controllable"),
            any_iri, kAnswerLoadForecast));
        GRIDKE_TRY(adapter::put(b, "usage", std::string(baseline ? kUsageBaseLine : kUsageDownflex),
                                any_iri, kAnswerLoadForecast));
        GRIDKE_TRY(adapter::put(b, "value", baseline ? f.baseline_kw[q] : f.controllable_kw[q],
                                decimal, kAnswerLoadForecast));
        GRIDKE_TRY(
            adapter::put(b, "unit", std::string(kUnitKilowatt), any_iri, kAnswerLoadForecast));
        GRIDKE_TRY(adapter::put(b, "quarter",
                                iris.base + "period/" + d::stamp(start, false) + "/PT15M", any_iri,
                                kAnswerLoadForecast));
        GRIDKE_TRY(adapter::put(b, "quarterStartInstant",
                                iris.base + "instant/" + d::stamp(start, false), any_iri,
                                kAnswerLoadForecast));
        GRIDKE_TRY(adapter::put(b, "quarterEndInstant",
                                iris.base + "instant/" + d::stamp(end, false), any_iri,
                                kAnswerLoadForecast));
        b.set("quarterStart",
              rdf::Term::literal(d::stamp(start, true), std::string(d::kStampType)));
        b.set("quarterEnd", rdf::Term::literal(d::stamp(end, true), std::string(d::kStampType)));
        return ok();
      };
      if (auto r = fill(); !r) {
        return r.error().with_context(d::where(f.zone, f.day) + ", quarter " +
                                      services::tariffs::quarter_label(q));
      }
      out.insert(std::move(b));
    }
  }
  return out;
}

Result<pattern::Binding> load_forecast_query(std::string_view zone, std::chrono::sys_days day) {
  pattern::Binding b;
  GRIDKE_TRY(
      adapter::put(b, "zoneId", std::string(zone), adapter::StringCodec{}, kAskLoadForecast));
  GRIDKE_TRY(adapter::put(b, "forecastId",
                          std::string(zone) + "/" + services::tariffs::format_day(day),
                          adapter::StringCodec{}, kAskLoadForecast));
  return b;
}

Result<services::tariffs::LoadForecast> load_forecast_from_bindings(
    const pattern::BindingSet& bindings, std::string_view zone, std::chrono::sys_days day,
    std::string source) {
  namespace d = forecast_fetch_detail;
  using namespace std::chrono;
  const std::string where = d::where(zone, day);
  const std::string wanted_id = std::string(zone) + "/" + services::tariffs::format_day(day);
  const adapter::DateTimeCodec time_codec;
  const adapter::IriCodec any_iri{};
  // [0] baseline, [1] controllable; one optional value per quarter hour.
  std::array<std::vector<std::optional<double>>, 2> series;
  series[0].resize(d::kQuarters);
  series[1].resize(d::kQuarters);
  const std::array<const char*, 2> names = {"baseline (s4ener:BaseLine)",
                                            "controllable demand (s4ener:Downflex)"};
  std::size_t matched = 0;
  for (const auto& b : bindings) {
    GRIDKE_ASSIGN_OR_RETURN(auto zone_id,
                            adapter::get(b, "zoneId", adapter::StringCodec{}, kAskLoadForecast));
    if (zone_id != zone) continue;
    auto forecast_id = adapter::get(b, "forecastId", adapter::StringCodec{}, kAskLoadForecast);
    if (!forecast_id) return d::in_context(forecast_id.error(), where);
    if (*forecast_id != wanted_id) continue;
    ++matched;
    auto start = adapter::get(b, "quarterStart", time_codec, kAskLoadForecast);
    if (!start) return d::in_context(start.error(), where);
    const auto offset = *start - sys_time<system_clock::duration>(day);
    const auto offset_min = duration_cast<minutes>(offset);
    const std::string start_text = b.find("quarterStart")->value();
    if (offset < system_clock::duration::zero() || offset_min >= days(1) ||
        offset != duration_cast<system_clock::duration>(offset_min) ||
        offset_min.count() % 15 != 0) {
      return invalid_argument(
          where + ": quarter starting " + start_text + " is not on the 15-minute grid of the day",
          adapter::detail::variable_location(kAskLoadForecast, "quarterStart"));
    }
    const auto q = static_cast<std::size_t>(offset_min.count() / 15);
    const std::string at = where + ", quarter " + services::tariffs::quarter_label(q);
    auto end = adapter::get(b, "quarterEnd", time_codec, kAskLoadForecast);
    if (!end) return d::in_context(end.error(), at);
    if (*end - *start != duration_cast<system_clock::duration>(minutes(15))) {
      return invalid_argument(at + ": the interval ends at " + b.find("quarterEnd")->value() +
                                  ", expected 15 minutes after its start " + start_text,
                              adapter::detail::variable_location(kAskLoadForecast, "quarterEnd"));
    }
    auto usage = adapter::get(b, "usage", any_iri, kAskLoadForecast);
    if (!usage) return d::in_context(usage.error(), at);
    std::size_t s = 0;
    if (*usage == kUsageBaseLine) {
      s = 0;
    } else if (*usage == kUsageDownflex) {
      s = 1;
    } else {
      return invalid_argument(
          at + ": usage <" + *usage + "> is neither s4ener:BaseLine nor s4ener:Downflex",
          adapter::detail::variable_location(kAskLoadForecast, "usage"));
    }
    const std::string at_series = at + ", " + names[s];
    auto unit = adapter::get(b, "unit", any_iri, kAskLoadForecast);
    if (!unit) return d::in_context(unit.error(), at_series);
    double factor = 1.0;
    if (*unit == kUnitKilowatt) {
      factor = 1.0;
    } else if (*unit == kUnitWatt) {
      factor = 1e-3;
    } else if (*unit == kUnitMegawatt) {
      factor = 1e3;
    } else {
      return invalid_argument(at_series + ": unit <" + *unit +
                                  "> is not a power unit (expected om:kilowatt, om:watt or "
                                  "om:megawatt)",
                              adapter::detail::variable_location(kAskLoadForecast, "unit"));
    }
    auto value = adapter::get(b, "value", adapter::DoubleCodec{}, kAskLoadForecast);
    if (!value) return d::in_context(value.error(), at_series);
    const double kw = *value * factor;
    if (!std::isfinite(kw) || kw < 0.0) {
      return invalid_argument(
          at_series + ": " + b.find("value")->value() + " is not a load (must be finite and >= 0)",
          adapter::detail::variable_location(kAskLoadForecast, "value"));
    }
    if (series[s][q]) {
      char buf[96];
      std::snprintf(buf, sizeof buf, " (%.6g kW and %.6g kW)", *series[s][q], kw);
      return invalid_argument(
          at_series + ": duplicate interval, the quarter hour is given twice" + std::string(buf),
          adapter::detail::variable_location(kAskLoadForecast, "quarterStart"));
    }
    series[s][q] = kw;
  }
  if (matched == 0) {
    return not_found(where + ": the forecast knowledge base answered no data point for it");
  }
  services::tariffs::LoadForecast out;
  out.zone = std::string(zone);
  out.day = day;
  out.source = std::move(source);
  for (std::size_t s = 0; s < 2; ++s) {
    std::vector<std::string> missing;
    std::vector<double>& values = s == 0 ? out.baseline_kw : out.controllable_kw;
    values.reserve(d::kQuarters);
    for (std::size_t q = 0; q < d::kQuarters; ++q) {
      if (series[s][q]) {
        values.push_back(*series[s][q]);
      } else {
        missing.push_back(services::tariffs::quarter_label(q));
      }
    }
    if (!missing.empty()) {
      std::string list;
      for (std::size_t i = 0; i < missing.size() && i < 6; ++i) {
        list += (i ? ", " : "") + missing[i];
      }
      if (missing.size() > 6) list += ", ...";
      return invalid_argument(where + ": " + names[s] + " is missing for " +
                              std::to_string(missing.size()) + " of " +
                              std::to_string(d::kQuarters) + " quarter hours (" + list + ")");
    }
  }
  GRIDKE_TRY(services::tariffs::check_load_forecast(out));
  return out;
}

Result<services::tariffs::LoadForecast> KeForecastSource::fetch(std::string_view zone,
                                                                std::chrono::sys_days day) {
  GRIDKE_ASSIGN_OR_RETURN(auto query, load_forecast_query(zone, day));
  engine::CallOptions call;
  call.deadline = deadline_;
  GRIDKE_ASSIGN_OR_RETURN(auto answer,
                          adapter_.ask(kAskLoadForecast, pattern::BindingSet{query}, call));
  const std::string where = forecast_fetch_detail::where(zone, day);
  if (answer.exchange_info.empty()) {
    return unavailable(where + ": no forecast knowledge base answers " +
                       std::string(kAskLoadForecast) + " on this knowledge engine");
  }
  std::string answered, failures;
  for (const auto& info : answer.exchange_info) {
    if (info.status == engine::ExchangeStatus::failed) {
      failures +=
          (failures.empty() ? "" : "; ") + info.knowledge_base_id + ": " + info.failed_message;
    } else if (!info.bindings.empty()) {
      answered += (answered.empty() ? "" : ", ") + info.knowledge_base_id;
    }
  }
  if (answered.empty() && !failures.empty()) {
    return unavailable(where + ": every forecast knowledge base failed (" + failures + ")");
  }
  return load_forecast_from_bindings(answer.bindings, zone, day, answered);
}

}  // namespace gridke::adapters::tariffs
