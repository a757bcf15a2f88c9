// Tests of the service HTTP toolkit: Router dispatch and JsonServer over real HTTP.

#include "gridke/http/server.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "gridke/http/client.hpp"
#include "gridke_matchers.hpp"

namespace gridke::http {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

Request make(std::string method, std::string path, std::string body = {}) {
  Request r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.body = std::move(body);
  return r;
}

Router grid_router() {
  Router router;
  router.post("/registerGrid/{networkID}", [](const Request& r) -> Result<Response> {
    GRIDKE_ASSIGN_OR_RETURN(auto body, r.json());
    return Response::json(201, {{"networkID", r.param("networkID")}, {"echo", body}});
  });
  router.get("/grids", [](const Request&) -> Result<Response> {
    return Response::json(200, json::array({"a"}));
  });
  router.get("/echo-query", [](const Request& r) -> Result<Response> {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [k, v] : r.query) out[k] = v;
    return Response::json(200, out);
  });
  router.get("/fail", [](const Request&) -> Result<Response> {
    return not_found("grid 'x' is not registered");
  });
  router.get("/throw",
             [](const Request&) -> Result<Response> { throw std::runtime_error("boom"); });
  return router;
}

TEST(RouterTest, MatchesParametersAndIgnoresTrailingSlash) {
  auto r = grid_router().dispatch(make("POST", "/registerGrid/net-7/", R"({"x":1})"));
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(r.body["networkID"], "net-7");
  EXPECT_EQ(r.body["echo"]["x"], 1);
}

TEST(RouterTest, UnknownPathIs404NamingThePath) {
  auto r = grid_router().dispatch(make("GET", "/nothing/here"));
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body["error"], "not_found");
  EXPECT_THAT(r.body["message"].get<std::string>(), HasSubstr("/nothing/here"));
}

TEST(RouterTest, WrongMethodIs405WithAllow) {
  auto r = grid_router().dispatch(make("DELETE", "/grids"));
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.headers["Allow"], "GET");
  EXPECT_THAT(r.body["message"].get<std::string>(), HasSubstr("DELETE is not allowed on /grids"));
}

TEST(RouterTest, HandlerErrorsBecomeErrorJson) {
  auto r = grid_router().dispatch(make("GET", "/fail"));
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body["message"], "grid 'x' is not registered");
}

TEST(RouterTest, ThrowingHandlerIs500AndNamesTheException) {
  auto r = grid_router().dispatch(make("GET", "/throw"));
  EXPECT_EQ(r.status, 500);
  EXPECT_THAT(r.body["message"].get<std::string>(), HasSubstr("boom"));
}

TEST(RouterTest, MalformedJsonNamesLineAndColumn) {
  auto r = grid_router().dispatch(make("POST", "/registerGrid/a", "{\n  \"x\": tru\n}"));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body["error"], "parse_error");
  EXPECT_THAT(r.body["message"].get<std::string>(), HasSubstr("line 2"));
}

// Found by gridke_fault_location_json_fuzz: nlohmann reports a number out of range as
// out_of_range, not parse_error; it escaped the handler and ended the process.
TEST(RouterTest, NumberOutOfRangeIs400NotACrash) {
  auto r = grid_router().dispatch(make("POST", "/registerGrid/a", "{\"x\": 7e861111111111}"));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body["error"], "parse_error");
  EXPECT_THAT(r.body["message"].get<std::string>(), HasSubstr("number overflow"));
}

TEST(RouterTest, EmptyBodyIsRejected) {
  auto r = grid_router().dispatch(make("POST", "/registerGrid/a", "  "));
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body["message"].get<std::string>(), HasSubstr("empty"));
}

