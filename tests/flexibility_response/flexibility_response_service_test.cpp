// Tests for flexibility_response_service.hpp: the asynchronous job flow (D4.3 Figure 22) on
// SQLite, pseudonymisation, re-identification by the mapping's owner, removal and restarts.

#include "gridke/services/flexibility_response/flexibility_response_service.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "gridke/services/flexibility_response/model/csv_reader.hpp"
#include "gridke/services/flexibility_response/pseudonymiser.hpp"
#include "gridke/storage/sqlite.hpp"
#include "gridke_matchers.hpp"
#include "test_datasets.hpp"

namespace gridke::services::flexibility_response {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using testing::small_dataset;
using testing::to_d43_dataset_json;

constexpr auto kWait = std::chrono::seconds(60);

Submission json_submission(int customers = 3, int days = 40) {
  Submission s;
  s.data = to_d43_dataset_json(small_dataset(customers, days)).dump();
  s.format = DatasetFormat::json;
  return s;
}

std::unique_ptr<FlexibilityResponseService> open_service(ServiceOptions options = {}) {
  auto service = FlexibilityResponseService::open(std::move(options));
  EXPECT_THAT(service, IsOk());
  return service.has_value() ? std::move(*service) : nullptr;
}

class FlexibilityResponseServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ =
        std::filesystem::temp_directory_path() /
        ("gridke-h8-flexresponse-" +
         std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + ".sqlite");
    remove_files();
  }
  void TearDown() override { remove_files(); }
  void remove_files() {
    for (const char* suffix : {"", "-wal", "-shm"}) {
      std::filesystem::remove(path_.string() + suffix);
    }
  }
  std::filesystem::path path_;
};

TEST(FlexibilityResponseService, AnswersARequestIdAtOnceAndTheResultLater) {
  auto service = open_service();
  ASSERT_NE(service, nullptr);
  const auto receipt = service->submit(json_submission());
  ASSERT_THAT(receipt, IsOk());
  EXPECT_THAT(receipt->request_id, MatchesRegex("[0-9a-f]{32}"));
  EXPECT_THAT(receipt->mapping_token, MatchesRegex("[0-9a-f]{32}"));
  const auto done = service->wait(receipt->request_id, kWait);
  ASSERT_THAT(done, IsOk());
  EXPECT_EQ(done->state, JobState::done);
  EXPECT_DOUBLE_EQ(done->progress, 1.0);
  EXPECT_EQ(done->customers, 3);
  EXPECT_EQ(done->rows, 3 * 40 * 48);
  const auto text = service->result_json(receipt->request_id);
  ASSERT_THAT(text, IsOk());
  const auto j = nlohmann::json::parse(*text);
  ASSERT_EQ(j["customers"].size(), 3u);
  EXPECT_EQ(j["signal_incentive_Class"], "Cost");
  EXPECT_EQ(service->latest_done(), receipt->request_id);
}

TEST(FlexibilityResponseService, ResultsCarryOnlyPseudonymsUnlessTheTokenIsGiven) {
  ServiceOptions options;
  options.pseudonym_key = "a-deployment-key-of-enough-bytes";
  auto service = open_service(options);
  ASSERT_NE(service, nullptr);
  const auto receipt = service->submit(json_submission());
  ASSERT_THAT(receipt, IsOk());
  ASSERT_THAT(service->wait(receipt->request_id, kWait), IsOk());
  const auto pseudonymous = service->result(receipt->request_id);
  ASSERT_THAT(pseudonymous, IsOk());
  const auto expected = Pseudonymiser::create(options.pseudonym_key)->pseudonym("user0");
  EXPECT_EQ(pseudonymous->customers[0].user_id, expected);
  const auto text = service->result_json(receipt->request_id);
  ASSERT_THAT(text, IsOk());
  EXPECT_EQ(text->find("user0"), std::string::npos);
  const auto identified = service->result(receipt->request_id, receipt->mapping_token);
  ASSERT_THAT(identified, IsOk());
  EXPECT_EQ(identified->customers[0].user_id, "user0");
  EXPECT_THAT(service->result_json(receipt->request_id, std::string(32, '0')),
              HasError(ErrorCode::permission_denied, HasSubstr("mapping token does not belong")));
}

