#include "gridke/services/tariffs/model/tariff_book.hpp"

namespace gridke::services::tariffs::model {

Result<void> TariffBook::add_zone(std::string zone) {
  if (zone.empty()) return invalid_argument("zone id is empty");
  if (zones_.count(zone) != 0) return already_exists("zone '" + zone + "' is already known");
  zones_.insert(std::move(zone));
  return ok();
}

Result<void> TariffBook::set_tariff(TariffStructure tariff) {
  GRIDKE_TRY(validate(tariff));
  if (zones_.find(tariff.zone) == zones_.end()) {
    return not_found("tariff '" + tariff.id + "': unknown zone '" + tariff.zone + "'");
  }
  std::string zone = tariff.zone;
  tariffs_.insert_or_assign(std::move(zone), std::move(tariff));
  return ok();
}

Result<const TariffStructure*> TariffBook::find(std::string_view zone) const {
  if (zones_.find(zone) == zones_.end()) {
    return not_found("unknown zone '" + std::string(zone) + "'");
  }
  const auto it = tariffs_.find(zone);
  if (it == tariffs_.end()) return not_found("zone '" + std::string(zone) + "' has no tariff");
  return &it->second;
}

Result<double> TariffBook::price(std::string_view zone, int minute, double power_kw,
                                 double energy_kwh) const {
  GRIDKE_ASSIGN_OR_RETURN(const TariffStructure* tariff, find(zone));
  if (minute < 0 || minute >= kMinutesPerDay) {
    return invalid_argument("minute " + std::to_string(minute) + " is outside [0, 1440)");
  }
  return price_at(*tariff, minute, power_kw, energy_kwh);
}

}  // namespace gridke::services::tariffs::model
