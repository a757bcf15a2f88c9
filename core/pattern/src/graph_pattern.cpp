// Node, TriplePattern and GraphPattern: everything but parsing (graph_pattern_parser.cpp).

#include "gridke/pattern/graph_pattern.hpp"

#include <algorithm>
#include <string>
#include <utility>

#include "gridke/rdf/vocabulary.hpp"

namespace gridke::pattern {
namespace {

bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

// Mantissa of a BigDecimal / Double.parseDouble form: [+-]? (digits ('.' digits?)? | '.' digits),
// starting at `i`; returns the index after it, or npos when there is none.
std::size_t scan_mantissa(std::string_view s, std::size_t i) {
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  std::size_t digits = 0;
  while (i < s.size() && is_digit(s[i])) ++i, ++digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && is_digit(s[i])) ++i, ++digits;
  }
  return digits > 0 ? i : std::string_view::npos;
}

// Index after an exponent [eE][+-]?digits at `i`, or npos.
std::size_t scan_exponent(std::string_view s, std::size_t i) {
  if (i >= s.size() || (s[i] != 'e' && s[i] != 'E')) return std::string_view::npos;
  ++i;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  const std::size_t from = i;
  while (i < s.size() && is_digit(s[i])) ++i;
  return i > from ? i : std::string_view::npos;
}

// Jena's FmtUtils.stringForLiteral (usePlainLiterals, the default of the SerializationContext
// that GraphPatternSerialization uses) prints these literals bare: xsd:integer when the lexical
// form is a BigInteger, xsd:decimal when it contains '.' after the first character and is a
// BigDecimal, xsd:double when it contains 'e'/'E' and parses as a double, xsd:boolean "true" /
// "false". Anything else prints in the N-Triples form.
bool prints_bare(const rdf::Term& t) {
  const std::string& dt = t.datatype();
  const std::string_view lex = t.value();
  if (lex.empty() || dt.size() <= rdf::vocab::xsd.size() || !dt.starts_with(rdf::vocab::xsd)) {
    return false;
  }
  if (dt == rdf::vocab::xsd_integer) {
    std::size_t i = (lex[0] == '+' || lex[0] == '-') ? 1 : 0;
    if (i == lex.size()) return false;
    for (; i < lex.size(); ++i) {
      if (!is_digit(lex[i])) return false;
    }
    return true;
  }
  if (dt == rdf::vocab::xsd_decimal) {
    const std::size_t dot = lex.find('.');
    if (dot == std::string_view::npos || dot == 0) return false;
    std::size_t end = scan_mantissa(lex, 0);
    if (end == std::string_view::npos) return false;
    if (end < lex.size()) end = scan_exponent(lex, end);
    return end == lex.size();
  }
  if (dt == rdf::vocab::xsd_double) {
    if (lex.find_first_of("eE") == std::string_view::npos) return false;
    std::size_t end = scan_mantissa(lex, 0);
    if (end == std::string_view::npos) return false;
    end = scan_exponent(lex, end);
    return end == lex.size();
  }
  if (dt == rdf::vocab::xsd_boolean) return lex == "true" || lex == "false";
  return false;
}

}  // namespace

std::string Node::to_string() const {
  if (!is_variable()) return term().to_string();
  const std::string& name = variable();
  if (name.starts_with("_:")) return name;
  std::string out;
  out.reserve(name.size() + 1);
  out.push_back('?');
  out.append(name);
  return out;
}

void Node::append_pattern_string(std::string& out) const {
  if (is_variable()) {
    const std::string& name = variable();
    if (!name.starts_with("_:")) out.push_back('?');
    out.append(name);
    return;
  }
  const rdf::Term& t = term();
  if (t.is_iri()) {
    // Fast path for the common case: IRIs parsed from a pattern need no escaping.
    bool plain = true;
    for (char ch : t.value()) {
      const auto c = static_cast<unsigned char>(ch);
      if (c <= 0x20 || ch == '<' || ch == '>' || ch == '"' || ch == '{' || ch == '}' || ch == '|' ||
          ch == '^' || ch == '`' || ch == '\\') {
        plain = false;
        break;
      }
    }
    if (plain) {
      out.push_back('<');
      out.append(t.value());
      out.push_back('>');
      return;
    }
  } else if (t.is_literal() && prints_bare(t)) {
    out.append(t.value());
    return;
  }
  out.append(t.to_string());
}

std::string Node::to_pattern_string() const {
  std::string out;
  append_pattern_string(out);
  return out;
}

std::string TriplePattern::to_string() const {
  std::string out;
  out.reserve(128);
  subject.append_pattern_string(out);
  out.push_back(' ');
  predicate.append_pattern_string(out);
  out.push_back(' ');
  object.append_pattern_string(out);
  return out;
}

GraphPattern::GraphPattern(std::vector<TriplePattern> triples) : triples_(std::move(triples)) {
  // Sort pointers, then copy each distinct name once.
  std::vector<const std::string*> names;
  names.reserve(triples_.size() * 2);
  for (const TriplePattern& t : triples_) {
    for (const Node* n : {&t.subject, &t.predicate, &t.object}) {
      if (n->is_variable() && !n->is_blank_variable()) names.push_back(&n->variable());
    }
  }
  std::sort(names.begin(), names.end(), [](const auto* a, const auto* b) { return *a < *b; });
  variables_.reserve(names.size());
  for (const std::string* name : names) {
    if (variables_.empty() || variables_.back() != *name) variables_.push_back(*name);
  }
}

bool GraphPattern::has_variable(std::string_view name) const {
  auto it = std::lower_bound(variables_.begin(), variables_.end(), name,
                             [](const std::string& a, std::string_view b) { return a < b; });
  return it != variables_.end() && *it == name;
}

std::string GraphPattern::canonical() const {
  std::string out;
  std::size_t estimate = 0;
  for (const TriplePattern& t : triples_) {
    for (const Node* n : {&t.subject, &t.predicate, &t.object}) {
      estimate += n->is_variable() ? n->variable().size() + 2 : n->term().value().size() + 8;
    }
    estimate += 3;
  }
  out.reserve(estimate);
  for (const TriplePattern& t : triples_) {
    t.subject.append_pattern_string(out);
    out.push_back(' ');
    t.predicate.append_pattern_string(out);
    out.push_back(' ');
    t.object.append_pattern_string(out);
    out.append(" . ");
  }
  return out;
}

}  // namespace gridke::pattern
