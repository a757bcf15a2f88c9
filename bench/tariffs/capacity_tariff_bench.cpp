// Day-ahead capacity tariff benchmarks (issue 9: 10,000 zones x 96 quarter hours <= 100 ms).
// Workload: synthetic feeders, deterministic; baseline with morning and evening peaks, EV-like
// controllable demand peaking in the evening, capacity drawn so that about 15-20 % of the
// quarter hours are congested at the reference price (the rest need no model evaluation).
//   BM_CapacityTariffCalculator_ConstantElasticity  closed form, no shifting
//   BM_CapacityTariffCalculator_ConstantElasticityShift  closed form, load shifting s = 0.5
//   BM_CapacityTariffCalculator_Bisection  std::function logistic response, bisection
//   BM_CapacityTariffCalculator_BisectionMicroPrice  the same, bracket 1e-6 per kWh
//   BM_CapacityTariffCalculator_Tiers  three discrete tiers (LCL levels)

#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "gridke/services/tariffs/capacity_tariff.hpp"

namespace {

using gridke::services::tariffs::CapacityTariffCalculator;
using gridke::services::tariffs::CapacityTariffConfig;
using gridke::services::tariffs::ZoneForecast;
using gridke::services::tariffs::ZoneTariff;
namespace solver = gridke::services::tariffs::solver;

constexpr std::size_t kZones = 10'000;
constexpr std::size_t kQuarters = 96;

// xorshift64*: deterministic, no <random> distribution differences between library versions.
double uniform(std::uint64_t& s) {
  s ^= s >> 12;
  s ^= s << 25;
  s ^= s >> 27;
  return static_cast<double>((s * 2685821657736338717ULL) >> 11) * 0x1.0p-53;
}

std::vector<ZoneForecast> make_zones() {
  std::vector<ZoneForecast> zones(kZones);
  std::uint64_t seed = 0x9E3779B97F4A7C15ULL;
  for (std::size_t z = 0; z < kZones; ++z) {
    auto& f = zones[z];
    f.zone = "zone-" + std::to_string(z);
    const double size = 50.0 + 150.0 * uniform(seed);
    const double evening = 17.5 + 2.0 * uniform(seed);
    const double capacity = size * (0.85 + 0.25 * uniform(seed));
    for (std::size_t t = 0; t < kQuarters; ++t) {
      const double h = static_cast<double>(t) / 4.0;
      const double morning_peak = std::exp(-0.5 * std::pow((h - 8.0) / 1.2, 2.0));
      const double evening_peak = std::exp(-0.5 * std::pow((h - evening) / 1.5, 2.0));
      f.baseline_kw.push_back(size * (0.35 + 0.2 * morning_peak + 0.3 * evening_peak));
      f.controllable_kw.push_back(size * (0.05 + 0.45 * evening_peak) *
                                  (0.9 + 0.2 * uniform(seed)));
      f.capacity_kw.push_back(capacity);
    }
  }
  return zones;
}

const std::vector<ZoneForecast>& zones() {
  static const std::vector<ZoneForecast> z = make_zones();
  return z;
}

void run(benchmark::State& state, CapacityTariffConfig config) {
  auto calc = CapacityTariffCalculator::create(std::move(config));
  if (!calc) {
    state.SkipWithError(calc.error().to_string().c_str());
    return;
  }
  const auto& forecasts = zones();
  std::vector<ZoneTariff> out(kZones);
  std::size_t binding = 0, iterations = 0;
  for (auto _ : state) {
    binding = 0;
    iterations = 0;
    for (std::size_t z = 0; z < kZones; ++z) {
      auto r = calc->compute_into(forecasts[z], out[z]);
      if (!r) {
        state.SkipWithError(r.error().to_string().c_str());
        return;
      }
      iterations += static_cast<std::size_t>(out[z].iterations);
      for (const auto s : out[z].status) binding += s != solver::PriceStatus::at_floor;
    }
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["priced_share"] =
      static_cast<double>(binding) / static_cast<double>(kZones * kQuarters);
  state.counters["mean_iterations"] = static_cast<double>(iterations) / kZones;
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kZones * kQuarters));
}

CapacityTariffConfig base_config() {
  CapacityTariffConfig c;
  c.response = solver::ConstantElasticity{-0.4};
  c.bounds = {0.10, 0.10, 3.00};
  c.margin_fraction = 0.02;
  return c;
}

// 10,000 zones x 96 quarter hours, constant elasticity (closed form), no shifting.
void BM_CapacityTariffCalculator_ConstantElasticity(benchmark::State& state) {
  run(state, base_config());
}
BENCHMARK(BM_CapacityTariffCalculator_ConstantElasticity)->Unit(benchmark::kMillisecond);

// 10,000 zones x 96 quarter hours, constant elasticity, half of the removed energy shifts.
void BM_CapacityTariffCalculator_ConstantElasticityShift(benchmark::State& state) {
  auto c = base_config();
  c.shift_fraction = 0.5;
  run(state, c);
}
BENCHMARK(BM_CapacityTariffCalculator_ConstantElasticityShift)->Unit(benchmark::kMillisecond);

// 10,000 zones x 96 quarter hours, logistic response through std::function (bisection).
void BM_CapacityTariffCalculator_Bisection(benchmark::State& state) {
  auto c = base_config();
  c.response = solver::MonotoneResponse{
      [](double p) { return 1.2 / (1.0 + std::exp((p - 0.6) / 0.25)) + 0.05; }};
  run(state, c);
}
BENCHMARK(BM_CapacityTariffCalculator_Bisection)->Unit(benchmark::kMillisecond);

// The same, stopping at a bracket of 1e-6 per kWh (the precision prices are published with).
void BM_CapacityTariffCalculator_BisectionMicroPrice(benchmark::State& state) {
  auto c = base_config();
  c.bounds.tolerance = 1e-6;
  c.response = solver::MonotoneResponse{
      [](double p) { return 1.2 / (1.0 + std::exp((p - 0.6) / 0.25)) + 0.05; }};
  run(state, c);
}
BENCHMARK(BM_CapacityTariffCalculator_BisectionMicroPrice)->Unit(benchmark::kMillisecond);

// 10,000 zones x 96 quarter hours, LCL's three tiers (0.0399 / 0.1176 / 0.6720).
void BM_CapacityTariffCalculator_Tiers(benchmark::State& state) {
  auto c = base_config();
  c.bounds.reference = 0.1176;
  c.tier_prices = {0.0399, 0.1176, 0.6720};
  run(state, c);
}
BENCHMARK(BM_CapacityTariffCalculator_Tiers)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
