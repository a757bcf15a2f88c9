// Tests for forecast_source.hpp and TariffService::publish_with_fetched_forecasts() (D4.3 Table
// 16 step 1) with an in-memory ForecastSource: fetched forecasts replace the DSO's load (the
// capacity stays the DSO's), failures fall back to the DSO-computed forecast with the reason
// stated, fetched_only refuses to fall back, and malformed forecasts are named by zone and
// quarter hour.

#include "gridke/services/tariffs/forecast_source.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <limits>
#include <map>

#include "gridke/services/tariffs/tariff_service.hpp"
#include "gridke_matchers.hpp"
#include "tariff_test_service.hpp"

namespace gridke::services::tariffs {
namespace {

using namespace std::chrono;
using ::testing::HasSubstr;

constexpr Day kFsDay = sys_days{year{2026} / 11 / 28};

LoadForecast fs_load(std::string zone, double evening_baseline) {
  LoadForecast f;
  f.zone = std::move(zone);
  f.day = kFsDay;
  f.source = "https://forecast.example.org/kb/1";
  for (std::size_t q = 0; q < kQuartersPerDay; ++q) {
    const bool evening = q >= 68 && q < 84;
    f.baseline_kw.push_back(evening ? evening_baseline : 50.0);
    f.controllable_kw.push_back(evening ? 90.0 : 8.0);
  }
  return f;
}

// The DSO's own forecast: flat and small, so a tariff computed from it differs.
ZoneForecast fs_dso(std::string zone) {
  ZoneForecast f;
  f.zone = std::move(zone);
  f.baseline_kw.assign(kQuartersPerDay, 40.0);
  f.controllable_kw.assign(kQuartersPerDay, 5.0);
  f.capacity_kw.assign(kQuartersPerDay, 160.0);
  return f;
}

class MapForecastSource final : public ForecastSource {
 public:
  std::map<std::string, Result<LoadForecast>, std::less<>> answers;
  int calls = 0;
  Result<LoadForecast> fetch(std::string_view zone, sys_days day) override {
    ++calls;
    EXPECT_EQ(day, kFsDay);
    const auto it = answers.find(zone);
    if (it == answers.end()) return not_found("no forecast for zone '" + std::string(zone) + "'");
    return it->second;
  }
};

class ForecastSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = test_service::open_in_memory([this] { return now_; });
    ASSERT_THAT(s, IsOk());
    service_ = std::move(s).value();
  }
  TimePoint now_ = TimePoint(kFsDay) - hours(12);
  std::unique_ptr<TariffService> service_;
  MapForecastSource source_;
};

TEST_F(ForecastSourceTest, FetchedForecastPricesLikeTheSameForecastGivenDirectly) {
  source_.answers.emplace("A", fs_load("A", 120.0));
  auto fetched =
      service_->publish_with_fetched_forecasts(kFsDay, std::vector{fs_dso("A")}, &source_);
  ASSERT_THAT(fetched, IsOk());
  ASSERT_EQ(fetched->forecasts.size(), 1u);
  EXPECT_EQ(fetched->forecasts[0].origin, ForecastOrigin::forecast_kb);
  EXPECT_EQ(fetched->forecasts[0].source, "https://forecast.example.org/kb/1");
  EXPECT_THAT(fetched->forecasts[0].describe(), HasSubstr("forecast from forecast KB"));

  ZoneForecast direct = fs_dso("A");
  const auto load = fs_load("A", 120.0);
  direct.baseline_kw = load.baseline_kw;
  direct.controllable_kw = load.controllable_kw;
  auto calc = CapacityTariffCalculator::create(service_->options().capacity);
  ASSERT_THAT(calc, IsOk());
  auto expected = calc->compute(direct);
  ASSERT_THAT(expected, IsOk());
  EXPECT_EQ(fetched->tariffs.at(0).price_per_kwh, expected->price_per_kwh);
  EXPECT_EQ(fetched->tariffs.at(0).expected_demand_kw, expected->demand_kw);
  // The evening is priced above the floor: the fetched load, not the DSO's flat one, was used.
  EXPECT_GT(fetched->tariffs.at(0).price_per_kwh.at(72), 0.10);
}

TEST_F(ForecastSourceTest, WithoutSourceEveryZoneFallsBackToTheDsoForecastStated) {
  auto fetched = service_->publish_with_fetched_forecasts(
      kFsDay, std::vector{fs_dso("A"), fs_dso("B")}, nullptr);
  ASSERT_THAT(fetched, IsOk());
  ASSERT_EQ(fetched->forecasts.size(), 2u);
  for (const auto& use : fetched->forecasts) {
    EXPECT_EQ(use.origin, ForecastOrigin::dso);
    EXPECT_EQ(use.fallback_reason, "no forecast source configured");
    EXPECT_THAT(use.describe(), HasSubstr("fallback to the DSO-computed forecast"));
  }
  auto stored = service_->find("B", kFsDay);
  ASSERT_THAT(stored, IsOk());
  EXPECT_TRUE(stored->has_value());
}