TEST(RequestTest, QueryHelpersNameTheParameter) {
  Request r = make("GET", "/x");
  r.query = {{"limit", "12x"}, {"active", "maybe"}, {"scale", "1.5"}};
  EXPECT_THAT(r.query_int("limit", 1, 100),
              HasError(ErrorCode::invalid_argument, HasSubstr("query parameter limit: '12x'")));
  EXPECT_THAT(r.query_bool("active"), HasError(ErrorCode::invalid_argument, HasSubstr("active")));
  EXPECT_EQ(*r.query_double("scale"), 1.5);
  EXPECT_EQ(*r.query_int("missing", 0, 1), std::nullopt);
  EXPECT_THAT(r.check_query({"limit", "active"}),
              HasError(ErrorCode::invalid_argument, HasSubstr("scale: unknown")));
}

class JsonServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerOptions options;
    options.base_path = "/sensitivitiesengine";
    options.max_body_bytes = 1024;
    auto s = JsonServer::start(grid_router(), options);
    ASSERT_THAT(s, IsOk());
    server_ = std::move(*s);
  }
  std::unique_ptr<JsonServer> server_;
};

TEST_F(JsonServerTest, ServesRoutesOverHttp) {
  auto r = call_json("POST", server_->base_url() + "/registerGrid/lv%201", json{{"a", 2}});
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ((*r)["networkID"], "lv 1");
  auto raw = request("GET", server_->base_url() + "/grids");
  ASSERT_THAT(raw, IsOk());
  EXPECT_EQ(raw->status, 200);
  EXPECT_EQ(raw->body, R"(["a"])");
}

TEST_F(JsonServerTest, QueryValuesMayHoldColonsAndEncodedCharacters) {
  auto r = call_json("GET", server_->base_url() +
                                "/echo-query?from=2026-11-27T10:15:00Z&cb=http%3A%2F%2Fh%3A1%2Fx");
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ((*r)["from"], "2026-11-27T10:15:00Z");
  EXPECT_EQ((*r)["cb"], "http://h:1/x");
}

TEST_F(JsonServerTest, ErrorsComeBackAsErrorsWithTheServerMessage) {
  EXPECT_THAT(call_json("GET", server_->base_url() + "/fail"),
              HasError(ErrorCode::not_found, HasSubstr("grid 'x' is not registered")));
  EXPECT_THAT(call_json("GET", server_->base_url() + "/elsewhere"),
              HasError(ErrorCode::not_found, HasSubstr("/elsewhere")));
}

TEST_F(JsonServerTest, OversizedBodyIs413AndServerKeepsServing) {
  auto r = request("POST", server_->base_url() + "/registerGrid/a",
                   "{\"x\":\"" + std::string(4000, 'a') + "\"}");
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->status, 413);
  EXPECT_THAT(r->body, HasSubstr("exceeds the limit of 1024 bytes"));
  EXPECT_THAT(call_json("GET", server_->base_url() + "/grids"), IsOk());
}

TEST_F(JsonServerTest, AnswersCorsPreflight) {
  auto r = request("OPTIONS", server_->base_url() + "/grids");
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->status, 204);
}

TEST_F(JsonServerTest, TwoServersShareOnePortUnderDifferentBasePaths) {
  Router other;
  other.get("/ping", [](const Request&) -> Result<Response> {
    return Response::json(200, {{"pong", true}});
  });
  ServerOptions options;
  options.port = server_->port();
  options.base_path = "/GridObservability";
  auto second = JsonServer::start(std::move(other), options);
  ASSERT_THAT(second, IsOk());
  EXPECT_THAT(call_json("GET", (*second)->base_url() + "/ping"), IsOk());
  EXPECT_THAT(call_json("GET", server_->base_url() + "/grids"), IsOk());
}

