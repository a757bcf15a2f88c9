#include "gridke/pattern/binding.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "gridke/rdf/vocabulary.hpp"
#include "gridke_matchers.hpp"

namespace gridke::pattern {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

rdf::Term iri(const std::string& local) { return rdf::Term::iri("http://example.org/" + local); }
rdf::Term integer(const std::string& lex) {
  return rdf::Term::literal(lex, std::string(rdf::vocab::xsd_integer));
}

GraphPattern pattern(std::string_view text) {
  auto r = GraphPattern::parse(text, {{"ex", "http://example.org/"}});
  EXPECT_THAT(r, IsOk());
  return r ? *r : GraphPattern();
}

// ---- Binding -----------------------------------------------------------------------------------

TEST(Binding, KeepsValuesSortedByName) {
  Binding b;
  b.set("z", iri("z"));
  b.set("a", iri("a"));
  b.set("m", iri("m"));
  ASSERT_EQ(b.size(), 3u);
  EXPECT_EQ(b.values()[0].first, "a");
  EXPECT_EQ(b.values()[1].first, "m");
  EXPECT_EQ(b.values()[2].first, "z");
}

TEST(Binding, ReserveKeepsContentsAndOrder) {
  Binding b{{"z", rdf::Term::iri("http://example.org/z")}};
  b.reserve(8);
  b.set("a", rdf::Term::iri("http://example.org/a"));
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(b.values().front().first, "a");
  EXPECT_EQ(*b.find("z"), rdf::Term::iri("http://example.org/z"));
}

TEST(Binding, SetReplacesAnEarlierValue) {
  Binding b{{"x", iri("1")}};
  b.set("x", iri("2"));
  EXPECT_EQ(b.size(), 1u);
  ASSERT_NE(b.find("x"), nullptr);
  EXPECT_EQ(*b.find("x"), iri("2"));
}

TEST(Binding, FindsOnlyBoundVariables) {
  Binding b{{"x", iri("1")}, {"y", integer("2")}};
  EXPECT_TRUE(b.contains("x"));
  EXPECT_TRUE(b.contains("y"));
  EXPECT_FALSE(b.contains("z"));
  EXPECT_FALSE(b.contains("?x"));
  EXPECT_EQ(b.find("w"), nullptr);
  EXPECT_TRUE(Binding().empty());
}

TEST(Binding, EqualWhateverTheInsertionOrder) {
  Binding a{{"x", iri("1")}, {"y", iri("2")}};
  Binding b{{"y", iri("2")}, {"x", iri("1")}};
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.hash(), b.hash());
  EXPECT_NE(a, (Binding{{"x", iri("1")}, {"y", iri("3")}}));
  EXPECT_NE(a, (Binding{{"x", iri("1")}}));
}

TEST(Binding, EqualityIsRdfTermEquality) {
  // "1" and "01" are the same integer value but different terms.
  EXPECT_NE((Binding{{"x", integer("1")}}), (Binding{{"x", integer("01")}}));
  EXPECT_EQ((Binding{{"x", rdf::Term::literal("a")}}),
            (Binding{{"x", rdf::Term::literal("a", std::string(rdf::vocab::xsd_string))}}));
}

TEST(Binding, CompatibleWhenSharedVariablesHaveTheSameValue) {
  Binding a{{"x", iri("1")}, {"y", iri("2")}};
  EXPECT_TRUE(a.is_compatible_with(Binding{{"x", iri("1")}, {"z", iri("9")}}));
  EXPECT_FALSE(a.is_compatible_with(Binding{{"x", iri("1")}, {"y", iri("3")}}));
  EXPECT_TRUE(a.is_compatible_with(Binding{{"w", iri("1")}}));
  EXPECT_TRUE(a.is_compatible_with(Binding{}));
  // sameValueAs: "1"^^xsd:integer and "1.0"^^xsd:decimal are the same value.
  Binding n{{"v", integer("1")}};
  EXPECT_TRUE(n.is_compatible_with(
      Binding{{"v", rdf::Term::literal("1.0", std::string(rdf::vocab::xsd_decimal))}}));
  EXPECT_FALSE(n.is_compatible_with(Binding{{"v", integer("2")}}));
}

