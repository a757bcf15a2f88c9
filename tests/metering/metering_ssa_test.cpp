// MeteringSsa on an EmbeddedEngine with the real contracts of graph-patterns/metering: TIC
// events reach only the consented provider's knowledge base through POST/REACT (contract (j)),
// stop after withdrawal, and an ASK is answered only for the asking provider's consented PdLs.
// Contract (k): a DSO knowledge base's power limit reaches only consented providers, as a
// token; bad limits FAIL with the reason and forward nothing. Contract (m): an open-data user's
// ASK gets the published zones only, and flexibility data when a source is set.

#include "gridke/adapters/metering/metering_ssa.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <mutex>

#include "gridke/adapter/generic_adapter.hpp"
#include "gridke/engine/embedded_engine.hpp"
#include "gridke_matchers.hpp"

namespace gridke::adapters::metering {
// Named per file: unity builds concatenate the test sources of this executable.
namespace metering_ssa_test {

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
  pattern::BindingSet limits;  ///< react-forwarded-power-limit arguments
};

constexpr const char* kDsoKb = "https://dso.example.org/kb/operator";
constexpr const char* kXsdDateTimeStamp = "http://www.w3.org/2001/XMLSchema#dateTimeStamp";

rdf::Term stamp(const char* text) { return rdf::Term::literal(text, kXsdDateTimeStamp); }

// A post-connection-power-limit binding as the DSO sends it.
pattern::Binding limit_binding(const std::string& prm, double kw) {
  const std::string meter = "https://dso.example.org/meter/PRM-" + prm;
  pattern::Binding b;
  b.set("meter", rdf::Term::iri(meter));
  b.set("prm", rdf::Term::literal(prm));
  b.set("profile", rdf::Term::iri(meter + "/plp"));
  b.set("limit", rdf::Term::iri(meter + "/plp/limit/1"));
  b.set("obligatory", *adapter::BoolCodec{}.encode(true));
  b.set("active", *adapter::BoolCodec{}.encode(true));
  b.set("from", stamp("2026-11-27T17:00:00Z"));
  b.set("until", stamp("2026-11-27T19:00:00Z"));
  b.set("maxValue", rdf::Term::iri(meter + "/plp/limit/1/max"));
  b.set("maxKw", *adapter::DoubleCodec{std::string(rdf::vocab::xsd_decimal)}.encode(kw));
  return b;
}

class MeteringSsaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto loaded = adapter::load_contracts(GRIDKE_SOURCE_DIR "/graph-patterns/metering");
    ASSERT_THAT(loaded, IsOk());
    contracts_ = std::move(loaded).value();
    mt::MeteringOptions o;
    o.key_hex = kKey;
    o.now = [] { return kStart + hours(1); };
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
      side.react(
          kReactForwardedPowerLimit, [p](const adapter::Request& r) -> Result<pattern::BindingSet> {
            std::lock_guard lock(p->mu);
            p->limits.insert_all(r.bindings());
            pattern::BindingSet out;
            for (const auto& b : r.bindings()) {
              pattern::Binding status;
              status.set("limit", *b.find("limit"));
              status.set("status", rdf::Term::iri("https://saref.etsi.org/saref4ener/Accepted"));
              out.insert(std::move(status));
            }
            return out;
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
    adapter::Ssa dso(kDsoKb, "DSO operator");
    dso.post(kPostConnectionPowerLimit);
    dso.ask(kAskOpenDataConsumption);
    dso.ask(kAskOpenDataFlexibility);
    auto d = adapter::GenericAdapter::start(engine_, contracts_, std::move(dso));
    ASSERT_THAT(d, IsOk());
    dso_ = std::move(d).value();
  }
  void TearDown() override {
    dso_.reset();
    engie_.adapter.reset();
    other_.adapter.reset();
    ssa_.reset();
  }

  // The exchange info of the metering SSA's KI `contract`.
  template <class R>
  static const engine::ExchangeInfo* platform_info(const R& result, const std::string& contract) {
    for (const auto& e : result.exchange_info) {
      if (e.knowledge_base_id == SsaOptions{}.knowledge_base_id &&
          e.knowledge_interaction_id.ends_with("/" + contract)) {
        return &e;
      }
    }
    return nullptr;
  }

  std::size_t limits_of(Provider& p) {
    std::lock_guard lock(p.mu);
    return p.limits.size();
  }

  engine::EmbeddedEngine engine_;
  adapter::ContractSet contracts_;
  std::unique_ptr<mt::MeteringService> service_;
  std::unique_ptr<MeteringSsa> ssa_;
  Provider engie_, other_;
  std::string consent_;
  std::unique_ptr<adapter::GenericAdapter> dso_;
};

TEST_F(MeteringSsaTest, PowerLimitReachesOnlyTheConsentedProviderAsAToken) {
  auto r = dso_->post(kPostConnectionPowerLimit, {limit_binding(kPrm, 6.0)});
  ASSERT_THAT(r, IsOk());
  ASSERT_EQ(r->result_bindings.size(), 1u);
  EXPECT_EQ(*adapter::get(*r->result_bindings.begin(), "status", adapter::IriCodec{}),
            "https://saref.etsi.org/saref4ener/Accepted");
  ASSERT_EQ(limits_of(engie_), 1u);
  EXPECT_EQ(limits_of(other_), 0u);  // no consent: nothing
  std::lock_guard lock(engie_.mu);
  const auto& b = *engie_.limits.begin();
  const auto token = *adapter::get(b, "prm", adapter::StringCodec{});
  EXPECT_NE(token, kPrm);
  EXPECT_EQ(*service_->decrypt_prm(token), kPrm);
  EXPECT_EQ(*adapter::get(b, "maxKw", adapter::DoubleCodec{}), 6.0);
  EXPECT_EQ(*adapter::get(b, "obligatory", adapter::BoolCodec{}), true);
  EXPECT_EQ(b.find("until")->value(), "2026-11-27T19:00:00Z");
  for (const auto& [var, term] : b.values())
    EXPECT_EQ(term.value().find(kPrm), std::string::npos) << var;
  EXPECT_EQ(ssa_->stats().limits_forwarded, 1);
}

TEST_F(MeteringSsaTest, BadPowerLimitsFailWithTheReasonAndForwardNothing) {
  const auto failure = [&](pattern::BindingSet bindings) -> std::string {
    auto r = dso_->post(kPostConnectionPowerLimit, std::move(bindings));
    if (!r) return "post failed: " + r.error().message();
    const auto* info = platform_info(*r, kReactConnectionPowerLimit);
    if (info == nullptr) return "the platform was not contacted";
    EXPECT_EQ(info->status, engine::ExchangeStatus::failed);
    EXPECT_TRUE(r->result_bindings.empty());
    return info->failed_message;
  };
  EXPECT_THAT(failure({limit_binding("01234567890123", 6.0)}),
              HasSubstr("unknown delivery point 01234567890123"));
  EXPECT_THAT(failure({limit_binding(kPrm, 0.0)}), HasSubstr("must be > 0"));
  EXPECT_THAT(failure({limit_binding(kPrm, -3.0)}), HasSubstr("must be > 0"));
  // One good and one bad binding: the whole post is refused.
  EXPECT_THAT(failure({limit_binding(kPrm, 6.0), limit_binding("01234567890123", 6.0)}),
              HasSubstr("binding 1"));
  auto backwards = limit_binding(kPrm, 6.0);
  backwards.set("until", stamp("2026-11-27T16:00:00Z"));
  EXPECT_THAT(failure({backwards}), HasSubstr("not after its start"));
  auto garbled = limit_binding(kPrm, 6.0);
  garbled.set("maxKw", rdf::Term::literal("six"));
  EXPECT_THAT(failure({garbled}), HasSubstr("?maxKw"));
  EXPECT_EQ(limits_of(engie_), 0u);
  EXPECT_EQ(limits_of(other_), 0u);
}

TEST_F(MeteringSsaTest, PowerLimitWithoutAnActiveConsentIsRejected) {
  ASSERT_THAT(service_->withdraw_consent(consent_), IsOk());
  auto r = dso_->post(kPostConnectionPowerLimit, {limit_binding(kPrm, 6.0)});
  ASSERT_THAT(r, IsOk());
  ASSERT_EQ(r->result_bindings.size(), 1u);
  EXPECT_EQ(*adapter::get(*r->result_bindings.begin(), "status", adapter::IriCodec{}),
            "https://saref.etsi.org/saref4ener/Rejected");
  EXPECT_EQ(limits_of(engie_), 0u);
}

class MeteringSsaOpenDataTest : public MeteringSsaTest {
 protected:
  void SetUp() override {
    MeteringSsaTest::SetUp();
    if (HasFatalFailure()) return;
    // Six meters, readings at 10:00 and 10:30; meter m withdraws (m + 1) × 0.5 kWh.
    mt::ZoneMembership feeder{"F-1", {}};
    for (int m = 0; m < 6; ++m) {
      const std::string prm = "0000000000000" + std::to_string(m);
      feeder.meters.push_back(prm);
      std::string body;
      for (int t = 0; t < 2; ++t) {
        body += mt::format_tic_frame(mt::TicMode::standard,
                                     {{"PRM", "", prm},
                                      {"DATE", mt::format_horodate(kStart + minutes(30 * t)), ""},
                                      {"EAST", "", std::to_string(1000 + t * 500 * (m + 1))}});
      }
      ASSERT_THAT(service_->ingest(prm, body), IsOk());
    }
    ASSERT_THAT(service_->set_zone(feeder), IsOk());
    ASSERT_THAT(service_->set_zone({"S-1", {"00000000000000", "00000000000001"}}), IsOk());
  }
};

TEST_F(MeteringSsaOpenDataTest, AnswersPublishedZonesOnly) {
  pattern::Binding period;
  period.set("start", stamp("2026-11-27T10:00:00Z"));
  period.set("end", stamp("2026-11-27T10:30:00Z"));
  auto r = dso_->ask(kAskOpenDataConsumption, {period});
  ASSERT_THAT(r, IsOk());
  for (const auto& e : r->exchange_info)
    std::cerr << "DEBUG " << e.knowledge_interaction_id << " " << int(e.status) << " "
              << e.failed_message << "\n";
  ASSERT_EQ(r->bindings.size(), 1u);  // S-1 (2 consumers) is suppressed: absent
  const auto& b = *r->bindings.begin();
  EXPECT_EQ(*adapter::get(b, "zoneId", adapter::StringCodec{}), "F-1");
  EXPECT_EQ(*adapter::get(b, "consumers", adapter::IntegerCodec{}), 6);
  EXPECT_DOUBLE_EQ(*adapter::get(b, "energyKwh", adapter::DoubleCodec{}), 10.5);
  EXPECT_EQ(*b.find("start"), stamp("2026-11-27T10:00:00Z"));
  auto suppressed = period;
  suppressed.set("zoneId", rdf::Term::literal("S-1"));
  r = dso_->ask(kAskOpenDataConsumption, {suppressed});
  ASSERT_THAT(r, IsOk());
  EXPECT_TRUE(r->bindings.empty());
}

TEST_F(MeteringSsaOpenDataTest, UnboundPeriodIsTheLastDayAndAHalfPeriodFails) {
  auto r = dso_->ask(kAskOpenDataConsumption);  // now = 11:00: the 24 h window holds all
  ASSERT_THAT(r, IsOk());
  ASSERT_EQ(r->bindings.size(), 1u);
  EXPECT_EQ(r->bindings.begin()->find("end")->value(), "2026-11-27T11:00:00Z");
  pattern::Binding half;
  half.set("start", stamp("2026-11-27T10:00:00Z"));
  r = dso_->ask(kAskOpenDataConsumption, {half});
  ASSERT_THAT(r, IsOk());
  const auto* info = platform_info(*r, kAnswerOpenDataConsumption);
  ASSERT_NE(info, nullptr);
  EXPECT_EQ(info->status, engine::ExchangeStatus::failed);
  EXPECT_THAT(info->failed_message, HasSubstr("bind both ?start and ?end"));
}

TEST_F(MeteringSsaOpenDataTest, FlexibilityNeedsASourceThenAnswersPerZone) {
  auto r = dso_->ask(kAskOpenDataFlexibility);
  ASSERT_THAT(r, IsOk());
  for (const auto& e : r->exchange_info)
    std::cerr << "DEBUG " << e.knowledge_interaction_id << " " << int(e.status) << " "
              << e.failed_message << "\n";
  const auto* info = platform_info(*r, kAnswerOpenDataFlexibility);
  ASSERT_NE(info, nullptr);
  EXPECT_EQ(info->status, engine::ExchangeStatus::failed);
  EXPECT_THAT(info->failed_message, HasSubstr("no flexibility data source is configured"));
  const mt::TimePoint t17 = kStart + hours(7);
  service_->set_flexibility_source([t17]() -> Result<std::vector<mt::ZoneFlexibilityNeed>> {
    return std::vector<mt::ZoneFlexibilityNeed>{
        {"F-1", mt::FlexDirection::down, 30.0, t17, t17 + hours(1)},
        {"F-1", mt::FlexDirection::down, 12.5, t17, t17 + hours(1)},
        {"F-2", mt::FlexDirection::up, 5.0, t17, t17 + hours(1)}};
  });
  pattern::Binding f1;
  f1.set("zoneId", rdf::Term::literal("F-1"));
  r = dso_->ask(kAskOpenDataFlexibility, {f1});
  ASSERT_THAT(r, IsOk());
  ASSERT_EQ(r->bindings.size(), 1u);
  const auto& b = *r->bindings.begin();
  EXPECT_DOUBLE_EQ(*adapter::get(b, "needKw", adapter::DoubleCodec{}), 42.5);
  EXPECT_EQ(*adapter::get(b, "direction", adapter::IriCodec{}),
            "https://saref.etsi.org/saref4ener/Downflex");
  EXPECT_EQ(b.find("start")->value(), "2026-11-27T17:00:00Z");
  r = dso_->ask(kAskOpenDataFlexibility);
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->bindings.size(), 2u);
}

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

}  // namespace metering_ssa_test
}  // namespace gridke::adapters::metering
