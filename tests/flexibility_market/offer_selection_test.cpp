// Least-cost offer selection: merit order, divisibility, shared capacity, uncovered needs, and
// agreement with brute force on small random cases.
#include "gridke/services/flexibility_market/offer_selection.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

namespace gridke::services::flexibility_market {
namespace {

const TimePoint t0 = from_epoch_ms(1'795'000'000'000);
constexpr auto q = std::chrono::minutes(15);

FlexibilityNeed need(std::string id, std::string zone, double kw, int slot = 0) {
  FlexibilityNeed n;
  n.request_id = std::move(id);
  n.zone = std::move(zone);
  n.needs_kw = kw;
  n.start = t0 + q * slot;
  n.end = n.start + q;
  return n;
}

FlexibilityOffer offer(std::string id, std::string zone, double kw, double price,
                       bool divisible = true, double min_kw = 0) {
  FlexibilityOffer o;
  o.offer_id = std::move(id);
  o.zone = std::move(zone);
  o.quantity_kw = kw;
  o.min_quantity_kw = divisible ? min_kw : kw;
  o.divisible = divisible;
  o.price_eur_per_mwh = price;
  o.state = OfferState::active;
  o.start = t0;
  o.end = t0 + q * 96;
  return o;
}

double covered(const Selection& s, const std::string& request) {
  double sum = 0;
  for (const auto& a : s.awards) {
    if (a.request_id == request) sum += a.power_kw;
  }
  return sum;
}

TEST(SelectOffers, TakesCheapestDivisibleOffersFirst) {
  std::vector<FlexibilityNeed> needs{need("n1", "z1", 10)};
  std::vector<FlexibilityOffer> offers{offer("expensive", "z1", 10, 90),
                                       offer("cheap", "z1", 6, 30), offer("mid", "z1", 6, 50)};
  const Selection s = select_offers(needs, offers);
  ASSERT_EQ(s.awards.size(), 2u);
  EXPECT_EQ(s.awards[0].offer_id, "cheap");
  EXPECT_DOUBLE_EQ(s.awards[0].power_kw, 6);
  EXPECT_EQ(s.awards[1].offer_id, "mid");
  EXPECT_DOUBLE_EQ(s.awards[1].power_kw, 4);
  // 6 kW × 0.25 h × 30 €/MWh + 4 kW × 0.25 h × 50 €/MWh
  EXPECT_NEAR(s.total_cost_eur, 6 * 0.25 * 30 / 1000 + 4 * 0.25 * 50 / 1000, 1e-12);
  EXPECT_TRUE(s.uncovered.empty());
}

TEST(SelectOffers, IgnoresOffersOfOtherZonesDirectionsAndStates) {
  std::vector<FlexibilityNeed> needs{need("n1", "z1", 5)};
  auto other_zone = offer("other-zone", "z2", 10, 1);
  auto up = offer("up", "z1", 10, 1);
  up.direction = Direction::up;
  auto received = offer("received", "z1", 10, 1);
  received.state = OfferState::received;
  auto expired = offer("expired", "z1", 10, 1);
  expired.state = OfferState::expired;
  auto suspended = offer("suspended", "z1", 10, 1);
  suspended.state = OfferState::suspended;
  suspended.suspended_until = t0 + q;  // still suspended at the need's start
  std::vector<FlexibilityOffer> offers{other_zone, up,        received,
                                       expired,    suspended, offer("ok", "z1", 10, 40)};
  const Selection s = select_offers(needs, offers);
  ASSERT_EQ(s.awards.size(), 1u);
  EXPECT_EQ(s.awards[0].offer_id, "ok");
}

TEST(SelectOffers, SuspensionEndingBeforeTheNeedDoesNotExcludeTheOffer) {
  std::vector<FlexibilityNeed> needs{need("n1", "z1", 5, 4)};
  auto suspended = offer("s", "z1", 10, 1);
  suspended.state = OfferState::suspended;
  suspended.suspended_until = t0 + q * 2;
  const Selection s = select_offers(needs, std::vector{suspended});
  ASSERT_EQ(s.awards.size(), 1u);
  EXPECT_EQ(s.awards[0].offer_id, "s");
}

TEST(SelectOffers, ReportsUncoveredNeed) {
  std::vector<FlexibilityNeed> needs{need("n1", "z1", 20)};
  const Selection s = select_offers(needs, std::vector{offer("a", "z1", 8, 10)});
  ASSERT_EQ(s.uncovered.size(), 1u);
  EXPECT_EQ(s.uncovered[0].request_id, "n1");
  EXPECT_DOUBLE_EQ(s.uncovered[0].missing_kw, 12);
  EXPECT_DOUBLE_EQ(covered(s, "n1"), 8);
}

TEST(SelectOffers, NeedsInTheSameIntervalShareOfferCapacity) {
  std::vector<FlexibilityNeed> needs{need("n1", "z1", 6), need("n2", "z1", 6)};
  const Selection s = select_offers(needs, std::vector{offer("a", "z1", 10, 10)});
  EXPECT_DOUBLE_EQ(covered(s, "n1") + covered(s, "n2"), 10);
  ASSERT_EQ(s.uncovered.size(), 1u);
  EXPECT_DOUBLE_EQ(s.uncovered[0].missing_kw, 2);
}

TEST(SelectOffers, OfferCapacityIsAvailableAgainInTheNextInterval) {
  std::vector<FlexibilityNeed> needs{need("n1", "z1", 10, 0), need("n2", "z1", 10, 1)};
  const Selection s = select_offers(needs, std::vector{offer("a", "z1", 10, 10)});
  EXPECT_TRUE(s.uncovered.empty());
  EXPECT_DOUBLE_EQ(covered(s, "n2"), 10);
}

TEST(SelectOffers, IndivisibleOfferIsTakenWholeOrNotAtAll) {
  // Need 5: cheap indivisible 20 kW (cost 20×10 = 200) vs divisible at 30 (5×30 = 150).
  std::vector<FlexibilityNeed> needs{need("n1", "z1", 5)};
  std::vector<FlexibilityOffer> offers{offer("big", "z1", 20, 10, false),
                                       offer("small", "z1", 8, 30)};
  const Selection s = select_offers(needs, offers);
  ASSERT_EQ(s.awards.size(), 1u);
  EXPECT_EQ(s.awards[0].offer_id, "small");
  EXPECT_DOUBLE_EQ(s.awards[0].power_kw, 5);
}

TEST(SelectOffers, IndivisibleOfferOverCoversWhenCheapest) {
  // Need 5: indivisible 6 kW at 10 (60) beats divisible at 30 (150).
  std::vector<FlexibilityNeed> needs{need("n1", "z1", 5)};
  std::vector<FlexibilityOffer> offers{offer("big", "z1", 6, 10, false),
                                       offer("small", "z1", 8, 30)};
  const Selection s = select_offers(needs, offers);
  ASSERT_EQ(s.awards.size(), 1u);
  EXPECT_EQ(s.awards[0].offer_id, "big");
  EXPECT_DOUBLE_EQ(s.awards[0].power_kw, 6);
}

TEST(SelectOffers, MinimumQuantityIsRespected) {
  // Need 3 kW; cheapest offer is divisible but only from 4 kW.
  std::vector<FlexibilityNeed> needs{need("n1", "z1", 3)};
  const Selection s = select_offers(needs, std::vector{offer("m", "z1", 10, 10, true, 4)});
  ASSERT_EQ(s.awards.size(), 1u);
  EXPECT_DOUBLE_EQ(s.awards[0].power_kw, 4);
}

TEST(SelectOffers, TiesAreBrokenByLargerQuantityThenId) {
  std::vector<FlexibilityNeed> needs{need("n1", "z1", 4)};
  std::vector<FlexibilityOffer> offers{offer("b", "z1", 5, 10), offer("a", "z1", 5, 10),
                                       offer("c", "z1", 9, 10)};
  const Selection s = select_offers(needs, offers);
  ASSERT_EQ(s.awards.size(), 1u);
  EXPECT_EQ(s.awards[0].offer_id, "c");
}

// Brute force over every subset, each offer at min/max or filling the rest: exact for small n.
double brute_force_cost(double need_kw, const std::vector<FlexibilityOffer>& offers) {
  const std::size_t n = offers.size();
  double best = std::numeric_limits<double>::infinity();
  for (std::size_t mask = 1; mask < (1u << n); ++mask) {
    // Chosen offers at their minimum; then fill in merit order up to their maximum.
    double total = 0, cost = 0;
    std::vector<std::size_t> chosen;
    for (std::size_t i = 0; i < n; ++i) {
      if (mask & (1u << i)) {
        chosen.push_back(i);
        total += offers[i].min_quantity_kw;
        cost += offers[i].min_quantity_kw * offers[i].price_eur_per_mwh;
      }
    }
    std::sort(chosen.begin(), chosen.end(), [&](auto a, auto b) {
      return offers[a].price_eur_per_mwh < offers[b].price_eur_per_mwh;
    });
    for (auto i : chosen) {
      const double extra = std::min(offers[i].quantity_kw - offers[i].min_quantity_kw,
                                    std::max(0.0, need_kw - total));
      total += extra;
      cost += extra * offers[i].price_eur_per_mwh;
    }
    if (total + 1e-9 >= need_kw) best = std::min(best, cost);
  }
  return best;
}

TEST(SelectOffers, MatchesBruteForceWhenAllOffersAreDivisible) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> kw(0.5, 10), price(5, 100);
  for (int trial = 0; trial < 200; ++trial) {
    std::vector<FlexibilityOffer> offers;
    for (int i = 0; i < 6; ++i)
      offers.push_back(offer("o" + std::to_string(i), "z", kw(rng), price(rng)));
    const double need_kw = kw(rng) * 3;
    const Selection s = select_offers(std::vector{need("n", "z", need_kw)}, offers);
    const double exact = brute_force_cost(need_kw, offers);
    if (std::isinf(exact)) {
      EXPECT_EQ(s.uncovered.size(), 1u);
      continue;
    }
    ASSERT_TRUE(s.uncovered.empty()) << "trial " << trial;
    EXPECT_NEAR(s.total_cost_eur, exact * 0.25 / 1000, 1e-9) << "trial " << trial;
  }
}

TEST(SelectOffers, WithIndivisibleOffersIsNeverWorseThanPlainGreedyAndCoversWhenPossible) {
  std::mt19937 rng(11);
  std::uniform_real_distribution<double> kw(0.5, 10), price(5, 100);
  std::bernoulli_distribution indivisible(0.5);
  int optimal = 0;
  for (int trial = 0; trial < 200; ++trial) {
    std::vector<FlexibilityOffer> offers;
    for (int i = 0; i < 6; ++i) {
      offers.push_back(offer("o" + std::to_string(i), "z", kw(rng), price(rng), !indivisible(rng)));
    }
    const double need_kw = kw(rng) * 2;
    const Selection s = select_offers(std::vector{need("n", "z", need_kw)}, offers);
    const double exact = brute_force_cost(need_kw, offers);
    if (std::isinf(exact)) continue;
    ASSERT_TRUE(s.uncovered.empty()) << "trial " << trial;
    EXPECT_GE(s.total_cost_eur + 1e-9, exact * 0.25 / 1000);
    // Plain greedy: whole offers in merit order until covered.
    auto sorted = offers;
    std::sort(sorted.begin(), sorted.end(),
              [](auto& a, auto& b) { return a.price_eur_per_mwh < b.price_eur_per_mwh; });
    double rem = need_kw, greedy = 0;
    for (auto& o : sorted) {
      if (rem <= 0) break;
      const double take = o.divisible ? std::min(rem, o.quantity_kw) : o.quantity_kw;
      greedy += take * o.price_eur_per_mwh;
      rem -= take;
    }
    EXPECT_LE(s.total_cost_eur, greedy * 0.25 / 1000 + 1e-9) << "trial " << trial;
    optimal += std::abs(s.total_cost_eur - exact * 0.25 / 1000) < 1e-9;
  }
  EXPECT_GT(optimal, 150);  // the heuristic is exact in most random cases
}

}  // namespace
}  // namespace gridke::services::flexibility_market
