// A small recursive-descent reader for basic graph patterns that keeps positions (see
// pattern_scan.hpp). It is one state machine over the text, so it stays in one file.
#include "pattern_scan.hpp"

#include <cctype>

#include "gridke/rdf/vocabulary.hpp"

namespace gridke::ontology::detail {
namespace {

using rdf::vocab::xsd;

bool is_name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-' ||
         static_cast<unsigned char>(c) >= 0x80;
}

class Reader {
 public:
  Reader(std::string_view text, const pattern::PrefixMap& prefixes)
      : text_(text), prefixes_(prefixes) {}

  ScanResult run() {
    ScanResult result;
    skip();
    while (pos_ < text_.size()) {
      auto subject = term();
      if (!subject) return fail(result);
      if (!predicate_objects(*subject, result)) return fail(result);
      skip();
      if (peek() == '.') {
        ++pos_;
        skip();
      } else if (pos_ < text_.size()) {
        error_ = "expected '.' after a triple";
        return fail(result);
      }
    }
    return result;
  }

 private:
  ScanResult& fail(ScanResult& r) {
    r.error = error_.empty() ? std::string("unexpected text") : error_;
    r.error_offset = pos_;
    return r;
  }

  char peek(std::size_t ahead = 0) const {
    return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0';
  }

  void skip() {
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c == '#') {
        while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
      } else if (std::isspace(static_cast<unsigned char>(c)) != 0) {
        ++pos_;
      } else {
        break;
      }
    }
  }

  bool predicate_objects(const ScannedTerm& subject, ScanResult& result) {
    for (;;) {
      skip();
      auto predicate = verb();
      if (!predicate) return false;
      for (;;) {
        skip();
        auto object = term();
        if (!object) return false;
        result.triples.push_back({subject, *predicate, *object});
        skip();
        if (peek() != ',') break;
        ++pos_;
      }
      skip();
      if (peek() != ';') return true;
      while (peek() == ';') {
        ++pos_;
        skip();
      }
      if (peek() == '.' || pos_ >= text_.size()) return true;
    }
  }

  std::optional<ScannedTerm> verb() {
    if (peek() == 'a' && !is_name_char(peek(1)) && peek(1) != ':') {
      ScannedTerm t;
      t.kind = ScannedTerm::Kind::iri;
      t.value = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";
      t.written = "a";
      t.offset = pos_++;
      return t;
    }
    return term();
  }

  std::optional<ScannedTerm> term() {
    skip();
    const std::size_t start = pos_;
    const char c = peek();
    ScannedTerm t;
    t.offset = start;
    if (c == '<') {
      const auto end = text_.find('>', pos_);
      if (end == std::string_view::npos) {
        error_ = "unterminated IRI";
        return std::nullopt;
      }
      t.value = std::string(text_.substr(pos_ + 1, end - pos_ - 1));
      pos_ = end + 1;
    } else if (c == '?' || c == '$') {
      ++pos_;
      while (pos_ < text_.size() && is_name_char(text_[pos_])) ++pos_;
      t.kind = ScannedTerm::Kind::variable;
      t.value = std::string(text_.substr(start + 1, pos_ - start - 1));
      if (t.value.empty()) {
        error_ = "a variable needs a name";
        return std::nullopt;
      }
    } else if (c == '_' && peek(1) == ':') {
      pos_ += 2;
      while (pos_ < text_.size() && (is_name_char(text_[pos_]) || text_[pos_] == '.')) ++pos_;
      t.kind = ScannedTerm::Kind::blank;
      t.value = std::string(text_.substr(start + 2, pos_ - start - 2));
    } else if (c == '"' || c == '\'') {
      if (!string_literal(t)) return std::nullopt;
    } else if (std::isdigit(static_cast<unsigned char>(c)) != 0 ||
               ((c == '+' || c == '-' || c == '.') &&
                std::isdigit(static_cast<unsigned char>(peek(1))) != 0)) {
      number(t);
    } else if (is_name_char(c) || c == ':') {
      if (!name(t)) return std::nullopt;
    } else {
      error_ = std::string("unexpected '") + c + "'";
      return std::nullopt;
    }
    t.written = std::string(text_.substr(start, pos_ - start));
    return t;
  }

  bool string_literal(ScannedTerm& t) {
    const char q = peek();
    const bool long_form = peek(1) == q && peek(2) == q;
    pos_ += long_form ? 3 : 1;
    std::string value;
    for (;;) {
      if (pos_ >= text_.size()) {
        error_ = "unterminated string";
        return false;
      }
      const char c = text_[pos_];
      if (c == '\\' && pos_ + 1 < text_.size()) {
        const char e = text_[pos_ + 1];
        value += e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e;
        pos_ += 2;
        continue;
      }
      if (long_form ? (c == q && peek(1) == q && peek(2) == q) : c == q) {
        pos_ += long_form ? 3 : 1;
        break;
      }
      if (!long_form && c == '\n') {
        error_ = "line break in a short string";
        return false;
      }
      value += c;
      ++pos_;
    }
    t.kind = ScannedTerm::Kind::literal;
    t.value = std::move(value);
    t.datatype = std::string(xsd) + "string";
    if (peek() == '@') {
      const std::size_t s = ++pos_;
      while (pos_ < text_.size() &&
             (std::isalnum(static_cast<unsigned char>(text_[pos_])) != 0 || text_[pos_] == '-')) {
        ++pos_;
      }
      t.language = std::string(text_.substr(s, pos_ - s));
      t.datatype = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString";
    } else if (peek() == '^' && peek(1) == '^') {
      pos_ += 2;
      auto dt = term();
      if (!dt || !dt->is_iri()) {
        if (error_.empty()) error_ = "a datatype must be an IRI";
        return false;
      }
      t.datatype = dt->value;
    }
    return true;
  }

  void number(ScannedTerm& t) {
    const std::size_t s = pos_;
    if (peek() == '+' || peek() == '-') ++pos_;
    bool dot = false;
    bool exp = false;
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (std::isdigit(static_cast<unsigned char>(c)) != 0) {
        ++pos_;
      } else if (c == '.' && !dot && !exp &&
                 std::isdigit(static_cast<unsigned char>(peek(1))) != 0) {
        dot = true;
        ++pos_;
      } else if ((c == 'e' || c == 'E') && !exp) {
        exp = true;
        ++pos_;
        if (peek() == '+' || peek() == '-') ++pos_;
      } else {
        break;
      }
    }
    t.kind = ScannedTerm::Kind::literal;
    t.value = std::string(text_.substr(s, pos_ - s));
    t.datatype = std::string(xsd) + (exp ? "double" : dot ? "decimal" : "integer");
  }

  bool name(ScannedTerm& t) {
    const std::size_t s = pos_;
    while (pos_ < text_.size() && (is_name_char(text_[pos_]) || text_[pos_] == '.')) ++pos_;
    while (pos_ > s && text_[pos_ - 1] == '.') --pos_;
    if (peek() != ':') {
      const auto word = text_.substr(s, pos_ - s);
      if (word == "true" || word == "false") {
        t.kind = ScannedTerm::Kind::literal;
        t.value = std::string(word);
        t.datatype = std::string(xsd) + "boolean";
        return true;
      }
      error_ = "'" + std::string(word) + "' is not allowed in a basic graph pattern";
      return false;
    }
    t.prefix = std::string(text_.substr(s, pos_ - s));
    ++pos_;  // ':'
    const std::size_t ls = pos_;
    std::string local;
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c == '\\' && pos_ + 1 < text_.size()) {
        local += text_[pos_ + 1];
        pos_ += 2;
      } else if (is_name_char(c) || c == ':' || c == '%' ||
                 (c == '.' && pos_ + 1 < text_.size() &&
                  (is_name_char(text_[pos_ + 1]) || text_[pos_ + 1] == ':'))) {
        local += c;
        ++pos_;
      } else {
        break;
      }
    }
    (void)ls;
    t.is_pname = true;
    auto it = prefixes_.find(t.prefix);
    if (it == prefixes_.end()) {
      t.unresolved = true;
      t.value = t.prefix + ":" + local;
    } else {
      t.value = it->second + local;
    }
    return true;
  }

  std::string_view text_;
  const pattern::PrefixMap& prefixes_;
  std::size_t pos_ = 0;
  std::string error_;
};

}  // namespace

