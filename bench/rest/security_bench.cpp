// Overhead of security and traceability per exchange (bench/results/security.md):
// token checks, ACL decisions, audit entries, and whole exchanges with and without them.
// Exchange and audit benchmarks measure process CPU time (all threads: engine pool, audit
// writer, HTTP workers), which stays meaningful on a shared, loaded machine; wall time is
// reported beside it.
#include <benchmark/benchmark.h>

#include <unistd.h>
#include <filesystem>

#include "gridke/audit/audit_trail.hpp"
#include "gridke/security/access_policy.hpp"
#include "gridke/security/token_store.hpp"
#include "rest_fixture.hpp"

namespace {

using namespace gridke;
using bench::must;

std::string temp_file(const std::string& name) {
  auto p = std::filesystem::temp_directory_path() /
           ("gridke-secbench-" + std::to_string(::getpid()) + "-" + name + ".sqlite");
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(p.string() + suffix);
  return p.string();
}

const std::string ex = "http://example.org/";

// A 20-rule ACL whose last rule allows the benchmark's exchange (the worst case: every rule is
// tried).
std::shared_ptr<security::AccessPolicy> acl() {
  std::string rules;
  for (int i = 0; i < 19; ++i) {
    rules += R"({"requesters":["http://example.org/other)" + std::to_string(i) +
             R"("],"knowledgeInteractions":["x"]},)";
  }
  rules += R"({"requesters":["http://example.org/asker"],"knowledgeBases":["*"]})";
  return must(security::AccessPolicy::parse(R"({"default":"deny","rules":[)" + rules + "]}"),
              "AccessPolicy::parse");
}

pattern::BindingSet bindings(int n) {
  pattern::BindingSet out;
  for (int i = 0; i < n; ++i) {
    out.insert(
        pattern::Binding{{"a", rdf::Term::iri(ex + "meter" + std::to_string(i))},
                         {"b", rdf::Term::literal(std::to_string(230.0 + i),
                                                  "http://www.w3.org/2001/XMLSchema#double")}});
  }
  return out;
}

// Token check of one request: SHA-256 of the token and one indexed SQLite lookup.
void BM_TokenStore_Authenticate(benchmark::State& state) {
  const std::string path = temp_file("tokens");
  auto store = must(security::TokenStore::open(path), "TokenStore::open");
  for (int i = 0; i < 1000; ++i) must(store.create(ex + "kb" + std::to_string(i)), "create");
  auto issued = must(store.create(ex + "asker"), "create");
  for (auto _ : state) {
    auto who = store.authenticate(issued.secret);
    benchmark::DoNotOptimize(who);
  }
}
BENCHMARK(BM_TokenStore_Authenticate);

// One ACL decision against 20 rules (the match is the last rule).
void BM_AccessPolicy_MayContact(benchmark::State& state) {
  auto policy = acl();
  engine::KiRef requester{ex + "asker", ex + "asker/interaction/ask", "ask", ki::KiKind::ask};
  engine::KiRef candidate{ex + "answerer", ex + "answerer/interaction/answer", "answer",
                          ki::KiKind::answer};
  for (auto _ : state) benchmark::DoNotOptimize(policy->may_contact(requester, candidate));
}
BENCHMARK(BM_AccessPolicy_MayContact);

// Audit entry of one exchange with range(0) bindings each way: digests on the caller's thread,
// queued; the writer appends in batches (one fsync per batch).
void BM_AuditTrail_OnExchange(benchmark::State& state) {
  const std::string path = temp_file("audit");
  // A short queue ties the producer to the writer, so the figure includes writing (at most
  // 1024 entries are still queued when the loop ends).
  audit::AuditOptions options;
  options.max_queue = 1024;
  auto trail = must(audit::AuditTrail::open(path, options), "AuditTrail::open");
  engine::ExchangeRecord r;
  r.requester = {ex + "asker", ex + "asker/interaction/ask", "ask", ki::KiKind::ask};
  r.start = r.end = engine::Clock::now();
  r.request_bindings = bindings(static_cast<int>(state.range(0)));
  r.result_bindings = bindings(static_cast<int>(state.range(0)));
  engine::ExchangeInfo info;
  info.knowledge_base_id = ex + "answerer";
  info.knowledge_interaction_id = ex + "answerer/interaction/answer";
  r.exchange_info.push_back(info);
  for (auto _ : state) trail->on_exchange(r);
  must(trail->flush(), "flush");
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AuditTrail_OnExchange)->Arg(1)->Arg(10)->Arg(100)->MeasureProcessCPUTime();

