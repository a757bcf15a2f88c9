// Execution of planned ASK and POST exchanges (NOTES §2.2–§2.4).
//
// A Run owns the state of one exchange; it is shared by the handler tasks (through their Reply),
// the deadline timer and the caller, so a reply that arrives after the deadline or after the
// engine is gone finds the Run alive and is dropped (no use-after-free). One mutex per Run
// guards all of its state; handlers run on the pool without it (handlers that never block, on
// the dispatching thread, also without it), and the user's callback is invoked after it is
// released, exactly once.

#include <chrono>
#include <exception>
#include <optional>
#include <string>
#include <unordered_set>
#include <utility>

#include "engine_core.hpp"

namespace gridke::engine::detail {
namespace {

using pattern::Binding;
using pattern::BindingSet;

// `[{}]` and `[]` both mean "unconstrained"; one empty binding makes the whole set so.
BindingSet normalise(BindingSet in) {
  for (const Binding& b : in) {
    if (b.empty()) return {};
  }
  return in;
}

std::string binding_text(const Binding& b) {
  std::string out = "{";
  bool first = true;
  for (const auto& [name, value] : b.values()) {
    if (!first) out += ", ";
    first = false;
    out += name + "=" + value.to_string();
  }
  return out + "}";
}

// Unions `rows` into `into`, taking the rows over when `into` is still empty (no copies).
void add_rows(BindingSet& into, BindingSet rows) {
  if (into.empty()) {
    into = std::move(rows);
  } else {
    into.insert_all(rows);
  }
}

std::string timeout_message(const std::string& message_id) {
  return "Error 'TimeoutException' occurred while waiting for response to message: " + message_id;
}

class Run : public std::enable_shared_from_this<Run> {
 public:
  Run(std::shared_ptr<EngineCore> core, KiPtr proactive, bool callback_never_blocks)
      : core_(std::move(core)),
        proactive_(std::move(proactive)),
        started_at_(Clock::now()),
        callback_never_blocks_(callback_never_blocks) {}
  virtual ~Run() = default;
  Run(const Run&) = delete;
  Run& operator=(const Run&) = delete;

  /// Starts the exchange and arms its deadline (non-positive: none).
  void start(std::chrono::milliseconds deadline) {
    if (core_->options.policy) apply_policy(plan_candidates());
    bool deliver_now = false;
    std::vector<Task> tasks;
    {
      std::lock_guard<std::mutex> lock(mu_);
      start_locked();
      deliver_now = check_finish_locked();
      tasks.swap(queued_);
    }
    if (deliver_now) {
      submit_tasks(std::move(tasks));
      deliver_result();
      return;
    }
    const auto when = deadline.count() > 0 ? TimerQueue::Clock::now() + deadline
                                           : TimerQueue::Clock::time_point::max();
    const std::uint64_t id =
        core_->timer.schedule(when, [self = shared_from_this()] { self->on_deadline(); });
    bool cancel_now = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (finished_) {
        cancel_now = true;
      } else {
        timer_id_ = id;
      }
    }
    if (cancel_now) core_->timer.cancel(id);
    // Handlers start only now, with mu_ free: a fast reply does not block on the lock the
    // starting thread still held (which cost a context switch per exchange).
    submit_tasks(std::move(tasks));
  }

 protected:
  using Continuation = std::function<void(const BindingSet* rows)>;

  // Asks the policy about every KI the plan may contact, once each, before anything is sent
  // (policy.hpp). A denied KI is never contacted and gets a FAILED exchange info.
  // REQUIRES: mu_ not held (the policy is user code); called before the run is shared.
  void apply_policy(const std::vector<KiPtr>& candidates) {
    const auto& policy = core_->options.policy;
    if (!policy) return;
    const KiRef requester = ki_ref(*proactive_);
    std::unordered_set<const KiEntry*> checked;
    for (const KiPtr& ki : candidates) {
      if (ki->rule || !checked.insert(ki.get()).second) continue;
      auto allowed = policy->may_contact(requester, ki_ref(*ki));
      if (allowed.has_value()) continue;
      denied_.insert(ki.get());
      ExchangeInfo info;
      info.knowledge_base_id = ki->kb;
      info.knowledge_interaction_id = ki->id;
      info.exchange_start = info.exchange_end = Clock::now();
      info.status = ExchangeStatus::failed;
      info.failed_message = "access denied: " + allowed.error().message();
      denied_info_.push_back(std::move(info));
    }
  }