TEST(Binding, ProjectKeepsOnlyNamedVariables) {
  Binding b{{"x", iri("1")}, {"y", iri("2")}, {"z", iri("3")}};
  EXPECT_EQ(b.project({"z", "x", "absent"}), (Binding{{"x", iri("1")}, {"z", iri("3")}}));
  EXPECT_TRUE(b.project({}).empty());
}

// ---- parse_binding -----------------------------------------------------------------------------

TEST(ParseBinding, ParsesEveryValueForm) {
  auto r = parse_binding({{"m", "<http://ex.org/m1>"},
                          {"f", "68.2"},
                          {"n", "10"},
                          {"s", "\"plain\""},
                          {"l", "\"eek\"@en"},
                          {"t", "\"21.2\"^^<http://www.w3.org/2001/XMLSchema#float>"}});
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->size(), 6u);
  EXPECT_EQ(*r->find("m"), rdf::Term::iri("http://ex.org/m1"));
  EXPECT_EQ(*r->find("f"), rdf::Term::literal("68.2", std::string(rdf::vocab::xsd_decimal)));
  EXPECT_EQ(*r->find("n"), integer("10"));
  EXPECT_EQ(*r->find("s"), rdf::Term::literal("plain"));
  EXPECT_EQ(*r->find("l"), rdf::Term::literal("eek", {}, "en"));
  EXPECT_EQ(r->find("t")->datatype(), "http://www.w3.org/2001/XMLSchema#float");
  EXPECT_THAT(parse_binding({}), IsOk());
}

TEST(ParseBinding, RejectsQuestionMarkInKeyWithTnoNote) {
  EXPECT_THAT(parse_binding({{"?x", "<http://ex.org/a>"}}),
              HasError(ErrorCode::invalid_argument,
                       "Binding key '?x' is not a variable name: Note that the question mark "
                       "should NOT be included in your binding keys."));
}

TEST(ParseBinding, RejectsEmptyAndDuplicateKeys) {
  EXPECT_THAT(parse_binding({{"", "<http://ex.org/a>"}}),
              HasError(ErrorCode::invalid_argument,
                       "Binding key must be a non-empty variable name (value <http://ex.org/a>)"));
  EXPECT_THAT(
      parse_binding({{"x", "<http://ex.org/a>"}, {"x", "<http://ex.org/b>"}}),
      HasError(ErrorCode::invalid_argument, "Binding has more than one value for variable 'x'"));
}

TEST(ParseBinding, RejectsVariableValuesNamingVariableAndValue) {
  EXPECT_THAT(parse_binding({{"x", "?y"}}),
              HasError(ErrorCode::parse_error,
                       "Binding value for variable 'x' is not a concrete RDF term: ?y. Binding "
                       "values should be concrete nodes (either RDF literals or RDF URIs)."));
}

TEST(ParseBinding, RejectsOtherBadValuesNamingVariableAndValue) {
  for (const char* bad : {"ex:a", "\"unterminated", "<http://ex.org/a>;<http://ex.org/b>",
                          "\"1.2\"^^http://www.w3.org/2001/XMLSchema#float"}) {
    SCOPED_TRACE(bad);
    auto r = parse_binding({{"v", bad}});
    EXPECT_THAT(r, HasError(ErrorCode::parse_error,
                            HasSubstr("Binding value for variable 'v' is not a valid RDF term: ")));
  }
  EXPECT_THAT(parse_binding({{"v", "ex:a"}}), HasError(ErrorCode::parse_error, HasSubstr("ex:a")));
}

// ---- BindingSet --------------------------------------------------------------------------------

TEST(BindingSet, CollapsesDuplicates) {
  BindingSet s;
  EXPECT_TRUE(s.insert(Binding{{"x", iri("1")}}));
  EXPECT_FALSE(s.insert(Binding{{"x", iri("1")}}));
  EXPECT_TRUE(s.insert(Binding{{"x", iri("2")}}));
  EXPECT_TRUE(s.insert(Binding{}));
  EXPECT_FALSE(s.insert(Binding{}));
  EXPECT_EQ(s.size(), 3u);
  EXPECT_TRUE(s.contains(Binding{{"x", iri("2")}}));
  EXPECT_FALSE(s.contains(Binding{{"x", iri("3")}}));
  EXPECT_FALSE(BindingSet().contains(Binding{}));
}

