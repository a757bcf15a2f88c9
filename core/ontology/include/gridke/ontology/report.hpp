#pragma once
// Report: what `gridke validate` found — findings with file, line, column, severity and a one-line
// fix, plus the pairing report (which KIs match which, and the nearest candidate of a KI that
// nothing matches).
// Thread safety: plain values; share const Reports freely.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace gridke::ontology {

enum class Severity : std::uint8_t {
  error,    ///< The KI will not work as meant (a typo never matches, a peer rejects the data).
  warning,  ///< Probably wrong or fragile; look at it.
  note,     ///< Information (e.g. a term deprecated in a later SAREF version).
};
std::string_view to_string(Severity s) noexcept;

/// One finding. `check` names the rule (e.g. "unknown-term", see docs/ontology-engineers.md).
struct Finding {
  std::string file;
  int line = 0;    ///< 1-based; 0 when the finding is about the whole file.
  int column = 0;  ///< 1-based; 0 when unknown.
  Severity severity = Severity::error;
  std::string check;
  std::string message;
  std::string fix;  ///< One line telling how to fix it.
};

/// A KI the pairing report speaks about.
struct KiRef {
  std::string name;
  std::string kind;  ///< "ASK", "ANSWER", "POST", "REACT".
  std::string file;
};

/// The closest counterpart of a KI nothing matches: how much of the KI's pattern it covers and
/// the triples that differ (full IRIs, variables as written in each pattern).
struct NearestCandidate {
  KiRef candidate;
  int covered = 0;                      ///< triples of the KI's pattern covered by the candidate
  int total = 0;                        ///< triples of the KI's pattern
  std::vector<std::string> only_in_ki;  ///< KI triples the candidate lacks
  std::vector<std::string> only_in_candidate;  ///< candidate triples the KI lacks
};

/// For one KI: the KIs of the opposite side that match it at the level validated.
struct Pairing {
  KiRef ki;
  std::vector<KiRef> matches;
  /// Set for an ASK/POST with no match (and for ANSWER/REACT with no match, as information).
  std::vector<NearestCandidate> nearest;
};

struct Report {
  std::vector<Finding> findings;
  std::vector<Pairing> pairings;
  int level = 2;
  int files = 0;      ///< files read
  int contracts = 0;  ///< contracts (KIs) among them
  int patterns = 0;   ///< bare pattern files among them

  int count(Severity s) const noexcept;
  bool has_errors() const noexcept { return count(Severity::error) > 0; }
};

/// GCC-style text: "file:line:col: error: message [check]" + "  fix: ..." per finding, the
/// pairing report, and a summary line. Notes are listed only when `with_notes`.
std::string format_text(const Report& report, bool with_notes);
/// The same as one JSON object: {"findings": [...], "pairings": [...], "summary": {...}}.
std::string format_json(const Report& report);

}  // namespace gridke::ontology
