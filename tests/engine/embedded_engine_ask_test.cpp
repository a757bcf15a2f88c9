// EmbeddedEngine ASK/ANSWER exchanges (NOTES §3 items 21–36, §2.2–§2.4).
#include <atomic>
#include <chrono>
#include <thread>

#include "engine_test_support.hpp"

namespace gridke::engine::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::SizeIs;
using ::testing::StartsWith;

TEST_F(EmbeddedEngineTest, AskWithNobodyToAnswerIsEmpty) {
  make_kb("kb1");
  const KiId asking = ask_ki("kb1", "?a ex:isRelatedTo ?b .");
  AskResult r = ask("kb1", asking);
  EXPECT_TRUE(r.bindings.empty());
  EXPECT_TRUE(r.exchange_info.empty());
  EXPECT_FALSE(r.knowledge_gaps.has_value());
}

TEST_F(EmbeddedEngineTest, AnswersComeBackInTheAskersVariables) {
  // TestAskAnswer2: ANSWER ?a ex:b ?c, ASK ?x ex:b ?y → {x, y} only.
  make_kb("kb1");
  make_kb("kb2");
  const KiId asking = ask_ki("kb1", "?x ex:b ?y .");
  const KiId answering =
      answer_ki("kb2", "?a ex:b ?c .", BindingSet{Binding{{"a", iri("a")}, {"c", iri("c")}}});
  AskResult r = ask("kb1", asking);
  EXPECT_EQ(r.bindings, (BindingSet{Binding{{"x", iri("a")}, {"y", iri("c")}}}));
  ASSERT_THAT(r.exchange_info, SizeIs(1));
  const ExchangeInfo& info = r.exchange_info[0];
  EXPECT_EQ(info.knowledge_base_id, kb_id("kb2"));
  EXPECT_EQ(info.knowledge_interaction_id, answering);
  EXPECT_EQ(info.status, ExchangeStatus::succeeded);
  EXPECT_EQ(info.initiator, Initiator::knowledge_base);
  EXPECT_TRUE(info.failed_message.empty());
  EXPECT_LE(info.exchange_start, info.exchange_end);
  // The exchange info keeps the answerer's own variable names.
  EXPECT_EQ(info.bindings, (BindingSet{Binding{{"a", iri("a")}, {"c", iri("c")}}}));
}

TEST_F(EmbeddedEngineTest, AnswerersConstantFillsTheAskersVariable) {
  // TestAskAnswer: ANSWER ?a ex:b ex:c answering {a} → ASK ?x ex:b ?y gets {x, y=c}.
  make_kb("kb1");
  make_kb("kb2");
  const KiId asking = ask_ki("kb1", "?x ex:b ?y .");
  Recorder rec;
  answer_ki("kb2", "?a ex:b ex:c .", BindingSet{Binding{{"a", iri("a")}}}, &rec);
  AskResult r = ask("kb1", asking);
  EXPECT_EQ(r.bindings, (BindingSet{Binding{{"x", iri("a")}, {"y", iri("c")}}}));
  // An unconstrained ASK reaches the answerer with no bindings (item 24).
  ASSERT_EQ(rec.count(), 1u);
  EXPECT_TRUE(rec.requests()[0].bindings.empty());
  EXPECT_EQ(rec.requests()[0].requesting_kb, kb_id("kb1"));
  EXPECT_EQ(rec.requests()[0].requesting_ki, asking);
  EXPECT_EQ(rec.requests()[0].kind, ki::KiKind::answer);
}

TEST_F(EmbeddedEngineTest, AskersConstantConstrainsTheAnswerer) {
  make_kb("kb1");
  make_kb("kb2");
  const KiId asking = ask_ki("kb1", "ex:dev1 ex:value ?v .");
  Recorder rec;
  answer_ki("kb2", "?d ex:value ?x .", BindingSet{Binding{{"d", iri("dev1")}, {"x", term("1")}}},
            &rec);
  AskResult r = ask("kb1", asking);
  EXPECT_EQ(r.bindings, (BindingSet{Binding{{"v", term("1")}}}));
  ASSERT_EQ(rec.count(), 1u);
  EXPECT_EQ(rec.requests()[0].bindings, (BindingSet{Binding{{"d", iri("dev1")}}}));
}

