// GraphPattern::parse: a recursive-descent parser for the KE graph-pattern syntax, the
// TriplesBlock of SPARQL 1.1 (grammar rules 55, 75–81, 98–99 with plain verbs instead of
// paths), over the tokens of lexer.hpp. Everything else SPARQL allows inside `{ }` is rejected
// with a message that names the construct and where it is (docs/graph-patterns.md).

#include <algorithm>
#include <array>
#include <optional>
#include <string>
#include <utility>

#include "gridke/pattern/graph_pattern.hpp"
#include "gridke/rdf/vocabulary.hpp"
#include "lexer.hpp"

namespace gridke::pattern {
namespace {

using detail::Lexer;
using detail::Token;
using detail::TokenKind;

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    if (x >= 'a' && x <= 'z') x = static_cast<char>(x - 'a' + 'A');
    if (y >= 'a' && y <= 'z') y = static_cast<char>(y - 'a' + 'A');
    if (x != y) return false;
  }
  return true;
}

bool is_punct(const Token& t, char c) noexcept {
  return t.kind == TokenKind::punct && t.raw.size() == 1 && t.raw[0] == c;
}

bool is_absolute_iri(std::string_view iri) noexcept {
  if (iri.empty()) return false;
  const char c0 = iri[0];
  if (!((c0 >= 'a' && c0 <= 'z') || (c0 >= 'A' && c0 <= 'Z'))) return false;
  for (std::size_t i = 1; i < iri.size(); ++i) {
    const char c = iri[i];
    if (c == ':') return true;
    const bool scheme_char = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                             (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
    if (!scheme_char) return false;
  }
  return false;
}

std::string quote(std::string_view raw) {
  std::string s(raw.substr(0, 40));
  if (auto nl = s.find_first_of("\r\n"); nl != std::string::npos) s.resize(nl);
  if (s.size() < raw.size()) s.append("...");
  return "'" + s + "'";
}

std::string describe(const Token& t) {
  if (t.kind == TokenKind::end) return "the end of the pattern";
  return quote(t.raw);
}

// SPARQL group-level keywords a basic graph pattern cannot contain.
constexpr std::array<std::string_view, 8> group_keywords = {
    "FILTER", "OPTIONAL", "UNION", "GRAPH", "MINUS", "BIND", "VALUES", "SERVICE"};
constexpr std::array<std::string_view, 5> query_keywords = {"SELECT", "CONSTRUCT", "ASK",
                                                            "DESCRIBE", "WHERE"};

constexpr std::string_view bgp_only =
    " the Knowledge Engine accepts only a basic graph pattern (triples separated by '.')";

// A message naming the SPARQL construct `t` starts, when it is one a graph pattern may not hold.
std::optional<std::string> construct_message(const Token& t) {
  if (t.kind == TokenKind::word) {
    for (std::string_view k : group_keywords) {
      if (iequals(t.raw, k)) {
        return std::string(k) + " is not allowed in a graph pattern:" + std::string(bgp_only);
      }
    }
    for (std::string_view k : query_keywords) {
      if (iequals(t.raw, k)) {
        return "Sub-queries and query forms (" + std::string(k) +
               ") are not allowed in a graph pattern: it is only the body of SELECT * { ... }";
      }
    }
    if (iequals(t.raw, "PREFIX") || iequals(t.raw, "BASE")) {
      return "PREFIX/BASE declarations are not allowed in a graph pattern: give prefixes in the "
             "'prefixes' property";
    }
  }
  if (t.kind == TokenKind::lang_tag && (t.value == "prefix" || t.value == "base")) {
    return "Turtle @prefix/@base directives are not allowed in a graph pattern: give prefixes in "
           "the 'prefixes' property";
  }
  if (t.kind == TokenKind::punct && t.raw.size() == 1) {
    switch (t.raw[0]) {
      case '{':
      case '}':
        return "Groups and sub-queries ('{ ... }') are not allowed in a graph pattern:" +
               std::string(bgp_only);
      case '[':
      case ']':
        return "Blank-node property lists ('[ ... ]') are not allowed in a graph pattern: name "
               "the node with a variable (or _:label) instead";
      case '(':
      case ')':
        return "Collections ('( ... )') are not allowed in a graph pattern: write the "
               "rdf:first/rdf:rest triples with variables instead";
      default: break;
    }
  }
  return std::nullopt;
}

bool is_literal_token(const Token& t) {
  return t.kind == TokenKind::string || t.kind == TokenKind::integer ||
         t.kind == TokenKind::decimal || t.kind == TokenKind::double_ ||
         (t.kind == TokenKind::word && (iequals(t.raw, "true") || iequals(t.raw, "false")));
}

class Parser {
 public:
  Parser(std::string_view text, const PrefixMap& prefixes) : lexer_(text), prefixes_(prefixes) {}

  Result<std::vector<TriplePattern>> parse() {
    std::vector<TriplePattern> triples;
    // About one triple per 30 bytes in practice; avoids most regrowth.
    triples.reserve(std::max<std::size_t>(8, lexer_.text().size() / 30));
    GRIDKE_TRY(advance());
    if (tok_.kind == TokenKind::end) {
      return lexer_.error_at(0, "Empty graph pattern: a graph pattern needs at least one triple");
    }
    while (true) {
      GRIDKE_ASSIGN_OR_RETURN(Node subject, parse_subject());
      GRIDKE_TRY(parse_property_list(subject, triples));
      if (is_punct(tok_, '.')) {
        GRIDKE_TRY(advance());
        if (tok_.kind == TokenKind::end) break;
        continue;
      }
      if (tok_.kind == TokenKind::end) break;
      return unexpected("'.', ';' or ',' after the object");
    }
    return triples;
  }

 private:
  Result<void> advance() {
    GRIDKE_ASSIGN_OR_RETURN(tok_, lexer_.next());
    return ok();
  }

  Error error(std::string_view message) const { return lexer_.error_at(tok_.offset, message); }

  Error unexpected(std::string_view expected) const {
    if (auto m = construct_message(tok_)) return error(*m);
    if (tok_.kind == TokenKind::word && !iequals(tok_.raw, "a") && !is_literal_token(tok_)) {
      return error("Unexpected word " + quote(tok_.raw) + " where " + std::string(expected) +
                   " was expected (a prefixed name needs a ':', a variable a '?')");
    }
    return error("Expected " + std::string(expected) + ", found " + describe(tok_));
  }

  Result<void> parse_property_list(const Node& subject, std::vector<TriplePattern>& triples) {
    while (true) {
      GRIDKE_ASSIGN_OR_RETURN(Node predicate, parse_verb());
      while (true) {
        GRIDKE_ASSIGN_OR_RETURN(Node object, parse_object());
        triples.push_back(TriplePattern{subject, predicate, std::move(object)});
        if (!is_punct(tok_, ',')) break;
        GRIDKE_TRY(advance());
      }
      if (!is_punct(tok_, ';')) return ok();
      while (is_punct(tok_, ';')) GRIDKE_TRY(advance());
      // A trailing ';' may end the property list (rule 77: ( ';' ( Verb ObjectList )? )*).
      const bool verb_follows = tok_.kind == TokenKind::iri || tok_.kind == TokenKind::pname ||
                                tok_.kind == TokenKind::variable ||
                                (tok_.kind == TokenKind::word && tok_.raw == "a");
      if (!verb_follows) return ok();
    }
  }

  Result<Node> parse_subject() {
    switch (tok_.kind) {
      case TokenKind::variable: return take_variable();
      case TokenKind::blank: return take_blank();
      case TokenKind::iri:
      case TokenKind::pname: return take_iri();
      default: break;
    }
    if (is_literal_token(tok_)) {
      return error("A literal cannot be the subject of a triple: " + describe(tok_) +
                   " (subjects are variables, IRIs or prefixed names)");
    }
    if (tok_.kind == TokenKind::word && tok_.raw == "a") {
      return error("'a' (rdf:type) can only be used as a predicate");
    }
    return unexpected("a subject (a variable, IRI or prefixed name)");
  }

  Result<Node> parse_verb() {
    Result<Node> verb = parse_verb_term();
    if (!verb) return verb;
    // SPARQL property paths (rule 88–95): sequence, alternative and modifiers follow the verb.
    if (tok_.kind == TokenKind::punct && tok_.raw.size() == 1) {
      const char c = tok_.raw[0];
      if (c == '/' || c == '|' || c == '*' || c == '+' || c == '?') {
        return error("Property paths are not allowed in a graph pattern: found '" +
                     std::string(1, c) + "' after the predicate " + std::string(verb_raw_) +
                     "; write one triple per step with a variable in between");
      }
    }
    return verb;
  }

  Result<Node> parse_verb_term() {
    verb_raw_ = tok_.raw;
    switch (tok_.kind) {
      case TokenKind::variable: return take_variable();
      case TokenKind::iri:
      case TokenKind::pname: return take_iri();
      case TokenKind::blank:
        return error("A blank node cannot be the predicate of a triple: " + describe(tok_));
      default: break;
    }
    if (tok_.kind == TokenKind::word && tok_.raw == "a") {
      GRIDKE_TRY(advance());
      return Node(rdf::Term::iri(std::string(rdf::vocab::rdf_type)));
    }
    if (is_literal_token(tok_)) {
      return error("A literal cannot be the predicate of a triple: " + describe(tok_) +
                   " (predicates are variables, IRIs, prefixed names or 'a')");
    }
    if (is_punct(tok_, '^') || is_punct(tok_, '!') || is_punct(tok_, '(')) {
      return error("Property paths are not allowed in a graph pattern: found '" +
                   std::string(tok_.raw) + "' where a predicate was expected");
    }
    return unexpected("a predicate (a variable, IRI, prefixed name or 'a')");
  }

  Result<Node> parse_object() {
    switch (tok_.kind) {
      case TokenKind::variable: return take_variable();
      case TokenKind::blank: return take_blank();
      case TokenKind::iri:
      case TokenKind::pname: return take_iri();
      case TokenKind::string: return take_string_literal();
      case TokenKind::integer: return take_number(rdf::vocab::xsd_integer);
      case TokenKind::decimal: return take_number(rdf::vocab::xsd_decimal);
      case TokenKind::double_: return take_number(rdf::vocab::xsd_double);
      default: break;
    }
    if (tok_.kind == TokenKind::word) {
      if (iequals(tok_.raw, "true") || iequals(tok_.raw, "false")) {
        std::string lexical = iequals(tok_.raw, "true") ? "true" : "false";
        GRIDKE_TRY(advance());
        return Node(rdf::Term::literal(std::move(lexical), std::string(rdf::vocab::xsd_boolean)));
      }
      if (tok_.raw == "a") return error("'a' (rdf:type) can only be used as a predicate");
    }
    return unexpected("an object (a variable, IRI, prefixed name or literal)");
  }

  Result<Node> take_variable() {
    Node n(Variable{std::move(tok_.value)});
    GRIDKE_TRY(advance());
    return n;
  }

  Result<Node> take_blank() {
    std::string name;
    name.reserve(tok_.value.size() + 2);
    name.append("_:").append(tok_.value);
    Node n(Variable{std::move(name)});
    GRIDKE_TRY(advance());
    return n;
  }

  // The IRI of the current iri or pname token (prefixes resolved), without advancing.
  Result<std::string> current_iri() {
    if (tok_.kind == TokenKind::iri) return std::move(tok_.value);
    // Patterns use few prefixes, many times: remember the last one resolved.
    if (last_prefix_ == prefixes_.end() || last_prefix_->first != tok_.prefix) {
      last_prefix_ = prefixes_.find(std::string(tok_.prefix));  // comparator not transparent
    }
    const auto it = last_prefix_;
    const std::string_view key = tok_.prefix;
    if (it == prefixes_.end()) {
      return error("Unresolved prefixed name: " + std::string(tok_.raw) +
                   ". Note: Have you included your prefixes in the 'prefixes' property?");
    }
    std::string iri;
    iri.reserve(it->second.size() + tok_.value.size());
    iri.append(it->second).append(tok_.value);
    if (!is_absolute_iri(iri)) {
      return error("Prefixed name " + std::string(tok_.raw) + " expands to '" + iri +
                   "', which is not an absolute IRI: check the namespace given for prefix '" +
                   std::string(key) + "' in the 'prefixes' property");
    }
    return iri;
  }

  Result<Node> take_iri() {
    GRIDKE_ASSIGN_OR_RETURN(std::string iri, current_iri());
    GRIDKE_TRY(advance());
    return Node(rdf::Term::iri(std::move(iri)));
  }

  Result<Node> take_number(std::string_view datatype) {
    Node n(rdf::Term::literal(std::move(tok_.value), std::string(datatype)));
    GRIDKE_TRY(advance());
    return n;
  }

  Result<Node> take_string_literal() {
    std::string lexical = std::move(tok_.value);
    GRIDKE_TRY(advance());
    if (tok_.kind == TokenKind::lang_tag) {
      std::string lang = std::move(tok_.value);
      GRIDKE_TRY(advance());
      return Node(rdf::Term::literal(std::move(lexical), {}, std::move(lang)));
    }
    if (tok_.kind == TokenKind::datatype_mark) {
      GRIDKE_TRY(advance());
      if (tok_.kind != TokenKind::iri && tok_.kind != TokenKind::pname) {
        return error("Expected a datatype IRI (<...> or a prefixed name) after '^^', found " +
                     describe(tok_));
      }
      GRIDKE_ASSIGN_OR_RETURN(std::string datatype, current_iri());
      GRIDKE_TRY(advance());
      return Node(rdf::Term::literal(std::move(lexical), std::move(datatype)));
    }
    return Node(rdf::Term::literal(std::move(lexical)));
  }

  Lexer lexer_;
  const PrefixMap& prefixes_;
  PrefixMap::const_iterator last_prefix_ = prefixes_.end();
  Token tok_;
  std::string_view verb_raw_;
};

}  // namespace

Result<GraphPattern> GraphPattern::parse(std::string_view text, const PrefixMap& prefixes) {
  Parser parser(text, prefixes);
  GRIDKE_ASSIGN_OR_RETURN(std::vector<TriplePattern> triples, parser.parse());
  return GraphPattern(std::move(triples));
}

}  // namespace gridke::pattern
