// Tests for tariff_service.hpp: publication of day D before D 00:00Z - lead time (late
// publications refused, nothing stored), flags for over-capacity baselines, static tariffs
// republished unchanged, persistence across a restart (core/storage), settlement against the
// published prices, and the errors of each call.

#include "gridke/services/tariffs/tariff_service.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>
#include <filesystem>

#include "gridke_matchers.hpp"

namespace gridke::services::tariffs {
namespace {

using namespace std::chrono;
using ::testing::AllOf;
using ::testing::HasSubstr;

constexpr Day kDay = sys_days{year{2026} / 11 / 28};

ZoneForecast feeder(std::string zone) {
  ZoneForecast f;
  f.zone = std::move(zone);
  for (std::size_t q = 0; q < kQuartersPerDay; ++q) {
    const bool evening = q >= 68 && q < 84;  // 17:00-21:00
    f.baseline_kw.push_back(evening ? 120.0 : 60.0);
    f.controllable_kw.push_back(evening ? 80.0 : 10.0);
    f.capacity_kw.push_back(160.0);
  }
  return f;
}

TariffServiceOptions options_at(TimePoint* clock, minutes lead = minutes(60)) {
  TariffServiceOptions o;
  o.lead_time = lead;
  o.capacity.bounds = {0.10, 0.10, 1.00};
  o.capacity.response = solver::ConstantElasticity{-0.5};
  o.now = [clock] { return *clock; };
  return o;
}

class TariffServiceTest : public ::testing::Test {
 protected:
  void open(minutes lead = minutes(60), const std::string& path = ":memory:") {
    auto s = TariffService::open(path, options_at(&now_, lead));
    ASSERT_THAT(s, IsOk());
    service_ = std::move(s).value();
  }
  TimePoint now_ = TimePoint(kDay) - hours(12);  // D-1 12:00Z
  std::unique_ptr<TariffService> service_;
};

TEST_F(TariffServiceTest, PublishesCapacityTariffsBeforeTheDeadlineAndNotifiesListeners) {
  open();
  std::vector<std::string> heard;
  service_->add_listener([&](const PublishedTariff& t) { heard.push_back(t.zone); });
  const std::vector<ZoneForecast> forecasts = {feeder("A"), feeder("B")};
  auto published = service_->publish_capacity_tariffs(kDay, forecasts);
  ASSERT_THAT(published, IsOk());
  ASSERT_EQ(published->size(), 2u);
  EXPECT_EQ(heard, (std::vector<std::string>{"A", "B"}));
  const auto& a = published->front();
  ASSERT_EQ(a.price_per_kwh.size(), kQuartersPerDay);
  EXPECT_DOUBLE_EQ(a.price_per_kwh[0], 0.10);  // uncongested night: the floor
  // Evening: 120 + 80 (p / 0.1)^-0.5 = 160 → p = 0.1 x 2^2.
  EXPECT_NEAR(a.price_per_kwh[70], 0.4, 1e-12);
  EXPECT_NEAR(a.expected_demand_kw[70], 160.0, 1e-9);
  EXPECT_EQ(a.quarter_start(70), TimePoint(kDay) + hours(17) + minutes(30));
  auto found = service_->find("A", kDay);
  ASSERT_THAT(found, IsOk());
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->price_per_kwh, a.price_per_kwh);
  EXPECT_EQ((*found)->status, a.status);
  EXPECT_EQ((*found)->published_at, now_);
  auto all = service_->list(kDay);
  ASSERT_THAT(all, IsOk());
  EXPECT_EQ(all->size(), 2u);
}

TEST_F(TariffServiceTest, PublicationExactlyAtTheDeadlineIsAccepted) {
  now_ = TimePoint(kDay) - hours(1);
  open();
  EXPECT_THAT(service_->publish_capacity_tariffs(kDay, std::vector{feeder("A")}), IsOk());
}

TEST_F(TariffServiceTest, RefusesLatePublicationAndStoresNothing) {
  now_ = TimePoint(kDay) - minutes(59);
  open();
  int heard = 0;
  service_->add_listener([&](const PublishedTariff&) { ++heard; });
  EXPECT_THAT(service_->publish_capacity_tariffs(kDay, std::vector{feeder("A")}),
              HasError(ErrorCode::failed_precondition,
                       AllOf(HasSubstr("late publication"), HasSubstr("2026-11-28"),
                             HasSubstr("by 2026-11-27T23:00:00Z"),
                             HasSubstr("now is 2026-11-27T23:01:00Z"))));
  EXPECT_EQ(heard, 0);
  auto found = service_->find("A", kDay);
  ASSERT_THAT(found, IsOk());
  EXPECT_FALSE(found->has_value());
}

TEST_F(TariffServiceTest, LeadTimeIsConfigurable) {
  now_ = TimePoint(kDay) - hours(2);
  open(minutes(180));
  EXPECT_EQ(service_->deadline(kDay), TimePoint(kDay) - hours(3));
  EXPECT_THAT(service_->publish_capacity_tariffs(kDay, std::vector{feeder("A")}),
              HasError(ErrorCode::failed_precondition, HasSubstr("180 min before the day")));
  EXPECT_THAT(TariffService::open(":memory:", options_at(&now_, minutes(-1))),
              HasError(ErrorCode::invalid_argument, HasSubstr("lead_time -1 min")));
}

TEST_F(TariffServiceTest, FlagsQuarterHoursWhoseBaselineExceedsCapacity) {
  open();
  auto f = feeder("A");
  f.baseline_kw[75] = 170.0;
  auto published = service_->publish_capacity_tariffs(kDay, std::vector{f});
  ASSERT_THAT(published, IsOk());
  const auto& t = published->front();
  EXPECT_EQ(t.status[75], solver::PriceStatus::baseline_over_capacity);
  EXPECT_DOUBLE_EQ(t.price_per_kwh[75], 1.00);  // the cap is published
  EXPECT_EQ(t.status[74], solver::PriceStatus::binding);
}

TEST_F(TariffServiceTest, RejectsBadForecastBatches) {
  open();
  EXPECT_THAT(service_->publish_capacity_tariffs(kDay, std::vector<ZoneForecast>{}),
              HasError(ErrorCode::invalid_argument, HasSubstr("no zone forecasts")));
  EXPECT_THAT(service_->publish_capacity_tariffs(kDay, std::vector{feeder("A"), feeder("A")}),
              HasError(ErrorCode::invalid_argument, HasSubstr("zone 'A' is given twice")));
  auto short_day = feeder("S");
  short_day.baseline_kw.resize(92);
  EXPECT_THAT(service_->publish_capacity_tariffs(kDay, std::vector{short_day}),
              HasError(ErrorCode::invalid_argument,
                       AllOf(HasSubstr("zone 'S'"), HasSubstr("92 intervals, expected 96"))));
  auto negative = feeder("N");
  negative.capacity_kw[17] = -1.0;
  EXPECT_THAT(service_->publish_capacity_tariffs(kDay, std::vector{feeder("A"), negative}),
              HasError(ErrorCode::invalid_argument, HasSubstr("capacity_kw[17] = -1")));
  auto found = service_->find("A", kDay);  // all-or-nothing
  ASSERT_THAT(found, IsOk());
  EXPECT_FALSE(found->has_value());
}

TEST_F(TariffServiceTest, RequestConfigReplacesTheDefaultModel) {
  open();
  CapacityTariffConfig tiers = service_->options().capacity;
  tiers.tier_prices = {0.0399, 0.1176, 0.6720};
  auto published = service_->publish_capacity_tariffs(kDay, std::vector{feeder("A")}, tiers);
  ASSERT_THAT(published, IsOk());
  EXPECT_DOUBLE_EQ(published->front().price_per_kwh[0], 0.0399);
  EXPECT_DOUBLE_EQ(published->front().price_per_kwh[70], 0.6720);
  CapacityTariffConfig bad = tiers;
  bad.shift_fraction = 2.0;
  EXPECT_THAT(service_->publish_capacity_tariffs(kDay, std::vector{feeder("A")}, bad),
              HasError(ErrorCode::invalid_argument, HasSubstr("shift_fraction 2")));
}

TEST_F(TariffServiceTest, StaticTariffIsPublishedUnchangedEveryDay) {
  open();
  EXPECT_THAT(service_->publish_static_tariffs(kDay),
              HasError(ErrorCode::failed_precondition, HasSubstr("no static tariff is set")));
  std::vector<double> prices(kQuartersPerDay, 0.08);
  prices[70] = 0.24;
  ASSERT_THAT(service_->set_static_tariff("A", prices), IsOk());
  ASSERT_THAT(service_->publish_static_tariffs(kDay), IsOk());
  ASSERT_THAT(service_->publish_static_tariffs(kDay + days(1)), IsOk());
  for (const Day d : {kDay, kDay + days(1)}) {
    auto t = service_->find("A", d);
    ASSERT_THAT(t, IsOk());
    ASSERT_TRUE(t->has_value());
    EXPECT_EQ((*t)->mode, TariffMode::static_tariff);
    EXPECT_EQ((*t)->price_per_kwh, prices);
  }
  EXPECT_EQ(service_->static_tariff("A"), prices);
  EXPECT_EQ(service_->static_tariff("B"), std::nullopt);
  EXPECT_THAT(service_->set_static_tariff("A", std::vector<double>(95, 0.1)),
              HasError(ErrorCode::invalid_argument, HasSubstr("95 prices, expected 96")));
  prices[3] = -0.5;
  EXPECT_THAT(service_->set_static_tariff("A", prices),
              HasError(ErrorCode::invalid_argument, HasSubstr("price_per_kwh[3] = -0.5")));
}

TEST_F(TariffServiceTest, PublishedTariffsSurviveARestart) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("gridke-tariffs-" + std::to_string(::getpid()) + ".sqlite");
  std::filesystem::remove(path);
  open(minutes(60), path.string());
  ASSERT_THAT(service_->publish_capacity_tariffs(kDay, std::vector{feeder("A")}), IsOk());
  const auto before = service_->find("A", kDay);
  service_.reset();
  open(minutes(60), path.string());
  const auto after = service_->find("A", kDay);
  ASSERT_THAT(after, IsOk());
  ASSERT_TRUE(after->has_value());
  EXPECT_EQ((*after)->price_per_kwh, (*before)->price_per_kwh);  // %.17g round-trips
  EXPECT_EQ((*after)->expected_demand_kw, (*before)->expected_demand_kw);
  service_.reset();
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
}

