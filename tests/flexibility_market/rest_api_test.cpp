// The /Flexibility REST front door over real HTTP, with a real callback receiver: needs and
// activation plans arrive as HTTP POSTs; malformed, late and unauthorised messages get the
// documented status and message.
#include "gridke/services/flexibility_market/http/rest_api.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <mutex>
#include <thread>

#include "gridke/http/client.hpp"
#include "gridke/services/flexibility_market/model_json.hpp"
#include "gridke_matchers.hpp"
#include "market_test_time.hpp"

namespace gridke::services::flexibility_market {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

using test_time::at;

struct Receiver {
  std::mutex mu;
  std::vector<std::pair<std::string, json>> got;
  std::unique_ptr<http::JsonServer> server;
  void start() {
    http::Router r;
    r.post("/{topic}", [this](const http::Request& req) -> Result<http::Response> {
      GRIDKE_ASSIGN_OR_RETURN(json body, req.json());
      std::lock_guard lock(mu);
      got.emplace_back(req.param("topic"), body);
      return http::Response::json(200, json::object());
    });
    auto s = http::JsonServer::start(std::move(r), {});
    ASSERT_THAT(s, IsOk());
    server = std::move(*s);
  }
  std::vector<json> wait_for(const std::string& topic, std::size_t n) {
    for (int i = 0; i < 200; ++i) {
      {
        std::lock_guard lock(mu);
        std::vector<json> out;
        for (auto& [t, b] : got) {
          if (t == topic) out.push_back(b);
        }
        if (out.size() >= n) return out;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    return {};
  }
};

class RestApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    notifier_ = std::make_shared<CallbackNotifier>(3, std::chrono::milliseconds(50));
    auto m = FlexibilityMarket::open(":memory:", clock_, notifier_);
    ASSERT_THAT(m, IsOk());
    market_ = std::move(*m);
    auto api = RestApi::start(*market_);
    ASSERT_THAT(api, IsOk());
    api_ = std::move(*api);
    receiver_.start();
    base_ = api_->base_url();
  }
  Result<json> call(const std::string& method, const std::string& path,
                    const json& body = nullptr) {
    return http::call_json(method, base_ + path, body);
  }
  void register_and_subscribe() {
    ASSERT_THAT(call("POST", "/Register",
                     {{"fspId", "cybergrid"}, {"name", "Cybergrid"}, {"zones", {"Z1"}}}),
                IsOk());
    const std::string cb = receiver_.server->base_url();
    ASSERT_THAT(call("POST", "/Subscribe",
                     {{"fspId", "cybergrid"},
                      {"needsCallbackUrl", cb + "/needs"},
                      {"activationPlanCallbackUrl", cb + "/plan"}}),
                IsOk());
  }
  json need_body() {
    return {{"window", "day-ahead"},
            {"needs",
             {{{"requestId", "FR-7"},
               {"zone", "Z1"},
               {"needs", 12},
               {"measurementUnit", "kW"},
               {"direction", "Down"},
               {"typePower", "Active"},
               {"startTime", "2026-11-28T19:00:00Z"},
               {"endTime", "2026-11-28T19:15:00Z"},
               {"HEMSIds", {"h1"}}}}}};
  }

  std::shared_ptr<ManualClock> clock_ = std::make_shared<ManualClock>(at("2026-11-27T11:00:00Z"));
  std::shared_ptr<CallbackNotifier> notifier_;
  std::unique_ptr<FlexibilityMarket> market_;
  std::unique_ptr<RestApi> api_;
  Receiver receiver_;
  std::string base_;
};

TEST_F(RestApiTest, NeedsOffersAndActivationPlanFlowOverHttp) {
  register_and_subscribe();
  auto needs = call("POST", "/Needs", need_body());
  ASSERT_THAT(needs, IsOk());
  const auto got = receiver_.wait_for("needs", 1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0]["needs"][0]["requestId"], "FR-7");
  EXPECT_EQ(got[0]["needs"][0]["needs"], 12);
  auto offer =
      call("POST", "/Offers",
           {{"fspId", "cybergrid"}, {"requestId", "FR-7"}, {"quantity", 15}, {"price", 80}});
  ASSERT_THAT(offer, IsOk());
  EXPECT_EQ((*offer)["state"], "Received");
  clock_->set(at("2026-11-27T17:00:00Z"));
  auto plan = call("POST", "/ActivationPlan", {{"window", "day-ahead"}});
  ASSERT_THAT(plan, IsOk());
  ASSERT_EQ((*plan)["activations"].size(), 1u);
  EXPECT_EQ((*plan)["activations"][0]["power"], 12);
  const auto plans = receiver_.wait_for("plan", 1);
  ASSERT_EQ(plans.size(), 1u);
  const std::string id = plans[0]["activations"][0]["activationId"];
  ASSERT_THAT(
      call("POST", "/Activations/" + id + "/response", {{"fspId", "cybergrid"}, {"accept", true}}),
      IsOk());
  clock_->set(at("2026-11-28T20:00:00Z"));
  ASSERT_THAT(
      call("POST", "/Activations/" + id + "/baseline",
           {{"fspId", "cybergrid"}, {"participants", {{{"participantId", "h1"}, {"kW", {20}}}}}}),
      IsOk());
  ASSERT_THAT(call("POST", "/Activations/" + id + "/metering",
                   {{"participants", {{{"participantId", "h1"}, {"kW", {8}}}}}}),
              IsOk());
  ASSERT_THAT(call("POST", "/Activations/" + id + "/outcome",
                   {{"fspId", "cybergrid"}, {"succeeded", true}, {"percentOfTarget", 100}}),
              IsOk());
  auto v = call("POST", "/Activations/" + id + "/verification");
  ASSERT_THAT(v, IsOk());
  EXPECT_DOUBLE_EQ((*v)["deliveredKwh"].get<double>(), 3.0);
  EXPECT_DOUBLE_EQ((*v)["amountEur"].get<double>(), 3.0 * 80 / 1000);
  EXPECT_EQ((*v)["outcome"]["succeeded"], true);
  auto s = call("POST", "/Activations/" + id + "/settlement",
                {{"fspId", "cybergrid"}, {"decision", "confirm"}});
  ASSERT_THAT(s, IsOk());
  EXPECT_EQ((*s)["state"], "Confirmed");
  auto t = call("GET", "/Transitions?id=" + id);
  ASSERT_THAT(t, IsOk());
  // Activation Sent → Accepted, settlement Pending → Confirmed (same id).
  EXPECT_EQ((*t)["transitions"].size(), 4u);
}

