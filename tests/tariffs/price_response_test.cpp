// Tests for solver/price_response.hpp: closed forms for constant and linear elasticity against
// their definitions and against bisection; bisection against scipy.optimize.brentq (Debian
// python3-scipy, run through GRIDKE_PYTHON) on arbitrary monotone response curves; the four
// statuses; discrete tiers; and the error paths.

#include "gridke/services/tariffs/solver/price_response.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "gridke_matchers.hpp"
#include "python_runner.hpp"

namespace gridke::services::tariffs::solver {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

// brentq's xtol/rtol below are far tighter than this; the bisection bracket is 1e-13 x cap.
constexpr double kScipyPriceTolerance = 1e-10;
constexpr double kClosedFormTolerance = 1e-12;

using testing_support::run_python;

bool scipy_available() { return testing_support::python_has("scipy.optimize"); }

// The same monotone curves in C++ and in Python (index = position).
const std::vector<ResponseCurve>& curves() {
  static const std::vector<ResponseCurve> c = {
      [](double p) { return 1.0 / (1.0 + std::exp((p - 0.4) / 0.08)); },
      [](double p) { return std::exp(-3.0 * (p - 0.1)); },
      [](double p) { return 1.0 / (1.0 + std::pow(p / 0.25, 3.0)); },
      [](double p) { return std::max(0.2, 1.0 - 1.5 * std::max(0.0, p - 0.1)); },
      [](double p) { return std::pow(p / 0.1, -0.4); },
      [](double p) { return 0.5 * (1.0 - std::tanh(5.0 * (p - 0.5))) + 0.05; },
  };
  return c;
}
constexpr const char* kPythonCurves =
    "import math\n"
    "from scipy.optimize import brentq\n"
    "curves=[lambda p: 1/(1+math.exp((p-0.4)/0.08)), lambda p: math.exp(-3*(p-0.1)),\n"
    " lambda p: 1/(1+(p/0.25)**3), lambda p: max(0.2, 1-1.5*max(0.0, p-0.1)),\n"
    " lambda p: (p/0.1)**-0.4, lambda p: 0.5*(1-math.tanh(5*(p-0.5)))+0.05]\n"
    "cases=[(60,50,100),(20,100,80),(90,30,100),(10,200,60),(0,120,100),(98,5,100),(40,80,70)]\n"
    "lo,hi=0.1,2.0\n"
    "for i,f in enumerate(curves):\n"
    " for j,(b,d,t) in enumerate(cases):\n"
    "  g=lambda p: b+d*f(p)-t\n"
    "  if b>=t: print(i,j,3,repr(hi))\n"
    "  elif g(lo)<=0: print(i,j,0,repr(lo))\n"
    "  elif g(hi)>0: print(i,j,2,repr(hi))\n"
    "  else: print(i,j,1,repr(brentq(g,lo,hi,xtol=1e-15,rtol=1e-15,maxiter=500)))\n";
const std::vector<IntervalLoad> kCases = {{60, 50, 100}, {20, 100, 80}, {90, 30, 100},
                                          {10, 200, 60}, {0, 120, 100}, {98, 5, 100},
                                          {40, 80, 70}};

TEST(PriceResponse, BisectionMatchesScipyBrentqOnMonotoneCurves) {
  if (!scipy_available()) GTEST_SKIP() << "scipy not importable by " << GRIDKE_PYTHON;
  std::istringstream lines(run_python(kPythonCurves));
  const PriceBounds bounds{0.1, 0.1, 2.0};
  int curve = 0, load = 0, status = 0, cases = 0, binding = 0;
  double expected = 0.0;
  while (lines >> curve >> load >> status >> expected) {
    const auto s = bisect_price(kCases.at(static_cast<std::size_t>(load)),
                                curves().at(static_cast<std::size_t>(curve)), bounds);
    ASSERT_THAT(s, IsOk());
    EXPECT_EQ(static_cast<int>(s->status), status) << "curve " << curve << " case " << load;
    EXPECT_NEAR(s->price, expected, kScipyPriceTolerance) << "curve " << curve << " case " << load;
    if (s->status == PriceStatus::binding) ++binding;
    ++cases;
  }
  EXPECT_EQ(cases, 6 * 7);
  EXPECT_GE(binding, 20);  // most cases exercise the root, not a bound
}

TEST(PriceResponse, ConstantElasticityClosedFormSolvesTheCap) {
  const PriceBounds bounds{0.10, 0.10, 5.0};
  const PriceResponse model = ConstantElasticity{-0.4};
  const IntervalLoad load{60.0, 50.0, 100.0};
  const auto s = lowest_price(load, model, bounds);
  ASSERT_THAT(s, IsOk());
  EXPECT_EQ(s->status, PriceStatus::binding);
  // p* = p0 ((T - B) / D0)^(1 / eps) = 0.1 x 0.8^(-2.5).
  EXPECT_NEAR(s->price, 0.1 * std::pow(0.8, -2.5), kClosedFormTolerance);
  EXPECT_NEAR(60.0 + 50.0 * std::pow(s->price / 0.1, -0.4), 100.0, 1e-9);
  const auto b = bisect_price(
      load, [](double p) { return std::pow(p / 0.1, -0.4); }, bounds);
  ASSERT_THAT(b, IsOk());
  EXPECT_NEAR(b->price, s->price, 1e-11);
}

TEST(PriceResponse, LinearElasticityClosedFormMatchesBisection) {
  const PriceBounds bounds{0.20, 0.05, 1.0};
  const PriceResponse model = LinearElasticity{-0.5};
  for (const IntervalLoad load :
       {IntervalLoad{50, 60, 100}, IntervalLoad{10, 100, 70}, IntervalLoad{0, 40, 100}}) {
    const auto s = lowest_price(load, model, bounds);
    ASSERT_THAT(s, IsOk());
    const auto b = bisect_price(
        load, [](double p) { return std::max(0.0, 1.0 - 0.5 * (p - 0.2) / 0.2); }, bounds);
    ASSERT_THAT(b, IsOk());
    EXPECT_EQ(s->status, b->status);
    EXPECT_NEAR(s->price, b->price, 1e-11) << load.baseline_kw;
  }
}

TEST(PriceResponse, PriceBelowReferenceFillsValleys) {
  // Floor below the reference: an uncongested interval gets a price under p0 as long as the
  // extra demand it attracts stays under the target.
  const PriceBounds bounds{0.20, 0.05, 1.0};
  const auto s = lowest_price({20, 40, 100}, LinearElasticity{-0.5}, bounds);
  ASSERT_THAT(s, IsOk());
  EXPECT_EQ(s->status, PriceStatus::at_floor);
  EXPECT_DOUBLE_EQ(s->price, 0.05);
  const auto tight = lowest_price({40, 40, 90}, LinearElasticity{-0.5}, bounds);
  ASSERT_THAT(tight, IsOk());
  EXPECT_EQ(tight->status, PriceStatus::binding);
  EXPECT_LT(tight->price, 0.20);
  EXPECT_NEAR(40 + tight->controllable_kw, 90.0, 1e-9);
}

TEST(PriceResponse, FlagsBaselineOverCapacityAndInsufficientFlexibility) {
  const PriceBounds bounds{0.1, 0.1, 1.0};
  const auto over = lowest_price({120, 10, 100}, ConstantElasticity{-0.3}, bounds);
  ASSERT_THAT(over, IsOk());
  EXPECT_EQ(over->status, PriceStatus::baseline_over_capacity);
  EXPECT_DOUBLE_EQ(over->price, 1.0);
  const auto weak = lowest_price({90, 50, 100}, ConstantElasticity{-0.1}, bounds);
  ASSERT_THAT(weak, IsOk());
  EXPECT_EQ(weak->status, PriceStatus::insufficient_flexibility);
  EXPECT_DOUBLE_EQ(weak->price, 1.0);
  EXPECT_EQ(to_string(PriceStatus::baseline_over_capacity), "baseline_over_capacity");
}

TEST(PriceResponse, LowestTierPicksCheapestFeasibleTier) {
  const std::vector<double> tiers = {0.0399, 0.1176, 0.6720};
  const PriceResponse model = ConstantElasticity{-0.5};
  const auto low = lowest_tier({20, 30, 100}, model, 0.1176, tiers);
  ASSERT_THAT(low, IsOk());
  EXPECT_DOUBLE_EQ(low->price, 0.0399);
  EXPECT_EQ(low->status, PriceStatus::at_floor);
  const auto high = lowest_tier({60, 50, 100}, model, 0.1176, tiers);
  ASSERT_THAT(high, IsOk());
  EXPECT_DOUBLE_EQ(high->price, 0.6720);
  EXPECT_EQ(high->status, PriceStatus::binding);
}

TEST(PriceResponse, RejectsIncreasingOrInvalidCurves) {
  const PriceBounds bounds{0.1, 0.1, 2.0};
  EXPECT_THAT(
      bisect_price(
          {60, 50, 100}, [](double p) { return p; }, bounds),
      HasError(ErrorCode::numerical, AllOf(HasSubstr("not non-increasing"), HasSubstr("f(0.1"))));
  // Decreasing from end to end but above f(floor) inside: caught at the first interior sample.
  // (Monotonicity is checked at the sampled prices only; a rise the search never samples is
  // not detected — the curve's monotonicity is a precondition.)
  EXPECT_THAT(
      bisect_price(
          {60, 50, 100}, [](double p) { return p <= 0.1 ? 0.84 : (p >= 2.0 ? 0.7 : 0.9); }, bounds),
      HasError(ErrorCode::numerical, HasSubstr("not non-increasing")));
  EXPECT_THAT(
      bisect_price(
          {60, 50, 100}, [](double) { return std::nan(""); }, bounds),
      HasError(ErrorCode::numerical, AllOf(HasSubstr("returned nan"), HasSubstr("at price 0.1"))));
  EXPECT_THAT(lowest_tier({60, 500, 100}, MonotoneResponse{[](double p) { return p; }}, 0.1,
                          std::vector<double>{0.1, 0.2}),
              HasError(ErrorCode::numerical, HasSubstr("not non-increasing")));
}

TEST(PriceResponse, ValidatesModelAndBounds) {
  EXPECT_THAT(validate_response(ConstantElasticity{0.2}, {0.1, 0.1, 1.0}),
              HasError(ErrorCode::invalid_argument,
                       AllOf(HasSubstr("constant elasticity 0.2"), HasSubstr("< 0"))));
  EXPECT_THAT(validate_response(LinearElasticity{std::nan("")}, {0.1, 0.1, 1.0}),
              HasError(ErrorCode::invalid_argument, HasSubstr("linear elasticity")));
  EXPECT_THAT(validate_response(MonotoneResponse{}, {0.1, 0.1, 1.0}),
              HasError(ErrorCode::invalid_argument, HasSubstr("no curve")));
  EXPECT_THAT(validate_response(ConstantElasticity{-0.2}, {0.0, 0.1, 1.0}),
              HasError(ErrorCode::invalid_argument, HasSubstr("reference price 0")));
  EXPECT_THAT(validate_response(ConstantElasticity{-0.2}, {0.1, 0.0, 1.0}),
              HasError(ErrorCode::invalid_argument,
                       AllOf(HasSubstr("price floor 0"), HasSubstr("constant-elasticity"))));
  EXPECT_THAT(validate_response(LinearElasticity{-0.2}, {0.1, 0.5, 0.2}),
              HasError(ErrorCode::invalid_argument,
                       AllOf(HasSubstr("price cap 0.2"), HasSubstr("floor 0.5"))));
  EXPECT_THAT(validate_response(LinearElasticity{-0.2}, {0.1, 0.0, 1.0, -1e-6}),
              HasError(ErrorCode::invalid_argument, HasSubstr("price tolerance -1e-06")));
  EXPECT_THAT(validate_response(LinearElasticity{-0.2}, {0.1, 0.0, 1.0}), IsOk());
}

TEST(PriceResponse, BisectionStopsAtTheRequestedTolerance) {
  const IntervalLoad load{60, 50, 100};
  const auto curve = [](double p) { return std::pow(p / 0.1, -0.4); };
  const auto fine = bisect_price(load, curve, {0.1, 0.1, 2.0});
  const auto coarse = bisect_price(load, curve, {0.1, 0.1, 2.0, 1e-6});
  ASSERT_THAT(fine, IsOk());
  ASSERT_THAT(coarse, IsOk());
  EXPECT_GE(coarse->price, fine->price);  // the feasible end of a wider bracket
  EXPECT_LE(coarse->price - fine->price, 1e-6);
  EXPECT_LE(60 + coarse->controllable_kw, 100.0);
}

}  // namespace
}  // namespace gridke::services::tariffs::solver
