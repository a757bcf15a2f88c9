#include "gridke/ontology/ontology.hpp"

#include <algorithm>
#include <cstdlib>
#include <deque>
#include <utility>

#include "gridke/rdf/vocabulary.hpp"
#include "text_util.hpp"

namespace gridke::ontology {
namespace {

constexpr std::string_view rdf_ns = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
constexpr std::string_view rdfs_ns = "http://www.w3.org/2000/01/rdf-schema#";
constexpr std::string_view owl_ns = "http://www.w3.org/2002/07/owl#";
constexpr std::string_view xsd_ns = "http://www.w3.org/2001/XMLSchema#";
constexpr std::string_view dso_ns = "https://w3id.org/gridke/dso#";
constexpr std::string_view vann_uri = "http://purl.org/vocab/vann/preferredNamespaceUri";

std::string cat(std::string_view a, std::string_view b) {
  std::string s(a);
  s += b;
  return s;
}

// The RDF, RDFS, OWL and XSD terms a pattern may use without loading those vocabularies.
struct Builtin {
  std::string_view ns;
  std::string_view local;
  TermKindBits kind;
};
constexpr Builtin builtin_terms[] = {
    {rdf_ns, "type", TermKindBits::property},
    {rdf_ns, "Property", TermKindBits::class_},
    {rdf_ns, "first", TermKindBits::property},
    {rdf_ns, "rest", TermKindBits::property},
    {rdf_ns, "value", TermKindBits::property},
    {rdf_ns, "List", TermKindBits::class_},
    {rdf_ns, "Statement", TermKindBits::class_},
    {rdf_ns, "langString", TermKindBits::datatype},
    {rdf_ns, "nil", TermKindBits::individual},
    {rdfs_ns, "label", TermKindBits::annotation_property},
    {rdfs_ns, "comment", TermKindBits::annotation_property},
    {rdfs_ns, "seeAlso", TermKindBits::annotation_property},
    {rdfs_ns, "isDefinedBy", TermKindBits::annotation_property},
    {rdfs_ns, "subClassOf", TermKindBits::property},
    {rdfs_ns, "subPropertyOf", TermKindBits::property},
    {rdfs_ns, "domain", TermKindBits::property},
    {rdfs_ns, "range", TermKindBits::property},
    {rdfs_ns, "member", TermKindBits::property},
    {rdfs_ns, "Class", TermKindBits::class_},
    {rdfs_ns, "Resource", TermKindBits::class_},
    {rdfs_ns, "Literal", TermKindBits::class_},
    {rdfs_ns, "Datatype", TermKindBits::class_},
    {owl_ns, "Thing", TermKindBits::class_},
    {owl_ns, "Class", TermKindBits::class_},
    {owl_ns, "NamedIndividual", TermKindBits::class_},
    {owl_ns, "ObjectProperty", TermKindBits::class_},
    {owl_ns, "DatatypeProperty", TermKindBits::class_},
    {owl_ns, "AnnotationProperty", TermKindBits::class_},
    {owl_ns, "Ontology", TermKindBits::class_},
    {owl_ns, "sameAs", TermKindBits::object_property},
    {owl_ns, "equivalentClass", TermKindBits::property},
    {owl_ns, "inverseOf", TermKindBits::property},
    {owl_ns, "deprecated", TermKindBits::annotation_property},
    {owl_ns, "versionInfo", TermKindBits::annotation_property},
};
constexpr std::string_view xsd_datatypes[] = {"string",
                                              "boolean",
                                              "decimal",
                                              "integer",
                                              "double",
                                              "float",
                                              "date",
                                              "time",
                                              "dateTime",
                                              "dateTimeStamp",
                                              "duration",
                                              "dayTimeDuration",
                                              "yearMonthDuration",
                                              "gYear",
                                              "gYearMonth",
                                              "gMonth",
                                              "gMonthDay",
                                              "gDay",
                                              "long",
                                              "int",
                                              "short",
                                              "byte",
                                              "nonNegativeInteger",
                                              "positiveInteger",
                                              "nonPositiveInteger",
                                              "negativeInteger",
                                              "unsignedLong",
                                              "unsignedInt",
                                              "unsignedShort",
                                              "unsignedByte",
                                              "hexBinary",
                                              "base64Binary",
                                              "anyURI",
                                              "language",
                                              "normalizedString",
                                              "token",
                                              "NMTOKEN",
                                              "Name",
                                              "NCName"};

bool has_prefix(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// The members of an RDF collection starting at `head` (IRIs only); empty if malformed.
std::vector<std::string> collection(const rdf::Graph& g, const rdf::Term& head) {
  std::vector<std::string> items;
  const rdf::Term first = rdf::Term::iri(cat(rdf_ns, "first"));
  const rdf::Term rest = rdf::Term::iri(cat(rdf_ns, "rest"));
  const std::string nil = cat(rdf_ns, "nil");
  rdf::Term node = head;
  for (int guard = 0; guard < 1000; ++guard) {
    if (node.is_iri() && node.value() == nil) return items;
    auto f = g.find(node, first, std::nullopt);
    auto r = g.find(node, rest, std::nullopt);
    if (f.size() != 1 || r.size() != 1 || !f[0].object.is_iri()) return {};
    items.push_back(f[0].object.value());
    node = r[0].object;
  }
  return {};
}

// A domain/range object: a named class, or a blank owl:unionOf of named classes.
std::optional<ClassUnion> class_union(const rdf::Graph& g, const rdf::Term& object) {
  if (object.is_iri()) return ClassUnion{object.value()};
  if (!object.is_blank()) return std::nullopt;
  auto u = g.find(object, rdf::Term::iri(cat(owl_ns, "unionOf")), std::nullopt);
  if (u.size() != 1) return std::nullopt;
  auto items = collection(g, u[0].object);
  if (items.empty()) return std::nullopt;
  return items;
}

void add_unique(std::vector<std::string>& v, const std::string& s) {
  if (std::find(v.begin(), v.end(), s) == v.end()) v.push_back(s);
}

}  // namespace

std::pair<std::string_view, std::string_view> split_iri(std::string_view iri) noexcept {
  const auto cut = iri.find_last_of("#/");
  if (cut == std::string_view::npos) return {iri, {}};
  return {iri.substr(0, cut + 1), iri.substr(cut + 1)};
}

Ontology::Ontology() {
  for (const auto& b : builtin_terms) {
    TermInfo t;
    t.iri = cat(b.ns, b.local);
    t.kinds = static_cast<std::uint8_t>(b.kind);
    t.source = "(built-in)";
    if (b.kind == TermKindBits::individual) t.types.push_back(cat(rdf_ns, "List"));
    terms_.emplace(t.iri, std::move(t));
  }
  for (auto local : xsd_datatypes) {
    TermInfo t;
    t.iri = cat(xsd_ns, local);
    t.kinds = static_cast<std::uint8_t>(TermKindBits::datatype);
    t.source = "(built-in)";
    terms_.emplace(t.iri, std::move(t));
  }
  for (auto ns : {rdf_ns, rdfs_ns, owl_ns, xsd_ns}) ontology_iris_.emplace(ns);
  recompute_namespaces();
}

Result<void> Ontology::load_file(const std::filesystem::path& file) {
  auto syntax = rdf::syntax_for_path(file);
  if (!syntax) {
    return invalid_argument("cannot tell the syntax of ontology file " + file.string() +
                            " from its extension (use .ttl, .nt, .rdf, .owl or .xml)");
  }
  GRIDKE_ASSIGN_OR_RETURN(auto graph, rdf::Graph::parse_file(file, syntax));
  load_graph(graph, file.string());
  return ok();
}

Result<void> Ontology::load_directory(const std::filesystem::path& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    return not_found("ontology folder " + dir.string() + " does not exist");
  }
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (!entry.is_regular_file()) continue;
    const auto ext = entry.path().extension().string();
    if (ext == ".ttl" || ext == ".nt" || ext == ".rdf" || ext == ".owl")
      files.push_back(entry.path());
  }
  if (files.empty())
    return not_found("no ontology file (*.ttl, *.nt, *.rdf, *.owl) in " + dir.string());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) GRIDKE_TRY(load_file(f));
  return ok();
}

