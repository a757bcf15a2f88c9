// One suite of KnowledgeEngine behaviours, run against EmbeddedEngine and against
// RemoteEngine → RestServer → EmbeddedEngine over loopback HTTP: an SSA sees the same engine.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <thread>

#include "gridke/engine/embedded_engine.hpp"
#include "gridke/engine/remote_engine.hpp"
#include "gridke/engine/rest_server.hpp"
#include "gridke_matchers.hpp"

namespace gridke::engine {
namespace {

using pattern::Binding;
using pattern::BindingSet;
using pattern::GraphPattern;
using rdf::Term;
using ::testing::HasSubstr;

// An engine under test and what keeps it alive.
struct EngineUnderTest {
  std::unique_ptr<EmbeddedEngine> embedded;
  std::unique_ptr<RestServer> server;
  std::unique_ptr<RemoteEngine> remote;
  KnowledgeEngine* engine = nullptr;
};

struct EngineKind {
  std::string name;
  std::function<EngineUnderTest()> make;
};

// Names the engine in test listings instead of dumping the struct's bytes.
void PrintTo(const EngineKind& kind, std::ostream* os) { *os << kind.name; }

EngineUnderTest make_embedded() {
  EngineUnderTest s;
  s.embedded = std::make_unique<EmbeddedEngine>();
  s.engine = s.embedded.get();
  return s;
}

EngineUnderTest make_remote() {
  EngineUnderTest s;
  s.embedded = std::make_unique<EmbeddedEngine>();
  RestServerOptions options;
  options.port = 0;
  options.heartbeat = std::chrono::seconds(2);
  auto server = RestServer::start(*s.embedded, options);
  EXPECT_THAT(server, IsOk());
  s.server = std::move(server).value();
  RemoteEngineOptions remote;
  remote.base_url = s.server->base_url();
  auto client = RemoteEngine::connect(remote);
  EXPECT_THAT(client, IsOk());
  s.remote = std::move(client).value();
  s.engine = s.remote.get();
  return s;
}

GraphPattern gp(const std::string& text) {
  auto p = GraphPattern::parse(text, {{"ex", "http://example.org/"}});
  EXPECT_THAT(p, IsOk());
  return *p;
}

Term iri(const std::string& local) { return Term::iri("http://example.org/" + local); }

KnowledgeBaseInfo kb(const std::string& local) {
  return KnowledgeBaseInfo{"http://example.org/" + local, local, "test KB " + local, {}, 2};
}

class KnowledgeEngineSuite : public ::testing::TestWithParam<EngineKind> {
 protected:
  void SetUp() override { setup_ = GetParam().make(); }
  void TearDown() override {
    // The remote client goes first (it deletes its KBs), then the server, then the engine.
    setup_.remote.reset();
    setup_.server.reset();
    setup_.embedded.reset();
  }
  KnowledgeEngine& engine() { return *setup_.engine; }

