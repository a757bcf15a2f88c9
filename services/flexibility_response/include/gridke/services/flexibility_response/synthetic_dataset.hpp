#pragma once
// A synthetic D4.3 dataset with a KNOWN planted response, for tests, benchmarks and demos.
//
// Customer c, day d, time step t (slot h = hour of day), outside temperature
//   T = 10 + 8 sin(2π (doy - 110) / 365) - 4 cos(2π hour / 24) + N(0, 1)      [°C]
// and a cost signal per step (baseline `normal_price`, `high_price` on a random 6 % of steps in
// 16:00-21:00, `low_price` on a random 8 % of steps in 00:00-06:00 and 12:00-15:00, as LCL's dToU
// schedule). Consumption in kW:
//   y = base_c(h) - 0.02 (T - 15) + response_c(level, h) + N(0, noise_kw)
// with base_c(h) a customer-specific daily shape and response_c planted only for the
// "responsive" customers (c % responsive_every == 0): `high_response_kw` (negative = reduction)
// in the high hours and `low_response_kw` in the low hours; other customers do not respond.
// Deterministic for a given seed (std::mt19937_64, Box-Muller normals written out here so the
// stream does not depend on the standard library's distribution implementation).
//
// Thread safety: pure function. Ownership: returns a new Dataset.

#include <cstdint>

#include "gridke/services/flexibility_response/model/dataset.hpp"

namespace gridke::services::flexibility_response {

struct SyntheticOptions {
  int customers = 10;
  int days = 365;
  int time_step_minutes = 30;
  std::int64_t start_s = 1356998400;  ///< 2013-01-01T00:00:00
  int responsive_every = 2;           ///< customer c responds when c % responsive_every == 0
  double high_response_kw = -0.5;
  double low_response_kw = 0.3;
  double noise_kw = 0.1;
  double normal_price = 0.1176;
  double high_price = 0.6720;
  double low_price = 0.0399;
  std::uint64_t seed = 42;
};

/// Builds the dataset (unit kW, class Cost in GBP/kWh, baseline value = normal_price, window =
/// the generated days). REQUIRES: customers >= 1, days >= 1, time_step_minutes divides 1440.
model::Dataset make_synthetic_dataset(const SyntheticOptions& options);

/// True when customer `c` carries the planted response.
inline bool is_responsive(const SyntheticOptions& options, int c) {
  return c % options.responsive_every == 0;
}

}  // namespace gridke::services::flexibility_response
