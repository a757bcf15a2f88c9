// Tests for forecast_fetch.hpp on an EmbeddedEngine with the real contracts of
// graph-patterns/tariffs (ask-/answer-load-forecast): the tariff SSA fetches a zone's day-ahead
// load from a ForecastKb (D4.3 Table 16 step 1) and the tariff computed from it equals the
// tariff computed from the same forecast given directly; without a forecast KB the DSO forecast
// is used and the fallback stated; malformed bindings (missing quarter hours, non-numeric or
// negative values, wrong unit or usage, duplicate intervals) are errors naming zone and interval.

#include "gridke/adapters/tariffs/forecast_fetch.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gridke/adapter/codec.hpp"
#include "gridke/adapters/tariffs/forecast_kb.hpp"
#include "gridke/adapters/tariffs/tariff_ssa.hpp"
#include "gridke/engine/embedded_engine.hpp"
#include "gridke/rdf/vocabulary.hpp"
#include "gridke_matchers.hpp"
#include "tariff_test_service.hpp"

namespace gridke::adapters::tariffs {
namespace {

using namespace std::chrono;
namespace tf = services::tariffs;
using ::testing::HasSubstr;

constexpr tf::Day kFfDay = sys_days{year{2026} / 11 / 28};

tf::LoadForecast ff_load(std::string zone, tf::Day day = kFfDay) {
  tf::LoadForecast f;
  f.zone = std::move(zone);
  f.day = day;
  for (std::size_t q = 0; q < tf::kQuartersPerDay; ++q) {
    const bool evening = q >= 68 && q < 84;
    f.baseline_kw.push_back(evening ? 118.25 : 52.5 + 0.125 * static_cast<double>(q % 7));
    f.controllable_kw.push_back(evening ? 85.0 : 7.75);
  }
  return f;
}

tf::ZoneForecast ff_dso(std::string zone) {
  tf::ZoneForecast f;
  f.zone = std::move(zone);
  f.baseline_kw.assign(tf::kQuartersPerDay, 40.0);
  f.controllable_kw.assign(tf::kQuartersPerDay, 5.0);
  f.capacity_kw.assign(tf::kQuartersPerDay, 160.0);
  return f;
}

class ForecastFetchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto contracts = adapter::load_contracts(GRIDKE_SOURCE_DIR "/graph-patterns/tariffs");
    ASSERT_THAT(contracts, IsOk());
    contracts_ = std::move(contracts).value();
    auto s = tf::test_service::open_in_memory([] { return tf::TimePoint(kFfDay) - hours(12); });
    ASSERT_THAT(s, IsOk());
    service_ = std::move(s).value();
    SsaOptions so;
    so.forecast_deadline = seconds(2);
    auto ssa = TariffSsa::start(engine_, contracts_, *service_, so);
    ASSERT_THAT(ssa, IsOk());
    ssa_ = std::move(ssa).value();
    ASSERT_NE(ssa_->forecast_source(), nullptr);
  }
  void TearDown() override {
    fake_.reset();
    kb_.reset();
    ssa_.reset();
  }
  void start_kb(std::vector<tf::LoadForecast> forecasts) {
    auto kb = ForecastKb::start(engine_, contracts_, std::move(forecasts));
    ASSERT_THAT(kb, IsOk());
    kb_ = std::move(kb).value();
  }
  // A forecast KB that answers whatever bindings a test gives it (or an error).
  void start_fake(Result<pattern::BindingSet> answer) {
    adapter::Ssa fake("https://forecast.example.org/kb/broken", "broken forecaster");
    fake.answer(
        kAnswerLoadForecast,
        [answer](const adapter::Request&) -> Result<pattern::BindingSet> { return answer; });
    auto a = adapter::GenericAdapter::start(engine_, contracts_, std::move(fake));
    ASSERT_THAT(a, IsOk());
    fake_ = std::move(a).value();
  }

  engine::EmbeddedEngine engine_;
  adapter::ContractSet contracts_;
  std::unique_ptr<tf::TariffService> service_;
  std::unique_ptr<TariffSsa> ssa_;
  std::unique_ptr<ForecastKb> kb_;
  std::unique_ptr<adapter::GenericAdapter> fake_;
};

