// Tests of the JSON field readers and ISO 8601 times.

#include "gridke/http/json_fields.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gridke_matchers.hpp"

namespace gridke::http {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

TEST(JsonFieldsTest, RequiredFieldsNameThePath) {
  json j = json::parse(R"({"meter_id": 7, "v": "x", "n": 1.5, "b": true, "a": [1]})");
  EXPECT_THAT(get_string(j, "measurements[3]", "meter_id"),
              HasError(ErrorCode::invalid_argument,
                       HasSubstr("measurements[3].meter_id: must be a string, got number")));
  EXPECT_THAT(get_number(j, "", "missing"),
              HasError(ErrorCode::invalid_argument, HasSubstr("missing: is required")));
  EXPECT_EQ(*get_number(j, "", "n"), 1.5);
  EXPECT_THAT(get_integer(j, "", "n"),
              HasError(ErrorCode::invalid_argument, HasSubstr("n: must be an integer")));
  EXPECT_EQ(*get_integer(j, "", "meter_id"), 7);
  EXPECT_TRUE(*get_bool(j, "", "b"));
  EXPECT_EQ((*get_array(j, "", "a"))->size(), 1u);
  EXPECT_THAT(get_object(j, "", "a"),
              HasError(ErrorCode::invalid_argument, HasSubstr("a: must be an object, got array")));
}

TEST(JsonFieldsTest, OptionalFieldsAcceptAbsentAndNull) {
  json j = json::parse(R"({"x": null, "y": "s"})");
  EXPECT_EQ(*get_optional_string(j, "", "x"), std::nullopt);
  EXPECT_EQ(*get_optional_string(j, "", "z"), std::nullopt);
  EXPECT_EQ(*get_optional_string(j, "", "y"), "s");
  EXPECT_THAT(get_optional_number(j, "", "y"),
              HasError(ErrorCode::invalid_argument, HasSubstr("y: must be a number, got string")));
}

TEST(JsonFieldsTest, CheckObjectNamesUnknownFields) {
  json j = json::parse(R"({"start": 1, "strat": 2})");
  EXPECT_THAT(check_object(j, "window", {"start", "end"}),
              HasError(ErrorCode::invalid_argument,
                       HasSubstr("window.strat: unknown field (known: start, end)")));
  EXPECT_THAT(check_object(json::array(), "", {}),
              HasError(ErrorCode::invalid_argument,
                       HasSubstr("request body: must be an object, got array")));
}

TEST(JsonFieldsTest, JoinBuildsPaths) {
  EXPECT_EQ(join("", "a"), "a");
  EXPECT_EQ(join("a", "b"), "a.b");
  EXPECT_EQ(join("a", std::size_t{2}), "a[2]");
}

TEST(TimeTest, ParsesIsoForms) {
  using namespace std::chrono;
  const auto base = sys_days(year(2026) / 11 / 27) + hours(10) + minutes(15);
  EXPECT_EQ(*parse_time("2026-11-27T10:15:00Z", "t"), base);
  EXPECT_EQ(*parse_time("2026-11-27T10:15Z", "t"), base);
  EXPECT_EQ(*parse_time("2026-11-27T11:15:00+01:00", "t"), base);
  EXPECT_EQ(*parse_time("2026-11-27T10:15:00.250Z", "t"), base + milliseconds(250));
  EXPECT_EQ(*parse_time("2026-11-27 10:15:00", "t"), base);
  EXPECT_EQ(*parse_time("2026-11-27", "t"), sys_days(year(2026) / 11 / 27));
}

TEST(TimeTest, RejectsBadTimesNamingFieldAndText) {
  EXPECT_THAT(parse_time("2026-02-30T00:00:00Z", "startTime"),
              HasError(ErrorCode::invalid_argument,
                       HasSubstr("startTime: '2026-02-30T00:00:00Z' is not an ISO 8601")));
  EXPECT_THAT(parse_time("27-11-2026", "t"),
              HasError(ErrorCode::invalid_argument, HasSubstr("YYYY")));
  EXPECT_THAT(parse_time("2026-11-27T10:15:00Zjunk", "t"),
              HasError(ErrorCode::invalid_argument, HasSubstr("unexpected text")));
  EXPECT_THAT(parse_time("2026-11-27T25:00:00Z", "t"),
              HasError(ErrorCode::invalid_argument, HasSubstr("out of range")));
}

TEST(TimeTest, FormatRoundTrips) {
  auto t = parse_time("2026-11-27T10:15:00.250Z", "t");
  ASSERT_THAT(t, IsOk());
  EXPECT_EQ(format_time(*t), "2026-11-27T10:15:00.250Z");
  EXPECT_EQ(format_time(*parse_time("2026-01-02T03:04:05Z", "t")), "2026-01-02T03:04:05Z");
}

}  // namespace
}  // namespace gridke::http
