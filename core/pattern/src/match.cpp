// Backtracking matcher for graph patterns (NOTES §2.2). The search assigns target triples in
// order to compatible candidate triples (or leaves them uncovered when partial matches are
// allowed) while keeping a node mapping that is consistent and injective both ways.
//
// Why it does not explode where the KE did (issue #696, "7 s for 130,921 matches"): (1) nodes
// are compared as integers with precomputed compatibility tables; (2) with only_biggest a branch
// that leaves a triple uncovered is cut as soon as that triple is provably extendable forever
// (every node pair already in the mapping, or private to that triple on both sides, and no
// other target triple can take the candidate triple), because every leaf below it would be a
// sub-match; (3) a step budget turns any remaining blow-up into a clear error.

#include "gridke/pattern/match.hpp"

#include <algorithm>
#include <functional>
#include <optional>
#include <string>
#include <utility>

namespace gridke::pattern {
namespace {

std::size_t hash_node(const Node& node) {
  if (node.is_variable()) return std::hash<std::string>{}(node.variable()) ^ 0x9e3779b97f4a7c15ULL;
  return node.term().hash();
}

// Two nodes unify when either is a variable, or both are terms of the same value.
bool nodes_unify(const CompiledPattern& a, int ia, const CompiledPattern& b, int ib) {
  if (a.is_variable(ia) || b.is_variable(ib)) return true;
  const rdf::Term& ta = a.node(ia).term();
  const rdf::Term& tb = b.node(ib).term();
  if (a.node_hash(ia) == b.node_hash(ib) && ta == tb) return true;
  // Only literals can be equal in value without being equal terms.
  return ta.is_literal() && tb.is_literal() && ta.same_value_as(tb);
}

std::string sizes_text(const CompiledPattern& target, const CompiledPattern& candidate) {
  return "a target pattern of " + std::to_string(target.size()) +
         " triple(s) against a candidate of " + std::to_string(candidate.size()) + " triple(s)";
}

class Search {
 public:
  Search(const CompiledPattern& target, const CompiledPattern& candidate,
         const MatchOptions& options, bool stop_at_first = false)
      : t_(target), c_(candidate), opt_(options), stop_at_first_(stop_at_first) {
    const std::size_t nt = t_.size();
    const std::size_t nc = c_.size();
    // Node compatibility, computed lazily: 0 unknown, 1 yes, 2 no.
    node_ok_.assign(t_.node_count() * c_.node_count(), 0);
    cand_users_.assign(nc, 0);
    compatible_.resize(nt);
    for (std::size_t i = 0; i < nt; ++i) {
      for (std::size_t j = 0; j < nc; ++j) {
        bool ok = true;
        for (int p = 0; p < 3 && ok; ++p) ok = node_ok(t_.triples()[i][p], c_.triples()[j][p]);
        if (ok) {
          ++cand_users_[j];
          compatible_[i].push_back(static_cast<int>(j));
        }
      }
    }
    t2c_.assign(t_.node_count(), -1);
    c2t_.assign(c_.node_count(), -1);
    assign_.assign(nt, -1);
    cand_used_.assign(nc, 0);
  }

  Result<std::vector<PatternMatch>> run() {
    if (opt_.require_full) {
      for (const auto& list : compatible_) {
        if (list.empty()) return std::vector<PatternMatch>{};
      }
    }
    recurse(0);
    if (failed_) return std::move(*failed_);
    return std::move(out_);
  }

 private:
  bool node_ok(int a, int b) {
    auto& cell =
        node_ok_[static_cast<std::size_t>(a) * c_.node_count() + static_cast<std::size_t>(b)];
    if (cell == 0) cell = nodes_unify(t_, a, c_, b) ? 1 : 2;
    return cell == 1;
  }

  // Binds the three node pairs of target triple i to candidate triple j; records the new
  // pairs in `bound` for undo. Returns false (with nothing bound) on a conflict.
  bool bind(std::size_t i, int j, std::array<int, 3>& bound, int& nbound) {
    nbound = 0;
    const auto& tt = t_.triples()[i];
    const auto& ct = c_.triples()[static_cast<std::size_t>(j)];
    for (int p = 0; p < 3; ++p) {
      const int a = tt[p];
      const int b = ct[p];
      if (t2c_[a] == b) continue;
      if (t2c_[a] != -1 || c2t_[b] != -1) {
        unbind(bound, nbound);
        return false;
      }
      t2c_[a] = b;
      c2t_[b] = a;
      bound[nbound++] = a;
    }
    return true;
  }

  void unbind(const std::array<int, 3>& bound, int nbound) {
    for (int k = 0; k < nbound; ++k) {
      c2t_[t2c_[bound[k]]] = -1;
      t2c_[bound[k]] = -1;
    }
  }