TEST_F(ForecastSourceTest, FailedFetchFallsBackPerZoneWithTheReason) {
  source_.answers.emplace("A", fs_load("A", 120.0));
  source_.answers.emplace("B", unavailable("no forecast knowledge base answers"));
  auto fetched = service_->publish_with_fetched_forecasts(
      kFsDay, std::vector{fs_dso("A"), fs_dso("B"), fs_dso("C")}, &source_);
  ASSERT_THAT(fetched, IsOk());
  EXPECT_EQ(source_.calls, 3);
  EXPECT_EQ(fetched->forecasts[0].origin, ForecastOrigin::forecast_kb);
  EXPECT_EQ(fetched->forecasts[1].origin, ForecastOrigin::dso);
  EXPECT_THAT(fetched->forecasts[1].fallback_reason, HasSubstr("no forecast knowledge base"));
  EXPECT_EQ(fetched->forecasts[2].origin, ForecastOrigin::dso);
  EXPECT_THAT(fetched->forecasts[2].describe(), HasSubstr("no forecast for zone 'C'"));
}

TEST_F(ForecastSourceTest, MalformedFetchedForecastIsNotUsedAndNamedInTheFallback) {
  auto bad = fs_load("A", 120.0);
  bad.baseline_kw[41] = -3.0;
  source_.answers.emplace("A", bad);
  auto fetched =
      service_->publish_with_fetched_forecasts(kFsDay, std::vector{fs_dso("A")}, &source_);
  ASSERT_THAT(fetched, IsOk());
  EXPECT_EQ(fetched->forecasts[0].origin, ForecastOrigin::dso);
  EXPECT_THAT(fetched->forecasts[0].fallback_reason,
              HasSubstr("zone 'A' on 2026-11-28: baseline_kw at 10:15 (quarter 41) is -3 kW"));
}

TEST_F(ForecastSourceTest, FetchedOnlyRefusesToFallBack) {
  source_.answers.emplace("A", unavailable("no forecast knowledge base answers"));
  auto fetched = service_->publish_with_fetched_forecasts(kFsDay, std::vector{fs_dso("A")},
                                                          &source_, FetchPolicy::fetched_only);
  EXPECT_THAT(fetched, HasError(ErrorCode::unavailable,
                                HasSubstr("zone 'A' (no fallback allowed): no forecast")));
  auto stored = service_->find("A", kFsDay);
  ASSERT_THAT(stored, IsOk());
  EXPECT_FALSE(stored->has_value());
}

TEST_F(ForecastSourceTest, FallbackWithoutDsoForecastIsAnError) {
  ZoneForecast capacity_only = fs_dso("A");
  capacity_only.baseline_kw.clear();
  capacity_only.controllable_kw.clear();
  auto fetched =
      service_->publish_with_fetched_forecasts(kFsDay, std::vector{capacity_only}, &source_);
  EXPECT_THAT(fetched, HasError(ErrorCode::invalid_argument,
                                HasSubstr("zone 'A': no fetched forecast and no DSO-computed")));
}

TEST_F(ForecastSourceTest, CapacityOnlyRequestUsesTheFetchedLoad) {
  source_.answers.emplace("A", fs_load("A", 120.0));
  ZoneForecast capacity_only = fs_dso("A");
  capacity_only.baseline_kw.clear();
  capacity_only.controllable_kw.clear();
  auto fetched =
      service_->publish_with_fetched_forecasts(kFsDay, std::vector{capacity_only}, &source_);
  ASSERT_THAT(fetched, IsOk());
  EXPECT_EQ(fetched->forecasts[0].origin, ForecastOrigin::forecast_kb);
}

TEST_F(ForecastSourceTest, LatePublicationIsRefusedBeforeFetching) {
  now_ = TimePoint(kFsDay) - minutes(30);
  auto fetched =
      service_->publish_with_fetched_forecasts(kFsDay, std::vector{fs_dso("A")}, &source_);
  EXPECT_THAT(fetched, HasError(ErrorCode::failed_precondition, HasSubstr("late publication")));
  EXPECT_EQ(source_.calls, 0);
}

TEST_F(ForecastSourceTest, DuplicateZoneIsRefused) {
  auto fetched = service_->publish_with_fetched_forecasts(
      kFsDay, std::vector{fs_dso("A"), fs_dso("A")}, &source_);
  EXPECT_THAT(fetched, HasError(ErrorCode::invalid_argument, HasSubstr("zone 'A' is given twice")));
}

TEST(LoadForecastCheck, NamesSeriesQuarterAndValue) {
  auto f = fs_load("Z-17", 100.0);
  f.controllable_kw[95] = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THAT(check_load_forecast(f),
              HasError(ErrorCode::invalid_argument,
                       HasSubstr("zone 'Z-17' on 2026-11-28: controllable_kw at 23:45 (quarter "
                                 "95) is nan kW")));
  f = fs_load("Z-17", 100.0);
  f.baseline_kw.pop_back();
  EXPECT_THAT(check_load_forecast(f),
              HasError(ErrorCode::invalid_argument,
                       HasSubstr("baseline_kw has 95 quarter hours, expected 96")));
  f.zone.clear();
  EXPECT_THAT(check_load_forecast(f),
              HasError(ErrorCode::invalid_argument, HasSubstr("zone must not be empty")));
  EXPECT_THAT(check_load_forecast(fs_load("Z-17", 100.0)), IsOk());
}

}  // namespace
}  // namespace gridke::services::tariffs
