// Verification and settlement of one activation (D4.3 §3.2.4), checked against hand arithmetic.
#include "gridke/services/flexibility_market/verification.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <limits>

#include "gridke_matchers.hpp"

namespace gridke::services::flexibility_market {
namespace {

using ::testing::HasSubstr;

Activation one_hour(Direction d = Direction::down) {
  Activation a;
  a.activation_id = "AC-1";
  a.direction = d;
  a.start = from_epoch_ms(0);
  a.end = a.start + std::chrono::hours(1);
  a.power_kw = 10;
  a.price_eur_per_mwh = 100;
  return a;
}

TEST(VerifyActivation, DeliveredIsBaselineMinusMeteredForDown) {
  // Two participants, 4 quarter hours. Participant p1 reduces 4 kW, p2 reduces 4, 4, 4, 0 kW.
  std::vector<ParticipantSeries> base{{"p1", {10, 10, 10, 10}}, {"p2", {8, 8, 8, 8}}};
  std::vector<ParticipantSeries> meter{{"p1", {6, 6, 6, 6}}, {"p2", {4, 4, 4, 8}}};
  VerificationOptions opt;
  opt.penalty_factor = 0.5;
  auto v = verify_activation(one_hour(), base, meter, opt);
  ASSERT_THAT(v, IsOk());
  EXPECT_THAT(v->delivered_kw, ::testing::ElementsAre(8, 8, 8, 4));
  EXPECT_DOUBLE_EQ(v->delivered_kwh, 7);    // (8+8+8+4) × 0.25 h
  EXPECT_DOUBLE_EQ(v->contracted_kwh, 10);  // 10 kW × 1 h
  EXPECT_DOUBLE_EQ(v->ratio, 0.7);
  EXPECT_DOUBLE_EQ(v->settled_kwh, 7);
  EXPECT_DOUBLE_EQ(v->penalty_eur, 0.5 * 100 * 3 / 1000);  // 3 kWh short
  EXPECT_DOUBLE_EQ(v->amount_eur, 7 * 100 / 1000.0 - 0.15);
}

TEST(VerifyActivation, DeliveredIsMeteredMinusBaselineForUp) {
  std::vector<ParticipantSeries> base{{"p1", {1, 1, 1, 1}}};
  std::vector<ParticipantSeries> meter{{"p1", {13, 13, 13, 13}}};
  auto v = verify_activation(one_hour(Direction::up), base, meter);
  ASSERT_THAT(v, IsOk());
  EXPECT_DOUBLE_EQ(v->delivered_kwh, 12);
  EXPECT_DOUBLE_EQ(v->settled_kwh, 10);  // capped at the contract
  EXPECT_DOUBLE_EQ(v->amount_eur, 1.0);
}

TEST(VerifyActivation, RejectsMissingParticipantWrongLengthAndNonFinite) {
  std::vector<ParticipantSeries> base{{"p1", {1, 1, 1, 1}}};
  EXPECT_THAT(
      verify_activation(one_hour(), base, std::vector<ParticipantSeries>{{"p2", {1, 1, 1, 1}}}),
      HasError(ErrorCode::invalid_argument,
               HasSubstr("participant 'p1' has a baseline but no metering")));
  EXPECT_THAT(verify_activation(one_hour(), base, std::vector<ParticipantSeries>{{"p1", {1, 1}}}),
              HasError(ErrorCode::invalid_argument,
                       HasSubstr("metering of participant 'p1': 2 values, expected 4")));
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THAT(
      verify_activation(one_hour(), base, std::vector<ParticipantSeries>{{"p1", {1, nan, 1, 1}}}),
      HasError(ErrorCode::invalid_argument, HasSubstr("value 1 is not finite")));
}

}  // namespace
}  // namespace gridke::services::flexibility_market
