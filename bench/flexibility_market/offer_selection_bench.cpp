// Offer selection benchmarks (target: 96 quarter-hour needs from 10,000 offers <= 100 ms).
#include <benchmark/benchmark.h>

#include <random>

#include "gridke/services/flexibility_market/offer_selection.hpp"

namespace fm = gridke::services::flexibility_market;

namespace {

// `zones` zones; one need per zone and quarter hour (96 × zones needs); offers spread over the
// zones, each covering 1–8 h of the day, 30 % indivisible.
struct Market {
  std::vector<fm::FlexibilityNeed> needs;
  std::vector<fm::FlexibilityOffer> offers;
};

Market make_market(int n_needs, int n_offers, int zones) {
  std::mt19937 rng(2026);
  std::uniform_real_distribution<double> kw(1, 50), price(20, 300), need_kw(20, 400);
  std::uniform_int_distribution<int> slot(0, 95), len(4, 32), zone(0, zones - 1);
  std::bernoulli_distribution indivisible(0.3);
  const fm::TimePoint day = fm::from_epoch_ms(1'795'824'000'000);  // 2026-11-28T00:00Z
  constexpr auto q = std::chrono::minutes(15);
  Market m;
  for (int i = 0; i < n_needs; ++i) {
    fm::FlexibilityNeed n;
    n.request_id = "FR-" + std::to_string(i);
    n.zone = "Z" + std::to_string(i % zones);
    n.needs_kw = need_kw(rng);
    n.start = day + q * ((i / zones) % 96);
    n.end = n.start + q;
    m.needs.push_back(std::move(n));
  }
  for (int i = 0; i < n_offers; ++i) {
    fm::FlexibilityOffer o;
    o.offer_id = "OF-" + std::to_string(i);
    o.zone = "Z" + std::to_string(zone(rng));
    const int s = slot(rng);
    o.start = day + q * s;
    o.end = day + q * std::min(96, s + len(rng));
    o.quantity_kw = kw(rng);
    o.divisible = !indivisible(rng);
    o.min_quantity_kw = o.divisible ? 0.0 : o.quantity_kw;
    o.price_eur_per_mwh = price(rng);
    o.state = fm::OfferState::active;
    m.offers.push_back(std::move(o));
  }
  return m;
}

}  // namespace

// 96 needs (one zone, every quarter hour of a day) × 10,000 offers.
static void BM_SelectOffers_96NeedsFrom10kOffers(benchmark::State& state) {
  const Market m = make_market(96, 10000, 1);
  for (auto _ : state) {
    auto s = fm::select_offers(m.needs, m.offers);
    benchmark::DoNotOptimize(s);
  }
}
BENCHMARK(BM_SelectOffers_96NeedsFrom10kOffers)->Unit(benchmark::kMillisecond);

// 5 zones × 96 quarter hours = 480 needs × 10,000 offers.
static void BM_SelectOffers_480NeedsFiveZones10kOffers(benchmark::State& state) {
  const Market m = make_market(480, 10000, 5);
  for (auto _ : state) {
    auto s = fm::select_offers(m.needs, m.offers);
    benchmark::DoNotOptimize(s);
  }
}
BENCHMARK(BM_SelectOffers_480NeedsFiveZones10kOffers)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
