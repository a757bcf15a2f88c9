// Synthetic dataset with a planted response; see synthetic_dataset.hpp.

#include "gridke/services/flexibility_response/synthetic_dataset.hpp"

#include <cassert>
#include <cmath>
#include <numbers>
#include <random>
#include <string>

namespace gridke::services::flexibility_response {
namespace {

class Normal {
 public:
  explicit Normal(std::uint64_t seed) : rng_(seed) {}
  double operator()() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    const double u1 = (static_cast<double>(rng_() >> 11) + 0.5) * 0x1.0p-53;
    const double u2 = static_cast<double>(rng_() >> 11) * 0x1.0p-53;
    const double r = std::sqrt(-2.0 * std::log(u1));
    spare_ = r * std::sin(2.0 * std::numbers::pi * u2);
    has_spare_ = true;
    return r * std::cos(2.0 * std::numbers::pi * u2);
  }
  double uniform() { return static_cast<double>(rng_() >> 11) * 0x1.0p-53; }

 private:
  std::mt19937_64 rng_;
  double spare_ = 0.0;
  bool has_spare_ = false;
};

}  // namespace

model::Dataset make_synthetic_dataset(const SyntheticOptions& options) {
  assert(options.customers >= 1 && options.days >= 1);
  assert(options.time_step_minutes > 0 && 1440 % options.time_step_minutes == 0);
  const int steps_per_day = 1440 / options.time_step_minutes;
  const std::size_t steps = static_cast<std::size_t>(options.days) * steps_per_day;
  Normal random(options.seed);
  // Shared per-step signal and temperature (one region, one tariff schedule).
  std::vector<double> price(steps), temperature(steps);
  std::vector<int> hour_of_step(steps);
  for (std::size_t s = 0; s < steps; ++s) {
    const int day = static_cast<int>(s / static_cast<std::size_t>(steps_per_day));
    const double hour = static_cast<double>(s % static_cast<std::size_t>(steps_per_day)) *
                        options.time_step_minutes / 60.0;
    hour_of_step[s] = static_cast<int>(hour);
    temperature[s] = 10.0 + 8.0 * std::sin(2.0 * std::numbers::pi * (day - 110) / 365.0) -
                     4.0 * std::cos(2.0 * std::numbers::pi * hour / 24.0) + random();
    const double u = random.uniform();
    price[s] = options.normal_price;
    if (hour >= 16.0 && hour < 21.0 && u < 0.06) price[s] = options.high_price;
    if (((hour < 6.0) || (hour >= 12.0 && hour < 15.0)) && u < 0.08) price[s] = options.low_price;
  }
  model::Dataset dataset;
  dataset.consumption_unit = model::ConsumptionUnit::kw;
  dataset.signal_class = model::SignalClass::cost;
  dataset.signal_unit = "GBP/kWh";
  dataset.baseline_signal_value = options.normal_price;
  dataset.window = {options.start_s,
                    options.start_s + static_cast<std::int64_t>(options.days) * 86400};
  const std::size_t rows = steps * static_cast<std::size_t>(options.customers);
  dataset.user.reserve(rows);
  dataset.timestamp_s.reserve(rows);
  dataset.consumption.reserve(rows);
  dataset.signal.reserve(rows);
  dataset.outside_temperature_c.reserve(rows);
  for (int c = 0; c < options.customers; ++c) {
    dataset.user_ids.push_back("user" + std::to_string(c));
    const double level = 0.3 + 0.05 * (c % 7);
    const double evening = 0.4 + 0.1 * (c % 5);
    const bool responsive = is_responsive(options, c);
    for (std::size_t s = 0; s < steps; ++s) {
      const int hour = hour_of_step[s];
      double y = level + evening * std::exp(-0.5 * (hour - 19) * (hour - 19) / 4.0) -
                 0.02 * (temperature[s] - 15.0) + options.noise_kw * random();
      if (responsive && price[s] == options.high_price) y += options.high_response_kw;
      if (responsive && price[s] == options.low_price) y += options.low_response_kw;
      dataset.user.push_back(c);
      dataset.timestamp_s.push_back(options.start_s +
                                    static_cast<std::int64_t>(s) * options.time_step_minutes * 60);
      dataset.consumption.push_back(y);
      dataset.signal.push_back(price[s]);
      dataset.outside_temperature_c.push_back(temperature[s]);
    }
  }
  return dataset;
}

}  // namespace gridke::services::flexibility_response
