// SensitivitiesSsa contract (d2) across a restart: appliance data posted through the engine are
// stored in the service's SQLite file, so after the service, its SSA and the engine are torn
// down and started again on the same file (what `gridke serve --data DIR` does on a restart),
// the data are still visible (SensitivitiesService::appliance_data) and still used by (e3).
// Bad (d2) input fails the KI with the reason and stores nothing.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>

#include "gridke/adapter/generic_adapter.hpp"
#include "gridke/adapters/sensitivities/sensitivities_ssa.hpp"
#include "gridke/engine/embedded_engine.hpp"
#include "gridke_matchers.hpp"
#include "synthetic_data.hpp"

namespace gridke::adapters::sensitivities {
namespace {

namespace ad = gridke::adapter;
namespace se = gridke::services::sensitivities;
using ::testing::HasSubstr;
using namespace std::chrono_literals;

class SensitivitiesSsaRestartTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("gridke_sensitivities_ssa_restart_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto all = load_ssa_contracts(GRIDKE_SOURCE_DIR "/graph-patterns");
    ASSERT_THAT(all, IsOk());
    contracts_ = std::move(*all);
    // The DSO's side: (d2) lives with the fault-location contracts, (e3) with sensitivities.
    for (const auto& [folder, name] :
         {std::pair{"fault_location", "post-appliance-measurements"},
          std::pair{"sensitivities", "ask-flexibility-requirements"}}) {
      auto set = ad::load_contracts(std::string(GRIDKE_SOURCE_DIR "/graph-patterns/") + folder);
      ASSERT_THAT(set, IsOk());
      ASSERT_NE(set->find(name), nullptr) << name;
      ASSERT_THAT(contracts_.add(*set->find(name)), IsOk());
    }
  }
  void TearDown() override {
    stop();
    std::filesystem::remove_all(dir_);
  }

  // The serve module's start-up on the data directory: service, engine, SSA; plus a DSO.
  void start() {
    auto service = se::SensitivitiesService::open((dir_ / "sensitivities.sqlite").string());
    ASSERT_THAT(service, IsOk());
    service_ = std::move(*service);
    engine_ = std::make_unique<engine::EmbeddedEngine>();
    SsaOptions o;
    o.analysis.limits = {230.0, 207.0, 230.9};  // the synthetic voltages reach ~231 V
    auto ssa = SensitivitiesSsa::start(*engine_, contracts_, *service_, o);
    ASSERT_THAT(ssa, IsOk());
    ssa_ = std::move(*ssa);
    ad::Ssa dso("https://dso.example.org/kb/operator", "DSO operator console");
    dso.post("post-appliance-measurements").ask("ask-flexibility-requirements");
    auto d = ad::GenericAdapter::start(*engine_, contracts_, std::move(dso));
    ASSERT_THAT(d, IsOk());
    dso_ = std::move(*d);
  }
  void stop() {
    dso_.reset();
    ssa_.reset();
    engine_.reset();
    service_.reset();
  }

  // (d2) bindings: one EV behind each of `meters`, its power the meter's own P.
  static pattern::BindingSet appliance_bindings(const se::HistoricalData& d,
                                                const std::vector<std::string>& meters) {
    const ad::IriCodec appliance_iri{"https://dso.example.org/appliance/"};
    const ad::IriCodec meter{"https://dso.example.org/meter/"};
    pattern::BindingSet bs;
    for (const auto& h : d.meters) {
      if (std::find(meters.begin(), meters.end(), h.meter.meter_id) == meters.end()) continue;
      for (const auto& m : h.measurements) {
        const auto t = std::chrono::system_clock::time_point(std::chrono::seconds(m.timestamp_s));
        const std::string id = "ev-" + h.meter.meter_id;
        pattern::Binding b;
        EXPECT_THAT(ad::put(b, "appliance", id, appliance_iri), IsOk());
        EXPECT_THAT(ad::put(b, "applianceId", id, ad::StringCodec{}), IsOk());
        EXPECT_THAT(ad::put(b, "applianceType", "https://w3id.org/gridke/dso#ElectricVehicle",
                            ad::IriCodec{}),
                    IsOk());
        EXPECT_THAT(ad::put(b, "meter", h.meter.meter_id, meter), IsOk());
        EXPECT_THAT(ad::put(b, "meterId", h.meter.meter_id, ad::StringCodec{}), IsOk());
        EXPECT_THAT(ad::put(b, "m", id + "/p/" + std::to_string(m.timestamp_s), appliance_iri),
                    IsOk());
        EXPECT_THAT(ad::put(b, "power", m.p_measured_kw, ad::DoubleCodec{}), IsOk());
        EXPECT_THAT(ad::put(b, "timestamp", t, ad::DateTimeCodec{}), IsOk());
        bs.insert(std::move(b));
      }
    }
    return bs;
  }

