#pragma once
// The values one knowledge exchange produces and consumes: handle requests for reactive
// knowledge bases, exchange info, ask and post results, recipient selection, call options.
// Thread safety: plain value types.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "gridke/base/result.hpp"
#include "gridke/ki/knowledge_interaction.hpp"
#include "gridke/pattern/binding.hpp"
#include "gridke/pattern/graph_pattern.hpp"

namespace gridke::engine {

using KbId = std::string;  ///< A knowledge-base IRI, without angle brackets.
using KiId = std::string;  ///< A knowledge-interaction IRI, `<kb>/interaction/<name|uuid>`.
using Clock = std::chrono::system_clock;

/// A knowledge base as registered (the KE REST `SmartConnector`).
struct KnowledgeBaseInfo {
  KbId id;
  std::string name;
  std::string description;
  /// Lease in seconds (30..3600) when the KB must renew; nullopt = no lease.
  std::optional<int> lease_renewal_time_s;
  /// Matching level 1..5 for this KB's own ASK/POST (default 2, NOTES §2.2).
  int reasoner_level = 2;
};

/// A registered knowledge interaction with its id.
struct RegisteredKi {
  KiId id;
  ki::KnowledgeInteraction definition;
};

/// What an ANSWER or REACT handler receives.
struct HandleRequest {
  KiId ki_id;          ///< the handler's own KI
  ki::KiKind kind;     ///< answer or react
  KbId requesting_kb;  ///< the asking/posting KB
  KiId requesting_ki;  ///< the asking/posting KI
  /// ANSWER: the ask bindings renamed to this KI's variables (may be empty: unconstrained).
  /// REACT: the argument bindings in this KI's variables.
  pattern::BindingSet bindings;
};

/// Completes one handle request: call exactly once, from any thread. An Error makes this
/// KI's exchange FAILED with the error message ("An error occurred while ANSWERing: <msg>").
using Reply = std::function<void(Result<pattern::BindingSet>)>;
/// An asynchronous ANSWER/REACT handler. It must not block for long: long work goes to another
/// thread, which calls `reply` when done.
using Handler = std::function<void(const HandleRequest&, Reply reply)>;
/// A synchronous handler; a thrown exception or an Error marks the exchange FAILED.
using SyncHandler = std::function<Result<pattern::BindingSet>(const HandleRequest&)>;

/// How an engine calls a handler.
struct HandlerOptions {
  /// The handler never blocks: it only hands the request on (to a queue, a socket, another
  /// thread) and returns at once. EmbeddedEngine then calls it on the thread that starts the
  /// exchange instead of on a handler thread, which saves two thread switches per call (the
  /// KE REST server's handlers for REST knowledge bases are so). A handler that blocks with
  /// this set stalls the asker's thread. RemoteEngine ignores it (RemoteEngineOptions::
  /// handler_threads decides there).
  bool never_blocks = false;
};

enum class ExchangeStatus : std::uint8_t { succeeded, failed };
enum class Initiator : std::uint8_t { knowledge_base, reasoner };

/// One entry per contacted KI (not per KB), NOTES §2.2.
struct ExchangeInfo {
  Initiator initiator = Initiator::knowledge_base;
  KbId knowledge_base_id;
  KiId knowledge_interaction_id;
  Clock::time_point exchange_start;
  Clock::time_point exchange_end;
  ExchangeStatus status = ExchangeStatus::succeeded;
  std::string failed_message;  ///< empty unless FAILED
  /// ASK: the bindings the KI answered. POST: the argument bindings it received. Both in the
  /// contacted KI's variable names.
  pattern::BindingSet bindings;
  /// POST only: the result bindings it returned, in its variable names.
  pattern::BindingSet result_bindings;
};

/// Alternative sets of triple patterns whose supply would let an ASK succeed (NOTES §2.6).
using KnowledgeGap = std::vector<pattern::TriplePattern>;

struct AskResult {
  pattern::BindingSet bindings;
  std::vector<ExchangeInfo> exchange_info;
  /// Present only when the ASK KI has knowledge_gaps_enabled.
  std::optional<std::vector<KnowledgeGap>> knowledge_gaps;
};

struct PostResult {
  pattern::BindingSet result_bindings;
  std::vector<ExchangeInfo> exchange_info;
};

/// Which knowledge bases an ASK/POST may reach. Empty = all (the KE accepts `[]`).
struct RecipientSelector {
  std::vector<KbId> knowledge_bases;
};

struct CallOptions {
  RecipientSelector recipients;
  /// Per-call deadline; nullopt = the engine's default (10 s, the KE's ke.kb.wait.timeout).
  /// A KI that has not answered by then is FAILED; the call still succeeds with the others.
  std::optional<std::chrono::milliseconds> deadline;
  /// The callback never blocks (it hands the result on and returns). EmbeddedEngine then runs
  /// it on the thread that completes the exchange — the one whose reply came last, or the
  /// deadline timer — instead of handing it to a handler thread. RemoteEngine ignores it.
  bool callback_never_blocks = false;
};

using AskCallback = std::function<void(Result<AskResult>)>;
using PostCallback = std::function<void(Result<PostResult>)>;

}  // namespace gridke::engine