  EngineUnderTest setup_;
};

TEST_P(KnowledgeEngineSuite, CreatesListsAndDeletesKnowledgeBases) {
  ASSERT_THAT(engine().create_knowledge_base(kb("a")), IsOk());
  auto listed = engine().knowledge_bases();
  ASSERT_THAT(listed, IsOk());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->front().id, "http://example.org/a");
  EXPECT_EQ(listed->front().name, "a");
  ASSERT_THAT(engine().delete_knowledge_base("http://example.org/a"), IsOk());
  EXPECT_TRUE(engine().knowledge_bases()->empty());
}

TEST_P(KnowledgeEngineSuite, RejectsDuplicateAndInvalidKnowledgeBases) {
  ASSERT_THAT(engine().create_knowledge_base(kb("a")), IsOk());
  EXPECT_THAT(
      engine().create_knowledge_base(kb("a")),
      HasError(ErrorCode::already_exists, HasSubstr("That knowledge base ID is already in use.")));
  KnowledgeBaseInfo bad = kb("b");
  bad.id = "not an iri";
  EXPECT_THAT(engine().create_knowledge_base(bad),
              HasError(ErrorCode::invalid_argument, HasSubstr("must be a valid RDF IRI")));
  EXPECT_THAT(engine().delete_knowledge_base("http://example.org/none"),
              HasError(ErrorCode::not_found, ::testing::_));
}

TEST_P(KnowledgeEngineSuite, NamedKiGetsPredictableIdAndIsListed) {
  ASSERT_THAT(engine().create_knowledge_base(kb("a")), IsOk());
  auto id = engine().register_ki("http://example.org/a",
                                 ki::KnowledgeInteraction::ask(gp("?x ex:p ?y ."), "asker"));
  ASSERT_THAT(id, IsOk());
  EXPECT_EQ(*id, "http://example.org/a/interaction/asker");
  auto listed = engine().knowledge_interactions("http://example.org/a");
  ASSERT_THAT(listed, IsOk());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->front().id, *id);
  EXPECT_EQ(listed->front().definition.kind, ki::KiKind::ask);
  EXPECT_EQ(*listed->front().definition.pattern, gp("?x ex:p ?y ."));
  EXPECT_THAT(engine().register_ki("http://example.org/a",
                                   ki::KnowledgeInteraction::ask(gp("?x ex:q ?y ."), "asker")),
              HasError(ErrorCode::already_exists, HasSubstr("should not be already registered")));
}

TEST_P(KnowledgeEngineSuite, AskReachesAnswerInItsOwnVariables) {
  ASSERT_THAT(engine().create_knowledge_base(kb("answerer")), IsOk());
  ASSERT_THAT(engine().create_knowledge_base(kb("asker")), IsOk());
  std::atomic<int> calls{0};
  SyncHandler answer = [&](const HandleRequest& req) -> Result<BindingSet> {
    ++calls;
    EXPECT_EQ(req.kind, ki::KiKind::answer);
    EXPECT_EQ(req.requesting_kb, "http://example.org/asker");
    EXPECT_EQ(req.ki_id, "http://example.org/answerer/interaction/answer");
    return BindingSet{Binding{
        {"a", iri("s")}, {"b", Term::literal("21.5", "http://www.w3.org/2001/XMLSchema#decimal")}}};
  };
  ASSERT_THAT(engine().register_ki(
                  "http://example.org/answerer",
                  ki::KnowledgeInteraction::answer(gp("?a ex:temp ?b ."), "answer"), answer),
              IsOk());
  auto ask = engine().register_ki("http://example.org/asker",
                                  ki::KnowledgeInteraction::ask(gp("?x ex:temp ?y .")));
  ASSERT_THAT(ask, IsOk());
  auto result = engine().ask("http://example.org/asker", *ask);
  ASSERT_THAT(result, IsOk());
  EXPECT_EQ(calls.load(), 1);
  EXPECT_EQ(result->bindings,
            (BindingSet{Binding{
                {"x", iri("s")},
                {"y", Term::literal("21.5", "http://www.w3.org/2001/XMLSchema#decimal")}}}));
  ASSERT_EQ(result->exchange_info.size(), 1u);
  EXPECT_EQ(result->exchange_info[0].status, ExchangeStatus::succeeded);
  EXPECT_EQ(result->exchange_info[0].knowledge_base_id, "http://example.org/answerer");
  EXPECT_TRUE(result->exchange_info[0].bindings.bindings().front().contains("a"));
}

