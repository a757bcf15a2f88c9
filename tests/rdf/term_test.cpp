#include "gridke/rdf/term.hpp"

#include "gridke/rdf/vocabulary.hpp"
#include "gridke_matchers.hpp"
#include "rdf_test_terms.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <unordered_set>

namespace gridke {
// Lets GoogleTest print a parse result (the term, or the error) when a matcher fails.
inline void PrintTo(const Result<rdf::Term>& r, std::ostream* os) {
  if (r) {
    *os << "term " << r->to_string();
  } else {
    *os << "error " << to_string(r.error().code()) << ": " << r.error().to_string();
  }
}
}  // namespace gridke

namespace gridke::rdf {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

const std::string xsd_int = std::string(vocab::xsd) + "int";
const std::string xsd_long = std::string(vocab::xsd) + "long";
const std::string xsd_byte = std::string(vocab::xsd) + "byte";
const std::string xsd_unsigned_byte = std::string(vocab::xsd) + "unsignedByte";
const std::string xsd_non_negative = std::string(vocab::xsd) + "nonNegativeInteger";
const std::string xsd_positive = std::string(vocab::xsd) + "positiveInteger";
const std::string xsd_negative = std::string(vocab::xsd) + "negativeInteger";
const std::string xsd_date = std::string(vocab::xsd) + "date";
const std::string xsd_date_time_stamp = std::string(vocab::xsd) + "dateTimeStamp";

using test_terms::lit;

// Parses and prints, the round trip the engine performs on every binding value.
std::string normalised(std::string_view text) {
  auto r = parse_term(text);
  EXPECT_THAT(r, IsOk()) << text;
  return r ? r->to_string() : std::string("<error>");
}

// --- factories and accessors -------------------------------------------------------------------

TEST(Term, CopiesShareStorageButBehaveAsValues) {
  // Term keeps its strings in one shared block (engine hot path); copies must still compare,
  // order and hash as independent values, and a reassigned copy must not affect the original.
  Term original = Term::literal("21.5", std::string(vocab::xsd_decimal));
  Term copy = original;
  EXPECT_EQ(copy, original);
  EXPECT_EQ(copy.hash(), original.hash());
  EXPECT_EQ(copy.value().data(), original.value().data());  // shared, not duplicated
  copy = Term::iri("http://example.org/x");
  EXPECT_EQ(original.value(), "21.5");
  EXPECT_EQ(original.datatype(), vocab::xsd_decimal);
  EXPECT_LT(Term::iri("http://a"), Term::iri("http://b"));
  EXPECT_LT(Term::iri("http://z"), Term::literal("a"));  // kind orders first: iri < literal
  Term empty;
  EXPECT_TRUE(empty.is_iri());
  EXPECT_EQ(empty.value(), "");
}

TEST(Term, IriFactoryKeepsIri) {
  Term t = Term::iri("http://example.org/a");
  EXPECT_TRUE(t.is_iri());
  EXPECT_EQ(t.kind(), TermKind::iri);
  EXPECT_EQ(t.value(), "http://example.org/a");
  EXPECT_TRUE(t.datatype().empty());
  EXPECT_TRUE(t.language().empty());
}

TEST(Term, SimpleLiteralIsXsdString) {
  Term t = Term::literal("x");
  EXPECT_TRUE(t.is_literal());
  EXPECT_EQ(t.datatype(), vocab::xsd_string);
  EXPECT_EQ(t, lit("x", vocab::xsd_string));
}

TEST(Term, LanguageLiteralIsLangStringAndLowerCased) {
  Term t = Term::literal("colour", "", "en-GB");
  EXPECT_EQ(t.datatype(), vocab::rdf_lang_string);
  EXPECT_EQ(t.language(), "en-gb");
  EXPECT_EQ(t, Term::literal("colour", "", "EN-gb"));
}

TEST(Term, BlankFactoryKeepsLabel) {
  Term t = Term::blank("b0");
  EXPECT_TRUE(t.is_blank());
  EXPECT_EQ(t.value(), "b0");
}

TEST(Term, EqualityIsTermEquality) {
  EXPECT_NE(lit("1", vocab::xsd_integer), lit("01", vocab::xsd_integer));
  EXPECT_NE(Term::iri("http://a"), Term::blank("http://a"));
  EXPECT_NE(Term::literal("a", "", "en"), Term::literal("a", "", "de"));
}

TEST(Term, HashAgreesWithEquality) {
  std::unordered_set<Term, TermHash> set;
  set.insert(Term::literal("x"));
  set.insert(lit("x", vocab::xsd_string));
  set.insert(Term::iri("x"));
  set.insert(Term::blank("x"));
  set.insert(lit("x", vocab::xsd_decimal));
  set.insert(Term::literal("x", "", "en"));
  EXPECT_EQ(set.size(), 5u);
  EXPECT_EQ(Term::literal("x").hash(), lit("x", vocab::xsd_string).hash());
}

// --- to_string: the TNO normalised form (NOTES §2.3) ------------------------------------------

TEST(Term, ToStringPrintsIriInBrackets) {
  EXPECT_EQ(Term::iri("http://example.org/a").to_string(), "<http://example.org/a>");
}

TEST(Term, ToStringPrintsXsdStringAsSimpleLiteral) {
  EXPECT_EQ(lit("bla", vocab::xsd_string).to_string(), "\"bla\"");
}

TEST(Term, ToStringPrintsTypedLiteralWithFullDatatype) {
  EXPECT_EQ(lit("10", vocab::xsd_integer).to_string(),
            "\"10\"^^<http://www.w3.org/2001/XMLSchema#integer>");
  EXPECT_EQ(lit("true", vocab::xsd_boolean).to_string(),
            "\"true\"^^<http://www.w3.org/2001/XMLSchema#boolean>");
}

TEST(Term, ToStringKeepsIllTypedLiteralUnchanged) {
  Term t = lit("eek", vocab::xsd_decimal);
  EXPECT_FALSE(t.is_well_typed());
  EXPECT_EQ(t.to_string(), "\"eek\"^^<http://www.w3.org/2001/XMLSchema#decimal>");
}

TEST(Term, ToStringKeepsLanguageTag) {
  EXPECT_EQ(Term::literal("eek", "", "en").to_string(), "\"eek\"@en");
}

TEST(Term, ToStringPrintsBlankNode) { EXPECT_EQ(Term::blank("b1").to_string(), "_:b1"); }

TEST(Term, ToStringEscapesLexicalForm) {
  EXPECT_EQ(Term::literal("a\"b\\c\nd\re\tf").to_string(), R"("a\"b\\c\nd\re\tf")");
  // As Jena's EscapeStr: \f is escaped, U+FFFD is written \uFFFD, other controls stay raw.
  EXPECT_EQ(Term::literal("a\fb").to_string(), R"("a\fb")");
  EXPECT_EQ(Term::literal("bad \xEF\xBF\xBD byte").to_string(), R"("bad \uFFFD byte")");
  EXPECT_EQ(Term::literal(std::string("x\x01y\bz")).to_string(), "\"x\x01y\bz\"");
  EXPECT_EQ(Term::literal("\xEF\xBC\xA1").to_string(), "\"\xEF\xBC\xA1\"");  // U+FF21 raw
  EXPECT_EQ(Term::literal("héllo").to_string(), "\"héllo\"");
}

TEST(Term, ToStringEscapesCharactersNotAllowedInIri) {
  EXPECT_EQ(Term::iri("http://a/b c>").to_string(), R"(<http://a/b\u0020c\u003E>)");
}

// --- parse_term: accepted forms -----------------------------------------------------------------

TEST(ParseTerm, ParsesIri) {
  auto r = parse_term("<http://example.org/x>");
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(*r, Term::iri("http://example.org/x"));
}

TEST(ParseTerm, IgnoresSurroundingWhiteSpace) {
  auto r = parse_term(" \t<http://example.org/x>\n ");
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(*r, Term::iri("http://example.org/x"));
}

TEST(ParseTerm, ParsesSimpleLiteral) {
  auto r = parse_term("\"plain\"");
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(*r, Term::literal("plain"));
}

TEST(ParseTerm, ParsesSingleQuotedLiteral) {
  auto r = parse_term("'plain'");
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(*r, Term::literal("plain"));
}

TEST(ParseTerm, ParsesTypedLiteral) {
  auto r = parse_term("\"21.2\"^^<http://www.w3.org/2001/XMLSchema#float>");
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(*r, lit("21.2", vocab::xsd_float));
}

TEST(ParseTerm, ParsesLanguageLiteral) {
  auto r = parse_term("\"eek\"@en-GB");
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(*r, Term::literal("eek", "", "en-gb"));
}

TEST(ParseTerm, ParsesBlankNode) {
  auto r = parse_term("_:b12");
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(*r, Term::blank("b12"));
}

TEST(ParseTerm, ParsesBareNumbersLikeSse) {
  EXPECT_EQ(*parse_term("10"), lit("10", vocab::xsd_integer));
  EXPECT_EQ(*parse_term("-7"), lit("-7", vocab::xsd_integer));
  EXPECT_EQ(*parse_term("+7"), lit("+7", vocab::xsd_integer));
  EXPECT_EQ(*parse_term("68.2"), lit("68.2", vocab::xsd_decimal));
  EXPECT_EQ(*parse_term(".5"), lit(".5", vocab::xsd_decimal));
  EXPECT_EQ(*parse_term("-0.25"), lit("-0.25", vocab::xsd_decimal));
  EXPECT_EQ(*parse_term("1e3"), lit("1e3", vocab::xsd_double));
  EXPECT_EQ(*parse_term("1.5E-2"), lit("1.5E-2", vocab::xsd_double));
  EXPECT_EQ(*parse_term("-2.e+4"), lit("-2.e+4", vocab::xsd_double));
}

TEST(ParseTerm, ParsesBooleans) {
  EXPECT_EQ(*parse_term("true"), lit("true", vocab::xsd_boolean));
  EXPECT_EQ(*parse_term("false"), lit("false", vocab::xsd_boolean));
}

TEST(ParseTerm, DecodesStringEscapes) {
  auto r = parse_term(R"("q\"b\\n\n t\t r\r \u00e9 \U0001F600 '\'")");
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->value(), "q\"b\\n\n t\t r\r \xC3\xA9 \xF0\x9F\x98\x80 ''");
}

