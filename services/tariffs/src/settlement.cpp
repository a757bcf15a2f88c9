#include "gridke/services/tariffs/settlement.hpp"

#include <cmath>
#include <sstream>

namespace gridke::services::tariffs {
namespace {

Result<void> check_consumption(std::span<const double> kwh) {
  for (std::size_t t = 0; t < kwh.size(); ++t) {
    if (!std::isfinite(kwh[t]) || kwh[t] < 0.0) {
      std::ostringstream m;
      m << "consumption[" << t << "] = " << kwh[t] << " kWh must be finite and >= 0";
      return invalid_argument(m.str());
    }
  }
  return ok();
}

}  // namespace

Result<Bill> settle(std::span<const double> price_per_kwh,
                    std::span<const double> consumption_kwh) {
  if (price_per_kwh.size() != consumption_kwh.size()) {
    return invalid_argument("settlement: " + std::to_string(consumption_kwh.size()) +
                            " consumption intervals against " +
                            std::to_string(price_per_kwh.size()) + " published prices");
  }
  GRIDKE_TRY(check_consumption(consumption_kwh));
  Bill bill;
  bill.cost.resize(price_per_kwh.size());
  for (std::size_t t = 0; t < price_per_kwh.size(); ++t) {
    if (!std::isfinite(price_per_kwh[t]) || price_per_kwh[t] < 0.0) {
      std::ostringstream m;
      m << "settlement: published price[" << t << "] = " << price_per_kwh[t]
        << " must be finite and >= 0";
      return invalid_argument(m.str());
    }
    bill.cost[t] = price_per_kwh[t] * consumption_kwh[t];
    bill.energy_kwh += consumption_kwh[t];
    bill.total_cost += bill.cost[t];
  }
  return bill;
}

Result<Bill> settle(const model::TariffStructure& tariff, std::span<const double> consumption_kwh,
                    int interval_minutes) {
  GRIDKE_TRY(model::validate(tariff));
  if (interval_minutes <= 0 || model::kMinutesPerDay % interval_minutes != 0) {
    return invalid_argument("settlement: interval_minutes " + std::to_string(interval_minutes) +
                            " does not divide the 1440 minutes of a day");
  }
  GRIDKE_TRY(check_consumption(consumption_kwh));
  const double hours = interval_minutes / 60.0;
  Bill bill;
  bill.cost.resize(consumption_kwh.size());
  for (std::size_t t = 0; t < consumption_kwh.size(); ++t) {
    const int minute =
        static_cast<int>((t * static_cast<std::size_t>(interval_minutes)) % model::kMinutesPerDay);
    // Energy triggers see the energy drawn before this interval.
    const double price =
        model::price_at(tariff, minute, consumption_kwh[t] / hours, bill.energy_kwh);
    bill.cost[t] = price * consumption_kwh[t];
    bill.energy_kwh += consumption_kwh[t];
    bill.total_cost += bill.cost[t];
  }
  return bill;
}

}  // namespace gridke::services::tariffs
