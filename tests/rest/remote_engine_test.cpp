// RemoteEngine: the client's own duties — surviving a server restart, leases, unreachable
// servers and bad configuration. Engine behaviours are in knowledge_engine_suite_test.cpp.
#include "gridke/engine/remote_engine.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "gridke/engine/embedded_engine.hpp"
#include "gridke/engine/rest_server.hpp"
#include "gridke_matchers.hpp"

namespace gridke::engine {
namespace {

using pattern::Binding;
using pattern::BindingSet;
using pattern::GraphPattern;
using ::testing::HasSubstr;

GraphPattern remote_gp(const std::string& text) {
  auto p = GraphPattern::parse(text, {{"ex", "http://example.org/"}});
  EXPECT_THAT(p, IsOk());
  return *p;
}

KnowledgeBaseInfo remote_kb(const std::string& local, std::optional<int> lease = {}) {
  return KnowledgeBaseInfo{"http://example.org/" + local, local, "test KB", lease, 2};
}

RemoteEngineOptions fast_options(const std::string& url) {
  RemoteEngineOptions o;
  o.base_url = url;
  o.backoff_initial = std::chrono::milliseconds(50);
  o.backoff_max = std::chrono::milliseconds(200);
  o.call_timeout = std::chrono::seconds(5);
  return o;
}

// Asks from a KB that lives directly on the server's embedded engine until `want` bindings come
// back or the time is up.
std::size_t ask_until(EmbeddedEngine& engine, const KiId& ask, std::size_t want,
                      std::chrono::milliseconds limit) {
  auto end = std::chrono::steady_clock::now() + limit;
  std::size_t got = 0;
  while (std::chrono::steady_clock::now() < end) {
    auto r = engine.ask("http://example.org/local", ask);
    if (r) got = r->bindings.size();
    if (got >= want) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return got;
}

TEST(RemoteEngine, SurvivesAServerRestartWithoutCodeInTheSsa) {
  EmbeddedEngine engine;
  RestServerOptions options;
  options.port = 0;
  options.heartbeat = std::chrono::milliseconds(500);
  auto server = RestServer::start(engine, options);
  ASSERT_THAT(server, IsOk());
  const std::uint16_t port = (*server)->port();
  auto remote = RemoteEngine::connect(fast_options((*server)->base_url()));
  ASSERT_THAT(remote, IsOk());

  // The SSA: one ANSWER KI, registered once.
  ASSERT_THAT((*remote)->create_knowledge_base(remote_kb("ssa")), IsOk());
  SyncHandler answer = [](const HandleRequest&) -> Result<BindingSet> {
    return BindingSet{Binding{{"a", rdf::Term::iri("http://example.org/s")},
                              {"b", rdf::Term::iri("http://example.org/o")}}};
  };
  auto answer_id =
      (*remote)->register_ki("http://example.org/ssa",
                             ki::KnowledgeInteraction::answer(remote_gp("?a ex:p ?b .")), answer);
  ASSERT_THAT(answer_id, IsOk());

  ASSERT_THAT(engine.create_knowledge_base(remote_kb("local")), IsOk());
  auto ask = engine.register_ki("http://example.org/local",
                                ki::KnowledgeInteraction::ask(remote_gp("?x ex:p ?y .")));
  ASSERT_THAT(ask, IsOk());
  EXPECT_EQ(ask_until(engine, *ask, 1, std::chrono::seconds(5)), 1u);

  // Restart: the server stops (the SSA's KB is removed from the engine), and a new server comes
  // up on the same port a moment later.
  (*server)->stop();
  server->reset();
  EXPECT_EQ(ask_until(engine, *ask, 1, std::chrono::milliseconds(100)), 0u);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  options.port = port;
  auto again = RestServer::start(engine, options);
  ASSERT_THAT(again, IsOk());

  EXPECT_EQ(ask_until(engine, *ask, 1, std::chrono::seconds(10)), 1u);
  EXPECT_GE((*remote)->reregistrations(), 1);
  // The KI id the SSA holds still works for the SSA's own calls.
  auto listed = (*remote)->knowledge_interactions("http://example.org/ssa");
  ASSERT_THAT(listed, IsOk());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->front().id, *answer_id);
}

TEST(RemoteEngine, RenewsItsLeaseAheadOfExpiry) {
  EmbeddedEngine engine;
  std::mutex mu;
  int renewals = 0;
  RestServerOptions options;
  options.port = 0;
  options.log_level = LogLevel::debug;
  options.log = [&](LogLevel, std::string_view line) {
    if (line.find("PUT /rest/sc/lease/renew") != std::string_view::npos &&
        line.find("-> 200") != std::string_view::npos) {
      std::lock_guard lock(mu);
      ++renewals;
    }
  };
  auto server = RestServer::start(engine, options);
  ASSERT_THAT(server, IsOk());
  auto o = fast_options((*server)->base_url());
  o.lease_renew_fraction = 0.01;  // every 0.3 s for a 30 s lease
  auto remote = RemoteEngine::connect(o);
  ASSERT_THAT(remote, IsOk());
  ASSERT_THAT((*remote)->create_knowledge_base(remote_kb("leased", 30)), IsOk());
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  std::lock_guard lock(mu);
  EXPECT_GE(renewals, 2);
}

TEST(RemoteEngine, ReportsAnUnreachableServer) {
  auto remote = RemoteEngine::connect(fast_options("http://127.0.0.1:9/rest"));
  ASSERT_THAT(remote, IsOk());
  EXPECT_THAT((*remote)->create_knowledge_base(remote_kb("a")),
              HasError(ErrorCode::unavailable, HasSubstr("POST /sc")));
  EXPECT_THAT((*remote)->knowledge_bases(), HasError(ErrorCode::unavailable, ::testing::_));
}

TEST(RemoteEngine, RejectsABadBaseUrl) {
  RemoteEngineOptions o;
  o.base_url = "not a url";
  EXPECT_THAT(RemoteEngine::connect(o),
              HasError(ErrorCode::invalid_argument, HasSubstr("not a url")));
  o.base_url = "ftp://example.org/rest";
  EXPECT_THAT(RemoteEngine::connect(o),
              HasError(ErrorCode::invalid_argument, HasSubstr("must be http(s)")));
}

TEST(RemoteEngine, RequiresHandlersOnlyForReactiveKis) {
  EmbeddedEngine engine;
  RestServerOptions options;
  options.port = 0;
  auto server = RestServer::start(engine, options);
  ASSERT_THAT(server, IsOk());
  auto remote = RemoteEngine::connect(fast_options((*server)->base_url()));
  ASSERT_THAT(remote, IsOk());
  ASSERT_THAT((*remote)->create_knowledge_base(remote_kb("a")), IsOk());
  EXPECT_THAT((*remote)->register_ki("http://example.org/a",
                                     ki::KnowledgeInteraction::answer(remote_gp("?a ex:p ?b ."))),
              HasError(ErrorCode::invalid_argument, HasSubstr("need a handler")));
  EXPECT_THAT((*remote)->register_ki("http://example.org/none",
                                     ki::KnowledgeInteraction::ask(remote_gp("?a ex:p ?b ."))),
              HasError(ErrorCode::not_found, HasSubstr("http://example.org/none")));
}

}  // namespace
}  // namespace gridke::engine
