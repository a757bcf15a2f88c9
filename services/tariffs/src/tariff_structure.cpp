#include "gridke/services/tariffs/model/tariff_structure.hpp"

#include <algorithm>
#include <cmath>
#include <set>
#include <sstream>

namespace gridke::services::tariffs::model {
namespace {

std::string where(const TariffStructure& t) { return "tariff '" + t.id + "'"; }

std::string minute_text(int minute) {
  std::ostringstream out;
  out << minute << " (" << (minute / 60 < 10 ? "0" : "") << minute / 60 << ':'
      << (minute % 60 < 10 ? "0" : "") << minute % 60 << ')';
  return out.str();
}

Result<void> check_tier_ref(const TariffStructure& t, const std::set<std::string>& names,
                            const std::string& tier, const std::string& what) {
  if (names.count(tier) == 0) {
    return invalid_argument(where(t) + ": " + what + " names unknown tier '" + tier + "'");
  }
  return ok();
}

// Sorted copy of windows, each checked to lie in [0, 1440) and be non-empty; overlaps rejected.
Result<std::vector<TimePeriod>> sorted_windows(const TariffStructure& t,
                                               const std::vector<TimePeriod>& windows,
                                               const std::set<std::string>& names,
                                               const char* what) {
  for (std::size_t i = 0; i < windows.size(); ++i) {
    const auto& w = windows[i];
    const std::string label = std::string(what) + " " + std::to_string(i);
    if (w.start_minute < 0 || w.end_minute > kMinutesPerDay || w.start_minute >= w.end_minute) {
      return invalid_argument(where(t) + ": " + label + " [" + std::to_string(w.start_minute) +
                              ", " + std::to_string(w.end_minute) +
                              ") must be non-empty within [0, 1440) minutes");
    }
    GRIDKE_TRY(check_tier_ref(t, names, w.tier, label));
  }
  std::vector<TimePeriod> sorted = windows;
  std::sort(sorted.begin(), sorted.end(), [](const TimePeriod& a, const TimePeriod& b) {
    return a.start_minute < b.start_minute;
  });
  for (std::size_t i = 1; i < sorted.size(); ++i) {
    if (sorted[i].start_minute < sorted[i - 1].end_minute) {
      return invalid_argument(where(t) + ": " + what + "s overlap: [" +
                              std::to_string(sorted[i - 1].start_minute) + ", " +
                              std::to_string(sorted[i - 1].end_minute) + ") and [" +
                              std::to_string(sorted[i].start_minute) + ", " +
                              std::to_string(sorted[i].end_minute) + ")");
    }
  }
  return sorted;
}

// Tier names must be unique and prices finite and non-negative; returns the names.
Result<std::set<std::string>> check_tiers(const TariffStructure& t) {
  std::set<std::string> names;
  for (const auto& tier : t.tiers) {
    if (tier.name.empty()) return invalid_argument(where(t) + ": a tier has an empty name");
    if (!names.insert(tier.name).second) {
      return invalid_argument(where(t) + ": duplicate tier '" + tier.name + "'");
    }
    if (!std::isfinite(tier.price_per_kwh) || tier.price_per_kwh < 0.0) {
      std::ostringstream m;
      m << where(t) << ": tier '" << tier.name << "' has negative or non-finite price "
        << tier.price_per_kwh << " per kWh";
      return invalid_argument(m.str());
    }
  }
  return names;
}

Result<void> check_real_time(const TariffStructure& t) {
  if (t.interval_minutes <= 0 || kMinutesPerDay % t.interval_minutes != 0) {
    return invalid_argument(where(t) + ": interval_minutes " + std::to_string(t.interval_minutes) +
                            " does not divide the 1440 minutes of a day");
  }
  const std::size_t expected = static_cast<std::size_t>(kMinutesPerDay / t.interval_minutes);
  if (t.real_time_prices.size() != expected) {
    return invalid_argument(where(t) + ": real-time tariff needs " + std::to_string(expected) +
                            " prices of " + std::to_string(t.interval_minutes) + " min, got " +
                            std::to_string(t.real_time_prices.size()));
  }
  for (std::size_t i = 0; i < expected; ++i) {
    const double p = t.real_time_prices[i];
    if (!std::isfinite(p) || p < 0.0) {
      std::ostringstream m;
      m << where(t) << ": real-time price " << i << " (minute "
        << minute_text(static_cast<int>(i) * t.interval_minutes)
        << ") is negative or non-finite: " << p;
      return invalid_argument(m.str());
    }
  }
  if (!t.periods.empty()) {
    return invalid_argument(where(t) + ": a real-time tariff takes prices, not time periods");
  }
  return ok();
}

// ToU/CPP periods must tile [0, 1440).
Result<void> check_periods(const TariffStructure& t, const std::set<std::string>& names) {
  GRIDKE_ASSIGN_OR_RETURN(auto periods, sorted_windows(t, t.periods, names, "period"));
  int covered_to = 0;
  for (const auto& p : periods) {
    if (p.start_minute > covered_to) {
      return invalid_argument(where(t) + ": gap: no period covers minutes " +
                              minute_text(covered_to) + " to " + minute_text(p.start_minute));
    }
    covered_to = p.end_minute;
  }
  if (covered_to < kMinutesPerDay) {
    return invalid_argument(where(t) + ": gap: no period covers minutes " +
                            minute_text(covered_to) + " to " + minute_text(kMinutesPerDay));
  }
  return ok();
}

Result<void> check_triggers(const TariffStructure& t, const std::set<std::string>& names) {
  for (std::size_t i = 0; i < t.power_triggers.size(); ++i) {
    const auto& trig = t.power_triggers[i];
    if (!std::isfinite(trig.above_kw) || trig.above_kw < 0.0) {
      return invalid_argument(where(t) + ": power trigger " + std::to_string(i) +
                              " has negative or non-finite threshold " +
                              std::to_string(trig.above_kw) + " kW");
    }
    GRIDKE_TRY(check_tier_ref(t, names, trig.tier, "power trigger " + std::to_string(i)));
  }
  for (std::size_t i = 0; i < t.energy_triggers.size(); ++i) {
    const auto& trig = t.energy_triggers[i];
    if (!std::isfinite(trig.above_kwh) || trig.above_kwh < 0.0) {
      return invalid_argument(where(t) + ": energy trigger " + std::to_string(i) +
                              " has negative or non-finite threshold " +
                              std::to_string(trig.above_kwh) + " kWh");
    }
    GRIDKE_TRY(check_tier_ref(t, names, trig.tier, "energy trigger " + std::to_string(i)));
  }
  return ok();
}

}  // namespace

std::string_view to_string(TariffKind kind) noexcept {
  switch (kind) {
    case TariffKind::time_of_use: return "time_of_use";
    case TariffKind::real_time: return "real_time";
    case TariffKind::critical_peak: return "critical_peak";
  }
  return "unknown";
}

Result<void> validate(const TariffStructure& t) {
  if (t.id.empty()) return invalid_argument("tariff id is empty");
  if (t.zone.empty()) return invalid_argument(where(t) + ": zone is empty");
  if (t.tiers.empty() && t.kind != TariffKind::real_time) {
    return invalid_argument(where(t) + ": has no tiers");
  }
  GRIDKE_ASSIGN_OR_RETURN(const auto names, check_tiers(t));
  if (t.kind == TariffKind::real_time) {
    GRIDKE_TRY(check_real_time(t));
  } else {
    GRIDKE_TRY(check_periods(t, names));
  }
  if (t.kind == TariffKind::time_of_use && !t.critical_events.empty()) {
    return invalid_argument(where(t) +
                            ": critical events need kind critical_peak, not time_of_use");
  }
  GRIDKE_TRY(sorted_windows(t, t.critical_events, names, "critical event"));
  return check_triggers(t, names);
}

std::optional<double> tier_price(const TariffStructure& t, std::string_view name) {
  for (const auto& tier : t.tiers) {
    if (tier.name == name) return tier.price_per_kwh;
  }
  return std::nullopt;
}

double price_at(const TariffStructure& t, int minute, double power_kw, double energy_kwh) {
  double price = 0.0;
  if (t.kind == TariffKind::real_time) {
    price = t.real_time_prices[static_cast<std::size_t>(minute / t.interval_minutes)];
  } else {
    for (const auto& p : t.periods) {
      if (minute >= p.start_minute && minute < p.end_minute) {
        price = tier_price(t, p.tier).value_or(0.0);
        break;
      }
    }
  }
  for (const auto& e : t.critical_events) {
    if (minute >= e.start_minute && minute < e.end_minute) {
      price = tier_price(t, e.tier).value_or(price);
    }
  }
  for (const auto& trig : t.power_triggers) {
    if (power_kw > trig.above_kw) price = std::max(price, tier_price(t, trig.tier).value_or(0.0));
  }
  for (const auto& trig : t.energy_triggers) {
    if (energy_kwh > trig.above_kwh) {
      price = std::max(price, tier_price(t, trig.tier).value_or(0.0));
    }
  }
  return price;
}

}  // namespace gridke::services::tariffs::model
