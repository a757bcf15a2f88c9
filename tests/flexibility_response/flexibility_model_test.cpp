// Tests for flexibility_model.hpp: a synthetic dataset with a planted response (always runs), the
// Low Carbon London pipeline against statsmodels (reference: lcl/reference_statsmodels_*.csv,
// kWh per half-hour -> kW), the flat-rate control household MAC000060 as a negative control,
// expected directions, ranking and the error paths.

#include "gridke/services/flexibility_response/flexibility_model.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <map>

#include "csv_table.hpp"
#include "gridke/services/flexibility_response/synthetic_dataset.hpp"
#include "gridke_matchers.hpp"

namespace gridke::services::flexibility_response {
namespace {

using ::testing::HasSubstr;
using testing::lcl_dir;
using testing::read_csv_table;

constexpr double kStatsmodelsRelativeTolerance = 1e-9;
/// A planted effect must lie within this many standard errors of its estimate (|z| > 5 has
/// probability 6e-7 per comparison).
constexpr double kPlantedEffectSigmas = 5.0;
constexpr double kSignificanceLevel = 0.05;

double relative_difference(double a, double b) {
  return std::fabs(a - b) / std::fmax(std::fabs(b), 1e-300);
}

SyntheticOptions planted_options() {
  SyntheticOptions options;
  options.customers = 6;
  options.days = 365;
  return options;
}

TEST(FlexibilityModel, RecoversPlantedResponse) {
  const auto options = planted_options();
  const auto dataset = make_synthetic_dataset(options);
  const auto result = analyse(dataset, {});
  ASSERT_THAT(result, IsOk());
  ASSERT_EQ(result->levels, (std::vector<double>{0.0399, 0.6720}));
  ASSERT_EQ(result->customers.size(), 6u);
  constexpr std::size_t kLow = 0, kHigh = 1;
  int checked = 0;
  for (int c = 0; c < options.customers; ++c) {
    const auto& customer = result->customers[static_cast<std::size_t>(c)];
    ASSERT_EQ(customer.slots.size(), 24u);
    for (const auto& slot : customer.slots) {
      ASSERT_TRUE(slot.estimated) << slot.note;
      for (const std::size_t k : {kLow, kHigh}) {
        const auto& level = slot.levels[k];
        if (!level.estimated) continue;
        const double planted = !is_responsive(options, c) ? 0.0
                               : k == kHigh               ? options.high_response_kw
                                                          : options.low_response_kw;
        EXPECT_LE(std::fabs(level.flexibility_kw - planted),
                  kPlantedEffectSigmas * level.flexibility_se_kw)
            << "customer " << c << " slot " << slot.slot << " level " << k;
        EXPECT_NEAR(level.power_kw.mean - slot.baseline_kw.mean, level.flexibility_kw, 1e-12);
        ++checked;
        if (is_responsive(options, c)) {
          EXPECT_GT(level.reliability, 0.999);
          EXPECT_LT(level.p_value, 1e-6);
        }
      }
    }
  }
  EXPECT_GT(checked, 6 * 8);  // high in 5 hours, low in 9 hours per customer
  // Ranking at 18:00 for the high price: the three responders (0, 2, 4) above the others.
  for (int c = 0; c < options.customers; ++c) {
    const double rank =
        result->customers[static_cast<std::size_t>(c)].slots[18].levels[kHigh].ranking_percent;
    if (is_responsive(options, c)) {
      EXPECT_GE(rank, 60.0) << c;
    } else {
      EXPECT_LE(rank, 40.0) << c;
    }
  }
  // Prediction interval of the baseline contains its mean and is wider than the CI.
  const auto& b = result->customers[1].slots[18].baseline_kw;
  EXPECT_LT(b.obs_ci_lower, b.mean_ci_lower);
  EXPECT_GT(b.obs_ci_upper, b.mean_ci_upper);
}

TEST(FlexibilityModel, WorkerThreadsGiveIdenticalResults) {
  auto options = planted_options();
  options.customers = 5;
  options.days = 90;
  const auto dataset = make_synthetic_dataset(options);
  const auto serial = analyse(dataset, {});
  AnalysisOptions parallel_options;
  parallel_options.threads = 3;
  const auto parallel = analyse(dataset, parallel_options);
  ASSERT_THAT(serial, IsOk());
  ASSERT_THAT(parallel, IsOk());
  ASSERT_EQ(parallel->customers.size(), 5u);
  for (std::size_t c = 0; c < 5; ++c) {
    EXPECT_EQ(parallel->customers[c].user_id, serial->customers[c].user_id);
    for (std::size_t h = 0; h < 24; ++h) {
      const auto& a = parallel->customers[c].slots[h];
      const auto& b = serial->customers[c].slots[h];
      EXPECT_EQ(a.baseline_kw.mean, b.baseline_kw.mean);
      for (std::size_t k = 0; k < 2; ++k) {
        EXPECT_EQ(a.levels[k].flexibility_kw, b.levels[k].flexibility_kw);
        EXPECT_EQ(a.levels[k].ranking_percent, b.levels[k].ranking_percent);
      }
    }
  }
}

TEST(FlexibilityModel, LevelsAbsentFromASlotAreNotEstimated) {
  auto options = planted_options();
  options.customers = 1;
  const auto result = analyse(make_synthetic_dataset(options), {});
  ASSERT_THAT(result, IsOk());
  const auto& slot = result->customers[0].slots[9];  // 09:00: neither high nor low
  EXPECT_TRUE(slot.estimated);
  EXPECT_FALSE(slot.levels[0].estimated);
  EXPECT_FALSE(slot.levels[1].estimated);
  EXPECT_EQ(slot.levels[1].observations, 0);
}

TEST(FlexibilityModel, ExpectedDirectionsFollowTheSignalClass) {
  using model::SignalClass;
  EXPECT_EQ(expected_direction(SignalClass::cost, 0.6720, 0.1176), -1.0);
  EXPECT_EQ(expected_direction(SignalClass::cost, 0.0399, 0.1176), 1.0);
  EXPECT_EQ(expected_direction(SignalClass::co2_emissions, 400, std::nullopt), -1.0);
  EXPECT_EQ(expected_direction(SignalClass::renewable_percentage, 80, 40.0), 1.0);
  EXPECT_EQ(expected_direction(SignalClass::power_limit, 3.0, 5.0), -1.0);
}

TEST(FlexibilityModel, RanksTiesByMeanRank) {
  FlexibilityResult r;
  r.levels = {1.0};
  for (const double flex : {-0.1, -0.3, -0.1}) {
    CustomerResult c;
    SlotResult s;
    s.estimated = true;
    LevelResult l;
    l.estimated = true;
    l.expected_direction = -1.0;
    l.flexibility_kw = flex;
    s.levels = {l};
    c.slots = {s};
    r.customers.push_back(c);
  }
  rank_customers(r);
  EXPECT_DOUBLE_EQ(r.customers[0].slots[0].levels[0].ranking_percent, 25.0);
  EXPECT_DOUBLE_EQ(r.customers[1].slots[0].levels[0].ranking_percent, 100.0);
  EXPECT_DOUBLE_EQ(r.customers[2].slots[0].levels[0].ranking_percent, 25.0);
}

TEST(FlexibilityModel, RejectsBadOptionsAndInvalidDatasets) {
  auto options = planted_options();
  options.customers = 1;
  options.days = 10;
  auto dataset = make_synthetic_dataset(options);
  AnalysisOptions bad;
  bad.slot_minutes = 7;
  EXPECT_THAT(analyse(dataset, bad), HasError(ErrorCode::invalid_argument,
                                              HasSubstr("slot_minutes must divide 1440, got 7")));
  bad.slot_minutes = 15;
  EXPECT_THAT(
      analyse(dataset, bad),
      HasError(ErrorCode::invalid_argument,
               HasSubstr("slot of 15 min is shorter than the 30 min time step of user user0")));
  bad.slot_minutes = 60;
  bad.confidence_level = 1.0;
  EXPECT_THAT(analyse(dataset, bad), HasError(ErrorCode::invalid_argument,
                                              HasSubstr("confidence_level must be in (0, 1)")));
  dataset.consumption[5] = std::nan("");
  EXPECT_THAT(analyse(dataset, {}),
              HasError(ErrorCode::invalid_argument,
                       HasSubstr("line 6 (user user0): consumption is not finite")));
}

// ---- Low Carbon London ----------------------------------------------------------------------

bool lcl_present() {
  return std::filesystem::exists(lcl_dir() + "/dtou2013_aggregate_price_temperature_demand.csv");
}

// A dataset from the aggregate file: one "customer" per target column, kWh per half-hour.
model::Dataset lcl_aggregate_dataset(const std::vector<std::string>& targets) {
  const auto table = read_csv_table(lcl_dir() + "/dtou2013_aggregate_price_temperature_demand.csv");
  model::Dataset d;
  d.consumption_unit = model::ConsumptionUnit::kwh;
  d.signal_class = model::SignalClass::cost;
  d.signal_unit = "GBP/kWh";
  d.baseline_signal_value = 0.1176;
  d.window = {*model::parse_timestamp("2013-01-01 00:00:00"),
              *model::parse_timestamp("2014-01-01 00:00:00")};
  for (std::size_t u = 0; u < targets.size(); ++u) {
    d.user_ids.push_back(targets[u]);
    for (const auto& row : table.rows) {
      d.user.push_back(static_cast<std::int32_t>(u));
      d.timestamp_s.push_back(*model::parse_timestamp(row.at("DateTime")));
      d.consumption.push_back(std::stod(row.at(targets[u])));
      d.signal.push_back(std::stod(row.at("Price")));
      d.outside_temperature_c.push_back(std::stod(row.at("Temperature")));
    }
  }
  return d;
}

TEST(FlexibilityModel, LowCarbonLondonPipelineMatchesStatsmodels) {
  if (!lcl_present()) GTEST_SKIP() << "shared reference data absent: " << lcl_dir();
  const auto dataset = lcl_aggregate_dataset({"mean_flex", "mean_all"});
  AnalysisOptions options;
  options.slot_minutes = 30;
  options.reference_temperature_c = 10.0;  // as the reference predictions
  const auto result = analyse(dataset, options);
  ASSERT_THAT(result, IsOk());
  ASSERT_EQ(result->levels, (std::vector<double>{0.0399, 0.6720}));  // i1 = low, i2 = high
  const auto reference = read_csv_table(lcl_dir() + "/reference_statsmodels_ols_predictions.csv");
  constexpr double kKwPerKwhPerHalfHour = 2.0;
  int compared = 0;
  for (const auto& row : reference.rows) {
    const std::size_t customer = row.at("target") == "mean_flex" ? 0 : 1;
    const auto& slot = result->customers[customer].slots[std::stoul(row.at("slot"))];
    ASSERT_TRUE(slot.estimated) << slot.note;
    const std::string& signal = row.at("signal");
    const solver::Prediction& p = signal == "normal" ? slot.baseline_kw
                                  : signal == "low"  ? slot.levels[0].power_kw
                                                     : slot.levels[1].power_kw;
    const std::string where = row.at("target") + " slot " + row.at("slot") + " " + signal;
    EXPECT_LE(relative_difference(p.mean, kKwPerKwhPerHalfHour * std::stod(row.at("mean"))),
              kStatsmodelsRelativeTolerance)
        << where;
    EXPECT_LE(relative_difference(p.obs_ci_lower,
                                  kKwPerKwhPerHalfHour * std::stod(row.at("obs_ci_lower"))),
              kStatsmodelsRelativeTolerance)
        << where;
    EXPECT_LE(relative_difference(p.obs_ci_upper,
                                  kKwPerKwhPerHalfHour * std::stod(row.at("obs_ci_upper"))),
              kStatsmodelsRelativeTolerance)
        << where;
    ++compared;
  }
  EXPECT_EQ(compared, 288);
  // Flexibility = coefficient; high at slot 36 (18:00) mean_flex: 0.00632578339674 kWh/hh.
  EXPECT_LE(relative_difference(result->customers[0].slots[36].levels[1].flexibility_kw,
                                kKwPerKwhPerHalfHour * 0.00632578339674),
            1e-11);
}

TEST(FlexibilityModel, FlatRateControlHouseholdShowsNoSignificantResponse) {
  const std::string mac = lcl_dir() + "/MAC000060_std_halfhourly.csv";
  if (!lcl_present() || !std::filesystem::exists(mac)) {
    GTEST_SKIP() << "shared reference data absent: " << lcl_dir();
  }
  // MAC000060 is on the flat Std tariff: it never saw the dToU signals, so joining the 2013
  // schedule onto its consumption must show no response (the negative control of NOTES §3.3).
  const auto aggregate =
      read_csv_table(lcl_dir() + "/dtou2013_aggregate_price_temperature_demand.csv");
  std::map<std::string, std::pair<double, double>> price_temperature;
  for (const auto& row : aggregate.rows) {
    price_temperature[row.at("DateTime")] = {std::stod(row.at("Price")),
                                             std::stod(row.at("Temperature"))};
  }
  model::Dataset d;
  d.user_ids = {"MAC000060"};
  d.consumption_unit = model::ConsumptionUnit::kwh;
  d.signal_unit = "GBP/kWh";
  d.baseline_signal_value = 0.1176;
  d.window = {*model::parse_timestamp("2013-01-01 00:00:00"),
              *model::parse_timestamp("2014-01-01 00:00:00")};
  for (const auto& row : read_csv_table(mac).rows) {
    const auto it = price_temperature.find(row.at("DateTime"));
    if (it == price_temperature.end()) continue;  // outside 2013: no signal, no temperature
    d.user.push_back(0);
    d.timestamp_s.push_back(*model::parse_timestamp(row.at("DateTime")));
    d.consumption.push_back(std::stod(row.at("kwh_per_halfhour")));
    d.signal.push_back(it->second.first);
    d.outside_temperature_c.push_back(it->second.second);
  }
  ASSERT_GT(d.size(), 17000u);
  const auto result = analyse(d, {});
  ASSERT_THAT(result, IsOk());
  int tests = 0, nominal = 0;
  double smallest_p = 1.0;
  for (const auto& slot : result->customers[0].slots) {
    for (const auto& level : slot.levels) {
      if (!level.estimated) continue;
      ++tests;
      if (level.p_value < kSignificanceLevel) ++nominal;
      smallest_p = std::fmin(smallest_p, level.p_value);
    }
  }
  ASSERT_GT(tests, 20);
  // No slot is significant after a Bonferroni correction for the number of slot-level tests, and
  // the count of nominal 5 % rejections is what chance gives: under "no response" it is
  // Binomial(tests, 0.05), and P(X >= nominal) must not itself be significant.
  EXPECT_GT(smallest_p, kSignificanceLevel / tests);
  double tail = 0.0;
  for (int k = nominal; k <= tests; ++k) {
    tail +=
        std::exp(std::lgamma(tests + 1.0) - std::lgamma(k + 1.0) - std::lgamma(tests - k + 1.0) +
                 k * std::log(kSignificanceLevel) + (tests - k) * std::log1p(-kSignificanceLevel));
  }
  EXPECT_GT(tail, kSignificanceLevel) << nominal << " of " << tests << " nominally significant";
}

}  // namespace
}  // namespace gridke::services::flexibility_response
