#pragma once
// The tariff service every tariff test starts from: in memory, the tests' capacity model
// (price bounds 0.10–1.00 EUR/kWh, constant elasticity -0.5) and a clock the test controls.
// Thread safety: pure function; the service is the caller's.

#include <functional>
#include <memory>
#include <utility>

#include "gridke/base/result.hpp"
#include "gridke/services/tariffs/tariff_service.hpp"

namespace gridke::services::tariffs::test_service {

inline Result<std::unique_ptr<TariffService>> open_in_memory(std::function<TimePoint()> now) {
  TariffServiceOptions o;
  o.capacity.bounds = {0.10, 0.10, 1.00};
  o.capacity.response = solver::ConstantElasticity{-0.5};
  o.now = std::move(now);
  return TariffService::open(":memory:", std::move(o));
}

}  // namespace gridke::services::tariffs::test_service
