#include "gridke/adapter/codec.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <limits>

#include "gridke_matchers.hpp"

namespace gridke::adapter {
namespace {

using rdf::Term;
using ::testing::AllOf;
using ::testing::HasSubstr;
using namespace std::chrono;

const std::string xsd = "http://www.w3.org/2001/XMLSchema#";

Term lit(std::string lex, std::string type) { return Term::literal(std::move(lex), xsd + type); }

TEST(DoubleCodec, DecodesEveryNumericType) {
  DoubleCodec c;
  EXPECT_EQ(c.decode(lit("21.5", "double")).value(), 21.5);
  EXPECT_EQ(c.decode(lit("2.5E1", "double")).value(), 25.0);
  EXPECT_EQ(c.decode(lit("-0.25", "float")).value(), -0.25);
  EXPECT_EQ(c.decode(lit("68.2", "decimal")).value(), 68.2);
  EXPECT_EQ(c.decode(lit(".5", "decimal")).value(), 0.5);
  EXPECT_EQ(c.decode(lit("+10", "integer")).value(), 10.0);
  EXPECT_EQ(c.decode(lit("7", "int")).value(), 7.0);
  EXPECT_TRUE(std::isinf(c.decode(lit("-INF", "double")).value()));
  EXPECT_TRUE(std::isnan(c.decode(lit("NaN", "float")).value()));
}

TEST(DoubleCodec, RoundTripsThroughEachOutputDatatype) {
  for (double v : {21.5, -0.1, 1e-7, 123456789.125, 0.0}) {
    for (const char* type : {"double", "decimal"}) {
      DoubleCodec c{xsd + type};
      auto term = c.encode(v);
      ASSERT_THAT(term, IsOk());
      EXPECT_EQ(term->datatype(), xsd + type);
      EXPECT_EQ(c.decode(*term).value(), v) << term->to_string();
    }
  }
  EXPECT_EQ(DoubleCodec{}.encode(21.5)->to_string(),
            "\"21.5\"^^<http://www.w3.org/2001/XMLSchema#double>");
  EXPECT_EQ(DoubleCodec{xsd + "decimal"}.encode(1e20)->value(), "100000000000000000000");
  EXPECT_EQ(DoubleCodec{xsd + "float"}.encode(0.1)->value(), "0.1");
  EXPECT_EQ(DoubleCodec{}.encode(-std::numeric_limits<double>::infinity())->value(), "-INF");
}

TEST(DoubleCodec, RejectsNonNumbers) {
  DoubleCodec c;
  EXPECT_THAT(c.decode(lit("abc", "double")),
              HasError(ErrorCode::invalid_argument,
                       AllOf(HasSubstr("expected a number"), HasSubstr("\"abc\"^^<"))));
  EXPECT_THAT(c.decode(Term::literal("21.5")),
              HasError(ErrorCode::invalid_argument, HasSubstr("expected a number")));
  EXPECT_THAT(c.decode(Term::iri("https://example.org/x")),
              HasError(ErrorCode::invalid_argument, HasSubstr("<https://example.org/x>")));
  EXPECT_THAT(c.decode(lit("1e5", "decimal")),
              HasError(ErrorCode::invalid_argument, HasSubstr("\"1e5\"")));
  EXPECT_THAT(c.decode(lit("INF", "decimal")),
              HasError(ErrorCode::invalid_argument, HasSubstr("\"INF\"")));
  EXPECT_THAT(c.decode(lit("1.5", "integer")),
              HasError(ErrorCode::invalid_argument, HasSubstr("\"1.5\"")));
  EXPECT_THAT(c.decode(lit("inf", "double")),
              HasError(ErrorCode::invalid_argument, HasSubstr("\"inf\"")));
}

TEST(DoubleCodec, RejectsValuesItCannotWrite) {
  EXPECT_THAT(DoubleCodec{xsd + "decimal"}.encode(std::nan("")),
              HasError(ErrorCode::invalid_argument, HasSubstr("as xsd:decimal")));
  EXPECT_THAT(DoubleCodec{xsd + "string"}.encode(1.0),
              HasError(ErrorCode::invalid_argument,
                       HasSubstr("datatype must be xsd:double, xsd:float or xsd:decimal")));
}

TEST(IntegerCodec, RoundTripsAndDecodesDerivedTypes) {
  IntegerCodec c;
  EXPECT_EQ(c.decode(lit("-42", "integer")).value(), -42);
  EXPECT_EQ(c.decode(lit("9223372036854775807", "long")).value(),
            std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(c.decode(lit("3", "nonNegativeInteger")).value(), 3);
  EXPECT_EQ(c.encode(17)->to_string(), "\"17\"^^<http://www.w3.org/2001/XMLSchema#integer>");
  EXPECT_EQ(IntegerCodec{xsd + "int"}.encode(5)->datatype(), xsd + "int");
}

TEST(IntegerCodec, RejectsBadValues) {
  IntegerCodec c;
  EXPECT_THAT(c.decode(lit("1.0", "decimal")),
              HasError(ErrorCode::invalid_argument, HasSubstr("expected an integer")));
  EXPECT_THAT(c.decode(lit("12a", "integer")),
              HasError(ErrorCode::invalid_argument, HasSubstr("\"12a\"")));
  EXPECT_THAT(c.decode(lit("99999999999999999999", "integer")),
              HasError(ErrorCode::invalid_argument, HasSubstr("out of range")));
  EXPECT_THAT(IntegerCodec{xsd + "double"}.encode(1),
              HasError(ErrorCode::invalid_argument, HasSubstr("IntegerCodec datatype")));
}

TEST(BoolCodec, RoundTripsAndRejectsBadValues) {
  BoolCodec c;
  EXPECT_TRUE(c.decode(lit("true", "boolean")).value());
  EXPECT_TRUE(c.decode(lit("1", "boolean")).value());
  EXPECT_FALSE(c.decode(lit("0", "boolean")).value());
  EXPECT_EQ(c.encode(false)->to_string(), "\"false\"^^<http://www.w3.org/2001/XMLSchema#boolean>");
  EXPECT_THAT(c.decode(lit("yes", "boolean")),
              HasError(ErrorCode::invalid_argument,
                       AllOf(HasSubstr("expected a boolean"), HasSubstr("\"yes\""))));
  EXPECT_THAT(c.decode(Term::literal("true")),
              HasError(ErrorCode::invalid_argument, HasSubstr("expected a boolean")));
}

TEST(StringCodec, RoundTripsPlainAndTaggedStrings) {
  StringCodec c;
  EXPECT_EQ(c.decode(Term::literal("Zone A")).value(), "Zone A");
  EXPECT_EQ(c.decode(Term::literal("Zone A", {}, "en")).value(), "Zone A");
  EXPECT_EQ(c.encode("x \"y\"")->to_string(), "\"x \\\"y\\\"\"");
  EXPECT_EQ(StringCodec{"nl"}.encode("wijk")->to_string(), "\"wijk\"@nl");
  EXPECT_THAT(c.decode(lit("1", "integer")),
              HasError(ErrorCode::invalid_argument, HasSubstr("expected a string literal")));
}

TEST(IriCodec, MapsIdsUnderTheBase) {
  IriCodec c{"https://example.org/hems/"};
  EXPECT_EQ(c.encode("meter-7")->to_string(), "<https://example.org/hems/meter-7>");
  EXPECT_EQ(c.decode(Term::iri("https://example.org/hems/house-1/meter")).value(), "house-1/meter");
  EXPECT_EQ(IriCodec{}.decode(Term::iri("urn:x:1")).value(), "urn:x:1");
}

TEST(IriCodec, RejectsIrisOutsideTheBaseAndBadIds) {
  IriCodec c{"https://example.org/hems/"};
  EXPECT_THAT(c.decode(Term::iri("https://example.org/other/1")),
              HasError(ErrorCode::invalid_argument,
                       AllOf(HasSubstr("expected an IRI under <https://example.org/hems/>"),
                             HasSubstr("<https://example.org/other/1>"))));
  EXPECT_THAT(c.decode(Term::iri("https://example.org/hems/")),
              HasError(ErrorCode::invalid_argument, HasSubstr("under")));
  EXPECT_THAT(c.decode(Term::literal("meter-7")),
              HasError(ErrorCode::invalid_argument, HasSubstr("\"meter-7\"")));
  EXPECT_THAT(c.encode(""), HasError(ErrorCode::invalid_argument, HasSubstr("empty id")));
  EXPECT_THAT(c.encode("a b"),
              HasError(ErrorCode::invalid_argument,
                       AllOf(HasSubstr("\"a b\""), HasSubstr("not allowed in an IRI"))));
}

TEST(DateTimeCodec, DecodesWithTimeZones) {
  DateTimeCodec c;
  auto expected = sys_days{2026y / 11 / 27} + 8h + 37min + 14s + 123ms;
  EXPECT_EQ(c.decode(lit("2026-11-27T08:37:14.123Z", "dateTime")).value(), expected);
  EXPECT_EQ(c.decode(lit("2026-11-27T09:37:14.123+01:00", "dateTime")).value(), expected);
  EXPECT_EQ(c.decode(lit("2026-11-27T03:07:14.123456-05:30", "dateTime")).value(), expected);
  EXPECT_EQ(c.decode(lit("2026-11-27T08:37:14.123", "dateTime")).value(), expected);
  EXPECT_EQ(c.decode(lit("2026-11-26T24:00:00Z", "dateTime")).value(), sys_days{2026y / 11 / 27});
  EXPECT_EQ(c.decode(lit("2026-11-27T00:00:00Z", "dateTimeStamp")).value(),
            sys_days{2026y / 11 / 27});
}

TEST(DateTimeCodec, EncodesUtcWithMilliseconds) {
  DateTimeCodec c;
  auto tp = sys_days{2026y / 2 / 3} + 4h + 5min + 6s + 7ms + 999us;
  EXPECT_EQ(c.encode(time_point_cast<system_clock::duration>(tp))->to_string(),
            "\"2026-02-03T04:05:06.007Z\"^^<http://www.w3.org/2001/XMLSchema#dateTime>");
  auto ms = time_point_cast<system_clock::duration>(sys_days{1999y / 12 / 31} + 23h + 59min + 59s +
                                                    999ms);
  EXPECT_EQ(c.decode(c.encode(ms).value()).value(), ms);
}

TEST(DateTimeCodec, RejectsBadValues) {
  DateTimeCodec c;
  EXPECT_THAT(c.decode(lit("2026-13-01T00:00:00Z", "dateTime")),
              HasError(ErrorCode::invalid_argument, AllOf(HasSubstr("\"2026-13-01T00:00:00Z\""),
                                                          HasSubstr("not a valid date and time"))));
  EXPECT_THAT(c.decode(lit("2026-02-30T00:00:00Z", "dateTime")),
              HasError(ErrorCode::invalid_argument, HasSubstr("not a valid date")));
  EXPECT_THAT(c.decode(lit("2026-11-27 08:00:00Z", "dateTime")),
              HasError(ErrorCode::invalid_argument, HasSubstr("expected an xsd:dateTime")));
  EXPECT_THAT(c.decode(lit("2026-11-27T08:00:00+15:00", "dateTime")),
              HasError(ErrorCode::invalid_argument, HasSubstr("expected an xsd:dateTime")));
  EXPECT_THAT(c.decode(lit("2026-11-27T08:00:00.Z", "dateTime")),
              HasError(ErrorCode::invalid_argument, HasSubstr("expected an xsd:dateTime")));
  EXPECT_THAT(c.decode(Term::literal("2026-11-27T08:00:00Z")),
              HasError(ErrorCode::invalid_argument, HasSubstr("expected an xsd:dateTime")));
  EXPECT_THAT(DateTimeCodec{true}.decode(lit("2026-11-27T08:00:00", "dateTime")),
              HasError(ErrorCode::invalid_argument, HasSubstr("has no time zone")));
}

TEST(Codec, GetNamesKiVariableAndValue) {
  pattern::Binding b{{"v", lit("warm", "double")}, {"m", Term::iri("https://example.org/m")}};
  EXPECT_THAT(get(b, "v", DoubleCodec{}, "answer-temperature"),
              HasError(ErrorCode::invalid_argument,
                       AllOf(HasSubstr("KI answer-temperature, variable ?v: "),
                             HasSubstr("\"warm\"^^<http://www.w3.org/2001/XMLSchema#double>"))));
  EXPECT_THAT(get(b, "t", DateTimeCodec{}, "answer-temperature"),
              HasError(ErrorCode::invalid_argument,
                       AllOf(HasSubstr("KI answer-temperature, variable ?t: "),
                             HasSubstr("variable ?t is not bound (bound: ?m, ?v)"))));
  EXPECT_THAT(get(b, "t", DateTimeCodec{}),
              HasError(ErrorCode::invalid_argument, HasSubstr("variable ?t: ")));
  EXPECT_EQ(get(b, "m", IriCodec{"https://example.org/"}).value(), "m");
}

TEST(Codec, PutWritesOrNamesTheVariable) {
  pattern::Binding b;
  ASSERT_THAT(put(b, "v", 21.5, DoubleCodec{}), IsOk());
  EXPECT_EQ(b.find("v")->value(), "21.5");
  EXPECT_THAT(put(b, "id", std::string("a b"), IriCodec{"https://example.org/"}, "post-x"),
              HasError(ErrorCode::invalid_argument,
                       AllOf(HasSubstr("KI post-x, variable ?id: "), HasSubstr("\"a b\""))));
  EXPECT_FALSE(b.contains("id"));
}

}  // namespace
}  // namespace gridke::adapter
