// Tests for metering_service.hpp: ingestion with corrupt frames, the §2.2 event rules (PCOUP
// change, STGE overrun every 10 s, SINSTI every 30 s), contracts and consents (data filtered to
// contract ∩ consent, PdL encrypted, withdrawal stops the flow at once), latest-on-request,
// power limits (contract (k)), retention by deletion, and persistence of consents.

#include "gridke/services/metering/metering_service.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>
#include <filesystem>

#include "gridke_matchers.hpp"

namespace gridke::services::metering {
// Named per file: unity builds concatenate the test sources of this executable.
namespace metering_service_test {

using namespace std::chrono;
using ::testing::HasSubstr;

constexpr const char* kKey = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
constexpr const char* kPrm = "09876543210123";
const TimePoint kStart = TimePoint(sys_days{year{2026} / 11 / 27} + hours(10));

std::string frame_at(TimePoint t, int pcoup, const std::string& stge, int sinsti = 0,
                     int eait = 0) {
  return format_tic_frame(TicMode::standard, {{"PRM", "", kPrm},
                                              {"DATE", format_horodate(t), ""},
                                              {"EAST", "", "004509834"},
                                              {"EAIT", "", std::to_string(eait)},
                                              {"PREF", "", "09"},
                                              {"PCOUP", "", std::to_string(pcoup)},
                                              {"SINSTS", "", "01520"},
                                              {"SINSTI", "", std::to_string(sinsti)},
                                              {"STGE", "", stge}});
}

class MeteringServiceTest : public ::testing::Test {
 protected:
  void SetUp() override { open(":memory:"); }
  void open(const std::string& path) {
    MeteringOptions o;
    o.key_hex = kKey;
    o.now = [this] { return now_; };
    auto s = MeteringService::open(path, o);
    ASSERT_THAT(s, IsOk());
    service_ = std::move(s).value();
    service_->add_listener([this](const Delivery& d) { deliveries_.push_back(d); });
  }
  void providers_and_consents() {
    ASSERT_THAT(service_->register_provider(
                    {"engie", "ENGIE", kAllDataPoints, "https://engie.example.org/kb", ""}),
                IsOk());
    ASSERT_THAT(service_->register_provider(
                    {"trialog", "Trialog",
                     bit(DataPoint::pcoup) | bit(DataPoint::stge) | bit(DataPoint::date), "",
                     "http://127.0.0.1:1/cb"}),
                IsOk());
    auto a = service_->grant_consent(
        {"", "engie", kPrm, kAllDataPoints, "dynamic tariff", 30, {"ENGIE"}, {}, {}});
    auto b = service_->grant_consent({"",
                                      "trialog",
                                      kPrm,
                                      bit(DataPoint::stge) | bit(DataPoint::date),
                                      "avoid breaker trips",
                                      7,
                                      {"Trialog"},
                                      {},
                                      {}});
    ASSERT_THAT(a, IsOk());
    ASSERT_THAT(b, IsOk());
    engie_consent_ = a->id;
    trialog_consent_ = b->id;
  }
  std::vector<Delivery> of(EventKind kind, const std::string& provider) const {
    std::vector<Delivery> out;
    for (const auto& d : deliveries_) {
      if (d.kind == kind && d.provider == provider) out.push_back(d);
    }
    return out;
  }

