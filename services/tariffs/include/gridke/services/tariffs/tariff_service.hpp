#pragma once
// TariffService: the DSO's tariff publication (D4.3 §2.1.1.4 Dutch pilot, Table 16 steps
// "determine tariff" → "publish tariff"; §4.3 step 3 "bill the actual grid usage").
//
// - Dynamic day: from the day-ahead forecasts of day D (one per grid zone or connection), the
//   capacity tariff per quarter hour (capacity_tariff.hpp) is computed, stored and published.
// - Static day: each zone's static tariff (set once) is published unchanged for day D, so the
//   pilot can compare static and dynamic tariffs with the same publication path.
// - Deadline: the tariff of day D (a UTC day of 96 quarter hours) must be published at least
//   `lead_time` (default 1 h, D4.3 "at least one hour before the active day") before D starts;
//   a later publication is refused with failed_precondition and nothing is stored or sent.
//   A day is published once per zone: republishing replaces it only before the deadline.
// - Listeners are told of every published zone day (the SSA posts them on the engine).
// - Settlement bills actual consumption against the published prices of that zone and day.
//
// Storage: core/storage (SQLite), tables `published_tariff` and `static_tariff`; a service
// opened on the same file after a restart sees everything published before.
// Thread safety: internally synchronised; listeners run on the publishing thread, after the
// lock is released, and must not call remove_listener() for themselves.
// Ownership: results are values.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "gridke/base/result.hpp"
#include "gridke/services/tariffs/capacity_tariff.hpp"
#include "gridke/services/tariffs/forecast_source.hpp"
#include "gridke/services/tariffs/settlement.hpp"

namespace gridke::services::tariffs {

using TimePoint = std::chrono::sys_time<std::chrono::milliseconds>;
using Day = std::chrono::sys_days;

/// Quarter hours in a published (UTC) day.
inline constexpr std::size_t kQuartersPerDay = 96;
inline constexpr int kQuarterMinutes = 15;

/// "YYYY-MM-DD" ↔ Day. Errors: invalid_argument naming `field` and the text.
Result<Day> parse_day(std::string_view text, std::string_view field = "day");
std::string format_day(Day day);

enum class TariffMode : std::uint8_t { dynamic, static_tariff };
/// "dynamic", "static".
std::string_view to_string(TariffMode mode) noexcept;

/// One zone's published day.
struct PublishedTariff {
  std::string zone;
  Day day{};
  TariffMode mode = TariffMode::dynamic;
  std::vector<double> price_per_kwh;        ///< kQuartersPerDay values
  std::vector<solver::PriceStatus> status;  ///< per quarter (static: at_floor)
  std::vector<double> expected_demand_kw;   ///< dynamic: B + D(p); static: empty
  TimePoint published_at{};
  /// Start of quarter q (UTC).
  TimePoint quarter_start(std::size_t q) const;
};

/// A dynamic publication whose forecasts were fetched (Table 16 fetch → determine → publish).
struct FetchedPublication {
  std::vector<PublishedTariff> tariffs;
  std::vector<ForecastUse> forecasts;  ///< which forecast each zone used, same order
};

struct TariffServiceOptions {
  /// Publication deadline before the start of the day (>= 0).
  std::chrono::minutes lead_time{60};
  /// Default model of the capacity tariff (a request may bring its own).
  CapacityTariffConfig capacity;
  /// The clock (tests set a fixed time to exercise the deadline).
  std::function<TimePoint()> now;
};

class TariffService {
 public:
  using Listener = std::function<void(const PublishedTariff&)>;

  /// Opens the store at `database_path` (":memory:" for none). Errors: invalid_argument
  /// (negative lead time; the capacity config as CapacityTariffCalculator::create()); the
  /// storage errors (unavailable, failed_precondition) naming the path.
  static Result<std::unique_ptr<TariffService>> open(const std::string& database_path,
                                                     TariffServiceOptions options = {});
  ~TariffService();
  TariffService(const TariffService&) = delete;
  TariffService& operator=(const TariffService&) = delete;

  /// The latest time at which day D may still be published: D 00:00Z - lead_time.
  TimePoint deadline(Day day) const;

  /// Computes the capacity tariff of every forecast for `day` and publishes it (stores, then
  /// notifies listeners in forecast order). `config` replaces the default model when given.
  /// Errors: failed_precondition when now() is past deadline(day) ("late publication …", naming
  /// the day, the deadline and now); invalid_argument for no forecasts, a duplicate zone, a
  /// forecast without kQuartersPerDay intervals, and the calculator's errors (naming the zone);
  /// storage errors. All-or-nothing: on error nothing is stored or notified.
  Result<std::vector<PublishedTariff>> publish_capacity_tariffs(
      Day day, std::span<const ZoneForecast> forecasts,
      const std::optional<CapacityTariffConfig>& config = std::nullopt);

  /// Table 16 steps 1-3: checks the deadline, fetches each zone's forecast from `source` with
  /// resolve_forecasts() (`requested` are the DSO-computed forecasts, which give the capacity
  /// and the fallback), then publishes as publish_capacity_tariffs(). `source` may be null (every
  /// zone falls back, stated in `forecasts`). Errors: failed_precondition when late (before any
  /// fetch); resolve_forecasts()'s errors; publish_capacity_tariffs()'s errors.
  Result<FetchedPublication> publish_with_fetched_forecasts(
      Day day, std::span<const ZoneForecast> requested, ForecastSource* source,
      FetchPolicy policy = FetchPolicy::fetched_or_dso,
      const std::optional<CapacityTariffConfig>& config = std::nullopt);

  /// Sets (or replaces) a zone's static tariff: kQuartersPerDay prices per kWh. Errors:
  /// invalid_argument (empty zone, wrong count, negative or non-finite price, naming the index).
  Result<void> set_static_tariff(const std::string& zone, std::vector<double> price_per_kwh);
  /// The static tariff of a zone, or nullopt.
  std::optional<std::vector<double>> static_tariff(std::string_view zone) const;
  /// Publishes every static tariff unchanged for `day`. Errors: failed_precondition when late
  /// (as above) or when no static tariff is set; storage errors.
  Result<std::vector<PublishedTariff>> publish_static_tariffs(Day day);

  /// The published tariff of a zone and day, or nullopt.
  Result<std::optional<PublishedTariff>> find(std::string_view zone, Day day) const;
  /// Every zone published for `day`, ordered by zone.
  Result<std::vector<PublishedTariff>> list(Day day) const;
  /// Every published zone day with day >= `from`, ordered by day then zone.
  Result<std::vector<PublishedTariff>> list_from(Day from) const;

  /// Bills kQuartersPerDay consumptions (kWh) of `zone` on `day` against its published prices.
  /// Errors: not_found (nothing published for the zone and day); settle()'s errors.
  Result<Bill> settle(std::string_view zone, Day day,
                      std::span<const double> consumption_kwh) const;

  /// Registers a listener; returns its id.
  int add_listener(Listener listener);
  void remove_listener(int id);

  const TariffServiceOptions& options() const noexcept;
  TimePoint now() const;

 private:
  struct Impl;
  explicit TariffService(std::unique_ptr<Impl> impl);
  Result<void> check_deadline(Day day) const;
  Result<void> store_and_notify(const std::vector<PublishedTariff>& published);
  std::unique_ptr<Impl> impl_;
};

}  // namespace gridke::services::tariffs
