// One good and one bad case per validator check (NOTES §10), on bare patterns.
#include "gridke/ontology/validator.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "gridke_matchers.hpp"

namespace gridke::ontology {
namespace {

using ::testing::HasSubstr;

class ValidatorTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    setenv("GRIDKE_ONTOLOGY_DIR", GRIDKE_SOURCE_DIR "/ontologies", 1);
    auto o = load_builtin_ontology();
    ASSERT_THAT(o, IsOk());
    onto_ = new Ontology(std::move(o).value());
  }
  static void TearDownTestSuite() {
    delete onto_;
    onto_ = nullptr;
  }

  static pattern::PrefixMap prefixes() {
    return {{"rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"},
            {"xsd", "http://www.w3.org/2001/XMLSchema#"},
            {"saref", "https://saref.etsi.org/core/"},
            {"s4ener", "https://saref.etsi.org/saref4ener/"},
            {"s4grid", "https://saref.etsi.org/saref4grid/"},
            {"om", "http://www.ontology-of-units-of-measure.org/resource/om-2/"},
            {"time", "http://www.w3.org/2006/time#"},
            {"sosa", "http://www.w3.org/ns/sosa/"},
            {"dso", "https://w3id.org/gridke/dso#"}};
  }
  static Report check(const std::string& text, pattern::PrefixMap p = prefixes()) {
    return validate_pattern_text(*onto_, text, p, "test.gp");
  }
  static std::vector<Finding> of(const Report& r, const std::string& check) {
    std::vector<Finding> out;
    std::copy_if(r.findings.begin(), r.findings.end(), std::back_inserter(out),
                 [&](const Finding& f) { return f.check == check; });
    return out;
  }
  static std::string dump(const Report& r) { return format_text(r, true); }

  static Ontology* onto_;
};
Ontology* ValidatorTest::onto_ = nullptr;

const std::string good_measurement = R"(
  ?meter a s4grid:Meter ;
         saref:makesMeasurement ?m .
  ?m a saref:Measurement ;
     saref:relatesToProperty s4grid:Voltage ;
     saref:isMeasuredIn om:volt ;
     saref:hasValue ?v ;
     saref:hasTimestamp ?t .
)";

TEST_F(ValidatorTest, AcceptsACorrectPattern) {
  auto r = check(good_measurement);
  EXPECT_EQ(r.count(Severity::error), 0) << dump(r);
  EXPECT_EQ(r.count(Severity::warning), 0) << dump(r);
}

TEST_F(ValidatorTest, RejectsNonBasicGraphPatterns) {
  auto r = check("?m saref:hasValue ?v . FILTER(?v > 1)");
  ASSERT_FALSE(of(r, "ke-syntax").empty()) << dump(r);
  EXPECT_EQ(of(r, "ke-syntax")[0].severity, Severity::error);
  EXPECT_THAT(of(r, "ke-syntax")[0].message, HasSubstr("FILTER"));
  EXPECT_TRUE(of(check("?m saref:hasValue ?v ."), "ke-syntax").empty());
}

TEST_F(ValidatorTest, ReportsUndeclaredPrefixWithTheKnownNamespace) {
  auto r = check("?o sosa:madeBySensor ?s .\n?o foaf:name ?n .",
                 {{"sosa", "http://www.w3.org/ns/sosa/"}});
  auto f = of(r, "undeclared-prefix");
  ASSERT_EQ(f.size(), 1u) << dump(r);
  EXPECT_EQ(f[0].line, 2);
  EXPECT_EQ(f[0].column, 4);
  EXPECT_THAT(f[0].fix, HasSubstr("@prefix foaf: <http://xmlns.com/foaf/0.1/>"));
}

TEST_F(ValidatorTest, ReportsNearMissNamespaces) {
  auto p = prefixes();
  p["saref"] = "http://saref.etsi.org/core/";
  auto http = of(check("?m saref:hasValue ?v .", p), "near-miss-namespace");
  ASSERT_EQ(http.size(), 1u);
  EXPECT_THAT(http[0].fix, HasSubstr("<https://saref.etsi.org/core/>"));

  p = prefixes();
  p["om"] = "http://www.ontology-of-units-of-measure.org/resource/om-2";
  auto slash = of(check("?m saref:isMeasuredIn om:volt .", p), "near-miss-namespace");
  ASSERT_EQ(slash.size(), 1u);
  EXPECT_THAT(slash[0].fix, HasSubstr("om-2/>"));

  auto data = of(check("?x <http://ontology.tno.nl/interconnect/data#hasDataPoint> ?d ."),
                 "near-miss-namespace");
  ASSERT_EQ(data.size(), 1u);
  EXPECT_THAT(data[0].message, HasSubstr("interconnect/datapoint#"));
  EXPECT_TRUE(of(check("?m saref:hasValue ?v ."), "near-miss-namespace").empty());
}