  bool denied(const KiEntry& ki) const { return denied_.count(&ki) != 0; }

  // Tells the observer (if any) about the finished exchange. Runs before the caller's callback.
  void notify_observer(const BindingSet& request, const BindingSet& result,
                       const std::vector<ExchangeInfo>& infos) const {
    const auto& observer = core_->options.observer;
    if (!observer) return;
    ExchangeRecord record;
    record.requester = ki_ref(*proactive_);
    record.start = started_at_;
    record.end = Clock::now();
    record.request_bindings = request;
    record.result_bindings = result;
    record.exchange_info = infos;
    observer->on_exchange(record);
  }

  // The KIs a call may contact according to its plan (REACT converters included).
  virtual std::vector<KiPtr> plan_candidates() const = 0;

  struct Slot {
    KiPtr ki;
    // Shared with the handler task; immutable after dispatch.
    std::shared_ptr<const HandleRequest> request;
    ExchangeInfo info;
    std::uint64_t message_number = 0;  // EngineCore::uuid_text() gives the message id
    bool done = false;
    Continuation then;  // runs under mu_; rows == nullptr when the KI failed
  };

  // A handler call decided under mu_, submitted to the pool after mu_ is released.
  struct Task {
    Slot* slot;
    KiPtr ki;
    std::shared_ptr<const HandleRequest> request;
    Reply reply;
  };

  // Contacts a KI: its handler runs on the pool (queued in queued_ until the caller releases
  // mu_ and calls submit_tasks); `then` runs (under mu_) when it replied, failed or timed out.
  // REQUIRES: mu_ held, !timed_out_.
  void dispatch_locked(const KiPtr& ki, BindingSet request, Continuation then) {
    auto slot_ptr = std::make_unique<Slot>();
    Slot* slot = slot_ptr.get();
    slot->ki = ki;
    slot->message_number = core_->new_uuid_number();
    slot->then = std::move(then);
    slot->info.knowledge_base_id = ki->kb;
    slot->info.knowledge_interaction_id = ki->id;
    slot->info.exchange_start = Clock::now();
    slot->request = std::make_shared<const HandleRequest>(
        HandleRequest{ki->id, ki->kind(), proactive_->kb, proactive_->id, std::move(request)});
    slots_.push_back(std::move(slot_ptr));
    ++pending_;

    Reply reply = [self = shared_from_this(), slot](Result<BindingSet> r) {
      self->on_reply(slot, std::move(r));
    };
    queued_.push_back(Task{slot, ki, slot->request, std::move(reply)});
  }

  // Exceptions never cross a GridKE API (STYLE.md §2.3): a throwing handler is a FAILED
  // exchange for its KI.
  static void call_handler(const KiEntry& ki, const HandleRequest& request, Reply& reply) {
    try {
      ki.handler(request, reply);
    } catch (const std::exception& e) {
      reply(internal_error(std::string("handler threw: ") + e.what()));
    } catch (...) {
      reply(internal_error("handler threw a non-standard exception"));
    }
  }

  // Submits handler calls queued under mu_; a handler that never blocks runs here, on this
  // thread (it may reply at once: on_reply then runs here too). REQUIRES: mu_ not held.
  void submit_tasks(std::vector<Task> tasks) {
    bool deliver_now = false;
    while (!tasks.empty()) {
      std::vector<Task> more;
      for (Task& task : tasks) {
        Slot* slot = task.slot;
        if (task.ki->handler_never_blocks) {
          call_handler(*task.ki, *task.request, task.reply);
          continue;
        }
        // The task holds the KI (not a copy of its handler: a handler's captures may be large).
        const bool queued = core_->pool.submit(
            [ki = std::move(task.ki), req = std::move(task.request),
             reply = std::move(task.reply)]() mutable { call_handler(*ki, *req, reply); });
        if (queued) continue;
        std::lock_guard<std::mutex> lock(mu_);
        if (!slot->done) fail_slot_locked(*slot, "the knowledge engine is shutting down");
        if (check_finish_locked()) deliver_now = true;
        for (Task& t : queued_) more.push_back(std::move(t));
        queued_.clear();
      }
      tasks = std::move(more);
    }
    if (deliver_now) deliver_result();
  }

  void fail_slot_locked(Slot& slot, std::string message) {
    slot.done = true;
    --pending_;
    slot.info.exchange_end = Clock::now();
    slot.info.status = ExchangeStatus::failed;
    slot.info.failed_message = std::move(message);
    slot.info.result_bindings = {};
    if (slot.ki->kind() == ki::KiKind::answer) slot.info.bindings = {};
    slot.then(nullptr);
  }