TEST_F(TariffServiceTest, SettlesConsumptionAgainstThePublishedPrices) {
  open();
  ASSERT_THAT(service_->publish_capacity_tariffs(kDay, std::vector{feeder("A")}), IsOk());
  std::vector<double> kwh(kQuartersPerDay, 1.0);
  auto bill = service_->settle("A", kDay, kwh);
  ASSERT_THAT(bill, IsOk());
  const auto t = service_->find("A", kDay);
  double expected = 0.0;
  for (double p : (*t)->price_per_kwh) expected += p;
  EXPECT_NEAR(bill->total_cost, expected, 1e-12);
  EXPECT_DOUBLE_EQ(bill->energy_kwh, 96.0);
  EXPECT_THAT(service_->settle("B", kDay, kwh),
              HasError(ErrorCode::not_found, HasSubstr("no tariff published for zone 'B'")));
  kwh.pop_back();
  EXPECT_THAT(service_->settle("A", kDay, kwh),
              HasError(ErrorCode::invalid_argument, HasSubstr("settling zone 'A' on 2026-11-28")));
}

TEST(TariffDay, ParsesAndFormatsCalendarDays) {
  auto d = parse_day("2026-11-28");
  ASSERT_THAT(d, IsOk());
  EXPECT_EQ(*d, kDay);
  EXPECT_EQ(format_day(kDay), "2026-11-28");
  EXPECT_THAT(parse_day("2026-02-30", "path {day}"),
              HasError(ErrorCode::invalid_argument,
                       HasSubstr("path {day}: '2026-02-30' is not a valid calendar date")));
  EXPECT_THAT(parse_day("28/11/2026"),
              HasError(ErrorCode::invalid_argument, HasSubstr("is not a date YYYY-MM-DD")));
  EXPECT_THAT(parse_day("2026-11-28x"), HasError(ErrorCode::invalid_argument, HasSubstr("day")));
}

}  // namespace
}  // namespace gridke::services::tariffs
