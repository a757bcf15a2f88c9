// EmbeddedEngine POST/REACT exchanges (NOTES §3 items 40–46) and engine lifetime.
#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "engine_test_support.hpp"

namespace gridke::engine::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::SizeIs;
using ::testing::StartsWith;

SyncHandler recording(Recorder* rec, BindingSet rows = {}) {
  return [rec, rows](const HandleRequest& r) -> Result<BindingSet> {
    rec->add(r);
    return rows;
  };
}

TEST_F(EmbeddedEngineTest, PostReachesReactInItsOwnVariables) {
  // TestPostReact: POST ?a ex:b ?c reaches REACT ?d ex:b ?e as {d, e}; no result pattern → [].
  make_kb("kb1");
  make_kb("kb2");
  const KiId posting = post_ki("kb1", "?a ex:b ?c .");
  Recorder rec;
  const KiId reacting = react_ki("kb2", "?d ex:b ?e .", "", recording(&rec));
  PostResult r = post("kb1", posting, BindingSet{Binding{{"a", iri("a")}, {"c", iri("c")}}});
  EXPECT_TRUE(r.result_bindings.empty());
  ASSERT_EQ(rec.count(), 1u);
  EXPECT_EQ(rec.requests()[0].bindings, (BindingSet{Binding{{"d", iri("a")}, {"e", iri("c")}}}));
  EXPECT_EQ(rec.requests()[0].kind, ki::KiKind::react);
  EXPECT_EQ(rec.requests()[0].requesting_kb, kb_id("kb1"));
  ASSERT_THAT(r.exchange_info, SizeIs(1));
  EXPECT_EQ(r.exchange_info[0].knowledge_interaction_id, reacting);
  EXPECT_EQ(r.exchange_info[0].status, ExchangeStatus::succeeded);
}

TEST_F(EmbeddedEngineTest, EveryMatchingReactKnowledgeBaseReceivesThePost) {
  // TestPostReact2.
  make_kb("kb1");
  make_kb("kb2");
  make_kb("kb3");
  const KiId posting = post_ki("kb1", "?a ex:b ?c .");
  Recorder r2;
  Recorder r3;
  react_ki("kb2", "?x ex:b ?y .", "", recording(&r2));
  react_ki("kb3", "?p ex:b ?q .", "", recording(&r3));
  PostResult r = post("kb1", posting, BindingSet{Binding{{"a", iri("a")}, {"c", iri("c")}}});
  EXPECT_EQ(r2.count(), 1u);
  EXPECT_EQ(r3.count(), 1u);
  EXPECT_THAT(r.exchange_info, SizeIs(2));
}

TEST_F(EmbeddedEngineTest, ResultsAreUnionedAndProjectedToThePostResult) {
  // TestPostReact3: two REACTs with result patterns, one a superset → 2 result bindings.
  make_kb("kb1");
  make_kb("kb2");
  make_kb("kb3");
  const KiId posting = post_ki("kb1", "?a ex:b ?c .", "?a ex:d ?e .");
  react_ki("kb2", "?x ex:b ?y .", "?x ex:d ?z .", [](const HandleRequest& r) -> Result<BindingSet> {
    const Binding& in = *r.bindings.begin();
    return BindingSet{Binding{{"x", *in.find("x")}, {"z", iri("e2")}}};
  });
  react_ki("kb3", "?x ex:b ?y .", "?x ex:d ?z . ?x ex:f ?g .",
           [](const HandleRequest& r) -> Result<BindingSet> {
             const Binding& in = *r.bindings.begin();
             return BindingSet{Binding{{"x", *in.find("x")}, {"z", iri("e3")}, {"g", iri("g")}}};
           });
  PostResult r = post("kb1", posting, BindingSet{Binding{{"a", iri("a")}, {"c", iri("c")}}});
  EXPECT_EQ(r.result_bindings, (BindingSet{Binding{{"a", iri("a")}, {"e", iri("e2")}},
                                           Binding{{"a", iri("a")}, {"e", iri("e3")}}}));
  ASSERT_THAT(r.exchange_info, SizeIs(2));
  // Exchange info keeps the reactor's variable names (VariableBindingNameTest).
  for (const auto& info : r.exchange_info) {
    EXPECT_EQ(info.bindings, (BindingSet{Binding{{"x", iri("a")}, {"y", iri("c")}}}));
    ASSERT_FALSE(info.result_bindings.empty());
    EXPECT_TRUE(info.result_bindings.begin()->contains("z"));
  }
}

