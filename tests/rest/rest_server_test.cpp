// RestServer: bad input never crashes or stalls the server, long-poll limits and lifecycle.
// The wire behaviours of NOTES.md §3 are covered end to end by tests/conformance/.
#include "gridke/engine/rest_server.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <thread>

#include "gridke/engine/embedded_engine.hpp"
#include "gridke_matchers.hpp"
#include "http_probe.hpp"

namespace gridke::engine {
namespace {

using ::testing::HasSubstr;
using testing::http_call;
using testing::HttpReply;

constexpr const char* kb1 = "http://example.org/kb1";
constexpr const char* kb2 = "http://example.org/kb2";

class RestServerTest : public ::testing::Test {
 protected:
  void SetUp() override { start({}); }

  void start(RestServerOptions options) {
    server_.reset();
    options.port = 0;
    if (options.heartbeat == std::chrono::seconds(29))
      options.heartbeat = std::chrono::milliseconds(300);
    auto s = RestServer::start(engine_, std::move(options));
    ASSERT_THAT(s, IsOk());
    server_ = std::move(s).value();
    port_ = server_->port();
  }

  HttpReply call(const std::string& method, const std::string& path,
                 std::vector<std::pair<std::string, std::string>> headers = {},
                 const std::string& body = {}) {
    return http_call(port_, method, "/rest" + path, headers, body);
  }
  void create_kb(const std::string& id) {
    auto r = call("POST", "/sc", {{"Content-Type", "application/json"}},
                  R"({"knowledgeBaseId":")" + id +
                      R"(","knowledgeBaseName":"n","knowledgeBaseDescription":"d"})");
    ASSERT_EQ(r.status, 200) << r.body;
  }
  std::string register_ki(const std::string& kb, const std::string& body) {
    auto r = call("POST", "/sc/ki", {{"Knowledge-Base-Id", kb}}, body);
    EXPECT_EQ(r.status, 200) << r.body;
    auto pos = r.body.find("\"knowledgeInteractionId\":\"");
    if (pos == std::string::npos) return {};
    pos += 26;
    return r.body.substr(pos, r.body.find('"', pos) - pos);
  }

  EmbeddedEngine engine_;
  std::unique_ptr<RestServer> server_;
  std::uint16_t port_ = 0;
};

TEST_F(RestServerTest, AnswersVersionAtBasePath) {
  auto r = call("GET", "/version");
  EXPECT_EQ(r.status, 200);
  EXPECT_THAT(r.body, HasSubstr("\"version\""));
  EXPECT_EQ(r.headers["access-control-allow-origin"], "*");
  EXPECT_THAT(server_->base_url(), ::testing::StartsWith("http://127.0.0.1:"));
}

TEST_F(RestServerTest, RejectsMalformedJsonWithParserMessage) {
  auto r = call("POST", "/sc", {}, R"({"bla"{})");
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr("Malformed JSON body"));
  EXPECT_THAT(r.body, HasSubstr("column"));
}

TEST_F(RestServerTest, RejectsWrongJsonTypesNamingTheField) {
  auto r = call(
      "POST", "/sc", {},
      R"({"knowledgeBaseId":"http://x/a","knowledgeBaseName":7,"knowledgeBaseDescription":"d"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr("'knowledgeBaseName' must be a string, not number"));
  create_kb(kb1);
  r = call(
      "POST", "/sc/ki", {{"Knowledge-Base-Id", kb1}},
      R"({"knowledgeInteractionType":"AskKnowledgeInteraction","graphPattern":"?a <http://x/p> ?b .","knowledgeGapsEnabled":"maybe"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr("knowledgeGapsEnabled"));
}

TEST_F(RestServerTest, RejectsBodiesOverTheLimit) {
  RestServerOptions options;
  options.max_body_bytes = 1024;
  start(options);
  auto r = call("POST", "/sc", {}, std::string(4096, ' '));
  EXPECT_EQ(r.status, 413);
  EXPECT_THAT(r.body, HasSubstr("exceeds the limit of 1024 bytes"));
  EXPECT_EQ(call("GET", "/version").status, 200);
}

TEST_F(RestServerTest, RejectsMissingHeaders) {
  EXPECT_THAT(call("DELETE", "/sc").body,
              HasSubstr("Knowledge-Base-Id header should not be null."));
  auto r = call("POST", "/sc/ask", {}, "[]");
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr("Both Knowledge-Base-Id and Knowledge-Interaction-Id headers"));
  r = call("GET", "/sc/handle");
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr("Missing valid Knowledge-Base-Id header."));
}

