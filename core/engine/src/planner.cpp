// Planning of ASK and POST exchanges (NOTES §2.1 steps 1–5, §2.2, §2.5–§2.7):
// - ASK (backward): the ASK pattern is covered by ANSWER graph patterns and, from level 2 on, by
//   REACT result patterns and domain-rule heads whose argument/body is itself planned as a
//   sub-goal (a REACT used as a converter, e.g. Fahrenheit → Celsius; a transitivity rule), and
//   by domain facts. Level 1 allows only one ANSWER KI fully covering it. Meta ANSWER KIs take
//   part when the ASK has includeMetaKIs.
// - POST (forward): a REACT (or, from level 2 on, a domain rule) fires when its argument pattern
//   is fully matched by the POST's argument (level 1: both ways); its result feeds the POST's
//   result pattern when it covers it fully, and from level 2 on feeds further REACTs and rules
//   (forward chains).
// - Knowledge gaps: per goal, the alternative sets of triples nobody supplies (NOTES §2.6).
// Candidates never include the proactive KB's own KIs (its rules excepted), KBs outside the
// recipient selector, KIs whose communicative act does not fit, meta KIs without
// includeMetaKIs, or KIs already on the current chain.

#include <algorithm>
#include <utility>

#include "engine_core.hpp"

namespace gridke::engine::detail {
namespace {

using pattern::CompiledPattern;

// Past this many alternatives a gap list stops growing (each alternative is a cross product
// over the unsupplied triples' options).
constexpr std::size_t max_gap_alternatives = 64;

struct Context {
  const Network& net;
  const KiEntry& proactive;
  const RecipientSelector& recipients;
  const EmbeddedEngine::Options& options;
  pattern::MatchFlags flags;
  pattern::CoverLimits limits;
  std::vector<const KiEntry*> chain;
  const RuleBase* rules = nullptr;  ///< the proactive KB's domain knowledge, level >= 2
};

bool eligible(const Context& c, const KiEntry& candidate) {
  if (std::find(c.chain.begin(), c.chain.end(), &candidate) != c.chain.end()) return false;
  if (candidate.rule) return true;
  if (candidate.kb == c.proactive.kb) return false;
  if (candidate.meta && !c.proactive.definition.include_meta_kis) return false;
  const auto& kbs = c.recipients.knowledge_bases;
  if (!kbs.empty() && std::find(kbs.begin(), kbs.end(), candidate.kb) == kbs.end()) return false;
  return ki::acts_compatible(c.proactive.definition.act, candidate.definition.act);
}

// True when `general` is `specific` with some constants replaced by variables (mergeGap).
bool more_generic(const pattern::TriplePattern& general, const pattern::TriplePattern& specific) {
  if (general == specific) return false;
  auto fits = [](const pattern::Node& g, const pattern::Node& s) {
    return g == s || (g.is_variable() && !s.is_variable());
  };
  return fits(general.subject, specific.subject) && fits(general.predicate, specific.predicate) &&
         fits(general.object, specific.object);
}

// Removes duplicates and triples a more specific one of the same set subsumes.
KnowledgeGap merge_gap(const KnowledgeGap& gap) {
  KnowledgeGap out;
  for (const auto& t : gap) {
    if (std::find(out.begin(), out.end(), t) != out.end()) continue;
    bool subsumed = false;
    for (const auto& other : gap) subsumed = subsumed || more_generic(t, other);
    if (!subsumed) out.push_back(t);
  }
  return out;
}

std::vector<KnowledgeGap> gaps_of(const AskGoal& goal) {
  const auto& triples = goal.target->pattern().triples();
  std::vector<KnowledgeGap> alternatives{KnowledgeGap{}};
  bool any = false;
  for (std::size_t i = 0; i < triples.size(); ++i) {
    const std::uint64_t bit = std::uint64_t{1} << i;
    bool supplied = false;
    std::vector<const AskGoal*> chains;
    for (const auto& source : goal.cover.sources) {
      if (!(source.match.covered & bit)) continue;
      const AskGoal* sub = goal.subgoals[source.candidate].get();
      if (sub == nullptr || sub->gaps.empty()) {
        supplied = true;
        break;
      }
      if (std::find(chains.begin(), chains.end(), sub) == chains.end()) chains.push_back(sub);
    }
    if (supplied) continue;
    any = true;
    std::vector<KnowledgeGap> options;
    if (chains.empty()) {
      options.push_back({triples[i]});
    } else {
      for (const AskGoal* sub : chains) {
        options.insert(options.end(), sub->gaps.begin(), sub->gaps.end());
      }
    }
    std::vector<KnowledgeGap> next;
    for (const auto& a : alternatives) {
      for (const auto& o : options) {
        if (next.size() >= max_gap_alternatives) break;
        KnowledgeGap merged = a;
        merged.insert(merged.end(), o.begin(), o.end());
        next.push_back(std::move(merged));
      }
    }
    alternatives = std::move(next);
  }
  if (!any) return {};
  std::vector<KnowledgeGap> out;
  for (const auto& a : alternatives) {
    KnowledgeGap merged = merge_gap(a);
    std::sort(merged.begin(), merged.end());
    if (std::find(out.begin(), out.end(), merged) == out.end()) out.push_back(std::move(merged));
  }
  return out;
}

Result<std::unique_ptr<AskGoal>> plan_goal(Context& c, const CompiledPattern& target, int depth);

// Adds a converter (REACT or rule) whose result/head supplies part of the target.
Result<void> add_converter(Context& c, AskGoal& goal, std::vector<const CompiledPattern*>& patterns,
                           const KiPtr& ki, int depth) {
  if (!ki->pattern || !ki->result || !eligible(c, *ki)) return ok();
  c.chain.push_back(ki.get());
  auto sub = plan_goal(c, *ki->pattern, depth + 1);
  c.chain.pop_back();
  if (!sub) return std::move(sub).error();
  goal.candidates.push_back(ki);
  goal.subgoals.push_back(std::move(*sub));
  patterns.push_back(&*ki->result);
  return ok();
}

Result<std::unique_ptr<AskGoal>> plan_goal(Context& c, const CompiledPattern& target, int depth) {
  auto goal = std::make_unique<AskGoal>();
  goal->target = &target;
  std::vector<const CompiledPattern*> patterns;
  auto add_supplier = [&](const KiPtr& ki) {
    if (!eligible(c, *ki)) return;
    goal->candidates.push_back(ki);
    goal->subgoals.push_back(nullptr);
    patterns.push_back(&*ki->pattern);
  };
  for (std::size_t id : c.net.answer_index.candidates_for(target)) add_supplier(c.net.answers[id]);
  if (c.proactive.definition.include_meta_kis) {
    for (const KiPtr& ki : c.net.meta_answers) add_supplier(ki);
  }
  if (c.rules != nullptr) {
    for (std::size_t id : c.rules->fact_index.candidates_for(target)) {
      add_supplier(c.rules->facts[id]);
    }
  }
  // REACT KIs and rules as converters (backward chaining); not at level 1 (SINGLE_RULE).
  if (!c.flags.single_rule && depth < c.options.max_chain_depth) {
    for (std::size_t id : c.net.result_index.candidates_for(target)) {
      GRIDKE_TRY(add_converter(c, *goal, patterns, c.net.reacts[id], depth));
    }
    if (c.rules != nullptr) {
      for (std::size_t id : c.rules->consequent_index.candidates_for(target)) {
        GRIDKE_TRY(add_converter(c, *goal, patterns, c.rules->rules[id], depth));
      }
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
  std::vector<KiPtr> candidates;
  for (std::size_t id : c.net.argument_index.candidates_for(source)) {
    candidates.push_back(c.net.reacts[id]);
  }
  if (c.rules != nullptr) {
    for (std::size_t id : c.rules->antecedent_index.candidates_for(source)) {
      candidates.push_back(c.rules->rules[id]);
    }
  }
  for (const KiPtr& ki : candidates) {
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
                     const EmbeddedEngine::Options& options, pattern::MatchDirection direction,
                     int level) {
  Context c{net, ki, recipients, options, {}, {}, {&ki}};
  c.flags = pattern::MatchFlags::for_level(level, direction);
  c.limits.max_combinations = options.max_combinations;
  c.limits.max_match_steps = std::max<std::size_t>(options.max_combinations * 20, 1000);
  if (level >= 2) {
    auto it = net.kbs.find(ki.kb);
    if (it != net.kbs.end() && it->second->knowledge) c.rules = it->second->knowledge.get();
  }
  return c;
}

}  // namespace

int level_of(const Network& net, const KiEntry& ki) {
  int level = 2;
  if (ki.definition.match_level) {
    level = *ki.definition.match_level;
  } else if (auto it = net.kbs.find(ki.kb); it != net.kbs.end()) {
    level = it->second->info.reasoner_level;
  }
  // knowledgeGapsEnabled: the KE forces SUPREME (5). Level 4 differs from 5 only by keeping
  // maximal matches, and sub-matches add neither answers nor coverage, so 4 gives the same
  // answers and gaps without enumerating every sub-match (docs/knowledge-network.md).
  if (ki.kind() == ki::KiKind::ask && ki.definition.knowledge_gaps_enabled) {
    level = std::max(level, 4);
  }
  return level;
}

Result<std::shared_ptr<const AskPlan>> build_ask_plan(const Network& net, const KiPtr& asker,
                                                      const RecipientSelector& recipients,
                                                      const EmbeddedEngine::Options& options,
                                                      std::optional<int> level) {
  auto plan = std::make_shared<AskPlan>();
  plan->version = net.version;
  plan->asker = asker;
  plan->level = level.value_or(level_of(net, *asker));
  Context c = make_context(net, *asker, recipients, options, pattern::MatchDirection::backward,
                           plan->level);
  auto root = plan_goal(c, *asker->pattern, 0);
  if (!root) return std::move(root).error().with_context("planning ASK " + asker->id);
  plan->root = std::move(**root);
  return std::shared_ptr<const AskPlan>(std::move(plan));
}

Result<std::shared_ptr<const PostPlan>> build_post_plan(const Network& net, const KiPtr& poster,
                                                        const RecipientSelector& recipients,
                                                        const EmbeddedEngine::Options& options,
                                                        std::optional<int> level) {
  auto plan = std::make_shared<PostPlan>();
  plan->version = net.version;
  plan->poster = poster;
  plan->level = level.value_or(level_of(net, *poster));
  if (poster->pattern) {
    Context c = make_context(net, *poster, recipients, options, pattern::MatchDirection::forward,
                             plan->level);
    const CompiledPattern* result = poster->result ? &*poster->result : nullptr;
    auto steps = plan_steps(c, *poster->pattern, result, 0);
    if (!steps) return std::move(steps).error().with_context("planning POST " + poster->id);
    plan->steps = std::move(*steps);
  }
  return std::shared_ptr<const PostPlan>(std::move(plan));
}

}  // namespace gridke::engine::detail
