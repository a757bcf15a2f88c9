// Bid generation benchmarks (target: 10,000 assets × 96 periods <= 50 ms).
#include <benchmark/benchmark.h>

#include <random>

#include "gridke/services/bids/bid_generation.hpp"

namespace bids = gridke::services::bids;

namespace {

std::vector<bids::UnitFlexibility> portfolio(int assets, int intervals) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> kw(0, 8), price(10, 250);
  std::vector<bids::UnitFlexibility> out(static_cast<std::size_t>(assets));
  for (int a = 0; a < assets; ++a) {
    auto& u = out[static_cast<std::size_t>(a)];
    u.id = "asset-" + std::to_string(a);
    u.up_kw.resize(static_cast<std::size_t>(intervals));
    u.down_kw.resize(static_cast<std::size_t>(intervals));
    for (int k = 0; k < intervals; ++k) {
      u.up_kw[static_cast<std::size_t>(k)] = kw(rng);
      u.down_kw[static_cast<std::size_t>(k)] = kw(rng);
    }
    u.up_price_eur_per_mwh = price(rng);
    u.down_price_eur_per_mwh = price(rng);
  }
  return out;
}

void run(benchmark::State& state, bids::BidRules rules) {
  const auto units = portfolio(10000, 96);
  for (auto _ : state) {
    auto r = bids::generate_bids(units, rules);
    if (!r) state.SkipWithError(r.error().message().c_str());
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations() * 10000 * 96 * 2);
}

}  // namespace

// 10,000 assets × 96 quarter-hour periods × 2 directions, no reserve, 1 MW blocks, max price.
static void BM_GenerateBids_10kAssets96Periods(benchmark::State& state) {
  bids::BidRules r;
  r.intervals_per_period = 1;
  r.min_block_kw = 100;
  r.max_block_kw = 1000;
  run(state, r);
}
BENCHMARK(BM_GenerateBids_10kAssets96Periods)->Unit(benchmark::kMillisecond);

// Same with the n−y reserve (y = 10) and the energy-weighted average price rule.
static void BM_GenerateBids_10kAssets96PeriodsNMinusY(benchmark::State& state) {
  bids::BidRules r;
  r.intervals_per_period = 1;
  r.min_block_kw = 100;
  r.max_block_kw = 1000;
  r.reserve = bids::ReserveRule::n_minus_y;
  r.reserve_units = 10;
  r.price_rule = bids::PriceRule::weighted_average;
  run(state, r);
}
BENCHMARK(BM_GenerateBids_10kAssets96PeriodsNMinusY)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
