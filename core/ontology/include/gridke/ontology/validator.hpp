#pragma once
// The graph-pattern validator (ontology-reference NOTES §10): checks KI contracts and bare
// graph-pattern files against an Ontology and reports findings and the pairing of KIs.
// Thread safety: validate functions are pure given a const Ontology; run them concurrently.

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "gridke/adapter/contract.hpp"
#include "gridke/base/result.hpp"
#include "gridke/ontology/ontology.hpp"
#include "gridke/ontology/report.hpp"
#include "gridke/pattern/graph_pattern.hpp"

namespace gridke::ontology {

struct ValidateOptions {
  /// The KE reasoner level (1 or 2) the pairing report matches at: 1 = the proactive pattern is
  /// exactly the reactive one (up to variable names and triple order); 2 = a single reactive KI
  /// covers the proactive pattern (POST: the REACT argument is covered by the POST argument).
  int level = 2;
};

/// Validates files and folders: contract files (*.ttl, docs/contract-format.md) and bare graph
/// patterns (*.gp, *.rq: optional `PREFIX p: <iri>` / `@prefix p: <iri> .` lines, then the
/// pattern). Folders are walked recursively in path order. Problems in the inputs are
/// findings, not errors. Errors: not_found for a path that does not exist; invalid_argument for
/// a file of another extension given by name, or a level outside 1..2.
Result<Report> validate(const Ontology& ontology, const std::vector<std::filesystem::path>& paths,
                        const ValidateOptions& options = {});

/// Validates one bare pattern given as text; `file` names it in findings. Prefixes declared in
/// the text are added to `prefixes`.
Report validate_pattern_text(const Ontology& ontology, std::string_view text,
                             const pattern::PrefixMap& prefixes, std::string_view file);

/// Validates contracts already loaded (with their file texts read again for positions) and
/// adds the pairing report for them.
Report validate_contracts(const Ontology& ontology, const std::vector<adapter::Contract>& contracts,
                          const ValidateOptions& options = {});

}  // namespace gridke::ontology