TEST(ParseTerm, DecodesUcharInIri) {
  auto r = parse_term(R"(<http://example.org/caf\u00E9>)");
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->value(), "http://example.org/caf\xC3\xA9");
}

TEST(ParseTerm, AcceptsRawUtf8) {
  auto r = parse_term("\"Ω ≈ 1\"@el");
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->value(), "Ω ≈ 1");
}

// --- parse + print: the TNO normalisation ------------------------------------------------------

TEST(ParseTerm, NormalisesLikeTheTnoEngine) {
  EXPECT_EQ(normalised("10"), "\"10\"^^<http://www.w3.org/2001/XMLSchema#integer>");
  EXPECT_EQ(normalised("21.5"), "\"21.5\"^^<http://www.w3.org/2001/XMLSchema#decimal>");
  EXPECT_EQ(normalised("1e3"), "\"1e3\"^^<http://www.w3.org/2001/XMLSchema#double>");
  EXPECT_EQ(normalised("\"bla\"^^<http://www.w3.org/2001/XMLSchema#string>"), "\"bla\"");
  EXPECT_EQ(normalised("\"true\"^^<http://www.w3.org/2001/XMLSchema#boolean>"),
            "\"true\"^^<http://www.w3.org/2001/XMLSchema#boolean>");
  EXPECT_EQ(normalised("\"eek\"^^<http://www.w3.org/2001/XMLSchema#decimal>"),
            "\"eek\"^^<http://www.w3.org/2001/XMLSchema#decimal>");
  EXPECT_EQ(normalised("\"eek\"@en"), "\"eek\"@en");
  EXPECT_EQ(normalised(R"("a\tb")"), R"("a\tb")");
  EXPECT_EQ(normalised("<http://example.org/x>"), "<http://example.org/x>");
  EXPECT_EQ(normalised("_:b"), "_:b");
}

