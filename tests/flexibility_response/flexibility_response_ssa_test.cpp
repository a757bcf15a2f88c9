// FlexibilityResponseSsa on an EmbeddedEngine with the real contracts of
// graph-patterns/flexibility_response: a DSO asks contract (l) for the quantified response of
// consumers (pseudonyms), per signal level and hour of the typical day.

#include "gridke/adapters/flexibility_response/flexibility_response_ssa.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gridke/adapter/generic_adapter.hpp"
#include "gridke/engine/embedded_engine.hpp"
#include "gridke_matchers.hpp"
#include "test_datasets.hpp"

namespace gridke::adapters::flexibility_response {
namespace {

namespace ad = gridke::adapter;
namespace fr = gridke::services::flexibility_response;
using ::testing::HasSubstr;
using ::testing::SizeIs;

class FlexibilityResponseSsaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto contracts = ad::load_contracts(GRIDKE_SOURCE_DIR "/graph-patterns/flexibility_response");
    ASSERT_THAT(contracts, IsOk());
    contracts_ = std::move(contracts).value();
    auto service = fr::FlexibilityResponseService::open({});
    ASSERT_THAT(service, IsOk());
    service_ = std::move(*service);
    auto ssa = FlexibilityResponseSsa::start(engine_, contracts_, *service_);
    ASSERT_THAT(ssa, IsOk());
    ssa_ = std::move(*ssa);
    ad::Ssa dso("https://dso.example.org/kb/retailer", "Retailer");
    dso.ask("ask-flexibility-response");
    auto d = ad::GenericAdapter::start(engine_, contracts_, std::move(dso));
    ASSERT_THAT(d, IsOk());
    dso_ = std::move(*d);
  }

  void analyse_small_dataset() {
    fr::Submission s;
    s.data = fr::testing::to_d43_dataset_json(fr::testing::small_dataset(3, 60)).dump();
    s.groups = {{"evens", {"user0", "user2"}}};
    auto receipt = service_->submit(s);
    ASSERT_THAT(receipt, IsOk());
    auto status = service_->wait(receipt->request_id, std::chrono::seconds(60));
    ASSERT_THAT(status, IsOk());
    ASSERT_EQ(status->state, fr::JobState::done);
    auto result = service_->result(receipt->request_id);
    ASSERT_THAT(result, IsOk());
    result_ = std::move(*result);
  }

  engine::EmbeddedEngine engine_;
  ad::ContractSet contracts_;
  std::unique_ptr<fr::FlexibilityResponseService> service_;
  std::unique_ptr<FlexibilityResponseSsa> ssa_;
  std::unique_ptr<ad::GenericAdapter> dso_;
  fr::FlexibilityResult result_;
};

TEST_F(FlexibilityResponseSsaTest, AnswersOneCustomerLevelAndHour) {
  analyse_small_dataset();
  const std::string hems = result_.customers[0].user_id;
  pattern::Binding q;
  ASSERT_THAT(ad::put(q, "hemsId", hems, ad::StringCodec{}), IsOk());
  ASSERT_THAT(ad::put(q, "signalId", std::string("i2"), ad::StringCodec{}), IsOk());
  ASSERT_THAT(ad::put(q, "hourStart",
                      std::chrono::system_clock::time_point(std::chrono::seconds(1795543200)),
                      ad::DateTimeCodec{}),
              IsOk());  // 2026-11-24T18:00:00Z
  auto r = dso_->ask("ask-flexibility-response", pattern::BindingSet{q});
  ASSERT_THAT(r, IsOk());
  ASSERT_THAT(r->bindings, SizeIs(1));
  const auto& b = r->bindings.bindings()[0];
  const auto& level = result_.customers[0].slots[18].levels[1];
  EXPECT_NEAR(*ad::get(b, "expectedKw", ad::DoubleCodec{}), level.power_kw.mean, 1e-9);
  EXPECT_NEAR(*ad::get(b, "lowerKw", ad::DoubleCodec{}), level.power_kw.obs_ci_lower, 1e-9);
  EXPECT_NEAR(*ad::get(b, "upperKw", ad::DoubleCodec{}), level.power_kw.obs_ci_upper, 1e-9);
  EXPECT_NEAR(*ad::get(b, "rank", ad::DoubleCodec{}), level.ranking_percent, 1e-9);
  EXPECT_NEAR(*ad::get(b, "reliability", ad::DoubleCodec{}), level.reliability, 1e-9);
  EXPECT_EQ(*ad::get(b, "hems", ad::IriCodec{"https://dso.example.org/hems/"}), hems);
  EXPECT_EQ(ssa_->stats().asks_answered, 1);
}

