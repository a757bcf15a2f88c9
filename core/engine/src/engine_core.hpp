#pragma once
// Private state of EmbeddedEngine: the network snapshot (KBs and KIs), plans, and the core that
// owns the handler pool and the deadline timer.
// Thread safety: Network and plans are immutable once published and shared by shared_ptr;
// EngineCore guards its mutable members with its own mutexes (documented per member).

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "gridke/engine/embedded_engine.hpp"
#include "gridke/pattern/match.hpp"
#include "gridke/pattern/plan.hpp"
#include "thread_pool.hpp"
#include "timer_queue.hpp"

namespace gridke::engine::detail {

/// A registered KI with its patterns compiled for matching. Immutable.
struct KiEntry {
  KiId id;
  KbId kb;
  ki::KnowledgeInteraction definition;
  Handler handler;
  /// HandlerOptions::never_blocks: called on the thread that dispatches, not on the pool.
  bool handler_never_blocks = false;
  /// ASK/ANSWER: the graph pattern; POST/REACT: the argument pattern (if any).
  std::optional<pattern::CompiledPattern> pattern;
  /// POST/REACT: the result pattern (if any).
  std::optional<pattern::CompiledPattern> result;
  /// An engine-made meta KI (NOTES §2.5): reachable only by KIs with includeMetaKIs.
  bool meta = false;
  /// A domain rule or fact of the proactive KB (NOTES §2.7): run in-process, never shown in
  /// exchange info, not subject to the policy or to communicative acts.
  bool rule = false;
  ki::KiKind kind() const noexcept { return definition.kind; }
};
using KiPtr = std::shared_ptr<const KiEntry>;

/// The policy's and observer's view of a KI.
inline KiRef ki_ref(const KiEntry& ki) {
  return KiRef{ki.kb, ki.id, ki.definition.name, ki.kind()};
}

/// The domain knowledge of one KB: facts as ANSWER-like entries (handler answers `[{}]`),
/// rules as REACT-like converters (argument = body, result = head). Immutable.
struct RuleBase {
  std::string text;  ///< as given
  std::vector<KiPtr> facts;
  std::vector<KiPtr> rules;
  pattern::PatternIndex fact_index;        ///< ids into facts
  pattern::PatternIndex consequent_index;  ///< ids into rules
  pattern::PatternIndex antecedent_index;  ///< ids into rules
};
using RuleBasePtr = std::shared_ptr<const RuleBase>;

/// Parses rules for `kb` (domain_knowledge.hpp). Errors as parse_domain_knowledge().
Result<RuleBasePtr> build_rule_base(const KbId& kb, std::string_view text);

struct KbEntry {
  KnowledgeBaseInfo info;
  std::vector<KiPtr> kis;  ///< in registration order
  KiPtr meta_answer;       ///< the KB's meta ANSWER KI (answers from the current network)
  RuleBasePtr knowledge;   ///< domain knowledge; null = none
};
using KbPtr = std::shared_ptr<const KbEntry>;

/// Hash for string-keyed maps looked up by string_view (no temporary std::string).
struct StringKeyHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view key) const noexcept {
    return std::hash<std::string_view>{}(key);
  }
};

/// One immutable version of the network. A change publishes a new snapshot.
struct Network {
  std::uint64_t version = 0;
  std::map<KbId, KbPtr, std::less<>> kbs;
  std::unordered_map<KiId, KiPtr, StringKeyHash, std::equal_to<>> kis;  ///< by id
  std::vector<KiPtr> answers;            ///< ANSWER KIs; ids of answer_index
  std::vector<KiPtr> reacts;             ///< REACT KIs; ids of the react indices
  std::vector<KiPtr> meta_answers;       ///< every KB's meta ANSWER KI
  pattern::PatternIndex answer_index;    ///< ANSWER graph patterns
  pattern::PatternIndex result_index;    ///< REACT result patterns
  pattern::PatternIndex argument_index;  ///< REACT argument patterns
};
using NetworkPtr = std::shared_ptr<const Network>;

/// Builds a snapshot from KBs (indices included).
NetworkPtr build_network(std::uint64_t version, std::map<KbId, KbPtr, std::less<>> kbs);

// ---- plans -------------------------------------------------------------------------------

/// How one target pattern (the ASK, or a REACT's argument further down a chain) is supplied.
struct AskGoal {
  const pattern::CompiledPattern* target = nullptr;  ///< owned by a KiEntry the plan holds
  pattern::CoverPlan cover;
  /// Candidate KIs; CoverSource::candidate indexes this. ANSWER KIs supply their graph
  /// pattern, REACT KIs their result pattern.
  std::vector<KiPtr> candidates;
  /// Per candidate: for a REACT, the goal for its argument pattern; null for an ANSWER.
  std::vector<std::unique_ptr<AskGoal>> subgoals;
  /// Knowledge gaps (NOTES §2.6): alternative sets of triples whose supply would complete the
  /// target — target triples nobody supplies, or the missing premises of the REACTs and rules
  /// that could supply them. Empty when everything can be supplied.
  std::vector<KnowledgeGap> gaps;
};

struct AskPlan {
  std::uint64_t version = 0;
  KiPtr asker;
  int level = 2;  ///< the matching level used
  AskGoal root;
};

/// A REACT fired by a POST (or by an earlier REACT of a forward chain).
struct PostStep {
  KiPtr react;
  /// Full matches of the REACT's argument (target) onto the source pattern (candidate).
  std::vector<pattern::PatternMatch> argument_matches;
  /// Full matches of the POST's result pattern (target) onto this REACT's result.
  std::vector<pattern::PatternMatch> captures;
  /// REACTs fed by this REACT's result.
  std::vector<PostStep> next;
};

