#include "namespaces.hpp"

#include <set>

#include "text_util.hpp"

namespace gridke::ontology::detail {
namespace {

std::string_view strip_scheme(std::string_view s) {
  if (s.substr(0, 8) == "https://") return s.substr(8);
  if (s.substr(0, 7) == "http://") return s.substr(7);
  return s;
}

std::string_view strip_separator(std::string_view s) {
  while (!s.empty() && (s.back() == '/' || s.back() == '#')) s.remove_suffix(1);
  return s;
}

bool is_word(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c == '/' || c == '#' || c == '?') return false;
  }
  return true;
}

// How well `ns` resembles `candidate`: 0 = no resemblance, higher is a stronger hint.
int resemblance(std::string_view ns, std::string_view candidate) {
  const std::string a = to_lower(strip_separator(strip_scheme(ns)));
  const std::string b = to_lower(strip_separator(strip_scheme(candidate)));
  if (a == b) return 5;  // scheme, case or trailing separator differ
  if (a.size() > b.size() && a.compare(0, b.size(), b) == 0 && is_word(a.substr(b.size()))) {
    return 4;  // a local name glued to the namespace: …/corehasTime
  }
  if (b.size() > a.size() && b.compare(0, a.size(), a) == 0 && is_word(b.substr(a.size()))) {
    const auto slash = a.rfind('/');
    if (slash != std::string::npos && a.size() - slash > 2) return 3;  // …/data# for …/datapoint#
  }
  if (edit_distance(a, b) <= 2) return 2;
  return 0;
}

}  // namespace

const std::vector<KnownNamespace>& known_namespaces() {
  static const std::vector<KnownNamespace> table = {
      {"rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"},
      {"rdfs", "http://www.w3.org/2000/01/rdf-schema#"},
      {"xsd", "http://www.w3.org/2001/XMLSchema#"},
      {"owl", "http://www.w3.org/2002/07/owl#"},
      {"saref", "https://saref.etsi.org/core/"},
      {"s4ener", "https://saref.etsi.org/saref4ener/"},
      {"s4grid", "https://saref.etsi.org/saref4grid/"},
      {"s4bldg", "https://saref.etsi.org/saref4bldg/"},
      {"s4city", "https://saref.etsi.org/saref4city/"},
      {"om", "http://www.ontology-of-units-of-measure.org/resource/om-2/"},
      {"time", "http://www.w3.org/2006/time#"},
      {"dso", "https://w3id.org/gridke/dso#"},
      {"skos", "http://www.w3.org/2004/02/skos/core#"},
      {"foaf", "http://xmlns.com/foaf/0.1/"},
      {"sosa", "http://www.w3.org/ns/sosa/"},
      {"ssn", "http://www.w3.org/ns/ssn/"},
      {"dc", "http://purl.org/dc/elements/1.1/"},
      {"dcterms", "http://purl.org/dc/terms/"},
      {"geo", "http://www.w3.org/2003/01/geo/wgs84_pos#"},
      {"schema", "http://schema.org/"},
      {"kb", "https://w3id.org/knowledge-engine/"},
      {"ic-data", "http://ontology.tno.nl/interconnect/datapoint#"},
      {"ic-dev", "http://ontology.tno.nl/interconnect/device#"},
      {"ic-flex", "http://ontology.tno.nl/interconnect/flexibility#"},
      {"ic-fc", "http://ontology.tno.nl/interconnect/forecast#"},
      {"ic-inc", "http://ontology.tno.nl/interconnect/incentivetable#"},
      {"ic-pwlm", "http://ontology.tno.nl/interconnect/powerlimit#"},
      {"ic-tplg", "http://ontology.tno.nl/interconnect/topology#"},
      {"ic-uom", "http://ontology.tno.nl/interconnect/units#"},
      {"ic-user", "http://ontology.tno.nl/interconnect/user#"},
  };
  return table;
}

std::optional<std::string_view> namespace_of_prefix(std::string_view prefix) {
  for (const auto& k : known_namespaces()) {
    if (k.prefix == prefix) return k.iri;
  }
  return std::nullopt;
}

bool is_known_namespace(std::string_view ns) {
  for (const auto& k : known_namespaces()) {
    if (k.iri == ns) return true;
  }
  return false;
}

std::optional<std::string> near_miss_namespace(std::string_view ns, const Ontology& ontology) {
  if (ontology.is_checked_namespace(ns) || is_known_namespace(ns)) return std::nullopt;
  std::set<std::string> candidates(ontology.checked_namespaces().begin(),
                                   ontology.checked_namespaces().end());
  for (const auto& k : known_namespaces()) candidates.emplace(k.iri);
  int best = 0;
  std::string best_ns;
  for (const auto& c : candidates) {
    const int r = resemblance(ns, c);
    if (r > best) {
      best = r;
      best_ns = c;
    }
  }
  if (best == 0) return std::nullopt;
  return best_ns;
}

}  // namespace gridke::ontology::detail
