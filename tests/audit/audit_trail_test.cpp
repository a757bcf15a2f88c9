// AuditTrail: entries of real exchanges (with ACL denials), the hash chain, tamper detection,
// and the JSON-lines / PROV-O exports.
#include "gridke/audit/audit_trail.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "gridke/engine/embedded_engine.hpp"
#include "gridke/rdf/graph.hpp"
#include "gridke/security/access_policy.hpp"
#include "gridke/security/digest.hpp"
#include "gridke/storage/sqlite.hpp"
#include "gridke_matchers.hpp"

namespace gridke::audit {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::SizeIs;

const std::string ex = "http://example.org/";

engine::KnowledgeBaseInfo kb_info(const std::string& id, std::optional<int> lease = std::nullopt) {
  engine::KnowledgeBaseInfo info;
  info.id = id;
  info.name = "n";
  info.description = "d";
  info.lease_renewal_time_s = lease;
  return info;
}

rdf::Term iri(const std::string& local) { return rdf::Term::iri(ex + local); }

class AuditTrailTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = (std::filesystem::temp_directory_path() /
             ("gridke-audit-" + std::to_string(::getpid()) + "-" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".sqlite"))
                .string();
    remove_files();
    auto t = AuditTrail::open(path_);
    ASSERT_THAT(t, IsOk());
    trail_ = *t;
  }
  void TearDown() override {
    trail_.reset();
    remove_files();
  }
  void remove_files() {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path_ + suffix);
  }

  // Appends `n` synthetic exchanges and waits until they are on disk.
  void record(int n) {
    for (int i = 0; i < n; ++i) {
      engine::ExchangeRecord r;
      r.requester = {ex + "kb1", ex + "kb1/interaction/ask", "ask", ki::KiKind::ask};
      r.start = r.end = engine::Clock::now();
      r.request_bindings.insert(pattern::Binding{{"x", iri("v" + std::to_string(i))}});
      engine::ExchangeInfo info;
      info.knowledge_base_id = ex + "kb2";
      info.knowledge_interaction_id = ex + "kb2/interaction/answer";
      r.exchange_info.push_back(info);
      trail_->on_exchange(r);
    }
    ASSERT_THAT(trail_->flush(), IsOk());
  }

  // Runs SQL behind the trail's back, as an attacker with file access would.
  void tamper(const std::string& sql) {
    auto db = storage::Database::open(path_);
    ASSERT_THAT(db, IsOk());
    ASSERT_THAT(db->exec("DROP TRIGGER IF EXISTS audit_no_update; DROP TRIGGER IF EXISTS "
                         "audit_no_delete; " +
                         sql),
                IsOk());
  }

  std::string path_;
  std::shared_ptr<AuditTrail> trail_;
};

TEST_F(AuditTrailTest, RecordsRealExchangesWithAclDenialsAndNoBindingValues) {
  auto policy = security::AccessPolicy::parse(
      R"({"default":"deny","rules":[{"requesters":["http://example.org/kb1"],
          "knowledgeBases":["http://example.org/kb2"]}]})");
  ASSERT_THAT(policy, IsOk());
  engine::EmbeddedEngine::Options options;
  options.policy = *policy;
  options.observer = trail_;
  engine::EmbeddedEngine engine(options);
  for (const char* kb : {"kb1", "kb2", "kb3"}) {
    ASSERT_THAT(engine.create_knowledge_base(kb_info(ex + kb)), IsOk());
  }
  auto gp = pattern::GraphPattern::parse("?a <http://example.org/p> ?b .");
  ASSERT_THAT(gp, IsOk());
  auto asking = engine.register_ki(ex + "kb1", ki::KnowledgeInteraction::ask(*gp, "ask"));
  ASSERT_THAT(asking, IsOk());
  const pattern::BindingSet secret{
      pattern::Binding{{"a", iri("meter-42")}, {"b", rdf::Term::literal("secret-value-123")}}};
  for (const char* kb : {"kb2", "kb3"}) {
    ASSERT_THAT(engine.register_ki(ex + kb, ki::KnowledgeInteraction::answer(*gp, "answer"),
                                   engine::SyncHandler([&](const engine::HandleRequest&) {
                                     return Result<pattern::BindingSet>(secret);
                                   })),
                IsOk());
  }
  auto result = engine.ask(ex + "kb1", *asking);
  ASSERT_THAT(result, IsOk());
  EXPECT_EQ(result->bindings.size(), 1u);
  ASSERT_THAT(result->exchange_info, SizeIs(2));
  bool denied_seen = false;
  for (const auto& info : result->exchange_info) {
    if (info.knowledge_base_id == ex + "kb3") {
      denied_seen = true;
      EXPECT_EQ(info.status, engine::ExchangeStatus::failed);
      EXPECT_THAT(info.failed_message,
                  HasSubstr("access denied: no ACL rule allows http://example.org/kb1 to ask "
                            "http://example.org/kb3/interaction/answer"));
    }
  }
  EXPECT_TRUE(denied_seen);
  ASSERT_THAT(trail_->flush(), IsOk());

  auto entries = read_audit(path_);
  ASSERT_THAT(entries, IsOk());
  ASSERT_THAT(*entries, SizeIs(1));
  const AuditEntry& e = (*entries)[0];
  EXPECT_EQ(e.seq, 1);
  EXPECT_EQ(e.kind, "ASK");
  EXPECT_EQ(e.outcome, "succeeded");
  EXPECT_EQ(e.requesting_knowledge_base, ex + "kb1");
  EXPECT_EQ(e.requesting_interaction, *asking);
  EXPECT_EQ(e.result_digest, security::binding_set_digest(result->bindings));
  EXPECT_EQ(e.request_digest, security::binding_set_digest({}));
  ASSERT_THAT(e.contacted, SizeIs(2));
  bool denied_recorded = false;
  for (const auto& c : e.contacted) {
    if (c.knowledge_base == ex + "kb3") {
      denied_recorded = true;
      EXPECT_EQ(c.status, "FAILED");
      EXPECT_THAT(c.reason, HasSubstr("access denied: no ACL rule allows"));
    }
  }
  EXPECT_TRUE(denied_recorded);
  std::ostringstream jsonl;
  ASSERT_THAT(export_jsonl(path_, jsonl), IsOk());
  EXPECT_THAT(jsonl.str(), Not(HasSubstr("secret-value-123")));
  EXPECT_THAT(jsonl.str(), Not(HasSubstr("meter-42")));
}

