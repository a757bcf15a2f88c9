// Tests for capacity_tariff.hpp: the day-ahead capacity tariff per quarter hour (cap holds,
// lowest price, closed form and bisection agree), load shifting until the cap holds, flagged
// over-capacity baselines, discrete tiers, and the configuration and forecast errors.

#include "gridke/services/tariffs/capacity_tariff.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "gridke_matchers.hpp"

namespace gridke::services::tariffs {
namespace {

using solver::PriceStatus;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr std::size_t kQuarters = 96;

// A feeder day: baseline with an evening peak, controllable demand (EV charging) peaking at the
// same time, flat 100 kW capacity.
ZoneForecast evening_peak(std::string zone = "feeder-1") {
  ZoneForecast f;
  f.zone = std::move(zone);
  for (std::size_t t = 0; t < kQuarters; ++t) {
    const double hour = static_cast<double>(t) / 4.0;
    const double peak = std::exp(-0.5 * std::pow((hour - 18.5) / 1.5, 2.0));
    f.baseline_kw.push_back(35.0 + 40.0 * peak);
    f.controllable_kw.push_back(5.0 + 45.0 * peak);
    f.capacity_kw.push_back(100.0);
  }
  return f;
}

CapacityTariffConfig elastic_config() {
  CapacityTariffConfig c;
  c.response = solver::ConstantElasticity{-0.5};
  c.bounds = {0.10, 0.10, 2.00};
  c.margin_kw = 1.0;
  return c;
}

TEST(CapacityTariffCalculator, KeepsDemandJustBelowCapacityAtLowestPrice) {
  auto calc = CapacityTariffCalculator::create(elastic_config());
  ASSERT_THAT(calc, IsOk());
  const auto f = evening_peak();
  const auto r = calc->compute(f);
  ASSERT_THAT(r, IsOk());
  ASSERT_EQ(r->price_per_kwh.size(), kQuarters);
  int binding = 0;
  for (std::size_t t = 0; t < kQuarters; ++t) {
    EXPECT_LE(r->demand_kw[t], 99.0 + 1e-9) << t;
    if (r->status[t] == PriceStatus::binding) {
      ++binding;
      EXPECT_NEAR(r->demand_kw[t], 99.0, 1e-9) << t;  // just below: exactly at the target
      EXPECT_GT(r->price_per_kwh[t], 0.10);
      // Lowest: a slightly lower price would break the target.
      const double lower = r->price_per_kwh[t] * (1.0 - 1e-6);
      EXPECT_GT(f.baseline_kw[t] + f.controllable_kw[t] * std::pow(lower / 0.10, -0.5), 99.0);
    } else {
      EXPECT_EQ(r->status[t], PriceStatus::at_floor) << t;
      EXPECT_DOUBLE_EQ(r->price_per_kwh[t], 0.10);
    }
  }
  EXPECT_GT(binding, 4);
  EXPECT_TRUE(r->baseline_over_capacity().empty());
  EXPECT_EQ(r->iterations, 1);
}

TEST(CapacityTariffCalculator, ClosedFormAndBisectionGiveTheSameTariff) {
  auto closed = CapacityTariffCalculator::create(elastic_config());
  auto config = elastic_config();
  config.response = solver::MonotoneResponse{[](double p) { return std::pow(p / 0.10, -0.5); }};
  auto bisect = CapacityTariffCalculator::create(config);
  ASSERT_THAT(closed, IsOk());
  ASSERT_THAT(bisect, IsOk());
  const auto a = closed->compute(evening_peak());
  const auto b = bisect->compute(evening_peak());
  ASSERT_THAT(a, IsOk());
  ASSERT_THAT(b, IsOk());
  for (std::size_t t = 0; t < kQuarters; ++t) {
    EXPECT_NEAR(a->price_per_kwh[t], b->price_per_kwh[t], 1e-11) << t;
    EXPECT_EQ(a->status[t], b->status[t]) << t;
  }
}

TEST(CapacityTariffCalculator, FlagsIntervalsWhereBaselineAloneExceedsCapacity) {
  auto calc = CapacityTariffCalculator::create(elastic_config());
  ASSERT_THAT(calc, IsOk());
  auto f = evening_peak();
  f.baseline_kw[74] = 120.0;
  f.baseline_kw[75] = 99.0;  // equal to the target (capacity - 1 kW margin): nothing left
  const auto r = calc->compute(f);
  ASSERT_THAT(r, IsOk());
  EXPECT_THAT(r->baseline_over_capacity(), ElementsAre(74u, 75u));
  EXPECT_DOUBLE_EQ(r->price_per_kwh[74], 2.00);  // the cap is published
  EXPECT_EQ(r->status[73], PriceStatus::binding);
}

TEST(CapacityTariffCalculator, FlagsInsufficientFlexibility) {
  auto config = elastic_config();
  config.bounds.cap = 0.12;  // too low a cap to move the peak
  auto calc = CapacityTariffCalculator::create(config);
  ASSERT_THAT(calc, IsOk());
  const auto r = calc->compute(evening_peak());
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->status[74], PriceStatus::insufficient_flexibility);
  EXPECT_GT(r->demand_kw[74], 99.0);
  EXPECT_DOUBLE_EQ(r->price_per_kwh[74], 0.12);
}

TEST(CapacityTariffCalculator, ShiftedLoadMovesUnderTheCapUntilItHolds) {
  auto config = elastic_config();
  config.shift_fraction = 0.8;
  config.damping = 0.7;
  auto calc = CapacityTariffCalculator::create(config);
  ASSERT_THAT(calc, IsOk());
  const auto f = evening_peak();
  const auto no_shift = CapacityTariffCalculator::create(elastic_config())->compute(f);
  const auto r = calc->compute(f);
  ASSERT_THAT(r, IsOk());
  ASSERT_THAT(no_shift, IsOk());
  EXPECT_TRUE(r->converged);
  EXPECT_GT(r->iterations, 2);
  // Energy balance at the fixed point: shifted-in = s x removed reference demand.
  double removed = 0.0, shifted = 0.0;
  for (std::size_t t = 0; t < kQuarters; ++t) {
    const double reference = f.controllable_kw[t] + r->shifted_in_kw[t];
    removed += reference - (r->demand_kw[t] - f.baseline_kw[t]);
    shifted += r->shifted_in_kw[t];
    EXPECT_LE(r->demand_kw[t], 99.0 + 1e-9) << t;  // the cap holds after the last iteration
    if (no_shift->status[t] == PriceStatus::binding) {
      EXPECT_DOUBLE_EQ(r->shifted_in_kw[t], 0.0) << t;  // nothing shifts into a congested slot
    }
  }
  EXPECT_GT(shifted, 10.0);
  EXPECT_NEAR(shifted, 0.8 * removed, 1e-6);
}

TEST(CapacityTariffCalculator, ShiftBeyondHeadroomCongestsOtherQuartersAndIsPriced) {
  // Little headroom elsewhere: shifted energy overloads the receiving quarters, which then get a
  // price too; the iteration still ends with the cap holding everywhere.
  ZoneForecast f;
  f.zone = "tight";
  for (std::size_t t = 0; t < 8; ++t) {
    f.baseline_kw.push_back(t < 2 ? 80.0 : 90.0);
    f.controllable_kw.push_back(t < 2 ? 60.0 : 8.0);
    f.capacity_kw.push_back(100.0);
  }
  auto config = elastic_config();
  config.margin_kw = 0.0;
  config.shift_fraction = 0.3;
  config.damping = 0.5;
  auto calc = CapacityTariffCalculator::create(config);
  ASSERT_THAT(calc, IsOk());
  const auto r = calc->compute(f);
  ASSERT_THAT(r, IsOk());
  EXPECT_TRUE(r->converged);
  for (std::size_t t = 0; t < 8; ++t) EXPECT_LE(r->demand_kw[t], 100.0 + 1e-9) << t;
  EXPECT_EQ(r->status[5], PriceStatus::binding);  // a receiving quarter got priced
  EXPECT_GT(r->price_per_kwh[5], 0.10);
}

TEST(CapacityTariffCalculator, ReportsNonConvergenceWhenShiftedEnergyCannotFit) {
  ZoneForecast f;
  f.zone = "full";
  f.baseline_kw = {80, 90, 90};
  f.controllable_kw = {60, 9, 9};
  f.capacity_kw = {100, 100, 100};
  auto config = elastic_config();
  config.margin_kw = 0.0;
  config.bounds.cap = 1e6;  // every overload can be priced away: the energy circulates
  config.shift_fraction = 1.0;
  config.max_iterations = 30;
  auto calc = CapacityTariffCalculator::create(config);
  ASSERT_THAT(calc, IsOk());
  const auto r = calc->compute(f);
  ASSERT_THAT(r, IsOk());
  EXPECT_FALSE(r->converged);
  EXPECT_EQ(r->iterations, 30);
  for (std::size_t t = 0; t < 3; ++t) {
    if (r->status[t] != PriceStatus::insufficient_flexibility) {
      EXPECT_LE(r->demand_kw[t], 100.0 + 1e-9);
    }
  }
}

TEST(CapacityTariffCalculator, DiscreteTiersPickCheapestFeasibleTier) {
  auto config = elastic_config();
  config.tier_prices = {0.05, 0.10, 0.30, 0.90};
  auto calc = CapacityTariffCalculator::create(config);
  ASSERT_THAT(calc, IsOk());
  const auto f = evening_peak();
  const auto r = calc->compute(f);
  ASSERT_THAT(r, IsOk());
  for (std::size_t t = 0; t < kQuarters; ++t) {
    const double p = r->price_per_kwh[t];
    const auto demand = [&](double q) {
      return f.baseline_kw[t] + f.controllable_kw[t] * std::pow(q / 0.10, -0.5);
    };
    EXPECT_LE(demand(p), 99.0 + 1e-9) << t;
    for (const double q : config.tier_prices) {
      if (q < p) {
        EXPECT_GT(demand(q), 99.0) << t << " cheaper tier " << q << " was feasible";
      }
    }
  }
  EXPECT_DOUBLE_EQ(r->price_per_kwh[0], 0.05);   // night: cheapest tier
  EXPECT_DOUBLE_EQ(r->price_per_kwh[74], 0.90);  // peak: highest tier
}

TEST(CapacityTariffCalculator, ComputesAllZonesAndNamesTheFailingZone) {
  auto calc = CapacityTariffCalculator::create(elastic_config());
  ASSERT_THAT(calc, IsOk());
  std::vector<ZoneForecast> zones = {evening_peak("a"), evening_peak("b")};
  const auto all = calc->compute_all(zones);
  ASSERT_THAT(all, IsOk());
  EXPECT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[1].zone, "b");
  zones[1].capacity_kw[10] = -5.0;
  EXPECT_THAT(calc->compute_all(zones),
              HasError(ErrorCode::invalid_argument,
                       AllOf(HasSubstr("zone 'b'"), HasSubstr("capacity_kw[10] = -5"))));
}

