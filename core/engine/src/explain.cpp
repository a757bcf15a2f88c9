// EmbeddedEngine::explain() and the text form of a PlanExplanation (explain.hpp).
#include "gridke/engine/explain.hpp"

#include <algorithm>
#include <bit>
#include <set>
#include <sstream>
#include <utility>

#include "engine_core.hpp"

namespace gridke::engine {
namespace detail {
namespace {

std::string triple_text(const pattern::TriplePattern& t) { return t.to_string(); }

std::vector<std::pair<std::string, std::string>> pairs_of(const pattern::CompiledPattern& target,
                                                          const pattern::CompiledPattern& cand,
                                                          const pattern::PatternMatch& m,
                                                          bool reverse) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [t, c] : m.node_pairs) {
    if (!target.is_variable(t) && !cand.is_variable(c)) continue;  // constants: no mapping news
    if (reverse) {
      out.emplace_back(cand.node_text(c), target.node_text(t));
    } else {
      out.emplace_back(target.node_text(t), cand.node_text(c));
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

PlanStep step_of(const KiEntry& ki, std::string role, int depth) {
  PlanStep s;
  s.knowledge_base = ki.kb;
  s.knowledge_interaction = ki.id;
  s.name = ki.definition.name;
  s.kind = ki.kind();
  s.role = std::move(role);
  s.depth = depth;
  return s;
}

void collect_ask(const AskGoal& goal, int depth, std::vector<PlanStep>& steps,
                 std::set<const KiEntry*>& contacted) {
  std::vector<char> in_cover(goal.cover.sources.size(), 0);
  for (const auto& cover : goal.cover.covers) {
    for (std::size_t g : cover) {
      for (std::size_t s : goal.cover.groups[g].sources) in_cover[s] = 1;
    }
  }
  for (std::size_t k = 0; k < goal.candidates.size(); ++k) {
    const KiEntry& ki = *goal.candidates[k];
    const pattern::PatternMatch* first = nullptr;
    std::uint64_t covered = 0;
    for (std::size_t s = 0; s < goal.cover.sources.size(); ++s) {
      const auto& source = goal.cover.sources[s];
      if (source.candidate != k || !in_cover[s]) continue;
      if (first == nullptr) first = &source.match;
      covered |= source.match.covered;
    }
    if (first == nullptr) continue;
    const bool converter = goal.subgoals[k] != nullptr;
    // A converter whose premise cannot be supplied is not contacted either.
    if (converter && goal.subgoals[k]->cover.covers.empty()) continue;
    std::string role = ki.rule ? (converter ? "rule" : "fact")
                               : (ki.meta ? "meta" : (converter ? "converter" : "answer"));
    PlanStep step = step_of(ki, std::move(role), depth);
    const auto& triples = goal.target->pattern().triples();
    for (std::size_t i = 0; i < triples.size(); ++i) {
      if (covered & (std::uint64_t{1} << i)) step.covers.push_back(triple_text(triples[i]));
    }
    const auto& supplied = converter ? *ki.result : *ki.pattern;
    step.variable_map = pairs_of(*goal.target, supplied, *first, false);
    steps.push_back(std::move(step));
    contacted.insert(&ki);
    if (converter) collect_ask(*goal.subgoals[k], depth + 1, steps, contacted);
  }
}

void collect_post(const std::vector<PostStep>& plan, const pattern::CompiledPattern& source,
                  int depth, std::vector<PlanStep>& steps, std::set<const KiEntry*>& contacted) {
  for (const PostStep& p : plan) {
    const KiEntry& ki = *p.react;
    PlanStep step = step_of(ki, ki.rule ? "rule" : "react", depth);
    for (const auto& t : ki.pattern->pattern().triples()) step.covers.push_back(triple_text(t));
    if (!p.argument_matches.empty()) {
      step.variable_map = pairs_of(*ki.pattern, source, p.argument_matches.front(), true);
    }
    steps.push_back(std::move(step));
    contacted.insert(&ki);
    collect_post(p.next, *ki.result, depth + 1, steps, contacted);
  }
}

std::string purposes_text(const std::vector<std::string>& purposes) {
  std::string out;
  for (const auto& p : purposes) {
    if (!out.empty()) out += ", ";
    const auto slash = p.find_last_of("/#");
    out += slash == std::string::npos ? p : p.substr(slash + 1);
  }
  return out;
}

// The best partial match of `target` onto `candidate` (most target triples covered).
std::optional<pattern::PatternMatch> best_match(const pattern::CompiledPattern& target,
                                                const pattern::CompiledPattern& candidate) {
  pattern::MatchOptions o;
  o.one_to_one = true;
  o.only_biggest = true;
  o.max_matches = 10'000;
  o.max_steps = 200'000;
  auto matches = pattern::find_matches(target, candidate, o);
  if (!matches || matches->empty()) return std::nullopt;
  const pattern::PatternMatch* best = &matches->front();
  for (const auto& m : *matches) {
    if (std::popcount(m.covered) > std::popcount(best->covered)) best = &m;
  }
  return *best;
}

void describe_difference(const pattern::CompiledPattern& must,
                         const pattern::CompiledPattern& other, NearMiss& miss) {
  auto m = best_match(must, other);
  std::vector<char> used(other.size(), 0);
  const auto& triples = must.pattern().triples();
  for (std::size_t i = 0; i < triples.size(); ++i) {
    const bool covered = m && (m->covered & (std::uint64_t{1} << i));
    if (!covered) {
      miss.unmatched.push_back(triple_text(triples[i]));
    } else {
      used[static_cast<std::size_t>(m->triple_map[i])] = 1;
    }
  }
  const auto& others = other.pattern().triples();
  for (std::size_t j = 0; j < others.size(); ++j) {
    if (!used[j]) miss.extra.push_back(triple_text(others[j]));
  }
}

bool contacted_in(const Result<std::shared_ptr<const AskPlan>>& plan, const KiEntry* ki) {
  if (!plan) return false;
  std::vector<PlanStep> steps;
  std::set<const KiEntry*> contacted;
  collect_ask((*plan)->root, 0, steps, contacted);
  return contacted.count(ki) != 0;
}

bool contacted_in(const Result<std::shared_ptr<const PostPlan>>& plan, const KiEntry* ki) {
  if (!plan) return false;
  std::vector<PlanStep> steps;
  std::set<const KiEntry*> contacted;
  collect_post((*plan)->steps, *(*plan)->poster->pattern, 0, steps, contacted);
  return contacted.count(ki) != 0;
}

}  // namespace

Result<PlanExplanation> explain_plan(const Network& net, const KiPtr& proactive,
                                     const RecipientSelector& recipients,
                                     const EmbeddedEngine::Options& options) {
  PlanExplanation out;
  out.knowledge_base = proactive->kb;
  out.knowledge_interaction = proactive->id;
  out.kind = proactive->kind();
  out.level = level_of(net, *proactive);
  out.network_version = net.version;
  std::set<const KiEntry*> contacted;
  const bool is_ask = proactive->kind() == ki::KiKind::ask;
  if (is_ask) {
    GRIDKE_ASSIGN_OR_RETURN(auto plan, build_ask_plan(net, proactive, recipients, options));
    collect_ask(plan->root, 0, out.steps, contacted);
    out.gaps = plan->root.gaps;
  } else {
    GRIDKE_ASSIGN_OR_RETURN(auto plan, build_post_plan(net, proactive, recipients, options));
    if (proactive->pattern) collect_post(plan->steps, *proactive->pattern, 0, out.steps, contacted);
  }
  // Every other KI that could be a partner: ANSWER/REACT for an ASK, REACT for a POST.
  for (const auto& [id, kb] : net.kbs) {
    for (const KiPtr& ki : kb->kis) {
      const bool candidate_kind = is_ask ? (ki->kind() == ki::KiKind::answer ||
                                            (ki->kind() == ki::KiKind::react && ki->result))
                                         : ki->kind() == ki::KiKind::react;
      if (!candidate_kind || contacted.count(ki.get()) != 0) continue;
      NearMiss miss;
      miss.knowledge_base = ki->kb;
      miss.knowledge_interaction = ki->id;
      miss.name = ki->definition.name;
      miss.kind = ki->kind();
      const auto& kbs = recipients.knowledge_bases;
      if (ki->kb == proactive->kb) {
        miss.reason = "it belongs to the same knowledge base; a KB never receives its own " +
                      std::string(is_ask ? "ASK" : "POST");
      } else if (!kbs.empty() && std::find(kbs.begin(), kbs.end(), ki->kb) == kbs.end()) {
        miss.reason = "its knowledge base is not in the recipient selector";
      } else if (!ki::acts_compatible(proactive->definition.act, ki->definition.act)) {
        miss.reason =
            "the communicative acts do not fit: this KI requires [" +
            purposes_text(proactive->definition.act.required_purposes) + "] and satisfies [" +
            purposes_text(proactive->definition.act.satisfied_purposes) +
            "], the other requires [" + purposes_text(ki->definition.act.required_purposes) +
            "] and satisfies [" + purposes_text(ki->definition.act.satisfied_purposes) + "]";
      } else if (!is_ask) {
        if (!ki->pattern) {
          miss.reason = "it has no argument pattern";
        } else {
          describe_difference(*ki->pattern, *proactive->pattern, miss);
          if (!miss.unmatched.empty()) {
            miss.reason = "its argument needs " + std::to_string(miss.unmatched.size()) +
                          " triple(s) the POST does not send";
          } else if (out.level == 1) {
            miss.reason =
                "at level 1 the POST argument must match the REACT argument both "
                "ways, and the POST sends " +
                std::to_string(miss.extra.size()) + " triple(s) it does not take";
          } else {
            miss.reason = "its argument matches, but planning did not select it";
          }
        }
      } else {
        const auto& supplied = ki->kind() == ki::KiKind::react ? *ki->result : *ki->pattern;
        describe_difference(*proactive->pattern, supplied, miss);
        const std::size_t total = proactive->pattern->size();
        const std::size_t covered = total - miss.unmatched.size();
        if (covered == 0) {
          miss.reason = "none of its triples matches a triple of the ASK";
        } else if (ki->kind() == ki::KiKind::react && out.level == 1) {
          miss.reason = "a REACT serves an ASK only as a converter, from level 2 on";
        } else if (ki->kind() == ki::KiKind::react) {
          miss.reason = "its result supplies " + std::to_string(covered) + " of " +
                        std::to_string(total) +
                        " ASK triple(s), but its argument (premise) cannot be supplied";
        } else if (out.level == 1 && covered < total) {
          miss.reason = "it covers " + std::to_string(covered) + " of " + std::to_string(total) +
                        " ASK triple(s); level 1 needs one KI to cover the whole ASK";
        } else {
          miss.reason = "it covers " + std::to_string(covered) + " of " + std::to_string(total) +
                        " ASK triple(s), and nobody supplies the rest";
        }
      }
      if (ki->kb != proactive->kb && out.level < 5) {
        for (int level = out.level + 1; level <= 5; ++level) {
          const bool reached =
              is_ask ? contacted_in(build_ask_plan(net, proactive, recipients, options, level),
                                    ki.get())
                     : contacted_in(build_post_plan(net, proactive, recipients, options, level),
                                    ki.get());
          if (reached) {
            miss.matches_at_level = level;
            miss.reason += "; it would be contacted at level " + std::to_string(level);
            break;
          }
        }
      }
      out.near_misses.push_back(std::move(miss));
    }
  }
  // Closest first: those that would match at some level, then by how many triples differ.
  std::stable_sort(
      out.near_misses.begin(), out.near_misses.end(), [](const NearMiss& a, const NearMiss& b) {
        const bool la = a.matches_at_level.has_value();
        const bool lb = b.matches_at_level.has_value();
        if (la != lb) return la;
        return a.unmatched.size() + a.extra.size() < b.unmatched.size() + b.extra.size();
      });
  return out;
}

}  // namespace detail

Result<PlanExplanation> EmbeddedEngine::explain(std::string_view kb, std::string_view ki,
                                                const RecipientSelector& recipients) const {
  auto net = core_->network();
  if (net->kbs.find(kb) == net->kbs.end()) {
    return not_found("Smart connector not found, because its ID is unknown.", std::string(kb));
  }
  auto it = net->kis.find(ki);
  if (it == net->kis.end() || it->second->kb != kb) {
    return not_found("Knowledge Interaction not found, because its ID is unknown.",
                     std::string(ki));
  }
  if (!ki::is_proactive(it->second->kind())) {
    return invalid_argument("Only ASK and POST knowledge interactions have a plan; " +
                            std::string(ki) + " is " +
                            std::string(ki::short_name(it->second->kind())) + ".");
  }
  return detail::explain_plan(*net, it->second, recipients, core_->options);
}

std::string to_text(const PlanExplanation& e) {
  std::ostringstream out;
  out << ki::short_name(e.kind) << " " << e.knowledge_interaction << "\n  of " << e.knowledge_base
      << ", matching level " << e.level << ", network version " << e.network_version << "\n";
  out << "\nPlan (" << e.steps.size() << " contact" << (e.steps.size() == 1 ? "" : "s") << "):\n";
  if (e.steps.empty()) out << "  nobody would be contacted\n";
  for (const auto& s : e.steps) {
    const std::string indent(2 + 2 * static_cast<std::size_t>(s.depth), ' ');
    out << indent << "- " << s.role << " " << s.knowledge_interaction << "\n";
    if (!s.covers.empty()) {
      out << indent << "  " << (e.kind == ki::KiKind::ask ? "supplies: " : "takes: ");
      for (std::size_t i = 0; i < s.covers.size(); ++i) out << (i ? "; " : "") << s.covers[i];
      out << "\n";
    }
    if (!s.variable_map.empty()) {
      out << indent << "  variables: ";
      for (std::size_t i = 0; i < s.variable_map.size(); ++i) {
        out << (i ? ", " : "") << s.variable_map[i].first << " -> " << s.variable_map[i].second;
      }
      out << "\n";
    }
  }
  out << "\nNear misses (" << e.near_misses.size() << "):\n";
  if (e.near_misses.empty()) out << "  none\n";
  for (const auto& m : e.near_misses) {
    out << "  - " << ki::short_name(m.kind) << " " << m.knowledge_interaction
        << "\n    why: " << m.reason << "\n";
    for (const auto& t : m.unmatched) out << "    missing: " << t << "\n";
    for (const auto& t : m.extra) out << "    extra:   " << t << "\n";
  }
  if (e.kind == ki::KiKind::ask) {
    out << "\nKnowledge gaps (if nobody answers): ";
    if (e.gaps.empty()) out << "none\n";
    for (std::size_t i = 0; i < e.gaps.size(); ++i) {
      out << "\n  " << (i ? "or " : "") << "[";
      for (std::size_t k = 0; k < e.gaps[i].size(); ++k) {
        out << (k ? "; " : "") << e.gaps[i][k].to_string();
      }
      out << "]";
    }
    if (!e.gaps.empty()) out << "\n";
  }
  return out.str();
}

}  // namespace gridke::engine