void Ontology::load_graph(const rdf::Graph& graph, std::string_view source) {
  sources_.emplace_back(source);
  const std::string type = cat(rdf_ns, "type");
  const std::string sub_class = cat(rdfs_ns, "subClassOf");
  const std::string sub_property = cat(rdfs_ns, "subPropertyOf");
  const std::string equivalent = cat(owl_ns, "equivalentClass");
  const std::string domain = cat(rdfs_ns, "domain");
  const std::string range = cat(rdfs_ns, "range");
  const std::string label = cat(rdfs_ns, "label");
  const std::string deprecated = cat(owl_ns, "deprecated");
  const std::map<std::string, TermKindBits, std::less<>> kind_of_type = {
      {cat(owl_ns, "Class"), TermKindBits::class_},
      {cat(rdfs_ns, "Class"), TermKindBits::class_},
      {cat(owl_ns, "ObjectProperty"), TermKindBits::object_property},
      {cat(owl_ns, "DatatypeProperty"), TermKindBits::datatype_property},
      {cat(owl_ns, "AnnotationProperty"), TermKindBits::annotation_property},
      {cat(rdf_ns, "Property"), TermKindBits::property},
      {cat(owl_ns, "FunctionalProperty"), TermKindBits::property},
      {cat(owl_ns, "InverseFunctionalProperty"), TermKindBits::property},
      {cat(owl_ns, "TransitiveProperty"), TermKindBits::property},
      {cat(owl_ns, "SymmetricProperty"), TermKindBits::property},
      {cat(owl_ns, "AsymmetricProperty"), TermKindBits::property},
      {cat(owl_ns, "IrreflexiveProperty"), TermKindBits::property},
      {cat(owl_ns, "ReflexiveProperty"), TermKindBits::property},
      {cat(owl_ns, "NamedIndividual"), TermKindBits::individual},
      {cat(rdfs_ns, "Datatype"), TermKindBits::datatype},
  };
  const std::set<std::string, std::less<>> ignored_types = {
      cat(owl_ns, "Ontology"), cat(owl_ns, "Restriction"), cat(owl_ns, "AllDisjointClasses"),
      cat(owl_ns, "Axiom"), cat(owl_ns, "AllDifferent")};

  auto term = [&](const std::string& iri) -> TermInfo& {
    auto [it, inserted] = terms_.try_emplace(iri);
    if (inserted) {
      it->second.iri = iri;
      it->second.source = std::string(source);
    }
    return it->second;
  };

  for (const auto& t : graph.find(std::nullopt, std::nullopt, std::nullopt)) {
    if (!t.subject.is_iri() || !t.predicate.is_iri()) continue;
    const std::string& s = t.subject.value();
    const std::string& p = t.predicate.value();
    if (p == type) {
      if (!t.object.is_iri()) continue;
      const std::string& o = t.object.value();
      if (o == cat(owl_ns, "Ontology")) {
        ontology_iris_.insert(s);
        continue;
      }
      if (ignored_types.count(o) != 0) continue;
      auto k = kind_of_type.find(o);
      if (k != kind_of_type.end()) {
        term(s).kinds |= static_cast<std::uint8_t>(k->second);
      } else {
        add_unique(term(s).types, o);
      }
    } else if ((p == sub_class || p == equivalent) && t.object.is_iri()) {
      TermInfo& info = term(s);
      info.kinds |= static_cast<std::uint8_t>(TermKindBits::class_);
      add_unique(info.superclasses, t.object.value());
      if (p == equivalent) add_unique(term(t.object.value()).superclasses, s);
    } else if (p == sub_property && t.object.is_iri()) {
      add_unique(term(s).superproperties, t.object.value());
    } else if (p == domain || p == range) {
      if (auto u = class_union(graph, t.object)) {
        auto& list = p == domain ? term(s).domains : term(s).ranges;
        if (std::find(list.begin(), list.end(), *u) == list.end()) list.push_back(std::move(*u));
      }
    } else if (p == deprecated) {
      if (t.object.is_literal() && (t.object.value() == "true" || t.object.value() == "1")) {
        term(s).deprecated = true;
      }
    } else if (p == label && t.object.is_literal()) {
      TermInfo& info = term(s);
      if (info.label.empty() || t.object.language() == "en") info.label = t.object.value();
    } else if (p == vann_uri && t.object.is_literal()) {
      ontology_iris_.insert(t.object.value());
    } else if (has_prefix(p, dso_ns)) {
      const auto local = std::string_view(p).substr(dso_ns.size());
      if (local == "deprecatedInVersion") term(s).deprecated_in = t.object.value();
      if (local == "removedInVersion") term(s).removed_in = t.object.value();
      if (local == "replacedBy") term(s).replaced_by = t.object.value();
    }
  }
  recompute_namespaces();
}

