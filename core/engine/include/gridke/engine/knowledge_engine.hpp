#pragma once
// KnowledgeEngine: the one interface SSAs program against (ARCHITECTURE.md "Engines").
// Implementations: EmbeddedEngine (in-process), RemoteEngine (REST client of a KE runtime).
// Thread safety: internally synchronised; every method may be called from any thread,
// including from inside a handler.

#include <string_view>
#include <vector>

#include "gridke/base/result.hpp"
#include "gridke/engine/exchange.hpp"
#include "gridke/engine/explain.hpp"

namespace gridke::engine {

class KnowledgeEngine {
 public:
  virtual ~KnowledgeEngine() = default;

  /// Creates a knowledge base. Errors: invalid_argument (empty or invalid IRI: TNO messages
  /// "Knowledge Base ID must be a non-empty URI." / "Knowledge base ID must be a valid RDF
  /// IRI. ..."; reasoner level outside 1..5), already_exists ("That knowledge base ID is
  /// already in use.").
  virtual Result<void> create_knowledge_base(const KnowledgeBaseInfo& info) = 0;

  /// Deletes a KB and its KIs; pending handle requests to it fail. Errors: not_found.
  virtual Result<void> delete_knowledge_base(std::string_view kb) = 0;

  /// The KBs of this runtime (for RemoteEngine: of the server).
  virtual Result<std::vector<KnowledgeBaseInfo>> knowledge_bases() const = 0;

  /// Registers a KI and returns its id (`<kb>/interaction/<name|uuid>`). ANSWER and REACT KIs
  /// need a handler; ASK and POST KIs must not have one. Errors: not_found (unknown KB),
  /// invalid_argument (KnowledgeInteraction::validate(), missing handler), already_exists
  /// (duplicate name: "The Knowledge Interaction with URI '<id>' should not be already
  /// registered."). `options` says how the handler may be called (HandlerOptions).
  virtual Result<KiId> register_ki(std::string_view kb, const ki::KnowledgeInteraction& ki,
                                   Handler handler = nullptr, HandlerOptions options = {}) = 0;

  /// Convenience: wraps a synchronous handler.
  Result<KiId> register_ki(std::string_view kb, const ki::KnowledgeInteraction& ki,
                           SyncHandler handler);

  /// Errors: not_found (unknown KB or KI).
  virtual Result<void> unregister_ki(std::string_view kb, std::string_view ki) = 0;

  /// The KIs a KB registered (not meta KIs). Errors: not_found.
  virtual Result<std::vector<RegisteredKi>> knowledge_interactions(std::string_view kb) const = 0;

  /// Starts an ASK; `done` is called exactly once, on an engine thread. Errors given to `done`:
  /// not_found (KB or KI), invalid_argument (not an ASK KI: "Given Knowledge Interaction ID
  /// should have type AskKnowledgeInteraction and not PostKnowledgeInteraction.").
  virtual void ask_async(std::string_view kb, std::string_view ki, pattern::BindingSet bindings,
                         CallOptions options, AskCallback done) = 0;
  /// Starts a POST; as ask_async.
  virtual void post_async(std::string_view kb, std::string_view ki, pattern::BindingSet bindings,
                          CallOptions options, PostCallback done) = 0;

  /// Replaces a KB's domain knowledge (Jena rules subset, domain_knowledge.hpp; the KE's
  /// POST /sc/knowledge). Engines without reasoning over rules return unimplemented.
  virtual Result<void> set_domain_knowledge(std::string_view kb, std::string_view rules) {
    (void)kb;
    (void)rules;
    return Error(ErrorCode::unimplemented,
                 "this knowledge engine does not accept domain knowledge");
  }

  /// The plan an ASK/POST of a KI would run, with near misses (explain.hpp). Engines that cannot
  /// explain return unimplemented.
  virtual Result<PlanExplanation> explain(std::string_view kb, std::string_view ki,
                                          const RecipientSelector& recipients = {}) const {
    (void)kb;
    (void)ki;
    (void)recipients;
    return Error(ErrorCode::unimplemented, "this knowledge engine cannot explain its plans");
  }

  /// Blocking forms of ask_async/post_async. REQUIRES: not called from a handler thread of
  /// the same engine when that could starve its pool (use the async forms there).
  Result<AskResult> ask(std::string_view kb, std::string_view ki, pattern::BindingSet bindings = {},
                        CallOptions options = {});
  Result<PostResult> post(std::string_view kb, std::string_view ki, pattern::BindingSet bindings,
                          CallOptions options = {});
};

}  // namespace gridke::engine
