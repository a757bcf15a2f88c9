#pragma once
// Ontology: the vocabulary GridKE checks graph patterns against — classes, properties and named
// individuals of SAREF, SAREF4ENER, SAREF4GRID, OM-2, OWL-Time and the dso: extension (or any
// ontology a user adds), with the class and property hierarchies closed transitively.
// Thread safety: const methods may run concurrently; load_*() needs external synchronisation.
// Ownership: owns its terms; pointers returned by find() stay valid until the next load_*().

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "gridke/base/result.hpp"
#include "gridke/rdf/graph.hpp"

namespace gridke::ontology {

/// What an IRI is declared as (a term may be several, e.g. an OWL 2 punned class+individual).
enum class TermKindBits : std::uint8_t {
  class_ = 1,
  object_property = 2,
  datatype_property = 4,
  annotation_property = 8,
  property = 16,  ///< rdf:Property, owl:FunctionalProperty, ... without a more precise kind.
  individual = 32,
  datatype = 64,  ///< rdfs:Datatype or an XSD datatype.
};

/// A domain or range: one class, or a union (any of the classes).
using ClassUnion = std::vector<std::string>;

/// Everything the ontology says about one IRI that the validator uses.
struct TermInfo {
  std::string iri;
  std::uint8_t kinds = 0;                    ///< TermKindBits ORed.
  std::vector<std::string> types;            ///< rdf:type objects that are not OWL/RDFS kinds.
  std::vector<std::string> superclasses;     ///< direct rdfs:subClassOf / owl:equivalentClass.
  std::vector<std::string> superproperties;  ///< direct rdfs:subPropertyOf.
  std::vector<ClassUnion> domains;           ///< each rdfs:domain (all must hold).
  std::vector<ClassUnion> ranges;            ///< each rdfs:range (all must hold).
  bool deprecated = false;                   ///< owl:deprecated true.
  std::string deprecated_in;                 ///< dso:deprecatedInVersion, e.g. "v3.2.1".
  std::string removed_in;                    ///< dso:removedInVersion.
  std::string replaced_by;                   ///< dso:replacedBy IRI.
  std::string label;                         ///< rdfs:label (English or untagged).
  std::string source;                        ///< file it was (first) declared in.

  bool is(TermKindBits k) const noexcept { return (kinds & static_cast<std::uint8_t>(k)) != 0; }
  bool is_class() const noexcept { return is(TermKindBits::class_); }
  bool is_property() const noexcept {
    return is(TermKindBits::object_property) || is(TermKindBits::datatype_property) ||
           is(TermKindBits::annotation_property) || is(TermKindBits::property);
  }
  bool is_individual() const noexcept { return is(TermKindBits::individual) || !types.empty(); }
  bool is_datatype() const noexcept { return is(TermKindBits::datatype); }
};

class Ontology {
 public:
  /// An ontology that knows the built-in RDF, RDFS, OWL and XSD terms only.
  Ontology();

  /// Parses one file (syntax from its extension: .ttl, .nt, .rdf/.owl/.xml) and adds its
  /// declarations. Errors: not_found (no file), parse_error with "file:line:col",
  /// invalid_argument for an unknown extension.
  Result<void> load_file(const std::filesystem::path& file);
  /// Adds the declarations of an already parsed graph; `source` names it in TermInfo::source.
  void load_graph(const rdf::Graph& graph, std::string_view source);
  /// Loads every ontology file (*.ttl, *.nt, *.rdf, *.owl) of a folder, in name order.
  /// Errors: not_found when the folder does not exist or holds no ontology file, or the first
  /// load_file() error.
  Result<void> load_directory(const std::filesystem::path& dir);

  /// The term, or nullptr when no loaded file declares it.
  const TermInfo* find(std::string_view iri) const;
  std::size_t size() const noexcept { return terms_.size(); }
  /// The files loaded, in order.
  const std::vector<std::string>& sources() const noexcept { return sources_; }

  /// True when `sub` is `super` or reaches it through rdfs:subClassOf (transitively).
  bool is_subclass_of(std::string_view sub, std::string_view super) const;
  /// All superclasses of a class, itself included, transitively.
  std::set<std::string> superclasses_of(std::string_view cls) const;
  /// All superproperties of a property, itself included, transitively.
  std::set<std::string> superproperties_of(std::string_view property) const;
  /// True when `sub` is `super` or a (transitive) subproperty of it.
  bool is_subproperty_of(std::string_view sub, std::string_view super) const;
  /// The classes an individual belongs to (its types and all their superclasses).
  std::set<std::string> classes_of_individual(std::string_view iri) const;
  /// The domains (ranges) of a property including those inherited from superproperties.
  std::vector<ClassUnion> domains_of(std::string_view property) const;
  std::vector<ClassUnion> ranges_of(std::string_view property) const;

  /// True when some loaded ontology is about this namespace (its owl:Ontology IRI or
  /// vann:preferredNamespaceUri starts with / extends it) and declares terms in it, so an
  /// undeclared IRI in it is an error rather than an unknown vocabulary.
  bool is_checked_namespace(std::string_view ns) const;
  /// The checked namespaces, sorted.
  const std::set<std::string>& checked_namespaces() const noexcept { return checked_; }
  /// Declared IRIs in a namespace whose local name is close to `local` (case-insensitive
  /// equality first, then Levenshtein distance ≤ max(2, |local|/3)), best first, at most `max`.
  std::vector<std::string> suggestions(std::string_view ns, std::string_view local,
                                       std::size_t max = 3) const;

 private:
  void recompute_namespaces();

  std::map<std::string, TermInfo, std::less<>> terms_;
  std::map<std::string, std::vector<std::string>, std::less<>> by_namespace_;
  std::set<std::string> ontology_iris_;
  std::set<std::string> checked_;
  std::vector<std::string> sources_;
};

/// Splits an IRI into namespace and local name at the last '#' or '/' (the namespace keeps
/// the separator). An IRI without either is all namespace.
std::pair<std::string_view, std::string_view> split_iri(std::string_view iri) noexcept;

/// Where the built-in ontologies (the ontologies/ folder) are: $GRIDKE_ONTOLOGY_DIR when set,
/// else the source tree this build came from, else the install data dir
/// (<prefix>/share/gridke/ontologies), else ../share/gridke/ontologies beside the running
/// executable. Errors: not_found listing every place tried.
Result<std::filesystem::path> builtin_ontology_dir();

/// An Ontology with every built-in file loaded (see builtin_ontology_dir()).
Result<Ontology> load_builtin_ontology();

}  // namespace gridke::ontology