TEST_F(RestServerTest, AnswersUnknownIdsWith404) {
  auto r = call("GET", "/sc/handle", {{"Knowledge-Base-Id", "http://example.org/none"}});
  EXPECT_EQ(r.status, 404);
  EXPECT_THAT(r.body,
              HasSubstr("A Knowledge Base for the given Knowledge-Base-Id cannot be found."));
  r = call("GET", "/sc/ki", {{"Knowledge-Base-Id", "http://example.org/none"}});
  EXPECT_EQ(r.status, 404);
  r = call("GET", "/nowhere");
  EXPECT_EQ(r.status, 404);
  EXPECT_THAT(r.body, HasSubstr("No such endpoint"));
}

TEST_F(RestServerTest, HeartbeatAfterConfiguredTime) {
  create_kb(kb1);
  auto start = std::chrono::steady_clock::now();
  auto r = call("GET", "/sc/handle", {{"Knowledge-Base-Id", kb1}});
  auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(r.status, 202);
  EXPECT_GE(waited, std::chrono::milliseconds(250));
  EXPECT_THAT(r.body, HasSubstr("does not have any Answer or React Knowledge Interaction"));
}

TEST_F(RestServerTest, SecondPollIsRejectedAndStopAnswers410) {
  RestServerOptions options;
  options.heartbeat = std::chrono::seconds(20);
  start(options);
  create_kb(kb1);
  auto first = std::async(std::launch::async, [&] {
    return call("GET", "/sc/handle", {{"Knowledge-Base-Id", kb1}});
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  auto second = call("GET", "/sc/handle", {{"Knowledge-Base-Id", kb1}});
  EXPECT_EQ(second.status, 409);
  EXPECT_THAT(second.body, HasSubstr("Only one connection per Knowledge-Base-Id is allowed"));
  server_->stop();
  auto gone = first.get();
  EXPECT_EQ(gone.status, 410);
  EXPECT_THAT(gone.body, HasSubstr("Do not reinitiate this request."));
  // As when a TNO runtime stops, the KBs it hosted for REST clients are gone.
  auto listed = engine_.knowledge_bases();
  ASSERT_THAT(listed, IsOk());
  EXPECT_TRUE(listed->empty());
}

TEST_F(RestServerTest, QueueOverflowCancelsTheOldestRequest) {
  RestServerOptions options;
  options.handle_queue_capacity = 2;
  start(options);
  create_kb(kb1);
  create_kb(kb2);
  register_ki(
      kb1,
      R"({"knowledgeInteractionType":"ReactKnowledgeInteraction","argumentGraphPattern":"?a <http://x/p> ?b ."})");
  auto post = register_ki(
      kb2,
      R"({"knowledgeInteractionType":"PostKnowledgeInteraction","argumentGraphPattern":"?a <http://x/p> ?b ."})");
  std::vector<std::future<HttpReply>> posts;
  for (int i = 0; i < 3; ++i) {
    posts.push_back(std::async(std::launch::async, [&, i] {
      return call("POST", "/sc/post",
                  {{"Knowledge-Base-Id", kb2}, {"Knowledge-Interaction-Id", post}},
                  R"([{"a":"<http://x/a)" + std::to_string(i) + R"(>","b":"<http://x/b>"}])");
    }));
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  auto first = posts[0].get();  // cancelled by the third
  EXPECT_EQ(first.status, 200) << first.body;
  EXPECT_THAT(first.body,
              HasSubstr("Handle request queue is full. This oldest request has been cancelled."));
  for (int i = 0; i < 2; ++i) {
    auto r = call("GET", "/sc/handle", {{"Knowledge-Base-Id", kb1}});
    ASSERT_EQ(r.status, 200);
    EXPECT_THAT(r.body, HasSubstr("\"handleRequestId\":" + std::to_string(i + 2)));
    auto id = std::to_string(i + 2);
    auto ki = r.body.substr(r.body.find("http://example.org/kb1/interaction/"));
    ki = ki.substr(0, ki.find('"'));
    EXPECT_EQ(
        call("POST", "/sc/handle", {{"Knowledge-Base-Id", kb1}, {"Knowledge-Interaction-Id", ki}},
             R"({"handleRequestId":)" + id + R"(,"bindingSet":[]})")
            .status,
        200);
  }
  for (int i = 1; i < 3; ++i)
    EXPECT_THAT(posts[static_cast<std::size_t>(i)].get().body, HasSubstr("SUCCEEDED"));
}

TEST_F(RestServerTest, OutstandingOverflowCancelsTheOldestDelivered) {
  RestServerOptions options;
  options.outstanding_capacity = 1;
  start(options);
  create_kb(kb1);
  create_kb(kb2);
  register_ki(
      kb1,
      R"({"knowledgeInteractionType":"ReactKnowledgeInteraction","argumentGraphPattern":"?a <http://x/p> ?b ."})");
  auto post = register_ki(
      kb2,
      R"({"knowledgeInteractionType":"PostKnowledgeInteraction","argumentGraphPattern":"?a <http://x/p> ?b ."})");
  auto do_post = [&] {
    return std::async(std::launch::async, [&] {
      return call("POST", "/sc/post",
                  {{"Knowledge-Base-Id", kb2}, {"Knowledge-Interaction-Id", post}},
                  R"([{"a":"<http://x/a>","b":"<http://x/b>"}])");
    });
  };
  auto p1 = do_post();
  ASSERT_EQ(call("GET", "/sc/handle", {{"Knowledge-Base-Id", kb1}}).status, 200);
  auto p2 = do_post();
  ASSERT_EQ(call("GET", "/sc/handle", {{"Knowledge-Base-Id", kb1}}).status, 200);
  auto r1 = p1.get();
  EXPECT_THAT(r1.body, HasSubstr("should have max 1 outstanding handle requests. Cancelling oldest "
                                 "handle request 1."));
  server_->stop();  // fails the second one: "will no longer respond"
  EXPECT_THAT(p2.get().body, HasSubstr("will no longer respond, because it stopped."));
}

TEST_F(RestServerTest, KeepsServingOtherKnowledgeBasesDuringGarbage) {
  create_kb(kb1);
  std::vector<std::future<HttpReply>> garbage;
  for (const std::string& body : {std::string("\x01\x02"), std::string(20000, '['),
                                  std::string("{\"a\":"), std::string("null")}) {
    garbage.push_back(std::async(std::launch::async, [&, body] {
      return call("POST", "/sc/ki", {{"Knowledge-Base-Id", kb1}}, body);
    }));
  }
  for (auto& g : garbage) EXPECT_EQ(g.get().status, 400);
  EXPECT_EQ(call("GET", "/sc", {{"Knowledge-Base-Id", kb1}}).status, 200);
}

TEST(RestServer, ReportsAPortInUse) {
  EmbeddedEngine engine;
  RestServerOptions options;
  options.port = 0;
  auto first = RestServer::start(engine, options);
  ASSERT_THAT(first, IsOk());
  options.port = (*first)->port();
  EXPECT_THAT(RestServer::start(engine, options),
              HasError(ErrorCode::unavailable, HasSubstr(std::to_string(options.port))));
}

TEST(RestServer, RejectsBadOptions) {
  EmbeddedEngine engine;
  RestServerOptions options;
  options.base_path = "rest";
  EXPECT_THAT(RestServer::start(engine, options),
              HasError(ErrorCode::invalid_argument, HasSubstr("base_path must start with '/'")));
}

TEST(RestServer, ParsesLogLevels) {
  EXPECT_THAT(parse_log_level("debug"), IsOk());
  EXPECT_THAT(parse_log_level("loud"), HasError(ErrorCode::invalid_argument, HasSubstr("'loud'")));
}

}  // namespace
}  // namespace gridke::engine
