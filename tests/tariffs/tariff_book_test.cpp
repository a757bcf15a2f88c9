// Tests for model/tariff_book.hpp: tariffs per known zone, unknown zones rejected.

#include "gridke/services/tariffs/model/tariff_book.hpp"

#include <gtest/gtest.h>

#include "gridke_matchers.hpp"

namespace gridke::services::tariffs::model {
namespace {

using ::testing::HasSubstr;

TariffStructure flat(std::string zone, double price) {
  TariffStructure t;
  t.id = "flat-" + zone;
  t.zone = std::move(zone);
  t.tiers = {{"flat", price}};
  t.periods = {{0, kMinutesPerDay, "flat"}};
  return t;
}

TEST(TariffBook, PricesEachZoneWithItsOwnTariff) {
  TariffBook book;
  ASSERT_THAT(book.add_zone("zone-a"), IsOk());
  ASSERT_THAT(book.add_zone("zone-b"), IsOk());
  ASSERT_THAT(book.set_tariff(flat("zone-a", 0.10)), IsOk());
  ASSERT_THAT(book.set_tariff(flat("zone-b", 0.20)), IsOk());
  ASSERT_THAT(book.set_tariff(flat("zone-a", 0.15)), IsOk());  // replaces
  EXPECT_EQ(book.zone_count(), 2u);
  const auto a = book.price("zone-a", 600, 1.0, 0.0);
  ASSERT_THAT(a, IsOk());
  EXPECT_DOUBLE_EQ(*a, 0.15);
  const auto b = book.price("zone-b", 600, 1.0, 0.0);
  ASSERT_THAT(b, IsOk());
  EXPECT_DOUBLE_EQ(*b, 0.20);
}

TEST(TariffBook, RejectsUnknownZone) {
  TariffBook book;
  ASSERT_THAT(book.add_zone("zone-a"), IsOk());
  EXPECT_THAT(book.set_tariff(flat("zone-x", 0.1)),
              HasError(ErrorCode::not_found, HasSubstr("unknown zone 'zone-x'")));
  EXPECT_THAT(book.price("zone-x", 0, 0.0, 0.0),
              HasError(ErrorCode::not_found, HasSubstr("unknown zone 'zone-x'")));
  EXPECT_THAT(book.price("zone-a", 0, 0.0, 0.0),
              HasError(ErrorCode::not_found, HasSubstr("zone 'zone-a' has no tariff")));
}

TEST(TariffBook, RejectsDuplicateZoneInvalidTariffAndBadMinute) {
  TariffBook book;
  ASSERT_THAT(book.add_zone("zone-a"), IsOk());
  EXPECT_THAT(book.add_zone("zone-a"), HasError(ErrorCode::already_exists, HasSubstr("zone-a")));
  EXPECT_THAT(book.add_zone(""), HasError(ErrorCode::invalid_argument, HasSubstr("empty")));
  auto bad = flat("zone-a", -1.0);
  EXPECT_THAT(book.set_tariff(bad), HasError(ErrorCode::invalid_argument, HasSubstr("negative")));
  ASSERT_THAT(book.set_tariff(flat("zone-a", 0.1)), IsOk());
  EXPECT_THAT(book.price("zone-a", 1440, 0.0, 0.0),
              HasError(ErrorCode::invalid_argument, HasSubstr("minute 1440")));
}

}  // namespace
}  // namespace gridke::services::tariffs::model
