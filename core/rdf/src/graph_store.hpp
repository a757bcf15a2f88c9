#pragma once
// Private: the Sord world and model behind a Graph, node conversion between Term and SordNode,
// and the parsers that fill a model (Serd for Turtle/N-Triples, Raptor2 for RDF/XML).
// Thread safety: not thread-safe; Graph locks `mutex` around every use from a const method.
//
// Canonical storage: a literal typed xsd:string is stored as a plain literal (no datatype) and a
// language tag is stored lower-cased, so that Sord's node identity is RDF term equality and
// agrees with Term's `==` ("x" == "x"^^xsd:string, "a"@EN == "a"@en).

#include "gridke/base/result.hpp"
#include "gridke/rdf/term.hpp"
#include "sord_handles.hpp"

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace gridke::rdf::detail {

/// Serd, Sord and Raptor use unsigned char strings; these cast at the boundary.
inline const std::uint8_t* u8(const char* s) noexcept {
  return reinterpret_cast<const std::uint8_t*>(s);
}
inline const char* chars(const std::uint8_t* s) noexcept {
  return reinterpret_cast<const char*>(s);
}

struct GraphStore {
  GraphStore();

  /// The node for a term, interned in `world` (REQUIRES: a valid term; IRIs not empty).
  SordNodeRef node_from_term(const Term& term);

  // Declared first: the world must outlive the model and every node made from it (members are
  // destroyed in reverse order).
  SordWorldPtr world;
  SordModelPtr model;
  std::map<std::string, std::string> prefixes;
  unsigned loads = 0;  // parses so far; later parses get a blank-node prefix (no label clashes)
  std::mutex mutex;
};

/// The Term for a node of any world.
Term term_from_node(const SordNode* node);

/// A canonical literal node (see above) from its parts; datatype/lang may be null or empty.
SordNodeRef canonical_literal(SordWorld* world, const char* lexical, const char* datatype,
                              const char* lang);

/// A new model with the indices Graph uses: SPO, POS and OSP, so every pattern with one or two
/// fixed positions has an index whose most significant nodes are fixed (sord_new's advice).
SordModelPtr new_model(SordWorld* world);

/// Where a parse reads from and how its errors are named.
struct ParseSource {
  std::string_view text;     // the whole document
  bool text_terminated;      // text.data()[text.size()] is a readable '\0' (a std::string)
  std::string label;         // "path" or "<string>", used as "label:line:col"
  std::string base_iri;      // relative IRIs resolve against this
  std::string blank_prefix;  // prepended to every blank node label ("" for none)
};

/// Parses Turtle (ntriples = false) or N-Triples with Serd into `model`, recording @prefix
/// declarations in `prefixes`. Errors: parse_error located "label:line:col".
Result<void> read_serd(SordWorld* world, SordModel* model, const ParseSource& source, bool ntriples,
                       std::map<std::string, std::string>& prefixes);

/// Parses RDF/XML with Raptor2 into `model`, recording namespace declarations in `prefixes`.
/// Errors: parse_error located "label:line[:col]".
Result<void> read_rdfxml(SordWorld* world, SordModel* model, const ParseSource& source,
                         std::map<std::string, std::string>& prefixes);

}  // namespace gridke::rdf::detail