TEST_F(AuditTrailTest, PeerFailureMessagesAreKeptOnlyAsDigests) {
  engine::ExchangeRecord r;
  r.requester = {ex + "kb1", ex + "kb1/interaction/post", "post", ki::KiKind::post};
  r.succeeded = false;
  r.error_message = "customer Jane Doe not found";
  engine::ExchangeInfo info;
  info.status = engine::ExchangeStatus::failed;
  info.failed_message = "An error occurred while REACTing: meter of Jane Doe offline";
  r.exchange_info.push_back(info);
  AuditEntry e = AuditTrail::make_entry(r);
  EXPECT_EQ(e.outcome, "failed");
  EXPECT_EQ(e.outcome_detail, "sha256:" + security::sha256_hex(r.error_message));
  EXPECT_EQ(e.contacted[0].reason, "sha256:" + security::sha256_hex(info.failed_message));
  EXPECT_THAT(canonical_json(e), Not(HasSubstr("Jane")));
}

TEST_F(AuditTrailTest, AnIntactTrailVerifies) {
  record(5);
  auto report = verify_audit(path_);
  ASSERT_THAT(report, IsOk());
  EXPECT_TRUE(report->intact()) << report->problem;
  EXPECT_EQ(report->entries, 5);
  EXPECT_THAT(report->head_hash, ::testing::MatchesRegex("[0-9a-f]{64}"));
  auto again = verify_audit(path_, report->head_hash);
  ASSERT_THAT(again, IsOk());
  EXPECT_TRUE(again->intact());
}

TEST_F(AuditTrailTest, TheChainContinuesAcrossReopening) {
  record(2);
  trail_.reset();
  auto t = AuditTrail::open(path_);
  ASSERT_THAT(t, IsOk());
  trail_ = *t;
  record(2);
  auto report = verify_audit(path_);
  ASSERT_THAT(report, IsOk());
  EXPECT_TRUE(report->intact()) << report->problem;
  EXPECT_EQ(report->entries, 4);
}

TEST_F(AuditTrailTest, RefusesUpdatesAndDeletesThroughSqlite) {
  record(1);
  auto db = storage::Database::open(path_);
  ASSERT_THAT(db, IsOk());
  EXPECT_THAT(db->exec("UPDATE audit SET entry = '{}' WHERE seq = 1"),
              HasError(ErrorCode::internal, HasSubstr("append-only")));
  EXPECT_THAT(db->exec("DELETE FROM audit WHERE seq = 1"),
              HasError(ErrorCode::internal, HasSubstr("append-only")));
}

TEST_F(AuditTrailTest, DetectsAnAlteredEntry) {
  record(3);
  tamper(
      "UPDATE audit SET entry = replace(entry, '\"outcome\":\"succeeded\"', "
      "'\"outcome\":\"failed\"') WHERE seq = 2");
  auto report = verify_audit(path_);
  ASSERT_THAT(report, IsOk());
  EXPECT_FALSE(report->intact());
  EXPECT_EQ(report->first_bad_seq, 2);
  EXPECT_THAT(report->problem, HasSubstr("entry 2 was altered"));
}

