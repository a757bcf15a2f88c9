// Parser of the Jena rules subset (domain_knowledge.hpp). Each clause `(s p o)` is turned into
// SPARQL triple text and parsed with GraphPattern::parse, so terms mean exactly what they mean
// in graph patterns.
#include "gridke/engine/domain_knowledge.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>
#include <utility>

namespace gridke::engine {
namespace {

constexpr std::string_view parse_prefix = "The provided domain knowledge should parse correctly: ";

enum class Tok {
  word,
  var,
  iri,
  literal,
  lparen,
  rparen,
  lbracket,
  rbracket,
  comma,
  dot,
  arrow,
  back_arrow,
  end
};

struct Token {
  Tok kind = Tok::end;
  std::string text;
  int line = 1;
  int column = 1;
};

class Lexer {
 public:
  explicit Lexer(std::string_view text) : s_(text) {}

  Result<Token> next() {
    skip_space_and_comments();
    Token t;
    t.line = line_;
    t.column = column_;
    if (pos_ >= s_.size()) return t;
    const char c = s_[pos_];
    auto single = [&](Tok kind) {
      t.kind = kind;
      t.text = std::string(1, c);
      advance(1);
      return t;
    };
    switch (c) {
      case '(': return single(Tok::lparen);
      case ')': return single(Tok::rparen);
      case '[': return single(Tok::lbracket);
      case ']': return single(Tok::rbracket);
      case ',': return single(Tok::comma);
      default: break;
    }
    if (c == '-' && peek(1) == '>') {
      t.kind = Tok::arrow;
      t.text = "->";
      advance(2);
      return t;
    }
    if (c == '<' && peek(1) == '-') {
      t.kind = Tok::back_arrow;
      t.text = "<-";
      advance(2);
      return t;
    }
    if (c == '<') {
      const std::size_t close = s_.find('>', pos_);
      const std::size_t eol = s_.find('\n', pos_);
      if (close == std::string_view::npos || (eol != std::string_view::npos && eol < close)) {
        return error(t, "unterminated IRI");
      }
      t.kind = Tok::iri;
      t.text = std::string(s_.substr(pos_, close + 1 - pos_));
      advance(close + 1 - pos_);
      return t;
    }
    if (c == '"' || c == '\'') return literal(t, c);
    if (c == '.' && (pos_ + 1 >= s_.size() || is_space(s_[pos_ + 1]) || s_[pos_ + 1] == '#')) {
      return single(Tok::dot);
    }
    // A bare word: ?var, prefixed name, number, boolean, builtin name, rule name.
    std::size_t end = pos_;
    while (end < s_.size() && !is_space(s_[end]) &&
           std::string_view("()[],").find(s_[end]) == std::string_view::npos) {
      ++end;
    }
    std::string word(s_.substr(pos_, end - pos_));
    // A trailing '.' ends a rule ("-> (a b c)." is not written that way, but "ex:o." may be).
    t.kind = word[0] == '?' ? Tok::var : Tok::word;
    t.text = std::move(word);
    advance(end - pos_);
    return t;
  }

  Result<Token> error(const Token& at, const std::string& what) const {
    return invalid_argument(std::string(parse_prefix) + what + " (line " + std::to_string(at.line) +
                            ", column " + std::to_string(at.column) + ").");
  }

 private:
  static bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }
  char peek(std::size_t k) const { return pos_ + k < s_.size() ? s_[pos_ + k] : '\0'; }

  void advance(std::size_t n) {
    for (std::size_t i = 0; i < n && pos_ < s_.size(); ++i, ++pos_) {
      if (s_[pos_] == '\n') {
        ++line_;
        column_ = 1;
      } else {
        ++column_;
      }
    }
  }

  void skip_space_and_comments() {
    while (pos_ < s_.size()) {
      const char c = s_[pos_];
      if (is_space(c)) {
        advance(1);
      } else if (c == '#' || (c == '/' && peek(1) == '/')) {
        while (pos_ < s_.size() && s_[pos_] != '\n') advance(1);
      } else {
        return;
      }
    }
  }

