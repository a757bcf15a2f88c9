#include "gridke/services/tariffs/forecast_source.hpp"

#include <cmath>
#include <cstdio>
#include <set>

namespace gridke::services::tariffs {
namespace forecast_source_detail {

// "YYYY-MM-DD" (kept here so this file does not depend on tariff_service.hpp).
std::string day_text(std::chrono::sys_days day) {
  const std::chrono::year_month_day ymd(day);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

std::string number_text(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", x);
  return buf;
}

Result<void> check_series(const LoadForecast& f, const char* series,
                          const std::vector<double>& values) {
  constexpr std::size_t kQuarters = 96;
  const std::string where = "zone '" + f.zone + "' on " + day_text(f.day) + ": ";
  if (values.size() != kQuarters) {
    return invalid_argument(where + series + " has " + std::to_string(values.size()) +
                            " quarter hours, expected " + std::to_string(kQuarters));
  }
  for (std::size_t q = 0; q < values.size(); ++q) {
    const double v = values[q];
    if (!std::isfinite(v) || v < 0.0) {
      return invalid_argument(where + series + " at " + quarter_label(q) + " (quarter " +
                              std::to_string(q) + ") is " + number_text(v) +
                              " kW: a load forecast must be finite and >= 0");
    }
  }
  return ok();
}

}  // namespace forecast_source_detail

std::string quarter_label(std::size_t q) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02zu:%02zu", (q / 4) % 100, (q % 4) * 15);
  return buf;
}

Result<void> check_load_forecast(const LoadForecast& f) {
  if (f.zone.empty()) {
    return invalid_argument("load forecast of " + forecast_source_detail::day_text(f.day) +
                            ": zone must not be empty");
  }
  GRIDKE_TRY(forecast_source_detail::check_series(f, "baseline_kw", f.baseline_kw));
  GRIDKE_TRY(forecast_source_detail::check_series(f, "controllable_kw", f.controllable_kw));
  return ok();
}

std::string_view to_string(ForecastOrigin origin) noexcept {
  return origin == ForecastOrigin::forecast_kb ? "forecast-kb" : "dso";
}

std::string ForecastUse::describe() const {
  if (origin == ForecastOrigin::forecast_kb) {
    return "zone '" + zone + "': forecast from forecast KB" +
           (source.empty() ? std::string() : " <" + source + ">");
  }
  return "zone '" + zone + "': fallback to the DSO-computed forecast (" + fallback_reason + ")";
}

Result<ResolvedForecasts> resolve_forecasts(std::chrono::sys_days day,
                                            std::span<const ZoneForecast> requested,
                                            ForecastSource* source, FetchPolicy policy) {
  ResolvedForecasts out;
  out.forecasts.reserve(requested.size());
  out.uses.reserve(requested.size());
  std::set<std::string, std::less<>> seen;
  for (const auto& dso : requested) {
    if (!seen.insert(dso.zone).second) {
      return invalid_argument("forecasts of " + forecast_source_detail::day_text(day) + ": zone '" +
                              dso.zone + "' is given twice");
    }
    ForecastUse use;
    use.zone = dso.zone;
    ZoneForecast chosen = dso;
    if (source == nullptr && policy == FetchPolicy::fetched_only) {
      return unavailable("fetching the forecast of zone '" + dso.zone +
                         "' (no fallback allowed): no forecast source configured");
    }
    if (source == nullptr) {
      use.fallback_reason = "no forecast source configured";
    } else {
      auto fetched = source->fetch(dso.zone, day);
      if (fetched) {
        if (auto checked = check_load_forecast(*fetched); !checked) {
          fetched = checked.error();
        } else if (fetched->zone != dso.zone || fetched->day != day) {
          fetched = internal_error("forecast source returned zone '" + fetched->zone + "' on " +
                                   forecast_source_detail::day_text(fetched->day) + " for zone '" +
                                   dso.zone + "' on " + forecast_source_detail::day_text(day));
        }
      }
      if (fetched) {
        use.origin = ForecastOrigin::forecast_kb;
        use.source = fetched->source;
        chosen.baseline_kw = std::move(fetched->baseline_kw);
        chosen.controllable_kw = std::move(fetched->controllable_kw);
      } else if (policy == FetchPolicy::fetched_only) {
        return fetched.error().with_context("fetching the forecast of zone '" + dso.zone +
                                            "' (no fallback allowed)");
      } else {
        use.fallback_reason = fetched.error().to_string();
      }
    }
    if (use.origin == ForecastOrigin::dso && dso.baseline_kw.empty() &&
        dso.controllable_kw.empty()) {
      return invalid_argument("zone '" + dso.zone +
                              "': no fetched forecast and no DSO-computed forecast to fall "
                              "back on (" +
                              use.fallback_reason + ")");
    }
    out.forecasts.push_back(std::move(chosen));
    out.uses.push_back(std::move(use));
  }
  return out;
}

}  // namespace gridke::services::tariffs
