#include "gridke/pattern/plan.hpp"

#include <algorithm>
#include <bit>
#include <map>
#include <optional>
#include <set>
#include <utility>

namespace gridke::pattern {
namespace {

// Enumerates the minimal covers of `required` by group masks, with a step budget.
class CoverSearch {
 public:
  CoverSearch(const std::vector<CoverGroup>& groups, std::uint64_t required, std::size_t limit)
      : groups_(groups), required_(required), limit_(limit), by_triple_(64) {
    for (std::size_t g = 0; g < groups_.size(); ++g) {
      std::uint64_t m = groups_[g].covered & required_;
      while (m != 0) {
        by_triple_[static_cast<std::size_t>(std::countr_zero(m))].push_back(g);
        m &= m - 1;
      }
    }
  }

  Result<std::vector<std::vector<std::size_t>>> run() {
    if (required_ != 0) recurse(0);
    if (failed_) return std::move(*failed_);
    return std::vector<std::vector<std::size_t>>(found_.begin(), found_.end());
  }

 private:
  bool minimal() const {
    for (std::size_t skip = 0; skip < chosen_.size(); ++skip) {
      std::uint64_t others = 0;
      for (std::size_t k = 0; k < chosen_.size(); ++k) {
        if (k != skip) others |= groups_[chosen_[k]].covered;
      }
      if ((others & required_) == required_) return false;
    }
    return true;
  }

  void recurse(std::uint64_t covered) {
    if (failed_) return;
    if (++steps_ > limit_) {
      failed_ =
          Error(ErrorCode::failed_precondition,
                "graph pattern matching gave up after " + std::to_string(limit_) +
                    " candidate combinations while combining " + std::to_string(groups_.size()) +
                    " partial matches into covers; raise the combination limit or use "
                    "reasoner level 1");
      return;
    }
    if ((covered & required_) == required_) {
      if (minimal()) {
        std::vector<std::size_t> cover = chosen_;
        std::sort(cover.begin(), cover.end());
        found_.insert(std::move(cover));
      }
      return;
    }
    const auto lowest = static_cast<std::size_t>(std::countr_zero(required_ & ~covered));
    for (std::size_t g : by_triple_[lowest]) {
      chosen_.push_back(g);
      recurse(covered | groups_[g].covered);
      chosen_.pop_back();
      if (failed_) return;
    }
  }

