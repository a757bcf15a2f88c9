#pragma once
// PlanExplanation: what an ASK or POST of one knowledge interaction would do, for `gridke
// explain` and GET /rest/sc/ki/plan (a GridKE extension of the KE REST API). It lists the KIs
// and domain rules the engine would contact (with how variables map), every other KI that could
// have been a partner but is not ("near misses") with the reason — the triples that differ, a
// communicative act that does not fit, a level too low, the recipient selector, its own KB —
// and, for an ASK, the knowledge gaps. See docs/knowledge-network.md.
// Thread safety: plain value types.

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "gridke/engine/exchange.hpp"

namespace gridke::engine {

/// One KI or rule the plan contacts.
struct PlanStep {
  KbId knowledge_base;
  KiId knowledge_interaction;
  std::string name;
  ki::KiKind kind = ki::KiKind::answer;
  /// "answer", "meta", "fact" (supply ASK triples), "converter" (a REACT whose result supplies
  /// ASK triples), "rule" (a domain rule), "react" (fired by a POST).
  std::string role;
  /// 0: serves the proactive KI directly; n: n links down a chain (its output feeds a step of
  /// depth n-1).
  int depth = 0;
  /// The triples (of the pattern this step serves) it covers, as `s p o` text.
  std::vector<std::string> covers;
  /// (node of the served pattern, node of this KI's pattern), e.g. ("?x", "?a"), one match.
  std::vector<std::pair<std::string, std::string>> variable_map;
};

/// A KI that could have been a partner but is not.
struct NearMiss {
  KbId knowledge_base;
  KiId knowledge_interaction;
  std::string name;
  ki::KiKind kind = ki::KiKind::answer;
  /// One sentence, e.g. "its argument needs 1 triple the POST does not send".
  std::string reason;
  /// Triples of the pattern that must be matched with no counterpart in the other (POST: the
  /// REACT argument's; ASK: the ASK's).
  std::vector<std::string> unmatched;
  /// Triples of the other side left over (POST at level 1: what the POST sends in excess).
  std::vector<std::string> extra;
  /// The lowest higher level at which it would be contacted, if any.
  std::optional<int> matches_at_level;
};

struct PlanExplanation {
  KbId knowledge_base;
  KiId knowledge_interaction;
  ki::KiKind kind = ki::KiKind::ask;
  int level = 2;
  std::uint64_t network_version = 0;
  std::vector<PlanStep> steps;
  std::vector<NearMiss> near_misses;
  /// ASK only: the knowledge gaps if nobody answered (NOTES §2.6).
  std::vector<KnowledgeGap> gaps;
};

/// Human-readable report (what `gridke explain` prints).
std::string to_text(const PlanExplanation& explanation);

}  // namespace gridke::engine