  // True when target triple i can be added to the current mapping with candidate triple j.
  bool extendable_with(std::size_t i, int j) const {
    if (opt_.one_to_one && cand_used_[j]) return false;
    const auto& tt = t_.triples()[i];
    const auto& ct = c_.triples()[static_cast<std::size_t>(j)];
    std::array<std::pair<int, int>, 3> fresh{};
    int nfresh = 0;
    for (int p = 0; p < 3; ++p) {
      const int a = tt[p];
      const int b = ct[p];
      if (t2c_[a] == b) continue;
      if (t2c_[a] != -1 || c2t_[b] != -1) return false;
      // The same fresh node twice in one triple must map consistently.
      for (int k = 0; k < nfresh; ++k) {
        if ((fresh[k].first == a) != (fresh[k].second == b)) return false;
      }
      fresh[nfresh++] = {a, b};
    }
    return true;
  }

  // True when target triple i (left uncovered) can be added now and no later decision can
  // ever take that possibility away, so every leaf below is a sub-match.
  bool extendable_forever(std::size_t i) const {
    for (int j : compatible_[i]) {
      if (opt_.one_to_one && (cand_used_[j] || cand_users_[j] != 1)) continue;
      if (!extendable_with(i, j)) continue;
      const auto& tt = t_.triples()[i];
      const auto& ct = c_.triples()[static_cast<std::size_t>(j)];
      bool settled = true;
      for (int p = 0; p < 3 && settled; ++p) {
        const int a = tt[p];
        const int b = ct[p];
        if (t2c_[a] == b) continue;
        settled = t_.occurrences(a) == 1 && c_.occurrences(b) == 1;
      }
      if (settled) return true;
    }
    return false;
  }

  bool skipped_prunable() const {
    for (std::size_t k : skipped_) {
      if (extendable_forever(k)) return true;
    }
    return false;
  }

  void emit() {
    std::uint64_t covered = 0;
    for (std::size_t i = 0; i < assign_.size(); ++i) {
      if (assign_[i] >= 0) covered |= (std::uint64_t{1} << i);
    }
    if (covered == 0) return;
    if (opt_.only_biggest) {
      for (std::size_t k : skipped_) {
        for (int j : compatible_[k]) {
          if (extendable_with(k, j)) return;
        }
      }
    }
    if (out_.size() >= opt_.max_matches) {
      failed_ = Error(ErrorCode::failed_precondition,
                      "graph pattern matching found more than " + std::to_string(opt_.max_matches) +
                          " matches for " + sizes_text(t_, c_) +
                          "; raise the combination limit or use reasoner level 1");
      return;
    }
    PatternMatch m;
    m.triple_map = assign_;
    m.covered = covered;
    for (std::size_t a = 0; a < t2c_.size(); ++a) {
      if (t2c_[a] >= 0) m.node_pairs.emplace_back(static_cast<int>(a), t2c_[a]);
    }
    out_.push_back(std::move(m));
    if (stop_at_first_) stopped_ = true;
  }

  void recurse(std::size_t i) {
    if (failed_ || stopped_) return;
    if (++steps_ > opt_.max_steps) {
      failed_ = Error(ErrorCode::failed_precondition,
                      "graph pattern matching gave up after " + std::to_string(opt_.max_steps) +
                          " candidate combinations for " + sizes_text(t_, c_) +
                          "; raise the combination limit or use reasoner level 1");
      return;
    }
    if (i == assign_.size()) {
      emit();
      return;
    }
    for (int j : compatible_[i]) {
      if (opt_.one_to_one && cand_used_[j]) continue;
      std::array<int, 3> bound{};
      int nbound = 0;
      if (!bind(i, j, bound, nbound)) continue;
      assign_[i] = j;
      cand_used_[j] = 1;
      if (!(opt_.only_biggest && skipped_prunable())) recurse(i + 1);
      cand_used_[j] = 0;
      assign_[i] = -1;
      unbind(bound, nbound);
      if (failed_ || stopped_) return;
    }
    if (opt_.require_full) return;
    skipped_.push_back(i);
    if (!(opt_.only_biggest && extendable_forever(i))) recurse(i + 1);
    skipped_.pop_back();
  }

