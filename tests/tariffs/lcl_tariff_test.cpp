// The Low Carbon London dynamic time-of-use tariff of 2013 (tests/data/tariffs/SOURCES.md) as a
// discrete case: its three levels (Low 0.0399, Normal 0.1176, High 0.6720 GBP/kWh) as tiers of
// the capacity tariff, every day of the signal as a tariff structure (ToU periods and RTP
// prices), and a year of settlement against the published signal.

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "gridke/services/tariffs/capacity_tariff.hpp"
#include "gridke/services/tariffs/model/tariff_structure.hpp"
#include "gridke/services/tariffs/settlement.hpp"
#include "gridke_matchers.hpp"

namespace gridke::services::tariffs {
namespace {

constexpr double kLow = 0.0399, kNormal = 0.1176, kHigh = 0.6720;
constexpr std::size_t kHalfHoursPerDay = 48;

struct Signal {
  std::vector<std::string> level;  // "Low" / "Normal" / "High" per half-hour
  std::vector<double> price;
};

Signal read_lcl() {
  std::ifstream in(std::filesystem::path(GRIDKE_TEST_DATA_DIR) / "tariffs" / "lcl_dtou_2013.csv");
  Signal s;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::istringstream row(line);
    std::string time, level, price;
    std::getline(row, time, ',');
    std::getline(row, level, ',');
    std::getline(row, price, ',');
    s.level.push_back(level);
    s.price.push_back(std::stod(price));
  }
  return s;
}

const Signal& lcl() {
  static const Signal s = read_lcl();
  return s;
}

TEST(LclTariff, SignalHasTheDocumentedLevels) {
  const auto& s = lcl();
  ASSERT_EQ(s.level.size(), 365 * kHalfHoursPerDay);
  std::map<std::string, int> count;
  for (std::size_t i = 0; i < s.level.size(); ++i) {
    ++count[s.level[i]];
    const double expected = s.level[i] == "High" ? kHigh : s.level[i] == "Low" ? kLow : kNormal;
    ASSERT_DOUBLE_EQ(s.price[i], expected) << i;
  }
  EXPECT_EQ(count["Normal"], 15072);
  EXPECT_EQ(count["Low"], 1660);
  EXPECT_EQ(count["High"], 788);
}

TEST(LclTariff, EveryDayIsAValidTimeOfUseAndRealTimeStructure) {
  const auto& s = lcl();
  for (std::size_t day = 0; day < 365; ++day) {
    model::TariffStructure tou;
    tou.id = "lcl-dtou-day-" + std::to_string(day);
    tou.zone = "london";
    tou.tiers = {{"Low", kLow}, {"Normal", kNormal}, {"High", kHigh}};
    model::TariffStructure rtp = tou;
    rtp.kind = model::TariffKind::real_time;
    rtp.interval_minutes = 30;
    for (std::size_t h = 0; h < kHalfHoursPerDay; ++h) {
      const std::size_t i = day * kHalfHoursPerDay + h;
      const int start = static_cast<int>(h) * 30;
      // Merge runs of the same level into one period.
      if (!tou.periods.empty() && tou.periods.back().tier == s.level[i]) {
        tou.periods.back().end_minute = start + 30;
      } else {
        tou.periods.push_back({start, start + 30, s.level[i]});
      }
      rtp.real_time_prices.push_back(s.price[i]);
    }
    ASSERT_THAT(model::validate(tou), IsOk()) << day;
    ASSERT_THAT(model::validate(rtp), IsOk()) << day;
    for (std::size_t h = 0; h < kHalfHoursPerDay; ++h) {
      const int minute = static_cast<int>(h) * 30 + 15;
      ASSERT_DOUBLE_EQ(model::price_at(tou, minute, 0.0, 0.0), model::price_at(rtp, minute, 0, 0));
    }
  }
}

TEST(LclTariff, YearOfSettlementMatchesLevelCounts) {
  const auto& s = lcl();
  const std::vector<double> kwh(s.price.size(), 0.25);  // 0.5 kW flat
  const auto bill = settle(s.price, kwh);
  ASSERT_THAT(bill, IsOk());
  EXPECT_NEAR(bill->total_cost, 0.25 * (15072 * kNormal + 1660 * kLow + 788 * kHigh), 1e-8);
  EXPECT_NEAR(bill->energy_kwh, 0.25 * 17520, 1e-9);
}

// A forecast built so that the capacity tariff with the LCL levels as tiers must publish the LCL
// signal: with constant elasticity -0.5 around Normal, f(Low) = 1.7168, f(High) = 0.4183; per
// half-hour the baseline leaves room for the controllable 10 kW at Low (Low slots), only at Normal
// (Normal slots) or only at High (High slots).
TEST(LclTariff, CapacityTariffWithLclTiersReproducesTheSignal) {
  const auto& s = lcl();
  std::vector<ZoneForecast> days(365);
  for (std::size_t day = 0; day < 365; ++day) {
    auto& f = days[day];
    f.zone = "day-" + std::to_string(day);
    for (std::size_t h = 0; h < kHalfHoursPerDay; ++h) {
      const auto& level = s.level[day * kHalfHoursPerDay + h];
      f.baseline_kw.push_back(level == "Low" ? 75.0 : level == "Normal" ? 87.0 : 93.0);
      f.controllable_kw.push_back(10.0);
      f.capacity_kw.push_back(100.0);
    }
  }
  days[200].baseline_kw[36] = 101.0;  // a half-hour the baseline alone overloads
  CapacityTariffConfig config;
  config.response = solver::ConstantElasticity{-0.5};
  config.bounds.reference = kNormal;
  config.tier_prices = {kLow, kNormal, kHigh};
  auto calc = CapacityTariffCalculator::create(config);
  ASSERT_THAT(calc, IsOk());
  const auto all = calc->compute_all(days);
  ASSERT_THAT(all, IsOk());
  int mismatches = 0;
  for (std::size_t day = 0; day < 365; ++day) {
    for (std::size_t h = 0; h < kHalfHoursPerDay; ++h) {
      if (day == 200 && h == 36) continue;
      if ((*all)[day].price_per_kwh[h] != s.price[day * kHalfHoursPerDay + h]) ++mismatches;
      EXPECT_LE((*all)[day].demand_kw[h], 100.0) << day << ' ' << h;
    }
  }
  EXPECT_EQ(mismatches, 0);
  EXPECT_EQ((*all)[200].baseline_over_capacity(), std::vector<std::size_t>{36});
  EXPECT_DOUBLE_EQ((*all)[200].price_per_kwh[36], kHigh);
}

}  // namespace
}  // namespace gridke::services::tariffs