  void on_reply(Slot* slot, Result<BindingSet> reply) {
    // Validation reads only slot->ki and slot->request, which are immutable after dispatch.
    const bool answer = slot->ki->kind() == ki::KiKind::answer;
    std::optional<std::string> failure;
    BindingSet rows;
    if (!reply.has_value()) {
      failure = std::string("An error occurred while ") + (answer ? "ANSWERing: " : "REACTing: ") +
                reply.error().message();
    } else {
      rows = std::move(reply).value();
      if (core_->options.validate_reactive_output) {
        auto valid = answer ? validate_answer(*slot->ki, slot->request->bindings, rows)
                            : validate_reaction(*slot->ki, slot->request->bindings, rows);
        if (!valid) failure = valid.error().message();
      }
    }
    bool deliver_now = false;
    std::vector<Task> tasks;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (slot->done) return;  // late (after the deadline) or a second reply: dropped
      if (failure) {
        fail_slot_locked(*slot, std::move(*failure));
      } else {
        slot->done = true;
        --pending_;
        slot->info.exchange_end = Clock::now();
        // The rows live in the exchange info from now on; continuations read them there.
        BindingSet& kept = answer ? slot->info.bindings : slot->info.result_bindings;
        kept = std::move(rows);
        slot->then(&kept);
      }
      deliver_now = check_finish_locked();
      tasks.swap(queued_);
    }
    submit_tasks(std::move(tasks));
    if (deliver_now) deliver_result();
  }

  void on_deadline() {
    bool deliver_now = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (finished_) return;
      timed_out_ = true;
      timer_id_ = 0;
      // Index loop: no continuation dispatches once timed_out_ is set, so slots_ is stable.
      for (std::size_t i = 0; i < slots_.size(); ++i) {
        Slot& slot = *slots_[i];
        if (!slot.done)
          fail_slot_locked(slot, timeout_message(core_->uuid_text(slot.message_number)));
      }
      deliver_now = check_finish_locked();
    }
    if (deliver_now) deliver_result();
  }

  bool check_finish_locked() {
    if (finished_ || !complete_locked()) return false;
    finished_ = true;
    finish_locked();
    return true;
  }

  // Cancels the deadline and hands the result to the user on a pool thread (on this thread
  // when the callback never blocks).
  void deliver_result() {
    std::uint64_t timer = 0;
    {
      std::lock_guard<std::mutex> lock(mu_);
      timer = timer_id_;
      timer_id_ = 0;
    }
    if (timer != 0) core_->timer.cancel(timer);
    if (callback_never_blocks_ || core_->pool.on_worker_thread()) {
      invoke_callback();
      return;
    }
    if (!core_->pool.submit([self = shared_from_this()] { self->invoke_callback(); })) {
      invoke_callback();
    }
  }

  // Moves the exchange infos out. REQUIRES: mu_ held, finished_ (no slot is used after).
  std::vector<ExchangeInfo> take_exchange_info_locked() {
    std::vector<ExchangeInfo> infos = std::move(denied_info_);
    infos.reserve(infos.size() + slots_.size());
    for (const auto& s : slots_) {
      if (s->ki->rule) continue;  // domain rules are the engine's own reasoning
      // A REACT's exchange info shows the argument it received. The handler task may still
      // hold the request (use_count() gives no happens-before), so copy rather than move.
      if (s->ki->kind() == ki::KiKind::react) s->info.bindings = s->request->bindings;
      infos.push_back(std::move(s->info));
    }
    return infos;
  }

  virtual void start_locked() = 0;
  virtual bool complete_locked() const = 0;
  virtual void finish_locked() = 0;
  virtual void invoke_callback() = 0;

  std::shared_ptr<EngineCore> core_;
  KiPtr proactive_;
  const Clock::time_point started_at_;
  const bool callback_never_blocks_;
  // Written by apply_policy() before the run starts; read-only afterwards.
  std::unordered_set<const KiEntry*> denied_;
  std::vector<ExchangeInfo> denied_info_;  // moved out by take_exchange_info_locked()
  std::mutex mu_;
  std::vector<std::unique_ptr<Slot>> slots_;
  std::vector<Task> queued_;  // dispatched under mu_, not yet submitted to the pool
  std::size_t pending_ = 0;
  bool timed_out_ = false;
  bool finished_ = false;
  std::uint64_t timer_id_ = 0;
};