  const std::vector<CoverGroup>& groups_;
  std::uint64_t required_;
  std::size_t limit_;
  std::vector<std::vector<std::size_t>> by_triple_;
  std::vector<std::size_t> chosen_;
  std::set<std::vector<std::size_t>> found_;
  std::size_t steps_ = 0;
  std::optional<Error> failed_;
};

std::vector<std::string> keys_of(const BindingSet& set, bool& uniform) {
  std::vector<std::string> keys;
  uniform = true;
  bool first = true;
  for (const Binding& b : set) {
    std::vector<std::string> mine;
    mine.reserve(b.size());
    for (const auto& kv : b.values()) mine.push_back(kv.first);
    if (first) {
      keys = std::move(mine);
      first = false;
    } else if (mine != keys) {
      uniform = false;
      std::vector<std::string> merged;
      std::set_union(keys.begin(), keys.end(), mine.begin(), mine.end(),
                     std::back_inserter(merged));
      keys = std::move(merged);
    }
  }
  return keys;
}

Binding merge(const Binding& a, const Binding& b) {
  Binding out = a;
  for (const auto& [name, value] : b.values()) {
    if (!out.contains(name)) out.set(name, value);
  }
  return out;
}

std::size_t key_hash(const Binding& b, const std::vector<std::string>& shared) {
  std::size_t h = 0x84222325cbf29ce4ULL;
  for (const auto& name : shared) {
    const rdf::Term* t = b.find(name);
    h ^= (t != nullptr ? t->hash() : 0) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  }
  return h;
}

bool same_key(const Binding& a, const Binding& b, const std::vector<std::string>& shared) {
  for (const auto& name : shared) {
    const rdf::Term* x = a.find(name);
    const rdf::Term* y = b.find(name);
    if (x == nullptr || y == nullptr || !(*x == *y)) return false;
  }
  return true;
}

}  // namespace

void PatternIndex::add(std::size_t id, const CompiledPattern& pattern) {
  ids_.push_back(id);
  bool variable = false;
  std::set<std::string> predicates;
  std::set<std::string> var_object;
  std::set<std::string> with_object;
  for (const auto& t : pattern.triples()) {
    if (pattern.is_variable(t[1])) {
      variable = true;
      continue;
    }
    std::string p = pattern.node_text(t[1]);
    if (pattern.is_variable(t[2])) {
      var_object.insert(p);
    } else {
      const rdf::Term& o = pattern.node(t[2]).term();
      // Literals unify by value, so "1"^^xsd:int may meet "1.0"^^xsd:decimal: index literal
      // objects as variables to stay exact.
      if (o.is_literal()) {
        var_object.insert(p);
      } else {
        with_object.insert(p + '\x1f' + pattern.node_text(t[2]));
      }
    }
    predicates.insert(std::move(p));
  }
  if (variable) variable_predicate_.push_back(id);
  for (const auto& k : predicates) by_predicate_[k].push_back(id);
  for (const auto& k : var_object) by_predicate_var_object_[k].push_back(id);
  for (const auto& k : with_object) by_predicate_object_[k].push_back(id);
}

std::vector<std::size_t> PatternIndex::candidates_for(const CompiledPattern& target) const {
  std::vector<std::size_t> out;
  auto append = [&out](const auto& map, const std::string& key) {
    auto it = map.find(key);
    if (it != map.end()) out.insert(out.end(), it->second.begin(), it->second.end());
  };
  for (const auto& t : target.triples()) {
    if (target.is_variable(t[1])) return ids_sorted_unique(ids_);
    const std::string& p = target.node_text(t[1]);
    if (target.is_variable(t[2]) || target.node(t[2]).term().is_literal()) {
      append(by_predicate_, p);
    } else {
      append(by_predicate_var_object_, p);
      append(by_predicate_object_, p + '\x1f' + target.node_text(t[2]));
    }
  }
  out.insert(out.end(), variable_predicate_.begin(), variable_predicate_.end());
  return ids_sorted_unique(std::move(out));
}

std::vector<std::size_t> PatternIndex::ids_sorted_unique(std::vector<std::size_t> ids) {
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

Result<CoverPlan> plan_cover(const CompiledPattern& target,
                             const std::vector<const CompiledPattern*>& candidates,
                             const MatchFlags& flags, const CoverLimits& limits) {
  GRIDKE_TRY(check_matchable(target.pattern()));
  CoverPlan plan;
  MatchOptions options;
  options.one_to_one = flags.one_to_one;
  options.only_biggest = flags.only_biggest;
  options.require_full = flags.single_rule;
  options.max_steps = limits.max_match_steps;
  options.max_matches = limits.max_combinations;
  std::map<std::uint64_t, std::size_t> group_of;
  std::uint64_t coverable = 0;
  for (std::size_t k = 0; k < candidates.size(); ++k) {
    GRIDKE_ASSIGN_OR_RETURN(auto matches, find_matches(target, *candidates[k], options));
    for (auto& m : matches) {
      auto [it, inserted] = group_of.try_emplace(m.covered, plan.groups.size());
      if (inserted) plan.groups.push_back(CoverGroup{m.covered, {}});
      plan.groups[it->second].sources.push_back(plan.sources.size());
      coverable |= m.covered;
      plan.sources.push_back(CoverSource{k, std::move(m)});
    }
  }
  const std::uint64_t full = target.full_mask();
  plan.uncovered = full & ~coverable;
  if (flags.single_rule) {
    for (std::size_t g = 0; g < plan.groups.size(); ++g) {
      if (plan.groups[g].covered == full) plan.covers.push_back({g});
    }
    return plan;
  }
  if (flags.fully_covered && plan.uncovered != 0) return plan;
  const std::uint64_t required = flags.fully_covered ? full : coverable;
  CoverSearch search(plan.groups, required, limits.max_combinations);
  GRIDKE_ASSIGN_OR_RETURN(plan.covers, search.run());
  return plan;
}

BindingSet join(const BindingSet& a, const BindingSet& b) {
  BindingSet out;
  if (a.empty() || b.empty()) return out;
  bool uniform_a = true;
  bool uniform_b = true;
  const auto keys_a = keys_of(a, uniform_a);
  const auto keys_b = keys_of(b, uniform_b);
  std::vector<std::string> shared;
  std::set_intersection(keys_a.begin(), keys_a.end(), keys_b.begin(), keys_b.end(),
                        std::back_inserter(shared));
  if (!uniform_a || !uniform_b || shared.empty()) {
    // Bindings with differing keys: compatibility decides (an absent variable fits anything).
    for (const Binding& x : a) {
      for (const Binding& y : b) {
        if (x.is_compatible_with(y)) out.insert(merge(x, y));
      }
    }
    return out;
  }
  std::unordered_multimap<std::size_t, const Binding*> table;
  table.reserve(b.size());
  for (const Binding& y : b) table.emplace(key_hash(y, shared), &y);
  for (const Binding& x : a) {
    auto [lo, hi] = table.equal_range(key_hash(x, shared));
    for (auto it = lo; it != hi; ++it) {
      if (same_key(x, *it->second, shared)) out.insert(merge(x, *it->second));
    }
  }
  return out;
}

BindingSet evaluate_cover(const CoverPlan& plan, const std::vector<const BindingSet*>& rows) {
  BindingSet out;
  // The common case, one cover of one group (every answerer covers the whole ASK): union the
  // sources straight into the result, without an intermediate group set.
  if (plan.covers.size() == 1 && plan.covers[0].size() == 1) {
    for (std::size_t s : plan.groups[plan.covers[0][0]].sources) {
      if (rows[s] != nullptr) out.insert_all(*rows[s]);
    }
    return out;
  }
  std::vector<std::optional<BindingSet>> group_rows(plan.groups.size());
  auto rows_of = [&](std::size_t g) -> const BindingSet& {
    if (!group_rows[g]) {
      BindingSet u;
      for (std::size_t s : plan.groups[g].sources) {
        if (rows[s] != nullptr) u.insert_all(*rows[s]);
      }
      group_rows[g] = std::move(u);
    }
    return *group_rows[g];
  };
  for (const auto& cover : plan.covers) {
    if (cover.empty()) continue;
    if (cover.size() == 1) {
      out.insert_all(rows_of(cover[0]));
      continue;
    }
    BindingSet acc = rows_of(cover[0]);
    for (std::size_t k = 1; k < cover.size() && !acc.empty(); ++k)
      acc = join(acc, rows_of(cover[k]));
    out.insert_all(acc);
  }
  return out;
}

}  // namespace gridke::pattern