TEST(FlexibilityResponseService, ErasingTheMappingKeepsPseudonymousResults) {
  auto service = open_service();
  ASSERT_NE(service, nullptr);
  const auto receipt = service->submit(json_submission(2));
  ASSERT_THAT(receipt, IsOk());
  ASSERT_THAT(service->wait(receipt->request_id, kWait), IsOk());
  EXPECT_THAT(service->erase_mapping(receipt->request_id, "wrong"),
              HasError(ErrorCode::permission_denied, HasSubstr(receipt->request_id)));
  ASSERT_THAT(service->erase_mapping(receipt->request_id, receipt->mapping_token), IsOk());
  EXPECT_THAT(service->result_json(receipt->request_id), IsOk());
  EXPECT_THAT(service->result_json(receipt->request_id, receipt->mapping_token),
              HasError(ErrorCode::failed_precondition, HasSubstr("was erased")));
  const auto status = service->status(receipt->request_id);
  ASSERT_THAT(status, IsOk());
  EXPECT_TRUE(status->mapping_erased);
}

TEST(FlexibilityResponseService, FailsAJobWithEveryBadRowNamed) {
  auto service = open_service();
  ASSERT_NE(service, nullptr);
  auto body = to_d43_dataset_json(small_dataset(1, 40));
  body["user_profile"][2]["customer_consumption_unit"] = "MW";
  Submission s;
  s.data = body.dump();
  const auto receipt = service->submit(s);
  ASSERT_THAT(receipt, IsOk());
  const auto status = service->wait(receipt->request_id, kWait);
  ASSERT_THAT(status, IsOk());
  EXPECT_EQ(status->state, JobState::failed);
  ASSERT_TRUE(status->error.has_value());
  EXPECT_EQ(status->error->code(), ErrorCode::invalid_argument);
  EXPECT_THAT(status->error->message(),
              HasSubstr("user_profile[2] (user user0): unknown customer_consumption_unit 'MW'"));
  EXPECT_THAT(service->result_json(receipt->request_id),
              HasError(ErrorCode::failed_precondition,
                       AllOf(HasSubstr("failed"), HasSubstr("user_profile[2]"))));
}

TEST(FlexibilityResponseService, AcceptsCsvDatasets) {
  auto service = open_service();
  ASSERT_NE(service, nullptr);
  const auto d = small_dataset(2, 40);
  Submission s;
  s.format = DatasetFormat::csv;
  s.data = model::write_dataset_csv(d);
  s.baseline_signal_value = d.baseline_signal_value;
  s.slot_minutes = 30;
  s.confidence_level = 0.9;
  const auto receipt = service->submit(s);
  ASSERT_THAT(receipt, IsOk());
  ASSERT_THAT(service->wait(receipt->request_id, kWait), IsOk());
  const auto result = service->result(receipt->request_id);
  ASSERT_THAT(result, IsOk());
  EXPECT_EQ(result->slot_minutes, 30);
  EXPECT_DOUBLE_EQ(result->confidence_level, 0.9);
  EXPECT_EQ(result->customers[0].slots.size(), 48u);
}

TEST(FlexibilityResponseService, RejectsBadSubmissionsNamingTheField) {
  auto service = open_service();
  ASSERT_NE(service, nullptr);
  Submission empty;
  EXPECT_THAT(service->submit(empty),
              HasError(ErrorCode::invalid_argument, HasSubstr("dataset: is empty")));
  auto s = json_submission(1);
  s.slot_minutes = 7;
  EXPECT_THAT(service->submit(s),
              HasError(ErrorCode::invalid_argument, HasSubstr("slotMinutes: must divide 1440")));
  s.slot_minutes = 60;
  s.confidence_level = 1.0;
  EXPECT_THAT(service->submit(s), HasError(ErrorCode::invalid_argument,
                                           HasSubstr("confidenceLevel: must be in (0, 1)")));
  s.confidence_level = 0.95;
  s.reliability_method = ReliabilityMethod::empirical;
  s.empirical_threshold_kw = -1.0;
  EXPECT_THAT(service->submit(s),
              HasError(ErrorCode::invalid_argument,
                       HasSubstr("reliabilityThresholdKw: must be a finite number >= 0")));
  s.empirical_threshold_kw.reset();
  s.window = model::AnalysisWindow{100, 100};
  EXPECT_THAT(service->submit(s),
              HasError(ErrorCode::invalid_argument, HasSubstr("analysis_window: end")));
  ServiceOptions small;
  small.max_dataset_bytes = 10;
  auto limited = open_service(small);
  ASSERT_NE(limited, nullptr);
  EXPECT_THAT(limited->submit(json_submission(1)),
              HasError(ErrorCode::invalid_argument, HasSubstr("exceed the limit of 10")));
  ServiceOptions bad_key;
  bad_key.pseudonym_key = "short";
  EXPECT_THAT(FlexibilityResponseService::open(bad_key),
              HasError(ErrorCode::invalid_argument, HasSubstr("pseudonym key")));
}