void Ontology::recompute_namespaces() {
  by_namespace_.clear();
  checked_.clear();
  for (const auto& [iri, info] : terms_) {
    if (info.kinds == 0 && info.types.empty() && info.superclasses.empty() &&
        info.superproperties.empty() && info.domains.empty() && info.ranges.empty()) {
      continue;  // only annotated (e.g. life-cycle notes), not declared
    }
    auto ns = std::string(split_iri(iri).first);
    by_namespace_[ns].push_back(iri);
  }
  for (const auto& [ns, iris] : by_namespace_) {
    for (const auto& o : ontology_iris_) {
      if (has_prefix(o, ns) || has_prefix(ns, o)) {
        checked_.insert(ns);
        break;
      }
    }
  }
}

const TermInfo* Ontology::find(std::string_view iri) const {
  auto it = terms_.find(iri);
  if (it == terms_.end()) return nullptr;
  const TermInfo& t = it->second;
  if (t.kinds == 0 && t.types.empty() && t.superclasses.empty() && t.superproperties.empty() &&
      t.domains.empty() && t.ranges.empty()) {
    return nullptr;
  }
  return &t;
}

std::set<std::string> Ontology::superclasses_of(std::string_view cls) const {
  std::set<std::string> seen{std::string(cls)};
  std::deque<std::string> pending{std::string(cls)};
  while (!pending.empty()) {
    auto it = terms_.find(pending.front());
    pending.pop_front();
    if (it == terms_.end()) continue;
    for (const auto& s : it->second.superclasses) {
      if (seen.insert(s).second) pending.push_back(s);
    }
  }
  return seen;
}

