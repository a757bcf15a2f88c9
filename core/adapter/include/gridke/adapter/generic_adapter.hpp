#pragma once
// GenericAdapter: hosts one SSA on any KnowledgeEngine. start() creates the SSA's knowledge
// base and registers one KI per contract it names (kind, pattern, prefixes and act from the
// contract file); ask()/post() let SSA code call its ASK/POST contracts by name; stop() — or
// the destructor — unregisters the KIs and deletes the knowledge base. Reconnecting to a
// remote runtime is the RemoteEngine's job, not this class's.
// Thread safety: internally synchronised; ask()/post() may run concurrently with each other,
// with handlers and with stop().
// Ownership: keeps copies of the contracts it uses; the engine must outlive the adapter.

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gridke/adapter/contract.hpp"
#include "gridke/adapter/ssa.hpp"
#include "gridke/base/result.hpp"
#include "gridke/engine/exchange.hpp"
#include "gridke/engine/knowledge_engine.hpp"

namespace gridke::adapter {

class GenericAdapter {
 public:
  /// Puts `ssa` on `engine`: checks every use against `contracts`, creates the knowledge base
  /// and registers the KIs in declaration order. On any error, what was already registered
  /// is removed again. Errors: not_found (a contract name not in `contracts`, the message lists
  /// the loaded names), invalid_argument (the use's kind differs from the contract's kind, a
  /// contract used twice, an ANSWER/REACT without a handler), and the engine's errors from
  /// create_knowledge_base()/register_ki() with the contract name as context.
  /// REQUIRES: `engine` outlives the returned adapter.
  static Result<std::unique_ptr<GenericAdapter>> start(engine::KnowledgeEngine& engine,
                                                       const ContractSet& contracts, Ssa ssa);

  /// Calls stop(); errors are dropped (the knowledge base may already be gone).
  ~GenericAdapter();
  GenericAdapter(const GenericAdapter&) = delete;
  GenericAdapter& operator=(const GenericAdapter&) = delete;

  /// Unregisters every KI and deletes the knowledge base. Idempotent: a second call does
  /// nothing. Returns the first engine error (after trying every step).
  Result<void> stop();
  bool is_running() const;

  /// Asks through the ASK contract `contract` (declared with Ssa::ask()). Errors:
  /// failed_precondition (stopped), not_found / invalid_argument (not an ASK contract of this
  /// SSA), invalid_argument (a binding key is not a variable of the pattern), and engine
  /// errors; each with "contract '<name>'" as context. Peers that fail are FAILED entries in
  /// the result's exchange info, not errors.
  Result<engine::AskResult> ask(std::string_view contract, pattern::BindingSet bindings = {},
                                engine::CallOptions options = {});
  /// Posts through the POST contract `contract`; as ask().
  Result<engine::PostResult> post(std::string_view contract, pattern::BindingSet bindings,
                                  engine::CallOptions options = {});

  /// The registered KI id of a contract of this SSA, or nullopt.
  std::optional<engine::KiId> ki_id(std::string_view contract) const;
  const engine::KnowledgeBaseInfo& knowledge_base() const noexcept { return knowledge_base_; }
  /// The contract of a KI this SSA registered, or nullptr.
  const Contract* contract(std::string_view name) const;

 private:
  struct Registration {
    std::shared_ptr<const Contract> contract;
    engine::KiId ki_id;
  };

  GenericAdapter(engine::KnowledgeEngine& engine, engine::KnowledgeBaseInfo kb);
  Result<const Registration*> proactive(std::string_view contract, ki::KiKind kind) const;

  engine::KnowledgeEngine& engine_;
  const engine::KnowledgeBaseInfo knowledge_base_;
  std::vector<Registration> registrations_;  // fixed after start()
  mutable std::mutex mutex_;
  bool running_ = false;  // guarded by mutex_
};

}  // namespace gridke::adapter
