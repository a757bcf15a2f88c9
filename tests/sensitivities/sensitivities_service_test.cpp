// Tests for sensitivities_service.hpp: registration, asynchronous jobs stored in SQLite,
// restart survival, removal and error paths.

#include "gridke/services/sensitivities/sensitivities_service.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <filesystem>

#include "gridke_matchers.hpp"
#include "synthetic_data.hpp"

namespace gridke::services::sensitivities {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using namespace std::chrono_literals;

class SensitivitiesServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("gridke_sensitivities_service_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string db() const { return (dir_ / "sensitivities.db").string(); }

  std::filesystem::path dir_;
};

JobStatus wait_for(SensitivitiesService& s, const std::string& id) {
  EXPECT_TRUE(s.wait_idle(60s));
  auto j = s.job(id);
  EXPECT_THAT(j, IsOk());
  return j ? *j : JobStatus{};
}

TEST_F(SensitivitiesServiceTest, UploadComputesSensitivitiesAsynchronously) {
  auto service = SensitivitiesService::open(db());
  ASSERT_THAT(service, IsOk());
  auto& s = **service;
  const auto synth = testing::make_synthetic(5, 8640, 0.1);
  ASSERT_THAT(s.register_grid(synth.grid), IsOk());
  EXPECT_THAT(s.sensitivities("synthetic"),
              HasError(ErrorCode::failed_precondition, HasSubstr("has no sensitivities yet")));
  auto id = s.submit_historical_data("synthetic", synth.data);
  ASSERT_THAT(id, IsOk());
  EXPECT_EQ(id->size(), 32U);
  const JobStatus j = wait_for(s, *id);
  EXPECT_EQ(j.state, JobState::done) << j.error_message;
  EXPECT_EQ(j.progress, 1.0);
  EXPECT_EQ(j.kind, JobKind::update_historical_data);
  const auto out = nlohmann::json::parse(j.result_json);
  EXPECT_EQ(out.at("voltage_sensitivity_points").size(), 5U);
  const auto m = s.sensitivities("synthetic");
  ASSERT_THAT(m, IsOk());
  EXPECT_LT((m->sensitivity_v_per_kw - synth.s_true).norm() / synth.s_true.norm(), 0.05);
  EXPECT_THAT(s.stored_records("synthetic"), IsOk());
  EXPECT_EQ(*s.stored_records("synthetic"), 5 * 8640);
}

TEST_F(SensitivitiesServiceTest, PartialUploadIsStoredButFailsWithTheReason) {
  auto service = SensitivitiesService::open(db());
  ASSERT_THAT(service, IsOk());
  auto synth = testing::make_synthetic(3, 8640, 0.1);
  ASSERT_THAT((*service)->register_grid(synth.grid), IsOk());
  synth.data.meters.pop_back();
  auto id = (*service)->submit_historical_data("synthetic", synth.data);
  ASSERT_THAT(id, IsOk());
  const JobStatus j = wait_for(**service, *id);
  EXPECT_EQ(j.state, JobState::failed);
  EXPECT_EQ(j.error_code, "failed_precondition");
  EXPECT_THAT(j.error_message, AllOf(HasSubstr("17280 records stored"),
                                     HasSubstr("partial network: 1 of 3 registered meters")));
  EXPECT_EQ(*(*service)->stored_records("synthetic"), 2 * 8640);
}

TEST_F(SensitivitiesServiceTest, RejectsBadRequestsSynchronously) {
  auto service = SensitivitiesService::open(db());
  ASSERT_THAT(service, IsOk());
  auto& s = **service;
  auto synth = testing::make_synthetic(2, 10, 0.1);
  EXPECT_THAT(s.submit_historical_data("nope", synth.data),
              HasError(ErrorCode::not_found, HasSubstr("grid 'nope' is not registered")));
  ASSERT_THAT(s.register_grid(synth.grid), IsOk());
  EXPECT_THAT(s.register_grid(synth.grid),
              HasError(ErrorCode::already_exists, HasSubstr("'synthetic' is already registered")));
  synth.data.meters[1].meter.meter_id = "intruder";
  EXPECT_THAT(s.submit_historical_data("synthetic", synth.data),
              HasError(ErrorCode::invalid_argument, HasSubstr("meter 'intruder': unknown meter")));
  std::vector<ApplianceHistory> appliances = {{"a1", ApplianceType::ev, "ghost", {{1, 1.0}}}};
  EXPECT_THAT(s.submit_load_correlation("synthetic", appliances),
              HasError(ErrorCode::invalid_argument,
                       HasSubstr("appliance 'a1': meter 'ghost' is not a regular meter")));
  EXPECT_THAT(s.job("0123"), HasError(ErrorCode::not_found, HasSubstr("request '0123'")));
  EXPECT_THAT(s.remove_grid("nope"), HasError(ErrorCode::not_found, HasSubstr("'nope'")));
}

TEST_F(SensitivitiesServiceTest, AnalysisBeforeSensitivitiesFails) {
  auto service = SensitivitiesService::open(db());
  ASSERT_THAT(service, IsOk());
  const auto synth = testing::make_synthetic(2, 10, 0.1);
  ASSERT_THAT((*service)->register_grid(synth.grid), IsOk());
  std::vector<ApplianceHistory> appliances = {{"a1", ApplianceType::ev, "m0", {{1, 1.0}}}};
  auto id = (*service)->submit_flexibility_requirements("synthetic", appliances);
  ASSERT_THAT(id, IsOk());
  const JobStatus j = wait_for(**service, *id);
  EXPECT_EQ(j.state, JobState::failed);
  EXPECT_EQ(j.kind, JobKind::flexibility_requirements);
  EXPECT_THAT(j.error_message, HasSubstr("has no sensitivities yet"));
}

TEST_F(SensitivitiesServiceTest, QueuedJobsAndResultsSurviveARestart) {
  const auto synth = testing::make_synthetic(4, 8640, 0.1);
  std::string id;
  {
    ServiceOptions idle;
    idle.start_worker = false;
    auto service = SensitivitiesService::open(db(), idle);
    ASSERT_THAT(service, IsOk());
    ASSERT_THAT((*service)->register_grid(synth.grid), IsOk());
    auto r = (*service)->submit_historical_data("synthetic", synth.data);
    ASSERT_THAT(r, IsOk());
    id = *r;
    EXPECT_EQ((*service)->job(id)->state, JobState::queued);
    EXPECT_FALSE((*service)->wait_idle(10ms));
  }
  {
    auto service = SensitivitiesService::open(db());
    ASSERT_THAT(service, IsOk());
    EXPECT_EQ(wait_for(**service, id).state, JobState::done);
  }
  auto service = SensitivitiesService::open(db());
  ASSERT_THAT(service, IsOk());
  EXPECT_THAT((*service)->sensitivities("synthetic"), IsOk());
  EXPECT_EQ((*service)->grid("synthetic")->meters.size(), 4U);
  EXPECT_EQ((*service)->job(id)->state, JobState::done);
  ASSERT_THAT((*service)->remove_job(id), IsOk());
  EXPECT_THAT((*service)->job(id), HasError(ErrorCode::not_found, HasSubstr(id)));
  ASSERT_THAT((*service)->remove_grid("synthetic"), IsOk());
  EXPECT_THAT((*service)->sensitivities("synthetic"),
              HasError(ErrorCode::not_found, HasSubstr("")));
}

TEST_F(SensitivitiesServiceTest, ReportsAnUnopenableDatabase) {
  EXPECT_THAT(SensitivitiesService::open((dir_ / "missing" / "x.db").string()),
              HasError(ErrorCode::unavailable,
                       AllOf(HasSubstr("sensitivities database"), HasSubstr("missing/x.db"))));
}

}  // namespace
}  // namespace gridke::services::sensitivities
