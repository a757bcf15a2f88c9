#pragma once
// AuditTrail: the append-only, hash-chained record of every knowledge exchange (README
// "Security", D4.3 Table 3 "repudiation"/"traceability"), kept in SQLite and fed by the engine
// as an engine::ExchangeObserver. docs/security.md "Audit trail".
//
// One entry per finished ASK/POST: start and end time, the requesting KB and KI, the kind, each
// contacted KI with its status (and, for access denials, the reason), the outcome, and SHA-256
// digests of the canonical request and result binding sets. No binding values and no free-text
// peer messages are stored (they may carry personal data): a failure message is kept only as
// its digest, except "access denied: …" reasons, which the engine writes itself.
//
// Chain: entry n stores hash_n = SHA-256(hash_{n-1} "\n" canonical-JSON(entry n)), hash_0 = 64
// zeros; a one-row head table repeats the last (seq, hash). SQLite triggers refuse UPDATE and
// DELETE; verify_audit() finds entries altered or removed behind the triggers' back (see there).
//
// on_exchange() only computes the digests and queues the entry; a writer thread appends queued
// entries in batches, one transaction (one fsync) per batch, so exchanges do not wait for the
// disk. flush() waits until everything queued is written.
//
// Thread safety: internally synchronised; on_exchange() may run on any number of threads.
// Ownership: owns its database connection and writer thread; the destructor flushes.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "gridke/base/result.hpp"
#include "gridke/engine/policy.hpp"

namespace gridke::audit {

/// One contacted KI as recorded.
struct ContactedKi {
  std::string knowledge_base;
  std::string knowledge_interaction;
  std::string status;  ///< "SUCCEEDED" | "FAILED"
  /// "access denied: …" verbatim; other failures as "sha256:<digest of the message>"; "" when
  /// succeeded.
  std::string reason;
};

/// One audit entry, as appended (seq and hashes filled by the writer).
struct AuditEntry {
  std::int64_t seq = 0;
  std::string start;  ///< ISO 8601 UTC, milliseconds
  std::string end;
  std::string requesting_knowledge_base;
  std::string requesting_interaction;
  std::string kind;            ///< "ASK" | "POST"
  std::string outcome;         ///< "succeeded" | "failed"
  std::string outcome_detail;  ///< "" or "sha256:<digest of the error message>"
  std::vector<ContactedKi> contacted;
  std::string request_digest;  ///< binding_set_digest of what the requester sent
  std::string result_digest;   ///< of the answers (ASK) / results (POST)
  std::string previous_hash;
  std::string hash;
};

/// The canonical JSON text of an entry's content (everything but the hashes), as hashed.
std::string canonical_json(const AuditEntry& entry);

struct AuditOptions {
  std::size_t max_batch = 512;  ///< entries per transaction
  /// Queued entries beyond this make on_exchange() wait for the writer (back-pressure).
  std::size_t max_queue = 100'000;
};

class AuditTrail final : public engine::ExchangeObserver {
 public:
  /// Opens or creates the trail and starts the writer. Errors: unavailable (cannot open,
  /// naming the path), failed_precondition (not a database or a newer schema).
  static Result<std::shared_ptr<AuditTrail>> open(const std::string& path,
                                                  AuditOptions options = {});
  ~AuditTrail() override;
  AuditTrail(const AuditTrail&) = delete;
  AuditTrail& operator=(const AuditTrail&) = delete;

  void on_exchange(const engine::ExchangeRecord& record) override;

  /// Waits until every entry queued before the call is on disk. Returns the first write error
  /// since the last flush (the entries of a failed batch are lost and reported here).
  Result<void> flush();
  /// Entries appended by this process so far.
  std::uint64_t written() const;

  /// The entry on_exchange() would queue (exposed for tests and benchmarks).
  static AuditEntry make_entry(const engine::ExchangeRecord& record);

  struct Private;  // the writer's state (audit_trail.cpp)

 private:
  explicit AuditTrail(std::unique_ptr<Private> p);
  std::unique_ptr<Private> p_;
};

/// Reads every entry in sequence order. Errors: unavailable, failed_precondition (not an audit
/// trail), parse_error (an entry that is not JSON, naming its seq).
Result<std::vector<AuditEntry>> read_audit(const std::string& path);

/// Result of verify_audit(): `problem` empty when the chain is intact.
struct VerifyReport {
  std::int64_t entries = 0;
  std::string head_hash;  ///< hash of the last entry (record it elsewhere to detect truncation)
  std::int64_t first_bad_seq = 0;
  std::string problem;
  bool intact() const { return problem.empty(); }
};

/// Recomputes the chain. Detects: an altered entry (its content no longer gives its hash), a
/// removed entry (a gap in the sequence, or a previous-hash link that does not match), removed
/// trailing entries (the head names a later entry) and a head that was rewritten without
/// `expected_head`, when given, matching. Errors only when the file cannot be read.
Result<VerifyReport> verify_audit(const std::string& path,
                                  std::optional<std::string> expected_head = std::nullopt);

/// Writes the entries as JSON lines (one object per line, the hashes included).
Result<void> export_jsonl(const std::string& path, std::ostream& out);
/// Writes the entries as PROV-O Turtle: each exchange a prov:Activity associated with the
/// requesting KB (prov:Agent), with one qualified association per contacted KI.
Result<void> export_prov(const std::string& path, std::ostream& out);

}  // namespace gridke::audit
