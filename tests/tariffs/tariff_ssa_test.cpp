// TariffSsa on an EmbeddedEngine with the real contracts of graph-patterns/tariffs: a HEMS
// receives each published zone day through POST/REACT (contract (i)) and asks for it through
// ASK/ANSWER (the same pattern); bindings decode back to the published prices.

#include "gridke/adapters/tariffs/tariff_ssa.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <mutex>

#include "gridke/adapter/generic_adapter.hpp"
#include "gridke/engine/embedded_engine.hpp"
#include "gridke_matchers.hpp"
#include "tariff_test_service.hpp"

namespace gridke::adapters::tariffs {
namespace {

using namespace std::chrono;
namespace tf = services::tariffs;
using ::testing::HasSubstr;

constexpr tf::Day kDay = sys_days{year{2026} / 11 / 28};

tf::ZoneForecast feeder(std::string zone, double evening_baseline) {
  tf::ZoneForecast f;
  f.zone = std::move(zone);
  for (std::size_t q = 0; q < tf::kQuartersPerDay; ++q) {
    const bool evening = q >= 68 && q < 84;
    f.baseline_kw.push_back(evening ? evening_baseline : 60.0);
    f.controllable_kw.push_back(evening ? 80.0 : 10.0);
    f.capacity_kw.push_back(160.0);
  }
  return f;
}

class TariffSsaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto contracts = adapter::load_contracts(GRIDKE_SOURCE_DIR "/graph-patterns/tariffs");
    ASSERT_THAT(contracts, IsOk());
    contracts_ = std::move(contracts).value();
    auto s = tf::test_service::open_in_memory([] { return tf::TimePoint(kDay) - hours(12); });
    ASSERT_THAT(s, IsOk());
    service_ = std::move(s).value();
    auto ssa = TariffSsa::start(engine_, contracts_, *service_);
    ASSERT_THAT(ssa, IsOk());
    ssa_ = std::move(ssa).value();
    adapter::Ssa hems("https://hems.example.org/kb/1", "HEMS");
    hems.react(kReactGridTariff, [this](const adapter::Request& r) -> Result<pattern::BindingSet> {
      std::lock_guard lock(mu_);
      received_.insert_all(r.bindings());
      return pattern::BindingSet{};
    });
    hems.ask(kAskGridTariff);
    auto a = adapter::GenericAdapter::start(engine_, contracts_, std::move(hems));
    ASSERT_THAT(a, IsOk());
    hems_ = std::move(a).value();
  }
  void TearDown() override {
    hems_.reset();
    ssa_.reset();
  }

  engine::EmbeddedEngine engine_;
  adapter::ContractSet contracts_;
  std::unique_ptr<tf::TariffService> service_;
  std::unique_ptr<TariffSsa> ssa_;
  std::unique_ptr<adapter::GenericAdapter> hems_;
  std::mutex mu_;
  pattern::BindingSet received_;
};

TEST_F(TariffSsaTest, PostsEveryPublishedQuarterHourToReactingHems) {
  auto published =
      service_->publish_capacity_tariffs(kDay, std::vector{feeder("A", 120), feeder("B", 100)});
  ASSERT_THAT(published, IsOk());
  std::lock_guard lock(mu_);
  EXPECT_EQ(received_.size(), 2 * tf::kQuartersPerDay);
  auto decoded = tariffs_from_bindings(received_);
  ASSERT_THAT(decoded, IsOk());
  ASSERT_EQ(decoded->size(), 2u);
  for (std::size_t z = 0; z < 2; ++z) {
    EXPECT_EQ((*decoded)[z].zone, (*published)[z].zone);
    EXPECT_EQ((*decoded)[z].day, kDay);
    EXPECT_EQ((*decoded)[z].price_per_kwh, (*published)[z].price_per_kwh);
  }
  EXPECT_EQ(ssa_->stats().zone_days_posted, 2);
  EXPECT_EQ(ssa_->stats().post_failures, 0);
}

TEST_F(TariffSsaTest, AnswersAsksFilteredByZone) {
  ASSERT_THAT(
      service_->publish_capacity_tariffs(kDay, std::vector{feeder("A", 120), feeder("B", 100)}),
      IsOk());
  pattern::Binding only_b;
  ASSERT_THAT(adapter::put(only_b, "zoneId", std::string("B"), adapter::StringCodec{}), IsOk());
  auto answer = hems_->ask(kAskGridTariff, pattern::BindingSet{only_b});
  ASSERT_THAT(answer, IsOk());
  EXPECT_EQ(answer->bindings.size(), tf::kQuartersPerDay);
  auto decoded = tariffs_from_bindings(answer->bindings);
  ASSERT_THAT(decoded, IsOk());
  ASSERT_EQ(decoded->size(), 1u);
  EXPECT_EQ(decoded->front().zone, "B");
  auto all = hems_->ask(kAskGridTariff);
  ASSERT_THAT(all, IsOk());
  EXPECT_EQ(all->bindings.size(), 2 * tf::kQuartersPerDay);
}

TEST_F(TariffSsaTest, BindingsFollowTheContractExample) {
  tf::PublishedTariff t;
  t.zone = "Z-17";
  t.day = kDay;
  t.price_per_kwh.assign(tf::kQuartersPerDay, 0.0412);
  auto bindings = tariff_bindings(t, SsaOptions{});
  ASSERT_THAT(bindings, IsOk());
  const auto* example = contracts_.find(kPostGridTariff);
  ASSERT_NE(example, nullptr);
  ASSERT_EQ(example->example_bindings.size(), 1u);
  // The contract's example is quarter 40 of Z-17 on 2026-11-28.
  EXPECT_TRUE(bindings->contains(*example->example_bindings.begin()));
  t.zone = "zone with spaces";
  EXPECT_THAT(tariff_bindings(t, SsaOptions{}),
              HasError(ErrorCode::invalid_argument, HasSubstr("zone with spaces")));
}

TEST(TariffContracts, AskAndAnswerShareThePatternOfContractI) {
  auto contracts = adapter::load_contracts(GRIDKE_SOURCE_DIR "/graph-patterns/tariffs");
  ASSERT_THAT(contracts, IsOk());
  const auto* answer = contracts->find(kAnswerGridTariff);
  const auto* ask = contracts->find(kAskGridTariff);
  ASSERT_NE(answer, nullptr);
  ASSERT_NE(ask, nullptr);
  EXPECT_EQ(answer->ki.kind, ki::KiKind::answer);
  EXPECT_EQ(ask->ki.kind, ki::KiKind::ask);
  EXPECT_EQ(answer->pattern_source->text, contracts->find(kPostGridTariff)->pattern_source->text);
  EXPECT_EQ(ask->pattern_source->text, contracts->find(kReactGridTariff)->pattern_source->text);
}

}  // namespace
}  // namespace gridke::adapters::tariffs
