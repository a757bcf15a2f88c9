#pragma once
// KnowledgeInteraction: what a knowledge base declares it can ask, answer, post or react to.
// Thread safety: immutable value type, share freely.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gridke/base/result.hpp"
#include "gridke/pattern/graph_pattern.hpp"

namespace gridke::ki {

enum class KiKind : std::uint8_t { ask, answer, post, react };

/// "AskKnowledgeInteraction", ... (the KE REST `knowledgeInteractionType` values).
std::string_view to_string(KiKind kind) noexcept;
/// "ASK", "ANSWER", "POST", "REACT": the short form used in messages and reports.
std::string_view short_name(KiKind kind) noexcept;
/// Inverse of to_string(); nullopt for anything else.
std::optional<KiKind> parse_ki_kind(std::string_view text) noexcept;
inline bool is_proactive(KiKind k) noexcept { return k == KiKind::ask || k == KiKind::post; }

/// Required and satisfied purposes (IRIs of the KE ontology, or user IRIs). Default: Inform/Inform.
struct CommunicativeAct {
  std::vector<std::string> required_purposes;
  std::vector<std::string> satisfied_purposes;
  static CommunicativeAct inform();
  friend bool operator==(const CommunicativeAct&, const CommunicativeAct&) = default;
};

/// True when a proactive KI's act and a reactive KI's act fit both ways (NOTES §2.1 step 3):
/// every required purpose of each side is met by a satisfied purpose of the other that is the
/// same class or a subclass of it, using the subclass hierarchy of the KE ontology
/// (InformPurpose ⊒ New/Changed/Removed/RetrieveKnowledge; Purpose ⊒ every KE purpose). So a
/// satisfied NewKnowledgePurpose meets a required InformPurpose, not the other way round.
/// Unknown purpose IRIs match only themselves.
bool acts_compatible(const CommunicativeAct& proactive, const CommunicativeAct& reactive);

/// The definition of a knowledge interaction, as registered.
struct KnowledgeInteraction {
  KiKind kind = KiKind::ask;
  /// Optional name, `[a-zA-Z0-9-]*`, unique per knowledge base; it becomes the id suffix.
  std::string name;
  /// The prefixes the patterns were written with (kept for display; patterns hold full IRIs).
  pattern::PrefixMap prefixes;
  /// ASK/ANSWER: the graph pattern. POST/REACT: the argument pattern (may be absent when a
  /// result pattern is given).
  std::optional<pattern::GraphPattern> pattern;
  /// POST/REACT only: the result pattern.
  std::optional<pattern::GraphPattern> result_pattern;
  CommunicativeAct act = CommunicativeAct::inform();
  bool knowledge_gaps_enabled = false;
  bool include_meta_kis = false;
  /// Per-KI matching level 1..5 overriding the knowledge base's (the KE's MatchStrategy).
  std::optional<int> match_level;

  /// Checks the definition with the TNO messages (NOTES §1.4 POST /sc/ki): a name outside
  /// `[a-zA-Z0-9-]*`, "graphPattern must be given for ASK knowledge interactions." (ANSWER
  /// likewise), "At least one of argumentGraphPattern and resultGraphPattern must be given for
  /// POST knowledge interactions." (REACT likewise), a result pattern on ASK/ANSWER, an empty
  /// purpose list. Errors: invalid_argument.
  Result<void> validate() const;

  static KnowledgeInteraction ask(pattern::GraphPattern gp, std::string name = {});
  static KnowledgeInteraction answer(pattern::GraphPattern gp, std::string name = {});
  static KnowledgeInteraction post(std::optional<pattern::GraphPattern> argument,
                                   std::optional<pattern::GraphPattern> result = std::nullopt,
                                   std::string name = {});
  static KnowledgeInteraction react(std::optional<pattern::GraphPattern> argument,
                                    std::optional<pattern::GraphPattern> result = std::nullopt,
                                    std::string name = {});
};

}  // namespace gridke::ki