TEST_F(ForecastFetchTest, FetchesTheZoneDayFromTheForecastKb) {
  start_kb({ff_load("A"), ff_load("B"), ff_load("A", kFfDay + days(1))});
  auto f = ssa_->forecast_source()->fetch("A", kFfDay);
  ASSERT_THAT(f, IsOk());
  const auto expected = ff_load("A");
  EXPECT_EQ(f->zone, "A");
  EXPECT_EQ(f->day, kFfDay);
  EXPECT_EQ(f->baseline_kw, expected.baseline_kw);
  EXPECT_EQ(f->controllable_kw, expected.controllable_kw);
  EXPECT_EQ(f->source, "https://forecast.example.org/kb/load-forecast");
  EXPECT_EQ(kb_->asks_answered(), 1);
}

TEST_F(ForecastFetchTest, TariffFromFetchedForecastEqualsTariffFromTheSameForecastGivenDirectly) {
  start_kb({ff_load("A"), ff_load("B")});
  auto fetched = service_->publish_with_fetched_forecasts(
      kFfDay, std::vector{ff_dso("A"), ff_dso("B")}, ssa_->forecast_source());
  ASSERT_THAT(fetched, IsOk());
  ASSERT_EQ(fetched->tariffs.size(), 2u);
  for (std::size_t z = 0; z < 2; ++z) {
    const auto& use = fetched->forecasts[z];
    EXPECT_EQ(use.origin, tf::ForecastOrigin::forecast_kb) << use.describe();
    tf::ZoneForecast direct = ff_dso(use.zone);
    const auto load = ff_load(use.zone);
    direct.baseline_kw = load.baseline_kw;
    direct.controllable_kw = load.controllable_kw;
    auto calc = tf::CapacityTariffCalculator::create(service_->options().capacity);
    ASSERT_THAT(calc, IsOk());
    auto expected = calc->compute(direct);
    ASSERT_THAT(expected, IsOk());
    EXPECT_EQ(fetched->tariffs[z].price_per_kwh, expected->price_per_kwh);
    EXPECT_EQ(fetched->tariffs[z].expected_demand_kw, expected->demand_kw);
  }
}

TEST_F(ForecastFetchTest, WithoutForecastKbTheDsoForecastIsUsedAndTheFallbackStated) {
  auto fetched = service_->publish_with_fetched_forecasts(kFfDay, std::vector{ff_dso("A")},
                                                          ssa_->forecast_source());
  ASSERT_THAT(fetched, IsOk());
  EXPECT_EQ(fetched->forecasts[0].origin, tf::ForecastOrigin::dso);
  EXPECT_THAT(fetched->forecasts[0].describe(),
              HasSubstr("zone 'A': fallback to the DSO-computed forecast (forecast of zone 'A' on "
                        "2026-11-28: no forecast knowledge base answers ask-load-forecast"));
  auto direct = service_->find("A", kFfDay);
  ASSERT_THAT(direct, IsOk());
  ASSERT_TRUE(direct->has_value());
}

TEST_F(ForecastFetchTest, ForecastKbWithoutTheZoneIsNotFound) {
  start_kb({ff_load("B")});
  EXPECT_THAT(ssa_->forecast_source()->fetch("A", kFfDay),
              HasError(ErrorCode::not_found,
                       HasSubstr("forecast of zone 'A' on 2026-11-28: the forecast knowledge base "
                                 "answered no data point")));
}

TEST_F(ForecastFetchTest, FailingForecastKbIsUnavailableNamingIt) {
  start_fake(unavailable("model server down"));
  EXPECT_THAT(
      ssa_->forecast_source()->fetch("A", kFfDay),
      HasError(ErrorCode::unavailable, HasSubstr("every forecast knowledge base failed "
                                                 "(https://forecast.example.org/kb/broken: ")));
}

TEST_F(ForecastFetchTest, MalformedAnswerThroughTheEngineFallsBackNamingTheInterval) {
  auto bindings = load_forecast_bindings(ff_load("A"));
  ASSERT_THAT(bindings, IsOk());
  pattern::BindingSet broken;
  for (auto b : *bindings) {
    if (b.find("quarterStart")->value() == "2026-11-28T10:15:00Z" &&
        b.find("usage")->value() == kUsageBaseLine) {
      b.set("unit",
            rdf::Term::iri("http://www.ontology-of-units-of-measure.org/resource/om-2/volt"));
    }
    broken.insert(b);
  }
  start_fake(broken);
  auto fetched = service_->publish_with_fetched_forecasts(kFfDay, std::vector{ff_dso("A")},
                                                          ssa_->forecast_source());
  ASSERT_THAT(fetched, IsOk());
  EXPECT_EQ(fetched->forecasts[0].origin, tf::ForecastOrigin::dso);
  EXPECT_THAT(fetched->forecasts[0].fallback_reason,
              HasSubstr("forecast of zone 'A' on 2026-11-28, quarter 10:15, baseline "
                        "(s4ener:BaseLine): unit <http://www.ontology-of-units-of-measure.org/"
                        "resource/om-2/volt> is not a power unit"));
}