// Handlers run on the server's own threads: one that blocks (as a front door waiting on the
// knowledge engine does) neither stalls the transport's I/O threads nor other requests.
TEST(JsonServerHandlerThreadsTest, ABlockedHandlerDoesNotStallOtherRequests) {
  std::mutex mu;
  std::condition_variable cv;
  bool release = false;
  Router router;
  router.get("/block", [&](const Request&) -> Result<Response> {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return release; });
    return Response::json(200, {{"blocked", true}});
  });
  router.get("/quick", [](const Request&) -> Result<Response> {
    return Response::json(200, {{"quick", true}});
  });
  ServerOptions options;
  options.handler_threads = 2;
  auto server = JsonServer::start(std::move(router), options);
  ASSERT_THAT(server, IsOk());
  std::thread blocked(
      [&] { EXPECT_THAT(call_json("GET", (*server)->base_url() + "/block"), IsOk()); });
  for (int i = 0; i < 20; ++i)
    EXPECT_THAT(call_json("GET", (*server)->base_url() + "/quick"), IsOk());
  {
    std::lock_guard lock(mu);
    release = true;
  }
  cv.notify_all();
  blocked.join();
}

TEST(JsonServerHandlerThreadsTest, AFullQueueAnswers503AndTheServerRecovers) {
  std::mutex mu;
  std::condition_variable cv;
  bool release = false;
  std::atomic<int> entered{0};
  Router router;
  router.get("/block", [&](const Request&) -> Result<Response> {
    ++entered;
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return release; });
    return Response::json(200, {});
  });
  ServerOptions options;
  options.handler_threads = 1;
  options.max_queued = 1;
  auto server = JsonServer::start(std::move(router), options);
  ASSERT_THAT(server, IsOk());
  const std::string url = (*server)->base_url() + "/block";
  std::thread running([&] { (void)request("GET", url); });  // occupies the only thread
  while (entered == 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  std::thread queued([&] { (void)request("GET", url); });  // fills the queue
  // A probe may win the race for the queue's one slot (then `queued` gets the 503): probes give
  // up after a short timeout, so a probe holding the slot cannot block this loop, and the next
  // probe sees the full queue either way.
  ClientOptions probe;
  probe.timeout = std::chrono::milliseconds(300);
  Result<ClientResponse> busy = internal_error("unset");
  for (int i = 0; i < 200; ++i) {  // until the queue is full
    busy = request("GET", url, {}, probe);
    if (busy && busy->status == 503) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_THAT(busy, IsOk());
  EXPECT_EQ(busy->status, 503);
  EXPECT_THAT(busy->body, HasSubstr("the server is busy"));
  {
    std::lock_guard lock(mu);
    release = true;
  }
  cv.notify_all();
  running.join();
  queued.join();
  auto after = request("GET", url);
  ASSERT_THAT(after, IsOk());
  EXPECT_EQ(after->status, 200);
}

TEST(JsonServerOptionsTest, RejectsBadOptionsNamingTheField) {
  ServerOptions options;
  options.base_path = "nope";
  EXPECT_THAT(JsonServer::start(Router{}, options),
              HasError(ErrorCode::invalid_argument, HasSubstr("base_path")));
  options.base_path = "/x";
  options.handler_threads = 0;
  EXPECT_THAT(JsonServer::start(Router{}, options),
              HasError(ErrorCode::invalid_argument, HasSubstr("handler_threads")));
  options.handler_threads = 4;
  options.tls = TlsOptions{"/no/such/cert.pem", "/no/such/key.pem", ""};
  EXPECT_THAT(JsonServer::start(Router{}, options),
              HasError(ErrorCode::unavailable, HasSubstr("/no/such/cert.pem")));
}

TEST(JsonServerOptionsTest, PortInUseIsUnavailable) {
  auto first = JsonServer::start(Router{}, ServerOptions{});
  ASSERT_THAT(first, IsOk());
  // A second listener on the same port and path cannot be opened.
  ServerOptions same;
  same.port = (*first)->port();
  EXPECT_THAT(JsonServer::start(Router{}, same),
              HasError(ErrorCode::unavailable, HasSubstr("cannot listen")));
}

}  // namespace
}  // namespace gridke::http