bool Ontology::is_subclass_of(std::string_view sub, std::string_view super) const {
  if (sub == super) return true;
  return superclasses_of(sub).count(std::string(super)) != 0;
}

std::set<std::string> Ontology::superproperties_of(std::string_view property) const {
  std::set<std::string> seen{std::string(property)};
  std::deque<std::string> pending{std::string(property)};
  while (!pending.empty()) {
    auto it = terms_.find(pending.front());
    pending.pop_front();
    if (it == terms_.end()) continue;
    for (const auto& s : it->second.superproperties) {
      if (seen.insert(s).second) pending.push_back(s);
    }
  }
  return seen;
}

bool Ontology::is_subproperty_of(std::string_view sub, std::string_view super) const {
  if (sub == super) return true;
  return superproperties_of(sub).count(std::string(super)) != 0;
}

std::set<std::string> Ontology::classes_of_individual(std::string_view iri) const {
  std::set<std::string> out;
  auto it = terms_.find(iri);
  if (it == terms_.end()) return out;
  for (const auto& t : it->second.types) {
    auto sup = superclasses_of(t);
    out.insert(sup.begin(), sup.end());
  }
  return out;
}

std::vector<ClassUnion> Ontology::domains_of(std::string_view property) const {
  std::vector<ClassUnion> out;
  for (const auto& p : superproperties_of(property)) {
    if (auto it = terms_.find(p); it != terms_.end()) {
      out.insert(out.end(), it->second.domains.begin(), it->second.domains.end());
    }
  }
  return out;
}