TEST_F(EmbeddedEngineTest, ReactWithoutResultContributesNothingToAPostWithOne) {
  make_kb("kb1");
  make_kb("kb2");
  const KiId posting = post_ki("kb1", "?a ex:b ?c .", "?a ex:d ?e .");
  Recorder rec;
  react_ki("kb2", "?x ex:b ?y .", "", recording(&rec));
  PostResult r = post("kb1", posting, BindingSet{Binding{{"a", iri("a")}, {"c", iri("c")}}});
  EXPECT_EQ(rec.count(), 1u);  // it still fires
  EXPECT_TRUE(r.result_bindings.empty());
}

TEST_F(EmbeddedEngineTest, ReactFiresWhenItsArgumentIsASubsetOfThePost) {
  make_kb("kb1");
  make_kb("kb2");
  const KiId posting = post_ki("kb1", "?m a ex:Measurement . ?m ex:value ?v . ?m ex:unit ?u .");
  Recorder rec;
  react_ki("kb2", "?x ex:value ?y .", "", recording(&rec));
  post("kb1", posting, BindingSet{Binding{{"m", iri("m")}, {"v", term("1")}, {"u", iri("C")}}});
  ASSERT_EQ(rec.count(), 1u);
  EXPECT_EQ(rec.requests()[0].bindings, (BindingSet{Binding{{"x", iri("m")}, {"y", term("1")}}}));
  // A REACT needing more than the POST offers is not triggered.
  Recorder more;
  react_ki("kb2", "?x ex:value ?y . ?x ex:location ?l .", "", recording(&more));
  post("kb1", posting, BindingSet{Binding{{"m", iri("m")}, {"v", term("1")}, {"u", iri("C")}}});
  EXPECT_EQ(more.count(), 0u);
}

TEST_F(EmbeddedEngineTest, LevelOnePostNeedsAnExactCoverBothWays) {
  make_kb("kb1", /*level=*/1);
  make_kb("kb2");
  const KiId posting = post_ki("kb1", "?m ex:value ?v . ?m ex:unit ?u .");
  Recorder subset;
  Recorder exact;
  react_ki("kb2", "?x ex:value ?y .", "", recording(&subset));
  react_ki("kb2", "?x ex:unit ?w . ?x ex:value ?y .", "", recording(&exact));
  post("kb1", posting, BindingSet{Binding{{"m", iri("m")}, {"v", term("1")}, {"u", iri("C")}}});
  EXPECT_EQ(subset.count(), 0u);
  EXPECT_EQ(exact.count(), 1u);
}

TEST_F(EmbeddedEngineTest, SlowReactTimesOutWithoutFailingThePost) {
  // TestPostReact4/5: a REACT slower than the deadline → FAILED, empty result, no error.
  make_kb("kb1");
  make_kb("kb2");
  const KiId posting = post_ki("kb1", "?a ex:b ?c .", "?a ex:d ?e .");
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  react_ki("kb2", "?x ex:b ?y .", "?x ex:d ?z .",
           [released](const HandleRequest& r) -> Result<BindingSet> {
             released.wait();
             const Binding& in = *r.bindings.begin();
             return BindingSet{Binding{{"x", *in.find("x")}, {"z", iri("late")}}};
           });
  CallOptions quick;
  quick.deadline = std::chrono::milliseconds(100);
  PostResult r = post("kb1", posting, BindingSet{Binding{{"a", iri("a")}, {"c", iri("c")}}}, quick);
  release.set_value();
  EXPECT_TRUE(r.result_bindings.empty());
  ASSERT_THAT(r.exchange_info, SizeIs(1));
  EXPECT_EQ(r.exchange_info[0].status, ExchangeStatus::failed);
  EXPECT_THAT(
      r.exchange_info[0].failed_message,
      StartsWith("Error 'TimeoutException' occurred while waiting for response to message: "));
}