TEST_F(ValidatorTest, ReportsUnknownTermsWithDidYouMean) {
  auto r = check("?m a saref:Measurment .");
  auto f = of(r, "unknown-term");
  ASSERT_EQ(f.size(), 1u) << dump(r);
  EXPECT_EQ(f[0].severity, Severity::error);
  EXPECT_THAT(f[0].fix, HasSubstr("did you mean saref:Measurement?"));
  EXPECT_TRUE(of(check("?m a saref:Measurement ."), "unknown-term").empty());
}

TEST_F(ValidatorTest, ReportsDeprecatedTerms) {
  auto dep = of(check("?d saref:hasDescription ?text ."), "deprecated-term");
  ASSERT_EQ(dep.size(), 1u);
  EXPECT_EQ(dep[0].severity, Severity::warning);
  auto retired = of(check("?m a saref:Measurement ."), "deprecated-term");
  ASSERT_EQ(retired.size(), 1u);
  EXPECT_EQ(retired[0].severity, Severity::note);
  EXPECT_THAT(retired[0].message, HasSubstr("removed in SAREF v4.1.1"));
  EXPECT_TRUE(of(check("?d a saref:Device ."), "deprecated-term").empty());
}

TEST_F(ValidatorTest, ReportsClassUsedAsPredicate) {
  auto f = of(check("?d saref:Device ?x ."), "term-kind");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_THAT(f[0].message, HasSubstr("saref:Device is a class, not a property"));
  EXPECT_TRUE(of(check("?d saref:hasState ?x ."), "term-kind").empty());
}

TEST_F(ValidatorTest, ReportsIndividualUsedAsClass) {
  auto f = of(check("?m om:hasUnit ?unit .\n?unit a om:percent ."), "term-kind");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_THAT(f[0].message, HasSubstr("om:percent is a unit individual, not a class"));
  EXPECT_EQ(f[0].line, 2);
  EXPECT_TRUE(of(check("?unit a om:Unit ."), "term-kind").empty());
}

TEST_F(ValidatorTest, ReportsUnitClassWhereAUnitIsExpected) {
  auto f = of(check("?m saref:isMeasuredIn saref:TemperatureUnit ."), "unit-individual");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_THAT(f[0].message, HasSubstr("a class (a kind of unit)"));
  EXPECT_TRUE(of(check("?m saref:isMeasuredIn om:degreeCelsius ."), "unit-individual").empty());
  EXPECT_TRUE(of(check("?m saref:isMeasuredIn dso:kilovoltAmpere ."), "unit-individual").empty());
}

TEST_F(ValidatorTest, ReportsIriObjectOfDatatypeProperty) {
  auto f = of(check("?m saref:hasValue s4grid:Voltage ."), "term-kind");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_THAT(f[0].message, HasSubstr("datatype property"));
}

TEST_F(ValidatorTest, ReportsLiteralVariablesInSubjectPosition) {
  auto r = check("?m saref:hasValue ?value .\n?value rdf:type xsd:float .");
  auto f = of(r, "literal-subject");
  ASSERT_EQ(f.size(), 1u) << dump(r);
  EXPECT_EQ(f[0].line, 2);
  EXPECT_EQ(f[0].column, 1);
  EXPECT_THAT(f[0].message,
              HasSubstr("?value is the object of the datatype property saref:hasValue"));
  EXPECT_FALSE(of(r, "term-kind").empty()) << "xsd:float is a datatype, not a class";
  EXPECT_TRUE(of(check("?m saref:hasValue ?value ."), "literal-subject").empty());
}

TEST_F(ValidatorTest, WarnsOnDomainConflicts) {
  auto r = check("?d a saref:Device ;\n   saref:isMeasuredIn om:volt .");
  auto f = of(r, "domain-range");
  ASSERT_EQ(f.size(), 1u) << dump(r);
  EXPECT_EQ(f[0].severity, Severity::warning);
  EXPECT_THAT(f[0].message, HasSubstr("the domain of saref:isMeasuredIn is saref:Measurement"));
  EXPECT_TRUE(
      of(check("?m a saref:Measurement ; saref:isMeasuredIn om:volt ."), "domain-range").empty());
  // Subclasses are compatible: s4grid:Meter ⊑ saref:Device, the domain of saref:hasState.
  EXPECT_TRUE(of(check("?d a s4grid:Meter ; saref:hasState ?s ."), "domain-range").empty());
}