// --- parse_term: errors (code and message) -----------------------------------------------------

TEST(ParseTerm, RejectsVariables) {
  EXPECT_THAT(parse_term("?x"),
              HasError(ErrorCode::parse_error,
                       AllOf(HasSubstr("'?x'"), HasSubstr("Binding values should be concrete nodes "
                                                          "(either RDF literals or RDF URIs)."))));
  EXPECT_THAT(parse_term("$x"),
              HasError(ErrorCode::parse_error,
                       AllOf(HasSubstr("'$x'"), HasSubstr("Binding values should be concrete"))));
}

TEST(ParseTerm, RejectsPrefixedNames) {
  EXPECT_THAT(parse_term("ex:a"),
              HasError(ErrorCode::parse_error,
                       AllOf(HasSubstr("'ex:a'"), HasSubstr("prefixes are not allowed in bindings"),
                             HasSubstr("angle brackets"))));
  EXPECT_THAT(parse_term("xsd:string"),
              HasError(ErrorCode::parse_error,
                       AllOf(HasSubstr("'xsd:string'"), HasSubstr("prefixes are not allowed"))));
}

TEST(ParseTerm, RejectsIriWithoutBrackets) {
  EXPECT_THAT(parse_term("http://example.org/x"),
              HasError(ErrorCode::parse_error,
                       AllOf(HasSubstr("'http://example.org/x'"),
                             HasSubstr("angle brackets, e.g. <http://example.org/x>"))));
}