TEST_F(EmbeddedEngineTest, TimedOutReactsNameDistinctUuidMessages) {
  make_kb("kb1");
  make_kb("kb2");
  make_kb("kb3");
  const KiId posting = post_ki("kb1", "?a ex:b ?c .");
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  auto slow = [released](const HandleRequest&) -> Result<BindingSet> {
    released.wait();
    return BindingSet{};
  };
  react_ki("kb2", "?x ex:b ?y .", "", slow);
  react_ki("kb3", "?x ex:b ?y .", "", slow);
  CallOptions quick;
  quick.deadline = std::chrono::milliseconds(100);
  PostResult r = post("kb1", posting, BindingSet{Binding{{"a", iri("a")}, {"c", iri("c")}}}, quick);
  release.set_value();
  ASSERT_THAT(r.exchange_info, SizeIs(2));
  const std::string prefix =
      "Error 'TimeoutException' occurred while waiting for response to message: ";
  for (const auto& info : r.exchange_info) {
    EXPECT_EQ(info.status, ExchangeStatus::failed);
    EXPECT_THAT(
        info.failed_message,
        ::testing::MatchesRegex(prefix + "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-"
                                         "[0-9a-f]{12}"));
  }
  EXPECT_NE(r.exchange_info[0].failed_message, r.exchange_info[1].failed_message);
}

TEST_F(EmbeddedEngineTest, PostedBindingsStayUnchangedWhateverTheHandlerDoesWithItsCopy) {
  // Binding sets share their bindings between copies (copy-on-write): a handler that keeps and
  // extends its copy of the request changes neither the caller's set nor the exchange info.
  make_kb("kb1");
  make_kb("kb2");
  const KiId posting = post_ki("kb1", "?a ex:b ?c .");
  std::mutex mu;
  std::vector<BindingSet> kept;
  react_ki("kb2", "?x ex:b ?y .", "", [&](const HandleRequest& r) -> Result<BindingSet> {
    BindingSet mine = r.bindings;
    mine.insert(Binding{{"x", iri("extra")}, {"y", iri("extra")}});
    std::lock_guard<std::mutex> lock(mu);
    kept.push_back(std::move(mine));
    return BindingSet{};
  });
  BindingSet posted;
  for (int i = 0; i < 50; ++i)
    posted.insert(Binding{{"a", iri("a" + std::to_string(i))}, {"c", iri("c")}});
  const BindingSet before = posted;
  PostResult r = post("kb1", posting, posted);
  EXPECT_EQ(posted, before);
  EXPECT_EQ(posted.size(), 50u);
  ASSERT_THAT(r.exchange_info, SizeIs(1));
  EXPECT_EQ(r.exchange_info[0].bindings.size(), 50u);
  EXPECT_FALSE(
      r.exchange_info[0].bindings.contains(Binding{{"x", iri("extra")}, {"y", iri("extra")}}));
  EXPECT_TRUE(r.exchange_info[0].bindings.contains(Binding{{"x", iri("a7")}, {"y", iri("c")}}));
  std::lock_guard<std::mutex> lock(mu);
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_EQ(kept[0].size(), 51u);
}

TEST_F(EmbeddedEngineTest, PostRecipientSelectorReachesOnlyThatKnowledgeBase) {
  // TestPostRecipientSelector.
  make_kb("kb1");
  make_kb("kb2");
  make_kb("kb3");
  const KiId posting = post_ki("kb1", "?a ex:b ?c .");
  Recorder r2;
  Recorder r3;
  react_ki("kb2", "?x ex:b ?y .", "", recording(&r2));
  react_ki("kb3", "?x ex:b ?y .", "", recording(&r3));
  CallOptions only;
  only.recipients.knowledge_bases = {kb_id("kb3")};
  post("kb1", posting, BindingSet{Binding{{"a", iri("a")}, {"c", iri("c")}}}, only);
  EXPECT_EQ(r2.count(), 0u);
  EXPECT_EQ(r3.count(), 1u);
}