  Result<Token> literal(Token t, char quote) {
    std::size_t i = pos_ + 1;
    while (i < s_.size() && s_[i] != quote) {
      if (s_[i] == '\\') ++i;
      if (i < s_.size() && s_[i] == '\n') return error(t, "unterminated string");
      ++i;
    }
    if (i >= s_.size()) return error(t, "unterminated string");
    std::string body(s_.substr(pos_ + 1, i - pos_ - 1));
    std::size_t end = i + 1;
    std::string suffix;
    if (end < s_.size() && s_[end] == '@') {
      Token at = t;
      at.column += static_cast<int>(end - pos_);
      return error(at, "language-tagged literals are not supported");
    }
    if (s_.substr(end, 2) == "^^") {
      std::size_t dt_end = end + 2;
      if (dt_end < s_.size() && s_[dt_end] == '<') {
        const std::size_t close = s_.find('>', dt_end);
        if (close == std::string_view::npos) return error(t, "unterminated datatype IRI");
        dt_end = close + 1;
      } else {
        while (dt_end < s_.size() && !is_space(s_[dt_end]) &&
               std::string_view("()[],").find(s_[dt_end]) == std::string_view::npos) {
          ++dt_end;
        }
      }
      suffix = std::string(s_.substr(end, dt_end - end));
      end = dt_end;
    }
    t.kind = Tok::literal;
    // Jena single-quoted strings become SPARQL double-quoted ones.
    if (quote == '\'') {
      std::string escaped;
      for (char ch : body) {
        if (ch == '"') escaped += '\\';
        escaped += ch;
      }
      body = std::move(escaped);
    }
    t.text = "\"" + body + "\"" + suffix;
    advance(end - pos_);
    return t;
  }

  std::string_view s_;
  std::size_t pos_ = 0;
  int line_ = 1;
  int column_ = 1;
};

class Parser {
 public:
  explicit Parser(std::string_view text) : lex_(text) {
    prefixes_ = {{"rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"},
                 {"rdfs", "http://www.w3.org/2000/01/rdf-schema#"},
                 {"owl", "http://www.w3.org/2002/07/owl#"},
                 {"xsd", "http://www.w3.org/2001/XMLSchema#"}};
  }

  Result<std::vector<DomainRule>> run() {
    GRIDKE_TRY(advance());
    std::vector<DomainRule> rules;
    while (tok_.kind != Tok::end) {
      if (tok_.kind == Tok::word && tok_.text == "@prefix") {
        GRIDKE_TRY(prefix());
        continue;
      }
      if (tok_.kind == Tok::dot) {  // a stray '.' between rules
        GRIDKE_TRY(advance());
        continue;
      }
      GRIDKE_ASSIGN_OR_RETURN(DomainRule rule, parse_rule(rules.size() + 1));
      rules.push_back(std::move(rule));
    }
    return rules;
  }

 private:
  Result<void> advance() {
    GRIDKE_ASSIGN_OR_RETURN(tok_, lex_.next());
    return ok();
  }

  Error fail(const std::string& what) const { return lex_.error(tok_, what).error(); }

  Result<void> prefix() {
    const Token at = tok_;
    GRIDKE_TRY(advance());
    if (tok_.kind != Tok::word || tok_.text.empty() || tok_.text.back() != ':') {
      return fail("@prefix needs a name ending in ':'");
    }
    std::string name = tok_.text.substr(0, tok_.text.size() - 1);
    GRIDKE_TRY(advance());
    if (tok_.kind != Tok::iri) return fail("@prefix " + name + ": needs an <IRI>");
    prefixes_[name] = tok_.text.substr(1, tok_.text.size() - 2);
    GRIDKE_TRY(advance());
    if (tok_.kind == Tok::dot) GRIDKE_TRY(advance());
    (void)at;
    return ok();
  }

