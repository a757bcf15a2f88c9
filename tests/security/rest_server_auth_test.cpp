// RestServer with bearer tokens (RestServerOptions::authenticate backed by a TokenStore): every
// bad credential gets 401 or 403 with a clear message; a KB acts only as itself; RemoteEngine
// sends per-KB tokens (also from GRIDKE_TOKEN); tokens never reach the log.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "gridke/engine/embedded_engine.hpp"
#include "gridke/engine/remote_engine.hpp"
#include "gridke/engine/rest_server.hpp"
#include "gridke/security/token_store.hpp"
#include "gridke_matchers.hpp"
#include "http_probe.hpp"
#include "security_test_kbs.hpp"

namespace gridke::engine {
namespace {

using ::testing::HasSubstr;
using testing::http_call;
using testing::HttpReply;
using ::testing::Not;

using security_test::kb1;
using security_test::kb2;
using security_test::kb_info;

std::string kb_body(const std::string& id) {
  return R"({"knowledgeBaseId":")" + id +
         R"(","knowledgeBaseName":"n","knowledgeBaseDescription":"d"})";
}

class RestServerAuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = (std::filesystem::temp_directory_path() /
             ("gridke-auth-" + std::to_string(::getpid()) + "-" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".sqlite"))
                .string();
    remove_files();
    auto s = security::TokenStore::open(path_);
    ASSERT_THAT(s, IsOk());
    tokens_ = std::make_shared<security::TokenStore>(std::move(*s));
    auto t1 = tokens_->create(kb1);
    auto t2 = tokens_->create(kb2);
    ASSERT_THAT(t1, IsOk());
    ASSERT_THAT(t2, IsOk());
    token1_ = t1->secret;
    token2_ = t2->secret;
    token1_id_ = t1->info.id;
    RestServerOptions options;
    options.port = 0;
    options.heartbeat = std::chrono::milliseconds(500);
    options.log_level = LogLevel::debug;
    options.log = [this](LogLevel, std::string_view line) {
      std::lock_guard lock(log_mu_);
      log_ += std::string(line) + "\n";
    };
    options.authenticate = [tokens = tokens_](std::string_view token) -> Result<KbId> {
      GRIDKE_ASSIGN_OR_RETURN(auto info, tokens->authenticate(token));
      return info.knowledge_base;
    };
    auto server = RestServer::start(engine_, options);
    ASSERT_THAT(server, IsOk());
    server_ = std::move(*server);
  }
  void TearDown() override {
    server_.reset();
    tokens_.reset();
    remove_files();
  }
  void remove_files() {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path_ + suffix);
  }
  HttpReply call(const std::string& method, const std::string& path,
                 std::vector<std::pair<std::string, std::string>> headers = {},
                 const std::string& body = {}) {
    return http_call(server_->port(), method, "/rest" + path, headers, body);
  }
  static std::pair<std::string, std::string> bearer(const std::string& token) {
    return {"Authorization", "Bearer " + token};
  }

  EmbeddedEngine engine_;
  std::shared_ptr<security::TokenStore> tokens_;
  std::unique_ptr<RestServer> server_;
  std::string path_, token1_, token2_, token1_id_;
  std::mutex log_mu_;
  std::string log_;
};

TEST_F(RestServerAuthTest, MissingCredentialsGet401WithAChallenge) {
  auto r = call("GET", "/sc");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.headers["www-authenticate"], "Bearer realm=\"gridke\"");
  EXPECT_THAT(r.body, HasSubstr("Missing credentials"));
  EXPECT_THAT(r.body, HasSubstr("gridke token create --kb IRI"));
  r = call("POST", "/sc/ask", {{"Knowledge-Base-Id", kb1}}, "[]");
  EXPECT_EQ(r.status, 401);
}

TEST_F(RestServerAuthTest, OtherSchemesAndUnknownTokensGet401) {
  auto r = call("GET", "/sc", {{"Authorization", "Basic dXNlcjpwYXNz"}});
  EXPECT_EQ(r.status, 401);
  EXPECT_THAT(r.body, HasSubstr("Unsupported Authorization header (scheme 'Basic')"));
  r = call("GET", "/sc", {bearer("gke_" + std::string(64, '0'))});
  EXPECT_EQ(r.status, 401);
  EXPECT_THAT(r.body, HasSubstr("not known to this server"));
  r = call("GET", "/sc", {bearer("letmein")});
  EXPECT_EQ(r.status, 401);
  EXPECT_THAT(r.body, HasSubstr("malformed"));
}