// --- decoding: pure functions -------------------------------------------------------------

pattern::BindingSet ff_bindings(const tf::LoadForecast& f) {
  auto b = load_forecast_bindings(f);
  EXPECT_THAT(b, IsOk());
  return b ? *b : pattern::BindingSet{};
}

// Applies `edit` to the binding of `usage` at quarter start `start` (drops it when edit
// returns false).
template <class Edit>
pattern::BindingSet ff_edit(const pattern::BindingSet& in, std::string_view start,
                            std::string_view usage, Edit edit) {
  pattern::BindingSet out;
  for (auto b : in) {
    if (b.find("quarterStart")->value() == start && b.find("usage")->value() == usage) {
      if (!edit(b)) continue;
    }
    out.insert(b);
  }
  return out;
}

TEST(LoadForecastBindings, RoundTripsAndIgnoresOtherZonesAndDays) {
  auto all = ff_bindings(ff_load("A"));
  EXPECT_EQ(all.size(), 2 * tf::kQuartersPerDay);
  all.insert_all(ff_bindings(ff_load("B")));
  all.insert_all(ff_bindings(ff_load("A", kFfDay + days(1))));
  auto f = load_forecast_from_bindings(all, "A", kFfDay, "kb");
  ASSERT_THAT(f, IsOk());
  EXPECT_EQ(f->baseline_kw, ff_load("A").baseline_kw);
  EXPECT_EQ(f->controllable_kw, ff_load("A").controllable_kw);
  EXPECT_EQ(f->source, "kb");
}

TEST(LoadForecastBindings, ConvertsWattAndMegawatt) {
  auto in = ff_edit(
      ff_bindings(ff_load("A")), "2026-11-28T00:00:00Z", kUsageBaseLine, [](pattern::Binding& b) {
        b.set("unit", rdf::Term::iri(std::string(kUnitWatt)));
        b.set("value", rdf::Term::literal("52500", std::string(rdf::vocab::xsd_decimal)));
        return true;
      });
  in = ff_edit(in, "2026-11-28T00:00:00Z", kUsageDownflex, [](pattern::Binding& b) {
    b.set("unit", rdf::Term::iri(std::string(kUnitMegawatt)));
    b.set("value", rdf::Term::literal("0.00775", std::string(rdf::vocab::xsd_decimal)));
    return true;
  });
  auto f = load_forecast_from_bindings(in, "A", kFfDay);
  ASSERT_THAT(f, IsOk());
  EXPECT_DOUBLE_EQ(f->baseline_kw[0], 52.5);
  EXPECT_DOUBLE_EQ(f->controllable_kw[0], 7.75);
}

TEST(LoadForecastBindings, MissingQuarterHoursAreListed) {
  auto in = ff_edit(ff_bindings(ff_load("A")), "2026-11-28T17:00:00Z", kUsageDownflex,
                    [](pattern::Binding&) { return false; });
  in = ff_edit(in, "2026-11-28T17:15:00Z", kUsageDownflex, [](pattern::Binding&) { return false; });
  EXPECT_THAT(load_forecast_from_bindings(in, "A", kFfDay),
              HasError(ErrorCode::invalid_argument,
                       HasSubstr("forecast of zone 'A' on 2026-11-28: controllable demand "
                                 "(s4ener:Downflex) is missing for 2 of 96 quarter hours (17:00, "
                                 "17:15)")));
}

TEST(LoadForecastBindings, NonNumericValueNamesTheInterval) {
  auto in = ff_edit(ff_bindings(ff_load("A")), "2026-11-28T08:30:00Z", kUsageBaseLine,
                    [](pattern::Binding& b) {
                      b.set("value", rdf::Term::literal("lots"));
                      return true;
                    });
  auto r = load_forecast_from_bindings(in, "A", kFfDay);
  EXPECT_THAT(r, HasError(ErrorCode::invalid_argument,
                          HasSubstr("forecast of zone 'A' on 2026-11-28, quarter 08:30, baseline "
                                    "(s4ener:BaseLine): ")));
  EXPECT_THAT(r.error().location(), HasSubstr("?value"));
}