TEST_F(EmbeddedEngineTest, PartialAskBindingsReachTheAnswererRenamed) {
  // TestAskAnswerWithPartialBindings: [{x:a},{x:x}] → answerer sees [{a:…},{a:…}], 2 results.
  make_kb("kb1");
  make_kb("kb2");
  const KiId asking = ask_ki("kb1", "?x ex:b ?y .");
  Recorder rec;
  answer_ki("kb2", "?a ex:b ?c .",
            BindingSet{Binding{{"a", iri("a")}, {"c", iri("c1")}},
                       Binding{{"a", iri("x")}, {"c", iri("c2")}}},
            &rec);
  AskResult r = ask("kb1", asking, BindingSet{Binding{{"x", iri("a")}}, Binding{{"x", iri("x")}}});
  EXPECT_THAT(r.bindings, SizeIs(2));
  ASSERT_EQ(rec.count(), 1u);
  EXPECT_EQ(rec.requests()[0].bindings,
            (BindingSet{Binding{{"a", iri("a")}}, Binding{{"a", iri("x")}}}));
}

TEST_F(EmbeddedEngineTest, EmptyBindingInTheAskMeansUnconstrained) {
  make_kb("kb1");
  make_kb("kb2");
  const KiId asking = ask_ki("kb1", "?x ex:b ?y .");
  Recorder rec;
  answer_ki("kb2", "?a ex:b ?c .", BindingSet{Binding{{"a", iri("a")}, {"c", iri("c")}}}, &rec);
  AskResult r = ask("kb1", asking, BindingSet{Binding{}});
  EXPECT_THAT(r.bindings, SizeIs(1));
  ASSERT_EQ(rec.count(), 1u);
  EXPECT_TRUE(rec.requests()[0].bindings.empty());
}

TEST_F(EmbeddedEngineTest, ResultsOfSeveralAnswerersAreUnioned) {
  // TestAskAnswer3: three KBs → 3 bindings, 3 exchange infos.
  make_kb("kb1");
  const KiId asking = ask_ki("kb1", "?a ex:isRelatedTo ?b .");
  for (int k = 2; k <= 4; ++k) {
    make_kb("kb" + std::to_string(k));
    answer_ki("kb" + std::to_string(k), "?s ex:isRelatedTo ?o .",
              BindingSet{Binding{{"s", iri("s" + std::to_string(k))}, {"o", iri("o")}}});
  }
  AskResult r = ask("kb1", asking);
  EXPECT_THAT(r.bindings, SizeIs(3));
  EXPECT_THAT(r.exchange_info, SizeIs(3));
}

TEST_F(EmbeddedEngineTest, DuplicateBindingsAreDeduplicated) {
  // TestDuplicateBindings: identical bindings from two KBs → 1, both KBs in the exchange info.
  make_kb("kb1");
  make_kb("kb2");
  make_kb("kb3");
  const KiId asking = ask_ki("kb1", "?a ex:b ?c .");
  const BindingSet same{Binding{{"x", iri("1")}, {"y", iri("2")}}};
  answer_ki("kb2", "?x ex:b ?y .", same);
  answer_ki("kb3", "?x ex:b ?y .", same);
  AskResult r = ask("kb1", asking);
  EXPECT_THAT(r.bindings, SizeIs(1));
  ASSERT_THAT(r.exchange_info, SizeIs(2));
  EXPECT_NE(r.exchange_info[0].knowledge_base_id, r.exchange_info[1].knowledge_base_id);
}

TEST_F(EmbeddedEngineTest, EveryMatchingKiOfOneKbIsContacted) {
  // TestAskAnswerSingleKBMultipleMatchingKIs: one exchange info per KI, not per KB.
  make_kb("kb1");
  make_kb("kb2");
  const KiId asking = ask_ki("kb1", "?a ex:b ?c .");
  answer_ki("kb2", "?x ex:b ?y .", BindingSet{Binding{{"x", iri("1")}, {"y", iri("2")}}});
  answer_ki("kb2", "?p ex:b ?q .", BindingSet{Binding{{"p", iri("3")}, {"q", iri("4")}}});
  AskResult r = ask("kb1", asking);
  EXPECT_THAT(r.bindings, SizeIs(2));
  ASSERT_THAT(r.exchange_info, SizeIs(2));
  EXPECT_EQ(r.exchange_info[0].knowledge_base_id, kb_id("kb2"));
  EXPECT_EQ(r.exchange_info[1].knowledge_base_id, kb_id("kb2"));
}