TEST_F(RestServerAuthTest, RevokedAndExpiredTokensGet401) {
  ASSERT_THAT(tokens_->revoke(token1_id_), IsOk());
  auto r = call("GET", "/sc", {bearer(token1_)});
  EXPECT_EQ(r.status, 401);
  EXPECT_THAT(r.body, HasSubstr("was revoked at"));
  auto short_lived = tokens_->create(kb1, std::chrono::seconds(1));
  ASSERT_THAT(short_lived, IsOk());
  EXPECT_EQ(call("GET", "/sc", {bearer(short_lived->secret)}).status, 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  r = call("GET", "/sc", {bearer(short_lived->secret)});
  EXPECT_EQ(r.status, 401);
  EXPECT_THAT(r.body, HasSubstr("expired at"));
}

TEST_F(RestServerAuthTest, AKnowledgeBaseCanActOnlyAsItself) {
  auto r = call("POST", "/sc", {bearer(token1_)}, kb_body(kb2));
  EXPECT_EQ(r.status, 403);
  EXPECT_THAT(r.body, HasSubstr("The token of knowledge base http://example.org/kb1 cannot "
                                "register knowledge base http://example.org/kb2"));
  ASSERT_EQ(call("POST", "/sc", {bearer(token2_)}, kb_body(kb2)).status, 200);
  r = call("DELETE", "/sc", {bearer(token1_), {"Knowledge-Base-Id", kb2}});
  EXPECT_EQ(r.status, 403);
  EXPECT_THAT(r.body, HasSubstr("cannot act as knowledge base http://example.org/kb2 "
                                "(Knowledge-Base-Id header)"));
  r = call("GET", "/sc/handle", {bearer(token1_), {"Knowledge-Base-Id", kb2}});
  EXPECT_EQ(r.status, 403);
  EXPECT_TRUE(engine_.knowledge_interactions(kb2).has_value());  // still there
}

TEST_F(RestServerAuthTest, ValidTokensWorkAndListOnlyTheirOwnKnowledgeBase) {
  ASSERT_EQ(call("POST", "/sc", {bearer(token1_)}, kb_body(kb1)).status, 200);
  ASSERT_EQ(call("POST", "/sc", {bearer(token2_)}, kb_body(kb2)).status, 200);
  auto r = call("GET", "/sc", {bearer(token1_)});
  EXPECT_EQ(r.status, 200);
  EXPECT_THAT(r.body, HasSubstr(kb1));
  EXPECT_THAT(r.body, Not(HasSubstr(kb2)));
  r = call("POST", "/sc/ki", {bearer(token1_), {"Knowledge-Base-Id", kb1}},
           R"({"knowledgeInteractionType":"AskKnowledgeInteraction","knowledgeInteractionName":"a",
               "graphPattern":"?a <http://example.org/p> ?b ."})");
  EXPECT_EQ(r.status, 200) << r.body;
  r = call("POST", "/sc/ask",
           {bearer(token1_),
            {"Knowledge-Base-Id", kb1},
            {"Knowledge-Interaction-Id", std::string(kb1) + "/interaction/a"}},
           "[]");
  EXPECT_EQ(r.status, 200) << r.body;
  // /version is not under /sc and stays open.
  EXPECT_EQ(call("GET", "/version").status, 200);
}

TEST_F(RestServerAuthTest, TokensNeverReachTheLog) {
  ASSERT_EQ(call("POST", "/sc", {bearer(token1_)}, kb_body(kb1)).status, 200);
  (void)call("GET", "/sc", {bearer(token2_), {"Knowledge-Base-Id", kb1}});
  (void)call("GET", "/sc", {bearer(token1_ + "x")});
  std::lock_guard lock(log_mu_);
  EXPECT_THAT(log_, HasSubstr("-> 403"));
  EXPECT_THAT(log_, Not(HasSubstr(token1_.substr(4))));
  EXPECT_THAT(log_, Not(HasSubstr(token2_.substr(4))));
}

