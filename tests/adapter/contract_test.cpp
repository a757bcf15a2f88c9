#include "gridke/adapter/contract.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "gridke_matchers.hpp"
#include "test_paths.hpp"

namespace gridke::adapter {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

const std::filesystem::path data_dir = std::filesystem::path(GRIDKE_TEST_DATA_DIR) / "adapter";

std::string bad(const std::string& name) { return (data_dir / "bad" / name).string(); }

pattern::Binding binding(std::initializer_list<std::pair<std::string, std::string>> wire) {
  std::vector<std::pair<std::string, std::string>> v(wire);
  return pattern::parse_binding(v).value();
}

TEST(Contract, LoadsTheThermometerAnswer) {
  auto c =
      load_contract(test_paths::graph_patterns_dir() / "thermometer" / "answer-temperature.ttl");
  ASSERT_THAT(c, IsOk());
  EXPECT_EQ(c->name, "answer-temperature");
  EXPECT_EQ(c->service, "thermometer");
  EXPECT_EQ(c->ki.kind, ki::KiKind::answer);
  EXPECT_EQ(c->ki.name, "answer-temperature");
  ASSERT_TRUE(c->ki.pattern.has_value());
  EXPECT_EQ(c->ki.pattern->size(), 7u);
  EXPECT_THAT(c->ki.pattern->variables(),
              ElementsAre("measurement", "property", "sensor", "time", "value"));
  EXPECT_THAT(c->ki.pattern->canonical(),
              HasSubstr("?measurement <https://saref.etsi.org/core/isMeasuredIn> "
                        "<http://www.ontology-of-units-of-measure.org/resource/om-2/"
                        "degreeCelsius> . "));
  EXPECT_FALSE(c->ki.result_pattern.has_value());
  EXPECT_EQ(c->ki.act, ki::CommunicativeAct::inform());
  EXPECT_EQ(c->ki.prefixes.at("saref"), "https://saref.etsi.org/core/");
  EXPECT_THAT(c->comment, HasSubstr("latest temperature measurement"));
  ASSERT_EQ(c->example_bindings.size(), 1u);
  const auto& example = c->example_bindings.bindings().front();
  EXPECT_EQ(example.find("value")->to_string(),
            "\"21.5\"^^<http://www.w3.org/2001/XMLSchema#double>");
  ASSERT_TRUE(c->pattern_source.has_value());
  EXPECT_EQ(c->pattern_source->line, 13);
  EXPECT_EQ(c->pattern_source->column, 25);
}

TEST(Contract, LoadsEveryOptionalPart) {
  auto c = load_contract(data_dir / "good" / "react-convert.ttl");
  ASSERT_THAT(c, IsOk());
  EXPECT_EQ(c->ki.kind, ki::KiKind::react);
  EXPECT_EQ(c->service, "converter");
  ASSERT_TRUE(c->ki.pattern.has_value());
  ASSERT_TRUE(c->ki.result_pattern.has_value());
  EXPECT_EQ(c->ki.result_pattern->canonical(),
            "?m <https://saref.etsi.org/core/hasValue> ?f . ?m "
            "<https://saref.etsi.org/core/isMeasuredIn> "
            "<http://www.ontology-of-units-of-measure.org/resource/om-2/degreeFahrenheit> . ");
  EXPECT_THAT(c->ki.act.required_purposes,
              ElementsAre("https://w3id.org/knowledge-engine/ConversionPurpose"));
  EXPECT_THAT(c->ki.act.satisfied_purposes,
              ElementsAre("https://w3id.org/knowledge-engine/ConversionPurpose"));
  EXPECT_EQ(c->ki.match_level, 1);
  EXPECT_FALSE(c->ki.include_meta_kis);
  EXPECT_EQ(c->comment, "Converts a temperature from \u00B0C to \u00B0F.");
  EXPECT_TRUE(
      c->example_bindings.contains(binding({{"m", "<https://example.org/m1>"}, {"c", "20"}})));
  EXPECT_TRUE(c->example_result_bindings.contains(
      binding({{"m", "<https://example.org/m1>"}, {"f", "68"}})));
  ASSERT_TRUE(c->result_pattern_source.has_value());
  EXPECT_EQ(c->result_pattern_source->line, 19);
  EXPECT_EQ(c->result_pattern_source->column, 23);
}

TEST(Contract, ServiceDefaultsToTheFolderName) {
  auto c = load_contract(data_dir / "duplicate" / "a" / "first.ttl");
  ASSERT_THAT(c, IsOk());
  EXPECT_EQ(c->service, "a");
}

TEST(Contract, ParsesFromTextWithTheGivenDisplayName) {
  auto c = parse_contract(
      "@prefix kb: <https://w3id.org/knowledge-engine/> .\n"
      "@prefix gkc: <https://w3id.org/gridke/contract#> .\n"
      "@prefix ex: <https://example.org/> .\n"
      "<> a kb:PostKnowledgeInteraction ; gkc:name \"post-x\" ;\n"
      "   kb:hasGraphPattern [ a kb:ArgumentGraphPattern ; kb:hasPattern \"?a ex:p ?b .\" ] .\n",
      "inline/post-x.ttl");
  ASSERT_THAT(c, IsOk());
  EXPECT_EQ(c->file, "inline/post-x.ttl");
  EXPECT_EQ(c->service, "inline");
  EXPECT_EQ(c->ki.kind, ki::KiKind::post);
  EXPECT_FALSE(c->ki.result_pattern.has_value());
}

TEST(Contract, TextParseErrorsUseTheDisplayName) {
  auto c = parse_contract("@prefix kb: <https://w3id.org/knowledge-engine/> .\n<> a kb:X ,, .\n",
                          "inline.ttl");
  EXPECT_THAT(c, HasError(ErrorCode::parse_error, HasSubstr("inline.ttl:2:")));
}

TEST(Contract, PatternSourceTranslatesPositions) {
  PatternSource src{"\n  ?a ?b ?c .", 9, 30};
  EXPECT_EQ(src.file_location("f.ttl", 1, 1), "f.ttl:9:30");
  EXPECT_EQ(src.file_location("f.ttl", 2, 3), "f.ttl:10:3");
}

TEST(Contract, MissingFileIsNotFound) {
  EXPECT_THAT(load_contract(data_dir / "no-such.ttl"),
              HasError(ErrorCode::not_found, HasSubstr("no such contract file")));
}

TEST(Contract, RejectsUnknownProperty) {
  EXPECT_THAT(load_contract(bad("unknown-property.ttl")),
              HasError(ErrorCode::invalid_argument,
                       AllOf(HasSubstr("unknown-property.ttl:8:4: "),
                             HasSubstr("unknown contract property gkc:nmae"))));
}

TEST(Contract, RejectsTwoKinds) {
  EXPECT_THAT(
      load_contract(bad("two-kinds.ttl")),
      HasError(ErrorCode::invalid_argument,
               AllOf(HasSubstr("two-kinds.ttl:5:35: "),
                     HasSubstr("two kinds for one knowledge interaction: "
                               "kb:AskKnowledgeInteraction and kb:AnswerKnowledgeInteraction"))));
}

TEST(Contract, RejectsMissingKind) {
  EXPECT_THAT(load_contract(bad("no-kind.ttl")),
              HasError(ErrorCode::invalid_argument, AllOf(HasSubstr("no-kind.ttl:1:1: "),
                                                          HasSubstr("no knowledge interaction"))));
}

TEST(Contract, RejectsTwoKnowledgeInteractionsInOneFile) {
  EXPECT_THAT(load_contract(bad("two-kis.ttl")),
              HasError(ErrorCode::invalid_argument,
                       AllOf(HasSubstr("two-kis.ttl:"),
                             HasSubstr("more than one knowledge interaction in one file"))));
}

TEST(Contract, RejectsMissingPattern) {
  EXPECT_THAT(load_contract(bad("missing-pattern.ttl")),
              HasError(ErrorCode::invalid_argument,
                       AllOf(HasSubstr("missing-pattern.ttl:5:6: "),
                             HasSubstr("missing pattern: an AskKnowledgeInteraction needs "
                                       "kb:hasGraphPattern"))));
}

TEST(Contract, RejectsBadName) {
  EXPECT_THAT(load_contract(bad("bad-name.ttl")),
              HasError(ErrorCode::invalid_argument,
                       AllOf(HasSubstr("bad-name.ttl:6:4: "),
                             HasSubstr("gkc:name \"ask x\" is not a KI name"))));
}

TEST(Contract, RejectsTwoNames) {
  EXPECT_THAT(load_contract(bad("two-names.ttl")),
              HasError(ErrorCode::invalid_argument, AllOf(HasSubstr("two-names.ttl:8:4: "),
                                                          HasSubstr("gkc:name is given 2 times"))));
}

TEST(Contract, RejectsBadExampleJson) {
  EXPECT_THAT(
      load_contract(bad("bad-example-json.ttl")),
      HasError(ErrorCode::parse_error, AllOf(HasSubstr("bad-example-json.ttl:9:39: "),
                                             HasSubstr("gkc:exampleBindings is not valid JSON"))));
}

TEST(Contract, RejectsIncompleteExample) {
  EXPECT_THAT(load_contract(bad("incomplete-example.ttl")),
              HasError(ErrorCode::invalid_argument,
                       AllOf(HasSubstr("incomplete-example.ttl:8:27: "),
                             HasSubstr("gkc:exampleBindings is not complete for the graph "
                                       "pattern"),
                             HasSubstr("v"))));
}

TEST(Contract, RejectsExampleKeyOutsideThePattern) {
  EXPECT_THAT(load_contract(bad("example-unknown-key.ttl")),
              HasError(ErrorCode::invalid_argument,
                       AllOf(HasSubstr("example-unknown-key.ttl:8:27: "), HasSubstr("'w'"))));
}

TEST(Contract, RejectsExampleValueThatIsNotAString) {
  EXPECT_THAT(load_contract(bad("example-not-string.ttl")),
              HasError(ErrorCode::parse_error,
                       AllOf(HasSubstr("example-not-string.ttl:8:67: "),
                             HasSubstr("binding 1, variable 'v': the value must be a JSON "
                                       "string"))));
}

TEST(Contract, RejectsExampleValueThatIsNotATerm) {
  EXPECT_THAT(load_contract(bad("example-bad-term.ttl")),
              HasError(ErrorCode::parse_error,
                       AllOf(HasSubstr("example-bad-term.ttl:8:67: "),
                             HasSubstr("gkc:exampleBindings: binding 1: "), HasSubstr("?y"))));
}

TEST(Contract, LocatesPatternErrorsInsideTheFile) {
  // The FILTER is on line 4 of a pattern literal that starts on line 7 of the file.
  EXPECT_THAT(load_contract(bad("pattern-filter.ttl")),
              HasError(ErrorCode::parse_error,
                       AllOf(HasSubstr("pattern-filter.ttl:10:8: "),
                             HasSubstr("in graph pattern: FILTER is not allowed"))));
}

TEST(Contract, ReportsUndeclaredPrefixInPattern) {
  EXPECT_THAT(
      load_contract(bad("pattern-undeclared-prefix.ttl")),
      HasError(ErrorCode::parse_error,
               AllOf(HasSubstr("pattern-undeclared-prefix.ttl:7:65: "), HasSubstr("ex:Thing"))));
}

TEST(Contract, ReportsTurtleSyntaxErrorsWithTheFile) {
  EXPECT_THAT(load_contract(bad("turtle-syntax.ttl")),
              HasError(ErrorCode::parse_error, HasSubstr("turtle-syntax.ttl:7:")));
}

TEST(Contract, RejectsPlainPatternOnPost) {
  EXPECT_THAT(load_contract(bad("post-with-plain-pattern.ttl")),
              HasError(ErrorCode::invalid_argument,
                       AllOf(HasSubstr("post-with-plain-pattern.ttl:7:4: "),
                             HasSubstr("needs its graph patterns typed kb:ArgumentGraphPattern "
                                       "or kb:ResultGraphPattern"))));
}

TEST(Contract, RejectsMatchLevelOutOfRange) {
  EXPECT_THAT(load_contract(bad("bad-match-level.ttl")),
              HasError(ErrorCode::invalid_argument,
                       AllOf(HasSubstr("bad-match-level.ttl:8:4: "),
                             HasSubstr("gkc:matchLevel must be an integer from 1 to 5"))));
}

TEST(Contract, RejectsKnowledgeGapsOnAnswer) {
  EXPECT_THAT(load_contract(bad("gaps-on-answer.ttl")),
              HasError(ErrorCode::invalid_argument, AllOf(HasSubstr("gaps-on-answer.ttl:8:4: "),
                                                          HasSubstr("applies only to ASK"))));
}

TEST(Contract, RejectsResultExampleWithoutResultPattern) {
  EXPECT_THAT(load_contract(bad("result-example-without-result-pattern.ttl")),
              HasError(ErrorCode::invalid_argument,
                       AllOf(HasSubstr("result-example-without-result-pattern.ttl:8:4: "),
                             HasSubstr("the KI has no result pattern"))));
}

TEST(Contract, RejectsActWithoutSatisfaction) {
  EXPECT_THAT(
      load_contract(bad("act-without-satisfaction.ttl")),
      HasError(ErrorCode::invalid_argument, AllOf(HasSubstr("act-without-satisfaction.ttl:8:4: "),
                                                  HasSubstr("kb:hasSatisfaction"))));
}

TEST(ContractSet, LoadsTheDemoContractsByName) {
  auto set = load_contracts(test_paths::graph_patterns_dir() / "demo");
  ASSERT_THAT(set, IsOk());
  EXPECT_EQ(set->size(), 4u);
  std::vector<std::string> names;
  for (const Contract* c : set->contracts()) names.push_back(c->name);
  EXPECT_THAT(names, ElementsAre("answer-power-measurement", "ask-power-measurement",
                                 "post-power-limit", "react-power-limit"));
  ASSERT_NE(set->find("post-power-limit"), nullptr);
  EXPECT_EQ(set->find("post-power-limit")->ki.kind, ki::KiKind::post);
  EXPECT_EQ(set->find("nope"), nullptr);
}

TEST(ContractSet, GetNamesTheLoadedContractsWhenMissing) {
  auto set = load_contracts(test_paths::graph_patterns_dir() / "thermometer");
  ASSERT_THAT(set, IsOk());
  EXPECT_THAT(
      set->get("ask-temprature"),
      HasError(ErrorCode::not_found, AllOf(HasSubstr("no contract named 'ask-temprature'"),
                                           HasSubstr("answer-temperature, ask-temperature"))));
}

TEST(ContractSet, RejectsDuplicateNamesNamingBothFiles) {
  EXPECT_THAT(load_contracts(data_dir / "duplicate"),
              HasError(ErrorCode::already_exists,
                       AllOf(HasSubstr("duplicate contract name 'same-name'"),
                             HasSubstr("first.ttl and "), HasSubstr("second.ttl"))));
}

TEST(ContractSet, MissingFolderIsNotFound) {
  EXPECT_THAT(load_contracts(data_dir / "no-such-folder"),
              HasError(ErrorCode::not_found, HasSubstr("no such contract folder")));
}

TEST(ContractSet, CollectingLoadReportsEveryBadFile) {
  auto report = load_contracts_collecting(data_dir / "bad");
  ASSERT_THAT(report, IsOk());
  EXPECT_TRUE(report->contracts.empty());
  EXPECT_EQ(report->errors.size(), 20u);
}

}  // namespace
}  // namespace gridke::adapter