TEST_F(EmbeddedEngineTest, AKnowledgeBaseNeverAnswersItsOwnAsk) {
  make_kb("kb1");
  const KiId asking = ask_ki("kb1", "?a ex:b ?c .");
  Recorder rec;
  answer_ki("kb1", "?x ex:b ?y .", BindingSet{Binding{{"x", iri("1")}, {"y", iri("2")}}}, &rec);
  AskResult r = ask("kb1", asking);
  EXPECT_TRUE(r.bindings.empty());
  EXPECT_TRUE(r.exchange_info.empty());
  EXPECT_EQ(rec.count(), 0u);
}

TEST_F(EmbeddedEngineTest, LevelTwoJoinsThreeAnswerersOnTheSharedSubject) {
  // TestAskAnswer5: a 4-triple ASK over 3 ANSWER KIs of 3 KBs → 1 joined binding.
  make_kb("kb1");
  make_kb("kb2");
  make_kb("kb3");
  make_kb("kb4");
  const KiId asking = ask_ki(
      "kb1", "?id a ex:Sensor . ?id ex:hasName ?n . ?id ex:inRoom ?r . ?id ex:hasValue ?v .");
  Recorder r2;
  Recorder r3;
  Recorder r4;
  answer_ki("kb2", "?s a ex:Sensor . ?s ex:hasName ?name .",
            BindingSet{Binding{{"s", iri("s1")}, {"name", term("\"one\"")}}}, &r2);
  answer_ki("kb3", "?s ex:inRoom ?room .",
            BindingSet{Binding{{"s", iri("s1")}, {"room", iri("kitchen")}},
                       Binding{{"s", iri("s2")}, {"room", iri("hall")}}},
            &r3);
  answer_ki("kb4", "?x ex:hasValue ?y .",
            BindingSet{Binding{{"x", iri("s1")}, {"y", term("21.5")}}}, &r4);
  AskResult r = ask("kb1", asking);
  EXPECT_EQ(
      r.bindings,
      (BindingSet{Binding{
          {"id", iri("s1")}, {"n", term("\"one\"")}, {"r", iri("kitchen")}, {"v", term("21.5")}}}));
  EXPECT_THAT(r.exchange_info, SizeIs(3));
  // Unconstrained: the answerers got no bindings.
  ASSERT_EQ(r2.count(), 1u);
  EXPECT_TRUE(r2.requests()[0].bindings.empty());
}

TEST_F(EmbeddedEngineTest, LevelOneNeedsOneAnswererCoveringTheWholeAsk) {
  make_kb("kb1", /*level=*/1);
  make_kb("kb2");
  make_kb("kb3");
  const KiId asking = ask_ki("kb1", "?id ex:hasName ?n . ?id ex:hasValue ?v .");
  answer_ki("kb2", "?s ex:hasName ?name .",
            BindingSet{Binding{{"s", iri("s1")}, {"name", iri("n")}}});
  answer_ki("kb3", "?s ex:hasValue ?x .", BindingSet{Binding{{"s", iri("s1")}, {"x", iri("v")}}});
  AskResult split = ask("kb1", asking);
  EXPECT_TRUE(split.bindings.empty());
  EXPECT_TRUE(split.exchange_info.empty());
  // A superset ANSWER covers it at level 1.
  make_kb("kb4");
  answer_ki(
      "kb4", "?s ex:hasName ?a . ?s ex:hasValue ?b . ?s ex:extra ?c .",
      BindingSet{Binding{{"s", iri("s9")}, {"a", iri("a")}, {"b", iri("b")}, {"c", iri("c")}}});
  AskResult single = ask("kb1", asking);
  EXPECT_EQ(single.bindings,
            (BindingSet{Binding{{"id", iri("s9")}, {"n", iri("a")}, {"v", iri("b")}}}));
  EXPECT_THAT(single.exchange_info, SizeIs(1));
}

TEST_F(EmbeddedEngineTest, AnswerCoveringOnlyPartOfTheAskIsNotContacted) {
  make_kb("kb1");
  make_kb("kb2");
  const KiId asking = ask_ki("kb1", "?a ex:isRelatedTo ?b . ?a ex:isFatherOf ?c .");
  Recorder rec;
  answer_ki("kb2", "?x ex:isRelatedTo ?y .", BindingSet{Binding{{"x", iri("1")}, {"y", iri("2")}}},
            &rec);
  AskResult r = ask("kb1", asking);
  EXPECT_TRUE(r.bindings.empty());
  EXPECT_TRUE(r.exchange_info.empty());
  EXPECT_EQ(rec.count(), 0u);
}