// ---- ASK ---------------------------------------------------------------------------------

class AskRun final : public Run {
 public:
  AskRun(std::shared_ptr<EngineCore> core, std::shared_ptr<const AskPlan> plan, BindingSet bindings,
         bool callback_never_blocks, AskCallback done)
      : Run(std::move(core), plan->asker, callback_never_blocks),
        plan_(std::move(plan)),
        ask_bindings_(normalise(std::move(bindings))),
        done_(std::move(done)) {}

 private:
  struct GoalRun {
    const AskGoal* plan = nullptr;
    BindingSet incoming;  // in target variables; empty = unconstrained
    // Per candidate: what it supplied, in its variables (points into its exchange info).
    std::vector<const BindingSet*> rows;
    std::size_t pending = 1;  // +1 while starting, so a fast member cannot complete it early
    GoalRun* parent = nullptr;
    std::size_t parent_candidate = 0;
    bool complete = false;
    BindingSet result;
  };

  static const pattern::CompiledPattern& supplied_pattern(const KiEntry& ki) {
    return ki.kind() == ki::KiKind::react ? *ki.result : *ki.pattern;
  }

  void start_locked() override {
    goals_.push_back(std::make_unique<GoalRun>());
    root_ = goals_.back().get();
    root_->plan = &plan_->root;
    root_->incoming = ask_bindings_;
    start_goal_locked(root_);
  }

  // The bindings a candidate receives: the goal's bindings through each of its matches that
  // take part in a cover. nullopt: the candidate cannot contribute and is not contacted.
  std::optional<BindingSet> request_for(const GoalRun& g, std::size_t k,
                                        const std::vector<char>& in_cover) const {
    const AskGoal& plan = *g.plan;
    const KiEntry& ki = *plan.candidates[k];
    BindingSet request;
    bool any = false;
    bool unconstrained = false;
    for (std::size_t s = 0; s < plan.cover.sources.size(); ++s) {
      const auto& source = plan.cover.sources[s];
      if (source.candidate != k || !in_cover[s]) continue;
      BindingSet t =
          pattern::to_candidate(g.incoming, *plan.target, supplied_pattern(ki), source.match);
      if (g.incoming.empty()) {
        any = true;
        if (t.empty()) unconstrained = true;
      } else if (!t.empty()) {
        any = true;
      }
      request.insert_all(t);
    }
    if (!any) return std::nullopt;
    if (unconstrained) return BindingSet{};
    return request;
  }

  void start_goal_locked(GoalRun* g) {
    const AskGoal& plan = *g->plan;
    g->rows.assign(plan.candidates.size(), nullptr);
    std::vector<char> in_cover(plan.cover.sources.size(), 0);
    for (const auto& cover : plan.cover.covers) {
      for (std::size_t group : cover) {
        for (std::size_t s : plan.cover.groups[group].sources) in_cover[s] = 1;
      }
    }
    for (std::size_t k = 0; k < plan.candidates.size() && !timed_out_; ++k) {
      const KiPtr& ki = plan.candidates[k];
      if (denied(*ki)) continue;
      auto request = request_for(*g, k, in_cover);
      if (!request) continue;
      ++g->pending;
      if (ki->kind() == ki::KiKind::answer) {
        dispatch_locked(ki, std::move(*request), [this, g, k](const BindingSet* rows) {
          g->rows[k] = rows;
          member_done_locked(g);
        });
        continue;
      }
      // A REACT: first supply its argument (a sub-goal), constrained by the shared variables.
      auto sub = std::make_unique<GoalRun>();
      sub->plan = plan.subgoals[k].get();
      const auto& arg_vars = ki->pattern->pattern().variables();
      BindingSet sub_incoming;
      for (const Binding& b : *request) sub_incoming.insert(b.project(arg_vars));
      sub->incoming = normalise(std::move(sub_incoming));
      sub->parent = g;
      sub->parent_candidate = k;
      GoalRun* raw = sub.get();
      goals_.push_back(std::move(sub));
      start_goal_locked(raw);
    }
    member_done_locked(g);
  }

  void member_done_locked(GoalRun* g) {
    if (--g->pending == 0) complete_goal_locked(g);
  }