  TimePoint now_ = kStart;
  std::unique_ptr<MeteringService> service_;
  std::vector<Delivery> deliveries_;
  std::string engie_consent_, trialog_consent_;
};

TEST_F(MeteringServiceTest, IngestsGoodFramesAndCountsCorruptGroups) {
  providers_and_consents();
  std::string corrupt = frame_at(kStart + seconds(1), 9, "003A4001");
  corrupt[corrupt.find("SINSTS") + 8] = '9';  // breaks that group's checksum
  auto s = service_->ingest(kPrm, frame_at(kStart, 9, "003A4001") + corrupt);
  ASSERT_THAT(s, IsOk());
  EXPECT_EQ(s->frames, 2u);
  EXPECT_EQ(s->readings, 2u);
  EXPECT_EQ(s->corrupt_groups, 1u);
  ASSERT_EQ(s->errors.size(), 1u);
  EXPECT_THAT(s->errors[0], HasSubstr("frame 2, line 7 (SINSTS): checksum"));
  EXPECT_EQ(service_->stats().corrupt_groups, 1);
  auto latest = service_->latest("engie", kPrm);
  ASSERT_THAT(latest, IsOk());
  EXPECT_EQ(latest->reading.time, kStart + seconds(1));
  EXPECT_FALSE(latest->reading.sinsts_va.has_value());  // the corrupt group is dropped
  EXPECT_EQ(latest->reading.pcoup_kva, 9.0);
  EXPECT_THAT(service_->ingest("", "x"), HasError(ErrorCode::invalid_argument, HasSubstr("prm")));
  auto wrong = service_->ingest("11111111111111", frame_at(kStart, 9, "003A4001"));
  ASSERT_THAT(wrong, IsOk());
  EXPECT_EQ(wrong->rejected_frames, 1u);
  EXPECT_THAT(wrong->errors.at(0), HasSubstr("is not the gateway's delivery point"));
}

TEST_F(MeteringServiceTest, PostsPcoupChangesOverrunsEveryTenSecondsAndInjectionEveryThirty) {
  providers_and_consents();
  std::string stream;
  for (int s = 0; s < 60; s += 2) {
    const bool over = s >= 10 && s < 35;
    const int pcoup = s < 40 ? 9 : 12;
    stream += frame_at(kStart + seconds(s), pcoup, over ? "003A4081" : "003A4001", 500, 1000);
  }
  ASSERT_THAT(service_->ingest(kPrm, stream), IsOk());
  // Overrun 10..34 s: posts at 10, 20, 30 (every 10 s while it lasts), to both providers.
  const auto engie_overruns = of(EventKind::overrun, "engie");
  const auto trialog_overruns = of(EventKind::overrun, "trialog");
  EXPECT_EQ(engie_overruns.size(), 3u);
  ASSERT_EQ(trialog_overruns.size(), 3u);
  EXPECT_EQ(trialog_overruns[1].reading.time, kStart + seconds(20));
  // PCOUP 9 → 12 kVA at 40 s: engie only (trialog's consent does not cover pcoup).
  const auto pcoup = of(EventKind::pcoup_changed, "engie");
  ASSERT_EQ(pcoup.size(), 1u);
  EXPECT_EQ(pcoup[0].reading.pcoup_kva, 12.0);
  EXPECT_TRUE(of(EventKind::pcoup_changed, "trialog").empty());
  // SINSTI at 0 and 30 s: engie only.
  EXPECT_EQ(of(EventKind::injection, "engie").size(), 2u);
  EXPECT_TRUE(of(EventKind::injection, "trialog").empty());
  // Filtered to contract ∩ consent, PdL as a token.
  const Delivery t = trialog_overruns[0];
  EXPECT_TRUE(t.reading.prm.empty());
  EXPECT_FALSE(t.reading.east_wh.has_value());
  EXPECT_FALSE(t.reading.pcoup_kva.has_value());
  EXPECT_TRUE(t.reading.stge.has_value());
  EXPECT_EQ(*service_->decrypt_prm(t.prm_token), kPrm);
  EXPECT_EQ(t.callback_url, "http://127.0.0.1:1/cb");
}

TEST_F(MeteringServiceTest, WithdrawnConsentStopsTheFlowAtOnce) {
  providers_and_consents();
  ASSERT_THAT(service_->ingest(kPrm, frame_at(kStart, 9, "003A4081")), IsOk());
  EXPECT_EQ(of(EventKind::overrun, "trialog").size(), 1u);
  auto w = service_->withdraw_consent(trialog_consent_);
  ASSERT_THAT(w, IsOk());
  EXPECT_FALSE(w->active());
  ASSERT_THAT(service_->ingest(kPrm, frame_at(kStart + seconds(10), 9, "003A4081")), IsOk());
  EXPECT_EQ(of(EventKind::overrun, "trialog").size(), 1u);  // nothing more
  EXPECT_EQ(of(EventKind::overrun, "engie").size(), 2u);
  EXPECT_THAT(service_->latest("trialog", kPrm),
              HasError(ErrorCode::permission_denied, HasSubstr("no active consent")));
  EXPECT_THAT(service_->withdraw_consent("C-99"),
              HasError(ErrorCode::not_found, HasSubstr("C-99")));
  auto again = service_->withdraw_consent(trialog_consent_);  // idempotent
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(again->withdrawn_at, w->withdrawn_at);
}

TEST_F(MeteringServiceTest, ConsentsStayWithinTheContract) {
  providers_and_consents();
  EXPECT_THAT(
      service_->grant_consent({"", "trialog", kPrm, bit(DataPoint::east), "x", 7, {"T"}, {}, {}}),
      HasError(ErrorCode::permission_denied,
               HasSubstr("data points east are not in the contract of provider 'trialog'")));
  EXPECT_THAT(
      service_->grant_consent({"", "nobody", kPrm, bit(DataPoint::east), "x", 7, {"T"}, {}, {}}),
      HasError(ErrorCode::not_found, HasSubstr("no service provider 'nobody'")));
  EXPECT_THAT(
      service_->grant_consent({"", "engie", kPrm, bit(DataPoint::east), "x", 0, {"E"}, {}, {}}),
      HasError(ErrorCode::invalid_argument, HasSubstr("retention_days 0")));
  EXPECT_THAT(
      service_->grant_consent({"", "engie", kPrm, bit(DataPoint::east), "", 7, {"E"}, {}, {}}),
      HasError(ErrorCode::invalid_argument, HasSubstr("purpose")));
  EXPECT_THAT(
      service_->grant_consent({"", "engie", kPrm, bit(DataPoint::east), "x", 7, {}, {}, {}}),
      HasError(ErrorCode::invalid_argument, HasSubstr("recipients")));
  EXPECT_THAT(service_->latest("engie", "09999999999999"),
              HasError(ErrorCode::permission_denied, HasSubstr("no active consent")));
  EXPECT_THAT(service_->latest("engie", kPrm),
              HasError(ErrorCode::not_found, HasSubstr("no TIC reading")));
}

TEST_F(MeteringServiceTest, LatestAcceptsTokensAndFilters) {
  providers_and_consents();
  ASSERT_THAT(service_->ingest(kPrm, frame_at(kStart, 9, "003A4001")), IsOk());
  const auto token = *service_->encrypt_prm(kPrm);
  auto d = service_->latest("trialog", token);
  ASSERT_THAT(d, IsOk());
  EXPECT_EQ(d->prm_token, token);
  EXPECT_FALSE(d->reading.sinsts_va.has_value());
  auto all = service_->latest_all("engie");
  ASSERT_THAT(all, IsOk());
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ(all->front().reading.sinsts_va, 1520.0);
}

TEST_F(MeteringServiceTest, ForwardsPowerLimitsToConsentedProviders) {
  providers_and_consents();
  auto n = service_->limit_power(kPrm, 6.0);
  ASSERT_THAT(n, IsOk());
  EXPECT_EQ(*n, 2u);
  const auto limits = of(EventKind::power_limit, "engie");
  ASSERT_EQ(limits.size(), 1u);
  EXPECT_EQ(limits[0].power_limit.limit_kw, 6.0);
  EXPECT_EQ(limits[0].power_limit.from, now_);
  EXPECT_EQ(limits[0].power_limit.until, now_ + hours(24));
  EXPECT_EQ(limits[0].prm_token, *service_->encrypt_prm(kPrm));
  EXPECT_THAT(service_->limit_power("01234567890123", 6.0),
              HasError(ErrorCode::not_found, HasSubstr("unknown delivery point 01234567890123")));
  EXPECT_THAT(service_->limit_power(kPrm, -1.0),
              HasError(ErrorCode::invalid_argument, HasSubstr("-1.000000 kW must be > 0")));
  EXPECT_THAT(service_->limit_power(kPrm, 0.0),
              HasError(ErrorCode::invalid_argument, HasSubstr("must be > 0")));
  PowerLimitOrder backwards{5.0, now_ + hours(2), now_ + hours(1)};
  EXPECT_THAT(service_->limit_power(kPrm, backwards),
              HasError(ErrorCode::invalid_argument, HasSubstr("until) is not after its start")));
}

TEST_F(MeteringServiceTest, PowerLimitReachesOnlyProvidersWithAnActiveConsent) {
  providers_and_consents();
  ASSERT_THAT(service_->register_provider({"other", "Other", kAllDataPoints, "kb:other", ""}),
              IsOk());
  ASSERT_THAT(service_->withdraw_consent(trialog_consent_), IsOk());
  const PowerLimitOrder order{4.5, now_ + hours(1), now_ + hours(3), false, true};
  ASSERT_THAT(service_->limit_power(kPrm, order), IsOk());
  EXPECT_EQ(of(EventKind::power_limit, "engie").size(), 1u);
  EXPECT_TRUE(of(EventKind::power_limit, "trialog").empty());  // withdrawn
  EXPECT_TRUE(of(EventKind::power_limit, "other").empty());    // never consented
  EXPECT_FALSE(of(EventKind::power_limit, "engie")[0].power_limit.obligatory);
  ASSERT_THAT(service_->withdraw_consent(engie_consent_), IsOk());
  // Known PdL, nobody left to apply the limit: not an error, nothing forwarded.
  auto none = service_->limit_power(kPrm, order);
  ASSERT_THAT(none, IsOk());
  EXPECT_EQ(*none, 0u);
}

TEST_F(MeteringServiceTest, OpenDataUsesConfiguredZonesAndTheMinimumK) {
  // Six meters with two readings each, 10:00 and 10:30; meter m withdraws (m + 1) × 0.5 kWh.
  for (int m = 0; m < 6; ++m) {
    const std::string prm = "0000000000000" + std::to_string(m);
    std::string body;
    for (int t = 0; t < 2; ++t) {
      body += format_tic_frame(TicMode::standard,
                               {{"PRM", "", prm},
                                {"DATE", format_horodate(kStart + minutes(30 * t)), ""},
                                {"EAST", "", std::to_string(1000 + t * 500 * (m + 1))}});
    }
    ASSERT_THAT(service_->ingest(prm, body), IsOk());
  }
  ZoneMembership feeder{"F-1", {}};
  for (int m = 0; m < 6; ++m) feeder.meters.push_back("0000000000000" + std::to_string(m));
  ASSERT_THAT(service_->set_zone(feeder), IsOk());
  ASSERT_THAT(service_->set_zone({"S-1", {"00000000000000", "00000000000001"}}), IsOk());
  auto r = service_->open_data_consumption(kStart, kStart + minutes(30));
  ASSERT_THAT(r, IsOk());
  ASSERT_EQ(r->published.size(), 1u);
  EXPECT_EQ(r->published[0].zone, "F-1");
  EXPECT_DOUBLE_EQ(r->published[0].energy_kwh, 0.5 * 21);
  ASSERT_EQ(r->suppressed.size(), 1u);
  EXPECT_EQ(r->suppressed[0].zone, "S-1");
  EXPECT_THAT(service_->open_data_consumption(kStart, kStart + minutes(30), 2),
              HasError(ErrorCode::permission_denied,
                       HasSubstr("k = 2 is below the platform's minimum k = 5")));
  auto strict = service_->open_data_consumption(kStart, kStart + minutes(30), 7);
  ASSERT_THAT(strict, IsOk());
  EXPECT_TRUE(strict->published.empty());
  EXPECT_THAT(service_->set_zone({"bad zone", {"1"}}),
              HasError(ErrorCode::invalid_argument, HasSubstr("letters, digits and -._~")));
  EXPECT_THAT(service_->set_zone({"Z", {}}),
              HasError(ErrorCode::invalid_argument, HasSubstr("zone 'Z': no meters")));
  EXPECT_THAT(service_->remove_zone("nope"),
              HasError(ErrorCode::not_found, HasSubstr("no grid zone 'nope'")));
  ASSERT_THAT(service_->remove_zone("S-1"), IsOk());
  EXPECT_EQ(service_->zones().size(), 1u);
}

TEST_F(MeteringServiceTest, FlexibilityDataNeedsASource) {
  EXPECT_FALSE(service_->has_flexibility_source());
  EXPECT_THAT(
      service_->flexibility_by_zone(kStart, kStart + hours(24)),
      HasError(ErrorCode::unavailable, HasSubstr("no flexibility data source is configured")));
  service_->set_flexibility_source([]() -> Result<std::vector<ZoneFlexibilityNeed>> {
    return std::vector<ZoneFlexibilityNeed>{
        {"Z-1", FlexDirection::down, 20.0, kStart - hours(2), kStart - hours(1)},
        {"Z-1", FlexDirection::down, 5.0, kStart + hours(7), kStart + hours(8)},
        {"Z-1", FlexDirection::down, 7.5, kStart + hours(7), kStart + hours(8)}};
  });
  auto r = service_->flexibility_by_zone(kStart - hours(24), kStart + hours(24));
  ASSERT_THAT(r, IsOk());
  ASSERT_EQ(r->size(), 2u);
  EXPECT_FALSE((*r)[0].forecast);  // before now_
  EXPECT_TRUE((*r)[1].forecast);
  EXPECT_DOUBLE_EQ((*r)[1].needs_kw, 12.5);
  EXPECT_EQ((*r)[1].needs, 2u);
  service_->set_flexibility_source(
      []() -> Result<std::vector<ZoneFlexibilityNeed>> { return unavailable("market down"); });
  EXPECT_THAT(service_->flexibility_by_zone(kStart, kStart + hours(1)),
              HasError(ErrorCode::unavailable, HasSubstr("market down")));
}

TEST_F(MeteringServiceTest, ZonesSurviveReopening) {
  const auto path = (std::filesystem::temp_directory_path() /
                     ("gridke_metering_zones_" + std::to_string(::getpid()) + ".sqlite"))
                        .string();
  std::filesystem::remove(path);
  open(path);
  ASSERT_THAT(service_->set_zone({"F-9", {"2", "1", "2"}}), IsOk());
  service_.reset();
  open(path);
  const auto zones = service_->zones();
  ASSERT_EQ(zones.size(), 1u);
  EXPECT_EQ(zones[0].meters, (std::vector<std::string>{"1", "2"}));
  service_.reset();
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
}

TEST_F(MeteringServiceTest, RetentionDeletesOldReadingsAndEverythingWithoutConsent) {
  providers_and_consents();
  ASSERT_THAT(service_->ingest(kPrm, frame_at(kStart - days(40), 9, "003A4001") +
                                         frame_at(kStart - days(10), 9, "003A4001") +
                                         frame_at(kStart, 9, "003A4001")),
              IsOk());
  EXPECT_EQ(*service_->stored_readings(kPrm), 3);
  EXPECT_EQ(*service_->enforce_retention(), 1);  // 30 days (engie's, the longest)
  EXPECT_EQ(*service_->stored_readings(kPrm), 2);
  ASSERT_THAT(service_->withdraw_consent(engie_consent_), IsOk());
  EXPECT_EQ(*service_->enforce_retention(), 1);  // trialog keeps 7 days
  ASSERT_THAT(service_->withdraw_consent(trialog_consent_), IsOk());
  EXPECT_EQ(*service_->enforce_retention(), 1);  // no consent: nothing is kept
  EXPECT_EQ(*service_->stored_readings(kPrm), 0);
}

TEST_F(MeteringServiceTest, ContractsAndConsentsSurviveARestart) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("gridke-metering-" + std::to_string(::getpid()) + ".sqlite");
  std::filesystem::remove(path);
  open(path.string());
  providers_and_consents();
  ASSERT_THAT(service_->withdraw_consent(trialog_consent_), IsOk());
  service_.reset();
  open(path.string());
  auto consents = service_->consents();
  ASSERT_THAT(consents, IsOk());
  ASSERT_EQ(consents->size(), 2u);
  EXPECT_TRUE((*consents)[0].active());
  EXPECT_FALSE((*consents)[1].active());
  EXPECT_EQ((*consents)[0].recipients, std::vector<std::string>{"ENGIE"});
  auto next = service_->grant_consent(
      {"", "engie", "01234567890123", bit(DataPoint::east), "x", 7, {"E"}, {}, {}});
  ASSERT_THAT(next, IsOk());
  EXPECT_EQ(next->id, "C-3");
  service_.reset();
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
}

TEST_F(MeteringServiceTest, EnergyBetweenUsesTheFirstAndLastIndexOfTheWindow) {
  const auto at = [](int minute, int east) {
    return format_tic_frame(TicMode::standard,
                            {{"PRM", "", kPrm},
                             {"DATE", format_horodate(kStart + minutes(minute)), ""},
                             {"EAST", "", std::to_string(east)}});
  };
  ASSERT_THAT(service_->ingest(
                  kPrm, at(-5, 900) + at(0, 1000) + at(20, 1600) + at(30, 2500) + at(40, 4000)),
              IsOk());
  auto e = service_->energy_between(kStart, kStart + minutes(30));
  ASSERT_THAT(e, IsOk());
  ASSERT_EQ(e->size(), 1u);
  EXPECT_EQ(e->front().meter, kPrm);
  EXPECT_DOUBLE_EQ(e->front().energy_kwh, 1.5);  // (2500 - 1000) Wh
  EXPECT_THAT(service_->energy_between(kStart, kStart),
              HasError(ErrorCode::invalid_argument, HasSubstr("end must be after")));
}

TEST(MeteringServiceOpen, RejectsBadKeys) {
  MeteringOptions o;
  o.key_hex = "abc";
  EXPECT_THAT(MeteringService::open(":memory:", o),
              HasError(ErrorCode::invalid_argument, HasSubstr("got 3 characters")));
}

}  // namespace metering_service_test
}  // namespace gridke::services::metering
