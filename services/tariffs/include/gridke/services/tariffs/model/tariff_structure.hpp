#pragma once
// Tariff structures of D4.3 §4.3 ("Algorithm"): time-of-use (ToU), real-time pricing (RTP) and
// critical-peak pricing (CPP), built from tiers (price levels) and triggers that switch to a tier
// by time, by power or by energy.
//
// A structure prices one day (minutes 0..1440) for one grid zone or connection:
//   base price   ToU/CPP: the tier of the time period covering the minute (periods must tile
//                the day: no overlap, no gap); RTP: one price per interval of interval_minutes.
//   CPP event    inside a critical event window the critical tier applies.
//   triggers     a power trigger fires when the connection's power exceeds above_kw, an energy
//                trigger when the energy drawn since the start of the billing period exceeds
//                above_kwh; a fired trigger switches to its tier.
// The applicable price is the highest of the base price and the prices of all fired triggers
// (triggers only ever raise the price: a trigger is a penalty tier, D4.3 "switch to another
// tier" for power limits and energy budgets).
//
// Thread safety: plain values; validate() and price_at() are pure.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gridke/base/result.hpp"

namespace gridke::services::tariffs::model {

inline constexpr int kMinutesPerDay = 1440;

enum class TariffKind { time_of_use, real_time, critical_peak };

/// "time_of_use", "real_time", "critical_peak".
std::string_view to_string(TariffKind kind) noexcept;

/// A price level, in currency per kWh (the currency is the deployment's; LCL uses GBP).
struct Tier {
  std::string name;
  double price_per_kwh = 0.0;
};

/// The minutes [start_minute, end_minute) of the day priced at `tier`.
struct TimePeriod {
  int start_minute = 0;
  int end_minute = 0;
  std::string tier;
};

/// Switches to `tier` while the connection's power is above above_kw.
struct PowerTrigger {
  double above_kw = 0.0;
  std::string tier;
};

/// Switches to `tier` once the energy since the start of the billing period is above above_kwh.
struct EnergyTrigger {
  double above_kwh = 0.0;
  std::string tier;
};

/// One tariff for one zone or connection.
struct TariffStructure {
  std::string id;
  std::string zone;  ///< grid zone or connection id the tariff applies to
  TariffKind kind = TariffKind::time_of_use;
  std::vector<Tier> tiers;
  std::vector<TimePeriod> periods;          ///< ToU and CPP: must tile [0, 1440)
  int interval_minutes = 15;                ///< RTP: length of one price interval, divides 1440
  std::vector<double> real_time_prices;     ///< RTP: 1440 / interval_minutes prices per kWh
  std::vector<TimePeriod> critical_events;  ///< CPP: windows priced at their tier; may not overlap
  std::vector<PowerTrigger> power_triggers;
  std::vector<EnergyTrigger> energy_triggers;
};

/// Checks a structure. Errors (all invalid_argument, the message names the tariff id and the
/// offending period, tier, price or index): empty id or zone; no tiers; duplicate tier names;
/// negative or non-finite prices; a period, event or trigger naming an unknown tier; periods
/// outside [0, 1440) or empty; overlapping periods ("overlap"); minutes not covered ("gap");
/// ToU with critical events; RTP with interval_minutes not dividing 1440 or the wrong number of
/// prices; negative or non-finite trigger thresholds.
Result<void> validate(const TariffStructure& tariff);

/// The price per kWh at `minute` of the day for a connection drawing power_kw with energy_kwh
/// drawn since the start of the billing period.
/// REQUIRES: validate(tariff) succeeded; 0 <= minute < 1440.
double price_at(const TariffStructure& tariff, int minute, double power_kw, double energy_kwh);

/// Price of the tier named `name`, or nullopt.
std::optional<double> tier_price(const TariffStructure& tariff, std::string_view name);

}  // namespace gridke::services::tariffs::model