TEST_F(FlexibilityResponseSsaTest, AnswersEveryEstimatedHourOfACustomer) {
  analyse_small_dataset();
  pattern::Binding q;
  ASSERT_THAT(ad::put(q, "hemsId", result_.customers[1].user_id, ad::StringCodec{}), IsOk());
  auto r = dso_->ask("ask-flexibility-response", pattern::BindingSet{q});
  ASSERT_THAT(r, IsOk());
  std::size_t expected = 0;
  for (const auto& slot : result_.customers[1].slots) {
    if (!slot.estimated) continue;
    for (const auto& level : slot.levels) expected += level.estimated ? 1 : 0;
  }
  EXPECT_GT(expected, 0u);
  EXPECT_THAT(r->bindings, SizeIs(expected));
  for (const auto& b : r->bindings) {
    EXPECT_EQ(*ad::get(b, "hemsId", ad::StringCodec{}), result_.customers[1].user_id);
  }
}

TEST_F(FlexibilityResponseSsaTest, AnswersAGroupByItsIdOrIri) {
  analyse_small_dataset();
  ASSERT_EQ(result_.groups.size(), 1u);
  const auto& level = result_.groups[0].slots[18].levels[1];
  ASSERT_TRUE(level.estimated);
  for (const bool by_iri : {false, true}) {
    pattern::Binding q;
    if (by_iri) {
      ASSERT_THAT(ad::put(q, "hems", std::string("evens"),
                          ad::IriCodec{"https://dso.example.org/consumer-group/"}),
                  IsOk());
    } else {
      ASSERT_THAT(ad::put(q, "hemsId", std::string("evens"), ad::StringCodec{}), IsOk());
    }
    ASSERT_THAT(ad::put(q, "signalId", std::string("i2"), ad::StringCodec{}), IsOk());
    ASSERT_THAT(ad::put(q, "hourStart",
                        std::chrono::system_clock::time_point(std::chrono::seconds(1795543200)),
                        ad::DateTimeCodec{}),
                IsOk());  // 2026-11-24T18:00:00Z
    auto r = dso_->ask("ask-flexibility-response", pattern::BindingSet{q});
    ASSERT_THAT(r, IsOk());
    ASSERT_THAT(r->bindings, SizeIs(1)) << (by_iri ? "by IRI" : "by id");
    const auto& b = r->bindings.bindings()[0];
    EXPECT_NEAR(*ad::get(b, "expectedKw", ad::DoubleCodec{}), level.power_kw.mean, 1e-9);
    EXPECT_NEAR(*ad::get(b, "rank", ad::DoubleCodec{}), level.ranking_percent, 1e-9);
    EXPECT_NEAR(*ad::get(b, "reliability", ad::DoubleCodec{}), level.reliability, 1e-9);
    EXPECT_EQ(*ad::get(b, "hems", ad::IriCodec{"https://dso.example.org/consumer-group/"}),
              "evens");
    EXPECT_THAT(*ad::get(b, "result", ad::IriCodec{}), HasSubstr("/i2/group/evens/"));
  }
  // A customer's IRI never selects the group, and unbound asks include both.
  pattern::Binding customer;
  ASSERT_THAT(ad::put(customer, "hems", std::string("evens"),
                      ad::IriCodec{"https://dso.example.org/hems/"}),
              IsOk());
  auto none = dso_->ask("ask-flexibility-response", pattern::BindingSet{customer});
  ASSERT_THAT(none, IsOk());
  EXPECT_THAT(none->bindings, SizeIs(0));
}

TEST_F(FlexibilityResponseSsaTest, FailsTheKiWithoutAFinishedAnalysis) {
  auto r = dso_->ask("ask-flexibility-response");
  ASSERT_THAT(r, IsOk());  // one peer failing never fails the exchange
  ASSERT_FALSE(r->exchange_info.empty());
  EXPECT_EQ(r->exchange_info[0].status, engine::ExchangeStatus::failed);
  EXPECT_THAT(r->exchange_info[0].failed_message, HasSubstr("no finished flexibility-response"));
}

TEST_F(FlexibilityResponseSsaTest, NamesAnUnknownSignalLevel) {
  analyse_small_dataset();
  pattern::Binding q;
  ASSERT_THAT(ad::put(q, "signalId", std::string("i9"), ad::StringCodec{}), IsOk());
  auto r = dso_->ask("ask-flexibility-response", pattern::BindingSet{q});
  ASSERT_THAT(r, IsOk());
  ASSERT_FALSE(r->exchange_info.empty());
  EXPECT_EQ(r->exchange_info[0].status, engine::ExchangeStatus::failed);
  EXPECT_THAT(r->exchange_info[0].failed_message,
              HasSubstr("'i9' is not a signal level of the analysis (i1..i2)"));
}

}  // namespace
}  // namespace gridke::adapters::flexibility_response
