#pragma once
// GraphPattern: a SPARQL basic graph pattern as the Knowledge Engine accepts it, parsed into
// triple patterns with full IRIs.
// Thread safety: immutable after parse, share freely.

#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "gridke/base/result.hpp"
#include "gridke/rdf/term.hpp"

namespace gridke::pattern {

/// prefix name (without ':') → namespace IRI, as in the KE's `prefixes` property.
using PrefixMap = std::map<std::string, std::string>;

/// A variable, named without '?' or '$'. A blank node `_:b` in a pattern is a
/// non-distinguished variable (SPARQL 1.1 §4.1.4, as Jena treats it): its name keeps the
/// "_:" ("_:b"), so it can never clash with `?b`; it matches like a variable but is not in
/// GraphPattern::variables() and never appears as a binding key.
struct Variable {
  std::string name;
  friend bool operator==(const Variable&, const Variable&) = default;
  friend auto operator<=>(const Variable&, const Variable&) = default;
};

/// One position of a triple pattern: a variable or a concrete term.
class Node {
 public:
  Node(Variable v) : value_(std::move(v)) {}   // NOLINT(implicit)
  Node(rdf::Term t) : value_(std::move(t)) {}  // NOLINT(implicit)
  bool is_variable() const noexcept { return value_.index() == 0; }
  /// REQUIRES: is_variable().
  const std::string& variable() const { return std::get<0>(value_).name; }
  /// REQUIRES: !is_variable().
  const rdf::Term& term() const { return std::get<1>(value_); }
  /// True for a variable written as a blank node (`_:b`; name "_:b").
  bool is_blank_variable() const noexcept {
    return is_variable() && std::get<0>(value_).name.starts_with("_:");
  }
  /// "?name" (blank-node variables as "_:b") or the term's KE binding text form
  /// (rdf::Term::to_string(): `"10"^^<...#integer>`).
  std::string to_string() const;
  /// The node as the KE prints it inside pattern text (Jena FmtUtils with no prefixes): as
  /// to_string(), except that integers, decimals, doubles and booleans whose lexical form is
  /// already SPARQL syntax print bare (`10`, `1.5`, `1e3`, `true`).
  std::string to_pattern_string() const;
  /// Appends to_pattern_string() to `out` (no temporary string).
  void append_pattern_string(std::string& out) const;
  friend bool operator==(const Node&, const Node&) = default;
  friend auto operator<=>(const Node&, const Node&) = default;

 private:
  std::variant<Variable, rdf::Term> value_;
};

struct TriplePattern {
  Node subject;
  Node predicate;
  Node object;
  /// "s p o" with full IRIs and no trailing dot (the KE's knowledge-gap form; nodes as
  /// Node::to_pattern_string()).
  std::string to_string() const;
  friend bool operator==(const TriplePattern&, const TriplePattern&) = default;
  friend auto operator<=>(const TriplePattern&, const TriplePattern&) = default;
};

class GraphPattern {
 public:
  GraphPattern() = default;
  explicit GraphPattern(std::vector<TriplePattern> triples);

  /// Parses the KE graph-pattern syntax: a SPARQL basic graph pattern (`a`, `;` and `,`
  /// shorthand, IRIs, prefixed names, typed/language literals, numbers, booleans, `?x`/`$x`,
  /// `_:b` as a non-distinguished variable, `#` comments), with the given prefixes (and none
  /// other: there is no default prefix). The text is the body of `SELECT * { ... }`.
  /// Errors are ErrorCode::parse_error with location "<pattern>:line:col" (1-based, columns in
  /// characters) and a message "Line L, column C: <what>" that names the construct:
  /// FILTER, OPTIONAL, UNION, GRAPH, MINUS, BIND, VALUES, SERVICE, sub-queries and groups,
  /// property paths, blank-node property lists, collections, PREFIX declarations, literals or
  /// blank nodes where they cannot be, relative IRIs, unterminated strings/IRIs, bad escapes, an
  /// empty pattern; an undeclared prefix gives "Unresolved prefixed name: x:y. Note: Have you
  /// included your prefixes in the 'prefixes' property?". See docs/graph-patterns.md.
  /// Thread-safe; parsing a 20-triple pattern takes about 10 µs.
  static Result<GraphPattern> parse(std::string_view text, const PrefixMap& prefixes = {});

  const std::vector<TriplePattern>& triples() const noexcept { return triples_; }
  std::size_t size() const noexcept { return triples_.size(); }
  /// Variable names (without '?'), sorted, without duplicates; blank-node variables excluded.
  const std::vector<std::string>& variables() const noexcept { return variables_; }
  bool has_variable(std::string_view name) const;

  /// The canonical text the TNO engine prints: each triple as `s p o . ` with full IRIs and
  /// `a` expanded, e.g. "?a <http://example.org/isRelatedTo> ?b . " (nodes as
  /// Node::to_pattern_string()). Parsing it again gives an equal pattern. Built on each call.
  std::string canonical() const;

  friend bool operator==(const GraphPattern& a, const GraphPattern& b) {
    return a.triples_ == b.triples_;
  }

 private:
  std::vector<TriplePattern> triples_;
  std::vector<std::string> variables_;
};

}  // namespace gridke::pattern