TEST(CapacityTariffCalculator, RejectsBadForecasts) {
  auto calc = CapacityTariffCalculator::create(elastic_config());
  ASSERT_THAT(calc, IsOk());
  auto f = evening_peak("z1");
  f.controllable_kw.pop_back();
  EXPECT_THAT(calc->compute(f), HasError(ErrorCode::invalid_argument,
                                         AllOf(HasSubstr("zone 'z1'"), HasSubstr("lengths differ"),
                                               HasSubstr("controllable 95"))));
  auto n = evening_peak("z2");
  n.baseline_kw[3] = std::nan("");
  EXPECT_THAT(calc->compute(n),
              HasError(ErrorCode::invalid_argument, AllOf(HasSubstr("baseline_kw[3] = nan"))));
  auto zero = evening_peak("z3");
  zero.capacity_kw[0] = 0.0;
  EXPECT_THAT(calc->compute(zero),
              HasError(ErrorCode::invalid_argument, HasSubstr("capacity_kw[0] = 0 must be")));
  EXPECT_THAT(calc->compute(ZoneForecast{"empty", {}, {}, {}}),
              HasError(ErrorCode::invalid_argument, HasSubstr("no intervals")));
}

TEST(CapacityTariffCalculator, NamesZoneAndIntervalWhenCurveFails) {
  auto config = elastic_config();
  config.response = solver::MonotoneResponse{[](double p) { return p > 0.5 ? std::nan("") : 1.0; }};
  auto calc = CapacityTariffCalculator::create(config);
  ASSERT_THAT(calc, IsOk());
  EXPECT_THAT(calc->compute(evening_peak("zq")),
              HasError(ErrorCode::numerical,
                       AllOf(HasSubstr("zone 'zq', interval 69:"), HasSubstr("returned nan"))));
}

