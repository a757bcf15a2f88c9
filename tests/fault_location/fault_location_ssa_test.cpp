// FaultLocationSsa on an EmbeddedEngine with the real contracts of
// graph-patterns/fault_location: a DSP posts voltage readings (a), the service posts the
// potential fault it detects to a DSO that acknowledges it (b), and the DSO asks HEMS
// communication status (c).

#include "gridke/adapters/fault_location/fault_location_ssa.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <mutex>

#include "fleet_fixture.hpp"
#include "gridke/adapter/generic_adapter.hpp"
#include "gridke/engine/embedded_engine.hpp"

namespace gridke::services::fault_location::testing {
namespace {

using adapters::fault_location::FaultLocationSsa;
using ::testing::HasSubstr;
using ::testing::SizeIs;
namespace ad = gridke::adapter;

const ad::IriCodec hems_iri{"https://dsp.example.org/hems/"};

class FaultLocationSsaTest : public FleetTest {
 protected:
  void SetUp() override {
    FleetTest::SetUp();
    auto contracts = ad::load_contracts(GRIDKE_SOURCE_DIR "/graph-patterns/fault_location");
    ASSERT_THAT(contracts, IsOk());
    contracts_ = std::move(contracts).value();
    open();
    auto ssa = FaultLocationSsa::start(engine_, contracts_, *service_);
    ASSERT_THAT(ssa, IsOk());
    ssa_ = std::move(ssa).value();

    ad::Ssa dsp("https://dsp.example.org/kb", "HEMS platform");
    dsp.post("post-hems-voltage");
    auto a = ad::GenericAdapter::start(engine_, contracts_, std::move(dsp));
    ASSERT_THAT(a, IsOk());
    dsp_ = std::move(a).value();

    ad::Ssa dso("https://dso.example.org/kb/operator", "DSO operator console");
    dso.ask("ask-hems-communication-status");
    dso.react(
        "react-potential-fault", [this](const ad::Request& req) -> Result<pattern::BindingSet> {
          pattern::BindingSet acks;
          for (const auto& b : req.bindings()) {
            std::lock_guard lock(mu_);
            received_.push_back(b);
            pattern::Binding ack;
            ack.set("n", *b.find("n"));
            GRIDKE_TRY(
                req.put(ack, "ackTime", std::chrono::system_clock::now(), ad::DateTimeCodec{}));
            acks.insert(std::move(ack));
          }
          return acks;
        });
    auto d = ad::GenericAdapter::start(engine_, contracts_, std::move(dso));
    ASSERT_THAT(d, IsOk());
    dso_ = std::move(d).value();
  }
  void TearDown() override {
    dso_.reset();
    dsp_.reset();
    ssa_.reset();
    service_.reset();
  }

  // One minute of readings for every HEMS not in `silent`, posted through the engine.
  void post_minute(const std::set<std::string>& silent = {}) {
    pattern::BindingSet bindings;
    int k = 0;
    for (const auto& [zone, n] : sizes_) {
      for (int i = 0; i < n; ++i, ++k) {
        const auto id = hems_name(zone, i);
        if (silent.contains(id)) continue;
        pattern::Binding b;
        const auto t = clock_->now() + std::chrono::seconds(k % 60);
        const auto ms = std::to_string(to_epoch_ms(t));
        ASSERT_THAT(ad::put(b, "hems", id, hems_iri), IsOk());
        ASSERT_THAT(ad::put(b, "hemsId", id, ad::StringCodec{}), IsOk());
        ASSERT_THAT(ad::put(b, "m", id + "/v/" + ms, hems_iri), IsOk());
        ASSERT_THAT(ad::put(b, "voltage", 230.5, ad::DoubleCodec{}), IsOk());
        ASSERT_THAT(
            ad::put(b, "timestamp", std::chrono::system_clock::time_point(t), ad::DateTimeCodec{}),
            IsOk());
        ASSERT_THAT(ad::put(b, "phase", "https://w3id.org/gridke/dso#PhaseL1", ad::IriCodec{}),
                    IsOk());
        bindings.insert(std::move(b));
      }
    }
    clock_->advance(60s);
    if (!bindings.empty()) {
      auto r = dsp_->post("post-hems-voltage", bindings);
      ASSERT_THAT(r, IsOk());
    }
    ASSERT_THAT(service_->ingest({}), IsOk());  // the DSP heartbeat
    ASSERT_THAT(service_->tick(), IsOk());
  }