TEST(LoadForecastBindings, NegativeValueNamesTheInterval) {
  auto in = ff_edit(
      ff_bindings(ff_load("A")), "2026-11-28T23:45:00Z", kUsageDownflex, [](pattern::Binding& b) {
        b.set("value", rdf::Term::literal("-4.5", std::string(rdf::vocab::xsd_decimal)));
        return true;
      });
  EXPECT_THAT(load_forecast_from_bindings(in, "A", kFfDay),
              HasError(ErrorCode::invalid_argument,
                       HasSubstr("quarter 23:45, controllable demand (s4ener:Downflex): -4.5 is "
                                 "not a load (must be finite and >= 0)")));
}

TEST(LoadForecastBindings, WrongUnitAndUsageAreNamed) {
  auto in = ff_edit(
      ff_bindings(ff_load("A")), "2026-11-28T12:00:00Z", kUsageBaseLine, [](pattern::Binding& b) {
        b.set("unit", rdf::Term::iri("http://www.ontology-of-units-of-measure.org/resource/om-2/"
                                     "kilowattHour"));
        return true;
      });
  EXPECT_THAT(load_forecast_from_bindings(in, "A", kFfDay),
              HasError(ErrorCode::invalid_argument,
                       HasSubstr("quarter 12:00, baseline (s4ener:BaseLine): unit "
                                 "<http://www.ontology-of-units-of-measure.org/resource/om-2/"
                                 "kilowattHour> is not a power unit")));
  in = ff_edit(ff_bindings(ff_load("A")), "2026-11-28T12:00:00Z", kUsageBaseLine,
               [](pattern::Binding& b) {
                 b.set("usage", rdf::Term::iri("https://saref.etsi.org/saref4ener/Upflex"));
                 return true;
               });
  EXPECT_THAT(load_forecast_from_bindings(in, "A", kFfDay),
              HasError(ErrorCode::invalid_argument,
                       HasSubstr("quarter 12:00: usage <https://saref.etsi.org/saref4ener/Upflex> "
                                 "is neither s4ener:BaseLine nor s4ener:Downflex")));
}

TEST(LoadForecastBindings, DuplicateIntervalIsNamed) {
  auto in = ff_bindings(ff_load("A"));
  auto dup = ff_edit(in, "2026-11-28T06:00:00Z", kUsageBaseLine, [](pattern::Binding& b) {
    b.set("point", rdf::Term::iri("https://forecast.example.org/other/point/6"));
    b.set("value", rdf::Term::literal("99", std::string(rdf::vocab::xsd_decimal)));
    return true;
  });
  in.insert_all(dup);
  EXPECT_THAT(load_forecast_from_bindings(in, "A", kFfDay),
              HasError(ErrorCode::invalid_argument,
                       HasSubstr("quarter 06:00, baseline (s4ener:BaseLine): duplicate interval, "
                                 "the quarter hour is given twice")));
}

TEST(LoadForecastBindings, IntervalsOffTheQuarterHourGridAreNamed) {
  auto in = ff_edit(
      ff_bindings(ff_load("A")), "2026-11-28T06:00:00Z", kUsageBaseLine, [](pattern::Binding& b) {
        b.set("quarterStart", rdf::Term::literal("2026-11-28T06:05:00Z",
                                                 "http://www.w3.org/2001/XMLSchema#dateTimeStamp"));
        return true;
      });
  EXPECT_THAT(load_forecast_from_bindings(in, "A", kFfDay),
              HasError(ErrorCode::invalid_argument,
                       HasSubstr("quarter starting 2026-11-28T06:05:00Z is not on the 15-minute "
                                 "grid")));
  in = ff_edit(
      ff_bindings(ff_load("A")), "2026-11-28T06:00:00Z", kUsageBaseLine, [](pattern::Binding& b) {
        b.set("quarterEnd", rdf::Term::literal("2026-11-28T06:30:00Z",
                                               "http://www.w3.org/2001/XMLSchema#dateTimeStamp"));
        return true;
      });
  EXPECT_THAT(load_forecast_from_bindings(in, "A", kFfDay),
              HasError(ErrorCode::invalid_argument,
                       HasSubstr("quarter 06:00: the interval ends at 2026-11-28T06:30:00Z")));
}

TEST(LoadForecastBindings, NothingForTheZoneIsNotFound) {
  EXPECT_THAT(load_forecast_from_bindings(ff_bindings(ff_load("B")), "A", kFfDay),
              HasError(ErrorCode::not_found, HasSubstr("zone 'A' on 2026-11-28")));
}

TEST(LoadForecastBindings, EncodingRefusesAZoneThatCannotBeAnIri) {
  EXPECT_THAT(load_forecast_bindings(ff_load("feeder A")),
              HasError(ErrorCode::invalid_argument, HasSubstr("feeder A")));
}

}  // namespace
}  // namespace gridke::adapters::tariffs
