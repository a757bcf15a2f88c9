#pragma once
// Graph-pattern matching as the TNO Knowledge Engine 1.5 does it (NOTES §2.2): triple patterns
// unify position by position (variable↔variable, variable↔term in both directions, term↔term by
// value equality), and a match is a consistent, injective mapping of target nodes onto candidate
// nodes. Variable names and triple order do not matter.
// Thread safety: CompiledPattern and PatternMatch are immutable values; find_matches() and the
// translation functions are pure and may run concurrently.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "gridke/base/result.hpp"
#include "gridke/pattern/binding.hpp"
#include "gridke/pattern/graph_pattern.hpp"

namespace gridke::pattern {

/// The side of a rule a pattern is matched against: backward (an ASK's pattern, a rule's
/// antecedent) or forward (a POST's argument, a rule's consequent).
enum class MatchDirection : std::uint8_t { backward, forward };

/// The KE's match flags (`MatchStrategy.toConfig`):
/// - one_to_one: each candidate triple is used at most once in a match;
/// - only_biggest: only maximal matches are kept (no sub-matches: TNO issue #696);
/// - single_rule: a target is covered by one candidate alone (no combining of KIs);
/// - fully_covered: every target triple must be covered.
struct MatchFlags {
  bool one_to_one = true;
  bool only_biggest = true;
  bool single_rule = false;
  bool fully_covered = true;

  /// The flags of reasoner level 1..5 (NOTES §2.2 table). REQUIRES: 1 <= level <= 5.
  static MatchFlags for_level(int level, MatchDirection direction);
  friend bool operator==(const MatchFlags&, const MatchFlags&) = default;
};

/// A graph pattern prepared for matching: distinct nodes numbered, triples as node indices.
/// Compile once per registered KI; matching then compares integers and hashes.
class CompiledPattern {
 public:
  /// REQUIRES: pattern.size() <= max_triples.
  explicit CompiledPattern(GraphPattern pattern);

  /// Match masks are 64-bit, so a pattern may hold at most 64 triples.
  static constexpr std::size_t max_triples = 64;

  const GraphPattern& pattern() const noexcept { return pattern_; }
  std::size_t node_count() const noexcept { return nodes_.size(); }
  const Node& node(int index) const { return nodes_[static_cast<std::size_t>(index)]; }
  bool is_variable(int index) const {
    return nodes_[static_cast<std::size_t>(index)].is_variable();
  }
  std::size_t node_hash(int index) const { return hashes_[static_cast<std::size_t>(index)]; }
  /// The node's text (`?x`, `<iri>`, `"lit"^^<dt>`), computed once; used as an index key.
  const std::string& node_text(int index) const { return texts_[static_cast<std::size_t>(index)]; }
  /// How many triple positions hold this node.
  int occurrences(int index) const { return occurrences_[static_cast<std::size_t>(index)]; }
  const std::vector<std::array<int, 3>>& triples() const noexcept { return triples_; }
  std::size_t size() const noexcept { return triples_.size(); }
  /// Bit mask with one bit per triple.
  std::uint64_t full_mask() const noexcept;
  /// Index of the node of variable `name`, or -1.
  int variable_index(std::string_view name) const;
  /// Names of the variables that occur in the triples selected by `mask`, sorted.
  std::vector<std::string> variables_in(std::uint64_t mask) const;

 private:
  GraphPattern pattern_;
  std::vector<Node> nodes_;
  std::vector<std::size_t> hashes_;
  std::vector<std::string> texts_;
  std::vector<int> occurrences_;
  std::vector<std::array<int, 3>> triples_;
};

/// Checks that a pattern fits the matcher. Errors: invalid_argument naming the size.
Result<void> check_matchable(const GraphPattern& pattern);

/// One way (part of) a target pattern maps onto a candidate pattern.
struct PatternMatch {
  /// For each target triple, the candidate triple it maps to, or -1 when not covered.
  std::vector<int> triple_map;
  /// Bit i set when target triple i is covered.
  std::uint64_t covered = 0;
  /// (target node index, candidate node index) for every node of a covered target triple,
  /// sorted by target node index. Injective in both directions.
  std::vector<std::pair<int, int>> node_pairs;

  bool is_full(const CompiledPattern& target) const { return covered == target.full_mask(); }
  /// Candidate node index a target node maps to, or -1.
  int image_of(int target_node) const;
  friend bool operator==(const PatternMatch&, const PatternMatch&) = default;
};

struct MatchOptions {
  bool one_to_one = true;
  /// Keep only matches that cannot be extended by another triple.
  bool only_biggest = true;
  /// Only matches that cover every target triple.
  bool require_full = false;
  /// Hard cap on search steps (partial assignments tried); past it find_matches fails
  /// instead of stalling (TNO issue #696: never an exponential stall).
  std::size_t max_steps = 2'000'000;
  /// Hard cap on the number of matches returned.
  std::size_t max_matches = 100'000;
};

/// All matches of `target` onto `candidate` under `options`, in a deterministic order.
/// Errors: failed_precondition when a cap is reached, naming the cap and the pattern sizes.
Result<std::vector<PatternMatch>> find_matches(const CompiledPattern& target,
                                               const CompiledPattern& candidate,
                                               const MatchOptions& options);

/// True when some full match exists (level-1 style test). Errors as find_matches.
Result<bool> fully_matches(const CompiledPattern& target, const CompiledPattern& candidate,
                           const MatchOptions& options);

/// Translates bindings in target variables into the candidate's variables through `match`:
/// each target variable's value goes to its image variable; target constants that map to
/// candidate variables are added as values (they constrain the candidate); a binding whose
/// value contradicts a candidate constant is dropped. Variables outside the covered triples
/// are left out. An empty input set (unconstrained) yields the constants alone, or an empty
/// set when there are none.
BindingSet to_candidate(const BindingSet& target_bindings, const CompiledPattern& target,
                        const CompiledPattern& candidate, const PatternMatch& match);

/// Translates rows in candidate variables into the target's variables of the covered triples.
/// Rows that miss a needed variable or contradict a target constant are dropped.
BindingSet from_candidate(const BindingSet& candidate_rows, const CompiledPattern& target,
                          const CompiledPattern& candidate, const PatternMatch& match);

/// True when from_candidate() would return complete candidate rows unchanged: every pair maps
/// a variable to a variable of the same name, no constant meets a variable, and the candidate
/// has no variable outside the match. Lets callers skip copying large answers.
bool translation_is_identity(const CompiledPattern& target, const CompiledPattern& candidate,
                             const PatternMatch& match);

}  // namespace gridke::pattern