std::vector<ClassUnion> Ontology::ranges_of(std::string_view property) const {
  std::vector<ClassUnion> out;
  for (const auto& p : superproperties_of(property)) {
    if (auto it = terms_.find(p); it != terms_.end()) {
      out.insert(out.end(), it->second.ranges.begin(), it->second.ranges.end());
    }
  }
  return out;
}

bool Ontology::is_checked_namespace(std::string_view ns) const {
  return checked_.find(std::string(ns)) != checked_.end();
}

std::vector<std::string> Ontology::suggestions(std::string_view ns, std::string_view local,
                                               std::size_t max) const {
  std::vector<std::pair<std::size_t, std::string>> scored;
  auto it = by_namespace_.find(ns);
  if (it == by_namespace_.end()) return {};
  const std::string lower = detail::to_lower(local);
  const std::size_t limit = std::max<std::size_t>(2, local.size() / 3);
  for (const auto& iri : it->second) {
    const auto cand = split_iri(iri).second;
    if (cand == local) continue;
    const std::string cand_lower = detail::to_lower(cand);
    std::size_t score;
    if (cand_lower == lower) {
      score = 0;
    } else {
      const std::size_t d = detail::edit_distance(lower, cand_lower);
      if (d > limit) continue;
      score = d + 1;
    }
    scored.emplace_back(score, iri);
  }
  std::sort(scored.begin(), scored.end());
  std::vector<std::string> out;
  for (const auto& [score, iri] : scored) {
    if (out.size() == max) break;
    out.push_back(iri);
  }
  return out;
}

Result<std::filesystem::path> builtin_ontology_dir() {
  std::vector<std::filesystem::path> tried;
  auto usable = [](const std::filesystem::path& p) {
    std::error_code ec;
    return std::filesystem::is_regular_file(p / "dso.ttl", ec);
  };
  if (const char* env = std::getenv("GRIDKE_ONTOLOGY_DIR"); env != nullptr && *env != '\0') {
    // An explicit setting wins and is not second-guessed: a wrong value is an error.
    if (usable(env)) return std::filesystem::path(env);
    return not_found(std::string("GRIDKE_ONTOLOGY_DIR=") + env +
                     " does not hold the GridKE ontologies (no dso.ttl there)");
  }
#ifdef GRIDKE_ONTOLOGY_SOURCE_DIR
  tried.emplace_back(GRIDKE_ONTOLOGY_SOURCE_DIR);
#endif
#ifdef GRIDKE_ONTOLOGY_INSTALL_DIR
  tried.emplace_back(GRIDKE_ONTOLOGY_INSTALL_DIR);
#endif
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) tried.push_back(exe.parent_path().parent_path() / "share" / "gridke" / "ontologies");
  for (const auto& p : tried) {
    if (usable(p)) return p;
  }
  std::string list;
  for (const auto& p : tried) list += (list.empty() ? "" : ", ") + p.string();
  return not_found("GridKE ontologies not found (tried " + list +
                   "); set GRIDKE_ONTOLOGY_DIR to the ontologies/ folder");
}

Result<Ontology> load_builtin_ontology() {
  GRIDKE_ASSIGN_OR_RETURN(auto dir, builtin_ontology_dir());
  Ontology o;
  GRIDKE_TRY(o.load_directory(dir));
  return o;
}

}  // namespace gridke::ontology
