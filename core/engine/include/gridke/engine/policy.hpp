#pragma once
// Hooks an EmbeddedEngine calls around routing, for access control and traceability
// (README "Security"): an ExchangePolicy decides, before any binding is sent, whether a
// requesting KI may reach a candidate KI; an ExchangeObserver sees every finished ASK/POST.
// Implementations live in core/security (ACLs) and core/audit (the hash-chained trail).
//
// Contract with the engine (EmbeddedEngine::Options::policy / ::observer):
// - may_contact() is called once per candidate KI while planning a call (also for
//   REACT converters in a chain). A denial removes the candidate from the plan and adds an
//   ExchangeInfo entry for it with status FAILED and failed_message "access denied: <reason>"
//   — never a silent drop. A call whose every candidate is denied still succeeds, with no
//   bindings.
// - on_exchange() is called once per finished ask/post (after the result is known, before the
//   caller's callback), from an engine thread. It must not block for long and must not call
//   back into the engine.
// Thread safety: both are called concurrently from engine threads; implementations must be
// thread-safe. Ownership: the engine holds them by shared_ptr.

#include <memory>
#include <string>
#include <vector>

#include "gridke/base/result.hpp"
#include "gridke/engine/exchange.hpp"

namespace gridke::engine {

/// One side of an exchange as the policy sees it.
struct KiRef {
  KbId knowledge_base;
  KiId knowledge_interaction;
  std::string name;  ///< the KI's name (the contract name for SSAs), may be empty
  ki::KiKind kind;
};

class ExchangePolicy {
 public:
  virtual ~ExchangePolicy() = default;
  /// ok() to allow; permission_denied with the reason to deny.
  virtual Result<void> may_contact(const KiRef& requester, const KiRef& candidate) const = 0;
};

/// A finished exchange as reported to observers.
struct ExchangeRecord {
  KiRef requester;
  Clock::time_point start;
  Clock::time_point end;
  /// The caller's result: ok, or the error the ask/post returned.
  bool succeeded = true;
  std::string error_message;
  pattern::BindingSet request_bindings;  ///< what the requester sent (ASK may be empty)
  pattern::BindingSet result_bindings;   ///< ASK answers / POST results
  std::vector<ExchangeInfo> exchange_info;
};

class ExchangeObserver {
 public:
  virtual ~ExchangeObserver() = default;
  virtual void on_exchange(const ExchangeRecord& record) = 0;
};

}  // namespace gridke::engine
