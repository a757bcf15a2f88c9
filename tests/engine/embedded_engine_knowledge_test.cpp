// EmbeddedEngine knowledge-network features: domain knowledge in planning (NOTES §2.7, §3 items
// 47, 62, 67, 68), knowledge gaps (§2.6, items 58–63), metadata and includeMetaKIs (§2.5, items
// 64–66), match levels 3–5 with the combination bound (§2.2), and explain().
#include <atomic>
#include <chrono>
#include <thread>

#include "engine_test_support.hpp"

namespace gridke::engine::testing {
namespace {

using ::testing::AllOf;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::SizeIs;
using ::testing::UnorderedElementsAre;

const std::string kRules = "@prefix ex: <http://example.org/> .\n";

/// An ANSWER handler returning the rows compatible with the request (as a real KB would).
SyncHandler filtering(BindingSet rows, std::atomic<int>* calls = nullptr) {
  return [rows, calls](const HandleRequest& r) -> Result<BindingSet> {
    if (calls != nullptr) ++*calls;
    if (r.bindings.empty()) return rows;
    BindingSet out;
    for (const auto& row : rows) {
      for (const auto& in : r.bindings) {
        if (row.is_compatible_with(in)) {
          out.insert(row);
          break;
        }
      }
    }
    return out;
  };
}

std::vector<std::string> texts(const KnowledgeGap& gap) {
  std::vector<std::string> out;
  for (const auto& t : gap) out.push_back(t.to_string());
  return out;
}

class KnowledgeNetworkTest : public EmbeddedEngineTest {
 protected:
  KiId answer_filtering(const std::string& kb, const std::string& pattern, BindingSet rows,
                        std::atomic<int>* calls = nullptr) {
    return register_ok(kb, ki::KnowledgeInteraction::answer(gp(pattern)),
                       Handler{[h = filtering(std::move(rows), calls)](
                                   const HandleRequest& r, Reply reply) { reply(h(r)); }});
  }
  KiId gap_ask(const std::string& kb, const std::string& pattern) {
    auto def = ki::KnowledgeInteraction::ask(gp(pattern));
    def.knowledge_gaps_enabled = true;
    return register_ok(kb, def);
  }
};

// ---- domain knowledge ---------------------------------------------------------------------

TEST_F(KnowledgeNetworkTest, TransitivityRuleAtLevelTwoGeneralises) {
  // GeneralizeIfNecessaryTest (item 68): sensors in rooms count as being in the building.
  make_kb("asker");
  make_kb("registry");
  ASSERT_THAT(engine_.set_domain_knowledge(
                  kb_id("asker"), kRules + "[t: (?a ex:isPartOf ?b), (?b ex:isPartOf ?c) -> "
                                           "(?a ex:isPartOf ?c)]"),
              IsOk());
  answer_filtering("registry", "?x ex:isPartOf ?y .",
                   BindingSet{Binding{{"x", iri("sensor1")}, {"y", iri("room1")}},
                              Binding{{"x", iri("room1")}, {"y", iri("building")}}});
  const KiId asking = ask_ki("asker", "?s ex:isPartOf ex:building .");
  AskResult r = ask("asker", asking);
  EXPECT_EQ(r.bindings, (BindingSet{Binding{{"s", iri("room1")}}, Binding{{"s", iri("sensor1")}}}));
  // Rules are the asker's own reasoning: only the registry's ANSWER is in the exchange info.
  for (const auto& info : r.exchange_info) EXPECT_EQ(info.knowledge_base_id, kb_id("registry"));
  EXPECT_FALSE(r.exchange_info.empty());
}

TEST_F(KnowledgeNetworkTest, RulesAreNotUsedAtLevelOne) {
  make_kb("asker", 1);
  make_kb("registry");
  ASSERT_THAT(engine_.set_domain_knowledge(kb_id("asker"),
                                           kRules + "(?a ex:isPartOf ?b), (?b ex:isPartOf ?c) -> "
                                                    "(?a ex:isPartOf ?c) ."),
              IsOk());
  answer_filtering("registry", "?x ex:isPartOf ?y .",
                   BindingSet{Binding{{"x", iri("sensor1")}, {"y", iri("room1")}},
                              Binding{{"x", iri("room1")}, {"y", iri("building")}}});
  const KiId asking = ask_ki("asker", "?s ex:isPartOf ex:building .");
  EXPECT_EQ(ask("asker", asking).bindings, (BindingSet{Binding{{"s", iri("room1")}}}));
}

TEST_F(KnowledgeNetworkTest, FactsAnswerAnAskWithoutOtherKbs) {
  make_kb("asker");
  ASSERT_THAT(engine_.set_domain_knowledge(kb_id("asker"),
                                           kRules + "-> (ex:building1 ex:isPartOf ex:district) .\n"
                                                    "-> (ex:building2 ex:isPartOf ex:district) ."),
              IsOk());
  const KiId asking = ask_ki("asker", "?b ex:isPartOf ex:district .");
  AskResult r = ask("asker", asking);
  EXPECT_EQ(r.bindings,
            (BindingSet{Binding{{"b", iri("building1")}}, Binding{{"b", iri("building2")}}}));
  EXPECT_TRUE(r.exchange_info.empty());
}

TEST_F(KnowledgeNetworkTest, RuleWithLiteralConstantsLetsAPostReachADimmableLamp) {
  // NotDesignedToWorkTogetherTest (item 47).
  make_kb("switch");
  make_kb("lamp");
  ASSERT_THAT(engine_.set_domain_knowledge(
                  kb_id("switch"),
                  kRules + "(?s rdf:type ex:OnOffLamp), (?s ex:isOn true) -> "
                           "(?s rdf:type ex:DimmableLamp), (?s ex:hasBrightness \"100\") ."),
              IsOk());
  const KiId posting = post_ki("switch", "?l a ex:OnOffLamp . ?l ex:isOn ?on .");
  Recorder rec;
  const KiId dimmable = react_ki("lamp", "?x a ex:DimmableLamp . ?x ex:hasBrightness ?b .", "",
                                 [&rec](const HandleRequest& r) -> Result<BindingSet> {
                                   rec.add(r);
                                   return BindingSet{};
                                 });
  PostResult r =
      post("switch", posting, BindingSet{Binding{{"l", iri("lamp1")}, {"on", term("true")}}});
  ASSERT_EQ(rec.count(), 1u);
  EXPECT_EQ(rec.requests()[0].bindings,
            (BindingSet{Binding{{"x", iri("lamp1")}, {"b", term("\"100\"")}}}));
  ASSERT_THAT(r.exchange_info, SizeIs(1));
  EXPECT_EQ(r.exchange_info[0].knowledge_interaction_id, dimmable);
  // Without the rule the lamp is out of reach.
  ASSERT_THAT(engine_.set_domain_knowledge(kb_id("switch"), ""), IsOk());
  PostResult none =
      post("switch", posting, BindingSet{Binding{{"l", iri("lamp1")}, {"on", term("true")}}});
  EXPECT_TRUE(none.exchange_info.empty());
  EXPECT_EQ(rec.count(), 1u);
}

TEST_F(KnowledgeNetworkTest, DomainKnowledgeErrorsNameTheKbAndTheProblem) {
  make_kb("asker");
  EXPECT_THAT(engine_.set_domain_knowledge(kb_id("nobody"), ""),
              HasError(ErrorCode::not_found, HasSubstr("Knowledge base not found")));
  EXPECT_THAT(engine_.set_domain_knowledge(kb_id("asker"), "(?a ex:p ?b) -> (?a ex:q ?b) ."),
              HasError(ErrorCode::invalid_argument,
                       HasSubstr("The provided domain knowledge should parse correctly")));
  // A failed update keeps the earlier knowledge.
  ASSERT_THAT(engine_.set_domain_knowledge(kb_id("asker"), kRules + "-> (ex:a ex:b ex:c) ."),
              IsOk());
  EXPECT_THAT(engine_.set_domain_knowledge(kb_id("asker"), "garbage ("), Not(IsOk()));
  auto kept = engine_.domain_knowledge(kb_id("asker"));
  ASSERT_THAT(kept, IsOk());
  EXPECT_THAT(*kept, HasSubstr("ex:a ex:b ex:c"));
}

TEST_F(KnowledgeNetworkTest, DefaultDomainKnowledgeAppliesToNewKbs) {
  ASSERT_THAT(engine_.set_default_domain_knowledge(kRules + "-> (ex:grid ex:hasOperator ex:dso) ."),
              IsOk());
  make_kb("asker");
  const KiId asking = ask_ki("asker", "ex:grid ex:hasOperator ?o .");
  EXPECT_EQ(ask("asker", asking).bindings, (BindingSet{Binding{{"o", iri("dso")}}}));
  EXPECT_THAT(engine_.set_default_domain_knowledge("(?a ex:p ?b) -> (?a ex:q ?b) ."),
              HasError(ErrorCode::invalid_argument, HasSubstr("should parse correctly")));
}

// ---- knowledge gaps -----------------------------------------------------------------------

TEST_F(KnowledgeNetworkTest, GapWithNoOtherKbsIsTheWholeAsk) {
  make_kb("kb1");
  const KiId asking = gap_ask("kb1", "?a ex:isRelatedTo ?b .");
  AskResult r = ask("kb1", asking);
  ASSERT_TRUE(r.knowledge_gaps.has_value());
  ASSERT_THAT(*r.knowledge_gaps, SizeIs(1));
  EXPECT_THAT(texts((*r.knowledge_gaps)[0]),
              UnorderedElementsAre("?a <http://example.org/isRelatedTo> ?b"));
}

TEST_F(KnowledgeNetworkTest, PartialCoverContactsTheAnswererAndReportsTheRest) {
  // Item 59: gaps force level 5, so the partial answerer is contacted, yet nothing complete
  // comes back and the gap is isFatherOf.
  make_kb("kb1");
  make_kb("kb2");
  const KiId asking = gap_ask("kb1", "?a ex:isRelatedTo ?b . ?a ex:isFatherOf ?c .");
  std::atomic<int> calls{0};
  answer_filtering("kb2", "?x ex:isRelatedTo ?y .",
                   BindingSet{Binding{{"x", iri("p1")}, {"y", iri("p2")}}}, &calls);
  AskResult r = ask("kb1", asking);
  EXPECT_EQ(calls.load(), 1);
  EXPECT_TRUE(r.bindings.empty());
  ASSERT_TRUE(r.knowledge_gaps.has_value());
  ASSERT_THAT(*r.knowledge_gaps, SizeIs(1));
  EXPECT_THAT(texts((*r.knowledge_gaps)[0]),
              UnorderedElementsAre("?a <http://example.org/isFatherOf> ?c"));
}

TEST_F(KnowledgeNetworkTest, GapsIncludeTheBodyOfDomainRules) {
  // Item 62.
  make_kb("kb1");
  ASSERT_THAT(engine_.set_domain_knowledge(
                  kb_id("kb1"), kRules + "(?p ex:livesWith ?q) -> (?p ex:isRelatedTo ?q) ."),
              IsOk());
  const KiId asking = gap_ask("kb1", "?a ex:isRelatedTo ?b .");
  AskResult r = ask("kb1", asking);
  ASSERT_TRUE(r.knowledge_gaps.has_value());
  ASSERT_THAT(*r.knowledge_gaps, SizeIs(1));
  EXPECT_THAT(texts((*r.knowledge_gaps)[0]),
              UnorderedElementsAre("?p <http://example.org/livesWith> ?q"));
}

TEST_F(KnowledgeNetworkTest, TwoConvertersGiveTwoAlternativeGaps) {
  make_kb("kb1");
  make_kb("kb2");
  make_kb("kb3");
  const KiId asking = gap_ask("kb1", "?a ex:isRelatedTo ?b .");
  SyncHandler none = [](const HandleRequest&) -> Result<BindingSet> { return BindingSet{}; };
  react_ki("kb2", "?a ex:livesWith ?b .", "?a ex:isRelatedTo ?b .", none);
  react_ki("kb3", "?a ex:sharesParentWith ?b .", "?a ex:isRelatedTo ?b .", none);
  AskResult r = ask("kb1", asking);
  ASSERT_TRUE(r.knowledge_gaps.has_value());
  ASSERT_THAT(*r.knowledge_gaps, SizeIs(2));
  std::vector<std::vector<std::string>> all{texts((*r.knowledge_gaps)[0]),
                                            texts((*r.knowledge_gaps)[1])};
  EXPECT_THAT(all, UnorderedElementsAre(
                       UnorderedElementsAre("?a <http://example.org/livesWith> ?b"),
                       UnorderedElementsAre("?a <http://example.org/sharesParentWith> ?b")));
}

TEST_F(KnowledgeNetworkTest, GenericGapTriplesMergeIntoSpecificOnes) {
  // mergeGap: `?id ex:hasCountry ?c` is dropped when `?id ex:hasCountry ex:Ireland` is present.
  make_kb("kb1");
  make_kb("kb2");
  const KiId asking = gap_ask("kb1", "?id ex:hasCountry ex:Ireland . ?id ex:hasCity ?city .");
  SyncHandler none = [](const HandleRequest&) -> Result<BindingSet> { return BindingSet{}; };
  react_ki("kb2", "?id ex:hasCountry ?c .", "?id ex:hasCity ?city .", none);
  AskResult r = ask("kb1", asking);
  ASSERT_TRUE(r.knowledge_gaps.has_value());
  ASSERT_THAT(*r.knowledge_gaps, SizeIs(1));
  EXPECT_THAT(
      texts((*r.knowledge_gaps)[0]),
      UnorderedElementsAre("?id <http://example.org/hasCountry> <http://example.org/Ireland>"));
}

TEST_F(KnowledgeNetworkTest, ResultsMeanNoGaps) {
  make_kb("kb1");
  make_kb("kb2");
  const KiId asking = gap_ask("kb1", "?a ex:isRelatedTo ?b .");
  answer_filtering("kb2", "?x ex:isRelatedTo ?y .",
                   BindingSet{Binding{{"x", iri("p1")}, {"y", iri("p2")}}});
  AskResult r = ask("kb1", asking);
  EXPECT_THAT(r.bindings, SizeIs(1));
  ASSERT_TRUE(r.knowledge_gaps.has_value());
  EXPECT_TRUE(r.knowledge_gaps->empty());
}

// ---- metadata -----------------------------------------------------------------------------

TEST_F(KnowledgeNetworkTest, IncludeMetaKisMakesOtherKbsDiscoverable) {
  // TestAskAnswerIncludeMetaKIs (item 64).
  make_kb("kb1");
  make_kb("kb2");
  const auto meta = [](const std::string& text, bool include) {
    auto p = GraphPattern::parse(text, meta::meta_prefixes());
    EXPECT_THAT(p, IsOk());
    auto def = ki::KnowledgeInteraction::ask(*p);
    def.include_meta_kis = include;
    return def;
  };
  const KiId with = register_ok("kb1", meta("?kb rdf:type kb:KnowledgeBase .", true));
  const KiId without = register_ok("kb1", meta("?kb rdf:type kb:KnowledgeBase .", false));
  AskResult r = ask("kb1", with);
  EXPECT_EQ(r.bindings, (BindingSet{Binding{{"kb", rdf::Term::iri(kb_id("kb2"))}}}));
  EXPECT_TRUE(ask("kb1", without).bindings.empty());
  // TestAskPartialMetadata (item 65): a kb:hasName constant selects one KB.
  make_kb("kb3");
  const KiId named = register_ok("kb1", meta("?kb kb:hasName \"kb3\" .", true));
  EXPECT_EQ(ask("kb1", named).bindings,
            (BindingSet{Binding{{"kb", rdf::Term::iri(kb_id("kb3"))}}}));
}

TEST_F(KnowledgeNetworkTest, MetadataListsUserAndMetaKis) {
  make_kb("kb1");
  make_kb("kb2");
  const KiId user_post = post_ki("kb2", "?a ex:b ?c .", "", "send");
  auto p = GraphPattern::parse(
      "?kb kb:hasKnowledgeInteraction ?ki . ?ki kb:isMeta ?isMeta . "
      "?ki rdf:type kb:PostKnowledgeInteraction .",
      meta::meta_prefixes());
  ASSERT_THAT(p, IsOk());
  auto def = ki::KnowledgeInteraction::ask(*p);
  def.include_meta_kis = true;
  const KiId asking = register_ok("kb1", def);
  AskResult r = ask("kb1", asking);
  // TestRequestMetadata: 3 meta POST KIs + 1 user POST KI.
  EXPECT_THAT(r.bindings, SizeIs(4));
  EXPECT_THAT(r.bindings.bindings(), Contains(Binding{{"kb", rdf::Term::iri(kb_id("kb2"))},
                                                      {"ki", rdf::Term::iri(user_post)},
                                                      {"isMeta", term("false")}}));
}

TEST_F(KnowledgeNetworkTest, UserReactOnTheMetaPatternHearsOfNewChangedAndRemovedKbs) {
  // TestMetadataKnowledgeInteractionMatching (item 66).
  make_kb("watcher");
  std::mutex mu;
  std::vector<std::string> seen;  // "<purpose>:<kb>"
  auto watch = [&](const std::string& purpose) {
    auto def = ki::KnowledgeInteraction::react(meta::meta_pattern(), std::nullopt, purpose);
    def.act = ki::CommunicativeAct{{std::string(meta::ke_namespace) + purpose + "KnowledgePurpose"},
                                   {std::string(meta::ke_namespace) + "InformPurpose"}};
    SyncHandler h = [&, purpose](const HandleRequest& r) -> Result<BindingSet> {
      std::lock_guard<std::mutex> lock(mu);
      std::set<std::string> kbs;
      for (const auto& b : r.bindings) kbs.insert(b.find("kb")->to_string());
      for (const auto& kb : kbs) seen.push_back(purpose + ":" + kb);
      return BindingSet{};
    };
    register_ok("watcher", def, Handler{[h](const HandleRequest& r, Reply reply) { reply(h(r)); }});
  };
  watch("New");
  watch("Changed");
  watch("Removed");
  make_kb("newcomer");
  post_ki("newcomer", "?a ex:b ?c .");
  ASSERT_THAT(engine_.delete_knowledge_base(kb_id("newcomer")), IsOk());
  const std::string kb = "<" + kb_id("newcomer") + ">";
  for (int i = 0; i < 200; ++i) {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (seen.size() >= 3) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_THAT(seen, UnorderedElementsAre("New:" + kb, "Changed:" + kb, "Removed:" + kb));
}

TEST(Metadata, BindingsUseTheKeNodeScheme) {
  KnowledgeBaseInfo kb;
  kb.id = "http://example.org/kb1";
  kb.name = "kb1";
  kb.description = "first";
  auto post = ki::KnowledgeInteraction::post(gp("?a ex:b ?c ."), std::nullopt, "send");
  BindingSet rows = meta::metadata_bindings(kb, {RegisteredKi{kb.id + "/interaction/send", post}});
  // 8 meta KIs (ASK/ANSWER: 1 gp; POST/REACT: argument + result) = 2 + 6×2 = 14 rows, plus the
  // user POST's argument and (pattern-less) result graph patterns.
  EXPECT_THAT(rows, SizeIs(16));
  EXPECT_THAT(rows.bindings(), Contains(::testing::Truly([&](const Binding& b) {
                return b.find("gp")->to_string() == "<" + kb.id + "/interaction/send/resultgp>" &&
                       b.find("pattern")->to_string() == "\"\"" &&
                       b.find("act")->to_string() == "<" + kb.id + "/interaction/send/act>";
              })));
  EXPECT_EQ(meta::meta_pattern().size(), 15u);
  EXPECT_EQ(meta::meta_ki_id(kb.id, meta::MetaKi::react_removed),
            kb.id + "/meta/knowledgeinteractions/react/removed");
}

// ---- match levels 3–5 ---------------------------------------------------------------------

TEST_F(KnowledgeNetworkTest, LevelFourContactsPartialAnswerersLevelTwoDoesNot) {
  make_kb("asker2", 2);
  make_kb("asker4", 4);
  make_kb("kb2");
  std::atomic<int> calls{0};
  answer_filtering("kb2", "?x ex:isRelatedTo ?y .",
                   BindingSet{Binding{{"x", iri("p1")}, {"y", iri("p2")}}}, &calls);
  const std::string pattern = "?a ex:isRelatedTo ?b . ?a ex:isFatherOf ?c .";
  EXPECT_TRUE(ask("asker2", ask_ki("asker2", pattern)).bindings.empty());
  EXPECT_EQ(calls.load(), 0);
  AskResult r4 = ask("asker4", ask_ki("asker4", pattern));
  EXPECT_EQ(calls.load(), 1);
  // A partial cover binds no ?c: nothing complete comes back.
  EXPECT_TRUE(r4.bindings.empty());
}

TEST_F(KnowledgeNetworkTest, LevelFiveStopsAtTheCombinationBoundWithAReason) {
  EmbeddedEngine::Options o = default_options();
  o.max_combinations = 50;
  EmbeddedEngine small(o);
  for (const char* name : {"asker", "a1", "a2", "a3", "a4", "a5"}) {
    KnowledgeBaseInfo info;
    info.id = kb_id(name);
    info.reasoner_level = 5;
    ASSERT_THAT(small.create_knowledge_base(info), IsOk());
  }
  // A star: at level 2 the five answerers are one group of full matches; at level 5 every
  // sub-match counts (31 per answerer) and the cover search explodes.
  const std::string pattern =
      "?a ex:p1 ?b . ?a ex:p2 ?c . ?a ex:p3 ?d . ?a ex:p4 ?e . ?a ex:p5 ?f .";
  for (const char* name : {"a1", "a2", "a3", "a4", "a5"}) {
    ASSERT_THAT(small.register_ki(kb_id(name), ki::KnowledgeInteraction::answer(gp(pattern)),
                                  SyncHandler{[](const HandleRequest&) -> Result<BindingSet> {
                                    return BindingSet{};
                                  }}),
                IsOk());
  }
  auto asking = small.register_ki(kb_id("asker"), ki::KnowledgeInteraction::ask(gp(pattern)));
  ASSERT_THAT(asking, IsOk());
  const auto started = std::chrono::steady_clock::now();
  auto r = small.ask(kb_id("asker"), *asking);
  EXPECT_THAT(r, HasError(ErrorCode::failed_precondition,
                          AllOf(HasSubstr(" 50 "), HasSubstr("planning ASK"),
                                HasSubstr("raise the combination limit"))));
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(2));
  // The same network at level 2 plans fine: 5 identical answerers are one group.
  KnowledgeBaseInfo two;
  two.id = kb_id("asker2");
  ASSERT_THAT(small.create_knowledge_base(two), IsOk());
  auto asking2 = small.register_ki(two.id, ki::KnowledgeInteraction::ask(gp(pattern)));
  ASSERT_THAT(asking2, IsOk());
  EXPECT_THAT(small.ask(two.id, *asking2), IsOk());
}

// ---- explain ------------------------------------------------------------------------------

TEST_F(KnowledgeNetworkTest, ExplainShowsWhyAPostDoesNotReachAReact) {
  make_kb("poster");
  make_kb("reacter");
  make_kb("other");
  const KiId posting = post_ki("poster", "?m ex:value ?v .");
  SyncHandler none = [](const HandleRequest&) -> Result<BindingSet> { return BindingSet{}; };
  const KiId fits = react_ki("reacter", "?x ex:value ?y .", "", none, "fits");
  const KiId needs_more = react_ki("other", "?x ex:value ?y . ?x ex:unit ?u .", "", none, "more");
  auto e = engine_.explain(kb_id("poster"), posting);
  ASSERT_THAT(e, IsOk());
  ASSERT_THAT(e->steps, SizeIs(1));
  EXPECT_EQ(e->steps[0].knowledge_interaction, fits);
  EXPECT_EQ(e->steps[0].role, "react");
  EXPECT_THAT(e->steps[0].variable_map,
              UnorderedElementsAre(std::pair<std::string, std::string>{"?m", "?x"},
                                   std::pair<std::string, std::string>{"?v", "?y"}));
  ASSERT_THAT(e->near_misses, SizeIs(1));
  EXPECT_EQ(e->near_misses[0].knowledge_interaction, needs_more);
  EXPECT_THAT(e->near_misses[0].reason, HasSubstr("needs 1 triple(s) the POST does not send"));
  EXPECT_THAT(e->near_misses[0].unmatched, UnorderedElementsAre("?x <http://example.org/unit> ?u"));
  const std::string text = to_text(*e);
  EXPECT_THAT(text, AllOf(HasSubstr("Near misses (1)"),
                          HasSubstr("missing: ?x <http://example.org/unit> ?u")));
}

TEST_F(KnowledgeNetworkTest, ExplainNamesActsLevelsAndOwnKb) {
  make_kb("asker", 1);
  make_kb("half1");
  make_kb("half2");
  make_kb("picky");
  const KiId asking = ask_ki("asker", "?a ex:isRelatedTo ?b . ?a ex:isFatherOf ?c .");
  answer_ki("asker", "?a ex:isRelatedTo ?b . ?a ex:isFatherOf ?c .", {});
  answer_ki("half1", "?x ex:isRelatedTo ?y .", {});
  answer_ki("half2", "?x ex:isFatherOf ?z .", {});
  auto picky = ki::KnowledgeInteraction::answer(gp("?a ex:isRelatedTo ?b . ?a ex:isFatherOf ?c ."));
  picky.act = ki::CommunicativeAct{{"http://example.org/SecretPurpose"},
                                   {std::string(meta::ke_namespace) + "InformPurpose"}};
  ASSERT_THAT(engine_.register_ki(kb_id("picky"), picky,
                                  SyncHandler{[](const HandleRequest&) -> Result<BindingSet> {
                                    return BindingSet{};
                                  }}),
              IsOk());
  auto e = engine_.explain(kb_id("asker"), asking);
  ASSERT_THAT(e, IsOk());
  EXPECT_EQ(e->level, 1);
  EXPECT_TRUE(e->steps.empty());
  ASSERT_THAT(e->near_misses, SizeIs(4));
  for (const auto& m : e->near_misses) {
    if (m.knowledge_base == kb_id("asker")) {
      EXPECT_THAT(m.reason, HasSubstr("same knowledge base"));
    } else if (m.knowledge_base == kb_id("picky")) {
      EXPECT_THAT(m.reason, HasSubstr("communicative acts do not fit"));
      EXPECT_THAT(m.reason, HasSubstr("SecretPurpose"));
    } else {
      EXPECT_THAT(m.reason, HasSubstr("level 1 needs one KI to cover the whole ASK"));
      ASSERT_TRUE(m.matches_at_level.has_value());
      EXPECT_EQ(*m.matches_at_level, 2);
    }
  }
  EXPECT_THAT(engine_.explain(kb_id("asker"), kb_id("asker") + "/interaction/none"),
              HasError(ErrorCode::not_found, HasSubstr("Knowledge Interaction not found")));
}

TEST_F(KnowledgeNetworkTest, PlansAreReusedUntilTheNetworkChanges) {
  make_kb("kb1");
  make_kb("kb2");
  const KiId asking = ask_ki("kb1", "?a ex:b ?c .");
  answer_filtering("kb2", "?x ex:b ?y .", BindingSet{});
  const auto before = engine_.plans_built();
  ask("kb1", asking);
  ask("kb1", asking);
  EXPECT_EQ(engine_.plans_built(), before + 1);
  ASSERT_THAT(engine_.set_domain_knowledge(kb_id("kb1"), kRules + "-> (ex:s ex:b ex:o) ."), IsOk());
  EXPECT_THAT(ask("kb1", asking).bindings, SizeIs(1));
  EXPECT_EQ(engine_.plans_built(), before + 2);
}

}  // namespace
}  // namespace gridke::engine::testing