ScanResult scan_pattern(std::string_view text, const pattern::PrefixMap& prefixes) {
  return Reader(text, prefixes).run();
}

std::string strip_prefix_lines(std::string_view text, std::vector<PrefixDeclaration>& out) {
  std::string result(text);
  std::size_t line_start = 0;
  while (line_start < text.size()) {
    std::size_t line_end = text.find('\n', line_start);
    if (line_end == std::string_view::npos) line_end = text.size();
    const auto line = text.substr(line_start, line_end - line_start);
    std::size_t i = 0;
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    const auto rest = line.substr(i);
    const bool sparql =
        rest.size() > 7 && (rest.substr(0, 7) == "PREFIX " || rest.substr(0, 7) == "prefix ");
    const bool turtle = rest.size() > 8 && rest.substr(0, 8) == "@prefix ";
    if (sparql || turtle) {
      const auto colon = rest.find(':');
      const auto lt = rest.find('<');
      const auto gt = rest.find('>');
      if (colon != std::string_view::npos && lt != std::string_view::npos &&
          gt != std::string_view::npos && colon < lt && lt < gt) {
        std::size_t ps = turtle ? 8 : 7;
        while (ps < colon && rest[ps] == ' ') ++ps;
        PrefixDeclaration d;
        d.prefix = std::string(rest.substr(ps, colon - ps));
        d.iri = std::string(rest.substr(lt + 1, gt - lt - 1));
        d.offset = line_start + i;
        out.push_back(std::move(d));
        for (std::size_t k = line_start; k < line_end; ++k) result[k] = ' ';
      }
    }
    line_start = line_end + 1;
  }
  return result;
}

}  // namespace gridke::ontology::detail
