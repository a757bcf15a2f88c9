// EmbeddedEngine under concurrent load: 32 knowledge bases asking, answering, posting,
// reacting, registering and unregistering at once. Runs GRIDKE_CONCURRENCY_SECONDS seconds
// (default 10); scripts/test.sh runs it under ThreadSanitizer (label "concurrency").
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <random>
#include <thread>

#include "engine_test_support.hpp"

namespace gridke::engine::testing {
namespace {

std::chrono::milliseconds test_duration() {
  const char* env = std::getenv("GRIDKE_CONCURRENCY_SECONDS");
  double seconds = 10.0;
  if (env != nullptr && *env != '\0') seconds = std::strtod(env, nullptr);
  if (seconds <= 0) seconds = 10.0;
  return std::chrono::milliseconds(static_cast<long long>(seconds * 1000));
}

constexpr int kb_count = 32;

TEST(EmbeddedEngineConcurrency, ThirtyTwoKnowledgeBasesWorkAtOnce) {
  EmbeddedEngine::Options options;
  options.default_deadline = std::chrono::milliseconds(2000);
  options.handler_threads = 8;
  EmbeddedEngine engine(options);
  const std::string pattern = "?s ex:value ?v .";
  auto kb_name = [](int i) { return "http://example.org/kb" + std::to_string(i); };

  std::vector<KiId> asks(kb_count);
  std::vector<KiId> posts(kb_count);
  for (int i = 0; i < kb_count; ++i) {
    ASSERT_THAT(engine.create_knowledge_base({kb_name(i), "kb", "load", std::nullopt, 2}), IsOk());
    auto a = engine.register_ki(kb_name(i), ki::KnowledgeInteraction::ask(gp(pattern)), Handler{});
    auto p = engine.register_ki(
        kb_name(i), ki::KnowledgeInteraction::post(gp(pattern), gp("?s ex:seen ?n .")), Handler{});
    ASSERT_THAT(a, IsOk());
    ASSERT_THAT(p, IsOk());
    asks[static_cast<std::size_t>(i)] = *a;
    posts[static_cast<std::size_t>(i)] = *p;
    const rdf::Term me = iri("s" + std::to_string(i));
    SyncHandler answer = [me](const HandleRequest&) -> Result<BindingSet> {
      return BindingSet{Binding{{"s", me}, {"v", term("1")}}};
    };
    SyncHandler react = [me](const HandleRequest& r) -> Result<BindingSet> {
      BindingSet out;
      for (const Binding& b : r.bindings) out.insert(Binding{{"s", *b.find("s")}, {"n", me}});
      return out;
    };
    ASSERT_THAT(
        engine.register_ki(kb_name(i), ki::KnowledgeInteraction::answer(gp(pattern)), answer),
        IsOk());
    ASSERT_THAT(
        engine.register_ki(
            kb_name(i), ki::KnowledgeInteraction::react(gp(pattern), gp("?s ex:seen ?n .")), react),
        IsOk());
  }

  const auto stop_at = std::chrono::steady_clock::now() + test_duration();
  std::atomic<long> asks_done{0};
  std::atomic<long> posts_done{0};
  std::atomic<long> changes_done{0};
  std::atomic<long> errors{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kb_count; ++i) {
    threads.emplace_back([&, i] {
      std::mt19937 rng(static_cast<unsigned>(i) * 7919u + 1u);
      const std::string me = kb_name(i);
      const std::string extra = kb_name(i) + "/extra";
      while (std::chrono::steady_clock::now() < stop_at) {
        switch (rng() % 5) {
          case 0:
          case 1: {
            auto r = engine.ask(me, asks[static_cast<std::size_t>(i)]);
            if (!r) {
              ++errors;
              break;
            }
            // Every other KB answers; temporary KIs may add more. Never our own answer.
            if (r->bindings.size() < static_cast<std::size_t>(kb_count - 1)) ++errors;
            for (const Binding& b : r->bindings) {
              if (b.size() != 2 || *b.find("s") == iri("s" + std::to_string(i))) ++errors;
            }
            ++asks_done;
            break;
          }
          case 2: {
            auto r = engine.post(
                me, posts[static_cast<std::size_t>(i)],
                BindingSet{Binding{{"s", iri("m" + std::to_string(i))}, {"v", term("2")}}});
            if (!r || r->result_bindings.size() < static_cast<std::size_t>(kb_count - 1)) ++errors;
            ++posts_done;
            break;
          }
          case 3: {
            SyncHandler temp = [](const HandleRequest&) -> Result<BindingSet> {
              return BindingSet{Binding{{"s", iri("temp")}, {"v", term("3")}}};
            };
            auto id = engine.register_ki(me, ki::KnowledgeInteraction::answer(gp(pattern)), temp);
            if (!id || !engine.unregister_ki(me, *id)) ++errors;
            ++changes_done;
            break;
          }
          default: {
            if (!engine.create_knowledge_base({extra, "extra", "churn", std::nullopt, 2})) ++errors;
            SyncHandler temp = [](const HandleRequest&) -> Result<BindingSet> {
              return BindingSet{Binding{{"s", iri("extra")}, {"v", term("4")}}};
            };
            if (!engine.register_ki(extra, ki::KnowledgeInteraction::answer(gp(pattern)), temp))
              ++errors;
            if (!engine.delete_knowledge_base(extra)) ++errors;
            ++changes_done;
          }
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_GT(asks_done.load(), 0);
  EXPECT_GT(posts_done.load(), 0);
  EXPECT_GT(changes_done.load(), 0);
  RecordProperty("asks", static_cast<int>(asks_done.load()));
  RecordProperty("posts", static_cast<int>(posts_done.load()));
  RecordProperty("changes", static_cast<int>(changes_done.load()));
}

}  // namespace
}  // namespace gridke::engine::testing