  engine::EmbeddedEngine engine_;
  ad::ContractSet contracts_;
  std::unique_ptr<FaultLocationSsa> ssa_;
  std::unique_ptr<ad::GenericAdapter> dsp_;
  std::unique_ptr<ad::GenericAdapter> dso_;
  std::mutex mu_;
  std::vector<pattern::Binding> received_;
};

TEST_F(FaultLocationSsaTest, ReadingsThroughTheEngineRaiseAFaultPostedToTheDso) {
  add_zone("Z", 10);
  monitor("Z");
  for (int m = 0; m < 10; ++m) post_minute();
  EXPECT_EQ(ssa_->stats().readings_received, 100);
  EXPECT_TRUE(service_->hems_status("Z-h3")->communicating);
  const auto all = zone_hems("Z");
  for (int m = 0; m < 6; ++m) post_minute(all);
  ASSERT_THAT(faults(), SizeIs(1));
  EXPECT_EQ(ssa_->stats().faults_posted, 1);
  std::lock_guard lock(mu_);
  ASSERT_THAT(received_, SizeIs(1));
  EXPECT_EQ(*ad::get(received_[0], "zoneId", ad::StringCodec{}), "Z");
  EXPECT_EQ(*ad::get(received_[0], "faultType", ad::IriCodec{}),
            "https://w3id.org/gridke/dso#SupplyInterruption");
  EXPECT_GT(*ad::get(received_[0], "confidence", ad::DoubleCodec{}), 0.999);
  // Privacy: the notification names the zone, never a HEMS.
  for (const auto& [var, term] : received_[0].values()) {
    EXPECT_THAT(term.to_string(), ::testing::Not(HasSubstr("Z-h"))) << var;
  }
}

TEST_F(FaultLocationSsaTest, AnswersHemsCommunicationStatus) {
  add_zone("Z", 3);
  post_minute();
  post_minute({"Z-h1"});
  clock_->advance(5min);
  ASSERT_THAT(service_->ingest(std::vector<VoltageReading>{{"Z-h0", clock_->now(), 230.0},
                                                           {"Z-h2", clock_->now(), 230.0}}),
              IsOk());
  pattern::Binding q;
  ASSERT_THAT(ad::put(q, "hemsId", std::string("Z-h1"), ad::StringCodec{}), IsOk());
  auto r = dso_->ask("ask-hems-communication-status", pattern::BindingSet{q});
  ASSERT_THAT(r, IsOk());
  ASSERT_THAT(r->bindings, SizeIs(1));
  EXPECT_FALSE(*ad::get(r->bindings.bindings()[0], "reachable", ad::BoolCodec{}));
  auto all = dso_->ask("ask-hems-communication-status");
  ASSERT_THAT(all, IsOk());
  EXPECT_THAT(all->bindings, SizeIs(3));
  EXPECT_EQ(ssa_->stats().status_answers, 4);
}

TEST_F(FaultLocationSsaTest, BadReadingFailsTheKiWithTheServiceMessage) {
  add_zone("Z", 1);
  pattern::Binding b;
  ASSERT_THAT(ad::put(b, "hems", std::string("ghost"), hems_iri), IsOk());
  ASSERT_THAT(ad::put(b, "hemsId", std::string("ghost"), ad::StringCodec{}), IsOk());
  ASSERT_THAT(ad::put(b, "m", std::string("ghost/v/1"), hems_iri), IsOk());
  ASSERT_THAT(ad::put(b, "voltage", 230.0, ad::DoubleCodec{}), IsOk());
  ASSERT_THAT(ad::put(b, "timestamp", std::chrono::system_clock::time_point(clock_->now()),
                      ad::DateTimeCodec{}),
              IsOk());
  ASSERT_THAT(
      ad::put(b, "phase", std::string("https://w3id.org/gridke/dso#PhaseL1"), ad::IriCodec{}),
      IsOk());
  auto r = dsp_->post("post-hems-voltage", pattern::BindingSet{b});
  ASSERT_THAT(r, IsOk());  // one peer failing never fails the exchange
  ASSERT_FALSE(r->exchange_info.empty());
  EXPECT_EQ(r->exchange_info[0].status, engine::ExchangeStatus::failed);
  EXPECT_THAT(r->exchange_info[0].failed_message, HasSubstr("unknown HEMS 'ghost'"));
  EXPECT_EQ(ssa_->stats().readings_received, 0);
}

}  // namespace
}  // namespace gridke::services::fault_location::testing
