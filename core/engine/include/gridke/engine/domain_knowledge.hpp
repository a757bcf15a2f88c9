#pragma once
// Domain knowledge: the Apache Jena rules subset the TNO Knowledge Engine accepts on
// POST /sc/knowledge (NOTES §1.4, §2.7): `@prefix p: <iri> .` lines, `#` and `//` comments,
// forward rules `[name: (s p o), (s p o) -> (s p o)]` or `(s p o) ... -> (s p o) ... .`, and
// body-less facts `-> (s p o) .`. Terms are `?var`, `<iri>`, prefixed names (rdf, rdfs, owl and
// xsd are predeclared, as in Jena), literals with an optional `^^` datatype, numbers and
// booleans. Builtins, backward rules (`<-`) and language-tagged literals are rejected.
// A rule's head may use only variables of its body (the KE's default rule handler copies the
// shared variables and fails otherwise).
// Thread safety: pure functions over values.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gridke/base/result.hpp"
#include "gridke/pattern/graph_pattern.hpp"

namespace gridke::engine {

/// One rule; a fact has no antecedent.
struct DomainRule {
  std::string name;  ///< `[name: ...]`, or "rule-<n>" (1-based position) when unnamed
  std::optional<pattern::GraphPattern> antecedent;
  pattern::GraphPattern consequent;
};

/// Parses domain knowledge. An empty (or comment-only) text is no rules.
/// Errors: invalid_argument "The provided domain knowledge should parse correctly: <what> (line
/// L, column C)." naming the construct: an undeclared prefix, a builtin ("should not contain
/// non-triple pattern clauses"), `<-`, a language tag, a clause without three terms, a head
/// variable missing from the body ("Not all variables in the consequent are available in the
/// antecedent"), unterminated strings/IRIs/rules.
Result<std::vector<DomainRule>> parse_domain_knowledge(std::string_view text);

/// Reads and parses a rules file (the runtime-wide default, the KE's
/// ke.domain.knowledge.path). Errors: not_found (no such file, naming it), as
/// parse_domain_knowledge() with the file name in the message.
Result<std::string> read_domain_knowledge_file(const std::string& path);

}  // namespace gridke::engine
