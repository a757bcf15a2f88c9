#pragma once
// The per-pattern checks of the validator (NOTES §10 items 2, 4–9, 12): prefixes and near-miss
// namespaces, unknown and deprecated terms, term kinds, literal subjects, domain/range,
// connectivity, placeholders, and example bindings.
// Private to core/ontology. Thread safety: pure functions given a const Ontology.

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gridke/ontology/ontology.hpp"
#include "gridke/ontology/report.hpp"
#include "gridke/pattern/binding.hpp"
#include "pattern_scan.hpp"

namespace gridke::ontology::detail {

/// One pattern text and where it sits in its file.
struct PatternUnit {
  std::string file;
  std::string_view text;
  int origin_line = 1;    ///< file line of the text's first character
  int origin_column = 1;  ///< file column of the text's first character
  pattern::PrefixMap prefixes;
  /// prefix → (line, column) of its declaration in the file.
  std::map<std::string, std::pair<int, int>> prefix_positions;
  std::string role = "pattern";  ///< "pattern", "argument pattern" or "result pattern"
};

/// What the pattern says about each variable, for the example-binding checks.
struct VariableFacts {
  bool subject = false;
  bool needs_iri = false;  ///< object of an object property or of rdf:type
  std::vector<std::string>
      literal_ranges;    ///< datatype ranges of datatype properties it is the object of
  bool literal = false;  ///< object of a datatype property
};

struct PatternFacts {
  bool scanned = false;
  std::vector<ScannedTriple> triples;
  std::map<std::string, VariableFacts> variables;
};

/// Findings already made once per file (a bad prefix is reported once, not per use).
struct FileMemo {
  std::set<std::string> reported;
};

/// Runs the pattern checks; appends findings.
PatternFacts check_pattern(const Ontology& ontology, const PatternUnit& unit, FileMemo& memo,
                           std::vector<Finding>& findings);

/// Checks example bindings against the pattern facts (terms the KE accepts, IRIs where the
/// pattern needs IRIs, literal datatypes that fit the property ranges). `line`/`column` locate
/// the example in the file.
void check_bindings(const Ontology& ontology, const PatternFacts& facts,
                    const pattern::BindingSet& bindings, const std::string& file, int line,
                    int column, std::string_view what, std::vector<Finding>& findings);

/// Compacts an IRI with the given prefixes (or the well-known ones), e.g. "saref:Device";
/// "<iri>" when no prefix fits.
std::string compact(std::string_view iri, const pattern::PrefixMap& prefixes);

}  // namespace gridke::ontology::detail
