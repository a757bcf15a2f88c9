// Planning of ASK and POST exchanges (NOTES §2.1 steps 1–5, §2.2):
// - ASK (backward): the ASK pattern is covered by ANSWER graph patterns and, from level 2 on, by
//   REACT result patterns whose argument is itself planned as a sub-goal (a REACT used as a
//   converter, e.g. Fahrenheit → Celsius). Level 1 allows only one ANSWER KI fully covering it.
// - POST (forward): a REACT fires when its argument pattern is fully matched by the POST's
//   argument (level 1: both ways); its result feeds the POST's result pattern when it covers it
//   fully, and from level 2 on feeds further REACTs (forward chains).
// Candidates never include the proactive KB's own KIs, KBs outside the recipient selector,
// KIs whose communicative act does not fit, or KIs already on the current chain.

#include <algorithm>
#include <utility>

#include "engine_core.hpp"

namespace gridke::engine::detail {
namespace {

using pattern::CompiledPattern;

int level_of(const Network& net, const KiEntry& ki) {
  if (ki.definition.match_level) return *ki.definition.match_level;
  auto it = net.kbs.find(ki.kb);
  return it != net.kbs.end() ? it->second->info.reasoner_level : 2;
}

struct Context {
  const Network& net;
  const KiEntry& proactive;
  const RecipientSelector& recipients;
  const EmbeddedEngine::Options& options;
  pattern::MatchFlags flags;
  pattern::CoverLimits limits;
  std::vector<const KiEntry*> chain;
};

bool eligible(const Context& c, const KiEntry& candidate) {
  if (candidate.kb == c.proactive.kb) return false;
  const auto& kbs = c.recipients.knowledge_bases;
  if (!kbs.empty() && std::find(kbs.begin(), kbs.end(), candidate.kb) == kbs.end()) return false;
  if (std::find(c.chain.begin(), c.chain.end(), &candidate) != c.chain.end()) return false;
  return ki::acts_compatible(c.proactive.definition.act, candidate.definition.act);
}

// Target triples nobody supplies; a triple only a REACT could supply stands for that REACT's
// missing premises instead (NOTES §2.6).
std::vector<pattern::TriplePattern> gaps_of(const AskGoal& goal) {
  std::vector<pattern::TriplePattern> gaps;
  const auto& triples = goal.target->pattern().triples();
  for (std::size_t i = 0; i < triples.size(); ++i) {
    const std::uint64_t bit = std::uint64_t{1} << i;
    bool supplied = false;
    const AskGoal* react_goal = nullptr;
    for (const auto& source : goal.cover.sources) {
      if (!(source.match.covered & bit)) continue;
      const AskGoal* sub = goal.subgoals[source.candidate].get();
      if (sub == nullptr || sub->gaps.empty()) {
        supplied = true;
        break;
      }
      if (react_goal == nullptr) react_goal = sub;
    }
    if (supplied) continue;
    if (react_goal != nullptr) {
      gaps.insert(gaps.end(), react_goal->gaps.begin(), react_goal->gaps.end());
    } else {
      gaps.push_back(triples[i]);
    }
  }
  std::vector<pattern::TriplePattern> unique;
  for (auto& g : gaps) {
    if (std::find(unique.begin(), unique.end(), g) == unique.end()) unique.push_back(std::move(g));
  }
  return unique;
}

Result<std::unique_ptr<AskGoal>> plan_goal(Context& c, const CompiledPattern& target, int depth) {
  auto goal = std::make_unique<AskGoal>();
  goal->target = &target;
  std::vector<const CompiledPattern*> patterns;
  for (std::size_t id : c.net.answer_index.candidates_for(target)) {
    const KiPtr& ki = c.net.answers[id];
    if (!eligible(c, *ki)) continue;
    goal->candidates.push_back(ki);
    goal->subgoals.push_back(nullptr);
    patterns.push_back(&*ki->pattern);
  }
  // REACT KIs as converters (backward chaining); not at level 1 (SINGLE_RULE).
  if (!c.flags.single_rule && depth < c.options.max_chain_depth) {
    for (std::size_t id : c.net.result_index.candidates_for(target)) {
      const KiPtr& ki = c.net.reacts[id];
      if (!ki->pattern || !ki->result || !eligible(c, *ki)) continue;
      c.chain.push_back(ki.get());
      auto sub = plan_goal(c, *ki->pattern, depth + 1);
      c.chain.pop_back();
      if (!sub) return std::move(sub).error();
      goal->candidates.push_back(ki);
      goal->subgoals.push_back(std::move(*sub));
      patterns.push_back(&*ki->result);
    }
  }
  GRIDKE_ASSIGN_OR_RETURN(goal->cover, pattern::plan_cover(target, patterns, c.flags, c.limits));
  goal->gaps = gaps_of(*goal);
  return goal;
}

Result<std::vector<PostStep>> plan_steps(Context& c, const CompiledPattern& source,
                                         const CompiledPattern* post_result, int depth) {
  std::vector<PostStep> steps;
  pattern::MatchOptions full;
  full.one_to_one = c.flags.one_to_one;
  full.require_full = true;
  full.max_steps = c.limits.max_match_steps;
  full.max_matches = c.limits.max_combinations;
  for (std::size_t id : c.net.argument_index.candidates_for(source)) {
    const KiPtr& ki = c.net.reacts[id];
    if (!ki->pattern || !eligible(c, *ki)) continue;
    PostStep step;
    step.react = ki;
    GRIDKE_ASSIGN_OR_RETURN(step.argument_matches,
                            pattern::find_matches(*ki->pattern, source, full));
    if (step.argument_matches.empty()) continue;
    if (c.flags.single_rule) {
      // Level 1: the POST argument must be fully covered by the REACT argument too.
      GRIDKE_ASSIGN_OR_RETURN(bool both_ways, pattern::fully_matches(source, *ki->pattern, full));
      if (!both_ways) continue;
    }
    if (post_result != nullptr && ki->result) {
      GRIDKE_ASSIGN_OR_RETURN(step.captures,
                              pattern::find_matches(*post_result, *ki->result, full));
    }
    if (!c.flags.single_rule && ki->result && depth < c.options.max_chain_depth) {
      c.chain.push_back(ki.get());
      auto next = plan_steps(c, *ki->result, post_result, depth + 1);
      c.chain.pop_back();
      if (!next) return std::move(next).error();
      step.next = std::move(*next);
    }
    steps.push_back(std::move(step));
  }
  return steps;
}

Context make_context(const Network& net, const KiEntry& ki, const RecipientSelector& recipients,
                     const EmbeddedEngine::Options& options, pattern::MatchDirection direction) {
  Context c{net, ki, recipients, options, {}, {}, {&ki}};
  c.flags = pattern::MatchFlags::for_level(level_of(net, ki), direction);
  c.limits.max_combinations = options.max_combinations;
  c.limits.max_match_steps = std::max<std::size_t>(options.max_combinations * 20, 1000);
  return c;
}

}  // namespace

Result<std::shared_ptr<const AskPlan>> build_ask_plan(const Network& net, const KiPtr& asker,
                                                      const RecipientSelector& recipients,
                                                      const EmbeddedEngine::Options& options) {
  auto plan = std::make_shared<AskPlan>();
  plan->version = net.version;
  plan->asker = asker;
  Context c = make_context(net, *asker, recipients, options, pattern::MatchDirection::backward);
  auto root = plan_goal(c, *asker->pattern, 0);
  if (!root) return std::move(root).error().with_context("planning ASK " + asker->id);
  plan->root = std::move(**root);
  return std::shared_ptr<const AskPlan>(std::move(plan));
}

Result<std::shared_ptr<const PostPlan>> build_post_plan(const Network& net, const KiPtr& poster,
                                                        const RecipientSelector& recipients,
                                                        const EmbeddedEngine::Options& options) {
  auto plan = std::make_shared<PostPlan>();
  plan->version = net.version;
  plan->poster = poster;
  if (poster->pattern) {
    Context c = make_context(net, *poster, recipients, options, pattern::MatchDirection::forward);
    const CompiledPattern* result = poster->result ? &*poster->result : nullptr;
    auto steps = plan_steps(c, *poster->pattern, result, 0);
    if (!steps) return std::move(steps).error().with_context("planning POST " + poster->id);
    plan->steps = std::move(*steps);
  }
  return std::shared_ptr<const PostPlan>(std::move(plan));
}

}  // namespace gridke::engine::detail
