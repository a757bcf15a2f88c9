// TokenStore: issuing, hashing, listing, revoking and checking bearer tokens.
#include "gridke/security/token_store.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "gridke/security/digest.hpp"
#include "gridke/storage/sqlite.hpp"
#include "gridke_matchers.hpp"

namespace gridke::security {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;

constexpr const char* kb1 = "http://example.org/kb1";

class TokenStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = (std::filesystem::temp_directory_path() /
             ("gridke-tokens-" + std::to_string(::getpid()) + "-" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".sqlite"))
                .string();
    std::filesystem::remove(path_);
    auto s = TokenStore::open(path_);
    ASSERT_THAT(s, IsOk());
    store_ = std::make_unique<TokenStore>(std::move(*s));
  }
  void TearDown() override {
    store_.reset();
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path_ + suffix);
  }
  std::string path_;
  std::unique_ptr<TokenStore> store_;
};

TEST_F(TokenStoreTest, IssuesA256BitTokenAndAuthenticatesIt) {
  auto issued = store_->create(kb1);
  ASSERT_THAT(issued, IsOk());
  EXPECT_THAT(issued->secret, MatchesRegex("gke_[0-9a-f]{64}"));
  EXPECT_EQ(issued->info.id, sha256_hex(issued->secret).substr(0, 16));
  auto who = store_->authenticate(issued->secret);
  ASSERT_THAT(who, IsOk());
  EXPECT_EQ(who->knowledge_base, kb1);
  EXPECT_EQ(who->id, issued->info.id);
}

TEST_F(TokenStoreTest, StoresOnlyTheHashOfTheSecret) {
  auto issued = store_->create(kb1);
  ASSERT_THAT(issued, IsOk());
  store_.reset();
  auto db = storage::Database::open(path_);
  ASSERT_THAT(db, IsOk());
  auto s = db->prepare("SELECT hash FROM tokens");
  ASSERT_THAT(s, IsOk());
  auto row = s->step();
  ASSERT_THAT(row, IsOk());
  ASSERT_TRUE(*row);
  EXPECT_EQ(s->column_text(0), sha256_hex(issued->secret));
  std::ifstream raw(path_, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(raw)), std::istreambuf_iterator<char>());
  EXPECT_THAT(bytes, Not(HasSubstr(issued->secret.substr(4))));
}

TEST_F(TokenStoreTest, RejectsUnknownAndMalformedTokens) {
  ASSERT_THAT(store_->create(kb1), IsOk());
  EXPECT_THAT(store_->authenticate("gke_" + std::string(64, 'a')),
              HasError(ErrorCode::unauthenticated, HasSubstr("not known to this server")));
  EXPECT_THAT(store_->authenticate("secret"),
              HasError(ErrorCode::unauthenticated, HasSubstr("malformed")));
  EXPECT_THAT(store_->authenticate("gke_" + std::string(64, 'G')),
              HasError(ErrorCode::unauthenticated, HasSubstr("malformed")));
}

TEST_F(TokenStoreTest, RevokedTokensAreRejectedNamingTheRevocation) {
  auto issued = store_->create(kb1);
  ASSERT_THAT(issued, IsOk());
  auto revoked = store_->revoke(issued->info.id.substr(0, 8));
  ASSERT_THAT(revoked, IsOk());
  EXPECT_TRUE(revoked->revoked.has_value());
  EXPECT_THAT(store_->authenticate(issued->secret),
              HasError(ErrorCode::unauthenticated, HasSubstr("was revoked at")));
  EXPECT_THAT(store_->revoke(issued->info.id),
              HasError(ErrorCode::failed_precondition, HasSubstr("already revoked")));
}

TEST_F(TokenStoreTest, RevocationByAnotherConnectionTakesEffect) {
  auto issued = store_->create(kb1);
  ASSERT_THAT(issued, IsOk());
  auto other = TokenStore::open(path_);  // as `gridke token revoke` in another process
  ASSERT_THAT(other, IsOk());
  ASSERT_THAT(other->revoke(issued->info.id), IsOk());
  EXPECT_THAT(store_->authenticate(issued->secret),
              HasError(ErrorCode::unauthenticated, HasSubstr("revoked")));
}

TEST_F(TokenStoreTest, ExpiredTokensAreRejected) {
  auto issued = store_->create(kb1, std::chrono::seconds(1));
  ASSERT_THAT(issued, IsOk());
  ASSERT_THAT(store_->authenticate(issued->secret), IsOk());
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  EXPECT_THAT(store_->authenticate(issued->secret),
              HasError(ErrorCode::unauthenticated, HasSubstr("expired at")));
}

TEST_F(TokenStoreTest, RejectsBadCreateAndRevokeArguments) {
  EXPECT_THAT(store_->create("not an iri"),
              HasError(ErrorCode::invalid_argument, HasSubstr("Cannot issue a token for")));
  EXPECT_THAT(store_->create(kb1, std::chrono::seconds(0)),
              HasError(ErrorCode::invalid_argument, HasSubstr("must be positive")));
  EXPECT_THAT(store_->revoke("abc"), HasError(ErrorCode::invalid_argument, HasSubstr("6 to 16")));
  EXPECT_THAT(store_->revoke("abcdef"), HasError(ErrorCode::not_found, HasSubstr("abcdef")));
}

TEST_F(TokenStoreTest, ListsTokensWithoutSecrets) {
  auto a = store_->create(kb1);
  auto b = store_->create("http://example.org/kb2", std::chrono::hours(1));
  ASSERT_THAT(a, IsOk());
  ASSERT_THAT(b, IsOk());
  auto all = store_->list();
  ASSERT_THAT(all, IsOk());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].knowledge_base, kb1);
  EXPECT_FALSE((*all)[0].expires.has_value());
  EXPECT_TRUE((*all)[1].expires.has_value());
}

TEST(TokenStore, ReportsAnUnopenablePath) {
  EXPECT_THAT(TokenStore::open("/nonexistent-dir/x/tokens.sqlite"),
              HasError(ErrorCode::unavailable, HasSubstr("/nonexistent-dir/x/tokens.sqlite")));
}

}  // namespace
}  // namespace gridke::security