TEST_F(EmbeddedEngineTest, IllTypedLiteralsAndLanguageTagsArriveUnchanged) {
  // TestPostReactDatatype / TestPostReactLanguageTag.
  make_kb("kb1");
  make_kb("kb2");
  const KiId posting = post_ki("kb1", "?a ex:b ?c . ?a ex:label ?l .");
  Recorder rec;
  react_ki("kb2", "?x ex:b ?y . ?x ex:label ?z .", "", recording(&rec));
  post("kb1", posting,
       BindingSet{Binding{{"a", iri("a")},
                          {"c", term("\"eek\"^^<http://www.w3.org/2001/XMLSchema#decimal>")},
                          {"l", term("\"eek\"@en")}}});
  const auto requests = rec.requests();
  ASSERT_EQ(requests.size(), 1u);
  const Binding& b = *requests[0].bindings.begin();
  EXPECT_EQ(b.find("y")->to_string(), "\"eek\"^^<http://www.w3.org/2001/XMLSchema#decimal>");
  EXPECT_EQ(b.find("z")->to_string(), "\"eek\"@en");
}

TEST_F(EmbeddedEngineTest, ReactOutputIsValidated) {
  make_kb("kb1");
  make_kb("kb2");
  make_kb("kb3");
  const KiId posting = post_ki("kb1", "?a ex:b ?c .", "?a ex:d ?e .");
  // A REACT without a result pattern must return nothing.
  react_ki("kb2", "?x ex:b ?y .", "", [](const HandleRequest&) -> Result<BindingSet> {
    return BindingSet{Binding{{"x", iri("1")}}};
  });
  // A result that does not fit the argument on the shared variable ?x.
  react_ki("kb3", "?x ex:b ?y .", "?x ex:d ?z .", [](const HandleRequest&) -> Result<BindingSet> {
    return BindingSet{Binding{{"x", iri("other")}, {"z", iri("z")}}};
  });
  PostResult r = post("kb1", posting, BindingSet{Binding{{"a", iri("a")}, {"c", iri("c")}}});
  EXPECT_TRUE(r.result_bindings.empty());
  ASSERT_THAT(r.exchange_info, SizeIs(2));
  EXPECT_EQ(r.exchange_info[0].failed_message,
            "Bindings must be empty when the graph pattern is missing.");
  EXPECT_THAT(r.exchange_info[1].failed_message,
              HasSubstr("doesn't have a matching incoming binding!"));
}

TEST_F(EmbeddedEngineTest, ReactErrorIsReportedAsReacting) {
  make_kb("kb1");
  make_kb("kb2");
  const KiId posting = post_ki("kb1", "?a ex:b ?c .");
  react_ki("kb2", "?x ex:b ?y .", "", [](const HandleRequest&) -> Result<BindingSet> {
    return invalid_argument("no such device");
  });
  PostResult r = post("kb1", posting, BindingSet{Binding{{"a", iri("a")}, {"c", iri("c")}}});
  ASSERT_THAT(r.exchange_info, SizeIs(1));
  EXPECT_EQ(r.exchange_info[0].failed_message, "An error occurred while REACTing: no such device");
}

TEST_F(EmbeddedEngineTest, ForwardChainThroughAConverter) {
  // POST in Fahrenheit → REACT converter → REACT consuming Celsius; the POST's result pattern
  // captures the converter's output.
  make_kb("sensor");
  make_kb("converter");
  make_kb("display");
  const KiId posting = post_ki("sensor", "?m ex:fahrenheit ?f .", "?m ex:celsius ?c .");
  react_ki("converter", "?x ex:fahrenheit ?y .", "?x ex:celsius ?z .",
           [](const HandleRequest& r) -> Result<BindingSet> {
             BindingSet out;
             for (const Binding& b : r.bindings) {
               const double f = std::stod(b.find("y")->value());
               out.insert(Binding{{"x", *b.find("x")},
                                  {"z", term(std::to_string(static_cast<int>((f - 32) * 5 / 9)))}});
             }
             return out;
           });
  Recorder shown;
  react_ki("display", "?d ex:celsius ?t .", "", recording(&shown));
  PostResult r = post("sensor", posting, BindingSet{Binding{{"m", iri("m1")}, {"f", term("212")}}});
  EXPECT_EQ(r.result_bindings, (BindingSet{Binding{{"m", iri("m1")}, {"c", term("100")}}}));
  ASSERT_EQ(shown.count(), 1u);
  EXPECT_EQ(shown.requests()[0].bindings,
            (BindingSet{Binding{{"d", iri("m1")}, {"t", term("100")}}}));
  EXPECT_THAT(r.exchange_info, SizeIs(2));
}