struct PostPlan {
  std::uint64_t version = 0;
  KiPtr poster;
  int level = 2;  ///< the matching level used
  std::vector<PostStep> steps;
};

// ---- core --------------------------------------------------------------------------------

struct EngineCore {
  explicit EngineCore(EmbeddedEngine::Options opts);

  const EmbeddedEngine::Options options;
  ThreadPool pool;
  TimerQueue timer;

  /// A random UUID (v4 form) for message ids and unnamed KI ids; lock-free.
  std::string new_uuid() { return uuid_text(new_uuid_number()); }
  /// The number of a new UUID, formatted by uuid_text() only when the text is needed (an
  /// exchange's message id appears only in a timeout message); lock-free.
  std::uint64_t new_uuid_number() noexcept {
    return uuid_counter_.fetch_add(1, std::memory_order_relaxed);
  }
  std::string uuid_text(std::uint64_t number) const;

  NetworkPtr network() const;
  /// Applies `change` to a copy of the KB map under the write lock and publishes the result
  /// as a new version. `change` returns an error to abort.
  template <class F>
  auto mutate(F&& change) -> decltype(change(std::declval<std::map<KbId, KbPtr, std::less<>>&>()));

  /// The cached plan for (KI, recipients) at the current version, or a newly built one.
  Result<std::shared_ptr<const AskPlan>> ask_plan(const NetworkPtr& net, const KiPtr& asker,
                                                  const RecipientSelector& recipients);
  Result<std::shared_ptr<const PostPlan>> post_plan(const NetworkPtr& net, const KiPtr& poster,
                                                    const RecipientSelector& recipients);

  std::atomic<std::uint64_t> plans_built{0};

  /// Runtime-wide default domain knowledge for new KBs (null: none).
  RuleBasePtr default_knowledge() const;
  void set_default_knowledge(RuleBasePtr knowledge);

 private:
  const std::uint64_t uuid_seed_;
  std::atomic<std::uint64_t> uuid_counter_{0};

  mutable std::mutex knowledge_mu_;  // guards default_knowledge_
  RuleBasePtr default_knowledge_;

  mutable std::mutex net_mu_;  // guards network_ (the pointer, not the snapshot)
  NetworkPtr network_;

  std::mutex plan_mu_;  // guards the plan caches and plan_version_
  std::uint64_t plan_version_ = 0;
  // Keyed by plan key (the KI id, plus the sorted recipient KBs when a selector is given);
  // looked up by string_view, so a cache hit allocates nothing.
  std::unordered_map<std::string, std::shared_ptr<const AskPlan>, StringKeyHash, std::equal_to<>>
      ask_plans_;
  std::unordered_map<std::string, std::shared_ptr<const PostPlan>, StringKeyHash, std::equal_to<>>
      post_plans_;
};

template <class F>
auto EngineCore::mutate(F&& change)
    -> decltype(change(std::declval<std::map<KbId, KbPtr, std::less<>>&>())) {
  std::lock_guard<std::mutex> lock(net_mu_);
  auto kbs = network_->kbs;
  auto result = change(kbs);
  if (result.has_value()) network_ = build_network(network_->version + 1, std::move(kbs));
  return result;
}

/// The matching level of a proactive KI: its own, else its KB's; knowledgeGapsEnabled forces 5.
int level_of(const Network& net, const KiEntry& ki);

/// Builds plans (planner.cpp). The level comes from level_of() unless `level` overrides it
/// (explain() tries higher levels).
Result<std::shared_ptr<const AskPlan>> build_ask_plan(const Network& net, const KiPtr& asker,
                                                      const RecipientSelector& recipients,
                                                      const EmbeddedEngine::Options& options,
                                                      std::optional<int> level = std::nullopt);
Result<std::shared_ptr<const PostPlan>> build_post_plan(const Network& net, const KiPtr& poster,
                                                        const RecipientSelector& recipients,
                                                        const EmbeddedEngine::Options& options,
                                                        std::optional<int> level = std::nullopt);

/// The explanation of a proactive KI's plan (explain.cpp).
Result<PlanExplanation> explain_plan(const Network& net, const KiPtr& proactive,
                                     const RecipientSelector& recipients,
                                     const EmbeddedEngine::Options& options);

/// Runs an exchange (exchange_run.cpp). `done` is called exactly once: on a pool thread, or on
/// the thread that completes the exchange when `callback_never_blocks`.
void run_ask(std::shared_ptr<EngineCore> core, std::shared_ptr<const AskPlan> plan,
             pattern::BindingSet bindings, std::chrono::milliseconds deadline,
             bool callback_never_blocks, AskCallback done);
void run_post(std::shared_ptr<EngineCore> core, std::shared_ptr<const PostPlan> plan,
              pattern::BindingSet bindings, std::chrono::milliseconds deadline,
              bool callback_never_blocks, PostCallback done);

/// Checks reactive output against the incoming bindings (NOTES §2.3); the returned error's
/// message becomes the failedMessage.
Result<void> validate_answer(const KiEntry& ki, const pattern::BindingSet& incoming,
                             const pattern::BindingSet& outgoing);
Result<void> validate_reaction(const KiEntry& ki, const pattern::BindingSet& incoming,
                               const pattern::BindingSet& outgoing);

}  // namespace gridke::engine::detail