TEST_F(EmbeddedEngineTest, RecipientSelectorRestrictsTheAnswerers) {
  // TestAskRecipientSelector.
  make_kb("kb0");
  const KiId asking = ask_ki("kb0", "?a ex:b ?c .");
  for (int k = 1; k <= 3; ++k) {
    make_kb("kb" + std::to_string(k));
    answer_ki("kb" + std::to_string(k), "?x ex:b ?y .",
              BindingSet{Binding{{"x", iri("s" + std::to_string(k))}, {"y", iri("o")}}});
  }
  CallOptions one;
  one.recipients.knowledge_bases = {kb_id("kb2")};
  AskResult r = ask("kb0", asking, {}, one);
  EXPECT_EQ(r.bindings, (BindingSet{Binding{{"a", iri("s2")}, {"c", iri("o")}}}));
  CallOptions two;
  two.recipients.knowledge_bases = {kb_id("kb1"), kb_id("kb3")};
  EXPECT_THAT(ask("kb0", asking, {}, two).bindings, SizeIs(2));
  EXPECT_THAT(ask("kb0", asking).bindings, SizeIs(3));
}

TEST_F(EmbeddedEngineTest, CommunicativeActsMustFitBothWays) {
  make_kb("kb1");
  make_kb("kb2");
  auto asking_def = ki::KnowledgeInteraction::ask(gp("?a ex:b ?c ."));
  asking_def.act = ki::CommunicativeAct{{"https://w3id.org/knowledge-engine/ActuationPurpose"},
                                        {"https://w3id.org/knowledge-engine/InformPurpose"}};
  const KiId asking = register_ok("kb1", asking_def);
  Recorder rec;
  answer_ki("kb2", "?x ex:b ?y .", BindingSet{Binding{{"x", iri("1")}, {"y", iri("2")}}}, &rec);
  EXPECT_TRUE(ask("kb1", asking).exchange_info.empty());
  EXPECT_EQ(rec.count(), 0u);
}

TEST_F(EmbeddedEngineTest, AnswerIncompatibleWithTheIncomingBindingsFails) {
  // TestAskAnswerBindingValidity / TestBindingValidation: "something else!" for "something".
  make_kb("kb1");
  make_kb("kb2");
  const KiId asking = ask_ki("kb1", "?a ex:b ?c .");
  answer_ki("kb2", "?x ex:b ?y .",
            BindingSet{Binding{{"x", term("\"something else!\"")}, {"y", iri("2")}}});
  AskResult r = ask("kb1", asking, BindingSet{Binding{{"a", term("\"something\"")}}});
  EXPECT_TRUE(r.bindings.empty());
  ASSERT_THAT(r.exchange_info, SizeIs(1));
  EXPECT_EQ(r.exchange_info[0].status, ExchangeStatus::failed);
  EXPECT_THAT(r.exchange_info[0].failed_message,
              HasSubstr("but this doesn't have a matching incoming binding!"));
  EXPECT_TRUE(r.exchange_info[0].bindings.empty());
}

TEST_F(EmbeddedEngineTest, IncompleteAnswerFails) {
  make_kb("kb1");
  make_kb("kb2");
  make_kb("kb3");
  const KiId asking = ask_ki("kb1", "?a ex:b ?c .");
  answer_ki("kb2", "?x ex:b ?y .", BindingSet{Binding{{"x", iri("1")}}});
  answer_ki("kb3", "?x ex:b ?y .", BindingSet{Binding{{"x", iri("3")}, {"y", iri("4")}}});
  AskResult r = ask("kb1", asking);
  EXPECT_EQ(r.bindings, (BindingSet{Binding{{"a", iri("3")}, {"c", iri("4")}}}));
  ASSERT_THAT(r.exchange_info, SizeIs(2));
  EXPECT_EQ(r.exchange_info[0].status, ExchangeStatus::failed);
  EXPECT_THAT(r.exchange_info[0].failed_message, HasSubstr("Expected a complete binding"));
  EXPECT_EQ(r.exchange_info[1].status, ExchangeStatus::succeeded);
}