  void complete_goal_locked(GoalRun* g) {
    const AskGoal& plan = *g->plan;
    const std::size_t n = plan.cover.sources.size();
    std::vector<BindingSet> translated(n);
    std::vector<const BindingSet*> rows(n, nullptr);
    for (std::size_t s = 0; s < n; ++s) {
      const auto& source = plan.cover.sources[s];
      const BindingSet* supplied = g->rows[source.candidate];
      if (supplied == nullptr) continue;
      const auto& candidate = supplied_pattern(*plan.candidates[source.candidate]);
      // Validated rows of a same-named pattern need no renaming: skip the copy.
      if (core_->options.validate_reactive_output &&
          pattern::translation_is_identity(*plan.target, candidate, source.match)) {
        rows[s] = supplied;
        continue;
      }
      translated[s] = pattern::from_candidate(*supplied, *plan.target, candidate, source.match);
      rows[s] = &translated[s];
    }
    g->result = pattern::evaluate_cover(plan.cover, rows);
    g->complete = true;
    GoalRun* parent = g->parent;
    if (parent == nullptr) return;
    const std::size_t k = g->parent_candidate;
    if (timed_out_ || g->result.empty()) {
      member_done_locked(parent);
      return;
    }
    dispatch_locked(parent->plan->candidates[k], g->result,
                    [this, parent, k](const BindingSet* out) {
                      parent->rows[k] = out;
                      member_done_locked(parent);
                    });
  }

  bool complete_locked() const override { return root_ != nullptr && root_->complete; }

  void finish_locked() override {
    BindingSet& all = root_->result;
    // At levels 4 and 5 a partial cover supplies rows without some of the ASK's variables;
    // an answer binds them all.
    if (plan_->level >= 4) {
      const auto& vars = plan_->asker->pattern->pattern().variables();
      BindingSet complete;
      bool dropped = false;
      for (const Binding& r : all) {
        bool has_all = true;
        for (const auto& v : vars) has_all = has_all && r.contains(v);
        if (has_all) {
          complete.insert(r);
        } else {
          dropped = true;
        }
      }
      if (dropped) all = std::move(complete);
    }
    if (ask_bindings_.empty()) {
      result_.bindings = std::move(all);
    } else {
      // Joined covers may combine rows that fit different ask bindings; keep what fits one.
      for (const Binding& r : all) {
        for (const Binding& a : ask_bindings_) {
          if (r.is_compatible_with(a)) {
            result_.bindings.insert(r);
            break;
          }
        }
      }
    }
    result_.exchange_info = take_exchange_info_locked();
    if (plan_->asker->definition.knowledge_gaps_enabled) {
      std::vector<KnowledgeGap> gaps;
      if (result_.bindings.empty()) gaps = plan_->root.gaps;
      result_.knowledge_gaps = std::move(gaps);
    }
  }

  void invoke_callback() override {
    notify_observer(ask_bindings_, result_.bindings, result_.exchange_info);
    AskCallback done = std::move(done_);
    done(std::move(result_));
  }

  std::vector<KiPtr> plan_candidates() const override {
    std::vector<KiPtr> out;
    collect(plan_->root, out);
    return out;
  }

  static void collect(const AskGoal& goal, std::vector<KiPtr>& out) {
    for (std::size_t k = 0; k < goal.candidates.size(); ++k) {
      out.push_back(goal.candidates[k]);
      if (goal.subgoals[k]) collect(*goal.subgoals[k], out);
    }
  }

  std::shared_ptr<const AskPlan> plan_;
  BindingSet ask_bindings_;
  AskCallback done_;
  std::vector<std::unique_ptr<GoalRun>> goals_;
  GoalRun* root_ = nullptr;
  AskResult result_;
};

// ---- POST --------------------------------------------------------------------------------

class PostRun final : public Run {
 public:
  PostRun(std::shared_ptr<EngineCore> core, std::shared_ptr<const PostPlan> plan,
          BindingSet bindings, bool callback_never_blocks, PostCallback done)
      : Run(std::move(core), plan->poster, callback_never_blocks),
        plan_(std::move(plan)),
        bindings_(std::move(bindings)),
        done_(std::move(done)) {}

 private:
  void start_locked() override {
    const KiEntry& poster = *plan_->poster;
    for (const PostStep& step : plan_->steps) {
      BindingSet args;
      for (const auto& m : step.argument_matches) {
        add_rows(args,
                 pattern::from_candidate(bindings_, *step.react->pattern, *poster.pattern, m));
      }
      // Bindings that all contradict the REACT's constants: nothing to tell it.
      if (!bindings_.empty() && args.empty()) continue;
      fire_locked(step, std::move(args));
    }
  }

