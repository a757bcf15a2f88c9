// MeteringSsa on an EmbeddedEngine with the real contracts of graph-patterns/metering: TIC
// events reach only the consented provider's knowledge base through POST/REACT (contract (j)),
// stop after withdrawal, and an ASK is answered only for the asking provider's consented PdLs.

#include "gridke/adapters/metering/metering_ssa.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <mutex>

#include "gridke/adapter/generic_adapter.hpp"
#include "gridke/engine/embedded_engine.hpp"
#include "gridke_matchers.hpp"

namespace gridke::adapters::metering {
namespace {

using namespace std::chrono;
namespace mt = services::metering;
using ::testing::HasSubstr;

constexpr const char* kKey = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
constexpr const char* kPrm = "09876543210123";
const mt::TimePoint kStart = mt::TimePoint(sys_days{year{2026} / 11 / 27} + hours(10));

std::string frame(mt::TimePoint t, const std::string& stge) {
  return mt::format_tic_frame(mt::TicMode::standard, {{"PRM", "", kPrm},
                                                      {"DATE", mt::format_horodate(t), ""},
                                                      {"PCOUP", "", "09"},
                                                      {"SINSTI", "", "0"},
                                                      {"STGE", "", stge}});
}

struct Provider {
  std::unique_ptr<adapter::GenericAdapter> adapter;
  std::mutex mu;
  pattern::BindingSet received;
};

class MeteringSsaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto loaded = adapter::load_contracts(GRIDKE_SOURCE_DIR "/graph-patterns/metering");
    ASSERT_THAT(loaded, IsOk());
    contracts_ = std::move(loaded).value();
    mt::MeteringOptions o;
    o.key_hex = kKey;
    auto s = mt::MeteringService::open(":memory:", o);
    ASSERT_THAT(s, IsOk());
    service_ = std::move(s).value();
    auto ssa = MeteringSsa::start(engine_, contracts_, *service_);
    ASSERT_THAT(ssa, IsOk());
    ssa_ = std::move(ssa).value();
    for (auto* p : {&engie_, &other_}) {
      const std::string kb =
          p == &engie_ ? "https://engie.example.org/kb" : "https://other.example.org/kb";
      adapter::Ssa side(kb, kb);
      side.react(kReactTicData, [p](const adapter::Request& r) -> Result<pattern::BindingSet> {
        std::lock_guard lock(p->mu);
        p->received.insert_all(r.bindings());
        return pattern::BindingSet{};
      });
      side.ask(kAskTicData);
      auto a = adapter::GenericAdapter::start(engine_, contracts_, std::move(side));
      ASSERT_THAT(a, IsOk());
      p->adapter = std::move(a).value();
      ASSERT_THAT(service_->register_provider(
                      {p == &engie_ ? "engie" : "other", kb, mt::kAllDataPoints, kb, ""}),
                  IsOk());
    }
    auto c = service_->grant_consent(
        {"", "engie", kPrm, mt::kAllDataPoints, "flexibility", 30, {"ENGIE"}, {}, {}});
    ASSERT_THAT(c, IsOk());
    consent_ = c->id;
  }
  void TearDown() override {
    engie_.adapter.reset();
    other_.adapter.reset();
    ssa_.reset();
  }

  engine::EmbeddedEngine engine_;
  adapter::ContractSet contracts_;
  std::unique_ptr<mt::MeteringService> service_;
  std::unique_ptr<MeteringSsa> ssa_;
  Provider engie_, other_;
  std::string consent_;
};

TEST_F(MeteringSsaTest, PostsOverrunsOnlyToTheConsentedProviderUntilWithdrawal) {
  ASSERT_THAT(service_->ingest(kPrm, frame(kStart, "003A4081")), IsOk());
  {
    std::lock_guard lock(engie_.mu);
    ASSERT_EQ(engie_.received.size(), 1u);
    const auto& b = *engie_.received.begin();
    auto prm = adapter::get(b, "prm", adapter::StringCodec{});
    ASSERT_THAT(prm, IsOk());
    EXPECT_NE(*prm, kPrm);  // encrypted
    EXPECT_EQ(*service_->decrypt_prm(*prm), kPrm);
    EXPECT_EQ(*adapter::get(b, "overrun", adapter::BoolCodec{}), true);
    EXPECT_EQ(*adapter::get(b, "stgeHex", adapter::StringCodec{}), "003A4081");
  }
  EXPECT_TRUE(other_.received.empty());
  ASSERT_THAT(service_->withdraw_consent(consent_), IsOk());
  ASSERT_THAT(service_->ingest(kPrm, frame(kStart + seconds(10), "003A4081")), IsOk());
  std::lock_guard lock(engie_.mu);
  EXPECT_EQ(engie_.received.size(), 1u);
  EXPECT_EQ(ssa_->stats().posted, 1);
}

TEST_F(MeteringSsaTest, AnswersOnlyTheAskingProvidersConsentedMeters) {
  ASSERT_THAT(service_->ingest(kPrm, frame(kStart, "003A4001")), IsOk());
  auto mine = engie_.adapter->ask(kAskTicData);
  ASSERT_THAT(mine, IsOk());
  ASSERT_EQ(mine->bindings.size(), 1u);
  EXPECT_EQ(*adapter::get(*mine->bindings.begin(), "pcoupKva", adapter::DoubleCodec{}), 9.0);
  auto theirs = other_.adapter->ask(kAskTicData);
  ASSERT_THAT(theirs, IsOk());
  EXPECT_TRUE(theirs->bindings.empty());
}

TEST(MeteringSsaBinding, NeedsPcoupSinstiAndStge) {
  mt::Delivery d;
  d.provider = "p";
  d.reading.pcoup_kva = 9;
  EXPECT_THAT(tic_binding(d, SsaOptions{}),
              HasError(ErrorCode::failed_precondition, HasSubstr("lacks SINSTI STGE")));
}

}  // namespace
}  // namespace gridke::adapters::metering
