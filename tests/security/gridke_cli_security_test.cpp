// The `gridke token` and `gridke audit` verbs and `gridke serve --auth tokens --acl` end to end,
// through the real binary (skipped when it has not been built): exit codes and messages.
#include <sys/wait.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "gridke/audit/audit_trail.hpp"
#include "gridke/engine/embedded_engine.hpp"
#include "gridke/storage/sqlite.hpp"
#include "gridke_matchers.hpp"

namespace gridke::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;

#ifdef GRIDKE_BINARY
constexpr const char* gridke_binary = GRIDKE_BINARY;
#else
constexpr const char* gridke_binary = "";
#endif

struct Run {
  int exit_code = -1;
  std::string out;  ///< stdout and stderr
};

Run run(const std::string& args) {
  Run r;
  const std::string cmd = std::string(gridke_binary) + " " + args + " 2>&1";
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (pipe == nullptr) return r;
  std::array<char, 4096> buf{};
  std::size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) r.out.append(buf.data(), n);
  int status = ::pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

class GridkeCliSecurityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string(gridke_binary).empty() || !std::filesystem::exists(gridke_binary)) {
      GTEST_SKIP() << "the gridke binary has not been built";
    }
    dir_ = std::filesystem::temp_directory_path() /
           ("gridke-cli-sec-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  std::filesystem::path dir_;
};

TEST_F(GridkeCliSecurityTest, TokenCreateListRevoke) {
  const std::string store = " --store " + (dir_ / "tokens.sqlite").string();
  auto created = run("token create --kb http://example.org/kb1 --format json" + store);
  ASSERT_EQ(created.exit_code, 0) << created.out;
  EXPECT_THAT(created.out, HasSubstr("\"token\":\"gke_"));
  const auto id_pos = created.out.find("\"id\":\"") + 6;
  const std::string id = created.out.substr(id_pos, 16);
  auto listed = run("token list" + store);
  EXPECT_EQ(listed.exit_code, 0);
  EXPECT_THAT(listed.out, HasSubstr(id + "  http://example.org/kb1"));
  EXPECT_THAT(listed.out, ::testing::Not(HasSubstr("gke_")));
  auto revoked = run("token revoke " + id + store);
  EXPECT_EQ(revoked.exit_code, 0) << revoked.out;
  auto again = run("token revoke " + id + store);
  EXPECT_EQ(again.exit_code, 5);
  EXPECT_THAT(again.out, HasSubstr("already revoked"));
  auto unknown = run("token revoke abcdef0123" + store);
  EXPECT_EQ(unknown.exit_code, 4);
  auto bad = run("token create --kb 'not an iri'" + store);
  EXPECT_EQ(bad.exit_code, 3);
  EXPECT_THAT(bad.out, HasSubstr("Cannot issue a token for 'not an iri'"));
  auto missing = run("token create" + store);
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_THAT(missing.out, HasSubstr("--kb IRI is required"));
}

TEST_F(GridkeCliSecurityTest, TokenWrittenToAFileIsPrivate) {
  const auto file = dir_ / "kb.token";
  auto created = run("token create --kb http://example.org/kb1 --output " + file.string() +
                     " --data " + dir_.string());
  ASSERT_EQ(created.exit_code, 0) << created.out;
  EXPECT_THAT(created.out, ::testing::Not(HasSubstr("gke_")));
  std::ifstream in(file);
  std::string token;
  std::getline(in, token);
  EXPECT_THAT(token, MatchesRegex("gke_[0-9a-f]{64}"));
  EXPECT_EQ(std::filesystem::status(file).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

TEST_F(GridkeCliSecurityTest, AuditVerifyNamesTheFirstBadEntryAndExports) {
  const std::string db = (dir_ / "audit.sqlite").string();
  {
    auto trail = audit::AuditTrail::open(db);
    ASSERT_THAT(trail, IsOk());
    for (int i = 0; i < 3; ++i) {
      engine::ExchangeRecord r;
      r.requester = {"http://example.org/kb1", "http://example.org/kb1/interaction/a", "a",
                     ki::KiKind::ask};
      (*trail)->on_exchange(r);
    }
    ASSERT_THAT((*trail)->flush(), IsOk());
  }
  auto ok = run("audit verify --db " + db);
  EXPECT_EQ(ok.exit_code, 0) << ok.out;
  EXPECT_THAT(ok.out, HasSubstr("is intact: 3 entries"));
  auto jsonl = run("audit export --format jsonl --db " + db);
  EXPECT_EQ(jsonl.exit_code, 0);
  EXPECT_EQ(std::count(jsonl.out.begin(), jsonl.out.end(), '\n'), 3);
  auto prov = run("audit export --format prov --db " + db);
  EXPECT_THAT(prov.out, HasSubstr("entry:3 a prov:Activity"));
  {
    auto raw = storage::Database::open(db);
    ASSERT_THAT(raw, IsOk());
    ASSERT_THAT(raw->exec("DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE seq = 2"), IsOk());
  }
  auto bad = run("audit verify --db " + db);
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.out, HasSubstr("entry 2 was removed"));
  auto usage = run("audit export --db " + db + " --format csv");
  EXPECT_EQ(usage.exit_code, 2);
}

TEST_F(GridkeCliSecurityTest, ServeRejectsBadSecurityOptions) {
  auto r = run("serve --port 0 --tls-cert x.pem");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.out, HasSubstr("--tls-cert and --tls-key go together"));
  r = run("serve --port 0 --auth tokens");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.out, HasSubstr("--auth tokens needs --token-store FILE or --data DIR"));
  r = run("serve --port 0 --auth password");
  EXPECT_EQ(r.exit_code, 2);
  {
    std::ofstream acl(dir_ / "acl.json");
    acl << R"({"rules":[{"requesters":["*"],"actions":["get"]}]})";
  }
  r = run("serve --port 0 --services none --acl " + (dir_ / "acl.json").string());
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.out, HasSubstr("rules[0].actions[0]: expected \"ask\" or \"post\", got \"get\""));
  r = run("serve --port 0 --services none --tls-cert " + (dir_ / "none.pem").string() +
          " --tls-key " + (dir_ / "none.key").string());
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.out, HasSubstr("TLS certificate file " + (dir_ / "none.pem").string()));
}

TEST_F(GridkeCliSecurityTest, ServeRejectsIoThreadsOutOfRange) {
  // One I/O thread is valid (nothing on it blocks); none is not.
  auto r = run("serve --port 0 --services none --io-threads 0");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.out, HasSubstr("--io-threads must be between 1 and 256, got 0"));
  r = run("serve --port 0 --services none --io-threads 257");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.out, HasSubstr("--io-threads must be between 1 and 256, got 257"));
}

}  // namespace
}  // namespace gridke::testing
