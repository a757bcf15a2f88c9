// AuditTrail: digests on the caller's thread, appends on one writer thread (audit_trail.hpp).
#include "gridke/audit/audit_trail.hpp"

#include <nlohmann/json.hpp>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <utility>

#include "gridke/security/digest.hpp"
#include "gridke/storage/sqlite.hpp"

namespace gridke::audit {

namespace {

using Json = nlohmann::json;

constexpr int schema_version = 1;
const std::string genesis_hash(64, '0');

constexpr std::string_view schema = R"sql(
CREATE TABLE IF NOT EXISTS audit (
  seq INTEGER PRIMARY KEY,
  entry TEXT NOT NULL,
  previous_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS audit_head (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  seq INTEGER NOT NULL,
  hash TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
  BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
  BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
)sql";

Json entry_to_json(const AuditEntry& e) {
  Json contacted = Json::array();
  for (const auto& c : e.contacted) {
    contacted.push_back(Json{{"knowledgeBase", c.knowledge_base},
                             {"knowledgeInteraction", c.knowledge_interaction},
                             {"status", c.status},
                             {"reason", c.reason}});
  }
  return Json{{"seq", e.seq},
              {"start", e.start},
              {"end", e.end},
              {"requestingKnowledgeBase", e.requesting_knowledge_base},
              {"requestingInteraction", e.requesting_interaction},
              {"kind", e.kind},
              {"outcome", e.outcome},
              {"outcomeDetail", e.outcome_detail},
              {"contacted", std::move(contacted)},
              {"requestDigest", e.request_digest},
              {"resultDigest", e.result_digest}};
}

std::string get_text(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Result<AuditEntry> entry_from_json(const std::string& text, std::int64_t seq) {
  Json j;
  try {
    j = Json::parse(text);
  } catch (const Json::parse_error& e) {
    return parse_error("audit entry " + std::to_string(seq) + " is not JSON: " + e.what());
  }
  if (!j.is_object()) {
    return parse_error("audit entry " + std::to_string(seq) + " is not a JSON object");
  }
  AuditEntry e;
  e.seq = j.value("seq", std::int64_t{0});
  e.start = get_text(j, "start");
  e.end = get_text(j, "end");
  e.requesting_knowledge_base = get_text(j, "requestingKnowledgeBase");
  e.requesting_interaction = get_text(j, "requestingInteraction");
  e.kind = get_text(j, "kind");
  e.outcome = get_text(j, "outcome");
  e.outcome_detail = get_text(j, "outcomeDetail");
  e.request_digest = get_text(j, "requestDigest");
  e.result_digest = get_text(j, "resultDigest");
  if (auto it = j.find("contacted"); it != j.end() && it->is_array()) {
    for (const auto& c : *it) {
      if (!c.is_object()) continue;
      e.contacted.push_back({get_text(c, "knowledgeBase"), get_text(c, "knowledgeInteraction"),
                             get_text(c, "status"), get_text(c, "reason")});
    }
  }
  return e;
}

std::string chain_hash(const std::string& previous, const std::string& canonical) {
  return security::sha256_hex(previous + "\n" + canonical);
}

Result<storage::Database> open_db(const std::string& path, bool create) {
  storage::OpenOptions o;
  o.create = create;
  GRIDKE_ASSIGN_OR_RETURN(auto db, storage::Database::open(path, o));
  GRIDKE_ASSIGN_OR_RETURN(int version, db.user_version());
  if (version > schema_version) {
    return failed_precondition("Audit trail " + path + " has schema version " +
                               std::to_string(version) + "; this gridke understands up to " +
                               std::to_string(schema_version));
  }
  if (create) {
    if (auto r = db.exec(schema); !r) return r.error().with_context("audit trail " + path);
    GRIDKE_TRY(db.set_user_version(schema_version));
  } else if (version != schema_version) {
    return failed_precondition(path + " is not a GridKE audit trail (no audit schema)");
  }
  return db;
}

}  // namespace

std::string canonical_json(const AuditEntry& entry) { return entry_to_json(entry).dump(); }

AuditEntry AuditTrail::make_entry(const engine::ExchangeRecord& r) {
  AuditEntry e;
  e.start = security::format_utc(r.start);
  e.end = security::format_utc(r.end);
  e.requesting_knowledge_base = r.requester.knowledge_base;
  e.requesting_interaction = r.requester.knowledge_interaction;
  e.kind = std::string(ki::short_name(r.requester.kind));
  e.outcome = r.succeeded ? "succeeded" : "failed";
  if (!r.succeeded) e.outcome_detail = "sha256:" + security::sha256_hex(r.error_message);
  e.contacted.reserve(r.exchange_info.size());
  for (const auto& info : r.exchange_info) {
    ContactedKi c{info.knowledge_base_id,
                  info.knowledge_interaction_id,
                  info.status == engine::ExchangeStatus::succeeded ? "SUCCEEDED" : "FAILED",
                  {}};
    if (info.status == engine::ExchangeStatus::failed) {
      c.reason = info.failed_message.starts_with("access denied")
                     ? info.failed_message
                     : "sha256:" + security::sha256_hex(info.failed_message);
    }
    e.contacted.push_back(std::move(c));
  }
  e.request_digest = security::binding_set_digest(r.request_bindings);
  e.result_digest = security::binding_set_digest(r.result_bindings);
  return e;
}

struct AuditTrail::Private {
  AuditOptions options;
  storage::Database db;  // used by the writer thread only (and open())
  std::mutex mu;
  std::condition_variable wake;     // writer waits for work
  std::condition_variable drained;  // flush()/producers wait for progress
  std::deque<AuditEntry> queue;     // GUARDED_BY(mu)
  std::uint64_t queued_total = 0;   // GUARDED_BY(mu)
  std::uint64_t done_total = 0;     // GUARDED_BY(mu): written or failed
  std::uint64_t written = 0;        // GUARDED_BY(mu)
  std::optional<Error> error;       // GUARDED_BY(mu)
  bool stop = false;                // GUARDED_BY(mu)
  std::thread writer;

  Result<void> append(std::vector<AuditEntry>& batch) {
    GRIDKE_ASSIGN_OR_RETURN(auto tx, storage::Transaction::begin(db));
    // Read the chain's end inside the transaction, so that two writers never fork it.
    GRIDKE_ASSIGN_OR_RETURN(auto last,
                            db.prepare("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1"));
    std::int64_t seq = 0;
    std::string previous = genesis_hash;
    GRIDKE_ASSIGN_OR_RETURN(bool row, last.step());
    if (row) {
      seq = last.column_int(0);
      previous = last.column_text(1);
    }
    last.reset();
    GRIDKE_ASSIGN_OR_RETURN(
        auto insert,
        db.prepare("INSERT INTO audit (seq, entry, previous_hash, hash) VALUES (?1, ?2, ?3, ?4)"));
    for (auto& e : batch) {
      e.seq = ++seq;
      e.previous_hash = previous;
      std::string canonical = canonical_json(e);
      e.hash = chain_hash(previous, canonical);
      insert.bind(1, e.seq).bind(2, canonical).bind(3, e.previous_hash).bind(4, e.hash);
      GRIDKE_TRY(insert.run());
      previous = e.hash;
    }
    GRIDKE_ASSIGN_OR_RETURN(auto head,
                            db.prepare("INSERT INTO audit_head (id, seq, hash) VALUES (1, ?1, ?2) "
                                       "ON CONFLICT(id) DO UPDATE SET seq = excluded.seq, "
                                       "hash = excluded.hash"));
    head.bind(1, seq).bind(2, previous);
    GRIDKE_TRY(head.run());
    return tx.commit();
  }

  void run() {
    std::unique_lock lock(mu);
    for (;;) {
      wake.wait(lock, [this] { return stop || !queue.empty(); });
      if (queue.empty() && stop) return;
      std::vector<AuditEntry> batch;
      while (!queue.empty() && batch.size() < options.max_batch) {
        batch.push_back(std::move(queue.front()));
        queue.pop_front();
      }
      lock.unlock();
      auto r = append(batch);
      lock.lock();
      if (!r && !error) error = r.error().with_context("appending to the audit trail");
      if (r) written += batch.size();
      done_total += batch.size();
      drained.notify_all();
    }
  }
};

AuditTrail::AuditTrail(std::unique_ptr<Private> p) : p_(std::move(p)) {
  Private* raw = p_.get();
  p_->writer = std::thread([raw] { raw->run(); });
}

AuditTrail::~AuditTrail() {
  {
    std::lock_guard lock(p_->mu);
    p_->stop = true;
  }
  p_->wake.notify_all();
  if (p_->writer.joinable()) p_->writer.join();
}

Result<std::shared_ptr<AuditTrail>> AuditTrail::open(const std::string& path,
                                                     AuditOptions options) {
  if (options.max_batch == 0) return invalid_argument("AuditOptions.max_batch must be positive");
  auto p = std::make_unique<Private>();
  p->options = options;
  GRIDKE_ASSIGN_OR_RETURN(p->db, open_db(path, /*create=*/true));
  return std::shared_ptr<AuditTrail>(new AuditTrail(std::move(p)));
}

void AuditTrail::on_exchange(const engine::ExchangeRecord& record) {
  AuditEntry entry = make_entry(record);
  std::unique_lock lock(p_->mu);
  p_->drained.wait(lock, [this] { return p_->queue.size() < p_->options.max_queue; });
  p_->queue.push_back(std::move(entry));
  ++p_->queued_total;
  p_->wake.notify_one();
}

Result<void> AuditTrail::flush() {
  std::unique_lock lock(p_->mu);
  const std::uint64_t target = p_->queued_total;
  p_->drained.wait(lock, [&] { return p_->done_total >= target; });
  if (p_->error) {
    Error e = *p_->error;
    p_->error.reset();
    return e;
  }
  return ok();
}

std::uint64_t AuditTrail::written() const {
  std::lock_guard lock(p_->mu);
  return p_->written;
}

Result<std::vector<AuditEntry>> read_audit(const std::string& path) {
  GRIDKE_ASSIGN_OR_RETURN(auto db, open_db(path, /*create=*/false));
  GRIDKE_ASSIGN_OR_RETURN(
      auto s, db.prepare("SELECT seq, entry, previous_hash, hash FROM audit ORDER BY seq"));
  std::vector<AuditEntry> out;
  for (;;) {
    GRIDKE_ASSIGN_OR_RETURN(bool row, s.step());
    if (!row) break;
    const std::int64_t seq = s.column_int(0);
    GRIDKE_ASSIGN_OR_RETURN(auto e, entry_from_json(s.column_text(1), seq));
    e.seq = seq;
    e.previous_hash = s.column_text(2);
    e.hash = s.column_text(3);
    out.push_back(std::move(e));
  }
  return out;
}

Result<VerifyReport> verify_audit(const std::string& path,
                                  std::optional<std::string> expected_head) {
  GRIDKE_ASSIGN_OR_RETURN(auto db, open_db(path, /*create=*/false));
  GRIDKE_ASSIGN_OR_RETURN(
      auto s, db.prepare("SELECT seq, entry, previous_hash, hash FROM audit ORDER BY seq"));
  VerifyReport report;
  auto bad = [&](std::int64_t seq, std::string problem) {
    report.first_bad_seq = seq;
    report.problem = std::move(problem);
    return report;
  };
  std::int64_t expected_seq = 1;
  std::string previous = genesis_hash;
  for (;;) {
    GRIDKE_ASSIGN_OR_RETURN(bool row, s.step());
    if (!row) break;
    const std::int64_t seq = s.column_int(0);
    const std::string text = s.column_text(1);
    const std::string stored_previous = s.column_text(2);
    const std::string stored_hash = s.column_text(3);
    if (seq != expected_seq) {
      return bad(expected_seq, "entry " + std::to_string(expected_seq) +
                                   " was removed (the sequence jumps from " +
                                   std::to_string(expected_seq - 1) + " to " + std::to_string(seq) +
                                   ")");
    }
    if (stored_previous != previous) {
      return bad(seq, "entry " + std::to_string(seq) +
                          " does not link to the entry before it (previous hash " +
                          stored_previous.substr(0, 16) + "… expected " + previous.substr(0, 16) +
                          "…): an earlier entry was removed or replaced");
    }
    // The stored text must be canonical and carry its own seq: re-serialise and compare.
    auto parsed = entry_from_json(text, seq);
    if (!parsed || parsed->seq != seq || canonical_json(*parsed) != text ||
        chain_hash(previous, text) != stored_hash) {
      return bad(seq, "entry " + std::to_string(seq) +
                          " was altered: its content no longer matches its hash " +
                          stored_hash.substr(0, 16) + "…");
    }
    previous = stored_hash;
    report.entries = seq;
    ++expected_seq;
  }
  report.head_hash = report.entries > 0 ? previous : std::string();
  GRIDKE_ASSIGN_OR_RETURN(auto head, db.prepare("SELECT seq, hash FROM audit_head WHERE id = 1"));
  GRIDKE_ASSIGN_OR_RETURN(bool has_head, head.step());
  if (has_head) {
    const std::int64_t head_seq = head.column_int(0);
    const std::string head_hash = head.column_text(1);
    if (head_seq > report.entries) {
      return bad(report.entries + 1, "entries " + std::to_string(report.entries + 1) + " to " +
                                         std::to_string(head_seq) +
                                         " were removed (the head records entry " +
                                         std::to_string(head_seq) + ")");
    }
    if (head_seq != report.entries || head_hash != previous) {
      return bad(report.entries, "the head record (entry " + std::to_string(head_seq) +
                                     ") does not match the last entry " +
                                     std::to_string(report.entries));
    }
  } else if (report.entries > 0) {
    return bad(report.entries, "the head record is missing");
  }
  if (expected_head && *expected_head != report.head_hash) {
    return bad(report.entries, "the last entry's hash " + report.head_hash.substr(0, 16) +
                                   "… is not the expected head " + expected_head->substr(0, 16) +
                                   "…: trailing entries were removed or the trail was replaced");
  }
  return report;
}

Result<void> export_jsonl(const std::string& path, std::ostream& out) {
  GRIDKE_ASSIGN_OR_RETURN(auto entries, read_audit(path));
  for (const auto& e : entries) {
    Json j = entry_to_json(e);
    j["previousHash"] = e.previous_hash;
    j["hash"] = e.hash;
    out << j.dump() << '\n';
  }
  if (!out) return unavailable("Cannot write the audit export");
  return ok();
}

}  // namespace gridke::audit