TEST(BindingSet, IteratesInFirstInsertionOrder) {
  BindingSet s{Binding{{"x", iri("b")}}, Binding{{"x", iri("a")}}, Binding{{"x", iri("b")}},
               Binding{{"x", iri("c")}}};
  std::vector<std::string> order;
  for (const Binding& b : s) order.push_back(b.find("x")->value());
  EXPECT_THAT(order,
              ElementsAre("http://example.org/b", "http://example.org/a", "http://example.org/c"));
}

TEST(BindingSet, EqualityIgnoresOrderAndDuplicates) {
  BindingSet a{Binding{{"x", iri("1")}}, Binding{{"x", iri("2")}, {"y", iri("3")}}};
  BindingSet b{Binding{{"y", iri("3")}, {"x", iri("2")}}, Binding{{"x", iri("1")}},
               Binding{{"x", iri("1")}}};
  EXPECT_EQ(a, b);
  EXPECT_NE(a, (BindingSet{Binding{{"x", iri("1")}}}));
  EXPECT_NE(a, (BindingSet{Binding{{"x", iri("1")}}, Binding{{"x", iri("9")}}}));
  EXPECT_EQ(BindingSet(), BindingSet());
  // [] and [{}] are different sets.
  EXPECT_NE(BindingSet(), BindingSet{Binding{}});
}

TEST(BindingSet, InsertAllUnitesSets) {
  BindingSet a{Binding{{"x", iri("1")}}, Binding{{"x", iri("2")}}};
  BindingSet b{Binding{{"x", iri("2")}}, Binding{{"x", iri("3")}}};
  a.insert_all(b);
  EXPECT_EQ(a, (BindingSet{Binding{{"x", iri("1")}}, Binding{{"x", iri("2")}},
                           Binding{{"x", iri("3")}}}));
  a.insert_all(a);
  EXPECT_EQ(a.size(), 3u);
}

TEST(BindingSet, HoldsThousandsOfBindingsWithSevenVariables) {
  // The TestAskAnswerLargeBindingSets shape (NOTES §3 item 33): 3,000 bindings × 7 variables.
  BindingSet s;
  s.reserve(100);  // grows past the reservation
  for (int i = 0; i < 3000; ++i) {
    Binding b;
    for (int v = 0; v < 7; ++v) {
      b.set("v" + std::to_string(v),
            v == 6 ? integer(std::to_string(i)) : iri("n" + std::to_string(i % 50)));
    }
    EXPECT_TRUE(s.insert(std::move(b)));
  }
  EXPECT_EQ(s.size(), 3000u);
  for (int i = 0; i < 3000; i += 7) {
    Binding b;
    for (int v = 0; v < 7; ++v) {
      b.set("v" + std::to_string(v),
            v == 6 ? integer(std::to_string(i)) : iri("n" + std::to_string(i % 50)));
    }
    EXPECT_FALSE(s.insert(b));
    EXPECT_TRUE(s.contains(b));
  }
  EXPECT_EQ(s.size(), 3000u);
  BindingSet copy = s;
  EXPECT_TRUE(copy.insert(Binding{{"other", iri("x")}}));
  EXPECT_EQ(s.size(), 3000u);
  EXPECT_NE(copy, s);
}

