// The pure detection functions of detection.hpp: the Poisson-binomial tail (checked against
// the closed-form binomial tail, i.e. scipy.stats.binom.sf), onset clusters, the episode-rate
// prior, settings validation, and evaluate_group() for each rule of NOTES.md §6.2.

#include "gridke/services/fault_location/detection.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "gridke_matchers.hpp"

namespace gridke::services::fault_location {
namespace {

using ::testing::HasSubstr;

// Closed-form binomial upper tail sum_{j>=k} C(n,j) p^j (1-p)^(n-j), in logs.
double binomial_tail(int n, double p, int k) {
  double sum = 0.0;
  for (int j = k; j <= n; ++j) {
    sum += std::exp(std::lgamma(n + 1.0) - std::lgamma(j + 1.0) - std::lgamma(n - j + 1.0) +
                    j * std::log(p) + (n - j) * std::log1p(-p));
  }
  return sum;
}

TEST(PoissonBinomialTail, MatchesBinomialForEqualProbabilities) {
  // scipy.stats.binom.sf(2, 10, 0.1) = 0.07019082639999992
  std::vector<double> p(10, 0.1);
  EXPECT_NEAR(poisson_binomial_tail(p, 3), 0.0701908264, 1e-10);
  std::vector<double> q(150, 0.004);
  for (int k : {1, 3, 10, 40}) {
    const double want = binomial_tail(150, 0.004, k);
    EXPECT_NEAR(poisson_binomial_tail(q, k) / want, 1.0, 1e-9) << "k=" << k;
  }
}

TEST(PoissonBinomialTail, KeepsPrecisionForTinyTailsAndEdges) {
  std::vector<double> p(20, 1e-3);
  EXPECT_NEAR(poisson_binomial_tail(p, 20) / 1e-60, 1.0, 1e-9);
  EXPECT_EQ(poisson_binomial_tail(p, 0), 1.0);
  EXPECT_EQ(poisson_binomial_tail(p, 21), 0.0);
  std::vector<double> mixed = {0.5, 0.1};
  EXPECT_NEAR(poisson_binomial_tail(mixed, 1), 1.0 - 0.5 * 0.9, 1e-15);
  EXPECT_NEAR(poisson_binomial_tail(mixed, 2), 0.05, 1e-15);
}

TEST(LargestCluster, FindsTheDensestWindow) {
  const Timestamp t0 = from_epoch_ms(0);
  std::vector<Timestamp> t = {t0 + Duration(500'000), t0,
                              t0 + Duration(30'000),  t0 + Duration(520'000),
                              t0 + Duration(560'000), t0 + Duration(610'000)};
  EXPECT_EQ(largest_cluster(t, Duration(120'000)), 4);
  EXPECT_EQ(largest_cluster(t, Duration(10'000)), 1);
  EXPECT_EQ(largest_cluster({}, Duration(1)), 0);
}

TEST(OnsetProbability, ShrinksHistoryTowardsThePrior) {
  DetectionSettings s;  // prior: 1 episode per day, weight 1 day; window 120 s
  const double prior = onset_probability(0, Duration(0), s);
  EXPECT_NEAR(prior, -std::expm1(-120.0 / 86'400.0), 1e-12);
  // 30 days without a silence: far more reliable than the prior.
  EXPECT_LT(onset_probability(0, Duration(30LL * 86'400'000), s), prior / 20);
  // 60 episodes in 30 days: about 2 a day.
  EXPECT_NEAR(onset_probability(60, Duration(30LL * 86'400'000), s) / prior, 61.0 / 31.0, 5e-3);
}

TEST(DetectionSettings, ValidateNamesTheBadField) {
  DetectionSettings s;
  EXPECT_THAT(s.validate(), IsOk());
  s.false_alarm_alpha = 0.0;
  EXPECT_THAT(s.validate(), HasError(ErrorCode::invalid_argument, HasSubstr("false_alarm_alpha")));
  s = {};
  s.onset_window = Duration(0);
  EXPECT_THAT(s.validate(), HasError(ErrorCode::invalid_argument, HasSubstr("onset_window")));
  s = {};
  s.min_abnormal_hems = 0;
  EXPECT_THAT(s.validate(), HasError(ErrorCode::invalid_argument, HasSubstr("min_abnormal_hems")));
  s = {};
  s.clear_fraction = 1.5;
  EXPECT_THAT(s.validate(), HasError(ErrorCode::invalid_argument, HasSubstr("clear_fraction")));
}

class EvaluateGroupTest : public ::testing::Test {
 protected:
  const Timestamp now = from_epoch_ms(10'000'000);
  DetectionSettings settings;
  GroupContext ctx{now, 3, Duration(300'000), 0};

  // n members, `silent` of them silent since `onset` (+ i seconds), networks by i % nets + 1.
  std::vector<MemberView> group(int n, int silent, int nets, Duration spread = Duration(1000)) {
    std::vector<MemberView> g;
    const double p = onset_probability(0, Duration(7LL * 86'400'000), settings);
    for (int i = 0; i < n; ++i) {
      const bool s = i < silent;
      g.push_back({s ? now - Duration(400'000) + spread * i : now - Duration(20'000),
                   nets == 0 ? 0U : static_cast<std::uint32_t>(i % nets + 1), p, false});
    }
    return g;
  }
};

TEST_F(EvaluateGroupTest, TooFewSilentIsNone) {
  auto e = evaluate_group(group(10, 2, 2), ctx, settings);
  EXPECT_EQ(e.verdict, SilenceClass::none);
  EXPECT_EQ(e.silent, 2);
  e = evaluate_group(group(10, 4, 2), ctx, settings);  // 4 < f_min * 10
  EXPECT_EQ(e.verdict, SilenceClass::none);
}

TEST_F(EvaluateGroupTest, CoincidentSilenceAcrossNetworksIsPowerFault) {
  auto e = evaluate_group(group(10, 10, 2), ctx, settings);
  EXPECT_EQ(e.verdict, SilenceClass::power_fault);
  EXPECT_TRUE(e.network_corroborated);
  EXPECT_EQ(e.coincident, 10);
  EXPECT_LT(e.tail_probability, 1e-20);
  EXPECT_EQ(e.onset, now - Duration(400'000));
}

TEST_F(EvaluateGroupTest, OneNetworkDarkOtherAliveIsCommunicationOutage) {
  auto g = group(10, 0, 2);
  for (auto& m : g) {
    if (m.access_network == 1) m.last_seen = now - Duration(400'000);
  }
  auto e = evaluate_group(g, ctx, settings);
  EXPECT_EQ(e.verdict, SilenceClass::communication_outage);
  EXPECT_THAT(e.reason, HasSubstr("dark while another network in the zone is alive"));
}

TEST_F(EvaluateGroupTest, NetworkDarkElsewhereExplainsSingleNetworkZone) {
  ctx.networks_dark_elsewhere = std::uint64_t{1} << 1;
  auto e = evaluate_group(group(8, 8, 1), ctx, settings);
  EXPECT_EQ(e.verdict, SilenceClass::communication_outage);
  EXPECT_THAT(e.reason, HasSubstr("dark in other zones too"));
  ctx.networks_dark_elsewhere = 0;
  EXPECT_EQ(evaluate_group(group(8, 8, 1), ctx, settings).verdict, SilenceClass::power_fault);
}

TEST_F(EvaluateGroupTest, LowVoltagesOverruleTheNetworkExplanation) {
  auto g = group(10, 0, 2);
  for (auto& m : g) {
    if (m.access_network == 1) {
      m.last_seen = now - Duration(400'000);
      m.low_before_silence = true;
    }
  }
  auto e = evaluate_group(g, ctx, settings);
  EXPECT_EQ(e.verdict, SilenceClass::power_fault);
  EXPECT_TRUE(e.voltage_corroborated);
}

TEST_F(EvaluateGroupTest, SilencesThatDoNotLineUpAreNotSignificant) {
  auto e = evaluate_group(group(6, 6, 0, Duration(-600'000)), ctx, settings);
  EXPECT_EQ(e.verdict, SilenceClass::not_significant);
  EXPECT_EQ(e.coincident, 1);
}

TEST_F(EvaluateGroupTest, UnreliableDevicesRaiseTheBar) {
  auto g = group(3, 3, 0);
  EXPECT_EQ(evaluate_group(g, ctx, settings).verdict, SilenceClass::power_fault);
  for (auto& m : g) m.onset_probability = 0.05;  // each drops out often
  auto e = evaluate_group(g, ctx, settings);
  EXPECT_EQ(e.verdict, SilenceClass::not_significant);
  EXPECT_NEAR(e.tail_probability, 0.05 * 0.05 * 0.05, 1e-12);
}

}  // namespace
}  // namespace gridke::services::fault_location