TEST(ParseTerm, RejectsDatatypeWithoutAngleBrackets) {
  // TNO issues #207 and #428.
  EXPECT_THAT(parse_term("\"1.2\"^^http://www.w3.org/2001/XMLSchema#float"),
              HasError(ErrorCode::parse_error,
                       AllOf(HasSubstr("'\"1.2\"^^http://www.w3.org/2001/XMLSchema#float'"),
                             HasSubstr("datatype must be an IRI in angle brackets"))));
  EXPECT_THAT(
      parse_term("\"x\"^^xsd:string"),
      HasError(ErrorCode::parse_error, AllOf(HasSubstr("'xsd:string' is a prefixed name"),
                                             HasSubstr("prefixes are not allowed in bindings"))));
  EXPECT_THAT(parse_term("\"x\"^^"),
              HasError(ErrorCode::parse_error, HasSubstr("missing datatype IRI after '^^'")));
}

TEST(ParseTerm, RejectsUnterminatedLiteral) {
  EXPECT_THAT(parse_term("\"abc"),
              HasError(ErrorCode::parse_error,
                       AllOf(HasSubstr("'\"abc'"), HasSubstr("unterminated literal"),
                             HasSubstr("column 1"))));
  EXPECT_THAT(parse_term(R"("abc\")"),
              HasError(ErrorCode::parse_error, HasSubstr("unterminated literal")));
}

TEST(ParseTerm, RejectsUnterminatedIri) {
  EXPECT_THAT(parse_term("<http://example.org/x"),
              HasError(ErrorCode::parse_error, AllOf(HasSubstr("'<http://example.org/x'"),
                                                     HasSubstr("unterminated IRI (missing '>')"))));
  EXPECT_THAT(parse_term("\"1\"^^<http://www.w3.org/2001/XMLSchema#int"),
              HasError(ErrorCode::parse_error, HasSubstr("unterminated IRI")));
}

TEST(ParseTerm, RejectsEmptyText) {
  EXPECT_THAT(parse_term(""), HasError(ErrorCode::parse_error, HasSubstr("empty text")));
  EXPECT_THAT(parse_term("  \t"), HasError(ErrorCode::parse_error, HasSubstr("empty text")));
  EXPECT_THAT(parse_term("<>"), HasError(ErrorCode::parse_error, HasSubstr("empty IRI")));
}

TEST(ParseTerm, RejectsTrailingGarbage) {
  // TNO issue #310: semicolon-separated IRIs were accepted.
  EXPECT_THAT(parse_term("<a>;<b>"),
              HasError(ErrorCode::parse_error,
                       AllOf(HasSubstr("'<a>;<b>'"), HasSubstr("unexpected text ';<b>'"),
                             HasSubstr("column 4"))));
  EXPECT_THAT(parse_term("\"a\" \"b\""),
              HasError(ErrorCode::parse_error, HasSubstr("unexpected text")));
  EXPECT_THAT(parse_term("\"a\"@en x"),
              HasError(ErrorCode::parse_error, HasSubstr("unexpected text ' x'")));
  EXPECT_THAT(parse_term("'it''s'"), HasError(ErrorCode::parse_error, HasSubstr("unexpected")));
  EXPECT_THAT(parse_term("_:b c"), HasError(ErrorCode::parse_error, HasSubstr("unexpected")));
}