class EmbeddedEngineNoValidationTest : public EmbeddedEngineTest {
 protected:
  static EmbeddedEngine::Options no_validation() {
    auto o = default_options();
    o.validate_reactive_output = false;
    return o;
  }
  EmbeddedEngineNoValidationTest() : EmbeddedEngineTest(no_validation()) {}
};

TEST_F(EmbeddedEngineNoValidationTest, ValidationCanBeSwitchedOff) {
  make_kb("kb1");
  make_kb("kb2");
  const KiId asking = ask_ki("kb1", "?a ex:b ?c .");
  answer_ki("kb2", "?x ex:b ?y .", BindingSet{Binding{{"x", iri("1")}, {"y", iri("2")}}});
  // Not compatible with the ask binding, but accepted; the asker still only keeps results
  // that fit its own bindings.
  AskResult r = ask("kb1", asking, BindingSet{Binding{{"a", iri("9")}}});
  ASSERT_THAT(r.exchange_info, SizeIs(1));
  EXPECT_EQ(r.exchange_info[0].status, ExchangeStatus::succeeded);
  EXPECT_TRUE(r.bindings.empty());
}

TEST_F(EmbeddedEngineTest, HandlerErrorAndThrowMakeOnlyThatKiFailed) {
  make_kb("kb1");
  make_kb("kb2");
  make_kb("kb3");
  make_kb("kb4");
  const KiId asking = ask_ki("kb1", "?a ex:b ?c .");
  SyncHandler failing = [](const HandleRequest&) -> Result<BindingSet> {
    return unavailable("Database connection lost.");
  };
  SyncHandler throwing = [](const HandleRequest&) -> Result<BindingSet> {
    throw std::runtime_error("boom");
  };
  ASSERT_THAT(engine_.register_ki(kb_id("kb2"),
                                  ki::KnowledgeInteraction::answer(gp("?x ex:b ?y .")), failing),
              IsOk());
  ASSERT_THAT(engine_.register_ki(kb_id("kb3"),
                                  ki::KnowledgeInteraction::answer(gp("?x ex:b ?y .")), throwing),
              IsOk());
  answer_ki("kb4", "?x ex:b ?y .", BindingSet{Binding{{"x", iri("1")}, {"y", iri("2")}}});
  AskResult r = ask("kb1", asking);
  EXPECT_THAT(r.bindings, SizeIs(1));
  ASSERT_THAT(r.exchange_info, SizeIs(3));
  EXPECT_EQ(r.exchange_info[0].failed_message,
            "An error occurred while ANSWERing: Database connection lost.");
  EXPECT_EQ(r.exchange_info[1].status, ExchangeStatus::failed);
  EXPECT_THAT(r.exchange_info[1].failed_message,
              StartsWith("An error occurred while ANSWERing: handler threw: boom"));
  EXPECT_EQ(r.exchange_info[2].status, ExchangeStatus::succeeded);
}

TEST_F(EmbeddedEngineTest, SlowAnswererTimesOutAndItsLateReplyIsDropped) {
  make_kb("kb1");
  make_kb("kb2");
  make_kb("kb3");
  const KiId asking = ask_ki("kb1", "?a ex:b ?c .");
  HeldReply never;
  ASSERT_THAT(
      engine_.register_ki(kb_id("kb2"), ki::KnowledgeInteraction::answer(gp("?x ex:b ?y .")),
                          never.handler()),
      IsOk());
  answer_ki("kb3", "?x ex:b ?y .", BindingSet{Binding{{"x", iri("1")}, {"y", iri("2")}}});
  CallOptions quick;
  quick.deadline = std::chrono::milliseconds(100);
  const auto start = std::chrono::steady_clock::now();
  AskResult r = ask("kb1", asking, {}, quick);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
  EXPECT_THAT(r.bindings, SizeIs(1));
  ASSERT_THAT(r.exchange_info, SizeIs(2));
  EXPECT_EQ(r.exchange_info[0].status, ExchangeStatus::failed);
  EXPECT_THAT(r.exchange_info[0].failed_message,
              ::testing::MatchesRegex("Error 'TimeoutException' occurred while waiting for "
                                      "response to message: [0-9a-f-]{36}"));
  // The late reply goes nowhere, safely.
  Reply held = never.take();
  ASSERT_TRUE(static_cast<bool>(held));
  held(BindingSet{Binding{{"x", iri("late")}, {"y", iri("late")}}});
}

