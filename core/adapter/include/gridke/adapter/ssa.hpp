#pragma once
// Ssa: the declaration of a service-specific adapter — the knowledge base it appears as, the
// contracts (KIs, by name) it implements, and its handlers. GenericAdapter::start() puts it on
// an engine. An SSA maps one service's C++ API to bindings with the codecs of codec.hpp.
// Thread safety: an Ssa is a plain value built on one thread; its handlers are called from
// engine threads, possibly concurrently, so they must be thread-safe themselves.

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "gridke/adapter/codec.hpp"
#include "gridke/adapter/contract.hpp"
#include "gridke/base/result.hpp"
#include "gridke/engine/exchange.hpp"
#include "gridke/pattern/binding.hpp"

namespace gridke::adapter {

/// What an ANSWER or REACT handler receives: the contract it was registered for and the
/// engine's request. References are valid only during the handler call; an asynchronous
/// handler copies what it needs before returning.
struct Request {
  const Contract& contract;
  const engine::HandleRequest& exchange;

  /// ANSWER: the ask bindings in this contract's variables (empty = unconstrained).
  /// REACT: the argument bindings.
  const pattern::BindingSet& bindings() const noexcept { return exchange.bindings; }
  /// The knowledge base that asked or posted.
  const engine::KbId& requesting_kb() const noexcept { return exchange.requesting_kb; }

  /// adapter::get() with this contract's name in errors ("KI <name>, variable ?v").
  template <Codec C>
  Result<typename C::value_type> get(const pattern::Binding& binding, std::string_view var,
                                     const C& codec) const {
    return adapter::get(binding, var, codec, contract.name);
  }
  /// adapter::put() with this contract's name in errors.
  template <Codec C>
  Result<void> put(pattern::Binding& binding, std::string_view var,
                   const typename C::value_type& value, const C& codec) const {
    return adapter::put(binding, var, value, codec, contract.name);
  }
};

/// A synchronous ANSWER/REACT handler: returns the answer bindings (ANSWER, complete for the
/// pattern) or the result bindings (REACT; empty when the contract has no result pattern).
/// An Error or a thrown exception makes this KI FAILED in the asker's exchange info; the
/// exchange itself goes on (ARCHITECTURE.md "Engines").
using Handler = std::function<Result<pattern::BindingSet>(const Request&)>;
/// An asynchronous handler: must return quickly and call `reply` exactly once, from any
/// thread, when done (long work runs elsewhere). See engine::Reply.
using AsyncHandler = std::function<void(const Request&, engine::Reply reply)>;

/// The declaration of one SSA.
class Ssa {
 public:
  /// One contract the SSA implements.
  struct Use {
    std::string contract;
    ki::KiKind kind;
    Handler handler;             ///< ANSWER/REACT, synchronous form
    AsyncHandler async_handler;  ///< ANSWER/REACT, asynchronous form
  };

  /// `knowledge_base.id` must be an IRI unique on the engine.
  explicit Ssa(engine::KnowledgeBaseInfo knowledge_base)
      : knowledge_base_(std::move(knowledge_base)) {}
  /// Shorthand for a knowledge base with default lease and reasoner level.
  Ssa(std::string id, std::string name, std::string description = {}) {
    knowledge_base_.id = std::move(id);
    knowledge_base_.name = std::move(name);
    knowledge_base_.description = std::move(description);
  }

  /// Declares an ASK contract the SSA will call with GenericAdapter::ask().
  Ssa& ask(std::string contract) { return add({std::move(contract), ki::KiKind::ask, {}, {}}); }
  /// Declares a POST contract the SSA will call with GenericAdapter::post().
  Ssa& post(std::string contract) { return add({std::move(contract), ki::KiKind::post, {}, {}}); }
  /// Implements an ANSWER contract.
  Ssa& answer(std::string contract, Handler handler) {
    return add({std::move(contract), ki::KiKind::answer, std::move(handler), {}});
  }
  Ssa& answer_async(std::string contract, AsyncHandler handler) {
    return add({std::move(contract), ki::KiKind::answer, {}, std::move(handler)});
  }
  /// Implements a REACT contract.
  Ssa& react(std::string contract, Handler handler) {
    return add({std::move(contract), ki::KiKind::react, std::move(handler), {}});
  }
  Ssa& react_async(std::string contract, AsyncHandler handler) {
    return add({std::move(contract), ki::KiKind::react, {}, std::move(handler)});
  }

  const engine::KnowledgeBaseInfo& knowledge_base() const noexcept { return knowledge_base_; }
  /// In declaration order.
  const std::vector<Use>& uses() const noexcept { return uses_; }

 private:
  Ssa& add(Use use) {
    uses_.push_back(std::move(use));
    return *this;
  }

  engine::KnowledgeBaseInfo knowledge_base_;
  std::vector<Use> uses_;
};

}  // namespace gridke::adapter