TEST(FlexibilityResponseService, GroupsArePseudonymisedLikeTheirMembers) {
  auto service = open_service();
  ASSERT_NE(service, nullptr);
  const auto d = small_dataset(3, 40);
  Submission s;
  s.format = DatasetFormat::csv;
  s.data = model::write_dataset_csv(d);
  s.baseline_signal_value = d.baseline_signal_value;
  s.groups = {{"evens", {"user0", "user2"}}, {"odd", {"user1"}}};
  s.reliability_method = ReliabilityMethod::empirical;
  s.empirical_threshold_kw = 0.1;
  const auto receipt = service->submit(s);
  ASSERT_THAT(receipt, IsOk());
  const auto status = service->wait(receipt->request_id, kWait);
  ASSERT_THAT(status, IsOk());
  ASSERT_EQ(status->state, JobState::done) << (status->error ? status->error->message() : "");
  const auto pseudonymous = service->result(receipt->request_id);
  ASSERT_THAT(pseudonymous, IsOk());
  EXPECT_EQ(pseudonymous->reliability_method, ReliabilityMethod::empirical);
  EXPECT_EQ(pseudonymous->empirical_threshold_kw, 0.1);
  ASSERT_EQ(pseudonymous->groups.size(), 2u);
  EXPECT_EQ(pseudonymous->groups[0].name, "evens");
  EXPECT_EQ(pseudonymous->groups[0].members,
            (std::vector<std::string>{pseudonymous->customers[0].user_id,
                                      pseudonymous->customers[2].user_id}));
  EXPECT_THAT(pseudonymous->groups[0].members[0], MatchesRegex("P-[0-9a-f]{16}"));
  EXPECT_TRUE(pseudonymous->groups[0].slots[18].levels[1].estimated);
  const auto identified = service->result(receipt->request_id, receipt->mapping_token);
  ASSERT_THAT(identified, IsOk());
  EXPECT_EQ(identified->groups[0].members, (std::vector<std::string>{"user0", "user2"}));
  EXPECT_EQ(identified->groups[1].members, (std::vector<std::string>{"user1"}));
}

TEST(FlexibilityResponseService, FailsAJobWithABadGroupNamingTheGroup) {
  auto service = open_service();
  ASSERT_NE(service, nullptr);
  auto s = json_submission(2);
  s.groups = {{"north", {"user0", "nobody"}}};
  const auto receipt = service->submit(s);
  ASSERT_THAT(receipt, IsOk());
  const auto status = service->wait(receipt->request_id, kWait);
  ASSERT_THAT(status, IsOk());
  EXPECT_EQ(status->state, JobState::failed);
  ASSERT_TRUE(status->error.has_value());
  EXPECT_EQ(status->error->code(), ErrorCode::invalid_argument);
  EXPECT_THAT(status->error->message(),
              HasSubstr("group 'north': userID 'nobody' is not in the dataset"));
}

TEST(FlexibilityResponseService, RemovesTheDatasetAndItsResults) {
  auto service = open_service();
  ASSERT_NE(service, nullptr);
  const auto receipt = service->submit(json_submission(1));
  ASSERT_THAT(receipt, IsOk());
  ASSERT_THAT(service->wait(receipt->request_id, kWait), IsOk());
  ASSERT_THAT(service->remove(receipt->request_id), IsOk());
  EXPECT_THAT(service->status(receipt->request_id),
              HasError(ErrorCode::not_found, HasSubstr(receipt->request_id)));
  EXPECT_THAT(service->remove(receipt->request_id),
              HasError(ErrorCode::not_found, HasSubstr("no flexibility-response request")));
  EXPECT_FALSE(service->latest_done().has_value());
}

TEST(FlexibilityResponseService, ReportsAPendingJobInsteadOfAResult) {
  ServiceOptions options;
  options.start_worker = false;
  auto service = open_service(options);
  ASSERT_NE(service, nullptr);
  const auto receipt = service->submit(json_submission(1));
  ASSERT_THAT(receipt, IsOk());
  const auto status = service->status(receipt->request_id);
  ASSERT_THAT(status, IsOk());
  EXPECT_EQ(status->state, JobState::queued);
  EXPECT_THAT(service->result_json(receipt->request_id),
              HasError(ErrorCode::failed_precondition, HasSubstr("is queued")));
  const auto jobs = service->list();
  ASSERT_THAT(jobs, IsOk());
  ASSERT_EQ(jobs->size(), 1u);
  service->run_pending();
  EXPECT_EQ(service->status(receipt->request_id)->state, JobState::done);
}

