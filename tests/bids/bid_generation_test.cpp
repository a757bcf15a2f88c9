// Bid generation (D4.3 §4.2.1; NOTES.md §4.2): worked examples for every rule, bad input, and
// property tests of the §4.2 invariants over random portfolios.
#include "gridke/services/bids/bid_generation.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <map>
#include <numeric>
#include <random>

#include "gridke_matchers.hpp"

namespace gridke::services::bids {
namespace {

using ::testing::HasSubstr;

UnitFlexibility unit(std::string id, double up_kw, double price, int intervals = 1) {
  UnitFlexibility u;
  u.id = std::move(id);
  u.up_kw.assign(static_cast<std::size_t>(intervals), up_kw);
  u.down_kw.assign(static_cast<std::size_t>(intervals), 0.0);
  u.up_price_eur_per_mwh = price;
  return u;
}

BidRules one_interval(double min_kw, double max_kw) {
  BidRules r;
  r.intervals_per_period = 1;
  r.min_block_kw = min_kw;
  r.max_block_kw = max_kw;
  return r;
}

std::vector<Bid> up_bids(const BidSet& s) {
  std::vector<Bid> out;
  for (const auto& b : s.bids) {
    if (b.direction == FlexDirection::up) out.push_back(b);
  }
  return out;
}

std::vector<std::string> members(const BidSet& s, const Bid& b,
                                 std::span<const UnitFlexibility> u) {
  std::vector<std::string> out;
  for (auto m = b.first_member; m < b.first_member + b.member_count; ++m) {
    out.push_back(u[s.members[m].unit].id + ":" +
                  std::to_string(static_cast<int>(s.members[m].kw)));
  }
  return out;
}

TEST(GenerateBids, PacksUnitsInMeritOrderIntoBlocks) {
  std::vector<UnitFlexibility> u{unit("a", 3, 50), unit("b", 4, 10), unit("c", 2, 30),
                                 unit("d", 5, 20)};
  auto s = generate_bids(u, one_interval(5, 8));
  ASSERT_THAT(s, IsOk());
  const auto bids = up_bids(*s);
  // Merit order b(4,10) d(5,20) c(2,30) a(3,50): b alone is below 5 → d split (4 + 1 kW);
  // then d's rest 1 + c 2 + a 3 = 6 kW.
  ASSERT_EQ(bids.size(), 2u);
  EXPECT_DOUBLE_EQ(bids[0].power_kw, 8);
  EXPECT_THAT(members(*s, bids[0], u), ::testing::ElementsAre("b:4", "d:4"));
  EXPECT_DOUBLE_EQ(bids[1].power_kw, 6);
  EXPECT_THAT(members(*s, bids[1], u), ::testing::ElementsAre("d:1", "c:2", "a:3"));
  EXPECT_DOUBLE_EQ(bids[0].price_eur_per_mwh, 20);  // default rule: max
  EXPECT_DOUBLE_EQ(bids[1].price_eur_per_mwh, 50);
}

TEST(GenerateBids, WholeUnitsStayTogetherWhenTheBlockHasReachedTheMinimum) {
  std::vector<UnitFlexibility> u{unit("a", 6, 10), unit("b", 5, 20)};
  auto s = generate_bids(u, one_interval(5, 10));
  ASSERT_THAT(s, IsOk());
  const auto bids = up_bids(*s);
  ASSERT_EQ(bids.size(), 2u);
  EXPECT_THAT(members(*s, bids[0], u), ::testing::ElementsAre("a:6"));
  EXPECT_THAT(members(*s, bids[1], u), ::testing::ElementsAre("b:5"));
}

TEST(GenerateBids, PriceRules) {
  std::vector<UnitFlexibility> u{unit("a", 2, 10), unit("b", 6, 30)};
  auto rules = one_interval(0, 100);
  rules.price_rule = PriceRule::weighted_average;
  EXPECT_DOUBLE_EQ(up_bids(*generate_bids(u, rules))[0].price_eur_per_mwh, (2 * 10 + 6 * 30) / 8.0);
  rules.price_rule = PriceRule::min;
  EXPECT_DOUBLE_EQ(up_bids(*generate_bids(u, rules))[0].price_eur_per_mwh, 10);
  rules.price_rule = PriceRule::max;
  EXPECT_DOUBLE_EQ(up_bids(*generate_bids(u, rules))[0].price_eur_per_mwh, 30);
}

TEST(GenerateBids, LeftoverIsDroppedOrMerged) {
  // Bid size 5 within [4, 8]: a (5 kW) makes a block; b (2 kW) is left below the minimum.
  std::vector<UnitFlexibility> u{unit("a", 5, 10), unit("b", 2, 20)};
  auto rules = one_interval(4, 8);
  rules.block_size_kw = 5;
  auto dropped = *generate_bids(u, rules);
  ASSERT_EQ(up_bids(dropped).size(), 1u);
  EXPECT_DOUBLE_EQ(up_bids(dropped)[0].power_kw, 5);
  EXPECT_DOUBLE_EQ(dropped.summary[0].dropped_kw, 2);
  rules.leftover = LeftoverPolicy::merge_into_previous;
  auto merged = *generate_bids(u, rules);
  ASSERT_EQ(up_bids(merged).size(), 1u);
  EXPECT_DOUBLE_EQ(up_bids(merged)[0].power_kw, 7);
  EXPECT_THAT(members(merged, up_bids(merged)[0], u), ::testing::ElementsAre("a:5", "b:2"));
  EXPECT_DOUBLE_EQ(up_bids(merged)[0].price_eur_per_mwh, 20);  // max rule over both members
  EXPECT_DOUBLE_EQ(merged.summary[0].dropped_kw, 0);
  // Merging must not exceed the maximum: 5 + 4 > 8 → dropped.
  u = {unit("a", 5, 10), unit("b", 3.5, 20)};
  merged = *generate_bids(u, rules);
  EXPECT_DOUBLE_EQ(merged.summary[0].dropped_kw, 3.5);
  // Nothing to merge into: the only block is the leftover.
  u = {unit("a", 1, 10)};
  merged = *generate_bids(u, rules);
  EXPECT_TRUE(up_bids(merged).empty());
  EXPECT_DOUBLE_EQ(merged.summary[0].dropped_kw, 1);
}

TEST(GenerateBids, LargeUnitIsSplitIntoBidSizeBlocks) {
  std::vector<UnitFlexibility> u{unit("big", 12, 10)};
  auto rules = one_interval(2, 8);
  rules.block_size_kw = 5;
  auto s = *generate_bids(u, rules);
  const auto bids = up_bids(s);
  // 12 kW > 8: a first block of the bid size 5; the remaining 7 kW fit whole (<= 8, >= 5).
  ASSERT_EQ(bids.size(), 2u);
  EXPECT_DOUBLE_EQ(bids[0].power_kw, 5);
  EXPECT_DOUBLE_EQ(bids[1].power_kw, 7);
  u = {unit("huge", 23, 10)};
  s = *generate_bids(u, rules);
  // 23 = 5 + 5 + 5 + 8 (the last 8 kW fit whole).
  ASSERT_EQ(up_bids(s).size(), 4u);
  EXPECT_DOUBLE_EQ(up_bids(s)[3].power_kw, 8);
}

TEST(GenerateBids, ReserveRules) {
  std::vector<UnitFlexibility> u{unit("a", 10, 10), unit("b", 4, 20), unit("c", 6, 30),
                                 unit("d", 10, 40)};
  auto rules = one_interval(0, 100);
  rules.reserve = ReserveRule::fixed_percent;
  rules.reserve_percent = 25;
  auto s = *generate_bids(u, rules);
  EXPECT_DOUBLE_EQ(s.summary[0].reserved_kw, 7.5);
  EXPECT_DOUBLE_EQ(s.summary[0].offered_kw, 22.5);
  rules.reserve = ReserveRule::n_minus_y;
  rules.reserve_units = 2;
  s = *generate_bids(u, rules);
  // The two largest (a and d, 10 kW each) are withheld.
  EXPECT_EQ(s.summary[0].withheld_units, 2);
  EXPECT_DOUBLE_EQ(s.summary[0].reserved_kw, 20);
  EXPECT_THAT(members(s, up_bids(s)[0], u), ::testing::ElementsAre("b:4", "c:6"));
  rules.reserve_units = 9;  // more than there are units: everything withheld
  s = *generate_bids(u, rules);
  EXPECT_EQ(s.summary[0].withheld_units, 4);
  EXPECT_TRUE(up_bids(s).empty());
}

TEST(GenerateBids, AvailabilityIsTheMinimumOverThePeriod) {
  UnitFlexibility a = unit("a", 0, 10, 4);
  a.up_kw = {5, 3, 4, 6};
  BidRules rules;
  rules.intervals_per_period = 4;
  auto s = generate_bids(std::vector{a}, rules);
  ASSERT_THAT(s, IsOk());
  EXPECT_EQ(s->periods, 1);
  EXPECT_DOUBLE_EQ(up_bids(*s).at(0).power_kw, 3);
}

TEST(GenerateBids, EqualPricesAreOrderedByLargerFlexibilityThenId) {
  std::vector<UnitFlexibility> u{unit("b", 2, 10), unit("a", 2, 10), unit("c", 3, 10)};
  auto s = *generate_bids(u, one_interval(0, 100));
  EXPECT_THAT(members(s, up_bids(s)[0], u), ::testing::ElementsAre("c:3", "a:2", "b:2"));
}

TEST(GenerateBids, RejectsBadRulesAndInput) {
  std::vector<UnitFlexibility> u{unit("a", 1, 10)};
  auto r = one_interval(0, 10);
  r.intervals_per_period = 0;
  EXPECT_THAT(generate_bids(u, r), HasError(ErrorCode::invalid_argument,
                                            HasSubstr("intervals_per_period: must be >= 1")));
  EXPECT_THAT(generate_bids(u, one_interval(11, 10)),
              HasError(ErrorCode::invalid_argument,
                       HasSubstr("min_block_kw: must be within [0, max_block_kw=")));
  EXPECT_THAT(generate_bids(u, one_interval(0, 0)),
              HasError(ErrorCode::invalid_argument, HasSubstr("max_block_kw: must be > 0")));
  r = one_interval(2, 10);
  r.block_size_kw = 1;
  EXPECT_THAT(generate_bids(u, r), HasError(ErrorCode::invalid_argument,
                                            HasSubstr("block_size_kw: must be 0 or within")));
  r = one_interval(0, 10);
  r.reserve = ReserveRule::fixed_percent;
  r.reserve_percent = 100;
  EXPECT_THAT(generate_bids(u, r),
              HasError(ErrorCode::invalid_argument, HasSubstr("reserve_percent")));
  r.reserve = ReserveRule::n_minus_y;
  r.reserve_units = -1;
  EXPECT_THAT(generate_bids(u, r),
              HasError(ErrorCode::invalid_argument, HasSubstr("reserve_units")));
  EXPECT_THAT(generate_bids(std::vector<UnitFlexibility>{}, one_interval(0, 10)),
              HasError(ErrorCode::invalid_argument, HasSubstr("at least one unit")));
  std::vector<UnitFlexibility> dup{unit("a", 1, 10), unit("a", 1, 10)};
  EXPECT_THAT(generate_bids(dup, one_interval(0, 10)),
              HasError(ErrorCode::invalid_argument, HasSubstr("units[1] 'a': duplicate id")));
  std::vector<UnitFlexibility> ragged{unit("a", 1, 10, 2), unit("b", 1, 10, 3)};
  EXPECT_THAT(generate_bids(ragged, one_interval(0, 10)),
              HasError(ErrorCode::invalid_argument,
                       HasSubstr("units[1] 'b': 3 up and 3 down values, expected 2")));
  std::vector<UnitFlexibility> neg{unit("a", -1, 10)};
  EXPECT_THAT(generate_bids(neg, one_interval(0, 10)),
              HasError(ErrorCode::invalid_argument,
                       HasSubstr("units[0] 'a': up_kw[0] must be finite and >= 0")));
  std::vector<UnitFlexibility> odd{unit("a", 1, 10, 3)};
  r = one_interval(0, 10);
  r.intervals_per_period = 2;
  EXPECT_THAT(generate_bids(odd, r), HasError(ErrorCode::invalid_argument,
                                              HasSubstr("3 intervals is not a positive multiple")));
}

// --- property tests (NOTES.md §4.2 step 6) -------------------------------------------------

struct Case {
  std::vector<UnitFlexibility> units;
  BidRules rules;
};

Case random_case(std::mt19937& rng) {
  std::uniform_int_distribution<int> n_units(1, 40), periods(1, 4), per(1, 4), rule(0, 2), y(0, 6);
  std::uniform_real_distribution<double> kw(0, 12), price(0, 100), pct(0, 60);
  std::bernoulli_distribution zero(0.15), coarse_price(0.5);
  Case c;
  c.rules.intervals_per_period = per(rng);
  const int intervals = periods(rng) * c.rules.intervals_per_period;
  const int n = n_units(rng);
  for (int i = 0; i < n; ++i) {
    UnitFlexibility u;
    u.id = "u" + std::to_string(i);
    for (int k = 0; k < intervals; ++k) {
      u.up_kw.push_back(zero(rng) ? 0.0 : kw(rng));
      u.down_kw.push_back(zero(rng) ? 0.0 : kw(rng));
    }
    // Coarse prices create ties.
    u.up_price_eur_per_mwh = coarse_price(rng) ? std::round(price(rng) / 25) * 25 : price(rng);
    u.down_price_eur_per_mwh = price(rng);
    c.units.push_back(std::move(u));
  }
  c.rules.reserve = static_cast<ReserveRule>(rule(rng));
  c.rules.reserve_percent = pct(rng);
  c.rules.reserve_units = y(rng);
  c.rules.max_block_kw = std::uniform_real_distribution<double>(5, 40)(rng);
  c.rules.min_block_kw = std::uniform_real_distribution<double>(0, c.rules.max_block_kw)(rng);
  c.rules.block_size_kw = zero(rng) ? 0.0
                                    : std::uniform_real_distribution<double>(
                                          c.rules.min_block_kw, c.rules.max_block_kw)(rng);
  c.rules.leftover = static_cast<LeftoverPolicy>(rule(rng) % 2);
  c.rules.price_rule = static_cast<PriceRule>(rule(rng));
  return c;
}

TEST(GenerateBidsProperty, InvariantsHoldOnRandomPortfolios) {
  std::mt19937 rng(4242);
  constexpr double tol = 1e-7;
  for (int trial = 0; trial < 500; ++trial) {
    Case c = random_case(rng);
    auto r = generate_bids(c.units, c.rules);
    ASSERT_THAT(r, IsOk()) << "trial " << trial;
    const BidSet& s = *r;
    std::map<std::pair<int, int>, std::vector<const Bid*>> groups;
    for (const auto& b : s.bids) groups[{b.period, static_cast<int>(b.direction)}].push_back(&b);
    for (int p = 0; p < s.periods; ++p) {
      for (int d = 0; d < 2; ++d) {
        const PeriodSummary& sum = s.summary[static_cast<std::size_t>(p * 2 + d)];
        double offered = 0;
        double last_price = -std::numeric_limits<double>::infinity();
        std::map<std::uint32_t, double> per_unit;
        for (const Bid* b : groups[{p, d}]) {
          // Every block within [min, max].
          EXPECT_GE(b->power_kw, c.rules.min_block_kw - tol) << "trial " << trial;
          EXPECT_LE(b->power_kw, c.rules.max_block_kw + tol) << "trial " << trial;
          // Block prices non-decreasing in bid order.
          EXPECT_GE(b->price_eur_per_mwh, last_price - tol) << "trial " << trial;
          last_price = b->price_eur_per_mwh;
          double members_kw = 0;
          for (auto m = b->first_member; m < b->first_member + b->member_count; ++m) {
            members_kw += s.members[m].kw;
            per_unit[s.members[m].unit] += s.members[m].kw;
          }
          EXPECT_NEAR(members_kw, b->power_kw, tol);
          offered += b->power_kw;
        }
        // Total offered <= sum F − R, and offered + dropped == sum F − R.
        EXPECT_LE(offered, sum.available_kw - sum.reserved_kw + tol) << "trial " << trial;
        EXPECT_NEAR(offered + sum.dropped_kw, sum.available_kw - sum.reserved_kw, 1e-6)
            << "trial " << trial;
        EXPECT_NEAR(offered, sum.offered_kw, 1e-6);
        // No unit offers more than its availability over the period.
        for (const auto& [unit, kw] : per_unit) {
          const auto& series = d == 0 ? c.units[unit].up_kw : c.units[unit].down_kw;
          const auto first = series.begin() + p * c.rules.intervals_per_period;
          EXPECT_LE(kw, *std::min_element(first, first + c.rules.intervals_per_period) + tol);
        }
        // n−y withholds exactly min(y, units with F > 0).
        if (c.rules.reserve == ReserveRule::n_minus_y) {
          int positive = 0;
          for (const auto& u : c.units) {
            const auto& series = d == 0 ? u.up_kw : u.down_kw;
            const auto first = series.begin() + p * c.rules.intervals_per_period;
            positive += *std::min_element(first, first + c.rules.intervals_per_period) > 0;
          }
          EXPECT_EQ(sum.withheld_units, std::min(positive, c.rules.reserve_units))
              << "trial " << trial;
        }
      }
    }
  }
}

TEST(GenerateBidsProperty, IdempotentAndIndependentOfInputOrder) {
  std::mt19937 rng(99);
  for (int trial = 0; trial < 200; ++trial) {
    Case c = random_case(rng);
    auto a = *generate_bids(c.units, c.rules);
    auto again = *generate_bids(c.units, c.rules);
    auto shuffled = c.units;
    std::shuffle(shuffled.begin(), shuffled.end(), rng);
    auto b = *generate_bids(shuffled, c.rules);
    ASSERT_EQ(a.bids.size(), again.bids.size());
    ASSERT_EQ(a.bids.size(), b.bids.size()) << "trial " << trial;
    for (std::size_t i = 0; i < a.bids.size(); ++i) {
      EXPECT_EQ(a.bids[i].power_kw, again.bids[i].power_kw);
      EXPECT_NEAR(a.bids[i].power_kw, b.bids[i].power_kw, 1e-9) << "trial " << trial;
      EXPECT_NEAR(a.bids[i].price_eur_per_mwh, b.bids[i].price_eur_per_mwh, 1e-9);
      ASSERT_EQ(a.bids[i].member_count, b.bids[i].member_count);
      for (std::uint32_t m = 0; m < a.bids[i].member_count; ++m) {
        EXPECT_EQ(c.units[a.members[a.bids[i].first_member + m].unit].id,
                  shuffled[b.members[b.bids[i].first_member + m].unit].id);
      }
    }
  }
}

}  // namespace
}  // namespace gridke::services::bids