TEST(BindingSet, CopiesStayIndependentWhicheverIsModified) {
  const BindingSet original{Binding{{"x", iri("1")}}, Binding{{"x", iri("2")}}};
  BindingSet copy = original;
  EXPECT_EQ(copy, original);
  EXPECT_EQ(&*copy.begin(), &*original.begin());  // shared until written
  EXPECT_TRUE(copy.insert(Binding{{"x", iri("3")}}));
  EXPECT_EQ(original.size(), 2u);
  EXPECT_FALSE(original.contains(Binding{{"x", iri("3")}}));
  EXPECT_EQ(copy.size(), 3u);

  BindingSet source{Binding{{"x", iri("1")}}};
  BindingSet assigned;
  assigned = source;
  EXPECT_TRUE(source.insert(Binding{{"x", iri("9")}}));
  EXPECT_EQ(assigned, (BindingSet{Binding{{"x", iri("1")}}}));
  EXPECT_EQ(source.size(), 2u);
  source.reserve(64);
  EXPECT_EQ(assigned.size(), 1u);
  const BindingSet& same = assigned;  // through a reference: clang warns on a literal `x = x`
  assigned = same;                    // self-assignment keeps the contents
  EXPECT_EQ(assigned.size(), 1u);
}

TEST(BindingSet, MovedFromSetIsEmptyAndReusable) {
  BindingSet a{Binding{{"x", iri("1")}}};
  BindingSet b = std::move(a);
  EXPECT_EQ(b.size(), 1u);
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): documented state
  EXPECT_EQ(a.begin(), a.end());
  EXPECT_TRUE(a.insert(Binding{{"x", iri("2")}}));
  EXPECT_EQ(a.size(), 1u);
  EXPECT_EQ(b, (BindingSet{Binding{{"x", iri("1")}}}));
  BindingSet c;
  c = std::move(b);
  EXPECT_EQ(c.size(), 1u);
  EXPECT_TRUE(b.empty());  // NOLINT(bugprone-use-after-move)
}

TEST(BindingSet, InsertAllIntoAnEmptySetKeepsBothIndependent) {
  BindingSet into;
  into.reserve(8);
  const BindingSet rows{Binding{{"x", iri("1")}}, Binding{{"x", iri("2")}}};
  into.insert_all(rows);
  EXPECT_EQ(into, rows);
  EXPECT_TRUE(into.insert(Binding{{"x", iri("3")}}));
  EXPECT_EQ(rows.size(), 2u);
  EXPECT_EQ(into.size(), 3u);
  into.insert_all(BindingSet{});
  EXPECT_EQ(into.size(), 3u);
}

