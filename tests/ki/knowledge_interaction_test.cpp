#include "gridke/ki/knowledge_interaction.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "gridke_matchers.hpp"

namespace gridke::ki {
namespace {

using ::testing::HasSubstr;

const std::string ke = "https://w3id.org/knowledge-engine/";

pattern::GraphPattern gp(const std::string& text) {
  auto p = pattern::GraphPattern::parse(text, {{"ex", "http://example.org/"}});
  EXPECT_TRUE(p.has_value()) << text;
  return p.has_value() ? *p : pattern::GraphPattern{};
}

CommunicativeAct act(std::string required, std::string satisfied) {
  return CommunicativeAct{{ke + required}, {ke + satisfied}};
}

TEST(KiKind, RoundTripsTheKeTypeNames) {
  for (KiKind k : {KiKind::ask, KiKind::answer, KiKind::post, KiKind::react}) {
    auto parsed = parse_ki_kind(to_string(k));
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(*parsed, k);
  }
  EXPECT_EQ(to_string(KiKind::ask), "AskKnowledgeInteraction");
  EXPECT_EQ(to_string(KiKind::react), "ReactKnowledgeInteraction");
  EXPECT_FALSE(parse_ki_kind("askKnowledgeInteraction").has_value());
  EXPECT_FALSE(parse_ki_kind("").has_value());
  EXPECT_TRUE(is_proactive(KiKind::post));
  EXPECT_FALSE(is_proactive(KiKind::answer));
}

TEST(KiKind, ShortNamesForMessages) {
  EXPECT_EQ(short_name(KiKind::ask), "ASK");
  EXPECT_EQ(short_name(KiKind::answer), "ANSWER");
  EXPECT_EQ(short_name(KiKind::post), "POST");
  EXPECT_EQ(short_name(KiKind::react), "REACT");
}

TEST(KnowledgeInteraction, FactoriesSetKindNameAndPatterns) {
  auto a = KnowledgeInteraction::answer(gp("?a ex:b ?c ."), "my-answer");
  EXPECT_EQ(a.kind, KiKind::answer);
  EXPECT_EQ(a.name, "my-answer");
  EXPECT_TRUE(a.pattern.has_value());
  EXPECT_EQ(a.act, CommunicativeAct::inform());
  auto r = KnowledgeInteraction::react(gp("?a ex:f ?f ."), gp("?a ex:c ?c ."));
  EXPECT_EQ(r.kind, KiKind::react);
  EXPECT_TRUE(r.result_pattern.has_value());
  EXPECT_THAT(a.validate(), IsOk());
  EXPECT_THAT(r.validate(), IsOk());
}

TEST(KnowledgeInteraction, RejectsNameOutsideAllowedCharacters) {
  auto k = KnowledgeInteraction::ask(gp("?a ex:b ?c ."), "bad name!");
  EXPECT_THAT(k.validate(),
              HasError(ErrorCode::invalid_argument, HasSubstr("'bad name!' is invalid")));
  k.name = "ok-Name-09";
  EXPECT_THAT(k.validate(), IsOk());
}

TEST(KnowledgeInteraction, AskAndAnswerNeedAGraphPattern) {
  KnowledgeInteraction k;
  k.kind = KiKind::ask;
  EXPECT_THAT(k.validate(),
              HasError(ErrorCode::invalid_argument,
                       HasSubstr("graphPattern must be given for ASK knowledge interactions.")));
  k.kind = KiKind::answer;
  EXPECT_THAT(k.validate(),
              HasError(ErrorCode::invalid_argument,
                       HasSubstr("graphPattern must be given for ANSWER knowledge interactions.")));
}

TEST(KnowledgeInteraction, PostAndReactNeedAtLeastOnePattern) {
  auto p = KnowledgeInteraction::post(std::nullopt, std::nullopt);
  EXPECT_THAT(p.validate(),
              HasError(ErrorCode::invalid_argument,
                       HasSubstr("At least one of argumentGraphPattern and resultGraphPattern "
                                 "must be given for POST knowledge interactions.")));
  auto r = KnowledgeInteraction::react(std::nullopt, gp("?a ex:b ?c ."));
  EXPECT_THAT(r.validate(), IsOk());
}

TEST(KnowledgeInteraction, AskRejectsResultPattern) {
  auto k = KnowledgeInteraction::ask(gp("?a ex:b ?c ."));
  k.result_pattern = gp("?a ex:d ?e .");
  EXPECT_THAT(k.validate(), HasError(ErrorCode::invalid_argument,
                                     HasSubstr("must not have a resultGraphPattern")));
}

TEST(KnowledgeInteraction, RejectsEmptyPurposeListsAndRelativePurposes) {
  auto k = KnowledgeInteraction::ask(gp("?a ex:b ?c ."));
  k.act.required_purposes.clear();
  EXPECT_THAT(k.validate(), HasError(ErrorCode::invalid_argument,
                                     HasSubstr("at least one required and one satisfied")));
  k.act = CommunicativeAct{{"InformPurpose"}, {ke + "InformPurpose"}};
  EXPECT_THAT(k.validate(), HasError(ErrorCode::invalid_argument,
                                     HasSubstr("'InformPurpose' is not an absolute IRI")));
}

TEST(KnowledgeInteraction, RejectsMatchLevelOutsideOneToFive) {
  auto k = KnowledgeInteraction::ask(gp("?a ex:b ?c ."));
  k.match_level = 6;
  EXPECT_THAT(k.validate(),
              HasError(ErrorCode::invalid_argument,
                       HasSubstr("The reasoner level should be between 1 and 5, inclusive and "
                                 "not 6")));
  k.match_level = 1;
  EXPECT_THAT(k.validate(), IsOk());
}

TEST(ActsCompatible, DefaultInformMatchesInform) {
  EXPECT_TRUE(acts_compatible(CommunicativeAct::inform(), CommunicativeAct::inform()));
}

TEST(ActsCompatible, SpecificSatisfactionMeetsGeneralRequirement) {
  // The KE's meta POST "new" (req Inform, sat New) reaches a user REACT (req Inform, sat Inform).
  EXPECT_TRUE(acts_compatible(act("InformPurpose", "NewKnowledgePurpose"),
                              act("InformPurpose", "InformPurpose")));
  // ...and its meta REACT "new" (req New, sat Inform).
  EXPECT_TRUE(acts_compatible(act("InformPurpose", "NewKnowledgePurpose"),
                              act("NewKnowledgePurpose", "InformPurpose")));
}

TEST(ActsCompatible, GeneralSatisfactionDoesNotMeetSpecificRequirement) {
  // A user POST (sat Inform) does not reach a REACT that requires NewKnowledgePurpose.
  EXPECT_FALSE(
      acts_compatible(CommunicativeAct::inform(), act("NewKnowledgePurpose", "InformPurpose")));
}

TEST(ActsCompatible, BothDirectionsMustHold) {
  // Proactive requires Actuation; the reactive side satisfies only Inform.
  EXPECT_FALSE(
      acts_compatible(act("ActuationPurpose", "InformPurpose"), CommunicativeAct::inform()));
  EXPECT_TRUE(acts_compatible(act("ActuationPurpose", "InformPurpose"),
                              act("InformPurpose", "ActuationPurpose")));
  // Purpose is the top: any KE purpose satisfies a requirement for Purpose.
  EXPECT_TRUE(acts_compatible(act("Purpose", "ConversionPurpose"),
                              act("ConversionPurpose", "PeriodicPurpose")));
  EXPECT_FALSE(acts_compatible(act("PeriodicPurpose", "InformPurpose"),
                               act("InformPurpose", "WhenChangedPurpose")));
}

TEST(ActsCompatible, UnknownPurposesMatchOnlyThemselves) {
  const CommunicativeAct mine{{"http://example.org/MyPurpose"}, {ke + "InformPurpose"}};
  const CommunicativeAct same{{ke + "InformPurpose"}, {"http://example.org/MyPurpose"}};
  const CommunicativeAct other{{ke + "InformPurpose"}, {"http://example.org/Other"}};
  EXPECT_TRUE(acts_compatible(mine, same));
  EXPECT_FALSE(acts_compatible(mine, other));
  // An unknown purpose is not a KE Purpose subclass (nothing in the ontology says so).
  EXPECT_FALSE(acts_compatible(act("Purpose", "InformPurpose"), same));
}

}  // namespace
}  // namespace gridke::ki
