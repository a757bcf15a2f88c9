// Tests for rest_api.hpp over real HTTP: the D4.3 Table 15 service-2 methods, the asynchronous
// flow, charts, pseudonyms, removal, callbacks and bad input naming the field.

#include "gridke/services/flexibility_response/rest_api.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "gridke/http/client.hpp"
#include "gridke/http/server.hpp"
#include "gridke/services/flexibility_response/model/csv_reader.hpp"
#include "gridke_matchers.hpp"
#include "test_datasets.hpp"

namespace gridke::services::flexibility_response {
namespace {

using nlohmann::json;
using ::testing::AllOf;
using ::testing::HasSubstr;

class RestApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto service = FlexibilityResponseService::open({});
    ASSERT_THAT(service, IsOk());
    service_ = std::move(*service);
    auto api = RestApi::start(*service_);
    ASSERT_THAT(api, IsOk());
    api_ = std::move(*api);
    base_ = api_->base_url();
  }

  json post_dataset(const std::string& body, const std::string& query = "",
                    int expected_status = 202) {
    auto r = http::request("POST", base_ + "/Elasticity_dataset" + query, body);
    EXPECT_THAT(r, IsOk());
    if (!r.has_value()) return {};
    EXPECT_EQ(r->status, expected_status) << r->body;
    auto j = r->json();
    return j.has_value() ? *j : json();
  }

