// Parsing of domain knowledge (domain_knowledge.hpp): the Jena rules subset of NOTES §2.7 and
// its error messages.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "gridke/engine/domain_knowledge.hpp"
#include "gridke_matchers.hpp"

namespace gridke::engine {
namespace {

using ::testing::HasSubstr;
using ::testing::SizeIs;

constexpr const char* kPrefix = "@prefix ex: <http://example.org/> .\n";

TEST(DomainKnowledge, ParsesRulesFactsAndComments) {
  auto rules = parse_domain_knowledge(std::string(kPrefix) +
                                      "# a comment\n"
                                      "[transitive: (?a ex:isPartOf ?b), (?b ex:isPartOf ?c) -> "
                                      "(?a ex:isPartOf ?c)]\n"
                                      "(?a ex:bRelatedTo ?b) -> (?a ex:relatedTo ?b) .  // too\n"
                                      "-> (ex:building1 ex:isPartOf ex:district) .\n");
  ASSERT_THAT(rules, IsOk());
  ASSERT_THAT(*rules, SizeIs(3));
  EXPECT_EQ((*rules)[0].name, "transitive");
  ASSERT_TRUE((*rules)[0].antecedent.has_value());
  EXPECT_EQ((*rules)[0].antecedent->size(), 2u);
  EXPECT_EQ((*rules)[0].consequent.canonical(), "?a <http://example.org/isPartOf> ?c . ");
  EXPECT_EQ((*rules)[1].name, "rule-2");
  EXPECT_FALSE((*rules)[2].antecedent.has_value());
  EXPECT_EQ((*rules)[2].consequent.canonical(),
            "<http://example.org/building1> <http://example.org/isPartOf> "
            "<http://example.org/district> . ");
}

TEST(DomainKnowledge, AcceptsLiteralConstantsAndJenaDefaultPrefixes) {
  auto rules = parse_domain_knowledge(
      std::string(kPrefix) +
      "(?s rdf:type ex:OnOffLamp), (?s ex:isOn true) -> (?s rdf:type ex:DimmableLamp), "
      "(?s ex:hasBrightness \"100\"^^xsd:integer) .");
  ASSERT_THAT(rules, IsOk());
  ASSERT_THAT(*rules, SizeIs(1));
  EXPECT_EQ((*rules)[0].consequent.size(), 2u);
  EXPECT_EQ((*rules)[0].antecedent->triples()[1].object.term().datatype(),
            "http://www.w3.org/2001/XMLSchema#boolean");
}

TEST(DomainKnowledge, EmptyTextIsNoRules) {
  auto rules = parse_domain_knowledge("  \n# nothing here\n");
  ASSERT_THAT(rules, IsOk());
  EXPECT_TRUE(rules->empty());
}

TEST(DomainKnowledge, UndeclaredPrefixIsAnError) {
  EXPECT_THAT(parse_domain_knowledge("(?a ex:p ?b) -> (?a ex:q ?b) ."),
              HasError(ErrorCode::invalid_argument,
                       AllOf(HasSubstr("The provided domain knowledge should parse correctly: "),
                             HasSubstr("ex:p"), HasSubstr("line 1, column 1"))));
}

TEST(DomainKnowledge, BuiltinsAreRejected) {
  EXPECT_THAT(parse_domain_knowledge(std::string(kPrefix) +
                                     "(?a ex:p ?v), greaterThan(?v, 3) -> (?a ex:q ?v) ."),
              HasError(ErrorCode::invalid_argument,
                       AllOf(HasSubstr("should not contain non-triple pattern clauses"),
                             HasSubstr("greaterThan"), HasSubstr("line 2"))));
}

TEST(DomainKnowledge, BackwardRulesAndLanguageTagsAreRejected) {
  EXPECT_THAT(parse_domain_knowledge(std::string(kPrefix) + "(?a ex:q ?b) <- (?a ex:p ?b) ."),
              HasError(ErrorCode::invalid_argument, HasSubstr("backward rules ('<-')")));
  EXPECT_THAT(parse_domain_knowledge(std::string(kPrefix) + "-> (ex:a ex:label \"x\"@en) ."),
              HasError(ErrorCode::invalid_argument,
                       HasSubstr("language-tagged literals are not supported")));
}

TEST(DomainKnowledge, HeadVariablesMustOccurInTheBody) {
  EXPECT_THAT(parse_domain_knowledge(std::string(kPrefix) + "(?a ex:p ?b) -> (?a ex:q ?c) ."),
              HasError(ErrorCode::invalid_argument,
                       AllOf(HasSubstr("Not all variables in the consequent are available in "
                                       "the antecedent"),
                             HasSubstr("?c"))));
  EXPECT_THAT(parse_domain_knowledge(std::string(kPrefix) + "-> (ex:a ex:q ?c) ."),
              HasError(ErrorCode::invalid_argument, HasSubstr("facts must be concrete")));
}

TEST(DomainKnowledge, MalformedClausesNameTheProblem) {
  EXPECT_THAT(parse_domain_knowledge(std::string(kPrefix) + "(?a ex:p) -> (?a ex:q ?a) ."),
              HasError(ErrorCode::invalid_argument, HasSubstr("exactly three terms")));
  EXPECT_THAT(parse_domain_knowledge(std::string(kPrefix) + "[r1: (?a ex:p ?b) -> (?a ex:q ?b)"),
              HasError(ErrorCode::invalid_argument, HasSubstr("not closed with ']'")));
  EXPECT_THAT(parse_domain_knowledge(std::string(kPrefix) + "(?a ex:p ?b) (?a ex:q ?b) ."),
              HasError(ErrorCode::invalid_argument, HasSubstr("expected '->'")));
  EXPECT_THAT(parse_domain_knowledge("-> (<http://x/a> <http://x/b> \"open ."),
              HasError(ErrorCode::invalid_argument, HasSubstr("unterminated string")));
}

TEST(DomainKnowledge, ReadsAFileAndNamesAMissingOne) {
  EXPECT_THAT(read_domain_knowledge_file("/nonexistent/rules.jena"),
              HasError(ErrorCode::not_found, HasSubstr("/nonexistent/rules.jena")));
  const std::string path = ::testing::TempDir() + "gridke_domain_knowledge_test.rules";
  {
    std::ofstream out(path);
    out << kPrefix << "(?a ex:p ?b) -> (?a ex:q ?b) .\n";
  }
  auto text = read_domain_knowledge_file(path);
  ASSERT_THAT(text, IsOk());
  EXPECT_THAT(*text, HasSubstr("ex:q"));
  {
    std::ofstream out(path);
    out << "(?a ex:p ?b) -> (?a ex:q ?b) .\n";
  }
  EXPECT_THAT(read_domain_knowledge_file(path),
              HasError(ErrorCode::invalid_argument, HasSubstr(path)));
  std::remove(path.c_str());
}

}  // namespace
}  // namespace gridke::engine