TEST_F(RestApiTest, MalformedLateAndUnknownRequestsGetClearErrors) {
  register_and_subscribe();
  auto raw = http::request("POST", base_ + "/Offers", "{\"fspId\": ");
  ASSERT_THAT(raw, IsOk());
  EXPECT_EQ(raw->status, 400);
  EXPECT_THAT(raw->body, HasSubstr("request body"));
  EXPECT_THAT(call("POST", "/Needs", {{"window", "weekly"}, {"needs", json::array()}}),
              HasError(ErrorCode::invalid_argument,
                       HasSubstr("window: expected \"day-ahead\" or \"intraday\"")));
  json bad = need_body();
  bad["needs"][0]["needs"] = "a lot";
  EXPECT_THAT(call("POST", "/Needs", bad),
              HasError(ErrorCode::invalid_argument,
                       HasSubstr("needs[0].needs: must be a number, got string")));
  ASSERT_THAT(call("POST", "/Needs", need_body()), IsOk());
  clock_->set(at("2026-11-27T16:30:00Z"));
  EXPECT_THAT(call("POST", "/Offers",
                   {{"fspId", "cybergrid"}, {"requestId", "FR-7"}, {"quantity", 5}, {"price", 80}}),
              HasError(ErrorCode::failed_precondition, HasSubstr("late offer")));
  EXPECT_THAT(
      call("POST", "/Activations/AC-404/response", {{"fspId", "cybergrid"}, {"accept", true}}),
      HasError(ErrorCode::not_found, HasSubstr("'AC-404' does not exist")));
  EXPECT_THAT(
      call("POST", "/Activations/x/settlement", {{"fspId", "cybergrid"}, {"decision", "maybe"}}),
      HasError(ErrorCode::invalid_argument,
               HasSubstr("decision: expected \"confirm\" or \"dispute\"")));
  auto missing = http::request("GET", base_ + "/Nowhere");
  ASSERT_THAT(missing, IsOk());
  EXPECT_EQ(missing->status, 404);
}

TEST_F(RestApiTest, UnsubscribeStopsTheCallbacks) {
  register_and_subscribe();
  ASSERT_THAT(call("DELETE", "/Subscribe?fspId=cybergrid"), IsOk());
  EXPECT_THAT(call("DELETE", "/Subscribe?fspId=cybergrid"),
              HasError(ErrorCode::failed_precondition, HasSubstr("not subscribed")));
  ASSERT_THAT(call("POST", "/Needs", need_body()), IsOk());
  EXPECT_TRUE(notifier_->dispatcher().wait_idle(std::chrono::seconds(2)));
  EXPECT_EQ(notifier_->dispatcher().stats().delivered, 0);
}

TEST_F(RestApiTest, CallbacksAreRetriedAndLogged) {
  ASSERT_THAT(call("POST", "/Register", {{"fspId", "gone"}, {"zones", {"Z1"}}}), IsOk());
  auto port = http::pick_free_port("127.0.0.1");
  ASSERT_THAT(port, IsOk());
  const std::string dead = "http://127.0.0.1:" + std::to_string(*port);
  ASSERT_THAT(call("POST", "/Subscribe",
                   {{"fspId", "gone"},
                    {"needsCallbackUrl", dead + "/n"},
                    {"activationPlanCallbackUrl", dead + "/p"}}),
              IsOk());
  ASSERT_THAT(call("POST", "/Needs", need_body()), IsOk());
  ASSERT_TRUE(notifier_->dispatcher().wait_idle(std::chrono::seconds(10)));
  const auto log = notifier_->dispatcher().log();
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0].topic, "needs");
  EXPECT_EQ(log[0].attempts, 3);
  EXPECT_FALSE(log[0].delivered);
  EXPECT_EQ(notifier_->dispatcher().stats().abandoned, 1);
}

}  // namespace
}  // namespace gridke::services::flexibility_market