  std::filesystem::path dir_;
  ad::ContractSet contracts_;
  std::unique_ptr<se::SensitivitiesService> service_;
  std::unique_ptr<engine::EmbeddedEngine> engine_;
  std::unique_ptr<SensitivitiesSsa> ssa_;
  std::unique_ptr<ad::GenericAdapter> dso_;
};

TEST_F(SensitivitiesSsaRestartTest, AppliancesPostedThroughTheEngineSurviveARestart) {
  ASSERT_NO_FATAL_FAILURE(start());
  auto g = se::testing::make_synthetic(3, 8640, 0.05);
  g.grid.network_id = "LV-R";
  ASSERT_THAT(service_->register_grid(g.grid), IsOk());
  ASSERT_THAT(service_->submit_historical_data("LV-R", g.data), IsOk());
  ASSERT_TRUE(service_->wait_idle(120s));
  auto posted = dso_->post("post-appliance-measurements", appliance_bindings(g.data, {"m0", "m2"}));
  ASSERT_THAT(posted, IsOk());
  ASSERT_EQ(posted->exchange_info.size(), 1U);
  EXPECT_EQ(posted->exchange_info[0].status, engine::ExchangeStatus::succeeded);
  auto before = dso_->ask("ask-flexibility-requirements");
  ASSERT_THAT(before, IsOk());
  ASSERT_FALSE(before->bindings.empty());

  stop();
  ASSERT_NO_FATAL_FAILURE(start());
  auto stored = service_->appliance_data("LV-R");
  ASSERT_THAT(stored, IsOk());
  ASSERT_EQ(stored->size(), 2U);
  EXPECT_EQ((*stored)[0].appliance_id, "ev-m0");
  EXPECT_EQ((*stored)[0].type, se::ApplianceType::ev);
  EXPECT_EQ((*stored)[0].meter_id, "m0");
  EXPECT_EQ((*stored)[0].measurements.size(), 8640U);
  EXPECT_EQ((*stored)[1].appliance_id, "ev-m2");
  // (e3) after the restart uses the stored (d2) data: the same requirements as before.
  auto after = dso_->ask("ask-flexibility-requirements");
  ASSERT_THAT(after, IsOk());
  EXPECT_EQ(after->bindings, before->bindings);
}

TEST_F(SensitivitiesSsaRestartTest, ApplianceAtASubstationMeterFailsTheKiAndStoresNothing) {
  ASSERT_NO_FATAL_FAILURE(start());
  auto g = se::testing::make_synthetic(2, 4, 0.05);
  g.grid.network_id = "LV-S";
  g.grid.meters[1].kind = se::MeterKind::substation;
  g.grid.meters[1].phase = 1;
  ASSERT_THAT(service_->register_grid(g.grid), IsOk());
  auto r = dso_->post("post-appliance-measurements", appliance_bindings(g.data, {"m0", "m1"}));
  ASSERT_THAT(r, IsOk());
  ASSERT_EQ(r->exchange_info.size(), 1U);
  EXPECT_EQ(r->exchange_info[0].status, engine::ExchangeStatus::failed);
  EXPECT_THAT(r->exchange_info[0].failed_message,
              HasSubstr("appliance 'ev-m1': meter 'm1' is not a regular meter of grid 'LV-S'"));
  stop();
  ASSERT_NO_FATAL_FAILURE(start());
  auto stored = service_->appliance_data("LV-S");
  ASSERT_THAT(stored, IsOk());
  EXPECT_TRUE(stored->empty());  // the whole POST was refused, ev-m0 included
}

TEST_F(SensitivitiesSsaRestartTest, ApplianceBehindAnUnknownMeterFailsTheKiWithItsName) {
  ASSERT_NO_FATAL_FAILURE(start());
  auto g = se::testing::make_synthetic(1, 2, 0.05);
  auto r = dso_->post("post-appliance-measurements", appliance_bindings(g.data, {"m0"}));
  ASSERT_THAT(r, IsOk());
  ASSERT_EQ(r->exchange_info.size(), 1U);
  EXPECT_EQ(r->exchange_info[0].status, engine::ExchangeStatus::failed);
  EXPECT_THAT(r->exchange_info[0].failed_message,
              HasSubstr("appliance 'ev-m0' is behind meter 'm0', which is not in a registered "
                        "grid"));
}

}  // namespace
}  // namespace gridke::adapters::sensitivities