  const CompiledPattern& t_;
  const CompiledPattern& c_;
  const MatchOptions& opt_;
  const bool stop_at_first_;
  bool stopped_ = false;
  std::vector<char> node_ok_;
  std::vector<int> cand_users_;               // target triples compatible with each candidate
  std::vector<std::vector<int>> compatible_;  // per target triple: compatible candidate triples
  std::vector<int> t2c_;
  std::vector<int> c2t_;
  std::vector<int> assign_;
  std::vector<char> cand_used_;
  std::vector<std::size_t> skipped_;
  std::vector<PatternMatch> out_;
  std::size_t steps_ = 0;
  std::optional<Error> failed_;
};

}  // namespace

MatchFlags MatchFlags::for_level(int level, MatchDirection direction) {
  const bool backward = direction == MatchDirection::backward;
  switch (level) {
    case 1: return {true, true, true, true};
    case 2: return {true, true, false, backward};
    case 3: return {false, true, false, backward};
    case 4: return {false, true, false, false};
    default: return {false, false, false, false};
  }
}

CompiledPattern::CompiledPattern(GraphPattern pattern) : pattern_(std::move(pattern)) {
  triples_.reserve(pattern_.size());
  auto index_of = [this](const Node& node) {
    const std::size_t h = hash_node(node);
    for (std::size_t k = 0; k < nodes_.size(); ++k) {
      if (hashes_[k] == h && nodes_[k] == node) {
        ++occurrences_[k];
        return static_cast<int>(k);
      }
    }
    nodes_.push_back(node);
    hashes_.push_back(h);
    texts_.push_back(node.to_string());
    occurrences_.push_back(1);
    return static_cast<int>(nodes_.size() - 1);
  };
  for (const auto& t : pattern_.triples()) {
    triples_.push_back({index_of(t.subject), index_of(t.predicate), index_of(t.object)});
  }
}

std::uint64_t CompiledPattern::full_mask() const noexcept {
  return triples_.size() >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << triples_.size()) - 1;
}

int CompiledPattern::variable_index(std::string_view name) const {
  for (std::size_t k = 0; k < nodes_.size(); ++k) {
    if (nodes_[k].is_variable() && nodes_[k].variable() == name) return static_cast<int>(k);
  }
  return -1;
}

