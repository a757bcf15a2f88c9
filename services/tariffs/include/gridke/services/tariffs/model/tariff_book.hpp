#pragma once
// TariffBook: the tariffs in force, one per grid zone or connection, over a known set of zones.
// A tariff for a zone the book does not know is rejected (a typo in a zone id must not silently
// leave a connection unpriced).
// Thread safety: const-safe (const methods may run concurrently; non-const calls need external
// sync). Ownership: owns copies of the structures; find() returns a pointer valid until the next
// non-const call.

#include <map>
#include <set>
#include <string>
#include <string_view>

#include "gridke/base/result.hpp"
#include "gridke/services/tariffs/model/tariff_structure.hpp"

namespace gridke::services::tariffs::model {

class TariffBook {
 public:
  /// Registers a zone or connection id. Errors: invalid_argument for an empty id;
  /// already_exists when the zone is known.
  Result<void> add_zone(std::string zone);

  /// Validates and stores `tariff` as the tariff of tariff.zone, replacing any earlier one.
  /// Errors: those of validate(); not_found when tariff.zone was never added ("unknown zone").
  Result<void> set_tariff(TariffStructure tariff);

  /// The tariff of a zone. Errors: not_found for an unknown zone or a zone without a tariff.
  Result<const TariffStructure*> find(std::string_view zone) const;

  /// Price per kWh for `zone` at `minute` (see price_at()). Errors: as find(); invalid_argument
  /// when minute is outside [0, 1440).
  Result<double> price(std::string_view zone, int minute, double power_kw, double energy_kwh) const;

  std::size_t zone_count() const noexcept { return zones_.size(); }

 private:
  std::set<std::string, std::less<>> zones_;
  std::map<std::string, TariffStructure, std::less<>> tariffs_;
};

}  // namespace gridke::services::tariffs::model