TEST(BindingSet, SharedCopiesCanBeModifiedOnSeveralThreadsAtOnce) {
  BindingSet shared;
  for (int i = 0; i < 200; ++i) shared.insert(Binding{{"x", iri(std::to_string(i))}});
  std::vector<BindingSet> results(4);
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < results.size(); ++t) {
    threads.emplace_back([&shared, &results, t] {
      for (int round = 0; round < 50; ++round) {
        BindingSet mine = shared;  // each thread copies (shares) and then writes its copy
        mine.insert(Binding{{"t", iri(std::to_string(t))}});
        results[t] = std::move(mine);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(shared.size(), 200u);
  for (std::size_t t = 0; t < results.size(); ++t) {
    EXPECT_EQ(results[t].size(), 201u);
    EXPECT_TRUE(results[t].contains(Binding{{"t", iri(std::to_string(t))}}));
  }
}

// ---- check_keys / check_complete (NOTES §1.4 POST /sc/handle) ------------------------------

TEST(CheckKeys, AcceptsPartialBindingsOfPatternVariables) {
  GraphPattern p = pattern("?a ex:isRelatedTo ?b");
  EXPECT_THAT(check_keys(BindingSet{Binding{{"a", iri("x")}}, Binding{}}, p), IsOk());
  EXPECT_THAT(check_keys(BindingSet{}, p), IsOk());
}

TEST(CheckKeys, RejectsUnknownKeyWithTnoMessage) {
  GraphPattern p = pattern("?a ex:isRelatedTo ?b");
  EXPECT_THAT(check_keys(BindingSet{Binding{{"a", iri("x")}, {"c", iri("y")}}}, p),
              HasError(ErrorCode::invalid_argument,
                       "Given binding set uses key 'c', but this does not occur as a variable in "
                       "graph pattern '?a <http://example.org/isRelatedTo> ?b . '."));
}

TEST(CheckKeys, RejectsBlankNodeValues) {
  GraphPattern p = pattern("?a ex:isRelatedTo ?b");
  EXPECT_THAT(check_keys(BindingSet{Binding{{"a", rdf::Term::blank("n1")}}}, p),
              HasError(ErrorCode::invalid_argument, "'_:n1' is not an unprefixed URI or literal."));
}

TEST(CheckKeys, BlankNodeVariablesAreNotKeys) {
  GraphPattern p = pattern("_:m ex:hasValue ?v");
  EXPECT_THAT(check_keys(BindingSet{Binding{{"_:m", iri("x")}}}, p),
              HasError(ErrorCode::invalid_argument, HasSubstr("uses key '_:m'")));
  EXPECT_THAT(check_complete(BindingSet{Binding{{"v", integer("1")}}}, p), IsOk());
}

TEST(CheckComplete, AcceptsCompleteBindings) {
  GraphPattern p = pattern("?a ex:isRelatedTo ?b . ?b ex:p 5");
  EXPECT_THAT(check_complete(BindingSet{Binding{{"a", iri("x")}, {"b", iri("y")}},
                                        Binding{{"a", iri("z")}, {"b", iri("y")}}},
                             p),
              IsOk());
  EXPECT_THAT(check_complete(BindingSet{}, p), IsOk());
}

TEST(CheckComplete, RejectsMissingVariablesWithTnoMessage) {
  GraphPattern p = pattern("?a ex:isRelatedTo ?b");
  EXPECT_THAT(check_complete(BindingSet{Binding{{"a", iri("x")}}}, p),
              HasError(ErrorCode::invalid_argument,
                       "Expected a complete binding, but was missing some variable(s) that ARE in "
                       "the graph pattern ('?a <http://example.org/isRelatedTo> ?b . '), but are "
                       "missing from the binding, namely: [b]. Note that the question mark should "
                       "NOT be included in your binding keys."));
}

TEST(CheckComplete, ListsMissingVariablesInJavaHashSetOrder) {
  // Expected lists printed by OpenJDK 17 for new HashSet<>(Stream.of(...).collect(toSet())).
  EXPECT_THAT(check_complete(BindingSet{Binding{}}, pattern("?ba ex:p ?c")),
              HasError(ErrorCode::invalid_argument, HasSubstr("namely: [c, ba].")));
  GraphPattern meter = pattern(
      "?node ex:makesMeasurement ?measurement . ?measurement ex:relatesToProperty ?property . "
      "?property a ?type . ?measurement ex:isMeasuredIn ?unit . ?measurement ex:hasValue ?value . "
      "?measurement ex:hasTimestamp ?timestamp");
  EXPECT_THAT(check_complete(BindingSet{Binding{}}, meter),
              HasError(ErrorCode::invalid_argument,
                       HasSubstr("namely: [node, unit, property, type, value, measurement, "
                                 "timestamp].")));
  std::string many;
  for (int i = 0; i < 30; ++i) many += "?s ex:p ?v" + std::to_string(i) + " . ";
  EXPECT_THAT(
      check_complete(BindingSet{Binding{{"s", iri("s")}}}, pattern(many)),
      HasError(ErrorCode::invalid_argument,
               HasSubstr("namely: [v6, v7, v8, v9, v10, v12, v11, v14, v13, v16, v15, v18, v17, "
                         "v19, v21, v20, v23, v22, v25, v24, v0, v27, v1, v26, v2, v29, v3, v28, "
                         "v4, v5].")));
  EXPECT_THAT(check_complete(BindingSet{Binding{}},
                             pattern("?temp\xC3\xA9rature ex:p ?x\xF0\x9F\x98\x80 . ?a ex:p ?a")),
              HasError(ErrorCode::invalid_argument,
                       HasSubstr("namely: [a, x\xF0\x9F\x98\x80, temp\xC3\xA9rature].")));
}

TEST(CheckComplete, ReportsUnknownKeysBeforeMissingOnes) {
  GraphPattern p = pattern("?a ex:isRelatedTo ?b");
  EXPECT_THAT(check_complete(BindingSet{Binding{{"a", iri("x")}, {"zz", iri("y")}}}, p),
              HasError(ErrorCode::invalid_argument, HasSubstr("uses key 'zz'")));
}

}  // namespace
}  // namespace gridke::pattern
