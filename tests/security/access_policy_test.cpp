// AccessPolicy: the ACL file format, rule order, and denial reasons.
#include "gridke/security/access_policy.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gridke_matchers.hpp"

namespace gridke::security {
namespace {

using ::testing::HasSubstr;

engine::KiRef ki(const std::string& kb, const std::string& name, ki::KiKind kind) {
  return {kb, kb + "/interaction/" + name, name, kind};
}

const auto ems_ask = ki("http://dso/ems", "ask-voltage", ki::KiKind::ask);
const auto ems_post = ki("http://dso/ems", "post-plan", ki::KiKind::post);
const auto fl_answer = ki("http://dso/fl", "voltage-answer", ki::KiKind::answer);
const auto fl_react = ki("http://dso/fl", "plan-react", ki::KiKind::react);

TEST(AccessPolicy, FirstMatchingRuleDecides) {
  auto p = AccessPolicy::parse(R"({"default":"deny","rules":[
      {"effect":"deny","requesters":["http://dso/ems"],"knowledgeInteractions":["plan-react"]},
      {"requesters":["http://dso/ems"],"knowledgeBases":["http://dso/fl"]}]})");
  ASSERT_THAT(p, IsOk());
  EXPECT_THAT((*p)->may_contact(ems_ask, fl_answer), IsOk());
  EXPECT_THAT(
      (*p)->may_contact(ems_post, fl_react),
      HasError(ErrorCode::permission_denied, HasSubstr("ACL rule 0 denies http://dso/ems to post "
                                                       "http://dso/fl/interaction/plan-react")));
}

TEST(AccessPolicy, DefaultDenyNamesWhatWasRefused) {
  auto p = AccessPolicy::parse(R"({"rules":[{"requesters":["http://dso/other"]}]})");
  ASSERT_THAT(p, IsOk());
  EXPECT_FALSE((*p)->default_allow());
  EXPECT_THAT((*p)->may_contact(ems_ask, fl_answer),
              HasError(ErrorCode::permission_denied,
                       HasSubstr("no ACL rule allows http://dso/ems to ask "
                                 "http://dso/fl/interaction/voltage-answer (default deny)")));
}

TEST(AccessPolicy, ActionsLimitARule) {
  auto p = AccessPolicy::parse(R"({"default":"deny","rules":[
      {"requesters":["*"],"actions":["ask"]}]})");
  ASSERT_THAT(p, IsOk());
  EXPECT_THAT((*p)->may_contact(ems_ask, fl_answer), IsOk());
  EXPECT_THAT((*p)->may_contact(ems_post, fl_react),
              HasError(ErrorCode::permission_denied, HasSubstr("to post")));
}

TEST(AccessPolicy, MatchesKnowledgeInteractionsByNameOrId) {
  auto p = AccessPolicy::parse(R"({"default":"deny","rules":[
      {"requesters":["*"],"knowledgeInteractions":["http://dso/fl/interaction/plan-react"]},
      {"requesters":["*"],"knowledgeInteractions":["voltage-answer"]}]})");
  ASSERT_THAT(p, IsOk());
  EXPECT_THAT((*p)->may_contact(ems_ask, fl_answer), IsOk());
  EXPECT_THAT((*p)->may_contact(ems_post, fl_react), IsOk());
}

TEST(AccessPolicy, ChainedRequestersUseTheCandidateKind) {
  auto p = AccessPolicy::parse(R"({"default":"deny","rules":[
      {"requesters":["*"],"actions":["post"]}]})");
  ASSERT_THAT(p, IsOk());
  auto converter = ki("http://dso/conv", "convert", ki::KiKind::react);
  EXPECT_THAT((*p)->may_contact(converter, fl_react), IsOk());
  EXPECT_THAT((*p)->may_contact(converter, fl_answer),
              HasError(ErrorCode::permission_denied, HasSubstr("to ask")));
}

TEST(AccessPolicy, RejectsMalformedFilesNamingTheField) {
  EXPECT_THAT(AccessPolicy::parse("{", "acl.json"),
              HasError(ErrorCode::parse_error, HasSubstr("ACL acl.json is not valid JSON")));
  EXPECT_THAT(AccessPolicy::parse("[]", "acl.json"),
              HasError(ErrorCode::invalid_argument, HasSubstr("must be a JSON object")));
  EXPECT_THAT(AccessPolicy::parse(R"({"default":"maybe"})"),
              HasError(ErrorCode::invalid_argument, HasSubstr("default: expected")));
  EXPECT_THAT(AccessPolicy::parse(R"({"rules":[{"effect":"allow"}]})"),
              HasError(ErrorCode::invalid_argument,
                       HasSubstr("rules[0]: the field \"requesters\" is required")));
  EXPECT_THAT(
      AccessPolicy::parse(R"({"rules":[{"requesters":["*"],"actions":["get"]}]})"),
      HasError(ErrorCode::invalid_argument,
               HasSubstr("rules[0].actions[0]: expected \"ask\" or \"post\", got \"get\"")));
  EXPECT_THAT(AccessPolicy::parse(R"({"rules":[{"requesters":[1]}]})"),
              HasError(ErrorCode::invalid_argument, HasSubstr("rules[0].requesters[0]")));
  EXPECT_THAT(AccessPolicy::parse(R"({"rules":[{"requesters":["*"],"who":1}]})"),
              HasError(ErrorCode::invalid_argument, HasSubstr("unknown field \"who\"")));
  EXPECT_THAT(AccessPolicy::parse(R"({"rule":[]})"),
              HasError(ErrorCode::invalid_argument, HasSubstr("unknown field \"rule\"")));
  EXPECT_THAT(AccessPolicy::load("/nonexistent/acl.json"),
              HasError(ErrorCode::unavailable, HasSubstr("/nonexistent/acl.json")));
}

}  // namespace
}  // namespace gridke::security
