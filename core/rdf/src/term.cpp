#include "gridke/rdf/term.hpp"

#include "gridke/rdf/vocabulary.hpp"
#include "xsd.hpp"

#include <cassert>
#include <cstring>
#include <functional>
#include <utility>

namespace gridke::rdf {
namespace {

constexpr char hex_digits[] = "0123456789ABCDEF";

void append_uchar(std::string& out, unsigned char c) {
  out.append("\\u00");
  out.push_back(hex_digits[c >> 4]);
  out.push_back(hex_digits[c & 0xF]);
}

// Characters N-Triples does not allow raw in an IRIREF: controls, space and <>"{}|^`\ .
constexpr bool needs_iri_escape(unsigned char c) noexcept {
  switch (c) {
    case '<':
    case '>':
    case '"':
    case '{':
    case '}':
    case '|':
    case '^':
    case '`':
    case '\\': return true;
    default: return c <= 0x20;
  }
}

// Characters escaped in a literal, as Jena's EscapeStr.stringEsc does for a single-line string
// (what the TNO engine prints): quote, backslash, \n, \t, \r, \f; 0xEF may start U+FFFD, which
// Jena writes as \uFFFD. Other control characters are printed raw, as Jena does; N-Triples
// allows them in STRING_LITERAL_QUOTE.
constexpr bool needs_string_escape(unsigned char c) noexcept {
  return c == '"' || c == '\\' || c == '\n' || c == '\t' || c == '\r' || c == '\f' || c == 0xEF;
}

template <bool (*predicate)(unsigned char) noexcept>
struct CharTable {
  bool flags[256] = {};
  constexpr CharTable() {
    for (int i = 0; i < 256; ++i) flags[i] = predicate(static_cast<unsigned char>(i));
  }
  bool operator()(char c) const noexcept { return flags[static_cast<unsigned char>(c)]; }
};
constexpr CharTable<needs_iri_escape> iri_escape_table;
constexpr CharTable<needs_string_escape> string_escape_table;

// Appends `text`, copying runs that need no escape in one go (the common case is one run).
// escape(out, p, end) writes the escape for *p and returns the position after what it consumed.
template <class Table, class Escape>
void append_escaped(std::string& out, const std::string& text, const Table& table, Escape escape) {
  const char* p = text.data();
  const char* const end = p + text.size();
  while (p != end) {
    const char* run = p;
    while (p != end && !table(*p)) ++p;
    out.append(run, static_cast<std::size_t>(p - run));
    if (p == end) break;
    p = escape(out, p, end);
  }
}

void append_iri(std::string& out, const std::string& iri) {
  out.push_back('<');
  append_escaped(out, iri, iri_escape_table, [](std::string& o, const char* p, const char*) {
    append_uchar(o, static_cast<unsigned char>(*p));
    return p + 1;
  });
  out.push_back('>');
}

void append_quoted(std::string& out, const std::string& lexical) {
  out.push_back('"');
  append_escaped(out, lexical, string_escape_table,
                 [](std::string& o, const char* p, const char* end) {
                   switch (*p) {
                     case '"': o.append("\\\""); break;
                     case '\\': o.append("\\\\"); break;
                     case '\n': o.append("\\n"); break;
                     case '\r': o.append("\\r"); break;
                     case '\t': o.append("\\t"); break;
                     case '\f': o.append("\\f"); break;
                     default:  // 0xEF: U+FFFD (EF BF BD) is escaped, other characters are not
                       if (end - p >= 3 && static_cast<unsigned char>(p[1]) == 0xBF &&
                           static_cast<unsigned char>(p[2]) == 0xBD) {
                         o.append("\\uFFFD");
                         return p + 3;
                       }
                       o.push_back(*p);
                   }
                   return p + 1;
                 });
  out.push_back('"');
}

void lower_ascii(std::string& s) noexcept {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
}

}  // namespace

Term::Term(TermKind kind, std::string value, std::string datatype, std::string language)
    : rep_(std::make_shared<const Rep>(
          Rep{kind, std::move(value), std::move(datatype), std::move(language)})) {}

const std::string& Term::empty_string() noexcept {
  static const std::string empty;
  return empty;
}

std::strong_ordering operator<=>(const Term& a, const Term& b) noexcept {
  if (a.rep_ == b.rep_) return std::strong_ordering::equal;
  if (auto c = a.kind() <=> b.kind(); c != 0) return c;
  if (auto c = a.value() <=> b.value(); c != 0) return c;
  if (auto c = a.datatype() <=> b.datatype(); c != 0) return c;
  return a.language() <=> b.language();
}

Term Term::iri(std::string iri) {
  assert(!iri.empty());
  return Term(TermKind::iri, std::move(iri), {}, {});
}

// RDF 1.1: a language-tagged literal's datatype is always rdf:langString, and language tags
// compare case-insensitively, so they are stored lower-cased to keep `==` term equality.
Term Term::literal(std::string lexical, std::string datatype, std::string language) {
  if (!language.empty()) {
    lower_ascii(language);
    datatype = vocab::rdf_lang_string;
  } else if (datatype.empty()) {
    datatype = vocab::xsd_string;
  }
  return Term(TermKind::literal, std::move(lexical), std::move(datatype), std::move(language));
}

Term Term::blank(std::string label) { return Term(TermKind::blank, std::move(label), {}, {}); }

bool Term::is_well_typed() const {
  if (kind() != TermKind::literal) return true;
  return xsd::is_valid_lexical(xsd::classify(datatype()), value());
}

bool Term::same_value_as(const Term& other) const {
  if (*this == other) return true;
  if (kind() != TermKind::literal || other.kind() != TermKind::literal) return false;
  const xsd::Type a = xsd::classify(datatype());
  const xsd::Type b = xsd::classify(other.datatype());
  const xsd::ValueSpace space = xsd::value_space(a);
  if (space == xsd::ValueSpace::none || space != xsd::value_space(b)) return false;
  if (!xsd::is_valid_lexical(a, value()) || !xsd::is_valid_lexical(b, other.value())) return false;
  return xsd::same_value(a, value(), b, other.value());
}

std::string Term::to_string() const {
  // Fast path: nothing to escape (the common case), so the exact size is known and the pieces
  // are copied into one allocation.
  if (!has_escapes()) return concat_unescaped();
  std::string out;
  switch (kind()) {
    case TermKind::iri:
      out.reserve(value().size() + 2);
      append_iri(out, value());
      break;
    case TermKind::blank:
      out.reserve(value().size() + 2);
      out.append("_:").append(value());
      break;
    case TermKind::literal:
      // NOTES §2.3: xsd:string prints as a simple literal, language tags are kept, every other
      // datatype (also ill-typed lexical forms) prints as "lex"^^<datatype>.
      if (!language().empty()) {
        out.reserve(value().size() + language().size() + 3);
        append_quoted(out, value());
        out.push_back('@');
        out.append(language());
      } else if (datatype() == vocab::xsd_string) {
        out.reserve(value().size() + 2);
        append_quoted(out, value());
      } else {
        out.reserve(value().size() + datatype().size() + 6);
        append_quoted(out, value());
        out.append("^^");
        append_iri(out, datatype());
      }
      break;
  }
  return out;
}

bool Term::has_escapes() const noexcept {
  auto any = [](const std::string& s, const auto& table) {
    for (char c : s) {
      if (table(c)) return true;
    }
    return false;
  };
  if (kind() == TermKind::iri) return any(value(), iri_escape_table);
  if (kind() == TermKind::blank) return false;
  if (any(value(), string_escape_table)) return true;
  // Most datatypes are XSD's: the namespace needs no escape, so only the local name is scanned.
  std::string_view dt = datatype();
  if (dt.starts_with(vocab::xsd)) dt.remove_prefix(vocab::xsd.size());
  for (char c : dt) {
    if (iri_escape_table(c)) return true;
  }
  return false;
}

std::string Term::concat_unescaped() const {
  std::string_view parts[5];
  std::size_t n = 0;
  switch (kind()) {
    case TermKind::iri:
      parts[n++] = "<";
      parts[n++] = value();
      parts[n++] = ">";
      break;
    case TermKind::blank:
      parts[n++] = "_:";
      parts[n++] = value();
      break;
    case TermKind::literal:
      parts[n++] = "\"";
      parts[n++] = value();
      if (!language().empty()) {
        parts[n++] = "\"@";
        parts[n++] = language();
      } else if (datatype() == vocab::xsd_string) {
        parts[n++] = "\"";
      } else {
        parts[n++] = "\"^^<";
        parts[n++] = datatype();
        parts[n++] = ">";
      }
      break;
  }
  std::size_t size = 0;
  for (std::size_t i = 0; i < n; ++i) size += parts[i].size();
  std::string out(size, '\0');
  char* p = out.data();
  for (std::size_t i = 0; i < n; ++i) {
    std::memcpy(p, parts[i].data(), parts[i].size());
    p += parts[i].size();
  }
  return out;
}

std::size_t Term::hash() const noexcept {
  std::hash<std::string> h;
  std::size_t seed = h(value()) ^ static_cast<std::size_t>(kind());
  auto mix = [&seed](std::size_t v) {
    seed ^= v + 0x9e3779b97f4a7c15ULL + (seed << 12) + (seed >> 4);
  };
  if (kind() == TermKind::literal) {
    mix(h(datatype()));
    if (!language().empty()) mix(h(language()));
  }
  return seed;
}

}  // namespace gridke::rdf
