// Tests of the SQLite RAII wrapper (core/storage).

#include "gridke/storage/sqlite.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "gridke_matchers.hpp"

namespace gridke::storage {
namespace {

using ::testing::HasSubstr;

class SqliteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("gridke-storage-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(SqliteTest, OpenUsesWalAndFullSync) {
  auto db = Database::open((dir_ / "a.sqlite").string());
  ASSERT_THAT(db, IsOk());
  auto mode = db->prepare("PRAGMA journal_mode;");
  ASSERT_THAT(mode, IsOk());
  ASSERT_TRUE(*mode->step());
  EXPECT_EQ(mode->column_text(0), "wal");
  auto sync = db->prepare("PRAGMA synchronous;");
  ASSERT_THAT(sync, IsOk());
  ASSERT_TRUE(*sync->step());
  EXPECT_EQ(sync->column_int(0), 2);  // FULL
}

TEST_F(SqliteTest, StatementsBindStepAndReadColumns) {
  auto db = Database::open(":memory:");
  ASSERT_THAT(db, IsOk());
  ASSERT_THAT(db->exec("CREATE TABLE t(i INTEGER, d REAL, s TEXT, n TEXT);"), IsOk());
  auto ins = db->prepare("INSERT INTO t VALUES(?1, ?2, ?3, ?4);");
  ASSERT_THAT(ins, IsOk());
  ins->bind(1, std::int64_t{42})
      .bind(2, 2.5)
      .bind(3, "héllo")
      .bind(4, std::optional<std::string>());
  auto changed = ins->run();
  ASSERT_THAT(changed, IsOk());
  EXPECT_EQ(*changed, 1);
  auto sel = db->prepare("SELECT i, d, s, n FROM t;");
  ASSERT_THAT(sel, IsOk());
  ASSERT_TRUE(*sel->step());
  EXPECT_EQ(sel->column_int(0), 42);
  EXPECT_DOUBLE_EQ(sel->column_double(1), 2.5);
  EXPECT_EQ(sel->column_text(2), "héllo");
  EXPECT_EQ(sel->column_optional_text(3), std::nullopt);
  EXPECT_FALSE(*sel->step());
}

TEST_F(SqliteTest, TransactionRollsBackUnlessCommitted) {
  const auto path = (dir_ / "t.sqlite").string();
  auto db = Database::open(path);
  ASSERT_THAT(db, IsOk());
  ASSERT_THAT(db->exec("CREATE TABLE t(x INTEGER);"), IsOk());
  {
    auto tx = Transaction::begin(*db);
    ASSERT_THAT(tx, IsOk());
    ASSERT_THAT(db->exec("INSERT INTO t VALUES(1);"), IsOk());
  }  // rolled back
  {
    auto tx = Transaction::begin(*db);
    ASSERT_THAT(tx, IsOk());
    ASSERT_THAT(db->exec("INSERT INTO t VALUES(2);"), IsOk());
    ASSERT_THAT(tx->commit(), IsOk());
    EXPECT_THAT(tx->commit(), HasError(ErrorCode::failed_precondition, HasSubstr("already")));
  }
  auto reopened = Database::open(path);
  ASSERT_THAT(reopened, IsOk());
  auto sel = reopened->prepare("SELECT group_concat(x) FROM t;");
  ASSERT_THAT(sel, IsOk());
  ASSERT_TRUE(*sel->step());
  EXPECT_EQ(sel->column_text(0), "2");
}

TEST_F(SqliteTest, UserVersionRoundTrips) {
  auto db = Database::open(":memory:");
  ASSERT_THAT(db, IsOk());
  EXPECT_EQ(*db->user_version(), 0);
  ASSERT_THAT(db->set_user_version(3), IsOk());
  EXPECT_EQ(*db->user_version(), 3);
}

TEST_F(SqliteTest, OpenInMissingDirectoryNamesThePath) {
  const auto path = (dir_ / "no" / "such" / "dir" / "x.sqlite").string();
  EXPECT_THAT(Database::open(path), HasError(ErrorCode::unavailable, HasSubstr(path)));
}

TEST_F(SqliteTest, OpenOfAFileThatIsNotADatabaseFails) {
  const auto path = dir_ / "text.sqlite";
  std::ofstream(path) << "this is not a database, just some text long enough to be checked\n"
                      << std::string(200, 'x');
  EXPECT_THAT(Database::open(path.string()),
              HasError(ErrorCode::failed_precondition, HasSubstr("not a database")));
}

TEST_F(SqliteTest, BadSqlNamesTheStatement) {
  auto db = Database::open(":memory:");
  ASSERT_THAT(db, IsOk());
  EXPECT_THAT(db->prepare("SELEC 1;"), HasError(ErrorCode::internal, HasSubstr("SELEC 1")));
  EXPECT_THAT(db->exec("CREATE TABLE t(x); CREATE TABLE t(x);"),
              HasError(ErrorCode::internal, HasSubstr("already exists")));
}

TEST_F(SqliteTest, ConstraintViolationIsReportedAndStatementIsReusable) {
  auto db = Database::open(":memory:");
  ASSERT_THAT(db, IsOk());
  ASSERT_THAT(db->exec("CREATE TABLE t(x INTEGER PRIMARY KEY);"), IsOk());
  auto ins = db->prepare("INSERT INTO t VALUES(?1);");
  ASSERT_THAT(ins, IsOk());
  ASSERT_THAT(ins->bind(1, 1).run(), IsOk());
  EXPECT_THAT(ins->bind(1, 1).run(), HasError(ErrorCode::internal, HasSubstr("UNIQUE")));
  EXPECT_THAT(ins->bind(1, 2).run(), IsOk());
}

TEST_F(SqliteTest, FullDatabaseIsUnavailableNotCorrupt) {
  const auto path = (dir_ / "full.sqlite").string();
  auto db = Database::open(path);
  ASSERT_THAT(db, IsOk());
  ASSERT_THAT(db->exec("CREATE TABLE t(x TEXT);"), IsOk());
  ASSERT_THAT(db->exec("PRAGMA max_page_count=8;"), IsOk());
  auto ins = db->prepare("INSERT INTO t VALUES(?1);");
  ASSERT_THAT(ins, IsOk());
  Result<int> r = 0;
  for (int i = 0; i < 100 && r; ++i) r = ins->bind(1, std::string(4000, 'a')).run();
  EXPECT_THAT(r, HasError(ErrorCode::unavailable, HasSubstr("full")));
  auto check = db->prepare("PRAGMA integrity_check;");
  ASSERT_THAT(check, IsOk());
  ASSERT_TRUE(*check->step());
  EXPECT_EQ(check->column_text(0), "ok");
}

}  // namespace
}  // namespace gridke::storage
