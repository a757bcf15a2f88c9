// JSON decoding of needs, offers and series: malformed messages are rejected naming the field.
#include "gridke/services/flexibility_market/model_json.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gridke_matchers.hpp"

namespace gridke::services::flexibility_market {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

TEST(ModelJson, ParsesTheD43NeedForm) {
  const json j = json::parse(R"({"requestId": "123e4567-e89b-12d3-a456-426614174000",
    "zone": "Z1", "needs": 100, "measurementUnit": "kW", "direction": "Down",
    "typePower": "Active", "startTime": "2026-11-28T18:00:00Z", "endTime": "2026-11-28T18:15:00+00:00",
    "HEMSIds": ["i1", "i2"]})");
  auto n = need_input_from_json(j, "needs[0]");
  ASSERT_THAT(n, IsOk());
  EXPECT_EQ(*n->request_id, "123e4567-e89b-12d3-a456-426614174000");
  EXPECT_EQ(n->direction, Direction::down);
  EXPECT_EQ(n->end - n->start, std::chrono::minutes(15));
  EXPECT_THAT(n->hems_ids, ::testing::ElementsAre("i1", "i2"));
}

TEST(ModelJson, RejectsMalformedNeeds) {
  auto parse = [](const char* text) { return need_input_from_json(json::parse(text), "needs[0]"); };
  EXPECT_THAT(
      parse(
          R"({"zone": "Z", "needs": "lots", "direction": "Down", "startTime": "2026-11-28T18:00:00Z", "endTime": "2026-11-28T18:15:00Z"})"),
      HasError(ErrorCode::invalid_argument,
               HasSubstr("needs[0].needs: must be a number, got string")));
  EXPECT_THAT(
      parse(
          R"({"zone": "Z", "needs": 1, "direction": "Sideways", "startTime": "2026-11-28T18:00:00Z", "endTime": "2026-11-28T18:15:00Z"})"),
      HasError(ErrorCode::invalid_argument,
               HasSubstr("needs[0].direction: expected \"Up\" or \"Down\"")));
  EXPECT_THAT(
      parse(
          R"({"zone": "Z", "needs": 1, "direction": "Up", "startTime": "tomorrow", "endTime": "2026-11-28T18:15:00Z"})"),
      HasError(ErrorCode::invalid_argument,
               HasSubstr("needs[0].startTime: not an ISO 8601 date-time")));
  EXPECT_THAT(
      parse(
          R"({"zone": "Z", "needs": 1, "measurementUnit": "MW", "direction": "Up", "startTime": "2026-11-28T18:00:00Z", "endTime": "2026-11-28T18:15:00Z"})"),
      HasError(ErrorCode::invalid_argument, HasSubstr("needs[0].measurementUnit: only \"kW\"")));
  EXPECT_THAT(
      parse(
          R"({"zone": "Z", "needs": 1, "direction": "Up", "typePower": "Reactive", "startTime": "2026-11-28T18:00:00Z", "endTime": "2026-11-28T18:15:00Z"})"),
      HasError(ErrorCode::invalid_argument, HasSubstr("needs[0].typePower: only \"Active\"")));
  EXPECT_THAT(
      parse(
          R"({"zone": "Z", "needs": 1, "direction": "Up", "startTime": "2026-11-28T18:00:00Z", "endTime": "2026-11-28T18:15:00Z", "colour": "red"})"),
      HasError(ErrorCode::invalid_argument, HasSubstr("needs[0].colour: unknown field")));
  EXPECT_THAT(
      parse(
          R"({"needs": 1, "direction": "Up", "startTime": "2026-11-28T18:00:00Z", "endTime": "2026-11-28T18:15:00Z"})"),
      HasError(ErrorCode::invalid_argument, HasSubstr("needs[0].zone: is required")));
  EXPECT_THAT(
      parse(
          R"({"zone": "Z", "needs": 1, "direction": "Up", "startTime": "2026-11-28T18:00:00Z", "endTime": "2026-11-28T18:15:00Z", "HEMSIds": [1]})"),
      HasError(ErrorCode::invalid_argument, HasSubstr("needs[0].HEMSIds[0]: must be a string")));
}

TEST(ModelJson, RejectsMalformedOffers) {
  auto parse = [](const char* text) { return offer_input_from_json(json::parse(text), ""); };
  EXPECT_THAT(parse(R"({"requestId": "FR-1", "quantity": 5, "price": 10})"),
              HasError(ErrorCode::invalid_argument, HasSubstr("fspId: is required")));
  EXPECT_THAT(
      parse(
          R"({"fspId": "a", "requestId": "FR-1", "quantity": 5, "price": 10, "divisible": "yes"})"),
      HasError(ErrorCode::invalid_argument, HasSubstr("divisible: must be a boolean")));
  EXPECT_THAT(
      parse(
          R"({"fspId": "a", "requestId": "FR-1", "quantity": 5, "price": 10, "priceUnit": "EUR/kWh"})"),
      HasError(ErrorCode::invalid_argument, HasSubstr("priceUnit: only \"EUR/MWh\"")));
  EXPECT_THAT(parse(R"([1, 2])"), HasError(ErrorCode::invalid_argument,
                                           HasSubstr("body: must be an object, got array")));
}

TEST(ModelJson, TimesRoundTripWithOffsetsAndFractions) {
  auto t = parse_time("2026-11-28T19:15:30.250+01:00", "t");
  ASSERT_THAT(t, IsOk());
  EXPECT_EQ(format_time(*t), "2026-11-28T18:15:30.250Z");
  EXPECT_THAT(parse_time("2026-02-30T00:00:00Z", "t"),
              HasError(ErrorCode::invalid_argument, HasSubstr("field out of range")));
  EXPECT_THAT(parse_time("2026-11-28T19:15:30Zjunk", "t"),
              HasError(ErrorCode::invalid_argument, HasSubstr("trailing characters")));
}

TEST(ModelJson, StoredEntitiesRoundTrip) {
  FlexibilityOffer o;
  o.offer_id = "OF-1";
  o.fsp_id = "f";
  o.request_id = "FR-1";
  o.zone = "Z";
  o.direction = Direction::up;
  o.start = from_epoch_ms(900000);
  o.end = from_epoch_ms(1800000);
  o.quantity_kw = 3;
  o.min_quantity_kw = 1;
  o.price_eur_per_mwh = 42;
  o.state = OfferState::suspended;
  o.suspended_until = from_epoch_ms(1200000);
  auto back = offer_from_json(to_json(o));
  ASSERT_THAT(back, IsOk());
  EXPECT_EQ(to_json(*back), to_json(o));
}

}  // namespace
}  // namespace gridke::services::flexibility_market