  json wait_done(const std::string& id) {
    for (int i = 0; i < 600; ++i) {
      auto s = http::call_json("GET", base_ + "/Req_ID/" + id + "/Elasticity_Results/status");
      EXPECT_THAT(s, IsOk());
      if (!s.has_value()) return {};
      if ((*s)["status"] == "done" || (*s)["status"] == "failed") return *s;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ADD_FAILURE() << "request " << id << " did not finish";
    return {};
  }

  std::unique_ptr<FlexibilityResponseService> service_;
  std::unique_ptr<RestApi> api_;
  std::string base_;
};

TEST_F(RestApiTest, RunsTheD43FlowFromDatasetToResults) {
  const json receipt =
      post_dataset(testing::to_d43_dataset_json(testing::small_dataset(3, 40)).dump());
  ASSERT_TRUE(receipt.contains("requestID"));
  const std::string id = receipt["requestID"];
  EXPECT_EQ(receipt["status"], "queued");
  EXPECT_EQ(receipt["results"], base_ + "/Req_ID/" + id + "/Elasticity_Results");
  EXPECT_EQ(wait_done(id)["status"], "done");
  const auto results = http::call_json("GET", base_ + "/Req_ID/" + id + "/Elasticity_Results");
  ASSERT_THAT(results, IsOk());
  EXPECT_EQ((*results)["status"], "done");
  EXPECT_DOUBLE_EQ((*results)["progress"].get<double>(), 1.0);
  const json& response = (*results)["response"];
  ASSERT_EQ(response["customers"].size(), 3u);
  const std::string pseudonym = response["customers"][0]["userID"];
  EXPECT_EQ(pseudonym.rfind("P-", 0), 0u);
  EXPECT_EQ((*results).dump().find("user0"), std::string::npos);

  const auto one =
      http::call_json("GET", base_ + "/Req_ID/" + id + "/Elasticity_Results?user=" + pseudonym);
  ASSERT_THAT(one, IsOk());
  ASSERT_EQ((*one)["response"]["customers"].size(), 1u);

  const auto list = http::call_json("GET", base_ + "/Elasticity_dataset");
  ASSERT_THAT(list, IsOk());
  EXPECT_EQ((*list)["requests"][0]["requestID"], id);

  const auto removed = http::call_json("DELETE", base_ + "/removeDataset/" + id);
  ASSERT_THAT(removed, IsOk());
  EXPECT_EQ((*removed)["removed"], true);
  EXPECT_THAT(http::call_json("GET", base_ + "/Req_ID/" + id + "/Elasticity_Results"),
              HasError(ErrorCode::not_found, HasSubstr(id)));
}

TEST_F(RestApiTest, ReidentifiesForTheOwnerOfTheMapping) {
  const json receipt =
      post_dataset(testing::to_d43_dataset_json(testing::small_dataset(2, 40)).dump());
  const std::string id = receipt["requestID"];
  wait_done(id);
  http::ClientOptions owner;
  owner.headers["X-Mapping-Token"] = receipt["mappingToken"];
  const auto results =
      http::call_json("GET", base_ + "/Req_ID/" + id + "/Elasticity_Results", nullptr, owner);
  ASSERT_THAT(results, IsOk());
  EXPECT_EQ((*results)["response"]["customers"][0]["userID"], "user0");
  http::ClientOptions stranger;
  stranger.headers["X-Mapping-Token"] = std::string(32, 'f');
  EXPECT_THAT(
      http::call_json("GET", base_ + "/Req_ID/" + id + "/Elasticity_Results", nullptr, stranger),
      HasError(ErrorCode::permission_denied, HasSubstr("mapping token")));
  EXPECT_THAT(http::call_json("DELETE", base_ + "/Req_ID/" + id + "/pseudonyms"),
              HasError(ErrorCode::unauthenticated, HasSubstr("X-Mapping-Token")));
  const auto erased =
      http::call_json("DELETE", base_ + "/Req_ID/" + id + "/pseudonyms", nullptr, owner);
  ASSERT_THAT(erased, IsOk());
  EXPECT_EQ((*erased)["mappingErased"], true);
}

TEST_F(RestApiTest, ServesTheChartsAsSvg) {
  const json receipt =
      post_dataset(testing::to_d43_dataset_json(testing::small_dataset(3, 60)).dump());
  const std::string id = receipt["requestID"];
  wait_done(id);
  for (const char* chart : {"expected-power", "flexibility", "ranking", "reliability"}) {
    const auto r = http::request(
        "GET", base_ + "/Req_ID/" + id + "/Elasticity_Results/charts/" + chart + "?level=2");
    ASSERT_THAT(r, IsOk());
    EXPECT_EQ(r->status, 200) << chart << ": " << r->body;
    EXPECT_THAT(r->content_type, HasSubstr("image/svg+xml"));
    EXPECT_THAT(r->body, HasSubstr("<svg"));
  }
  EXPECT_THAT(http::call_json("GET", base_ + "/Req_ID/" + id + "/Elasticity_Results/charts/pie"),
              HasError(ErrorCode::invalid_argument, HasSubstr("unknown chart 'pie'")));
  EXPECT_THAT(http::call_json(
                  "GET", base_ + "/Req_ID/" + id + "/Elasticity_Results/charts/ranking?level=9"),
              HasError(ErrorCode::invalid_argument, HasSubstr("level: 9 is out of range")));
  EXPECT_THAT(http::call_json("GET", base_ + "/Req_ID/" + id +
                                         "/Elasticity_Results/charts/reliability?user=P-nobody"),
              HasError(ErrorCode::not_found, HasSubstr("P-nobody")));
}

TEST_F(RestApiTest, AcceptsCsvWithQueryParameters) {
  const auto d = testing::small_dataset(2, 40);
  auto r = http::request("POST",
                         base_ +
                             "/Elasticity_dataset?format=csv&baselineSignalValue=0.1176"
                             "&slotMinutes=30&confidenceLevel=0.9"
                             "&start=2013-01-01&end=2013-02-01",
                         model::write_dataset_csv(d));
  ASSERT_THAT(r, IsOk());
  ASSERT_EQ(r->status, 202) << r->body;
  const std::string id = (*r->json())["requestID"];
  EXPECT_EQ(wait_done(id)["status"], "done");
  const auto results = http::call_json("GET", base_ + "/Req_ID/" + id + "/Elasticity_Results");
  ASSERT_THAT(results, IsOk());
  const json& response = (*results)["response"];
  EXPECT_EQ(response["slot_minutes"], 30);
  EXPECT_EQ(response["analysis_window"]["end"], "2013-02-01T00:00:00");
  EXPECT_EQ(response["customers"][0]["Time_series"].size(), 48u);
}

TEST_F(RestApiTest, TakesGroupsAndTheEmpiricalReliabilityOption) {
  const auto d = testing::small_dataset(3, 40);
  http::ClientOptions with_groups;
  with_groups.headers["X-Customer-Groups"] =
      R"([{"groupID": "evens", "userIDs": ["user0", "user2"]}])";
  auto r = http::request("POST",
                         base_ +
                             "/Elasticity_dataset?format=csv&baselineSignalValue=0.1176"
                             "&reliability=empirical&reliabilityThresholdKw=0.2",
                         model::write_dataset_csv(d), with_groups);
  ASSERT_THAT(r, IsOk());
  ASSERT_EQ(r->status, 202) << r->body;
  const std::string id = (*r->json())["requestID"];
  EXPECT_EQ(wait_done(id)["status"], "done");
  const auto results = http::call_json("GET", base_ + "/Req_ID/" + id + "/Elasticity_Results");
  ASSERT_THAT(results, IsOk());
  const json& response = (*results)["response"];
  EXPECT_EQ(response["reliability_method"], "empirical");
  EXPECT_DOUBLE_EQ(response["empirical_threshold_kw"].get<double>(), 0.2);
  ASSERT_EQ(response["groups"].size(), 1u);
  EXPECT_EQ(response["groups"][0]["groupID"], "evens");
  EXPECT_EQ(response["groups"][0]["userIDs"][1], response["customers"][2]["userID"]);
  EXPECT_EQ(response["groups"][0]["Time_series"].size(), 24u);

  // A JSON dataset carries its groups in the body; bad ones fail the job naming the group.
  auto body = testing::to_d43_dataset_json(testing::small_dataset(2, 40));
  body["groups"] = json::array({{{"groupID", "g"}, {"userIDs", json::array()}}});
  const json receipt = post_dataset(body.dump());
  const json status = wait_done(receipt["requestID"]);
  EXPECT_EQ(status["status"], "failed");
  EXPECT_THAT(status["error"]["message"].get<std::string>(),
              HasSubstr("group 'g': has no members (userIDs is empty)"));
}

TEST_F(RestApiTest, ReportsABadDatasetRowByRowInTheJobStatus) {
  auto body = testing::to_d43_dataset_json(testing::small_dataset(1, 40));
  body["user_profile"][4]["timestamp"] = "soon";
  const json receipt = post_dataset(body.dump());
  const json status = wait_done(receipt["requestID"]);
  EXPECT_EQ(status["status"], "failed");
  EXPECT_EQ(status["error"]["code"], "invalid_argument");
  EXPECT_THAT(status["error"]["message"].get<std::string>(),
              HasSubstr("user_profile[4] (user user0): timestamp: "));
}

TEST_F(RestApiTest, RejectsBadRequestsNamingTheField) {
  const std::string body = testing::to_d43_dataset_json(testing::small_dataset(1, 40)).dump();
  const auto error_of = [&](const std::string& query, const std::string& payload) {
    auto r = http::request("POST", base_ + "/Elasticity_dataset" + query, payload);
    EXPECT_THAT(r, IsOk());
    if (!r.has_value()) return std::make_pair(0, std::string());
    const auto j = r->json();
    return std::make_pair(r->status, j.has_value() ? (*j).value("message", "") : r->body);
  };
  auto [status, message] = error_of("?slotMinutes=7", body);
  EXPECT_EQ(status, 400);
  EXPECT_THAT(message, HasSubstr("slotMinutes: must divide 1440"));
  std::tie(status, message) = error_of("?slotMinutes=abc", body);
  EXPECT_EQ(status, 400);
  EXPECT_THAT(message, HasSubstr("slotMinutes"));
  std::tie(status, message) = error_of("?confidenceLevel=2", body);
  EXPECT_EQ(status, 400);
  EXPECT_THAT(message, HasSubstr("confidenceLevel: must be in (0, 1)"));
  std::tie(status, message) = error_of("?start=2013-01-01", body);
  EXPECT_EQ(status, 400);
  EXPECT_THAT(message, HasSubstr("end: is required"));
  std::tie(status, message) = error_of("?start=tomorrow&end=2013-02-01", body);
  EXPECT_EQ(status, 400);
  EXPECT_THAT(message, HasSubstr("start"));
  http::ClientOptions bad_callback;
  bad_callback.headers["X-Callback-Url"] = "ftp://x";
  EXPECT_THAT(
      http::call_json("POST", base_ + "/Elasticity_dataset", json::parse(body), bad_callback),
      HasError(ErrorCode::invalid_argument, HasSubstr("X-Callback-Url")));
  std::tie(status, message) = error_of("?reliability=gut", body);
  EXPECT_EQ(status, 400);
  EXPECT_THAT(message, HasSubstr("reliability: must be model or empirical, got 'gut'"));
  std::tie(status, message) = error_of("?reliabilityThresholdKw=0.2", body);
  EXPECT_EQ(status, 400);
  EXPECT_THAT(message,
              HasSubstr("reliabilityThresholdKw: only applies with reliability=empirical"));
  std::tie(status, message) = error_of("?reliability=empirical&reliabilityThresholdKw=-1", body);
  EXPECT_EQ(status, 400);
  EXPECT_THAT(message, HasSubstr("reliabilityThresholdKw: must be a finite number >= 0"));
  http::ClientOptions bad_groups;
  bad_groups.headers["X-Customer-Groups"] = R"([{"groupID": 5, "userIDs": []}])";
  EXPECT_THAT(http::call_json("POST", base_ + "/Elasticity_dataset", json::parse(body), bad_groups),
              HasError(ErrorCode::invalid_argument,
                       HasSubstr("X-Customer-Groups[0].groupID: must be a string, got number")));
  bad_groups.headers["X-Customer-Groups"] = "{not json";
  EXPECT_THAT(
      http::call_json("POST", base_ + "/Elasticity_dataset", json::parse(body), bad_groups),
      HasError(ErrorCode::invalid_argument, HasSubstr("X-Customer-Groups: is not valid JSON")));
  std::tie(status, message) = error_of("?colour=red", body);
  EXPECT_EQ(status, 400);
  EXPECT_THAT(message, HasSubstr("colour"));
  std::tie(status, message) = error_of("?format=xml", body);
  EXPECT_EQ(status, 400);
  EXPECT_THAT(message, HasSubstr("format: must be csv or json"));
  std::tie(status, message) = error_of("", "");
  EXPECT_EQ(status, 400);
  EXPECT_THAT(message, HasSubstr("request body: the dataset is empty"));
  EXPECT_THAT(http::call_json("GET", base_ + "/Req_ID/0123/Elasticity_Results"),
              HasError(ErrorCode::not_found, HasSubstr("'0123'")));
  EXPECT_THAT(http::call_json("DELETE", base_ + "/removeDataset/0123"),
              HasError(ErrorCode::not_found, HasSubstr("'0123'")));
}

TEST_F(RestApiTest, PostsTheResultToTheCallbackUrl) {
  std::mutex mu;
  std::vector<json> received;
  http::Router router;
  router.post("/results", [&](const http::Request& r) -> Result<http::Response> {
    GRIDKE_ASSIGN_OR_RETURN(auto j, r.json());
    std::lock_guard lock(mu);
    received.push_back(std::move(j));
    return http::Response::json(200, {{"ok", true}});
  });
  auto receiver = http::JsonServer::start(std::move(router), {});
  ASSERT_THAT(receiver, IsOk());
  const std::string callback = (*receiver)->base_url() + "/results";
  http::ClientOptions with_callback;
  with_callback.headers["X-Callback-Url"] = callback;
  const auto posted =
      http::call_json("POST", base_ + "/Elasticity_dataset",
                      testing::to_d43_dataset_json(testing::small_dataset(1, 40)), with_callback);
  ASSERT_THAT(posted, IsOk());
  const json receipt = *posted;
  wait_done(receipt["requestID"]);
  // The status endpoint says "done" as soon as the result is stored; the job's listeners, one
  // of which queues the callback, run just after. The service's wait() returns only once they
  // have run, so the dispatcher's queue is final before we wait for it to drain.
  ASSERT_THAT(service_->wait(receipt["requestID"], std::chrono::seconds(20)), IsOk());
  ASSERT_TRUE(api_->wait_for_deliveries(std::chrono::seconds(20)));
  std::lock_guard lock(mu);
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0]["requestID"], receipt["requestID"]);
  EXPECT_EQ(received[0]["status"], "done");
  EXPECT_EQ(received[0]["response"]["customers"].size(), 1u);
  EXPECT_EQ(api_->deliveries().delivered, 1);
}

TEST(RestApi, RefusesABadBasePath) {
  auto service = FlexibilityResponseService::open({});
  ASSERT_THAT(service, IsOk());
  RestOptions options;
  options.base_path = "GridObservability";
  EXPECT_THAT(RestApi::start(**service, options),
              HasError(ErrorCode::invalid_argument, HasSubstr("base_path: must start with '/'")));
}

}  // namespace
}  // namespace gridke::services::flexibility_response
