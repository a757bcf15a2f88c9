// SensitivitiesSsa on an EmbeddedEngine with the real contracts of graph-patterns/: a DSO
// registers an LV grid (d), posts three months of meter history (d) and appliance data (d2),
// then asks the voltage sensitivities (e), the voltage analysis and load correlation (e2) and
// the flexibility requirements (e3).

#include "gridke/adapters/sensitivities/sensitivities_ssa.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gridke/adapter/generic_adapter.hpp"
#include "gridke/engine/embedded_engine.hpp"
#include "gridke_matchers.hpp"
#include "synthetic_data.hpp"

namespace gridke::adapters::sensitivities {
namespace {

namespace ad = gridke::adapter;
namespace se = gridke::services::sensitivities;
using ::testing::HasSubstr;
using namespace std::chrono_literals;

const ad::IriCodec meter_iri{"https://dso.example.org/meter/"};
const ad::IriCodec grid_iri{"https://dso.example.org/grid/"};

class SensitivitiesSsaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto all = load_ssa_contracts(GRIDKE_SOURCE_DIR "/graph-patterns");
    ASSERT_THAT(all, IsOk());
    contracts_ = std::move(*all);
    // The DSO's side of each exchange.
    for (const char* folder : {"fault_location", "sensitivities"}) {
      auto set = ad::load_contracts(std::string(GRIDKE_SOURCE_DIR "/graph-patterns/") + folder);
      ASSERT_THAT(set, IsOk());
      for (const auto* c : set->contracts()) {
        if (contracts_.find(c->name) == nullptr) {
          ASSERT_THAT(contracts_.add(*c), IsOk());
        }
      }
    }
    auto service = se::SensitivitiesService::open(":memory:");
    ASSERT_THAT(service, IsOk());
    service_ = std::move(*service);
    SsaOptions o;
    o.analysis.limits = {230.0, 207.0, 230.9};  // the synthetic voltages reach ~231 V
    auto ssa = SensitivitiesSsa::start(engine_, contracts_, *service_, o);
    ASSERT_THAT(ssa, IsOk());
    ssa_ = std::move(*ssa);
    ad::Ssa dso("https://dso.example.org/kb/operator", "DSO operator console");
    dso.post("post-register-lv-grid")
        .post("post-meter-history")
        .post("post-appliance-measurements")
        .ask("ask-voltage-sensitivities")
        .ask("ask-voltage-load-correlation")
        .ask("ask-flexibility-requirements");
    auto d = ad::GenericAdapter::start(engine_, contracts_, std::move(dso));
    ASSERT_THAT(d, IsOk());
    dso_ = std::move(*d);
  }
  void TearDown() override {
    dso_.reset();
    ssa_.reset();
    service_.reset();
  }

  void register_grid(const se::GridRegistration& g, const std::string& status = "registered") {
    pattern::BindingSet bs;
    for (const auto& m : g.meters) {
      pattern::Binding b;
      ASSERT_THAT(ad::put(b, "grid", g.network_id, grid_iri), IsOk());
      ASSERT_THAT(ad::put(b, "gridId", g.network_id, ad::StringCodec{}), IsOk());
      ASSERT_THAT(ad::put(b, "meter", m.meter_id, meter_iri), IsOk());
      ASSERT_THAT(ad::put(b, "meterId", m.meter_id, ad::StringCodec{}), IsOk());
      ASSERT_THAT(ad::put(b, "master", "M-0", meter_iri), IsOk());
      ASSERT_THAT(ad::put(b, "masterId", "M-0", ad::StringCodec{}), IsOk());
      ASSERT_THAT(ad::put(b, "info", std::string("residential"), ad::StringCodec{}), IsOk());
      ASSERT_THAT(ad::put(b, "phase", "https://w3id.org/gridke/dso#PhaseL1", ad::IriCodec{}),
                  IsOk());
      bs.insert(std::move(b));
    }
    auto r = dso_->post("post-register-lv-grid", bs);
    ASSERT_THAT(r, IsOk());
    ASSERT_EQ(r->result_bindings.size(), 1U);
    EXPECT_EQ(*ad::get(*r->result_bindings.begin(), "status", ad::StringCodec{}), status);
  }