TEST(ParseTerm, RejectsForbiddenIriCharacters) {
  EXPECT_THAT(parse_term("<http://a/b c>"),
              HasError(ErrorCode::parse_error,
                       AllOf(HasSubstr("'<http://a/b c>'"), HasSubstr("(space) is not allowed"),
                             HasSubstr("column 12"))));
  for (std::string bad : {"<", "\"", "{", "}", "|", "^", "`"}) {
    std::string text = "<http://a/" + bad + ">";
    EXPECT_THAT(parse_term(text), HasError(ErrorCode::parse_error,
                                           HasSubstr("'" + bad + "' is not allowed in an IRI")))
        << text;
  }
  EXPECT_THAT(parse_term("<http://a/\\n>"),
              HasError(ErrorCode::parse_error, HasSubstr("only \\u and \\U escapes")));
  EXPECT_THAT(parse_term("<http://a/\\u0020>"),
              HasError(ErrorCode::parse_error, HasSubstr("escaped character")));
}

TEST(ParseTerm, RejectsBadEscapes) {
  EXPECT_THAT(parse_term(R"("a\qb")"),
              HasError(ErrorCode::parse_error, HasSubstr("invalid escape sequence '\\q'")));
  EXPECT_THAT(parse_term(R"("\u12zz")"),
              HasError(ErrorCode::parse_error, HasSubstr("invalid hex digit")));
  EXPECT_THAT(parse_term(R"("\u12")"),
              HasError(ErrorCode::parse_error, HasSubstr("truncated \\u escape")));
  EXPECT_THAT(parse_term(R"("\uD800")"),
              HasError(ErrorCode::parse_error, HasSubstr("not a Unicode scalar value")));
}

TEST(ParseTerm, RejectsBadNumbers) {
  for (std::string_view bad : {"10.", "1.2.3", "-", "+.", "1e", "1e+", "12abc", "."}) {
    EXPECT_THAT(parse_term(bad),
                HasError(ErrorCode::parse_error, AllOf(HasSubstr("'" + std::string(bad) + "'"),
                                                       HasSubstr("not a valid number"))))
        << bad;
  }
}

TEST(ParseTerm, RejectsBadLanguageTag) {
  EXPECT_THAT(parse_term("\"a\"@"),
              HasError(ErrorCode::parse_error, HasSubstr("invalid language tag")));
  EXPECT_THAT(parse_term("\"a\"@1en"),
              HasError(ErrorCode::parse_error, HasSubstr("invalid language tag")));
  EXPECT_THAT(parse_term("\"a\"@en-"),
              HasError(ErrorCode::parse_error, HasSubstr("invalid language tag")));
  EXPECT_THAT(parse_term("\"a\"@en-GB_x"),
              HasError(ErrorCode::parse_error, HasSubstr("unexpected text '_x'")));
}

TEST(ParseTerm, RejectsEmptyBlankLabel) {
  EXPECT_THAT(parse_term("_:"), HasError(ErrorCode::parse_error, HasSubstr("missing blank node")));
}

TEST(ParseTerm, RejectsUnknownWords) {
  EXPECT_THAT(
      parse_term("RED"),
      HasError(ErrorCode::parse_error, AllOf(HasSubstr("'RED'"), HasSubstr("is not an RDF term"))));
  EXPECT_THAT(parse_term("True"), HasError(ErrorCode::parse_error, HasSubstr("not an RDF term")));
}

TEST(ParseTerm, ShortensVeryLongValuesInMessages) {
  std::string text = "<" + std::string(1000, 'a');
  auto r = parse_term(text);
  ASSERT_FALSE(r.has_value());
  EXPECT_LT(r.error().message().size(), 300u);
  EXPECT_THAT(r, HasError(ErrorCode::parse_error, HasSubstr("...")));
}

// --- is_well_typed -----------------------------------------------------------------------------

