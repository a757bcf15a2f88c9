#include "gridke/pattern/graph_pattern.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "gridke/rdf/vocabulary.hpp"
#include "gridke_matchers.hpp"

namespace gridke::pattern {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

const PrefixMap ex = {{"ex", "http://example.org/"},
                      {"xsd", "http://www.w3.org/2001/XMLSchema#"},
                      {"rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"}};

constexpr const char* rdf_type = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>";

GraphPattern must_parse(std::string_view text, const PrefixMap& prefixes = ex) {
  auto r = GraphPattern::parse(text, prefixes);
  EXPECT_THAT(r, IsOk()) << text;
  return r ? *r : GraphPattern();
}

// The object of the only triple of `text`.
Node object_of(std::string_view text) {
  GraphPattern p = must_parse(text);
  EXPECT_EQ(p.size(), 1u) << text;
  return p.size() == 1 ? p.triples()[0].object : Node(Variable{"missing"});
}

// ---- canonical form (NOTES §1.3, §1.5, §2.6) -------------------------------------------------

TEST(GraphPattern, CanonicalMatchesTnoRegistrationExample) {
  // NOTES §1.5: "?a ex:relatedTo ?b ." registered with ex → GET /sc/ki shows this string.
  EXPECT_EQ(must_parse("?a ex:relatedTo ?b .").canonical(),
            "?a <http://example.org/relatedTo> ?b . ");
}

TEST(GraphPattern, CanonicalMatchesTnoSerializationExample) {
  // NOTES §1.3 (GraphPatternSerialization.serialize), with and without the final dot.
  const std::string expected = "?a <http://example.org/isRelatedTo> ?b . ";
  EXPECT_EQ(must_parse("?a <http://example.org/isRelatedTo> ?b").canonical(), expected);
  EXPECT_EQ(must_parse("?a ex:isRelatedTo ?b .").canonical(), expected);
  EXPECT_EQ(must_parse("  ?a\n\tex:isRelatedTo   ?b\n.\n").canonical(), expected);
}

TEST(GraphPattern, CanonicalJoinsTriplesWithSpaceDotSpace) {
  EXPECT_EQ(must_parse("?a ex:isRelatedTo ?b . ?a ex:isFatherOf ?c .").canonical(),
            "?a <http://example.org/isRelatedTo> ?b . ?a <http://example.org/isFatherOf> ?c . ");
}

TEST(GraphPattern, CanonicalExpandsA) {
  EXPECT_EQ(must_parse("?kb a ex:KnowledgeBase").canonical(),
            std::string("?kb ") + rdf_type + " <http://example.org/KnowledgeBase> . ");
}

TEST(GraphPattern, TriplePatternToStringIsKnowledgeGapForm) {
  // NOTES §1.3/§2.6: a gap triple has no trailing dot.
  GraphPattern p = must_parse("?a ex:isRelatedTo ?b . ?a ex:isFatherOf ?c");
  EXPECT_EQ(p.triples()[1].to_string(), "?a <http://example.org/isFatherOf> ?c");
}

TEST(GraphPattern, CanonicalPrintsSparqlNumbersAndBooleansBare) {
  // Jena FmtUtils (plain literals): numbers and booleans in SPARQL syntax print bare.
  EXPECT_EQ(must_parse("?s ex:p 42 , -7 , 1.5 , 1e3 , true").canonical(),
            "?s <http://example.org/p> 42 . ?s <http://example.org/p> -7 . "
            "?s <http://example.org/p> 1.5 . ?s <http://example.org/p> 1e3 . "
            "?s <http://example.org/p> true . ");
  EXPECT_EQ(must_parse("?s ex:p \"10\"^^xsd:integer").canonical(),
            "?s <http://example.org/p> 10 . ");
}

TEST(GraphPattern, CanonicalPrintsOtherLiteralsInNTriplesForm) {
  EXPECT_EQ(must_parse("?s ex:p \"x\"^^xsd:string").canonical(),
            "?s <http://example.org/p> \"x\" . ");
  EXPECT_EQ(must_parse("?s ex:p 'chat'@fr").canonical(),
            "?s <http://example.org/p> \"chat\"@fr . ");
  EXPECT_EQ(must_parse("?s ex:p \"abc\"^^xsd:integer").canonical(),
            "?s <http://example.org/p> \"abc\"^^<http://www.w3.org/2001/XMLSchema#integer> . ");
  EXPECT_EQ(must_parse("?s ex:p \"2024-01-01T00:00:00Z\"^^xsd:dateTime").canonical(),
            "?s <http://example.org/p> "
            "\"2024-01-01T00:00:00Z\"^^<http://www.w3.org/2001/XMLSchema#dateTime> . ");
  EXPECT_EQ(must_parse("?s ex:p \"a\\\"b\\nc\"").canonical(),
            "?s <http://example.org/p> \"a\\\"b\\nc\" . ");
}

TEST(GraphPattern, CanonicalParsesBackToTheSamePattern) {
  GraphPattern p = must_parse(
      "?s a ex:C ; ex:p 'x'@en , 42 , 1.5 , 2E-3 , false , \"\"\"two\nlines\"\"\" ; "
      "ex:q _:b . _:b ex:r \"7\"^^ex:t");
  GraphPattern again = must_parse(p.canonical(), {});
  EXPECT_EQ(again, p);
  EXPECT_EQ(again.canonical(), p.canonical());
}

TEST(Node, ToStringUsesBindingForm) {
  EXPECT_EQ(object_of("?s ex:p 42").to_string(),
            "\"42\"^^<http://www.w3.org/2001/XMLSchema#integer>");
  EXPECT_EQ(object_of("?s ex:p 42").to_pattern_string(), "42");
  EXPECT_EQ(object_of("?s ex:p ?o").to_string(), "?o");
  EXPECT_EQ(object_of("?s ex:p ex:o").to_string(), "<http://example.org/o>");
  EXPECT_EQ(object_of("?s ex:p _:n").to_string(), "_:n");
}

// ---- shorthand, variables, blank nodes ---------------------------------------------------------

TEST(GraphPattern, ExpandsSemicolonAndCommaShorthand) {
  GraphPattern shorthand = must_parse("?s ex:p ?o1 , ?o2 ; ex:q ?o3 ; a ex:C .");
  GraphPattern longhand =
      must_parse("?s ex:p ?o1 . ?s ex:p ?o2 . ?s ex:q ?o3 . ?s rdf:type ex:C .");
  EXPECT_EQ(shorthand.size(), 4u);
  EXPECT_EQ(shorthand, longhand);
  EXPECT_EQ(shorthand.canonical(), longhand.canonical());
}

TEST(GraphPattern, AcceptsTrailingAndRepeatedSemicolons) {
  EXPECT_EQ(must_parse("?s ex:p ?o ; . ?s ex:q ?z").size(), 2u);
  EXPECT_EQ(must_parse("?s ex:p ?o ;; ex:q ?z ;").size(), 2u);
}

TEST(GraphPattern, KeepsTripleOrderAndDuplicates) {
  GraphPattern p = must_parse("?b ex:p ?c . ?a ex:p ?b . ?b ex:p ?c");
  ASSERT_EQ(p.size(), 3u);
  EXPECT_EQ(p.triples()[0], p.triples()[2]);
  EXPECT_EQ(p.triples()[1].subject.variable(), "a");
}

TEST(GraphPattern, DollarAndQuestionMarkNameTheSameVariable) {
  GraphPattern p = must_parse("?x ex:p $x . $y ex:q ?y");
  EXPECT_EQ(p.triples()[0].subject, p.triples()[0].object);
  EXPECT_THAT(p.variables(), ElementsAre("x", "y"));
  EXPECT_EQ(p.canonical(), "?x <http://example.org/p> ?x . ?y <http://example.org/q> ?y . ");
  EXPECT_EQ(must_parse("$a ex:p $b"), must_parse("?a ex:p ?b"));
}

TEST(GraphPattern, VariablesAreSortedAndUnique) {
  GraphPattern p = must_parse("?zeta ?p ?alpha . ?alpha ex:q ?zeta . ?m ex:r ex:c");
  EXPECT_THAT(p.variables(), ElementsAre("alpha", "m", "p", "zeta"));
  EXPECT_TRUE(p.has_variable("p"));
  EXPECT_FALSE(p.has_variable("q"));
  EXPECT_FALSE(p.has_variable("?p"));
}

TEST(GraphPattern, BlankNodesAreNonDistinguishedVariables) {
  GraphPattern p = must_parse("_:m ex:hasValue ?v . _:m ex:unit ex:celsius");
  const Node& s = p.triples()[0].subject;
  ASSERT_TRUE(s.is_variable());
  EXPECT_TRUE(s.is_blank_variable());
  EXPECT_EQ(s.variable(), "_:m");
  EXPECT_EQ(s, p.triples()[1].subject);
  EXPECT_THAT(p.variables(), ElementsAre("v"));
  EXPECT_FALSE(p.has_variable("_:m"));
  EXPECT_FALSE(p.has_variable("m"));
  EXPECT_EQ(p.canonical(),
            "_:m <http://example.org/hasValue> ?v . _:m <http://example.org/unit> "
            "<http://example.org/celsius> . ");
  // _:m and ?m are different nodes.
  EXPECT_NE(must_parse("_:m ex:p ?o"), must_parse("?m ex:p ?o"));
}

TEST(GraphPattern, ConstructedFromTriplesComputesVariables) {
  GraphPattern p(
      {TriplePattern{Node(Variable{"b"}), Node(rdf::Term::iri("http://e/p")), Node(Variable{"a"})},
       TriplePattern{Node(Variable{"_:x"}), Node(rdf::Term::iri("http://e/p")),
                     Node(Variable{"b"})}});
  EXPECT_THAT(p.variables(), ElementsAre("a", "b"));
  EXPECT_EQ(p, must_parse("?b <http://e/p> ?a . _:x <http://e/p> ?b"));
}

// ---- terms -------------------------------------------------------------------------------------

TEST(GraphPattern, ParsesEveryStringForm) {
  EXPECT_EQ(object_of("?s ex:p \"double\"").term(), rdf::Term::literal("double"));
  EXPECT_EQ(object_of("?s ex:p 'single'").term(), rdf::Term::literal("single"));
  EXPECT_EQ(object_of("?s ex:p \"\"\"long \"quoted\"\nline\"\"\"").term(),
            rdf::Term::literal("long \"quoted\"\nline"));
  EXPECT_EQ(object_of("?s ex:p '''it's\nlong'''").term(), rdf::Term::literal("it's\nlong"));
  EXPECT_EQ(object_of("?s ex:p \"\"\"ends with quotes\"\"\"\"\"").term(),
            rdf::Term::literal("ends with quotes\"\""));
  EXPECT_EQ(object_of("?s ex:p \"\"").term(), rdf::Term::literal(""));
}

TEST(GraphPattern, DecodesStringEscapes) {
  EXPECT_EQ(object_of(R"(?s ex:p "t\tb\bn\nr\rf\fq\"a\'s\\")").term(),
            rdf::Term::literal("t\tb\bn\nr\rf\fq\"a's\\"));
  EXPECT_EQ(object_of(R"(?s ex:p "\u00e9\U0001F600")").term(),
            rdf::Term::literal("\xC3\xA9\xF0\x9F\x98\x80"));
}

TEST(GraphPattern, ParsesLanguageAndDatatypeLiterals) {
  EXPECT_EQ(object_of("?s ex:p \"colour\"@en-GB").term(),
            rdf::Term::literal("colour", {}, "en-GB"));
  EXPECT_EQ(object_of("?s ex:p \"21.5\"^^<http://www.w3.org/2001/XMLSchema#float>").term(),
            rdf::Term::literal("21.5", "http://www.w3.org/2001/XMLSchema#float"));
  EXPECT_EQ(object_of("?s ex:p \"21.5\"^^xsd:float").term(),
            rdf::Term::literal("21.5", "http://www.w3.org/2001/XMLSchema#float"));
  EXPECT_EQ(object_of("?s ex:p 'x'^^xsd:string").term(), rdf::Term::literal("x"));
}

TEST(GraphPattern, ParsesNumbersWithSparqlDatatypes) {
  const std::string integer(rdf::vocab::xsd_integer);
  const std::string decimal(rdf::vocab::xsd_decimal);
  const std::string dbl(rdf::vocab::xsd_double);
  EXPECT_EQ(object_of("?s ex:p 42").term(), rdf::Term::literal("42", integer));
  EXPECT_EQ(object_of("?s ex:p -7").term(), rdf::Term::literal("-7", integer));
  EXPECT_EQ(object_of("?s ex:p +3").term(), rdf::Term::literal("+3", integer));
  EXPECT_EQ(object_of("?s ex:p 1.5").term(), rdf::Term::literal("1.5", decimal));
  EXPECT_EQ(object_of("?s ex:p .5").term(), rdf::Term::literal(".5", decimal));
  EXPECT_EQ(object_of("?s ex:p -0.25").term(), rdf::Term::literal("-0.25", decimal));
  EXPECT_EQ(object_of("?s ex:p 1e3").term(), rdf::Term::literal("1e3", dbl));
  EXPECT_EQ(object_of("?s ex:p 1.5E-2").term(), rdf::Term::literal("1.5E-2", dbl));
  EXPECT_EQ(object_of("?s ex:p 1.e5").term(), rdf::Term::literal("1.e5", dbl));
  // A dot after a number ends the triple.
  EXPECT_EQ(object_of("?s ex:p 7.").term(), rdf::Term::literal("7", integer));
  EXPECT_EQ(object_of("?s ex:p 7.5.").term(), rdf::Term::literal("7.5", decimal));
}

TEST(GraphPattern, ParsesBooleans) {
  const std::string boolean(rdf::vocab::xsd_boolean);
  EXPECT_EQ(object_of("?s ex:p true").term(), rdf::Term::literal("true", boolean));
  EXPECT_EQ(object_of("?s ex:p false .").term(), rdf::Term::literal("false", boolean));
  EXPECT_EQ(object_of("?s ex:p TRUE").term(), rdf::Term::literal("true", boolean));
}

TEST(GraphPattern, ParsesPrefixedNameLocalParts) {
  auto iri = [](std::string_view text) { return object_of(text).term().value(); };
  EXPECT_EQ(iri("?s ex:p ex:a.b"), "http://example.org/a.b");
  EXPECT_EQ(iri("?s ex:p ex:a."), "http://example.org/a");
  EXPECT_EQ(iri("?s ex:p ex:123"), "http://example.org/123");
  EXPECT_EQ(iri("?s ex:p ex:a\\-b\\~c\\/d"), "http://example.org/a-b~c/d");
  EXPECT_EQ(iri("?s ex:p ex:a%20b"), "http://example.org/a%20b");
  EXPECT_EQ(iri("?s ex:p ex:a:b"), "http://example.org/a:b");
  EXPECT_EQ(iri("?s ex:p ex:_x-y"), "http://example.org/_x-y");
  EXPECT_EQ(iri("?s ex:p ex:"), "http://example.org/");
  EXPECT_EQ(iri("?s ex:p ex:caf\xC3\xA9"), "http://example.org/caf\xC3\xA9");
  EXPECT_EQ(must_parse("?s :p ?o", {{"", "http://default.org/"}}).triples()[0].predicate.term(),
            rdf::Term::iri("http://default.org/p"));
  EXPECT_EQ(must_parse("?s ic-data:p ?o", {{"ic-data", "http://d.org/#"}})
                .triples()[0]
                .predicate.term()
                .value(),
            "http://d.org/#p");
}

TEST(GraphPattern, ParsesIrisWithEscapes) {
  EXPECT_EQ(object_of("?s ex:p <http://example.org/caf\\u00E9>").term(),
            rdf::Term::iri("http://example.org/caf\xC3\xA9"));
  EXPECT_EQ(object_of("?s ex:p <urn:uuid:1234>").term(), rdf::Term::iri("urn:uuid:1234"));
}

TEST(GraphPattern, IgnoresComments) {
  GraphPattern p = must_parse(
      "# measurements\n?m ex:hasValue ?v . # the value\n# end\n?m <http://example.org/x#y> ?z");
  EXPECT_EQ(p.size(), 2u);
  EXPECT_EQ(p.triples()[1].predicate.term().value(), "http://example.org/x#y");
}

TEST(GraphPattern, AcceptsVariablePredicates) {
  GraphPattern p = must_parse("?s ?p ?o");
  EXPECT_TRUE(p.triples()[0].predicate.is_variable());
}

// ---- errors ------------------------------------------------------------------------------------

Result<GraphPattern> parse(std::string_view text) { return GraphPattern::parse(text, ex); }

TEST(GraphPattern, RejectsGroupKeywordsNamingThemAndPosition) {
  for (const char* keyword :
       {"FILTER", "OPTIONAL", "UNION", "GRAPH", "MINUS", "BIND", "VALUES", "SERVICE"}) {
    SCOPED_TRACE(keyword);
    const std::string text = std::string("?s ex:p ?o . ") + keyword + " { ?s ex:q ?z }";
    EXPECT_THAT(parse(text),
                HasError(ErrorCode::parse_error,
                         StartsWith(std::string("<pattern>:1:14: Line 1, column 14: ") + keyword +
                                    " is not allowed in a graph pattern: the Knowledge Engine "
                                    "accepts only a basic graph pattern")));
  }
}

TEST(GraphPattern, RejectsKeywordsInAnyCaseAndPlace) {
  EXPECT_THAT(parse("?s ex:p ?o FILTER(?o > 5)"),
              HasError(ErrorCode::parse_error,
                       HasSubstr("1:12: Line 1, column 12: FILTER is not allowed")));
  EXPECT_THAT(parse("optional { ?s ex:p ?o }"),
              HasError(ErrorCode::parse_error,
                       HasSubstr("1:1: Line 1, column 1: OPTIONAL is not allowed")));
  EXPECT_THAT(
      parse("?s ex:p ?o .\n  Filter (?o)"),
      HasError(ErrorCode::parse_error, HasSubstr("<pattern>:2:3: Line 2, column 3: FILTER")));
  EXPECT_THAT(
      parse("{ ?s ex:p ?o } UNION { ?s ex:q ?o }"),
      HasError(ErrorCode::parse_error, HasSubstr("1:1: Line 1, column 1: Groups and sub-queries")));
}

TEST(GraphPattern, RejectsSubQueries) {
  EXPECT_THAT(parse("{ SELECT * WHERE { ?s ?p ?o } }"),
              HasError(ErrorCode::parse_error,
                       HasSubstr("Groups and sub-queries ('{ ... }') are not allowed")));
  EXPECT_THAT(parse("SELECT ?s WHERE { ?s ?p ?o }"),
              HasError(ErrorCode::parse_error,
                       HasSubstr("1:1: Line 1, column 1: Sub-queries and query forms (SELECT)")));
  EXPECT_THAT(parse("?s ex:p ?o . }"),
              HasError(ErrorCode::parse_error,
                       HasSubstr("1:14: Line 1, column 14: Groups and sub-queries")));
}

TEST(GraphPattern, RejectsPrefixDeclarations) {
  EXPECT_THAT(parse("PREFIX ex: <http://example.org/> ?s ex:p ?o"),
              HasError(ErrorCode::parse_error,
                       HasSubstr("PREFIX/BASE declarations are not allowed in a graph pattern: "
                                 "give prefixes in the 'prefixes' property")));
  EXPECT_THAT(parse("@prefix ex: <http://example.org/> . ?s ex:p ?o"),
              HasError(ErrorCode::parse_error,
                       HasSubstr("Turtle @prefix/@base directives are not allowed")));
}

TEST(GraphPattern, RejectsPropertyPaths) {
  struct Case {
    const char* text;
    const char* message;
  };
  for (const Case& c : {
           Case{"?s ex:p/ex:q ?o",
                "1:8: Line 1, column 8: Property paths are not allowed in a graph pattern: found "
                "'/' after the predicate ex:p"},
           Case{"?s ex:p|ex:q ?o",
                "1:8: Line 1, column 8: Property paths are not allowed in a graph pattern: found "
                "'|' after the predicate ex:p"},
           Case{"?s ex:p* ?o", "found '*' after the predicate ex:p"},
           Case{"?s <http://example.org/p>+ ?o",
                "found '+' after the predicate <http://example.org/p>"},
           Case{"?s ex:p? ?o",
                "1:8: Line 1, column 8: Property paths are not allowed in a graph pattern: found "
                "'?' after the predicate ex:p"},
           Case{"?s a/ex:q ?o", "found '/' after the predicate a"},
           Case{"?s ^ex:p ?o",
                "1:4: Line 1, column 4: Property paths are not allowed in a graph pattern: found "
                "'^' where a predicate was expected"},
           Case{"?s !ex:p ?o", "found '!' where a predicate was expected"},
           Case{"?s (ex:p) ?o", "found '(' where a predicate was expected"},
       }) {
    SCOPED_TRACE(c.text);
    EXPECT_THAT(parse(c.text), HasError(ErrorCode::parse_error, HasSubstr(c.message)));
  }
}

TEST(GraphPattern, RejectsBlankNodePropertyListsAndCollections) {
  EXPECT_THAT(
      parse("?s ex:p [ ex:q ?o ]"),
      HasError(
          ErrorCode::parse_error,
          HasSubstr(
              "1:9: Line 1, column 9: Blank-node property lists ('[ ... ]') are not allowed")));
  EXPECT_THAT(parse("[] ex:p ?o"),
              HasError(ErrorCode::parse_error,
                       HasSubstr("1:1: Line 1, column 1: Blank-node property lists")));
  EXPECT_THAT(
      parse("?s ex:p (1 2)"),
      HasError(ErrorCode::parse_error,
               HasSubstr("1:9: Line 1, column 9: Collections ('( ... )') are not allowed")));
}

TEST(GraphPattern, RejectsLiteralsWhereTheyCannotBe) {
  EXPECT_THAT(
      parse("\"x\" ex:p ?o"),
      HasError(ErrorCode::parse_error,
               HasSubstr(
                   "1:1: Line 1, column 1: A literal cannot be the subject of a triple: '\"x\"'")));
  EXPECT_THAT(
      parse("?s ex:p ?o . 42 ex:p ?o"),
      HasError(
          ErrorCode::parse_error,
          HasSubstr("1:14: Line 1, column 14: A literal cannot be the subject of a triple: '42'")));
  EXPECT_THAT(parse("true ex:p ?o"),
              HasError(ErrorCode::parse_error, HasSubstr("A literal cannot be the subject")));
  EXPECT_THAT(
      parse("?s \"p\" ?o"),
      HasError(
          ErrorCode::parse_error,
          HasSubstr(
              "1:4: Line 1, column 4: A literal cannot be the predicate of a triple: '\"p\"'")));
  EXPECT_THAT(parse("?s 1.5 ?o"),
              HasError(ErrorCode::parse_error, HasSubstr("A literal cannot be the predicate")));
}

TEST(GraphPattern, RejectsBlankNodePredicatesAndMisplacedA) {
  EXPECT_THAT(
      parse("?s _:p ?o"),
      HasError(
          ErrorCode::parse_error,
          HasSubstr(
              "1:4: Line 1, column 4: A blank node cannot be the predicate of a triple: '_:p'")));
  EXPECT_THAT(
      parse("a ex:p ?o"),
      HasError(ErrorCode::parse_error,
               HasSubstr("1:1: Line 1, column 1: 'a' (rdf:type) can only be used as a predicate")));
  EXPECT_THAT(
      parse("?s ex:p a"),
      HasError(ErrorCode::parse_error,
               HasSubstr("1:9: Line 1, column 9: 'a' (rdf:type) can only be used as a predicate")));
}

TEST(GraphPattern, RejectsUnterminatedStrings) {
  EXPECT_THAT(parse("?s ex:p \"abc"),
              HasError(ErrorCode::parse_error,
                       HasSubstr("1:9: Line 1, column 9: Unterminated string literal \"abc")));
  EXPECT_THAT(parse("?s ex:p 'ab\ncd' ."),
              HasError(ErrorCode::parse_error,
                       HasSubstr("1:9: Line 1, column 9: Unterminated string literal 'ab (a "
                                 "single-line string must close on its line)")));
  EXPECT_THAT(parse("?s ex:p \"\"\"long\n\"\" ."),
              HasError(ErrorCode::parse_error,
                       HasSubstr("1:9: Line 1, column 9: Unterminated string literal \"\"\"long")));
  EXPECT_THAT(parse("?s ex:p \"bad \\q escape\""),
              HasError(ErrorCode::parse_error,
                       HasSubstr("1:14: Line 1, column 14: Invalid escape sequence '\\q'")));
  EXPECT_THAT(parse("?s ex:p \"\\u12\""),
              HasError(ErrorCode::parse_error,
                       HasSubstr("Invalid escape sequence '\\u12\"': \\u needs 4 hex digits")));
  EXPECT_THAT(
      parse("?s ex:p \"\\uD800\""),
      HasError(ErrorCode::parse_error, HasSubstr("'\\uD800' is not a Unicode scalar value")));
}

TEST(GraphPattern, RejectsBadIris) {
  EXPECT_THAT(
      parse("?s ex:p <http://example.org/o"),
      HasError(
          ErrorCode::parse_error,
          HasSubstr(
              "1:9: Line 1, column 9: Unterminated IRI '<http://example.org/o': missing '>'")));
  EXPECT_THAT(parse("?s ex:p <http://example.org/o\n> ."),
              HasError(ErrorCode::parse_error, HasSubstr("Unterminated IRI")));
  EXPECT_THAT(
      parse("?s <http://example.org/my p> ?o"),
      HasError(ErrorCode::parse_error, HasSubstr("1:26: Line 1, column 26: Invalid character a "
                                                 "space in IRI '<http://example.org/my p> ?o'")));
  EXPECT_THAT(
      parse("?s <p> ?o"),
      HasError(ErrorCode::parse_error, HasSubstr("1:4: Line 1, column 4: Relative IRI <p> is not "
                                                 "allowed: a graph pattern has no base IRI")));
  EXPECT_THAT(parse("?s ex:p <>"),
              HasError(ErrorCode::parse_error, HasSubstr("Relative IRI <> is not allowed")));
  EXPECT_THAT(
      parse("?s ex:p <http://e.org/\\n>"),
      HasError(ErrorCode::parse_error, HasSubstr("Invalid escape sequence '\\n' in an IRI")));
}

TEST(GraphPattern, RejectsEmptyPattern) {
  for (const char* text : {"", "   \n\t", "# only a comment\n"}) {
    SCOPED_TRACE(text);
    EXPECT_THAT(parse(text),
                HasError(ErrorCode::parse_error,
                         "<pattern>:1:1: Line 1, column 1: Empty graph pattern: a graph pattern "
                         "needs at least one triple"));
  }
}

TEST(GraphPattern, RejectsUndeclaredPrefixWithTheKeNote) {
  auto r = GraphPattern::parse("?s ex:p ?o", {});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), ErrorCode::parse_error);
  EXPECT_EQ(r.error().location(), "<pattern>:1:4");
  EXPECT_EQ(r.error().message(),
            "Line 1, column 4: Unresolved prefixed name: ex:p. Note: Have you included your "
            "prefixes in the 'prefixes' property?");
  EXPECT_THAT(GraphPattern::parse("?s ex:p ?o .\n?o saref:hasValue ?v", ex),
              HasError(ErrorCode::parse_error,
                       "<pattern>:2:4: Line 2, column 4: Unresolved prefixed name: "
                       "saref:hasValue. Note: Have you included your prefixes in the 'prefixes' "
                       "property?"));
  EXPECT_THAT(GraphPattern::parse("?s ex:p \"1\"^^xs:int", ex),
              HasError(ErrorCode::parse_error,
                       HasSubstr("1:14: Line 1, column 14: Unresolved prefixed name: xs:int.")));
}

