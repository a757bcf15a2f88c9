#pragma once
// Term: one RDF 1.1 term (IRI, literal or blank node) as a value type.
// Thread safety: immutable, share freely.
// Ownership: a Term shares its immutable strings with its copies (one reference-counted block),
// so copying a Term never allocates; value()/datatype()/language() stay valid while any copy of
// the Term lives.

#include <compare>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "gridke/base/result.hpp"

namespace gridke::rdf {

enum class TermKind : std::uint8_t { iri, literal, blank };

/// An RDF term. Literals always carry a datatype: a simple literal "x" is stored with
/// xsd:string (RDF 1.1), a language-tagged one with rdf:langString, so `==` is RDF term
/// equality: "x" == "x"^^xsd:string, "1"^^xsd:integer != "01"^^xsd:integer.
class Term {
 public:
  /// An IRI without angle brackets. REQUIRES: iri is not empty.
  static Term iri(std::string iri);
  /// A literal. An empty datatype means xsd:string; a non-empty language makes the datatype
  /// rdf:langString (whatever was passed) and is stored lower-cased, since RDF compares
  /// language tags case-insensitively.
  static Term literal(std::string lexical, std::string datatype = {}, std::string language = {});
  /// A blank node with the given label (without "_:").
  static Term blank(std::string label);

  /// A default-constructed Term is the empty IRI; assign a real term before use.
  Term() = default;

  TermKind kind() const noexcept { return rep_ ? rep_->kind : TermKind::iri; }
  bool is_iri() const noexcept { return kind() == TermKind::iri; }
  bool is_literal() const noexcept { return kind() == TermKind::literal; }
  bool is_blank() const noexcept { return kind() == TermKind::blank; }

  /// The IRI, the lexical form, or the blank-node label.
  const std::string& value() const noexcept { return rep_ ? rep_->value : empty_string(); }
  /// Datatype IRI of a literal (never empty for literals); empty for IRIs and blank nodes.
  const std::string& datatype() const noexcept { return rep_ ? rep_->datatype : empty_string(); }
  /// Language tag of a literal (lower-cased as written); empty otherwise.
  const std::string& language() const noexcept { return rep_ ? rep_->language : empty_string(); }

  /// True when a literal's lexical form is valid for its (known XSD) datatype. IRIs, blank
  /// nodes, strings and unknown datatypes are always well-typed.
  bool is_well_typed() const;

  /// Value equality as the KE's `sameValueAs`: equal terms, or two well-typed literals of the
  /// same value space with equal values (numeric types compare as numbers: "1"^^xsd:int and
  /// "1.0"^^xsd:decimal are the same value; booleans "1"/"true"; dateTimes as instants).
  bool same_value_as(const Term& other) const;

  /// The KE binding text form, normalised exactly as the TNO engine prints it (NOTES §2.3):
  /// `<iri>`, `"lex"` for xsd:string, `"lex"@lang`, `"lex"^^<datatype>`, `_:label`.
  /// The lexical form escapes what Jena's EscapeStr does: `\"`, `\\`, `\n`, `\r`, `\t`, `\f`
  /// and U+FFFD as `\uFFFD`; other characters are printed raw (valid N-Triples).
  std::string to_string() const;

  std::size_t hash() const noexcept;
  /// RDF term equality: kind, value, datatype and language all equal.
  friend bool operator==(const Term& a, const Term& b) noexcept {
    if (a.rep_ == b.rep_) return true;
    return a.kind() == b.kind() && a.value() == b.value() && a.datatype() == b.datatype() &&
           a.language() == b.language();
  }
  /// Orders by kind, then value, datatype and language.
  friend std::strong_ordering operator<=>(const Term& a, const Term& b) noexcept;

 private:
  Term(TermKind kind, std::string value, std::string datatype, std::string language);
  bool has_escapes() const noexcept;     // to_string() needs N-Triples escapes
  std::string concat_unescaped() const;  // to_string() when has_escapes() is false

  struct Rep {
    TermKind kind;
    std::string value;
    std::string datatype;
    std::string language;
  };
  static const std::string& empty_string() noexcept;

  std::shared_ptr<const Rep> rep_;  // null: the empty IRI of a default-constructed Term
};

/// Parses one value of the KE binding text form (NOTES §2.3): `<iri>`, `"lex"`,
/// `"lex"^^<datatype>`, `"lex"@lang`, bare numbers (`10` → xsd:integer, `68.2` → xsd:decimal,
/// `1e3` → xsd:double), `true`/`false` (→ xsd:boolean) and `_:label`. Surrounding white space
/// is ignored. Errors (ErrorCode::parse_error, the message quotes the offending text):
/// variables (`?x`, "Binding values should be concrete nodes (either RDF literals or RDF URIs)."),
/// prefixed names (`ex:a`), a datatype without angle brackets, unterminated literals or IRIs,
/// trailing garbage (`<a>;<b>`, TNO issue #310), IRIs with spaces or `<>"{}|^\`` characters,
/// bad escapes and malformed numbers or language tags. Messages carry the 1-based column.
/// Also accepted: `'lex'` (single quotes, as Jena's SSE), `\u`/`\U` escapes in IRIs, and
/// relative IRIs (kept as written). Lexical forms are kept as written (`+7` stays `+7`).
Result<Term> parse_term(std::string_view text);

struct TermHash {
  std::size_t operator()(const Term& t) const noexcept { return t.hash(); }
};

}  // namespace gridke::rdf
