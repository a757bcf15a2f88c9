#pragma once
// A positional reader of KE graph patterns (SPARQL basic graph patterns). GraphPattern::parse
// decides what the KE accepts; this reader keeps where each term was written, and what it
// looked like (prefixed name, undeclared prefix), so findings can point at it.
// Private to core/ontology. Thread safety: pure functions.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gridke/pattern/graph_pattern.hpp"

namespace gridke::ontology::detail {

struct ScannedTerm {
  enum class Kind : std::uint8_t { iri, variable, literal, blank };
  Kind kind = Kind::iri;
  std::string value;     ///< full IRI, variable name, lexical form or blank label
  std::string datatype;  ///< literals: full datatype IRI (xsd:string when untyped)
  std::string language;  ///< literals
  std::string written;   ///< the term as written, e.g. "saref:Devic" or "?m"
  std::string prefix;    ///< prefixed names: the prefix ("" for ":x")
  bool is_pname = false;
  bool unresolved = false;  ///< a prefixed name whose prefix is not declared
  std::size_t offset = 0;   ///< byte offset in the pattern text

  bool is_iri() const noexcept { return kind == Kind::iri; }
  bool is_variable() const noexcept { return kind == Kind::variable; }
  bool is_literal() const noexcept { return kind == Kind::literal; }
};

struct ScannedTriple {
  ScannedTerm subject;
  ScannedTerm predicate;
  ScannedTerm object;
};

struct ScanResult {
  std::vector<ScannedTriple> triples;
  /// Set when the text is not a basic graph pattern this reader understands.
  std::optional<std::string> error;
  std::size_t error_offset = 0;
};

/// Reads `text` with `prefixes`; prefixed names with an undeclared prefix are kept, marked
/// unresolved (value = "prefix:local").
ScanResult scan_pattern(std::string_view text, const pattern::PrefixMap& prefixes);

/// Splits a bare pattern file into its prefix declarations (`PREFIX p: <iri>` or
/// `@prefix p: <iri> .` lines, anywhere before the pattern) and the pattern text, which keeps
/// its byte offsets: declaration lines are blanked out with spaces.
struct PrefixDeclaration {
  std::string prefix;
  std::string iri;
  std::size_t offset = 0;  ///< where the declaration starts in the file text
};
std::string strip_prefix_lines(std::string_view text, std::vector<PrefixDeclaration>& out);

}  // namespace gridke::ontology::detail