TEST_P(KnowledgeEngineSuite, PostReachesReactAndReturnsItsResult) {
  ASSERT_THAT(engine().create_knowledge_base(kb("reactor")), IsOk());
  ASSERT_THAT(engine().create_knowledge_base(kb("poster")), IsOk());
  SyncHandler react = [&](const HandleRequest& req) -> Result<BindingSet> {
    BindingSet out;
    for (const auto& b : req.bindings)
      out.insert(Binding{{"m", *b.find("m")}, {"c", Term::literal("ok")}});
    return out;
  };
  ASSERT_THAT(engine().register_ki(
                  "http://example.org/reactor",
                  ki::KnowledgeInteraction::react(gp("?m ex:f ?f ."), gp("?m ex:c ?c .")), react),
              IsOk());
  auto post =
      engine().register_ki("http://example.org/poster",
                           ki::KnowledgeInteraction::post(gp("?n ex:f ?g ."), gp("?n ex:c ?d .")));
  ASSERT_THAT(post, IsOk());
  auto result = engine().post("http://example.org/poster", *post,
                              BindingSet{Binding{{"n", iri("m1")}, {"g", Term::literal("1")}}});
  ASSERT_THAT(result, IsOk());
  EXPECT_EQ(result->result_bindings,
            (BindingSet{Binding{{"n", iri("m1")}, {"d", Term::literal("ok")}}}));
  ASSERT_EQ(result->exchange_info.size(), 1u);
  EXPECT_EQ(result->exchange_info[0].status, ExchangeStatus::succeeded);
}

TEST_P(KnowledgeEngineSuite, HandlerErrorMakesOnlyThatExchangeFailed) {
  ASSERT_THAT(engine().create_knowledge_base(kb("bad")), IsOk());
  ASSERT_THAT(engine().create_knowledge_base(kb("good")), IsOk());
  ASSERT_THAT(engine().create_knowledge_base(kb("asker")), IsOk());
  SyncHandler failing = [](const HandleRequest&) -> Result<BindingSet> {
    return failed_precondition("Database connection lost.");
  };
  SyncHandler working = [](const HandleRequest&) -> Result<BindingSet> {
    return BindingSet{Binding{{"a", iri("s")}, {"b", iri("o")}}};
  };
  ASSERT_THAT(engine().register_ki("http://example.org/bad",
                                   ki::KnowledgeInteraction::answer(gp("?a ex:p ?b .")), failing),
              IsOk());
  ASSERT_THAT(engine().register_ki("http://example.org/good",
                                   ki::KnowledgeInteraction::answer(gp("?a ex:p ?b .")), working),
              IsOk());
  auto ask = engine().register_ki("http://example.org/asker",
                                  ki::KnowledgeInteraction::ask(gp("?x ex:p ?y .")));
  ASSERT_THAT(ask, IsOk());
  auto result = engine().ask("http://example.org/asker", *ask);
  ASSERT_THAT(result, IsOk());
  EXPECT_EQ(result->bindings.size(), 1u);
  ASSERT_EQ(result->exchange_info.size(), 2u);
  int failed = 0;
  for (const auto& e : result->exchange_info) {
    if (e.status == ExchangeStatus::failed) {
      ++failed;
      EXPECT_EQ(e.knowledge_base_id, "http://example.org/bad");
      EXPECT_THAT(e.failed_message, HasSubstr("Database connection lost."));
    }
  }
  EXPECT_EQ(failed, 1);
}

TEST_P(KnowledgeEngineSuite, DeadlineMarksSlowHandlerFailed) {
  ASSERT_THAT(engine().create_knowledge_base(kb("slow")), IsOk());
  ASSERT_THAT(engine().create_knowledge_base(kb("asker")), IsOk());
  Handler slow = [](const HandleRequest&, Reply reply) {
    std::thread([reply = std::move(reply)] {
      std::this_thread::sleep_for(std::chrono::milliseconds(800));
      reply(BindingSet{});
    }).detach();
  };
  ASSERT_THAT(engine().register_ki("http://example.org/slow",
                                   ki::KnowledgeInteraction::answer(gp("?a ex:p ?b .")), slow),
              IsOk());
  auto ask = engine().register_ki("http://example.org/asker",
                                  ki::KnowledgeInteraction::ask(gp("?x ex:p ?y .")));
  ASSERT_THAT(ask, IsOk());
  CallOptions options;
  options.deadline = std::chrono::milliseconds(200);
  auto start = std::chrono::steady_clock::now();
  auto result = engine().ask("http://example.org/asker", *ask, {}, options);
  ASSERT_THAT(result, IsOk());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(700));
  ASSERT_EQ(result->exchange_info.size(), 1u);
  EXPECT_EQ(result->exchange_info[0].status, ExchangeStatus::failed);
  std::this_thread::sleep_for(std::chrono::milliseconds(800));  // the late reply is dropped
}

