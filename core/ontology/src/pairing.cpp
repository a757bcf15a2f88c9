#include "pairing.hpp"

#include <bit>
#include <memory>
#include <optional>

#include "gridke/pattern/match.hpp"

namespace gridke::ontology::detail {
namespace {

using adapter::Contract;
using ki::KiKind;
using pattern::CompiledPattern;

KiRef ref(const Contract& c) {
  return {c.name, std::string(ki::short_name(c.ki.kind)), c.file.string()};
}

struct Compiled {
  const Contract* contract = nullptr;
  std::unique_ptr<CompiledPattern> argument;  // ASK/ANSWER pattern or POST/REACT argument
  std::unique_ptr<CompiledPattern> result;
};

std::unique_ptr<CompiledPattern> compile(const std::optional<pattern::GraphPattern>& gp) {
  if (!gp || !pattern::check_matchable(*gp).has_value()) return nullptr;
  return std::make_unique<CompiledPattern>(*gp);
}

pattern::MatchOptions full_options() {
  pattern::MatchOptions o;
  o.require_full = true;
  return o;
}

bool covers(const CompiledPattern& target, const CompiledPattern& candidate) {
  auto r = pattern::fully_matches(target, candidate, full_options());
  return r.has_value() && *r;
}

bool isomorphic(const CompiledPattern& a, const CompiledPattern& b) {
  return a.size() == b.size() && covers(a, b) && covers(b, a);
}

bool opposite(KiKind a, KiKind b) {
  return (a == KiKind::ask && b == KiKind::answer) || (a == KiKind::answer && b == KiKind::ask) ||
         (a == KiKind::post && b == KiKind::react) || (a == KiKind::react && b == KiKind::post);
}

// Whether proactive `p` is served by reactive `r` at `level` (see ValidateOptions::level).
bool matches(const Compiled& p, const Compiled& r, int level) {
  if (p.contract->ki.kind == KiKind::ask) {
    if (!p.argument || !r.argument) return false;
    return level == 1 ? isomorphic(*p.argument, *r.argument) : covers(*p.argument, *r.argument);
  }
  // POST → REACT: the REACT argument must be matched; at level 1 exactly.
  if (p.argument && r.argument) {
    if (level == 1 ? !isomorphic(*p.argument, *r.argument) : !covers(*r.argument, *p.argument)) {
      return false;
    }
  } else if (p.argument || r.argument) {
    return false;
  }
  if (p.result) {
    if (!r.result) return false;
    return level == 1 ? isomorphic(*p.result, *r.result) : covers(*p.result, *r.result);
  }
  return true;
}

NearestCandidate nearest_of(const Compiled& ki, const Compiled& cand) {
  NearestCandidate n;
  n.candidate = ref(*cand.contract);
  const CompiledPattern& target = *ki.argument;
  const CompiledPattern& other = *cand.argument;
  n.total = static_cast<int>(target.size());
  pattern::MatchOptions o;
  o.require_full = false;
  o.max_steps = 200'000;
  auto found = pattern::find_matches(target, other, o);
  const pattern::PatternMatch* best = nullptr;
  if (found.has_value()) {
    for (const auto& m : *found) {
      if (best == nullptr || std::popcount(m.covered) > std::popcount(best->covered)) best = &m;
    }
  }
  std::vector<bool> used(other.size(), false);
  for (std::size_t i = 0; i < target.size(); ++i) {
    const int image = best != nullptr ? best->triple_map[i] : -1;
    if (image >= 0) {
      used[static_cast<std::size_t>(image)] = true;
      ++n.covered;
    } else {
      n.only_in_ki.push_back(target.pattern().triples()[i].to_string());
    }
  }
  for (std::size_t j = 0; j < other.size(); ++j) {
    if (!used[j]) n.only_in_candidate.push_back(other.pattern().triples()[j].to_string());
  }
  return n;
}

std::string pattern_location_file(const Contract& c) { return c.file.string(); }

}  // namespace

std::vector<Pairing> pair_contracts(const std::vector<const Contract*>& contracts, int level,
                                    std::vector<Finding>& findings) {
  std::vector<Compiled> all;
  all.reserve(contracts.size());
  for (const Contract* c : contracts) {
    Compiled x;
    x.contract = c;
    x.argument = compile(c->ki.pattern);
    x.result = compile(c->ki.result_pattern);
    all.push_back(std::move(x));
  }
  std::vector<Pairing> out;
  for (const auto& a : all) {
    const Contract& c = *a.contract;
    Pairing pairing;
    pairing.ki = ref(c);
    for (const auto& b : all) {
      if (&a == &b || !opposite(c.ki.kind, b.contract->ki.kind)) continue;
      const bool ok = ki::is_proactive(c.ki.kind) ? matches(a, b, level) : matches(b, a, level);
      if (ok) pairing.matches.push_back(ref(*b.contract));
    }
    if (pairing.matches.empty() && a.argument) {
      std::optional<NearestCandidate> best;
      for (const auto& b : all) {
        if (&a == &b || !opposite(c.ki.kind, b.contract->ki.kind) || !b.argument) continue;
        auto n = nearest_of(a, b);
        const auto extra = n.only_in_ki.size() + n.only_in_candidate.size();
        if (!best || n.covered > best->covered ||
            (n.covered == best->covered &&
             extra < best->only_in_ki.size() + best->only_in_candidate.size())) {
          best = std::move(n);
        }
      }
      const bool proactive = ki::is_proactive(c.ki.kind);
      const std::string other = c.ki.kind == KiKind::ask      ? "ANSWER"
                                : c.ki.kind == KiKind::answer ? "ASK"
                                : c.ki.kind == KiKind::post   ? "REACT"
                                                              : "POST";
      Finding f;
      f.file = pattern_location_file(c);
      f.line = c.pattern_source ? c.pattern_source->line : 1;
      f.column = c.pattern_source ? c.pattern_source->column : 1;
      f.severity = proactive ? Severity::warning : Severity::note;
      f.check = "pairing";
      f.message = "no " + other + " among the validated contracts matches " +
                  std::string(ki::short_name(c.ki.kind)) + " '" + c.name + "' at level " +
                  std::to_string(level);
      if (best) {
        f.message += "; nearest is '" + best->candidate.name + "' (" +
                     std::to_string(best->covered) + " of " + std::to_string(best->total) +
                     " triples covered)";
        std::string diff;
        if (!best->only_in_ki.empty()) diff += "only here: " + best->only_in_ki.front();
        if (!best->only_in_candidate.empty()) {
          diff += std::string(diff.empty() ? "" : "; ") +
                  "only there: " + best->only_in_candidate.front();
        }
        f.fix = diff.empty() ? "align the result patterns of the two contracts"
                             : "align the patterns (" + diff + ")";
        pairing.nearest.push_back(std::move(*best));
      } else {
        f.fix = "add the counterpart contract (" + other + ") with the same pattern";
      }
      findings.push_back(std::move(f));
    }
    out.push_back(std::move(pairing));
  }
  // All REACTs on one argument pattern need one result pattern (KE FAQ).
  for (std::size_t i = 0; i < all.size(); ++i) {
    for (std::size_t j = i + 1; j < all.size(); ++j) {
      const auto& a = all[i];
      const auto& b = all[j];
      if (a.contract->ki.kind != KiKind::react || b.contract->ki.kind != KiKind::react) continue;
      if (!a.argument || !b.argument || !isomorphic(*a.argument, *b.argument)) continue;
      const bool same_result =
          (!a.result && !b.result) || (a.result && b.result && isomorphic(*a.result, *b.result));
      if (same_result) continue;
      findings.push_back({b.contract->file.string(),
                          b.contract->pattern_source ? b.contract->pattern_source->line : 1,
                          b.contract->pattern_source ? b.contract->pattern_source->column : 1,
                          Severity::warning, "result-pattern",
                          "REACT '" + b.contract->name + "' has the argument pattern of REACT '" +
                              a.contract->name + "' but a different result pattern",
                          "give all REACTs on one argument pattern the same result pattern"});
    }
  }
  return out;
}

}  // namespace gridke::ontology::detail
