#pragma once
// IRIs of the vocabularies the core itself needs. Service vocabularies (SAREF, dso:) live in
// ontologies/ and are declared once there.
// Thread safety: constants; share freely.

#include <string_view>

namespace gridke::rdf::vocab {

inline constexpr std::string_view xsd = "http://www.w3.org/2001/XMLSchema#";
inline constexpr std::string_view xsd_string = "http://www.w3.org/2001/XMLSchema#string";
inline constexpr std::string_view xsd_boolean = "http://www.w3.org/2001/XMLSchema#boolean";
inline constexpr std::string_view xsd_integer = "http://www.w3.org/2001/XMLSchema#integer";
inline constexpr std::string_view xsd_decimal = "http://www.w3.org/2001/XMLSchema#decimal";
inline constexpr std::string_view xsd_double = "http://www.w3.org/2001/XMLSchema#double";
inline constexpr std::string_view xsd_float = "http://www.w3.org/2001/XMLSchema#float";
inline constexpr std::string_view xsd_date_time = "http://www.w3.org/2001/XMLSchema#dateTime";
inline constexpr std::string_view rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
inline constexpr std::string_view rdf_type = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";
inline constexpr std::string_view rdf_lang_string =
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString";
inline constexpr std::string_view rdfs = "http://www.w3.org/2000/01/rdf-schema#";
inline constexpr std::string_view owl = "http://www.w3.org/2002/07/owl#";
/// The TNO Knowledge Engine ontology (`knowledge-engine-ontology.ttl`).
inline constexpr std::string_view ke = "https://w3id.org/knowledge-engine/";

}  // namespace gridke::rdf::vocab