TEST_F(RestServerAuthTest, RemoteEngineSendsEachKnowledgeBasesToken) {
  RemoteEngineOptions options;
  options.base_url = server_->base_url();
  options.tokens = {{kb1, token1_}, {kb2, token2_}};
  options.token_from_environment = false;
  auto remote = RemoteEngine::connect(options);
  ASSERT_THAT(remote, IsOk());
  ASSERT_THAT((*remote)->create_knowledge_base(kb_info(kb1)), IsOk());
  ASSERT_THAT((*remote)->create_knowledge_base(kb_info(kb2)), IsOk());
  auto gp = pattern::GraphPattern::parse("?a <http://example.org/p> ?b .");
  ASSERT_THAT(gp, IsOk());
  auto asking = (*remote)->register_ki(kb1, ki::KnowledgeInteraction::ask(*gp, "ask"));
  ASSERT_THAT(asking, IsOk());
  const pattern::BindingSet answer{pattern::Binding{{"a", rdf::Term::iri("http://example.org/x")},
                                                    {"b", rdf::Term::iri("http://example.org/y")}}};
  ASSERT_THAT((*remote)->register_ki(kb2, ki::KnowledgeInteraction::answer(*gp, "answer"),
                                     SyncHandler([&](const HandleRequest&) {
                                       return Result<pattern::BindingSet>(answer);
                                     })),
              IsOk());
  auto result = (*remote)->ask(kb1, *asking);
  ASSERT_THAT(result, IsOk());
  EXPECT_EQ(result->bindings, answer);
}

TEST_F(RestServerAuthTest, RemoteEngineReportsBadTokensAsUnauthenticated) {
  RemoteEngineOptions options;
  options.base_url = server_->base_url();
  options.token_from_environment = false;
  auto anonymous = RemoteEngine::connect(options);
  ASSERT_THAT(anonymous, IsOk());
  EXPECT_THAT((*anonymous)->create_knowledge_base(kb_info(kb1)),
              HasError(ErrorCode::unauthenticated, HasSubstr("Missing credentials")));
  options.token = token2_;
  auto wrong = RemoteEngine::connect(options);
  ASSERT_THAT(wrong, IsOk());
  EXPECT_THAT((*wrong)->create_knowledge_base(kb_info(kb1)),
              HasError(ErrorCode::permission_denied, HasSubstr("can act only as itself")));
}

TEST_F(RestServerAuthTest, RemoteEngineReadsTheTokenFromTheEnvironmentOrAFile) {
  ::setenv("GRIDKE_TOKEN", token1_.c_str(), 1);
  RemoteEngineOptions options;
  options.base_url = server_->base_url();
  auto from_env = RemoteEngine::connect(options);
  ::unsetenv("GRIDKE_TOKEN");
  ASSERT_THAT(from_env, IsOk());
  EXPECT_THAT((*from_env)->create_knowledge_base(kb_info(kb1)), IsOk());

  const std::string file = path_ + ".token";
  {
    std::ofstream out(file);
    out << token2_ << "\n";
  }
  options.token_file = file;
  auto from_file = RemoteEngine::connect(options);
  ASSERT_THAT(from_file, IsOk());
  EXPECT_THAT((*from_file)->create_knowledge_base(kb_info(kb2)), IsOk());
  std::filesystem::remove(file);
  options.token_file = file;
  EXPECT_THAT(RemoteEngine::connect(options),
              HasError(ErrorCode::invalid_argument, HasSubstr("cannot read token_file")));
}

TEST(RestServerAuth, IsOffByDefaultSoTnoClientsWorkUnchanged) {
  EmbeddedEngine engine;
  RestServerOptions options;
  options.port = 0;
  auto server = RestServer::start(engine, options);
  ASSERT_THAT(server, IsOk());
  auto r = http_call((*server)->port(), "POST", "/rest/sc", {}, kb_body(kb1));
  EXPECT_EQ(r.status, 200) << r.body;
}

}  // namespace
}  // namespace gridke::engine