TEST(Term, WellTypedChecksXsdLexicalSpaces) {
  EXPECT_TRUE(lit("10", vocab::xsd_integer).is_well_typed());
  EXPECT_TRUE(lit("-0010", vocab::xsd_integer).is_well_typed());
  EXPECT_FALSE(lit("1.0", vocab::xsd_integer).is_well_typed());
  EXPECT_FALSE(lit(" 1", vocab::xsd_integer).is_well_typed());
  EXPECT_TRUE(lit("1.", vocab::xsd_decimal).is_well_typed());
  EXPECT_TRUE(lit("-.5", vocab::xsd_decimal).is_well_typed());
  EXPECT_FALSE(lit("1e3", vocab::xsd_decimal).is_well_typed());
  EXPECT_TRUE(lit("1e3", vocab::xsd_double).is_well_typed());
  EXPECT_TRUE(lit("-INF", vocab::xsd_double).is_well_typed());
  EXPECT_TRUE(lit("NaN", vocab::xsd_float).is_well_typed());
  EXPECT_FALSE(lit("nan", vocab::xsd_float).is_well_typed());
  EXPECT_FALSE(lit("1e", vocab::xsd_double).is_well_typed());
  EXPECT_TRUE(lit("1", vocab::xsd_boolean).is_well_typed());
  EXPECT_FALSE(lit("TRUE", vocab::xsd_boolean).is_well_typed());
  EXPECT_TRUE(lit("anything", vocab::xsd_string).is_well_typed());
  EXPECT_TRUE(lit("anything", "http://example.org/unknownType").is_well_typed());
  EXPECT_TRUE(Term::iri("http://a").is_well_typed());
  EXPECT_TRUE(Term::blank("b").is_well_typed());
}

TEST(Term, WellTypedChecksIntegerRanges) {
  EXPECT_TRUE(lit("2147483647", xsd_int).is_well_typed());
  EXPECT_FALSE(lit("2147483648", xsd_int).is_well_typed());
  EXPECT_TRUE(lit("-2147483648", xsd_int).is_well_typed());
  EXPECT_FALSE(lit("-2147483649", xsd_int).is_well_typed());
  EXPECT_TRUE(lit("-9223372036854775808", xsd_long).is_well_typed());
  EXPECT_FALSE(lit("9223372036854775808", xsd_long).is_well_typed());
  EXPECT_TRUE(lit("-128", xsd_byte).is_well_typed());
  EXPECT_FALSE(lit("128", xsd_byte).is_well_typed());
  EXPECT_TRUE(lit("255", xsd_unsigned_byte).is_well_typed());
  EXPECT_FALSE(lit("-1", xsd_unsigned_byte).is_well_typed());
  EXPECT_TRUE(lit("-0", xsd_non_negative).is_well_typed());
  EXPECT_FALSE(lit("0", xsd_positive).is_well_typed());
  EXPECT_TRUE(lit("-1", xsd_negative).is_well_typed());
  EXPECT_FALSE(lit("0", xsd_negative).is_well_typed());
}

TEST(Term, WellTypedChecksDates) {
  EXPECT_TRUE(lit("2024-02-29T12:00:00Z", vocab::xsd_date_time).is_well_typed());
  EXPECT_FALSE(lit("2023-02-29T12:00:00Z", vocab::xsd_date_time).is_well_typed());
  EXPECT_TRUE(lit("2024-01-01T24:00:00", vocab::xsd_date_time).is_well_typed());
  EXPECT_FALSE(lit("2024-01-01T24:00:01", vocab::xsd_date_time).is_well_typed());
  EXPECT_TRUE(lit("2024-01-01T10:00:00.123+05:30", vocab::xsd_date_time).is_well_typed());
  EXPECT_FALSE(lit("2024-01-01T10:00:00+15:00", vocab::xsd_date_time).is_well_typed());
  EXPECT_FALSE(lit("2024-01-01 10:00:00", vocab::xsd_date_time).is_well_typed());
  EXPECT_FALSE(lit("2024-13-01T10:00:00", vocab::xsd_date_time).is_well_typed());
  EXPECT_FALSE(lit("2024-01-01T10:00:00", xsd_date_time_stamp).is_well_typed());
  EXPECT_TRUE(lit("2024-01-01T10:00:00Z", xsd_date_time_stamp).is_well_typed());
  EXPECT_TRUE(lit("2024-01-01", xsd_date).is_well_typed());
  EXPECT_FALSE(lit("2024-1-01", xsd_date).is_well_typed());
}

// --- same_value_as -----------------------------------------------------------------------------