  pattern::BindingSet history(const se::HistoricalData& d) {
    pattern::BindingSet bs;
    for (const auto& h : d.meters) {
      for (const auto& m : h.measurements) {
        const auto t = std::chrono::system_clock::time_point(std::chrono::seconds(m.timestamp_s));
        const std::string id = h.meter.meter_id, ts = std::to_string(m.timestamp_s);
        pattern::Binding b;
        EXPECT_THAT(ad::put(b, "meter", id, meter_iri), IsOk());
        EXPECT_THAT(ad::put(b, "meterId", id, ad::StringCodec{}), IsOk());
        EXPECT_THAT(ad::put(b, "mV", id + "/v/" + ts, meter_iri), IsOk());
        EXPECT_THAT(ad::put(b, "mP", id + "/p/" + ts, meter_iri), IsOk());
        EXPECT_THAT(ad::put(b, "vMeasured", m.v_measured_v, ad::DoubleCodec{}), IsOk());
        EXPECT_THAT(ad::put(b, "pMeasured", m.p_measured_kw, ad::DoubleCodec{}), IsOk());
        EXPECT_THAT(ad::put(b, "timestamp", t, ad::DateTimeCodec{}), IsOk());
        bs.insert(std::move(b));
      }
    }
    return bs;
  }

  engine::EmbeddedEngine engine_;
  ad::ContractSet contracts_;
  std::unique_ptr<se::SensitivitiesService> service_;
  std::unique_ptr<SensitivitiesSsa> ssa_;
  std::unique_ptr<ad::GenericAdapter> dso_;
};

TEST_F(SensitivitiesSsaTest, RegisterUploadAndAskAllThreeOutputs) {
  auto g = se::testing::make_synthetic(3, 8640, 0.05);
  g.grid.network_id = "LV-1";
  register_grid(g.grid);
  auto posted = dso_->post("post-meter-history", history(g.data));
  ASSERT_THAT(posted, IsOk());
  EXPECT_EQ(posted->result_bindings.size(), 3U);  // lastIngestedTimestamp per meter
  ASSERT_TRUE(service_->wait_idle(120s));
  EXPECT_EQ(ssa_->stats().meter_records_received, 3 * 8640);

  // (e): 3 × 3 coefficients; a bound ?meterIdV narrows the answer.
  auto s = dso_->ask("ask-voltage-sensitivities");
  ASSERT_THAT(s, IsOk());
  ASSERT_EQ(s->bindings.size(), 9U);
  for (const auto& b : s->bindings) {
    const auto v = *ad::get(b, "meterIdV", ad::StringCodec{});
    const auto p = *ad::get(b, "meterIdP", ad::StringCodec{});
    const double x = *ad::get(b, "sensitivity", ad::DoubleCodec{});
    const int i = v[1] - '0', j = p[1] - '0';
    EXPECT_NEAR(x, g.s_true(i, j), 0.02) << v << " " << p;
  }
  pattern::Binding only;
  ASSERT_THAT(ad::put(only, "meterIdV", std::string("m1"), ad::StringCodec{}), IsOk());
  s = dso_->ask("ask-voltage-sensitivities", pattern::BindingSet{only});
  ASSERT_THAT(s, IsOk());
  EXPECT_EQ(s->bindings.size(), 3U);

  // (e2): 3 meters × 48 periods.
  auto c = dso_->ask("ask-voltage-load-correlation");
  ASSERT_THAT(c, IsOk());
  EXPECT_EQ(c->bindings.size(), 3U * 48U);
  for (const auto& b : c->bindings) {
    EXPECT_LE(*ad::get(b, "vMin", ad::DoubleCodec{}), *ad::get(b, "vMax", ad::DoubleCodec{}));
    const double r = *ad::get(b, "correlation", ad::DoubleCodec{});
    EXPECT_LT(r, 0.0);  // more consumption, lower voltage
  }

  // (e3): nothing before appliance data; then perimeters for the over-voltage periods.
  auto f = dso_->ask("ask-flexibility-requirements");
  ASSERT_THAT(f, IsOk());
  EXPECT_TRUE(f->bindings.empty());
  pattern::BindingSet apps;
  for (const auto& h : g.data.meters) {
    for (const auto& m : h.measurements) {
      const auto t = std::chrono::system_clock::time_point(std::chrono::seconds(m.timestamp_s));
      pattern::Binding b;
      const std::string id = "ev-" + h.meter.meter_id;
      ASSERT_THAT(ad::put(b, "appliance", id, ad::IriCodec{"https://dso.example.org/appliance/"}),
                  IsOk());
      ASSERT_THAT(ad::put(b, "applianceId", id, ad::StringCodec{}), IsOk());
      ASSERT_THAT(ad::put(b, "applianceType", "https://w3id.org/gridke/dso#ElectricVehicle",
                          ad::IriCodec{}),
                  IsOk());
      ASSERT_THAT(ad::put(b, "meter", h.meter.meter_id, meter_iri), IsOk());
      ASSERT_THAT(ad::put(b, "meterId", h.meter.meter_id, ad::StringCodec{}), IsOk());
      ASSERT_THAT(ad::put(b, "m", id + "/p/" + std::to_string(m.timestamp_s),
                          ad::IriCodec{"https://dso.example.org/appliance/"}),
                  IsOk());
      ASSERT_THAT(ad::put(b, "power", m.p_measured_kw, ad::DoubleCodec{}), IsOk());
      ASSERT_THAT(ad::put(b, "timestamp", t, ad::DateTimeCodec{}), IsOk());
      apps.insert(std::move(b));
    }
  }
  ASSERT_THAT(dso_->post("post-appliance-measurements", apps), IsOk());
  EXPECT_EQ(ssa_->stats().appliance_records_received, 3 * 8640);
  f = dso_->ask("ask-flexibility-requirements");
  ASSERT_THAT(f, IsOk());
  ASSERT_FALSE(f->bindings.empty());
  for (const auto& b : f->bindings) {
    EXPECT_GT(*ad::get(b, "requiredKw", ad::DoubleCodec{}), 0.0);
    // Over-voltage: consumption must rise.
    EXPECT_EQ(*ad::get(b, "direction", ad::IriCodec{}), "https://saref.etsi.org/saref4ener/Upflex");
  }
}

