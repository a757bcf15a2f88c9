#pragma once
// Cover planning and joining: how a target pattern (an ASK, a rule antecedent) is supplied by the
// matches of several candidate patterns (ANSWER KIs, REACT results), and how the rows they supply
// are joined into bindings of the target (NOTES §2.2, levels 1 and 2).
//
// Equivalent covers are recognised instead of enumerated: matches that cover the same set of
// target triples form one group whose rows are the union of its members' rows. A cover is a
// minimal set of groups whose triples together cover the target; since a join distributes over
// a union, joining groups gives the same bindings as joining every combination of members. Five
// identical 5-triple ANSWER KIs (TNO issue #696: 3,125 combinations in the KE) are one group
// with five members and one cover here.
// Thread safety: PatternIndex is const-safe (writers need external sync); the rest are values
// and pure functions.

#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "gridke/base/result.hpp"
#include "gridke/pattern/binding.hpp"
#include "gridke/pattern/match.hpp"

namespace gridke::pattern {

/// Finds the candidates worth matching against a target: those with a triple that could
/// unify with a triple of the target judging by predicate and, when both are concrete, object
/// (so `?x rdf:type saref:Meter` does not pull in every typed pattern). Candidates with a
/// variable predicate are always returned. Ids are small integers chosen by the caller.
class PatternIndex {
 public:
  void add(std::size_t id, const CompiledPattern& pattern);
  /// Sorted, distinct ids of candidates that may match `target`.
  std::vector<std::size_t> candidates_for(const CompiledPattern& target) const;
  std::size_t size() const noexcept { return ids_.size(); }

 private:
  static std::vector<std::size_t> ids_sorted_unique(std::vector<std::size_t> ids);

  // predicate text → candidates having it with any object
  std::unordered_map<std::string, std::vector<std::size_t>> by_predicate_;
  // predicate text → candidates having it with a variable object (fit any target object)
  std::unordered_map<std::string, std::vector<std::size_t>> by_predicate_var_object_;
  // predicate + '\x1f' + literal/IRI object text → candidates with that concrete object
  std::unordered_map<std::string, std::vector<std::size_t>> by_predicate_object_;
  std::vector<std::size_t> variable_predicate_;
  std::vector<std::size_t> ids_;
};

/// One match of a candidate onto the target.
struct CoverSource {
  std::size_t candidate;  ///< index into the candidate list given to plan_cover()
  PatternMatch match;
};

/// Matches that cover the same target triples; their rows are unioned.
struct CoverGroup {
  std::uint64_t covered = 0;
  std::vector<std::size_t> sources;  ///< indices into CoverPlan::sources
};

struct CoverPlan {
  std::vector<CoverSource> sources;
  std::vector<CoverGroup> groups;
  /// Each cover: indices into groups, minimal (no group can be left out).
  std::vector<std::vector<std::size_t>> covers;
  /// Target triples no candidate covers.
  std::uint64_t uncovered = 0;
};

struct CoverLimits {
  /// Hard cap on matches per candidate and on cover-search steps (each partial set of groups
  /// tried counts one). Past it plan_cover() fails instead of stalling.
  std::size_t max_combinations = 100'000;
  /// Hard cap on the matcher's steps per candidate.
  std::size_t max_match_steps = 2'000'000;
};

/// Plans how `candidates` supply `target` under `flags`:
/// - single_rule (level 1): only full matches of one candidate, each a cover on its own;
/// - otherwise: maximal (only_biggest) partial matches grouped by covered triples, and every
///   minimal cover of the target by groups. With fully_covered, a target with an uncovered
///   triple has no cover; without it, covers span the coverable triples.
/// Errors: failed_precondition when a limit is reached (the message names it and the sizes),
/// invalid_argument for patterns over 64 triples.
Result<CoverPlan> plan_cover(const CompiledPattern& target,
                             const std::vector<const CompiledPattern*>& candidates,
                             const MatchFlags& flags, const CoverLimits& limits = {});

/// Natural join of two binding sets on their shared variables (RDF term equality). Bindings
/// that share no variable combine as a cross product.
BindingSet join(const BindingSet& a, const BindingSet& b);

/// Evaluates a plan: `rows[s]` holds the rows source s supplied, already translated into target
/// variables (from_candidate()), or nullptr when it supplied nothing. Returns the union over
/// covers of the join of each cover's groups, each group being the union of its sources' rows.
BindingSet evaluate_cover(const CoverPlan& plan, const std::vector<const BindingSet*>& rows);

}  // namespace gridke::pattern