// In-process ASK answered by one KB (10 bindings), with neither, ACL only, audit only, both.
void BM_EmbeddedEngine_Ask(benchmark::State& state) {
  const bool with_acl = state.range(0) & 1;
  const bool with_audit = state.range(0) & 2;
  engine::EmbeddedEngine::Options options;
  if (with_acl) options.policy = acl();
  std::shared_ptr<audit::AuditTrail> trail;
  if (with_audit) {
    trail = must(audit::AuditTrail::open(temp_file("engine-audit")), "AuditTrail::open");
    options.observer = trail;
  }
  engine::EmbeddedEngine engine(options);
  must(engine.create_knowledge_base(bench::kb_info(ex + "asker")), "kb");
  must(engine.create_knowledge_base(bench::kb_info(ex + "answerer")), "kb");
  auto gp = bench::pattern_of("?a <http://example.org/voltage> ?b .");
  auto asking =
      must(engine.register_ki(ex + "asker", ki::KnowledgeInteraction::ask(gp, "ask")), "ask KI");
  const auto answer = bindings(10);
  must(engine.register_ki(ex + "answerer", ki::KnowledgeInteraction::answer(gp, "answer"),
                          engine::SyncHandler([&](const engine::HandleRequest&) {
                            return Result<pattern::BindingSet>(answer);
                          })),
       "answer KI");
  for (auto _ : state) benchmark::DoNotOptimize(must(engine.ask(ex + "asker", asking), "ask"));
  if (trail) must(trail->flush(), "flush");
  state.SetLabel(std::string(with_acl ? "acl" : "no-acl") + "," +
                 (with_audit ? "audit" : "no-audit"));
}
BENCHMARK(BM_EmbeddedEngine_Ask)
    ->Arg(0)
    ->Arg(1)
    ->Arg(2)
    ->Arg(3)
    ->MeasureProcessCPUTime()
    ->UseRealTime();

// ASK over the KE REST API on loopback (asker and answerer are RemoteEngine clients), without
// and with bearer tokens (each of the three HTTP requests of an exchange is checked).
void BM_RestServer_Ask(benchmark::State& state) {
  const bool with_tokens = state.range(0) != 0;
  engine::EmbeddedEngine engine;
  std::shared_ptr<security::TokenStore> tokens;
  engine::RemoteEngineOptions client;
  client.token_from_environment = false;
  engine::RestServerOptions options;
  options.port = 0;
  if (with_tokens) {
    tokens = std::make_shared<security::TokenStore>(
        must(security::TokenStore::open(temp_file("rest-tokens")), "TokenStore::open"));
    for (const char* kb : {"asker", "answerer"}) {
      client.tokens[ex + kb] = must(tokens->create(ex + kb), "create").secret;
    }
    options.authenticate = [tokens](std::string_view token) -> Result<engine::KbId> {
      GRIDKE_ASSIGN_OR_RETURN(auto info, tokens->authenticate(token));
      return info.knowledge_base;
    };
  }
  auto server = must(engine::RestServer::start(engine, options), "RestServer::start");
  client.base_url = server->base_url();
  auto asker = must(engine::RemoteEngine::connect(client), "connect");
  auto answerer = must(engine::RemoteEngine::connect(client), "connect");
  must(asker->create_knowledge_base(bench::kb_info(ex + "asker")), "kb");
  must(answerer->create_knowledge_base(bench::kb_info(ex + "answerer")), "kb");
  auto gp = bench::pattern_of("?a <http://example.org/voltage> ?b .");
  auto asking =
      must(asker->register_ki(ex + "asker", ki::KnowledgeInteraction::ask(gp, "ask")), "ask KI");
  const auto answer = bindings(10);
  must(answerer->register_ki(ex + "answerer", ki::KnowledgeInteraction::answer(gp, "answer"),
                             engine::SyncHandler([&](const engine::HandleRequest&) {
                               return Result<pattern::BindingSet>(answer);
                             })),
       "answer KI");
  for (auto _ : state) benchmark::DoNotOptimize(must(asker->ask(ex + "asker", asking), "ask"));
  state.SetLabel(with_tokens ? "tokens" : "no-auth");
}
BENCHMARK(BM_RestServer_Ask)->Arg(0)->Arg(1)->MeasureProcessCPUTime()->UseRealTime()->MinTime(2.0);

}  // namespace

BENCHMARK_MAIN();