TEST_F(EmbeddedEngineTest, AsyncHandlerRepliesFromAnotherThread) {
  make_kb("kb1");
  make_kb("kb2");
  const KiId asking = ask_ki("kb1", "?a ex:b ?c .");
  std::vector<std::thread> workers;
  std::mutex mu;
  Handler later = [&](const HandleRequest&, Reply reply) {
    std::lock_guard<std::mutex> lock(mu);
    workers.emplace_back([reply] {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      reply(BindingSet{Binding{{"x", iri("1")}, {"y", iri("2")}}});
    });
  };
  ASSERT_THAT(engine_.register_ki(kb_id("kb2"),
                                  ki::KnowledgeInteraction::answer(gp("?x ex:b ?y .")), later),
              IsOk());
  EXPECT_THAT(ask("kb1", asking).bindings, SizeIs(1));
  std::lock_guard<std::mutex> lock(mu);
  for (auto& t : workers) t.join();
}

TEST_F(EmbeddedEngineTest, CallbacksRunOffTheCallersThread) {
  make_kb("kb1");
  const KiId asking = ask_ki("kb1", "?a ex:b ?c .");
  std::promise<std::thread::id> where;
  engine_.ask_async(kb_id("kb1"), asking, {}, {},
                    [&where](Result<AskResult>) { where.set_value(std::this_thread::get_id()); });
  EXPECT_NE(where.get_future().get(), std::this_thread::get_id());
}

// HandlerOptions::never_blocks: the handler runs on the thread that starts the exchange (no
// hand-off to a handler thread); CallOptions::callback_never_blocks: the callback runs on the
// thread that completes it. Together an exchange whose handler replies at once completes on
// the caller's own thread.
TEST_F(EmbeddedEngineTest, NeverBlockingHandlerAndCallbackRunOnTheCallersThread) {
  make_kb("kb1");
  make_kb("kb2");
  const KiId asking = ask_ki("kb1", "?a ex:b ?c .");
  std::thread::id handler_thread;
  Handler quick = [&](const HandleRequest&, Reply reply) {
    handler_thread = std::this_thread::get_id();
    reply(BindingSet{Binding{{"x", iri("1")}, {"y", iri("2")}}});
  };
  ASSERT_THAT(
      engine_.register_ki(kb_id("kb2"), ki::KnowledgeInteraction::answer(gp("?x ex:b ?y .")), quick,
                          HandlerOptions{.never_blocks = true}),
      IsOk());
  CallOptions options;
  options.callback_never_blocks = true;
  std::optional<Result<AskResult>> result;
  std::thread::id callback_thread;
  engine_.ask_async(kb_id("kb1"), asking, {}, options, [&](Result<AskResult> r) {
    callback_thread = std::this_thread::get_id();
    result = std::move(r);
  });
  // Both ran before ask_async returned, on this thread.
  ASSERT_TRUE(result.has_value());
  ASSERT_THAT(*result, IsOk());
  EXPECT_THAT((*result)->bindings, SizeIs(1));
  EXPECT_EQ(handler_thread, std::this_thread::get_id());
  EXPECT_EQ(callback_thread, std::this_thread::get_id());
}

