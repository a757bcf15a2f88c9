#pragma once
// EmbeddedEngine: the in-process KnowledgeEngine. It matches knowledge interactions by their
// graph patterns the way the TNO Knowledge Engine 1.5 does (levels 1 and 2: NOTES §2.2) and
// routes bindings between knowledge bases with the exchange semantics of NOTES §2.2–§2.4:
// a KB never receives its own ASK/POST; communicative acts must fit both ways; results are
// unioned and de-duplicated; one ExchangeInfo per contacted KI, in that KI's variable names; a
// handler error, an invalid answer or a missed deadline makes that KI FAILED while the exchange
// as a whole succeeds. See docs/engine.md.
//
// Thread safety: every method may be called from any thread, also from inside a handler.
// Handlers and completion callbacks run on the engine's bounded handler pool, never on the
// caller's thread. No global state: engines are independent.
// Ownership: the engine copies KI definitions and handlers. Destroying the engine completes
// every pending exchange (unanswered KIs FAILED), waits for running handlers, and drops late
// replies safely (a Reply may outlive the engine).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "gridke/engine/explain.hpp"
#include "gridke/engine/knowledge_engine.hpp"
#include "gridke/engine/metadata.hpp"
#include "gridke/engine/policy.hpp"

namespace gridke::engine {

namespace detail {
struct EngineCore;
}

class EmbeddedEngine final : public KnowledgeEngine {
 public:
  struct Options {
    /// Deadline of an ASK/POST without its own (the KE's ke.kb.wait.timeout, 10 s). Zero or
    /// negative means no deadline (as the KE's 0).
    std::chrono::milliseconds default_deadline{10'000};
    /// Worker threads that run handlers and callbacks (the KE's KE_THREADPOOL_SIZE is 12).
    std::size_t handler_threads = 8;
    /// Check ANSWER/REACT output against the incoming bindings (the KE's
    /// sc.validate.outgoing.bindings.wrt.incoming.bindings, default true).
    bool validate_reactive_output = true;
    /// Hard cap on candidate combinations per planning step (matches per KI, cover-search
    /// steps); past it the ASK/POST fails with failed_precondition instead of stalling.
    std::size_t max_combinations = 100'000;
    /// How many REACT KIs deep a chain may go (backward for ASK, forward for POST).
    int max_chain_depth = 4;
    /// Access control (policy.hpp): asked once per candidate KI of each call; a denied
    /// candidate is not contacted and shows as FAILED "access denied: <reason>". Null: allow all.
    std::shared_ptr<ExchangePolicy> policy;
    /// Audit (policy.hpp): told of every finished ask/post, before the caller's callback.
    std::shared_ptr<ExchangeObserver> observer;
    /// Reuse plans per (KI, recipients, network version). Off: plan on every call, as the KE
    /// does (for measuring the cache's gain; NOTES §6, TNO issue #544).
    bool cache_plans = true;
    /// Tell user REACT KIs on the meta pattern about new, changed and removed KBs (NOTES §2.5).
    bool post_metadata = true;
  };

  EmbeddedEngine();
  explicit EmbeddedEngine(Options options);
  ~EmbeddedEngine() override;
  EmbeddedEngine(const EmbeddedEngine&) = delete;
  EmbeddedEngine& operator=(const EmbeddedEngine&) = delete;

  Result<void> create_knowledge_base(const KnowledgeBaseInfo& info) override;
  Result<void> delete_knowledge_base(std::string_view kb) override;
  Result<std::vector<KnowledgeBaseInfo>> knowledge_bases() const override;

  using KnowledgeEngine::register_ki;
  Result<KiId> register_ki(std::string_view kb, const ki::KnowledgeInteraction& ki,
                           Handler handler = nullptr, HandlerOptions options = {}) override;
  Result<void> unregister_ki(std::string_view kb, std::string_view ki) override;
  Result<std::vector<RegisteredKi>> knowledge_interactions(std::string_view kb) const override;

  void ask_async(std::string_view kb, std::string_view ki, pattern::BindingSet bindings,
                 CallOptions options, AskCallback done) override;
  void post_async(std::string_view kb, std::string_view ki, pattern::BindingSet bindings,
                  CallOptions options, PostCallback done) override;

  /// Replaces the domain knowledge of a KB (POST /sc/knowledge; domain_knowledge.hpp); an empty
  /// text clears it. Used by that KB's own ASK/POST at level >= 2. Errors: not_found (unknown
  /// KB), invalid_argument ("The provided domain knowledge should parse correctly: ...").
  Result<void> set_domain_knowledge(std::string_view kb, std::string_view rules) override;
  /// The domain knowledge of a KB as last set (the runtime default until then).
  Result<std::string> domain_knowledge(std::string_view kb) const;
  /// Runtime-wide default domain knowledge (the KE's ke.domain.knowledge.path): every KB created
  /// afterwards starts with it. Errors as set_domain_knowledge().
  Result<void> set_default_domain_knowledge(std::string_view rules);

  /// What an ASK/POST of this KI would do now (explain.hpp): the KIs and rules it would contact,
  /// how variables map, near misses with reasons and knowledge gaps. Does not contact anybody.
  /// Errors: as ask_async() for the KB and KI, planning errors (combination bound).
  Result<PlanExplanation> explain(std::string_view kb, std::string_view ki,
                                  const RecipientSelector& recipients = {}) const override;

  /// Increases on every change of a KB or KI; cached plans are valid for one version.
  std::uint64_t network_version() const;
  /// Number of plans built so far (cache misses); lets tests see that plans are reused.
  std::uint64_t plans_built() const;
  const Options& options() const noexcept;

 private:
  // Posts a KB's metadata from its meta POST KI `which` to the REACT KIs it reaches.
  void post_metadata(const KnowledgeBaseInfo& kb, const std::vector<RegisteredKi>& kis,
                     meta::MetaKi which);

  std::shared_ptr<detail::EngineCore> core_;
};

/// Checks a knowledge-base id the way the KE's POST /sc does (NOTES §1.4): empty → "Knowledge
/// Base ID must be a non-empty URI."; anything but an absolute IRI with a scheme (a relative
/// reference, spaces or other characters IRIs forbid, `https://` without a host) →
/// "Knowledge base ID must be a valid RDF IRI. ...". Errors: invalid_argument.
Result<void> validate_knowledge_base_id(std::string_view id);

}  // namespace gridke::engine