TEST(GraphPattern, RejectsPrefixThatDoesNotMakeAnAbsoluteIri) {
  EXPECT_THAT(
      GraphPattern::parse("?s ex:p ?o", {{"ex", "relative/"}}),
      HasError(
          ErrorCode::parse_error,
          HasSubstr("Prefixed name ex:p expands to 'relative/p', which is not an absolute IRI")));
}

TEST(GraphPattern, RejectsMissingSeparatorsAndStrayTokens) {
  EXPECT_THAT(
      parse("?s ex:p ?o ?x ex:p ?y"),
      HasError(
          ErrorCode::parse_error,
          HasSubstr(
              "1:12: Line 1, column 12: Expected '.', ';' or ',' after the object, found '?x'")));
  EXPECT_THAT(
      parse("?s ex:p ?o . . ?x ex:p ?y"),
      HasError(ErrorCode::parse_error, HasSubstr("1:14: Line 1, column 14: Expected a subject (a "
                                                 "variable, IRI or prefixed name), found '.'")));
  EXPECT_THAT(
      parse(". ?s ex:p ?o"),
      HasError(ErrorCode::parse_error, HasSubstr("1:1: Line 1, column 1: Expected a subject")));
  EXPECT_THAT(parse("?s ex:p"),
              HasError(ErrorCode::parse_error,
                       HasSubstr("1:8: Line 1, column 8: Expected an object (a variable, IRI, "
                                 "prefixed name or literal), found the end of the pattern")));
  EXPECT_THAT(parse("?s ex:p ?o ,"),
              HasError(ErrorCode::parse_error, HasSubstr("Expected an object")));
  EXPECT_THAT(parse("?s ex:p foo"),
              HasError(ErrorCode::parse_error,
                       HasSubstr("1:9: Line 1, column 9: Unexpected word 'foo' where an object (a "
                                 "variable, IRI, prefixed name or literal) was expected")));
  EXPECT_THAT(parse("?s ex:p \"x\"^^ ?o"),
              HasError(ErrorCode::parse_error,
                       HasSubstr("1:15: Line 1, column 15: Expected a datatype IRI (<...> or a "
                                 "prefixed name) after '^^', found '?o'")));
  EXPECT_THAT(parse("?s ex:p \"x\"@en^^xsd:string"),
              HasError(ErrorCode::parse_error,
                       HasSubstr("Expected '.', ';' or ',' after the object, found '^^'")));
  EXPECT_THAT(parse("?s ex:p ?o = ?x"), HasError(ErrorCode::parse_error, HasSubstr("found '='")));
}

