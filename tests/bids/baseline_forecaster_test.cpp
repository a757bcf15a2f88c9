// Baseline forecaster: exact recovery of a known model, bad input, and the held-out error on
// real data (Low Carbon London dToU aggregate, tests/data/flexibility/SOURCES.md).
#include "gridke/services/bids/baseline_forecaster.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "gridke_matchers.hpp"

namespace gridke::services::bids {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono;

// 2026-11-02 is a Monday.
const TimePoint monday = TimePoint(sys_days(year(2026) / November / 2));

double truth(bool weekend, int slot, double t) {
  return (weekend ? 1.5 : 1.0) + 0.01 * slot - 0.05 * t;
}

std::vector<LoadObservation> synthetic(int n_days, int interval_minutes) {
  std::vector<LoadObservation> out;
  const int slots = 1440 / interval_minutes;
  for (int d = 0; d < n_days; ++d) {
    for (int s = 0; s < slots; ++s) {
      const TimePoint t = monday + days{d} + minutes(s * interval_minutes);
      const double temp = 5 + 10 * std::sin(d * 0.7 + s * 0.1);
      out.push_back({t, temp, truth(is_weekend(t), s, temp)});
    }
  }
  return out;
}

TEST(BaselineForecaster, RecoversAKnownProfileAndTemperatureSlope) {
  const auto history = synthetic(28, 60);
  auto m = BaselineForecaster::fit(history, 60);
  ASSERT_THAT(m, IsOk());
  EXPECT_NEAR(m->slope(false, 7), -0.05, 1e-9);
  EXPECT_NEAR(m->intercept(true, 7), 1.5 + 0.07, 1e-9);
  const auto held_out = synthetic(35, 60);
  const auto e = m->evaluate(std::span(held_out).subspan(28 * 24));
  EXPECT_EQ(e.points, 7u * 24u);
  EXPECT_LT(e.mae_kw, 1e-9);
}

TEST(BaselineForecaster, ConstantTemperatureGivesTheSameDayTypeMean) {
  std::vector<LoadObservation> h;
  for (int d = 0; d < 14; ++d) {
    for (int s = 0; s < 2; ++s) {
      h.push_back({monday + days{d} + hours(12 * s), 10.0, static_cast<double>(d % 2)});
    }
  }
  auto m = BaselineForecaster::fit(h, 720);
  ASSERT_THAT(m, IsOk());
  EXPECT_DOUBLE_EQ(m->slope(false, 0), 0.0);
  // Weekdays d = 0..4 and 7..11: five of the ten are odd.
  EXPECT_NEAR(m->forecast(monday, 30.0), 0.5, 1e-12);
}

TEST(BaselineForecaster, RejectsBadInput) {
  EXPECT_THAT(BaselineForecaster::fit({}, 7),
              HasError(ErrorCode::invalid_argument, HasSubstr("must divide 1440")));
  std::vector<LoadObservation> off{{monday + minutes(5), 1, 1}};
  EXPECT_THAT(BaselineForecaster::fit(off, 60),
              HasError(ErrorCode::invalid_argument,
                       HasSubstr("history[0]: time is not on the 60-minute grid")));
  std::vector<LoadObservation> nan{{monday, 1, std::nan("")}};
  EXPECT_THAT(BaselineForecaster::fit(nan, 60),
              HasError(ErrorCode::invalid_argument, HasSubstr("history[0]: value is not finite")));
  std::vector<LoadObservation> gap{{monday, 1, 1}};
  EXPECT_THAT(
      BaselineForecaster::fit(gap, 720),
      HasError(ErrorCode::invalid_argument, HasSubstr("no weekday observation for slot 1 (12:0)")));
}

std::vector<LoadObservation> read_lcl() {
  const std::filesystem::path path = std::filesystem::path(GRIDKE_TEST_DATA_DIR) / "flexibility" /
                                     "lcl_dtou2013_sep_dec_mean_kw.csv";
  std::ifstream in(path);
  std::vector<LoadObservation> out;
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    std::istringstream ss(line);
    std::string t, temp, kw;
    std::getline(ss, t, ',');
    std::getline(ss, temp, ',');
    std::getline(ss, kw, ',');
    int y = 0, mo = 0, d = 0, h = 0, mi = 0;
    std::sscanf(t.c_str(), "%d-%d-%dT%d:%d", &y, &mo, &d, &h, &mi);
    const TimePoint tp = TimePoint(sys_days(year(y) / month(static_cast<unsigned>(mo)) /
                                            day(static_cast<unsigned>(d)))) +
                         hours(h) + minutes(mi);
    out.push_back({tp, std::stod(temp), std::stod(kw)});
  }
  return out;
}

// Held-out error on real data: train 2013-09-01 … 2013-11-17, test 2013-11-18 … 2013-12-15.
// The figures are written to docs/flexibility-market.md; the test pins them (to catch
// regressions) and checks that the temperature term helps against the plain profile.
TEST(BaselineForecaster, HeldOutErrorOnLowCarbonLondonData) {
  const auto all = read_lcl();
  ASSERT_EQ(all.size(), 5088u);
  const TimePoint split = TimePoint(sys_days(year(2013) / November / 18));
  std::vector<LoadObservation> train, test, train_no_temp;
  for (const auto& o : all) (o.time < split ? train : test).push_back(o);
  for (auto o : train) {
    o.temperature_c = 0;
    train_no_temp.push_back(o);
  }
  auto m = BaselineForecaster::fit(train, 30);
  ASSERT_THAT(m, IsOk());
  auto plain = BaselineForecaster::fit(train_no_temp, 30);
  ASSERT_THAT(plain, IsOk());
  std::vector<LoadObservation> test_no_temp = test;
  for (auto& o : test_no_temp) o.temperature_c = 0;
  const auto e = m->evaluate(test);
  const auto e_plain = plain->evaluate(test_no_temp);
  RecordProperty("mape_percent", std::to_string(e.mape_percent));
  RecordProperty("mape_plain_percent", std::to_string(e_plain.mape_percent));
  std::printf(
      "LCL held-out (%zu half-hours): MAE %.4f kW, RMSE %.4f kW, MAPE %.2f %% "
      "(plain same-day-type profile: MAE %.4f kW, MAPE %.2f %%)\n",
      e.points, e.mae_kw, e.rmse_kw, e.mape_percent, e_plain.mae_kw, e_plain.mape_percent);
  EXPECT_EQ(e.points, 28u * 48u);
  EXPECT_LT(e.mape_percent, e_plain.mape_percent);
  EXPECT_LT(e.mape_percent, 12.0);
}

}  // namespace
}  // namespace gridke::services::bids