TEST(Term, SameValueComparesNumbersAcrossTypes) {
  EXPECT_TRUE(lit("1", xsd_int).same_value_as(lit("1.0", vocab::xsd_decimal)));
  EXPECT_TRUE(lit("01", vocab::xsd_integer).same_value_as(lit("1", xsd_long)));
  EXPECT_TRUE(lit("-0", vocab::xsd_integer).same_value_as(lit("0", xsd_unsigned_byte)));
  EXPECT_TRUE(lit("20.10", vocab::xsd_decimal).same_value_as(lit("20.1", vocab::xsd_decimal)));
  EXPECT_FALSE(lit("20.1", vocab::xsd_decimal).same_value_as(lit("20.11", vocab::xsd_decimal)));
  // Exact beyond double precision.
  EXPECT_FALSE(lit("9007199254740993", vocab::xsd_integer)
                   .same_value_as(lit("9007199254740992", vocab::xsd_integer)));
  EXPECT_TRUE(lit("1e3", vocab::xsd_double).same_value_as(lit("1000", vocab::xsd_integer)));
  EXPECT_TRUE(lit("1.5", vocab::xsd_float).same_value_as(lit("1.5E0", vocab::xsd_double)));
  EXPECT_FALSE(lit("0.1", vocab::xsd_float).same_value_as(lit("0.1", vocab::xsd_double)));
  EXPECT_TRUE(lit("INF", vocab::xsd_double).same_value_as(lit("1e400", vocab::xsd_double)));
  EXPECT_FALSE(lit("NaN", vocab::xsd_double).same_value_as(lit("NaN", vocab::xsd_float)));
}

TEST(Term, SameValueComparesBooleans) {
  EXPECT_TRUE(lit("1", vocab::xsd_boolean).same_value_as(lit("true", vocab::xsd_boolean)));
  EXPECT_TRUE(lit("0", vocab::xsd_boolean).same_value_as(lit("false", vocab::xsd_boolean)));
  EXPECT_FALSE(lit("1", vocab::xsd_boolean).same_value_as(lit("false", vocab::xsd_boolean)));
  EXPECT_FALSE(lit("1", vocab::xsd_boolean).same_value_as(lit("1", vocab::xsd_integer)));
}

TEST(Term, SameValueComparesDateTimesAsInstants) {
  EXPECT_TRUE(lit("2024-05-01T12:00:00Z", vocab::xsd_date_time)
                  .same_value_as(lit("2024-05-01T14:00:00.000+02:00", vocab::xsd_date_time)));
  EXPECT_TRUE(lit("2024-05-01T00:30:00+01:00", vocab::xsd_date_time)
                  .same_value_as(lit("2024-04-30T23:30:00Z", xsd_date_time_stamp)));
  EXPECT_TRUE(lit("2024-12-31T24:00:00Z", vocab::xsd_date_time)
                  .same_value_as(lit("2025-01-01T00:00:00Z", vocab::xsd_date_time)));
  EXPECT_FALSE(lit("2024-05-01T12:00:00Z", vocab::xsd_date_time)
                   .same_value_as(lit("2024-05-01T12:00:00.5Z", vocab::xsd_date_time)));
  // With and without a time zone are incomparable in XSD.
  EXPECT_FALSE(lit("2024-05-01T12:00:00Z", vocab::xsd_date_time)
                   .same_value_as(lit("2024-05-01T12:00:00", vocab::xsd_date_time)));
  EXPECT_TRUE(lit("2024-05-01T12:00:00", vocab::xsd_date_time)
                  .same_value_as(lit("2024-05-01T12:00:00.0", vocab::xsd_date_time)));
}

TEST(Term, SameValueFallsBackToTermEquality) {
  EXPECT_TRUE(Term::iri("http://a").same_value_as(Term::iri("http://a")));
  EXPECT_FALSE(Term::iri("http://a").same_value_as(Term::iri("http://b")));
  EXPECT_TRUE(Term::literal("x").same_value_as(lit("x", vocab::xsd_string)));
  EXPECT_FALSE(Term::literal("1").same_value_as(lit("1", vocab::xsd_integer)));
  EXPECT_FALSE(Term::literal("a", "", "en").same_value_as(Term::literal("a")));
  // Ill-typed literals are only equal to themselves.
  EXPECT_TRUE(lit("eek", vocab::xsd_decimal).same_value_as(lit("eek", vocab::xsd_decimal)));
  EXPECT_FALSE(lit("eek", vocab::xsd_decimal).same_value_as(lit("eek", vocab::xsd_integer)));
  EXPECT_FALSE(lit("x", "http://e/t").same_value_as(lit("x", "http://e/u")));
}

}  // namespace
}  // namespace gridke::rdf
