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

/// A variable, named without '?' or '$'.
struct Variable {
  std::string name;
  friend bool operator==(const Variable&, const Variable&) = default;
  friend auto operator<=>(const Variable&, const Variable&) = default;
};

/// One position of a triple pattern: a variable or a concrete term.
class Node {
 public:
  Node(Variable v) : value_(std::move(v)) {}  // NOLINT(implicit)
  Node(rdf::Term t) : value_(std::move(t)) {}  // NOLINT(implicit)
  bool is_variable() const noexcept { return value_.index() == 0; }
  /// REQUIRES: is_variable().
  const std::string& variable() const { return std::get<0>(value_).name; }
  /// REQUIRES: !is_variable().
  const rdf::Term& term() const { return std::get<1>(value_); }
  /// "?name" or the term's KE text form.
  std::string to_string() const;
  friend bool operator==(const Node&, const Node&) = default;
  friend auto operator<=>(const Node&, const Node&) = default;

 private:
  std::variant<Variable, rdf::Term> value_;
};

struct TriplePattern {
  Node subject;
  Node predicate;
  Node object;
  /// "s p o" with full IRIs and no trailing dot (the KE's knowledge-gap form).
  std::string to_string() const;
  friend bool operator==(const TriplePattern&, const TriplePattern&) = default;
  friend auto operator<=>(const TriplePattern&, const TriplePattern&) = default;
};

class GraphPattern {
 public:
  GraphPattern() = default;
  explicit GraphPattern(std::vector<TriplePattern> triples);

  /// Parses the KE graph-pattern syntax: a SPARQL basic graph pattern (`a`, `;` and `,`
  /// shorthand, IRIs, prefixed names, typed/language literals, numbers, booleans, `?x`/`$x`),
  /// with the given prefixes (and none other: there is no default prefix). Errors
  /// (parse_error, location "<pattern>:line:col"): FILTER, OPTIONAL, UNION, GRAPH, MINUS, BIND,
  /// VALUES, SERVICE, property paths, sub-queries and blank-node property lists are named;
  /// an undeclared prefix gives "Unresolved prefixed name: x:y. Note: Have you included your
  /// prefixes in the 'prefixes' property?"; an empty pattern is an error.
  static Result<GraphPattern> parse(std::string_view text, const PrefixMap& prefixes = {});

  const std::vector<TriplePattern>& triples() const noexcept { return triples_; }
  std::size_t size() const noexcept { return triples_.size(); }
  /// Variable names (without '?'), sorted, without duplicates.
  const std::vector<std::string>& variables() const noexcept { return variables_; }
  bool has_variable(std::string_view name) const;

  /// The canonical text the TNO engine prints: each triple as `s p o . ` with full IRIs and
  /// `a` expanded, e.g. "?a <http://example.org/isRelatedTo> ?b . ".
  std::string canonical() const;

  friend bool operator==(const GraphPattern& a, const GraphPattern& b) {
    return a.triples_ == b.triples_;
  }

 private:
  std::vector<TriplePattern> triples_;
  std::vector<std::string> variables_;
};

}  // namespace gridke::pattern
