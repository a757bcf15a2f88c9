// SqliteRegistryStore: what RestServer saves survives reopening the file.
#include "gridke/security/registry_store.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "gridke/security/digest.hpp"
#include "gridke_matchers.hpp"

namespace gridke::security {
namespace {

using ::testing::HasSubstr;
using ::testing::SizeIs;

class SqliteRegistryStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = (std::filesystem::temp_directory_path() /
             ("gridke-registry-" + std::to_string(::getpid()) + "-" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".sqlite"))
                .string();
    remove_files();
  }
  void TearDown() override { remove_files(); }
  void remove_files() {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path_ + suffix);
  }
  std::string path_;
};

TEST_F(SqliteRegistryStoreTest, KeepsKnowledgeBasesKisAndLeasesAcrossReopening) {
  const auto expiry = security::from_unix_ms(1'900'000'000'123);
  {
    auto store = SqliteRegistryStore::open(path_);
    ASSERT_THAT(store, IsOk());
    engine::KnowledgeBaseInfo kb1;
    kb1.id = "http://example.org/kb1";
    kb1.name = "KB 1";
    kb1.description = "first";
    kb1.lease_renewal_time_s = 60;
    kb1.reasoner_level = 3;
    ASSERT_THAT((*store)->save_knowledge_base(kb1, expiry), IsOk());
    engine::KnowledgeBaseInfo kb2;
    kb2.id = "http://example.org/kb2";
    kb2.name = "KB 2";
    ASSERT_THAT((*store)->save_knowledge_base(kb2, std::nullopt), IsOk());
    ASSERT_THAT(
        (*store)->save_knowledge_interaction("http://example.org/kb1",
                                             {"http://example.org/kb1/interaction/a", "{\"x\":1}"}),
        IsOk());
    ASSERT_THAT((*store)->save_knowledge_interaction(
                    "http://example.org/kb1", {"http://example.org/kb1/interaction/b", "{}"}),
                IsOk());
    ASSERT_THAT((*store)->remove_knowledge_interaction("http://example.org/kb1",
                                                       "http://example.org/kb1/interaction/b"),
                IsOk());
    ASSERT_THAT((*store)->renew_lease("http://example.org/kb1", expiry + std::chrono::seconds(60)),
                IsOk());
  }
  auto store = SqliteRegistryStore::open(path_);
  ASSERT_THAT(store, IsOk());
  auto loaded = (*store)->load();
  ASSERT_THAT(loaded, IsOk());
  ASSERT_THAT(*loaded, SizeIs(2));
  const auto& kb1 = (*loaded)[0];
  EXPECT_EQ(kb1.info.id, "http://example.org/kb1");
  EXPECT_EQ(kb1.info.name, "KB 1");
  EXPECT_EQ(kb1.info.lease_renewal_time_s, 60);
  EXPECT_EQ(kb1.info.reasoner_level, 3);
  EXPECT_EQ(kb1.lease_expiry, expiry + std::chrono::seconds(60));
  ASSERT_THAT(kb1.kis, SizeIs(1));
  EXPECT_EQ(kb1.kis[0].definition_json, "{\"x\":1}");
  EXPECT_FALSE((*loaded)[1].lease_expiry.has_value());
  ASSERT_THAT((*store)->remove_knowledge_base("http://example.org/kb1"), IsOk());
  loaded = (*store)->load();
  ASSERT_THAT(loaded, IsOk());
  EXPECT_THAT(*loaded, SizeIs(1));
}

TEST_F(SqliteRegistryStoreTest, RejectsANewerSchema) {
  {
    auto db = storage::Database::open(path_);
    ASSERT_THAT(db, IsOk());
    ASSERT_THAT(db->set_user_version(99), IsOk());
  }
  EXPECT_THAT(SqliteRegistryStore::open(path_),
              HasError(ErrorCode::failed_precondition, HasSubstr("schema version 99")));
}

}  // namespace
}  // namespace gridke::security