TEST_F(EmbeddedEngineTest, LargeBindingSetsFromTwoAnswerers) {
  // TestAskAnswerLargeBindingSets: 2 KBs × 1500 bindings × 7 variables, 6-triple pattern.
  const std::string pattern =
      "?m a ex:Measurement . ?m ex:of ?p . ?m ex:value ?v . ?m ex:unit ?u . ?m ex:time ?t . "
      "?m ex:by ?s .";
  make_kb("kb1");
  const KiId asking = ask_ki("kb1", pattern);
  for (int k = 2; k <= 3; ++k) {
    make_kb("kb" + std::to_string(k));
    BindingSet rows;
    for (int i = 0; i < 1500; ++i) {
      const std::string id = std::to_string(k) + "-" + std::to_string(i);
      rows.insert(Binding{{"m", iri("m" + id)},
                          {"p", iri("p" + id)},
                          {"v", term(std::to_string(i))},
                          {"u", iri("celsius")},
                          {"t", term("\"t" + id + "\"")},
                          {"s", iri("s" + id)}});
    }
    answer_ki("kb" + std::to_string(k), pattern, rows);
  }
  AskResult r = ask("kb1", asking);
  EXPECT_THAT(r.bindings, SizeIs(3000));
}

TEST_F(EmbeddedEngineTest, ManyKisPerKnowledgeBase) {
  // TestAskAnswerManyKIs: KIs ?aN ex:bN ?cN, each returns one binding; the ASK matches 3.
  make_kb("kb1");
  make_kb("kb2");
  for (int n = 0; n < 50; ++n) {
    const std::string s = std::to_string(n);
    answer_ki("kb2", "?a" + s + " ex:b" + s + " ?c" + s + " .",
              BindingSet{Binding{{"a" + s, iri("a" + s)}, {"c" + s, iri("c" + s)}}});
  }
  answer_ki("kb2", "?x ex:b7 ?y .", BindingSet{Binding{{"x", iri("x")}, {"y", iri("y")}}});
  make_kb("kb3");
  answer_ki("kb3", "?p ex:b7 ?q .", BindingSet{Binding{{"p", iri("p")}, {"q", iri("q")}}});
  const KiId asking = ask_ki("kb1", "?s ex:b7 ?o .");
  AskResult r = ask("kb1", asking);
  EXPECT_THAT(r.bindings, SizeIs(3));
  EXPECT_THAT(r.exchange_info, SizeIs(3));
}

TEST_F(EmbeddedEngineTest, TypedLiteralsPassThroughNormalised) {
  // TestAskAnswer4/Datatype and TestBindingSetConversions / GeneralizeIfNecessaryTest.
  make_kb("kb1");
  make_kb("kb2");
  const KiId asking =
      ask_ki("kb1", "?s ex:flag ?f . ?s ex:count ?c . ?s ex:label ?l . ?s ex:n ?n .");
  answer_ki("kb2", "?x ex:flag ?a . ?x ex:count ?b . ?x ex:label ?c . ?x ex:n ?d .",
            BindingSet{Binding{{"x", iri("s")},
                               {"a", term("\"true\"^^<http://www.w3.org/2001/XMLSchema#boolean>")},
                               {"b", term("\"7\"^^<http://www.w3.org/2001/XMLSchema#int>")},
                               {"c", term("\"bla\"^^<http://www.w3.org/2001/XMLSchema#string>")},
                               {"d", term("10")}}});
  AskResult r = ask("kb1", asking);
  ASSERT_THAT(r.bindings, SizeIs(1));
  const Binding& b = *r.bindings.begin();
  EXPECT_EQ(b.find("f")->to_string(), "\"true\"^^<http://www.w3.org/2001/XMLSchema#boolean>");
  EXPECT_EQ(b.find("c")->to_string(), "\"7\"^^<http://www.w3.org/2001/XMLSchema#int>");
  EXPECT_EQ(b.find("l")->to_string(), "\"bla\"");
  EXPECT_EQ(b.find("n")->to_string(), "\"10\"^^<http://www.w3.org/2001/XMLSchema#integer>");
}

