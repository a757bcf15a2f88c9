// Tests for flexibility_model.hpp: a synthetic dataset with a planted response (always runs), the
// Low Carbon London pipeline against statsmodels (reference: lcl/reference_statsmodels_*.csv,
// kWh per half-hour -> kW), the flat-rate control household MAC000060 as a negative control,
// expected directions, ranking and the error paths.

#include "gridke/services/flexibility_response/flexibility_model.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <map>

#include <Eigen/Dense>

#include "csv_table.hpp"
#include "gridke/services/flexibility_response/synthetic_dataset.hpp"
#include "gridke_matchers.hpp"

namespace gridke::services::flexibility_response {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using testing::lcl_dir;
using testing::read_csv_table;

constexpr double kStatsmodelsRelativeTolerance = 1e-9;
/// A planted effect must lie within this many standard errors of its estimate (|z| > 5 has
/// probability 6e-7 per comparison).
constexpr double kPlantedEffectSigmas = 5.0;
constexpr double kSignificanceLevel = 0.05;

double model_relative_difference(double a, double b) {
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

// Groups of the planted dataset: the responders (c % 2 == 0) and the others.
std::vector<model::CustomerGroup> planted_groups(const model::Dataset& d) {
  return {{"responders", {d.user_ids[0], d.user_ids[2]}},
          {"others", {d.user_ids[1], d.user_ids[3]}}};
}

TEST(FlexibilityModel, GroupModelIsTheOlsOfTheAveragedSeries) {
  auto options = planted_options();
  options.customers = 4;
  options.days = 120;
  auto dataset = make_synthetic_dataset(options);
  dataset.groups = planted_groups(dataset);
  const auto result = analyse(dataset, {});
  ASSERT_THAT(result, IsOk());
  ASSERT_EQ(result->groups.size(), 2u);
  const GroupResult& group = result->groups[0];
  EXPECT_EQ(group.name, "responders");
  EXPECT_EQ(group.members, (std::vector<std::string>{dataset.user_ids[0], dataset.user_ids[2]}));
  EXPECT_EQ(group.intervals, options.days * 48);
  EXPECT_EQ(group.incomplete_intervals, 0);
  EXPECT_EQ(group.mixed_signal_intervals, 0);

  // Independently: average the two members per timestamp (rows are in the same order per
  // member), keep 18:00-19:00, regress on [1, T, 1[high]] by the normal equations.
  const std::size_t per_user = dataset.size() / 4;
  std::vector<double> ys, ts, highs;
  for (std::size_t r = 0; r < per_user; ++r) {
    const std::size_t a = r, b = 2 * per_user + r;  // user0 and user2
    ASSERT_EQ(dataset.timestamp_s[a], dataset.timestamp_s[b]);
    if ((dataset.timestamp_s[a] % 86400) / 3600 != 18) continue;
    ys.push_back(0.5 * (dataset.consumption[a] + dataset.consumption[b]));
    ts.push_back(0.5 * (dataset.outside_temperature_c[a] + dataset.outside_temperature_c[b]));
    highs.push_back(dataset.signal[a] == options.high_price ? 1.0 : 0.0);
  }
  const auto n = static_cast<Eigen::Index>(ys.size());
  Eigen::MatrixXd x(n, 3);
  Eigen::VectorXd y(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    const auto k = static_cast<std::size_t>(i);
    x(i, 0) = 1.0;
    x(i, 1) = ts[k];
    x(i, 2) = highs[k];
    y(i) = ys[k];
  }
  const Eigen::MatrixXd xtx_inv = (x.transpose() * x).inverse();
  const Eigen::VectorXd beta = xtx_inv * x.transpose() * y;
  const double sigma2 = (y - x * beta).squaredNorm() / static_cast<double>(n - 3);
  const double mean_t = x.col(1).mean();

  const SlotResult& slot = group.slots[18];
  ASSERT_TRUE(slot.estimated) << slot.note;
  EXPECT_EQ(slot.observations, n);
  EXPECT_FALSE(slot.levels[0].estimated);  // no low price at 18:00
  const LevelResult& high = slot.levels[1];
  ASSERT_TRUE(high.estimated);
  constexpr double kNormalEquationsTolerance = 1e-8;  // (X'X)^-1 loses a few digits
  EXPECT_LE(model_relative_difference(high.flexibility_kw, beta(2)), kNormalEquationsTolerance);
  EXPECT_LE(model_relative_difference(high.flexibility_se_kw, std::sqrt(sigma2 * xtx_inv(2, 2))),
            kNormalEquationsTolerance);
  EXPECT_LE(model_relative_difference(slot.baseline_kw.mean, beta(0) + beta(1) * mean_t),
            kNormalEquationsTolerance);
  EXPECT_LE(model_relative_difference(high.power_kw.mean, beta(0) + beta(1) * mean_t + beta(2)),
            kNormalEquationsTolerance);
  // The planted -0.5 kW of both members is the group's response; the others' group does not
  // respond; groups are ranked among groups.
  EXPECT_LE(std::fabs(high.flexibility_kw - options.high_response_kw),
            kPlantedEffectSigmas * high.flexibility_se_kw);
  EXPECT_EQ(high.ranking_percent, 100.0);
  EXPECT_EQ(result->groups[1].slots[18].levels[1].ranking_percent, 0.0);
  EXPECT_LE(std::fabs(result->groups[1].slots[18].levels[1].flexibility_kw),
            kPlantedEffectSigmas * result->groups[1].slots[18].levels[1].flexibility_se_kw);
}

TEST(FlexibilityModel, GroupSeriesSkipsIncompleteAndMixedSignalIntervals) {
  auto options = planted_options();
  options.customers = 2;
  options.days = 10;
  auto dataset = make_synthetic_dataset(options);
  dataset.groups = {{"both", {dataset.user_ids[0], dataset.user_ids[1]}}};
  const std::size_t per_user = dataset.size() / 2;
  // user1 loses its 03:00 row of day 2 (moved out of the window) ...
  dataset.timestamp_s[per_user + 2 * 48 + 6] = dataset.window.end_s + 3600;
  // ... and user0 gets a high price at 09:00 of day 3, where user1 has the normal price.
  ASSERT_EQ(dataset.signal[3 * 48 + 18], options.normal_price);
  dataset.signal[3 * 48 + 18] = options.high_price;
  const auto index = model::index_customers(dataset);
  GroupResult group;
  const model::Dataset series = group_series(dataset, index, 0, group);
  EXPECT_EQ(group.incomplete_intervals, 1);
  EXPECT_EQ(group.mixed_signal_intervals, 1);
  EXPECT_EQ(group.intervals, 10 * 48 - 2);
  ASSERT_EQ(series.size(), 10u * 48 - 2);
  EXPECT_EQ(series.user_ids, (std::vector<std::string>{"both"}));
  EXPECT_EQ(series.consumption_unit, model::ConsumptionUnit::kw);
  EXPECT_DOUBLE_EQ(series.consumption[0],
                   0.5 * (dataset.consumption[0] + dataset.consumption[per_user]));
  const auto result = analyse(dataset, {});
  ASSERT_THAT(result, IsOk());
  EXPECT_EQ(result->groups[0].incomplete_intervals, 1);
}

TEST(FlexibilityModel, RejectsBadGroupsNamingTheGroup) {
  auto dataset = make_synthetic_dataset(planted_options());
  dataset.groups = {{"north", {"nobody"}}, {"empty", {}}};
  EXPECT_THAT(analyse(dataset, {}),
              HasError(ErrorCode::invalid_argument,
                       AllOf(HasSubstr("group 'north': userID 'nobody' is not in the dataset"),
                             HasSubstr("group 'empty': has no members"))));
}

// One customer, hourly slot 18: 8 high-price intervals (18:00 of days 0..7) at a constant 10 °C,
// 3 of them 1 kW below the baseline line, the others on it; 5 low-price intervals (18:30 of days
// 0..4) at 10 °C, 2 of them 1 kW above. Baseline rows: y = 1 + 0.05 T exactly, T varying. With
// the level rows' temperature constant, the dummies absorb them and the baseline fit is exact.
model::Dataset empirical_dataset() {
  model::Dataset d;
  d.user_ids = {"E1"};
  d.signal_class = model::SignalClass::cost;
  d.signal_unit = "€/kWh";
  d.consumption_unit = model::ConsumptionUnit::kw;
  const std::int64_t t0 = *model::parse_timestamp("2024-01-01T00:00:00");
  constexpr int kDays = 40;
  d.window = {t0, t0 + kDays * 86400};
  for (int day = 0; day < kDays; ++day) {
    for (int step = 0; step < 48; ++step) {
      const bool high = step == 36 && day < 8;
      const bool low = step == 37 && day < 5;
      const double t = (high || low) ? 10.0 : 5.0 + (day * 7 + step) % 13;
      double y = 1.0 + 0.05 * t;
      if (high && day < 3) y -= 1.0;
      if (low && day < 2) y += 1.0;
      d.user.push_back(0);
      d.timestamp_s.push_back(t0 + day * 86400 + step * 1800);
      d.consumption.push_back(y);
      d.signal.push_back(high ? 0.30 : (low ? 0.05 : std::nan("")));
      d.outside_temperature_c.push_back(t);
    }
  }
  return d;
}

TEST(FlexibilityModel, EmpiricalReliabilityIsTheFractionOfRespondingIntervals) {
  AnalysisOptions options;
  options.reliability_method = ReliabilityMethod::empirical;
  options.empirical_threshold_kw = 0.5;
  const auto result = analyse(empirical_dataset(), options);
  ASSERT_THAT(result, IsOk());
  EXPECT_EQ(result->reliability_method, ReliabilityMethod::empirical);
  EXPECT_EQ(result->empirical_threshold_kw, 0.5);
  ASSERT_EQ(result->levels, (std::vector<double>{0.05, 0.30}));
  const SlotResult& slot = result->customers[0].slots[18];
  ASSERT_TRUE(slot.estimated) << slot.note;
  const LevelResult& low = slot.levels[0];   // expected direction +1 (no baseline value: -1)
  const LevelResult& high = slot.levels[1];  // expected direction -1
  EXPECT_EQ(high.observations, 8);
  EXPECT_EQ(high.responded_intervals, 3);
  EXPECT_DOUBLE_EQ(high.reliability, 3.0 / 8.0);
  // Without a baseline signal value every cost level is expected to reduce consumption, so the
  // two intervals 1 kW ABOVE the baseline do not count as responses; none of the 5 does.
  EXPECT_EQ(low.expected_direction, -1.0);
  EXPECT_EQ(low.observations, 5);
  EXPECT_EQ(low.responded_intervals, 0);
  EXPECT_EQ(low.reliability, 0.0);
  // Slots without signals have no reliability.
  EXPECT_FALSE(result->customers[0].slots[3].levels[1].estimated);

  // With the baseline value at 0.1 €/kWh the low level is expected to raise consumption: 2 of 5.
  auto with_baseline = empirical_dataset();
  for (auto& s : with_baseline.signal) {
    if (std::isnan(s)) s = 0.1;
  }
  with_baseline.baseline_signal_value = 0.1;
  const auto raised = analyse(with_baseline, options);
  ASSERT_THAT(raised, IsOk());
  const LevelResult& low2 = raised->customers[0].slots[18].levels[0];
  EXPECT_EQ(low2.expected_direction, 1.0);
  EXPECT_EQ(low2.responded_intervals, 2);
  EXPECT_DOUBLE_EQ(low2.reliability, 2.0 / 5.0);
  // A threshold above the 1 kW responses counts none.
  options.empirical_threshold_kw = 1.5;
  const auto strict = analyse(empirical_dataset(), options);
  ASSERT_THAT(strict, IsOk());
  EXPECT_EQ(strict->customers[0].slots[18].levels[1].reliability, 0.0);
}

TEST(FlexibilityModel, EmpiricalReliabilityWithThePredictionIntervalMarginSeparatesResponders) {
  auto planted = planted_options();
  planted.customers = 2;
  const auto dataset = make_synthetic_dataset(planted);
  AnalysisOptions options;
  options.reliability_method = ReliabilityMethod::empirical;  // threshold: the PI half-width
  const auto result = analyse(dataset, options);
  ASSERT_THAT(result, IsOk());
  // 18:00, high price: responder 0 (-0.5 kW, noise 0.1 kW, margin ~0.2 kW) nearly always below
  // the baseline's lower bound; non-responder 1 about 2.5 % of the time.
  const LevelResult& responder = result->customers[0].slots[18].levels[1];
  const LevelResult& other = result->customers[1].slots[18].levels[1];
  ASSERT_GT(responder.observations, 20);
  EXPECT_GT(responder.reliability, 0.9);
  EXPECT_LT(other.reliability, 0.2);
  EXPECT_EQ(responder.reliability, static_cast<double>(responder.responded_intervals) /
                                       static_cast<double>(responder.observations));
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
  bad.confidence_level = 0.95;
  bad.reliability_method = ReliabilityMethod::empirical;
  bad.empirical_threshold_kw = -0.1;
  EXPECT_THAT(analyse(dataset, bad),
              HasError(ErrorCode::invalid_argument,
                       HasSubstr("empirical_threshold_kw must be a finite number >= 0, got -0.1")));
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
    EXPECT_LE(model_relative_difference(p.mean, kKwPerKwhPerHalfHour * std::stod(row.at("mean"))),
              kStatsmodelsRelativeTolerance)
        << where;
    EXPECT_LE(model_relative_difference(p.obs_ci_lower,
                                        kKwPerKwhPerHalfHour * std::stod(row.at("obs_ci_lower"))),
              kStatsmodelsRelativeTolerance)
        << where;
    EXPECT_LE(model_relative_difference(p.obs_ci_upper,
                                        kKwPerKwhPerHalfHour * std::stod(row.at("obs_ci_upper"))),
              kStatsmodelsRelativeTolerance)
        << where;
    ++compared;
  }
  EXPECT_EQ(compared, 288);
  // Flexibility = coefficient; high at slot 36 (18:00) mean_flex: 0.00632578339674 kWh/hh.
  EXPECT_LE(model_relative_difference(result->customers[0].slots[36].levels[1].flexibility_kw,
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