std::vector<std::string> CompiledPattern::variables_in(std::uint64_t mask) const {
  std::vector<std::string> names;
  for (std::size_t i = 0; i < triples_.size(); ++i) {
    if (!(mask & (std::uint64_t{1} << i))) continue;
    for (int n : triples_[i]) {
      if (is_variable(n) && !node(n).is_blank_variable()) names.push_back(node(n).variable());
    }
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

Result<void> check_matchable(const GraphPattern& pattern) {
  if (pattern.size() > CompiledPattern::max_triples) {
    return invalid_argument("graph pattern has " + std::to_string(pattern.size()) +
                            " triples; the matcher supports at most " +
                            std::to_string(CompiledPattern::max_triples));
  }
  return ok();
}

int PatternMatch::image_of(int target_node) const {
  auto it =
      std::lower_bound(node_pairs.begin(), node_pairs.end(), std::pair<int, int>{target_node, -1});
  if (it != node_pairs.end() && it->first == target_node) return it->second;
  return -1;
}

Result<std::vector<PatternMatch>> find_matches(const CompiledPattern& target,
                                               const CompiledPattern& candidate,
                                               const MatchOptions& options) {
  if (target.size() > CompiledPattern::max_triples ||
      candidate.size() > CompiledPattern::max_triples) {
    return invalid_argument("graph patterns of more than " +
                            std::to_string(CompiledPattern::max_triples) +
                            " triples cannot be matched (" + sizes_text(target, candidate) + ")");
  }
  if (target.size() == 0 || candidate.size() == 0) return std::vector<PatternMatch>{};
  Search search(target, candidate, options);
  return search.run();
}

Result<bool> fully_matches(const CompiledPattern& target, const CompiledPattern& candidate,
                           const MatchOptions& options) {
  if (target.size() > CompiledPattern::max_triples ||
      candidate.size() > CompiledPattern::max_triples) {
    return invalid_argument("graph patterns of more than " +
                            std::to_string(CompiledPattern::max_triples) +
                            " triples cannot be matched (" + sizes_text(target, candidate) + ")");
  }
  if (target.size() == 0 || candidate.size() == 0) return false;
  MatchOptions full = options;
  full.require_full = true;
  Search search(target, candidate, full, /*stop_at_first=*/true);
  GRIDKE_ASSIGN_OR_RETURN(auto matches, search.run());
  return !matches.empty();
}

BindingSet to_candidate(const BindingSet& target_bindings, const CompiledPattern& target,
                        const CompiledPattern& candidate, const PatternMatch& match) {
  // Constants of the target that meet candidate variables constrain every outgoing binding.
  Binding constants;
  for (const auto& [a, b] : match.node_pairs) {
    if (!target.is_variable(a) && candidate.is_variable(b) &&
        !candidate.node(b).is_blank_variable()) {
      constants.set(candidate.node(b).variable(), target.node(a).term());
    }
  }
  BindingSet out;
  if (target_bindings.empty()) {
    if (!constants.empty()) out.insert(std::move(constants));
    return out;
  }
  out.reserve(target_bindings.size());
  for (const Binding& in : target_bindings) {
    Binding b;
    b.reserve(constants.size() + in.size());
    b = constants;
    bool keep = true;
    for (const auto& [name, value] : in.values()) {
      const int a = target.variable_index(name);
      if (a < 0) continue;
      const int image = match.image_of(a);
      if (image < 0) continue;
      if (candidate.is_variable(image)) {
        if (!candidate.node(image).is_blank_variable()) {
          b.set(candidate.node(image).variable(), value);
        }
      } else if (!candidate.node(image).term().same_value_as(value)) {
        keep = false;
        break;
      }
    }
    if (keep) out.insert(std::move(b));
  }
  return out;
}

bool translation_is_identity(const CompiledPattern& target, const CompiledPattern& candidate,
                             const PatternMatch& match) {
  std::size_t mapped_vars = 0;
  for (const auto& [a, c] : match.node_pairs) {
    const bool tv = target.is_variable(a);
    const bool cv = candidate.is_variable(c);
    if (tv != cv) return false;
    if (!tv) continue;
    if (target.node(a).variable() != candidate.node(c).variable()) return false;
    ++mapped_vars;
  }
  std::size_t candidate_vars = 0;
  for (std::size_t k = 0; k < candidate.node_count(); ++k) {
    if (candidate.is_variable(static_cast<int>(k))) ++candidate_vars;
  }
  return mapped_vars == candidate_vars;
}

namespace {

// The value of `name` in `row`, or nullptr. Rows of one set usually have the same variables, so
// `at` (the position where the name was last found) is tried before a binary search.
const rdf::Term* value_in_row(const Binding& row, const std::string& name, std::size_t& at) {
  const auto& values = row.values();
  if (at < values.size()) {
    const std::string& seen = values[at].first;
    // Inlined comparison: names are short, a memcmp call costs more than the bytes.
    bool same = seen.size() == name.size();
    for (std::size_t i = 0; same && i < name.size(); ++i) same = seen[i] == name[i];
    if (same) return &values[at].second;
  }
  const rdf::Term* value = row.find(name);
  if (value != nullptr) {
    // The pair holding `value`: its position in the row's sorted values.
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (&values[i].second == value) {
        at = i;
        break;
      }
    }
  }
  return value;
}

}  // namespace

BindingSet from_candidate(const BindingSet& candidate_rows, const CompiledPattern& target,
                          const CompiledPattern& candidate, const PatternMatch& match) {
  // Resolve the node pairs once per call, not per row. Copies (a candidate value or constant
  // into a target variable) are sorted by target variable, so each row is built by appends.
  struct Copy {
    const std::string* to;      // target variable
    const std::string* from;    // candidate variable, or nullptr ...
    const rdf::Term* constant;  // ... then this candidate constant
    std::size_t at = 0;         // where `from` was in the previous row
  };
  struct Check {
    const std::string* from;    // candidate variable that must be bound ...
    const rdf::Term* expected;  // ... to the same value as this target constant
    std::size_t at = 0;         // where `from` was in the previous row
  };
  std::vector<Copy> copies;
  std::vector<Check> checks;
  copies.reserve(match.node_pairs.size());
  for (const auto& [a, c] : match.node_pairs) {
    // Blank-node variables (`_:b`) are never binding keys: nothing to copy or check.
    if (target.node(a).is_blank_variable() || candidate.node(c).is_blank_variable()) continue;
    const bool tvar = target.is_variable(a);
    if (candidate.is_variable(c)) {
      if (tvar) {
        copies.push_back(
            Copy{&target.node(a).variable(), &candidate.node(c).variable(), nullptr, 0});
      } else {
        checks.push_back(Check{&candidate.node(c).variable(), &target.node(a).term(), 0});
      }
    } else if (tvar) {
      copies.push_back(Copy{&target.node(a).variable(), nullptr, &candidate.node(c).term(), 0});
    }
  }
  std::sort(copies.begin(), copies.end(),
            [](const Copy& x, const Copy& y) { return *x.to < *y.to; });
  BindingSet out;
  out.reserve(candidate_rows.size());
  for (const Binding& row : candidate_rows) {
    bool keep = true;
    for (Check& check : checks) {
      const rdf::Term* value = value_in_row(row, *check.from, check.at);
      if (value == nullptr || !check.expected->same_value_as(*value)) {
        keep = false;
        break;
      }
    }
    if (!keep) continue;
    Binding b;
    b.reserve(copies.size());
    for (Copy& copy : copies) {
      const rdf::Term* value =
          copy.from != nullptr ? value_in_row(row, *copy.from, copy.at) : copy.constant;
      if (value == nullptr) {
        keep = false;
        break;
      }
      b.set(*copy.to, *value);
    }
    if (keep) out.insert(std::move(b));
  }
  return out;
}

}  // namespace gridke::pattern