TEST_F(EmbeddedEngineTest, Issue696FiveIdenticalAnswerersAllAnswerFast) {
  const std::string five =
      "?m a saref:Measurement . ?m saref:hasValue ?v . ?m saref:isMeasuredIn ?u . "
      "?m saref:hasTimestamp ?t . ?m saref:relatesToProperty ?p .";
  make_kb("asker");
  const KiId asking = ask_ki("asker", five);
  for (int k = 0; k < 5; ++k) {
    const std::string n = std::to_string(k);
    make_kb("kb" + n);
    answer_ki("kb" + n, five,
              BindingSet{Binding{{"m", iri("m" + n)},
                                 {"v", term(n)},
                                 {"u", iri("C")},
                                 {"t", term("\"t\"")},
                                 {"p", iri("temp")}}});
  }
  const auto start = std::chrono::steady_clock::now();
  AskResult r = ask("asker", asking);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
  EXPECT_THAT(r.bindings, SizeIs(5));
  EXPECT_THAT(r.exchange_info, SizeIs(5));
}

TEST_F(EmbeddedEngineTest, ReactConvertsForAnAsk) {
  // TestComplexGraphPatternMatching / examples/reasoner: an ASK in Celsius answered by an
  // ANSWER in Fahrenheit plus a REACT converter (backward chaining).
  make_kb("ui");
  make_kb("sensor");
  make_kb("converter");
  const KiId asking = ask_ki("ui", "?m a ex:Measurement . ?m ex:celsius ?c .");
  answer_ki("sensor", "?x a ex:Measurement . ?x ex:fahrenheit ?f .",
            BindingSet{Binding{{"x", iri("m1")}, {"f", term("68")}}});
  Recorder rec;
  SyncHandler convert = [&rec](const HandleRequest& r) -> Result<BindingSet> {
    rec.add(r);
    BindingSet out;
    for (const Binding& b : r.bindings) {
      const double f = std::stod(b.find("f")->value());
      out.insert(Binding{{"y", *b.find("y")},
                         {"c", term(std::to_string(static_cast<int>((f - 32) * 5 / 9)))}});
    }
    return out;
  };
  react_ki("converter", "?y ex:fahrenheit ?f .", "?y ex:celsius ?c .", convert);
  AskResult r = ask("ui", asking);
  EXPECT_EQ(r.bindings, (BindingSet{Binding{{"m", iri("m1")}, {"c", term("20")}}}));
  ASSERT_EQ(rec.count(), 1u);
  EXPECT_EQ(rec.requests()[0].bindings, (BindingSet{Binding{{"y", iri("m1")}, {"f", term("68")}}}));
  EXPECT_EQ(rec.requests()[0].kind, ki::KiKind::react);
  // The ANSWER is contacted for the root (the Measurement triple) and for the REACT's
  // argument (the Fahrenheit triple); the REACT once.
  ASSERT_THAT(r.exchange_info, SizeIs(3));
  EXPECT_EQ(r.exchange_info[2].knowledge_base_id, kb_id("converter"));
}

TEST_F(EmbeddedEngineTest, KnowledgeGapsNameWhatNobodySupplies) {
  make_kb("kb1");
  auto def = ki::KnowledgeInteraction::ask(gp("?a ex:isRelatedTo ?b . ?a ex:isFatherOf ?c ."));
  def.knowledge_gaps_enabled = true;
  const KiId asking = register_ok("kb1", def);
  AskResult none = ask("kb1", asking);
  ASSERT_TRUE(none.knowledge_gaps.has_value());
  ASSERT_THAT(*none.knowledge_gaps, SizeIs(1));
  EXPECT_THAT((*none.knowledge_gaps)[0], SizeIs(2));
  // A REACT could supply isRelatedTo, but its premise has no supplier: the gap names it.
  make_kb("kb2");
  react_ki("kb2", "?a ex:liveInTheSameHouse ?b .", "?a ex:isRelatedTo ?b .",
           [](const HandleRequest&) -> Result<BindingSet> { return BindingSet{}; });
  AskResult chain = ask("kb1", asking);
  ASSERT_TRUE(chain.knowledge_gaps.has_value());
  ASSERT_THAT(*chain.knowledge_gaps, SizeIs(1));
  std::vector<std::string> texts;
  for (const auto& t : (*chain.knowledge_gaps)[0]) texts.push_back(t.to_string());
  EXPECT_THAT(texts,
              ::testing::UnorderedElementsAre("?a <http://example.org/isFatherOf> ?c",
                                              "?a <http://example.org/liveInTheSameHouse> ?b"));
  // Everything supplied: no gaps even though nothing came back.
  make_kb("kb3");
  answer_ki("kb3", "?x ex:isRelatedTo ?y . ?x ex:isFatherOf ?z .", BindingSet{});
  AskResult full = ask("kb1", asking);
  ASSERT_TRUE(full.knowledge_gaps.has_value());
  EXPECT_TRUE(full.knowledge_gaps->empty());
}