TEST_F(ValidatorTest, WarnsOnRangeConflicts) {
  auto f = of(check("?d saref:hasState ?s .\n?s a saref:Device ."), "domain-range");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_THAT(f[0].message, HasSubstr("the range of saref:hasState is saref:State"));
}

TEST_F(ValidatorTest, WarnsOnDisconnectedPatterns) {
  auto f = of(check("?a saref:hasValue ?v .\n?b saref:hasTimestamp ?t ."), "disconnected");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].line, 2);
  EXPECT_THAT(f[0].message, HasSubstr("2 unconnected parts"));
  // A shared constant object (om:volt) does not connect, a shared variable does.
  EXPECT_TRUE(of(check(good_measurement), "disconnected").empty());
}

TEST_F(ValidatorTest, WarnsOnPlaceholderIris) {
  auto f = of(check("?m saref:relatesToProperty <https://pilot.example/greek/property#property> ."),
              "placeholder-iri");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_THAT(f[0].fix, HasSubstr("use a variable"));
  EXPECT_TRUE(of(check("?m saref:relatesToProperty s4grid:Voltage ."), "placeholder-iri").empty());
}

TEST_F(ValidatorTest, WarnsOnVariablePredicates) {
  EXPECT_EQ(of(check("?s ?p ?o ."), "variable-predicate").size(), 1u);
}

TEST_F(ValidatorTest, NotesUncheckedKnownNamespacesOnce) {
  auto f = of(check("?o a sosa:Observation ; sosa:madeBySensor ?s ."), "unchecked-namespace");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].severity, Severity::note);
}

TEST_F(ValidatorTest, ChecksFixedLiteralsAgainstRanges) {
  auto f = of(check("?ts s4ener:hasTemporalResolution \"15\"^^xsd:integer ."), "literal-value");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_THAT(f[0].message, HasSubstr("xsd:duration"));
  EXPECT_TRUE(
      of(check("?ts s4ener:hasTemporalResolution \"PT15M\"^^xsd:duration ."), "literal-value")
          .empty());
  EXPECT_EQ(of(check("?r dso:hasConfidence \"high\"^^xsd:decimal ."), "literal-value").size(), 1u);
}

TEST_F(ValidatorTest, ReadsPrefixLinesOfBarePatterns) {
  auto r =
      check("PREFIX saref: <https://saref.etsi.org/corehasTime>\n?m saref:hasTimestamp ?t .", {});
  auto f = of(r, "near-miss-namespace");
  ASSERT_EQ(f.size(), 1u) << dump(r);
  EXPECT_EQ(f[0].line, 1);
  EXPECT_THAT(f[0].fix, HasSubstr("@prefix saref: <https://saref.etsi.org/core/>"));
}

TEST_F(ValidatorTest, RejectsBadArguments) {
  EXPECT_THAT(validate(*onto_, {"/nonexistent/patterns"}),
              HasError(ErrorCode::not_found, HasSubstr("/nonexistent/patterns")));
  EXPECT_THAT(validate(*onto_, {GRIDKE_TEST_DATA_DIR "/ontology/SOURCES.md"}),
              HasError(ErrorCode::invalid_argument, HasSubstr("expected a contract (.ttl)")));
  ValidateOptions o;
  o.level = 3;
  EXPECT_THAT(validate(*onto_, {GRIDKE_TEST_DATA_DIR "/ontology/pilot"}, o),
              HasError(ErrorCode::invalid_argument, HasSubstr("level must be 1 or 2, got 3")));
}

TEST_F(ValidatorTest, FormatsTextAndJson) {
  auto r = check("?m a saref:Measurment .");
  const auto text = format_text(r, false);
  EXPECT_THAT(text, HasSubstr("test.gp:1:6: error: saref:Measurment is not declared"));
  EXPECT_THAT(text, HasSubstr("  fix: did you mean saref:Measurement?"));
  EXPECT_THAT(text, HasSubstr("1 error(s)"));
  const auto json = format_json(r);
  EXPECT_THAT(json, HasSubstr("\"check\": \"unknown-term\""));
  EXPECT_THAT(json, HasSubstr("\"errors\": 1"));
}

}  // namespace
}  // namespace gridke::ontology

namespace gridke::ontology {
namespace {

TEST_F(ValidatorTest, WarnsOnClassesUsedAsValues) {
  auto f = of(check("?m saref:relatesToProperty saref:Temperature ."), "class-as-value");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].severity, Severity::warning);
  EXPECT_THAT(f[0].message, HasSubstr("saref:Temperature is a class used as the value"));
  EXPECT_TRUE(of(check("?m saref:relatesToProperty s4grid:Voltage ."), "class-as-value").empty());
}

}  // namespace
}  // namespace gridke::ontology
