#pragma once
// Namespaces GridKE knows by prefix (the InterConnect prefix table, NOTES §4/§9, plus W3C ones),
// and the near-miss test behind "did you mean <namespace>?" (NOTES §10.2).
// Private to core/ontology. Thread safety: pure functions over constant tables.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gridke/ontology/ontology.hpp"

namespace gridke::ontology::detail {

struct KnownNamespace {
  std::string_view prefix;
  std::string_view iri;
};

/// Well-known prefixes and namespaces, including ones no built-in ontology covers (ic-*, sosa,
/// s4bldg): terms there are reported as unchecked rather than unknown.
const std::vector<KnownNamespace>& known_namespaces();
/// The namespace of a well-known prefix, or nullopt.
std::optional<std::string_view> namespace_of_prefix(std::string_view prefix);
/// True when `ns` is exactly one of known_namespaces().
bool is_known_namespace(std::string_view ns);

/// When `ns` is not a namespace of the ontology or the known table but looks like a mistyped
/// one (http for https, a missing or extra trailing '/' or '#', different case, a local name
/// glued to it as in `…/corehasTime`, a truncated or extended last segment as in
/// `interconnect/data#` for `interconnect/datapoint#`, or ≤ 2 edits), the intended namespace.
std::optional<std::string> near_miss_namespace(std::string_view ns, const Ontology& ontology);

}  // namespace gridke::ontology::detail