TEST_P(KnowledgeEngineSuite, RecipientSelectorRestrictsTargets) {
  for (const char* name : {"r1", "r2", "asker"})
    ASSERT_THAT(engine().create_knowledge_base(kb(name)), IsOk());
  for (const char* name : {"r1", "r2"}) {
    std::string who = name;
    SyncHandler h = [who](const HandleRequest&) -> Result<BindingSet> {
      return BindingSet{Binding{{"a", iri(who)}, {"b", iri("o")}}};
    };
    ASSERT_THAT(engine().register_ki("http://example.org/" + who,
                                     ki::KnowledgeInteraction::answer(gp("?a ex:p ?b .")), h),
                IsOk());
  }
  auto ask = engine().register_ki("http://example.org/asker",
                                  ki::KnowledgeInteraction::ask(gp("?x ex:p ?y .")));
  ASSERT_THAT(ask, IsOk());
  CallOptions only_r2;
  only_r2.recipients.knowledge_bases = {"http://example.org/r2"};
  auto result = engine().ask("http://example.org/asker", *ask, {}, only_r2);
  ASSERT_THAT(result, IsOk());
  EXPECT_EQ(result->bindings, (BindingSet{Binding{{"x", iri("r2")}, {"y", iri("o")}}}));
  auto all = engine().ask("http://example.org/asker", *ask);
  ASSERT_THAT(all, IsOk());
  EXPECT_EQ(all->bindings.size(), 2u);
}

TEST_P(KnowledgeEngineSuite, UnknownIdsAreNotFound) {
  ASSERT_THAT(engine().create_knowledge_base(kb("a")), IsOk());
  EXPECT_THAT(engine().knowledge_interactions("http://example.org/none"),
              HasError(ErrorCode::not_found, ::testing::_));
  auto ask = engine().ask("http://example.org/a", "http://example.org/a/interaction/none");
  EXPECT_THAT(ask, HasError(ErrorCode::not_found, ::testing::_));
  EXPECT_THAT(
      engine().unregister_ki("http://example.org/a", "http://example.org/a/interaction/none"),
      HasError(ErrorCode::not_found, ::testing::_));
}

TEST_P(KnowledgeEngineSuite, UnregisteredKiNoLongerAnswers) {
  ASSERT_THAT(engine().create_knowledge_base(kb("answerer")), IsOk());
  ASSERT_THAT(engine().create_knowledge_base(kb("asker")), IsOk());
  SyncHandler h = [](const HandleRequest&) -> Result<BindingSet> {
    return BindingSet{Binding{{"a", iri("s")}, {"b", iri("o")}}};
  };
  auto answer = engine().register_ki("http://example.org/answerer",
                                     ki::KnowledgeInteraction::answer(gp("?a ex:p ?b .")), h);
  ASSERT_THAT(answer, IsOk());
  auto ask = engine().register_ki("http://example.org/asker",
                                  ki::KnowledgeInteraction::ask(gp("?x ex:p ?y .")));
  ASSERT_THAT(ask, IsOk());
  EXPECT_EQ(engine().ask("http://example.org/asker", *ask)->bindings.size(), 1u);
  ASSERT_THAT(engine().unregister_ki("http://example.org/answerer", *answer), IsOk());
  auto after = engine().ask("http://example.org/asker", *ask);
  ASSERT_THAT(after, IsOk());
  EXPECT_TRUE(after->bindings.empty());
  EXPECT_TRUE(after->exchange_info.empty());
}

INSTANTIATE_TEST_SUITE_P(Engines, KnowledgeEngineSuite,
                         ::testing::Values(EngineKind{"Embedded", make_embedded},
                                           EngineKind{"RemoteOverRest", make_remote}),
                         [](const ::testing::TestParamInfo<EngineKind>& info) {
                           return info.param.name;
                         });

}  // namespace
}  // namespace gridke::engine
