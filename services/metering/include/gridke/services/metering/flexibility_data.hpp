#pragma once
// Flexibility data per grid zone for open data sharing (D4.3 §2.2, Portuguese pilot: "flexibility
// data per grid zone (historical or forecast needs from the flexibility service)").
//
// The needs come from the DSO flexibility market (services/flexibility_market) through a
// FlexibilityNeedsSource: a callback the process that runs both services installs
// (MeteringService::set_flexibility_source). services/metering does not depend on the market's
// types; the source converts its needs to ZoneFlexibilityNeed. Needs are about grid zones, not
// consumers (the HEMS ids a market need may target are dropped by the source), so no anonymity
// threshold applies.
//
// summarise_flexibility() sums the needs of one zone, direction and interval (several market
// requests for the same slot add up) and marks each interval historical (it started before
// `now`) or forecast.
// Thread safety: pure function and values.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "gridke/base/result.hpp"
#include "gridke/services/metering/tic_reading.hpp"

namespace gridke::services::metering {

/// down: the DSO needs less consumption (or more generation) in the zone; up: more consumption
/// (or less generation) — the flexibility market's convention.
enum class FlexDirection : std::uint8_t { up, down };
/// "up" / "down".
std::string_view to_string(FlexDirection d) noexcept;

/// One flexibility need of the market, reduced to what open data may show.
struct ZoneFlexibilityNeed {
  std::string zone;
  FlexDirection direction = FlexDirection::down;
  double needs_kw = 0.0;
  TimePoint start{};
  TimePoint end{};
};

/// Every need the flexibility service currently holds (published, historical and future).
/// Errors are the source's own (e.g. unavailable); they reach the open-data caller with the
/// context "flexibility data source".
using FlexibilityNeedsSource = std::function<Result<std::vector<ZoneFlexibilityNeed>>()>;

/// The needs of one zone, direction and interval.
struct ZoneFlexibility {
  std::string zone;
  FlexDirection direction = FlexDirection::down;
  TimePoint start{};
  TimePoint end{};
  double needs_kw = 0.0;  ///< sum over the needs of this slot
  std::size_t needs = 0;  ///< how many market needs were summed
  bool forecast = false;  ///< start >= now (a forecast need), else historical
};

/// The slots of `needs` that overlap [from, to), sorted by zone, start, direction. Errors
/// (invalid_argument, "flexibility need N (zone Z): …"): an empty zone, a negative or
/// non-finite needs_kw, end <= start; to <= from.
Result<std::vector<ZoneFlexibility>> summarise_flexibility(
    std::span<const ZoneFlexibilityNeed> needs, TimePoint from, TimePoint to, TimePoint now);

}  // namespace gridke::services::metering