TEST_F(SensitivitiesSsaTest, HistoryOfAnUnknownMeterFailsTheKiWithItsName) {
  auto g = se::testing::make_synthetic(2, 10, 0.05);
  auto r = dso_->post("post-meter-history", history(g.data));
  ASSERT_THAT(r, IsOk());
  ASSERT_EQ(r->exchange_info.size(), 1U);
  EXPECT_EQ(r->exchange_info[0].status, engine::ExchangeStatus::failed);
  EXPECT_THAT(r->exchange_info[0].failed_message,
              HasSubstr("meter 'm0' is not in a registered grid"));
  EXPECT_EQ(service_->grids()->size(), 0U);
}

TEST_F(SensitivitiesSsaTest, SecondRegistrationReportsAlreadyRegistered) {
  auto g = se::testing::make_synthetic(2, 10, 0.05);
  g.grid.network_id = "LV-2";
  register_grid(g.grid);
  register_grid(g.grid, "already registered");
  EXPECT_EQ(ssa_->stats().grids_registered, 1);
  ASSERT_THAT(service_->grid("LV-2"), IsOk());
  EXPECT_EQ(service_->grid("LV-2")->meters.size(), 2U);
}

TEST_F(SensitivitiesSsaTest, InvalidRegistrationFailsTheKiWithTheReason) {
  pattern::Binding b;
  ASSERT_THAT(ad::put(b, "grid", std::string("LV-3"), grid_iri), IsOk());
  ASSERT_THAT(ad::put(b, "gridId", std::string("LV-3"), ad::StringCodec{}), IsOk());
  ASSERT_THAT(ad::put(b, "meter", std::string("s0"), meter_iri), IsOk());
  ASSERT_THAT(ad::put(b, "meterId", std::string("s0"), ad::StringCodec{}), IsOk());
  ASSERT_THAT(ad::put(b, "master", std::string("s0"), meter_iri), IsOk());
  ASSERT_THAT(ad::put(b, "masterId", std::string("s0"), ad::StringCodec{}), IsOk());
  ASSERT_THAT(ad::put(b, "info", std::string("substation"), ad::StringCodec{}), IsOk());
  ASSERT_THAT(ad::put(b, "phase", "https://w3id.org/gridke/dso#PhaseL3", ad::IriCodec{}), IsOk());
  auto r = dso_->post("post-register-lv-grid", pattern::BindingSet{b});
  ASSERT_THAT(r, IsOk());
  ASSERT_EQ(r->exchange_info.size(), 1U);
  EXPECT_EQ(r->exchange_info[0].status, engine::ExchangeStatus::failed);
  EXPECT_THAT(r->exchange_info[0].failed_message, HasSubstr("LV-3"));
  EXPECT_THAT(service_->grid("LV-3"), HasError(ErrorCode::not_found, HasSubstr("LV-3")));
}

}  // namespace
}  // namespace gridke::adapters::sensitivities