TEST_F(EmbeddedEngineTest, NeverBlockingCallbackRunsOnTheReplyingThread) {
  make_kb("kb1");
  make_kb("kb2");
  const KiId posting = post_ki("kb1", "?s ex:v ?x .");
  HeldReply keep;
  ASSERT_THAT(engine_.register_ki(kb_id("kb2"), ki::KnowledgeInteraction::react(gp("?p ex:v ?q .")),
                                  keep.handler(), HandlerOptions{.never_blocks = true}),
              IsOk());
  {
    CallOptions options;
    options.callback_never_blocks = true;
    std::promise<std::thread::id> where;
    auto done = where.get_future();
    engine_.post_async(kb_id("kb1"), posting,
                       BindingSet{Binding{{"s", iri("s")}, {"x", term("1")}}}, options,
                       [&where](Result<PostResult> r) {
                         EXPECT_THAT(r, IsOk());
                         where.set_value(std::this_thread::get_id());
                       });
    // No wait: a never-blocking handler has run before post_async returns.
    Reply reply = keep.take();
    ASSERT_TRUE(static_cast<bool>(reply));
    std::thread replier([&reply, &done] {
      reply(BindingSet{});
      // The callback ran inside reply(), on this thread.
      EXPECT_EQ(done.wait_for(std::chrono::seconds(0)), std::future_status::ready);
      EXPECT_EQ(done.get(), std::this_thread::get_id());
    });
    replier.join();
  }
}

TEST_F(EmbeddedEngineTest, ThrowingNeverBlockingHandlerFailsOnlyItsKi) {
  make_kb("kb1");
  make_kb("kb2");
  make_kb("kb3");
  const KiId asking = ask_ki("kb1", "?a ex:b ?c .");
  Handler boom = [](const HandleRequest&, Reply) { throw std::runtime_error("inline boom"); };
  ASSERT_THAT(
      engine_.register_ki(kb_id("kb2"), ki::KnowledgeInteraction::answer(gp("?x ex:b ?y .")), boom,
                          HandlerOptions{.never_blocks = true}),
      IsOk());
  answer_ki("kb3", "?x ex:b ?y .", BindingSet{Binding{{"x", iri("1")}, {"y", iri("2")}}});
  AskResult r = ask("kb1", asking);
  EXPECT_THAT(r.bindings, SizeIs(1));
  ASSERT_THAT(r.exchange_info, SizeIs(2));
  int failed = 0;
  for (const auto& info : r.exchange_info) {
    if (info.status == ExchangeStatus::failed) {
      ++failed;
      EXPECT_THAT(info.failed_message, HasSubstr("handler threw: inline boom"));
    }
  }
  EXPECT_EQ(failed, 1);
}

TEST(EmbeddedEngineLifetime, DestroyingTheEngineCompletesPendingExchanges) {
  std::promise<Result<AskResult>> outcome;
  HeldReply keep;
  Reply held;
  {
    EmbeddedEngine engine;
    ASSERT_THAT(engine.create_knowledge_base({"http://example.org/a", "a", "a", std::nullopt, 2}),
                IsOk());
    ASSERT_THAT(engine.create_knowledge_base({"http://example.org/b", "b", "b", std::nullopt, 2}),
                IsOk());
    auto asking = engine.register_ki("http://example.org/a",
                                     ki::KnowledgeInteraction::ask(gp("?a ex:b ?c .")), Handler{});
    ASSERT_THAT(asking, IsOk());
    ASSERT_THAT(
        engine.register_ki("http://example.org/b",
                           ki::KnowledgeInteraction::answer(gp("?x ex:b ?y .")), keep.handler()),
        IsOk());
    engine.ask_async("http://example.org/a", *asking, {}, {},
                     [&outcome](Result<AskResult> r) { outcome.set_value(std::move(r)); });
    // Wait until the handler holds the reply, then destroy the engine.
    held = keep.take(std::chrono::seconds(1));
  }
  auto r = outcome.get_future().get();
  ASSERT_THAT(r, IsOk());
  ASSERT_THAT(r->exchange_info, SizeIs(1));
  EXPECT_EQ(r->exchange_info[0].status, ExchangeStatus::failed);
  // A reply that outlives the engine is dropped safely.
  ASSERT_TRUE(static_cast<bool>(held));
  held(BindingSet{});
}

}  // namespace
}  // namespace gridke::engine::testing
