#include "gridke/pattern/plan.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "gridke_matchers.hpp"

namespace gridke::pattern {
namespace {

using ::testing::HasSubstr;
using ::testing::SizeIs;

CompiledPattern plan_compile(const std::string& text) {
  auto p = GraphPattern::parse(text, {{"ex", "http://example.org/"}});
  EXPECT_TRUE(p.has_value()) << text;
  return CompiledPattern(p.has_value() ? *p : GraphPattern{});
}

rdf::Term plan_iri(const std::string& local) {
  return rdf::Term::iri("http://example.org/" + local);
}

const MatchFlags level1 = MatchFlags::for_level(1, MatchDirection::backward);
const MatchFlags level2 = MatchFlags::for_level(2, MatchDirection::backward);

TEST(Join, JoinsOnSharedVariables) {
  BindingSet a{Binding{{"s", plan_iri("1")}, {"x", plan_iri("a")}},
               Binding{{"s", plan_iri("2")}, {"x", plan_iri("b")}}};
  BindingSet b{Binding{{"s", plan_iri("1")}, {"y", plan_iri("c")}},
               Binding{{"s", plan_iri("3")}, {"y", plan_iri("d")}}};
  EXPECT_EQ(
      join(a, b),
      (BindingSet{Binding{{"s", plan_iri("1")}, {"x", plan_iri("a")}, {"y", plan_iri("c")}}}));
}

TEST(Join, WithoutSharedVariablesIsACrossProduct) {
  BindingSet a{Binding{{"x", plan_iri("1")}}, Binding{{"x", plan_iri("2")}}};
  BindingSet b{Binding{{"y", plan_iri("3")}}, Binding{{"y", plan_iri("4")}}};
  EXPECT_THAT(join(a, b), SizeIs(4));
  EXPECT_TRUE(join(a, BindingSet{}).empty());
}

TEST(PlanCover, Issue696FiveIdenticalKisAreOneGroupAndOneCover) {
  const std::string five = "?s a ex:M . ?s ex:v ?v . ?s ex:u ?u . ?s ex:t ?t . ?s ex:d ?d .";
  auto target = plan_compile(five);
  std::vector<CompiledPattern> kis(5, plan_compile(five));
  std::vector<const CompiledPattern*> cands;
  for (const auto& k : kis) cands.push_back(&k);
  auto plan = plan_cover(target, cands, level2);
  ASSERT_THAT(plan, IsOk());
  EXPECT_THAT(plan->sources, SizeIs(5));
  ASSERT_THAT(plan->groups, SizeIs(1));
  EXPECT_THAT(plan->groups[0].sources, SizeIs(5));
  EXPECT_THAT(plan->covers, SizeIs(1));
  // All five answers survive: the group's rows are the union of its members' rows.
  std::vector<BindingSet> rows;
  for (int k = 0; k < 5; ++k) {
    rows.push_back(BindingSet{Binding{{"s", plan_iri("s" + std::to_string(k))},
                                      {"v", plan_iri("v")},
                                      {"u", plan_iri("u")},
                                      {"t", plan_iri("t")},
                                      {"d", plan_iri("d")}}});
  }
  std::vector<const BindingSet*> ptrs;
  for (const auto& r : rows) ptrs.push_back(&r);
  EXPECT_THAT(evaluate_cover(*plan, ptrs), SizeIs(5));
}

TEST(PlanCover, LevelTwoJoinsThreeCandidatesIntoOneBinding) {
  // TNO TestAskAnswer5: a 4-triple ASK covered by 3 ANSWER KIs, joined on the subject.
  auto target = plan_compile("?s a ex:C . ?s ex:p1 ?a . ?s ex:p2 ?b . ?s ex:p3 ?c .");
  auto k1 = plan_compile("?x a ex:C . ?x ex:p1 ?y .");
  auto k2 = plan_compile("?x ex:p2 ?y .");
  auto k3 = plan_compile("?x ex:p3 ?y .");
  auto plan = plan_cover(target, {&k1, &k2, &k3}, level2);
  ASSERT_THAT(plan, IsOk());
  ASSERT_THAT(plan->covers, SizeIs(1));
  EXPECT_THAT(plan->covers[0], SizeIs(3));
  std::vector<BindingSet> rows(plan->sources.size());
  const std::vector<BindingSet> answers{
      BindingSet{Binding{{"x", plan_iri("s1")}, {"y", plan_iri("a1")}}},
      BindingSet{Binding{{"x", plan_iri("s1")}, {"y", plan_iri("b1")}},
                 Binding{{"x", plan_iri("s2")}, {"y", plan_iri("b2")}}},
      BindingSet{Binding{{"x", plan_iri("s1")}, {"y", plan_iri("c1")}}}};
  const std::vector<const CompiledPattern*> cands{&k1, &k2, &k3};
  for (std::size_t s = 0; s < plan->sources.size(); ++s) {
    const auto& src = plan->sources[s];
    rows[s] = from_candidate(answers[src.candidate], target, *cands[src.candidate], src.match);
  }
  std::vector<const BindingSet*> ptrs;
  for (const auto& r : rows) ptrs.push_back(&r);
  EXPECT_EQ(evaluate_cover(*plan, ptrs), (BindingSet{Binding{{"s", plan_iri("s1")},
                                                             {"a", plan_iri("a1")},
                                                             {"b", plan_iri("b1")},
                                                             {"c", plan_iri("c1")}}}));
}

TEST(PlanCover, LevelOneNeedsOneCandidateCoveringEverything) {
  auto target = plan_compile("?s a ex:C . ?s ex:p1 ?a .");
  auto k1 = plan_compile("?x a ex:C .");
  auto k2 = plan_compile("?x ex:p1 ?y .");
  auto split = plan_cover(target, {&k1, &k2}, level1);
  ASSERT_THAT(split, IsOk());
  EXPECT_TRUE(split->covers.empty());
  auto both = plan_cover(target, {&k1, &k2}, level2);
  ASSERT_THAT(both, IsOk());
  EXPECT_THAT(both->covers, SizeIs(1));
  auto k3 = plan_compile("?x a ex:C . ?x ex:p1 ?y . ?x ex:p9 ?z .");
  auto single = plan_cover(target, {&k1, &k3}, level1);
  ASSERT_THAT(single, IsOk());
  ASSERT_THAT(single->covers, SizeIs(1));
  EXPECT_EQ(single->sources[single->groups[single->covers[0][0]].sources[0]].candidate, 1u);
}

TEST(PlanCover, UncoveredTripleMeansNoCoverWhenFullyCovered) {
  auto target = plan_compile("?s ex:p ?a . ?s ex:missing ?b .");
  auto k1 = plan_compile("?x ex:p ?y .");
  auto plan = plan_cover(target, {&k1}, level2);
  ASSERT_THAT(plan, IsOk());
  EXPECT_TRUE(plan->covers.empty());
  EXPECT_EQ(plan->uncovered, 0b10u);
  auto partial = plan_cover(target, {&k1}, MatchFlags::for_level(4, MatchDirection::backward));
  ASSERT_THAT(partial, IsOk());
  EXPECT_THAT(partial->covers, SizeIs(1));
}

TEST(PlanCover, CoversAreMinimal) {
  auto target = plan_compile("?s ex:p ?a . ?s ex:q ?b .");
  auto both = plan_compile("?x ex:p ?y . ?x ex:q ?z .");
  auto p = plan_compile("?x ex:p ?y .");
  auto q = plan_compile("?x ex:q ?y .");
  auto plan = plan_cover(target, {&both, &p, &q}, level2);
  ASSERT_THAT(plan, IsOk());
  // {both} and {p, q}; never {both, p}.
  EXPECT_THAT(plan->covers, SizeIs(2));
}

TEST(PlanCover, CombinationCapGivesClearError) {
  // 6 triples, each supplied by 4 different single-triple candidates of distinct shapes:
  // 4^6 = 4,096 minimal covers, more than the cap allows.
  std::string text;
  for (int i = 0; i < 6; ++i)
    text += "?s ex:p" + std::to_string(i) + " ?o" + std::to_string(i) + " . ";
  auto target = plan_compile(text);
  std::vector<CompiledPattern> kis;
  for (int i = 0; i < 6; ++i) {
    for (int k = 0; k < 4; ++k) {
      // A different extra triple per candidate keeps them in different groups only when
      // the coverage differs; here coverage is the same, so they share one group per triple.
      kis.push_back(plan_compile("?x ex:p" + std::to_string(i) + " ?y" + std::to_string(k) + " ."));
    }
  }
  std::vector<const CompiledPattern*> cands;
  for (const auto& k : kis) cands.push_back(&k);
  auto grouped = plan_cover(target, cands, level2);
  ASSERT_THAT(grouped, IsOk());
  EXPECT_THAT(grouped->groups, SizeIs(6));  // equivalent covers recognised: 6 groups
  EXPECT_THAT(grouped->covers, SizeIs(1));
  // Overlapping pairs make many distinct groups; a tiny cap trips.
  std::vector<CompiledPattern> pairs;
  for (int i = 0; i < 6; ++i) {
    for (int j = i + 1; j < 6; ++j) {
      pairs.push_back(plan_compile("?x ex:p" + std::to_string(i) + " ?a . ?x ex:p" +
                                   std::to_string(j) + " ?b ."));
    }
  }
  std::vector<const CompiledPattern*> pcands;
  for (const auto& k : pairs) pcands.push_back(&k);
  CoverLimits limits;
  limits.max_combinations = 5;
  EXPECT_THAT(plan_cover(target, pcands, level2, limits),
              HasError(ErrorCode::failed_precondition, HasSubstr("gave up after 5")));
}

TEST(PatternIndex, FindsCandidatesByPredicate) {
  PatternIndex index;
  auto a = plan_compile("?x ex:p ?y .");
  auto b = plan_compile("?x ex:q ?y .");
  auto c = plan_compile("?x ?anything ?y .");
  index.add(0, a);
  index.add(1, b);
  index.add(2, c);
  EXPECT_EQ(index.candidates_for(plan_compile("?s ex:p ?o .")), (std::vector<std::size_t>{0, 2}));
  EXPECT_EQ(index.candidates_for(plan_compile("?s ex:r ?o .")), (std::vector<std::size_t>{2}));
  EXPECT_EQ(index.candidates_for(plan_compile("?s ?p ?o .")), (std::vector<std::size_t>{0, 1, 2}));
}

TEST(PatternIndex, UsesConcreteObjectsToTellTypesApart) {
  PatternIndex index;
  index.add(0, plan_compile("?x a ex:Meter . ?x ex:p ?y ."));
  index.add(1, plan_compile("?x a ex:Sensor ."));
  index.add(2, plan_compile("?x a ?type ."));
  index.add(3, plan_compile("?x ex:v 1 ."));
  EXPECT_EQ(index.candidates_for(plan_compile("?s a ex:Meter .")),
            (std::vector<std::size_t>{0, 2}));
  EXPECT_EQ(index.candidates_for(plan_compile("?s a ?t .")), (std::vector<std::size_t>{0, 1, 2}));
  // Literal objects unify by value, so they never narrow the search.
  EXPECT_EQ(index.candidates_for(plan_compile("?s ex:v 1.0 .")), (std::vector<std::size_t>{3}));
}

}  // namespace
}  // namespace gridke::pattern