  void fire_locked(const PostStep& step, BindingSet args) {
    if (denied(*step.react)) return;
    dispatch_locked(step.react, std::move(args), [this, &step](const BindingSet* rows) {
      if (rows != nullptr) on_result_locked(step, *rows);
    });
  }

  void on_result_locked(const PostStep& step, const BindingSet& rows) {
    const KiEntry& poster = *plan_->poster;
    for (const auto& m : step.captures) {
      add_rows(result_.result_bindings,
               pattern::from_candidate(rows, *poster.result, *step.react->result, m));
    }
    if (timed_out_ || rows.empty()) return;
    for (const PostStep& next : step.next) {
      BindingSet args;
      for (const auto& m : next.argument_matches) {
        add_rows(args, pattern::from_candidate(rows, *next.react->pattern, *step.react->result, m));
      }
      if (!args.empty()) fire_locked(next, std::move(args));
    }
  }

  bool complete_locked() const override { return pending_ == 0; }

  void finish_locked() override { result_.exchange_info = take_exchange_info_locked(); }

  void invoke_callback() override {
    notify_observer(bindings_, result_.result_bindings, result_.exchange_info);
    PostCallback done = std::move(done_);
    done(std::move(result_));
  }

  std::vector<KiPtr> plan_candidates() const override {
    std::vector<KiPtr> out;
    collect(plan_->steps, out);
    return out;
  }

  static void collect(const std::vector<PostStep>& steps, std::vector<KiPtr>& out) {
    for (const PostStep& step : steps) {
      out.push_back(step.react);
      collect(step.next, out);
    }
  }

  std::shared_ptr<const PostPlan> plan_;
  BindingSet bindings_;
  PostCallback done_;
  PostResult result_;
};

}  // namespace

Result<void> validate_answer(const KiEntry& ki, const BindingSet& incoming,
                             const BindingSet& outgoing) {
  GRIDKE_TRY(pattern::check_complete(outgoing, ki.pattern->pattern()));
  if (incoming.empty()) return ok();
  for (const Binding& out : outgoing) {
    bool matched = false;
    for (const Binding& in : incoming) {
      if (out.is_compatible_with(in)) {
        matched = true;
        break;
      }
    }
    if (!matched) {
      return invalid_argument("KB gave outgoing binding " + binding_text(out) +
                              ", but this doesn't have a matching incoming binding!");
    }
  }
  return ok();
}

Result<void> validate_reaction(const KiEntry& ki, const BindingSet& incoming,
                               const BindingSet& outgoing) {
  if (!ki.result) {
    if (!outgoing.empty()) {
      return invalid_argument("Bindings must be empty when the graph pattern is missing.");
    }
    return ok();
  }
  GRIDKE_TRY(pattern::check_complete(outgoing, ki.result->pattern()));
  if (incoming.empty() || !ki.pattern) return ok();
  // Only the variables the argument and the result share link an output to its input.
  std::vector<std::string> shared;
  const auto& arg = ki.pattern->pattern().variables();
  const auto& res = ki.result->pattern().variables();
  std::set_intersection(arg.begin(), arg.end(), res.begin(), res.end(), std::back_inserter(shared));
  if (shared.empty()) return ok();
  for (const Binding& out : outgoing) {
    const Binding key = out.project(shared);
    bool matched = false;
    for (const Binding& in : incoming) {
      if (key.is_compatible_with(in)) {
        matched = true;
        break;
      }
    }
    if (!matched) {
      return invalid_argument("KB gave outgoing binding " + binding_text(out) +
                              ", but this doesn't have a matching incoming binding!");
    }
  }
  return ok();
}

void run_ask(std::shared_ptr<EngineCore> core, std::shared_ptr<const AskPlan> plan,
             BindingSet bindings, std::chrono::milliseconds deadline, bool callback_never_blocks,
             AskCallback done) {
  auto run = std::make_shared<AskRun>(std::move(core), std::move(plan), std::move(bindings),
                                      callback_never_blocks, std::move(done));
  run->start(deadline);
}

void run_post(std::shared_ptr<EngineCore> core, std::shared_ptr<const PostPlan> plan,
              BindingSet bindings, std::chrono::milliseconds deadline, bool callback_never_blocks,
              PostCallback done) {
  auto run = std::make_shared<PostRun>(std::move(core), std::move(plan), std::move(bindings),
                                       callback_never_blocks, std::move(done));
  run->start(deadline);
}

}  // namespace gridke::engine::detail
