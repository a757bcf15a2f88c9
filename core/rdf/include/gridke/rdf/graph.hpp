#pragma once
// Graph: a set of RDF triples with triple-pattern lookup, backed by Sord; parsing with Serd
// (Turtle, N-Triples) and Raptor2 (RDF/XML); writing Turtle and N-Triples with Serd.
// Thread safety: const methods may run concurrently (they lock an internal mutex, because
// looking a term up interns it in the Sord world); non-const calls need external sync.
// Ownership: owns its triples; find() returns copies, so results outlive later edits.
// Storage is canonical: a literal typed xsd:string is stored as a simple literal and language
// tags are lower-cased, so lookups follow RDF term equality (Term's `==`).
// A moved-from Graph is empty: const calls see no triples, non-const calls start a new graph.

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gridke/base/result.hpp"
#include "gridke/rdf/term.hpp"

namespace gridke::rdf {

struct Triple {
  Term subject;
  Term predicate;
  Term object;
  friend bool operator==(const Triple&, const Triple&) = default;
};

enum class Syntax : std::uint8_t { turtle, ntriples, rdfxml };

/// Guesses the syntax from a file extension (.ttl, .nt, .rdf/.owl/.xml); nullopt if unknown.
std::optional<Syntax> syntax_for_path(const std::filesystem::path& path);

/// A Graph is a set of RDF triples with triple-pattern lookup, backed by Sord (indices SPO,
/// POS and OSP, so every pattern with fixed positions is indexed).
/// Thread safety: const methods may run concurrently; non-const calls need external sync.
/// Ownership: owns its triples; find() returns copies, so results outlive later edits.
class Graph {
 public:
  Graph();
  ~Graph();
  Graph(Graph&&) noexcept;
  Graph& operator=(Graph&&) noexcept;
  Graph(const Graph&) = delete;
  Graph& operator=(const Graph&) = delete;

  /// Parses a file; the syntax defaults to syntax_for_path(). Relative IRIs resolve against the
  /// file's `file://` IRI. Errors: not_found (no file), failed_precondition (cannot be opened,
  /// e.g. no permission), invalid_argument (not a regular file, or
  /// no syntax given and the extension is unknown), parse_error located "file:line:col" (RDF/XML
  /// errors that Raptor2 reports without a column are located "file:line").
  static Result<Graph> parse_file(const std::filesystem::path& path,
                                  std::optional<Syntax> syntax = std::nullopt);
  /// Parses text; errors are located as "<string>:line:col". base_iri resolves relative IRIs.
  static Result<Graph> parse_string(std::string_view text, Syntax syntax,
                                    std::string_view base_iri = "urn:gridke:base");

  /// Adds the triples of another parse into this graph (e.g. several ontology files) and its
  /// prefixes (a later declaration of a prefix wins). All or nothing: on an error the graph is
  /// unchanged. Blank nodes of this file get a label prefix so they never merge with earlier
  /// ones. Errors as parse_file().
  Result<void> load_file(const std::filesystem::path& path,
                         std::optional<Syntax> syntax = std::nullopt);

  /// Adds a triple; a duplicate is ignored. Invalidates nothing a caller holds (copies).
  /// REQUIRES: the subject is not a literal and the predicate is an IRI.
  void add(const Triple& triple);
  std::size_t size() const;
  bool contains(const Triple& triple) const;

  /// All triples matching the pattern; nullopt is a wildcard (Sord's NULL).
  std::vector<Triple> find(const std::optional<Term>& subject, const std::optional<Term>& predicate,
                           const std::optional<Term>& object) const;

  /// Prefixes declared by parsed Turtle files (@prefix) or RDF/XML namespaces; prefix → IRI.
  const std::map<std::string, std::string>& prefixes() const;
  void set_prefix(std::string prefix, std::string iri);

  /// Serialises the graph (Turtle uses prefixes(), abbreviates with `;`/`,` and writes numbers
  /// and booleans bare; N-Triples is ASCII with \u escapes). Errors: invalid_argument for
  /// Syntax::rdfxml (not supported), internal on a writer failure.
  Result<std::string> write(Syntax syntax) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gridke::rdf