TEST(CapacityTariffCalculator, RejectsBadConfigurations) {
  const auto with = [](auto edit) {
    auto c = elastic_config();
    edit(c);
    return CapacityTariffCalculator::create(c);
  };
  EXPECT_THAT(with([](auto& c) { c.shift_fraction = 1.5; }),
              HasError(ErrorCode::invalid_argument, HasSubstr("shift_fraction 1.5")));
  EXPECT_THAT(with([](auto& c) { c.damping = 0.0; }),
              HasError(ErrorCode::invalid_argument, HasSubstr("damping 0")));
  EXPECT_THAT(with([](auto& c) { c.margin_kw = -1.0; }),
              HasError(ErrorCode::invalid_argument, HasSubstr("margin_kw -1")));
  EXPECT_THAT(with([](auto& c) { c.margin_fraction = 1.0; }),
              HasError(ErrorCode::invalid_argument, HasSubstr("margin_fraction 1")));
  EXPECT_THAT(with([](auto& c) { c.max_iterations = 0; }),
              HasError(ErrorCode::invalid_argument, HasSubstr("max_iterations 0")));
  EXPECT_THAT(with([](auto& c) {
                c.tier_prices = {0.1, 0.3, 0.2};
              }),
              HasError(ErrorCode::invalid_argument,
                       AllOf(HasSubstr("strictly ascending"), HasSubstr("tier 2 = 0.2"))));
  EXPECT_THAT(with([](auto& c) {
                c.tier_prices = {-0.1, 0.3};
              }),
              HasError(ErrorCode::invalid_argument, HasSubstr("tier price 0 = -0.1")));
  EXPECT_THAT(with([](auto& c) { c.response = solver::ConstantElasticity{0.3}; }),
              HasError(ErrorCode::invalid_argument, HasSubstr("constant elasticity 0.3")));
}

}  // namespace
}  // namespace gridke::services::tariffs
