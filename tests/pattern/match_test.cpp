#include "gridke/pattern/match.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "gridke_matchers.hpp"

namespace gridke::pattern {
namespace {

using ::testing::HasSubstr;
using ::testing::SizeIs;

CompiledPattern compile(const std::string& text) {
  auto p = GraphPattern::parse(
      text, {{"ex", "http://example.org/"}, {"xsd", "http://www.w3.org/2001/XMLSchema#"}});
  EXPECT_TRUE(p.has_value()) << text;
  return CompiledPattern(p.has_value() ? *p : GraphPattern{});
}

rdf::Term match_iri(const std::string& local) {
  return rdf::Term::iri("http://example.org/" + local);
}

MatchOptions full() {
  MatchOptions o;
  o.require_full = true;
  return o;
}

// Name of the candidate node a target variable maps to.
std::string image(const CompiledPattern& t, const CompiledPattern& c, const PatternMatch& m,
                  const std::string& var) {
  const int n = m.image_of(t.variable_index(var));
  return n < 0 ? "<none>" : c.node(n).to_string();
}

TEST(FindMatches, IsomorphicPatternsMatchWhateverTheNamesAndOrder) {
  auto t = compile("?a ex:p ?b . ?b ex:q ?c .");
  auto c = compile("?x ex:q ?y . ?z ex:p ?x .");
  auto m = find_matches(t, c, full());
  ASSERT_THAT(m, IsOk());
  ASSERT_THAT(*m, SizeIs(1));
  EXPECT_TRUE((*m)[0].is_full(t));
  EXPECT_EQ(image(t, c, (*m)[0], "a"), "?z");
  EXPECT_EQ(image(t, c, (*m)[0], "b"), "?x");
  EXPECT_EQ(image(t, c, (*m)[0], "c"), "?y");
}

TEST(FindMatches, CyclicPatternHasOneMatchPerAutomorphism) {
  auto t = compile("?a ex:p ?b . ?b ex:p ?a .");
  auto c = compile("?x ex:p ?y . ?y ex:p ?x .");
  auto m = find_matches(t, c, full());
  ASSERT_THAT(m, IsOk());
  EXPECT_THAT(*m, SizeIs(2));
}

TEST(FindMatches, VariableUnifiesWithConstantInBothDirections) {
  auto ask = compile("?x ex:b ?y .");
  auto answer = compile("?a ex:b ex:c .");
  auto m = find_matches(ask, answer, full());
  ASSERT_THAT(m, IsOk());
  ASSERT_THAT(*m, SizeIs(1));
  // The answerer's constant fills the asker's variable (TNO TestAskAnswer).
  BindingSet rows{Binding{{"a", match_iri("a")}}};
  BindingSet out = from_candidate(rows, ask, answer, (*m)[0]);
  EXPECT_EQ(out, (BindingSet{Binding{{"x", match_iri("a")}, {"y", match_iri("c")}}}));
  // And the asker's constant constrains the answerer's variable.
  auto ask2 = compile("ex:s ex:b ?y .");
  auto answer2 = compile("?a ex:b ?c .");
  auto m2 = find_matches(ask2, answer2, full());
  ASSERT_THAT(m2, IsOk());
  ASSERT_THAT(*m2, SizeIs(1));
  EXPECT_EQ(to_candidate(BindingSet{}, ask2, answer2, (*m2)[0]),
            (BindingSet{Binding{{"a", match_iri("s")}}}));
}

TEST(FindMatches, DifferentConstantsDoNotMatch) {
  auto m = find_matches(compile("?x ex:b ex:c ."), compile("?a ex:b ex:d ."), full());
  ASSERT_THAT(m, IsOk());
  EXPECT_TRUE(m->empty());
  auto m2 = find_matches(compile("?x ex:b ?y ."), compile("?a ex:other ?c ."), MatchOptions{});
  ASSERT_THAT(m2, IsOk());
  EXPECT_TRUE(m2->empty());
}

TEST(FindMatches, LiteralsMatchByValue) {
  auto m =
      find_matches(compile("?s ex:v 10 ."), compile("?s ex:v \"10.0\"^^xsd:decimal ."), full());
  ASSERT_THAT(m, IsOk());
  EXPECT_THAT(*m, SizeIs(1));
  auto m2 = find_matches(compile("?s ex:v 10 ."), compile("?s ex:v 11 ."), full());
  ASSERT_THAT(m2, IsOk());
  EXPECT_TRUE(m2->empty());
}

TEST(FindMatches, MappingIsInjective) {
  // Two target variables cannot map onto one candidate variable...
  auto m = find_matches(compile("?a ex:p ?b ."), compile("?x ex:p ?x ."), full());
  ASSERT_THAT(m, IsOk());
  EXPECT_TRUE(m->empty());
  // ...nor one target variable onto two candidate variables.
  auto m2 = find_matches(compile("?a ex:p ?a ."), compile("?x ex:p ?y ."), full());
  ASSERT_THAT(m2, IsOk());
  EXPECT_TRUE(m2->empty());
  // Two constants cannot both map onto one variable.
  auto m3 = find_matches(compile("ex:s ex:p ex:o . ex:o ex:p ex:s ."),
                         compile("?x ex:p ?y . ?y ex:p ?x ."), full());
  ASSERT_THAT(m3, IsOk());
  EXPECT_THAT(*m3, SizeIs(2));  // the candidate's two automorphisms
  auto m4 = find_matches(compile("ex:s ex:p ex:o . ex:t ex:p ex:s ."),
                         compile("?x ex:p ?y . ?y ex:p ?x ."), full());
  ASSERT_THAT(m4, IsOk());
  EXPECT_TRUE(m4->empty());
}

TEST(FindMatches, SupersetCandidateCoversSubsetTargetButNotTheReverse) {
  auto small = compile("?s ex:p ?o .");
  auto big = compile("?x ex:p ?y . ?x ex:q ?z .");
  auto covered = find_matches(small, big, full());
  ASSERT_THAT(covered, IsOk());
  EXPECT_THAT(*covered, SizeIs(1));
  auto reverse = find_matches(big, small, full());
  ASSERT_THAT(reverse, IsOk());
  EXPECT_TRUE(reverse->empty());
  auto partial = find_matches(big, small, MatchOptions{});
  ASSERT_THAT(partial, IsOk());
  ASSERT_THAT(*partial, SizeIs(1));
  EXPECT_EQ((*partial)[0].covered, 1u);
  EXPECT_EQ((*partial)[0].triple_map, (std::vector<int>{0, -1}));
}

TEST(FindMatches, OnlyBiggestDropsSubMatches) {
  auto t = compile("?s ex:p ?o . ?s ex:q ?r . ?s ex:r ?t .");
  auto c = compile("?x ex:p ?y . ?x ex:q ?z .");
  auto biggest = find_matches(t, c, MatchOptions{});
  ASSERT_THAT(biggest, IsOk());
  ASSERT_THAT(*biggest, SizeIs(1));
  EXPECT_EQ((*biggest)[0].covered, 0b011u);
  MatchOptions all;
  all.only_biggest = false;
  auto every = find_matches(t, c, all);
  ASSERT_THAT(every, IsOk());
  EXPECT_THAT(*every, SizeIs(3));  // {p}, {q}, {p,q}
}

TEST(FindMatches, OneToOneOffLetsCandidateTriplesBeReused) {
  // Transitivity-style target onto a single candidate triple (NOTES §2.2, level 3+).
  auto t = compile("?x ex:p ?y . ?y ex:p ?z .");
  auto c = compile("?a ex:p ?b .");
  MatchOptions o;
  auto strict = find_matches(t, c, o);
  ASSERT_THAT(strict, IsOk());
  for (const auto& m : *strict) EXPECT_NE(m.covered, 0b11u);
  // Even without ONE_TO_ONE the node mapping stays injective, so both triples cannot map onto
  // the one candidate triple (y would need both ?a and ?b).
  o.one_to_one = false;
  auto loose = find_matches(t, c, o);
  ASSERT_THAT(loose, IsOk());
  for (const auto& m : *loose) EXPECT_NE(m.covered, 0b11u);
}

TEST(FindMatches, StepCapGivesClearErrorInsteadOfStalling) {
  std::string eight;
  for (int i = 0; i < 8; ++i) {
    eight +=
        "?s" + std::to_string(i) + " ?p" + std::to_string(i) + " ?o" + std::to_string(i) + " . ";
  }
  auto t = compile(eight);
  MatchOptions o;
  o.max_steps = 1000;
  EXPECT_THAT(find_matches(t, t, o),
              HasError(ErrorCode::failed_precondition, HasSubstr("gave up after 1000")));
  o.max_steps = 100'000'000;
  o.max_matches = 10;
  EXPECT_THAT(find_matches(t, t, o),
              HasError(ErrorCode::failed_precondition, HasSubstr("more than 10 matches")));
}

TEST(FindMatches, FullyMatchesStopsAtTheFirstMatch) {
  auto t = compile("?a ?p ?b . ?c ?q ?d . ?e ?r ?f .");
  auto r = fully_matches(t, t, MatchOptions{});
  ASSERT_THAT(r, IsOk());
  EXPECT_TRUE(*r);
  auto r2 =
      fully_matches(compile("?a ex:p ?b . ?b ex:p ?c ."), compile("?a ex:p ?b ."), MatchOptions{});
  ASSERT_THAT(r2, IsOk());
  EXPECT_FALSE(*r2);
}

TEST(FindMatches, TranslationDropsContradictingBindings) {
  auto t = compile("?x ex:b ?y .");
  auto c = compile("?a ex:b ex:c .");
  auto m = find_matches(t, c, full());
  ASSERT_THAT(m, IsOk());
  ASSERT_THAT(*m, SizeIs(1));
  BindingSet in{Binding{{"x", match_iri("1")}, {"y", match_iri("c")}},
                Binding{{"x", match_iri("2")}, {"y", match_iri("d")}}};
  EXPECT_EQ(to_candidate(in, t, c, (*m)[0]), (BindingSet{Binding{{"a", match_iri("1")}}}));
  // A candidate row that lacks a variable is dropped.
  EXPECT_TRUE(from_candidate(BindingSet{Binding{{"zz", match_iri("1")}}}, t, c, (*m)[0]).empty());
}

TEST(MatchFlags, FollowTheKeLevelTable) {
  EXPECT_EQ(MatchFlags::for_level(1, MatchDirection::backward),
            (MatchFlags{true, true, true, true}));
  EXPECT_EQ(MatchFlags::for_level(1, MatchDirection::forward),
            (MatchFlags{true, true, true, true}));
  EXPECT_EQ(MatchFlags::for_level(2, MatchDirection::backward),
            (MatchFlags{true, true, false, true}));
  EXPECT_EQ(MatchFlags::for_level(2, MatchDirection::forward),
            (MatchFlags{true, true, false, false}));
  EXPECT_EQ(MatchFlags::for_level(3, MatchDirection::backward),
            (MatchFlags{false, true, false, true}));
  EXPECT_EQ(MatchFlags::for_level(4, MatchDirection::backward),
            (MatchFlags{false, true, false, false}));
  EXPECT_EQ(MatchFlags::for_level(5, MatchDirection::forward),
            (MatchFlags{false, false, false, false}));
}

TEST(CheckMatchable, RejectsPatternsOverSixtyFourTriples) {
  std::vector<TriplePattern> triples;
  for (int i = 0; i < 65; ++i) {
    triples.push_back({Variable{"s"}, rdf::Term::iri("http://example.org/p" + std::to_string(i)),
                       Variable{"o" + std::to_string(i)}});
  }
  EXPECT_THAT(check_matchable(GraphPattern(triples)),
              HasError(ErrorCode::invalid_argument, HasSubstr("has 65 triples")));
  triples.pop_back();
  EXPECT_THAT(check_matchable(GraphPattern(triples)), IsOk());
}

}  // namespace
}  // namespace gridke::pattern