TEST_F(AuditTrailTest, DetectsAnAlteredEntryWhoseHashWasRecomputed) {
  record(3);
  // The attacker rewrites entry 2 and its own hash; entry 3 still links to the old hash.
  auto entries = read_audit(path_);
  ASSERT_THAT(entries, IsOk());
  AuditEntry forged = (*entries)[1];
  forged.outcome = "failed";
  const std::string text = canonical_json(forged);
  const std::string hash = security::sha256_hex(forged.previous_hash + "\n" + text);
  tamper("UPDATE audit SET entry = '" + text + "', hash = '" + hash + "' WHERE seq = 2");
  auto report = verify_audit(path_);
  ASSERT_THAT(report, IsOk());
  EXPECT_EQ(report->first_bad_seq, 3);
  EXPECT_THAT(report->problem, HasSubstr("entry 3 does not link to the entry before it"));
}

TEST_F(AuditTrailTest, DetectsARemovedEntry) {
  record(3);
  tamper("DELETE FROM audit WHERE seq = 2");
  auto report = verify_audit(path_);
  ASSERT_THAT(report, IsOk());
  EXPECT_EQ(report->first_bad_seq, 2);
  EXPECT_THAT(report->problem, HasSubstr("entry 2 was removed (the sequence jumps from 1 to 3)"));
}

TEST_F(AuditTrailTest, DetectsRemovedTrailingEntries) {
  record(3);
  tamper("DELETE FROM audit WHERE seq = 3");
  auto report = verify_audit(path_);
  ASSERT_THAT(report, IsOk());
  EXPECT_EQ(report->first_bad_seq, 3);
  EXPECT_THAT(report->problem, HasSubstr("entries 3 to 3 were removed"));
}

TEST_F(AuditTrailTest, DetectsTruncationWithHeadRewrittenAgainstARecordedHead) {
  record(3);
  auto before = verify_audit(path_);
  ASSERT_THAT(before, IsOk());
  tamper(
      "DELETE FROM audit WHERE seq = 3; UPDATE audit_head SET seq = 2, hash = (SELECT hash FROM "
      "audit WHERE seq = 2)");
  auto unanchored = verify_audit(path_);
  ASSERT_THAT(unanchored, IsOk());
  EXPECT_TRUE(unanchored->intact());  // the documented limit without an external anchor
  auto anchored = verify_audit(path_, before->head_hash);
  ASSERT_THAT(anchored, IsOk());
  EXPECT_FALSE(anchored->intact());
  EXPECT_THAT(anchored->problem, HasSubstr("is not the expected head"));
}

TEST_F(AuditTrailTest, ExportsJsonLinesAndParseableProvTurtle) {
  record(2);
  std::ostringstream jsonl;
  ASSERT_THAT(export_jsonl(path_, jsonl), IsOk());
  std::istringstream lines(jsonl.str());
  std::string line;
  int n = 0;
  while (std::getline(lines, line)) {
    ++n;
    EXPECT_THAT(line, HasSubstr("\"hash\":\""));
    EXPECT_THAT(line, HasSubstr("\"seq\":" + std::to_string(n)));
  }
  EXPECT_EQ(n, 2);
  std::ostringstream prov;
  ASSERT_THAT(export_prov(path_, prov), IsOk());
  auto graph = rdf::Graph::parse_string(prov.str(), rdf::Syntax::turtle);
  ASSERT_THAT(graph, IsOk()) << prov.str();
  EXPECT_GT(graph->size(), 20u);
  EXPECT_THAT(prov.str(), HasSubstr("entry:2 a prov:Activity"));
  EXPECT_THAT(prov.str(), HasSubstr("prov:wasInformedBy entry:1"));
}

TEST(AuditTrail, RejectsFilesThatAreNotAuditTrails) {
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("gridke-not-audit-" + std::to_string(::getpid()) + ".sqlite"))
                               .string();
  {
    auto db = storage::Database::open(path);
    ASSERT_THAT(db, IsOk());
    ASSERT_THAT(db->exec("CREATE TABLE x (y INTEGER)"), IsOk());
  }
  EXPECT_THAT(verify_audit(path),
              HasError(ErrorCode::failed_precondition, HasSubstr("is not a GridKE audit trail")));
  EXPECT_THAT(verify_audit("/nonexistent/audit.sqlite"),
              HasError(ErrorCode::unavailable, HasSubstr("/nonexistent/audit.sqlite")));
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
}

}  // namespace
}  // namespace gridke::audit