TEST_F(FlexibilityResponseServiceTest, QueuedJobsSurviveARestart) {
  std::string request_id;
  std::string token;
  {
    ServiceOptions options;
    options.database_path = path_.string();
    options.start_worker = false;  // "crash" before the worker runs
    auto service = open_service(options);
    ASSERT_NE(service, nullptr);
    const auto receipt = service->submit(json_submission(2));
    ASSERT_THAT(receipt, IsOk());
    request_id = receipt->request_id;
    token = receipt->mapping_token;
  }
  ServiceOptions options;
  options.database_path = path_.string();
  auto service = open_service(options);
  ASSERT_NE(service, nullptr);
  const auto status = service->wait(request_id, kWait);
  ASSERT_THAT(status, IsOk());
  EXPECT_EQ(status->state, JobState::done);
  const auto identified = service->result(request_id, token);
  ASSERT_THAT(identified, IsOk());
  EXPECT_EQ(identified->customers[1].user_id, "user1");
}

TEST_F(FlexibilityResponseServiceTest, FinishedResultsSurviveARestart) {
  std::string request_id;
  std::string result;
  {
    ServiceOptions options;
    options.database_path = path_.string();
    auto service = open_service(options);
    ASSERT_NE(service, nullptr);
    const auto receipt = service->submit(json_submission(2));
    ASSERT_THAT(receipt, IsOk());
    request_id = receipt->request_id;
    ASSERT_THAT(service->wait(request_id, kWait), IsOk());
    result = *service->result_json(request_id);
  }
  ServiceOptions options;
  options.database_path = path_.string();
  auto service = open_service(options);
  ASSERT_NE(service, nullptr);
  EXPECT_EQ(service->status(request_id)->state, JobState::done);
  EXPECT_EQ(*service->result_json(request_id), result);
}

TEST_F(FlexibilityResponseServiceTest, ReplaysTheStoredPseudonymisedColumnsAfterARestart) {
  std::string request_id;
  std::string first_result;
  {
    ServiceOptions options;
    options.database_path = path_.string();
    auto service = open_service(options);
    ASSERT_NE(service, nullptr);
    auto s = json_submission(2);
    s.groups = {{"both", {"user0", "user1"}}};
    const auto receipt = service->submit(s);
    ASSERT_THAT(receipt, IsOk());
    request_id = receipt->request_id;
    ASSERT_EQ(service->wait(request_id, kWait)->state, JobState::done);
    first_result = *service->result_json(request_id);
  }
  {
    // A crash after ingestion: the job is running again, its dataset already pseudonymised.
    auto db = storage::Database::open(path_.string());
    ASSERT_THAT(db, IsOk());
    {
      auto pseudonymised = db->prepare("SELECT pseudonymised FROM datasets WHERE job_id = ?");
      ASSERT_THAT(pseudonymised, IsOk());
      pseudonymised->bind(1, request_id);
      ASSERT_TRUE(*pseudonymised->step());
      EXPECT_EQ(pseudonymised->column_int(0), 2);  // binary columns
    }
    auto requeue = db->prepare("UPDATE jobs SET state = 'running' WHERE id = ?");
    ASSERT_THAT(requeue, IsOk());
    requeue->bind(1, request_id);
    ASSERT_THAT(requeue->run(), IsOk());
  }
  ServiceOptions options;
  options.database_path = path_.string();
  auto service = open_service(options);
  ASSERT_NE(service, nullptr);
  const auto status = service->wait(request_id, kWait);
  ASSERT_THAT(status, IsOk());
  ASSERT_EQ(status->state, JobState::done) << (status->error ? status->error->message() : "");
  EXPECT_EQ(*service->result_json(request_id), first_result);
}

TEST(FlexibilityResponseService, CallsListenersWhenAJobFinishes) {
  auto service = open_service();
  ASSERT_NE(service, nullptr);
  std::mutex mu;
  std::vector<JobStatus> seen;
  const int id = service->add_listener([&](const JobStatus& s) {
    std::lock_guard lock(mu);
    seen.push_back(s);
  });
  const auto receipt = service->submit(json_submission(1));
  ASSERT_THAT(receipt, IsOk());
  ASSERT_THAT(service->wait(receipt->request_id, kWait), IsOk());
  service->remove_listener(id);
  std::lock_guard lock(mu);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].request_id, receipt->request_id);
  EXPECT_EQ(seen[0].state, JobState::done);
}

}  // namespace
}  // namespace gridke::services::flexibility_response