TEST_F(EmbeddedEngineTest, CyclicReactChainsTerminate) {
  // REACT x→y and REACT y→x: chains never pass through a KI twice, so planning and running
  // end; with an ANSWER for x the ASK for y is answered through the first REACT.
  make_kb("ui");
  make_kb("a");
  make_kb("b");
  make_kb("src");
  const KiId asking = ask_ki("ui", "?s ex:y ?v .");
  SyncHandler copy_xy = [](const HandleRequest& r) -> Result<BindingSet> {
    BindingSet out;
    for (const Binding& b : r.bindings)
      out.insert(Binding{{"s", *b.find("s")}, {"w", *b.find("v")}});
    return out;
  };
  SyncHandler copy_yx = [](const HandleRequest& r) -> Result<BindingSet> {
    BindingSet out;
    for (const Binding& b : r.bindings)
      out.insert(Binding{{"s", *b.find("s")}, {"w", *b.find("v")}});
    return out;
  };
  react_ki("a", "?s ex:x ?v .", "?s ex:y ?w .", copy_xy);
  react_ki("b", "?s ex:y ?v .", "?s ex:x ?w .", copy_yx);
  AskResult none = ask("ui", asking);
  EXPECT_TRUE(none.bindings.empty());
  answer_ki("src", "?q ex:x ?r .", BindingSet{Binding{{"q", iri("s1")}, {"r", term("5")}}});
  AskResult r = ask("ui", asking);
  EXPECT_EQ(r.bindings, (BindingSet{Binding{{"s", iri("s1")}, {"v", term("5")}}}));
}

TEST_F(EmbeddedEngineTest, LevelOneAskDoesNotChainThroughReacts) {
  make_kb("ui", /*level=*/1);
  make_kb("sensor");
  make_kb("converter");
  const KiId asking = ask_ki("ui", "?m ex:celsius ?c .");
  answer_ki("sensor", "?x ex:fahrenheit ?f .",
            BindingSet{Binding{{"x", iri("m1")}, {"f", term("68")}}});
  Recorder rec;
  react_ki("converter", "?y ex:fahrenheit ?f .", "?y ex:celsius ?c .",
           [&rec](const HandleRequest& r) -> Result<BindingSet> {
             rec.add(r);
             return BindingSet{};
           });
  AskResult r = ask("ui", asking);
  EXPECT_TRUE(r.bindings.empty());
  EXPECT_EQ(rec.count(), 0u);
}

TEST_F(EmbeddedEngineTest, TooManyCombinationsFailsWithAClearError) {
  EmbeddedEngine::Options o = default_options();
  o.max_combinations = 3;
  EmbeddedEngine small(o);
  KnowledgeBaseInfo a{kb_id("a"), "a", "a", std::nullopt, 2};
  ASSERT_THAT(small.create_knowledge_base(a), IsOk());
  auto asking = small.register_ki(
      kb_id("a"), ki::KnowledgeInteraction::ask(gp("?x ?p ?y . ?y ?q ?z . ?z ?r ?w .")), Handler{});
  ASSERT_THAT(asking, IsOk());
  KnowledgeBaseInfo b{kb_id("b"), "b", "b", std::nullopt, 2};
  ASSERT_THAT(small.create_knowledge_base(b), IsOk());
  SyncHandler h = [](const HandleRequest&) -> Result<BindingSet> { return BindingSet{}; };
  ASSERT_THAT(
      small.register_ki(
          kb_id("b"),
          ki::KnowledgeInteraction::answer(gp("?a ?b ?c . ?c ?d ?e . ?e ?f ?g . ?g ?h ?a .")), h),
      IsOk());
  EXPECT_THAT(small.ask(kb_id("a"), *asking),
              HasError(ErrorCode::failed_precondition, HasSubstr("raise the combination limit")));
}

}  // namespace
}  // namespace gridke::engine::testing