TEST(GraphPattern, RejectsBadNames) {
  EXPECT_THAT(
      parse("?s ex:p ex:a\\q"),
      HasError(ErrorCode::parse_error,
               HasSubstr("1:13: Line 1, column 13: Invalid escape '\\q' in prefixed name")));
  EXPECT_THAT(parse("?s ex:p ex:a%2"),
              HasError(ErrorCode::parse_error,
                       HasSubstr("Invalid percent-encoding '%2' in prefixed name")));
  EXPECT_THAT(parse("?s ex:p _: ."),
              HasError(ErrorCode::parse_error,
                       HasSubstr("1:9: Line 1, column 9: Blank node label expected after '_:'")));
  EXPECT_THAT(parse("?s ex.:p ?o"),
              HasError(ErrorCode::parse_error, HasSubstr("Invalid prefix name 'ex.'")));
}

TEST(GraphPattern, CountsColumnsInCharactersNotBytes) {
  EXPECT_THAT(
      parse("?\xC3\xA9 ex:p ?o . FILTER"),
      HasError(ErrorCode::parse_error, HasSubstr("<pattern>:1:14: Line 1, column 14: FILTER")));
}

// ---- pilot patterns (tests/data/pattern, SOURCES.md) -------------------------------------------

std::string read_data(const std::string& name) {
  std::ifstream in(std::string(GRIDKE_TEST_DATA_DIR) + "/pattern/" + name, std::ios::binary);
  EXPECT_TRUE(in.good()) << name;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const PrefixMap pilot_prefixes = {
    {"saref", "https://saref.etsi.org/core/"},
    {"s4ener", "https://saref.etsi.org/saref4ener/"},
    {"ic-data", "http://ontology.tno.nl/interconnect/datapoint#"},
    {"om", "http://www.ontology-of-units-of-measure.org/resource/om-2/"},
    {"time", "http://www.w3.org/2006/time#"},
    {"rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"},
    {"xsd", "http://www.w3.org/2001/XMLSchema#"},
    {"dc", "http://purl.org/dc/elements/1.1/"},
    {"gn", "http://www.geonames.org/ontology#"},
    {"iso3166", "http://example.org/iso3166#"},
};

void expect_pilot(const std::string& file, std::size_t triples, std::size_t variables) {
  SCOPED_TRACE(file);
  GraphPattern p = must_parse(read_data(file), pilot_prefixes);
  EXPECT_EQ(p.size(), triples);
  EXPECT_EQ(p.variables().size(), variables);
  GraphPattern again = must_parse(p.canonical(), {});
  EXPECT_EQ(again, p);
  EXPECT_EQ(again.canonical(), p.canonical());
}

TEST(GraphPatternPilot, MeterParses) {
  expect_pilot("meter.gp", 9, 7);
  GraphPattern p = must_parse(read_data("meter.gp"), pilot_prefixes);
  EXPECT_EQ(p.triples()[6].to_string(),
            "?value <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
            "<http://www.w3.org/2001/XMLSchema#float>");
}

TEST(GraphPatternPilot, StimulusParses) { expect_pilot("stimulus.gp", 10, 7); }

TEST(GraphPatternPilot, RecommenderParses) { expect_pilot("recommender.gp", 20, 14); }

TEST(GraphPatternPilot, TnoPilotParsesWithoutPrefixes) {
  GraphPattern p = must_parse(read_data("pilot.gp"), {});
  EXPECT_EQ(p.size(), 8u);
  EXPECT_THAT(p.variables(), ElementsAre("building", "buildingSpace", "classification",
                                         "description", "device", "serviceProviderEMSOwner"));
}

TEST(GraphPatternPilot, KeMetaPatternParses) {
  // NOTES §2.5: the 15-triple pattern every KE smart connector registers for its metadata.
  GraphPattern p = must_parse(
      "?kb rdf:type kb:KnowledgeBase . ?kb kb:hasName ?name . ?kb kb:hasDescription ?description "
      ".\r\n?kb kb:hasKnowledgeInteraction ?ki . ?ki rdf:type ?kiType . ?ki kb:isMeta ?isMeta .\r\n"
      "?ki kb:hasCommunicativeAct ?act . ?act rdf:type kb:CommunicativeAct . ?act "
      "kb:hasRequirement "
      "?req .\r\n?act kb:hasSatisfaction ?sat . ?req rdf:type ?reqType . ?sat rdf:type ?satType "
      ".\r\n?ki kb:hasGraphPattern ?gp . ?gp rdf:type ?patternType . ?gp kb:hasPattern ?pattern .",
      {{"rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"},
       {"kb", "https://w3id.org/knowledge-engine/"}});
  EXPECT_EQ(p.size(), 15u);
  EXPECT_EQ(p.variables().size(), 14u);
  EXPECT_EQ(p.triples()[14].to_string(),
            "?gp <https://w3id.org/knowledge-engine/hasPattern> ?pattern");
}

TEST(GraphPattern, CountsLinesAcrossCrLf) {
  EXPECT_THAT(parse("?s ex:p ?o .\r\n?s ex:q ?z .\r\n  ?s ex:r [ ]"),
              HasError(ErrorCode::parse_error,
                       HasSubstr("<pattern>:3:11: Line 3, column 11: Blank-node property lists")));
}

TEST(GraphPatternPilot, OpenSsaPatternsNeedTheirPrefixes) {
  EXPECT_THAT(GraphPattern::parse(read_data("meter.gp"), {}),
              HasError(ErrorCode::parse_error,
                       "<pattern>:1:7: Line 1, column 7: Unresolved prefixed name: "
                       "saref:makesMeasurement. Note: Have you included your prefixes in the "
                       "'prefixes' property?"));
}

TEST(GraphPatternRobustness, EveryTruncationAndByteMutationParsesOrFailsCleanly) {
  // Every prefix of a pattern using most of the syntax, and the same text with each byte
  // replaced by characters that open other constructs: each result is a pattern or a
  // parse_error with a position (never a crash; run under ASan/UBSan in CI).
  const std::string text =
      R"(?s a ex:C ; ex:p 'x'@en , 42 , -1.5e3 , """l\"ong""" , <http://e.org/\u00E9> ; )"
      "ex:q _:b . # comment\n"
      R"(_:b ex:r "7"^^xsd:int , ex:a\.b%41 , true .)";
  ASSERT_THAT(parse(text), IsOk());
  auto check = [](const std::string& input) {
    auto r = parse(input);
    if (!r) {
      EXPECT_EQ(r.error().code(), ErrorCode::parse_error) << input;
      EXPECT_THAT(r.error().location(), StartsWith("<pattern>:")) << input;
      EXPECT_THAT(r.error().message(), StartsWith("Line ")) << input;
    }
  };
  for (std::size_t n = 0; n <= text.size(); ++n) check(text.substr(0, n));
  for (std::size_t i = 0; i < text.size(); ++i) {
    for (char c :
         {'"', '\'', '<', '>', '\\', '.', ';', '#', '\n', '?', '_', ':', '@', '^', '\xC3', '\0'}) {
      std::string mutated = text;
      mutated[i] = c;
      check(mutated);
    }
  }
}

}  // namespace
}  // namespace gridke::pattern