  Result<DomainRule> parse_rule(std::size_t position) {
    DomainRule rule;
    rule.name = "rule-" + std::to_string(position);
    const bool bracketed = tok_.kind == Tok::lbracket;
    const Token start = tok_;
    if (bracketed) {
      GRIDKE_TRY(advance());
      if (tok_.kind == Tok::word && tok_.text.size() > 1 && tok_.text.back() == ':') {
        rule.name = tok_.text.substr(0, tok_.text.size() - 1);
        GRIDKE_TRY(advance());
      }
    }
    GRIDKE_ASSIGN_OR_RETURN(auto body, clauses());
    if (tok_.kind == Tok::back_arrow) {
      return fail("backward rules ('<-') are not supported; write 'body -> head'");
    }
    if (tok_.kind != Tok::arrow) return fail("expected '->' after the rule body");
    GRIDKE_TRY(advance());
    GRIDKE_ASSIGN_OR_RETURN(auto head, clauses());
    if (head.empty()) return fail("the rule '" + rule.name + "' has no head triple");
    if (bracketed) {
      if (tok_.kind != Tok::rbracket) {
        Token at = tok_.kind == Tok::end ? start : tok_;
        return lex_.error(at, "the rule '" + rule.name + "' is not closed with ']'").error();
      }
      GRIDKE_TRY(advance());
    }
    if (tok_.kind == Tok::dot) GRIDKE_TRY(advance());
    std::optional<pattern::GraphPattern> antecedent_parsed;
    if (!body.empty()) {
      GRIDKE_ASSIGN_OR_RETURN(antecedent_parsed, to_pattern(body));
    }
    GRIDKE_ASSIGN_OR_RETURN(rule.consequent, to_pattern(head));
    if (antecedent_parsed) {
      pattern::GraphPattern antecedent = std::move(*antecedent_parsed);
      for (const auto& v : rule.consequent.variables()) {
        if (!antecedent.has_variable(v)) {
          return lex_
              .error(start,
                     "Not all variables in the consequent are available in the "
                     "antecedent of rule '" +
                         rule.name + "': ?" + v + " is not in its body")
              .error();
        }
      }
      rule.antecedent = std::move(antecedent);
    } else if (!rule.consequent.variables().empty()) {
      return lex_
          .error(start, "the fact '" + rule.name + "' has variables (?" +
                            rule.consequent.variables().front() + "); facts must be concrete")
          .error();
    }
    return rule;
  }

  struct Clause {
    std::string text;  // "s p o ."
    Token at;
  };

  Result<std::vector<Clause>> clauses() {
    std::vector<Clause> out;
    while (true) {
      if (tok_.kind == Tok::comma) {
        GRIDKE_TRY(advance());
        continue;
      }
      if (tok_.kind == Tok::word && !tok_.text.empty() && tok_.text != "@prefix") {
        // name(...) is a builtin call: the lexer split "name" and "(".
        const Token at = tok_;
        GRIDKE_TRY(advance());
        if (tok_.kind == Tok::lparen) {
          return lex_
              .error(at,
                     "the rule should not contain non-triple pattern clauses, such as the "
                     "builtin '" +
                         at.text + "(...)'")
              .error();
        }
        return lex_.error(at, "unexpected '" + at.text + "' outside a (s p o) clause").error();
      }
      if (tok_.kind != Tok::lparen) return out;
      Clause c;
      c.at = tok_;
      GRIDKE_TRY(advance());
      int terms = 0;
      while (tok_.kind == Tok::word || tok_.kind == Tok::var || tok_.kind == Tok::iri ||
             tok_.kind == Tok::literal) {
        c.text += tok_.text + " ";
        ++terms;
        GRIDKE_TRY(advance());
      }
      if (tok_.kind != Tok::rparen) {
        return lex_.error(c.at, "a clause is not closed with ')'").error();
      }
      if (terms != 3) {
        return lex_
            .error(c.at, "a clause needs exactly three terms (subject predicate object), not " +
                             std::to_string(terms))
            .error();
      }
      c.text += ".";
      GRIDKE_TRY(advance());
      out.push_back(std::move(c));
    }
  }

  Result<pattern::GraphPattern> to_pattern(const std::vector<Clause>& clauses) const {
    std::vector<pattern::TriplePattern> triples;
    for (const Clause& c : clauses) {
      auto p = pattern::GraphPattern::parse(c.text, prefixes_);
      if (!p) {
        std::string msg = p.error().message();
        // The graph-pattern parser's note speaks of the KI 'prefixes' property.
        const std::size_t note = msg.find(" Note: Have you included");
        if (note != std::string::npos) msg = msg.substr(0, note) + " Declare it with @prefix.";
        return lex_.error(c.at, "in clause (" + c.text.substr(0, c.text.size() - 2) + "): " + msg)
            .error();
      }
      triples.insert(triples.end(), p->triples().begin(), p->triples().end());
    }
    return pattern::GraphPattern(std::move(triples));
  }

  Lexer lex_;
  Token tok_;
  pattern::PrefixMap prefixes_;
};

}  // namespace

Result<std::vector<DomainRule>> parse_domain_knowledge(std::string_view text) {
  return Parser(text).run();
}

Result<std::string> read_domain_knowledge_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return not_found("Domain knowledge file '" + path + "' cannot be read.", path);
  std::ostringstream text;
  text << in.rdbuf();
  auto rules = parse_domain_knowledge(text.str());
  if (!rules) return std::move(rules).error().with_context("domain knowledge file " + path);
  return text.str();
}

}  // namespace gridke::engine
