// parse_term(): a hand-written scanner for the KE binding text form (NOTES §2.3). It is on the
// hot path of every exchange, so it makes one pass, allocates only the Term's own strings and
// uses neither regex nor iostreams.

#include "gridke/rdf/term.hpp"
#include "gridke/rdf/vocabulary.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace gridke::rdf {
namespace {

constexpr std::string_view variable_message =
    "Binding values should be concrete nodes (either RDF literals or RDF URIs).";
constexpr std::size_t max_quoted_length = 120;

bool is_space(char c) noexcept { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
bool is_alpha(char c) noexcept { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_hex(char c) noexcept {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// `'text'` for messages, shortened so a huge value does not flood a log.
std::string quoted(std::string_view text) {
  std::string out = "'";
  if (text.size() > max_quoted_length) {
    out.append(text.substr(0, max_quoted_length)).append("...");
  } else {
    out.append(text);
  }
  out.push_back('\'');
  return out;
}

std::string describe_char(unsigned char c) {
  static constexpr char hex[] = "0123456789ABCDEF";
  if (c == ' ') return "' ' (space)";
  if (c > 0x20 && c < 0x7F) return std::string("'") + static_cast<char>(c) + "'";
  std::string out = "U+00";
  out.push_back(hex[c >> 4]);
  out.push_back(hex[c & 0xF]);
  return out;
}

// Characters that end the fast path of an IRI scan: the terminator, an escape, or a character
// N-Triples forbids in an IRIREF (controls, space, <"{}|^`).
constexpr bool stops_iri_run(unsigned char c) noexcept {
  switch (c) {
    case '>':
    case '\\':
    case '<':
    case '"':
    case '{':
    case '}':
    case '|':
    case '^':
    case '`': return true;
    default: return c <= 0x20;
  }
}
struct IriStopTable {
  bool flags[256] = {};
  constexpr IriStopTable() {
    for (int i = 0; i < 256; ++i) flags[i] = stops_iri_run(static_cast<unsigned char>(i));
  }
};
constexpr IriStopTable iri_stop;

// Scans one term from text (already trimmed); `pos` is the current offset. Each error names the
// whole value and the 1-based column of the problem.
class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  Result<Term> scan() {
    const char c = text_.front();
    if (c == '<') return scan_iri_term();
    if (c == '"' || c == '\'') return scan_literal();
    if (c == '_' && text_.size() > 1 && text_[1] == ':') return scan_blank();
    if (c == '?' || c == '$') {
      return fail_plain("is a variable. " + std::string(variable_message));
    }
    if (is_digit(c) || c == '+' || c == '-' || c == '.') return scan_number();
    if (text_ == "true" || text_ == "false") {
      return Term::literal(std::string(text_), std::string(vocab::xsd_boolean));
    }
    return scan_bare_word();
  }

 private:
  Error fail(std::string what, std::size_t at) const {
    return parse_error("invalid binding value " + quoted(text_) + ": " + what + " (column " +
                       std::to_string(at + 1) + ")");
  }
  Error fail_plain(std::string what) const {
    return parse_error("invalid binding value " + quoted(text_) + ": " + what);
  }

  // Checked before the Term is built, so the success path moves the Term only once.
  Result<void> expect_end() const {
    if (pos_ == text_.size()) return ok();
    return fail("unexpected text " + quoted(text_.substr(pos_)) +
                    " after the term; a binding value is exactly one RDF term",
                pos_);
  }

  // Appends the UTF-8 encoding of a \u or \U escape at pos_ (pointing at 'u' or 'U').
  Result<void> scan_uchar(std::string& out) {
    const std::size_t start = pos_ - 1;
    const std::size_t n = text_[pos_] == 'u' ? 4 : 8;
    ++pos_;
    if (pos_ + n > text_.size()) return fail("truncated \\u escape", start);
    std::uint32_t cp = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const char h = text_[pos_ + i];
      if (!is_hex(h)) return fail("invalid hex digit in \\u escape", pos_ + i);
      cp = cp * 16 + static_cast<std::uint32_t>(is_digit(h) ? h - '0' : (h | 0x20) - 'a' + 10);
    }
    pos_ += n;
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return fail("escape is not a Unicode scalar value", start);
    }
    if (cp < 0x80) {
      out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
    return ok();
  }

  static bool forbidden_in_iri(unsigned char c) noexcept {
    switch (c) {
      case '<':
      case '"':
      case '{':
      case '}':
      case '|':
      case '^':
      case '`': return true;
      default: return c <= 0x20;
    }
  }

  // Scans `<...>` starting at pos_ (on '<'); leaves pos_ after '>'. N-Triples IRIREF rules:
  // no controls, space or <>"{}|^`\ except through \u escapes, which may not produce them either.
  Result<std::string> scan_iri() {
    const std::size_t open = pos_++;
    const std::size_t begin = pos_;
    // Datatype IRIs are mostly XSD's; its namespace is known to be clean, so skip it in one go.
    if (text_.compare(pos_, vocab::xsd.size(), vocab::xsd) == 0) pos_ += vocab::xsd.size();
    // Fast path: a plain IRI without escapes is copied in one go.
    while (pos_ < text_.size() && !iri_stop.flags[static_cast<unsigned char>(text_[pos_])]) {
      ++pos_;
    }
    if (pos_ < text_.size() && text_[pos_] == '>') {
      std::string iri(text_.substr(begin, pos_ - begin));
      ++pos_;
      if (iri.empty()) return fail("empty IRI '<>'; bindings need a full IRI", open);
      return iri;
    }
    std::string iri(text_.substr(begin, pos_ - begin));
    while (pos_ < text_.size()) {
      const auto c = static_cast<unsigned char>(text_[pos_]);
      if (c == '>') {
        ++pos_;
        if (iri.empty()) return fail("empty IRI '<>'; bindings need a full IRI", open);
        return iri;
      }
      if (c == '\\') {
        ++pos_;
        if (pos_ >= text_.size() || (text_[pos_] != 'u' && text_[pos_] != 'U')) {
          return fail("only \\u and \\U escapes are allowed in an IRI", pos_ - 1);
        }
        const std::size_t at = pos_ - 1;
        const std::size_t before = iri.size();
        GRIDKE_TRY(scan_uchar(iri));
        if (iri.size() == before + 1 && (forbidden_in_iri(static_cast<unsigned char>(iri.back())) ||
                                         iri.back() == '>' || iri.back() == '\\')) {
          return fail("escaped character " + describe_char(static_cast<unsigned char>(iri.back())) +
                          " is not allowed in an IRI",
                      at);
        }
        continue;
      }
      if (forbidden_in_iri(c)) {
        return fail("character " + describe_char(c) + " is not allowed in an IRI", pos_);
      }
      iri.push_back(static_cast<char>(c));
      ++pos_;
    }
    return fail("unterminated IRI (missing '>')", open);
  }

  Result<Term> scan_iri_term() {
    GRIDKE_ASSIGN_OR_RETURN(std::string iri, scan_iri());
    GRIDKE_TRY(expect_end());
    return Term::iri(std::move(iri));
  }

  // "lex", "lex"@lang, "lex"^^<datatype> (also with single quotes, as Jena's SSE accepts).
  Result<Term> scan_literal() {
    const char quote = text_.front();
    const std::size_t open = pos_++;
    std::string lexical;
    // Fast path: copy the run up to the first quote or backslash.
    std::size_t run = pos_;
    while (run < text_.size() && text_[run] != quote && text_[run] != '\\') ++run;
    lexical.assign(text_.substr(pos_, run - pos_));
    pos_ = run;
    for (;;) {
      if (pos_ >= text_.size()) {
        return fail(std::string("unterminated literal (missing closing ") + quote + ")", open);
      }
      const char c = text_[pos_];
      if (c == quote) break;
      if (c != '\\') {
        lexical.push_back(c);
        ++pos_;
        continue;
      }
      if (++pos_ >= text_.size()) {
        return fail(std::string("unterminated literal (missing closing ") + quote + ")", open);
      }
      switch (text_[pos_]) {
        case 't': lexical.push_back('\t'); break;
        case 'b': lexical.push_back('\b'); break;
        case 'n': lexical.push_back('\n'); break;
        case 'r': lexical.push_back('\r'); break;
        case 'f': lexical.push_back('\f'); break;
        case '"': lexical.push_back('"'); break;
        case '\'': lexical.push_back('\''); break;
        case '\\': lexical.push_back('\\'); break;
        case 'u':
        case 'U': GRIDKE_TRY(scan_uchar(lexical)); continue;
        default:
          return fail("invalid escape sequence '\\" + std::string(1, text_[pos_]) + "'", pos_ - 1);
      }
      ++pos_;
    }
    ++pos_;  // closing quote
    if (pos_ == text_.size()) return Term::literal(std::move(lexical));
    if (text_[pos_] == '@') return scan_language(std::move(lexical));
    if (text_.compare(pos_, 2, "^^") == 0) return scan_datatype(std::move(lexical));
    GRIDKE_TRY(expect_end());
    return Term::literal(std::move(lexical));
  }

  // BCP 47 as Turtle's LANGTAG: [a-zA-Z]+ ('-' [a-zA-Z0-9]+)*
  Result<Term> scan_language(std::string lexical) {
    const std::size_t at = ++pos_;
    std::size_t segment = 0;
    bool first = true;
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c == '-' && segment > 0) {
        segment = 0;
        first = false;
      } else if (is_alpha(c) || (!first && is_digit(c))) {
        ++segment;
      } else {
        break;
      }
      ++pos_;
    }
    if (segment == 0) return fail("invalid language tag after '@'", at);
    std::string language(text_.substr(at, pos_ - at));
    GRIDKE_TRY(expect_end());
    return Term::literal(std::move(lexical), {}, std::move(language));
  }

  Result<Term> scan_datatype(std::string lexical) {
    pos_ += 2;
    if (pos_ < text_.size() && text_[pos_] == '<') {
      GRIDKE_ASSIGN_OR_RETURN(std::string datatype, scan_iri());
      GRIDKE_TRY(expect_end());
      return Term::literal(std::move(lexical), std::move(datatype));
    }
    // TNO issues #207/#428: `"1.2"^^http://...#float` and `"x"^^xsd:string`.
    const std::string_view rest = text_.substr(pos_);
    if (rest.empty()) return fail("missing datatype IRI after '^^'", pos_);
    if (rest.find("://") != std::string_view::npos) {
      return fail("the datatype must be an IRI in angle brackets: ^^<" + std::string(rest) + ">",
                  pos_);
    }
    if (rest.find(':') != std::string_view::npos) {
      return fail("the datatype " + quoted(rest) +
                      " is a prefixed name, but prefixes are not allowed in bindings; write the "
                      "full IRI in angle brackets, e.g. ^^<" +
                      std::string(vocab::xsd) + "string>",
                  pos_);
    }
    return fail("the datatype must be a full IRI in angle brackets", pos_);
  }

  // _:label with Turtle's BLANK_NODE_LABEL characters (non-ASCII bytes accepted as PN_CHARS).
  Result<Term> scan_blank() {
    pos_ += 2;
    const std::size_t begin = pos_;
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      const bool ok_char = is_alpha(c) || is_digit(c) || c == '_' || c == '-' || c == '.' ||
                           static_cast<unsigned char>(c) >= 0x80;
      if (!ok_char) break;
      if ((c == '-' || c == '.') && pos_ == begin) break;
      ++pos_;
    }
    if (pos_ > begin && text_[pos_ - 1] == '.') --pos_;  // a label may not end with '.'
    if (pos_ == begin) return fail("missing blank node label after '_:'", begin);
    GRIDKE_TRY(expect_end());
    return Term::blank(std::string(text_.substr(begin, pos_ - begin)));
  }

  // Turtle numbers: INTEGER [+-]?[0-9]+ → xsd:integer; DECIMAL [+-]?[0-9]*\.[0-9]+ → xsd:decimal;
  // DOUBLE with an exponent → xsd:double. The lexical form is kept as written (Jena does too).
  Result<Term> scan_number() {
    if (text_.front() == '+' || text_.front() == '-') ++pos_;
    std::size_t int_digits = 0, frac_digits = 0;
    while (pos_ < text_.size() && is_digit(text_[pos_])) ++pos_, ++int_digits;
    bool has_dot = false, has_exp = false;
    if (pos_ < text_.size() && text_[pos_] == '.') {
      has_dot = true;
      ++pos_;
      while (pos_ < text_.size() && is_digit(text_[pos_])) ++pos_, ++frac_digits;
    }
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      has_exp = true;
      ++pos_;
      if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) ++pos_;
      std::size_t exp_digits = 0;
      while (pos_ < text_.size() && is_digit(text_[pos_])) ++pos_, ++exp_digits;
      if (exp_digits == 0) return fail("not a valid number (missing exponent digits)", pos_);
    }
    // "10." and "." are not numbers in Turtle (the dot would end a statement).
    const bool mantissa_ok =
        int_digits + frac_digits > 0 && (!has_dot || frac_digits > 0 || has_exp);
    if (!mantissa_ok || pos_ != text_.size()) {
      return fail_plain(
          "is not a valid number (expected an integer like 10, a decimal like 68.2 or a double "
          "like 1.5e3)");
    }
    std::string_view datatype = has_exp   ? vocab::xsd_double
                                : has_dot ? vocab::xsd_decimal
                                          : vocab::xsd_integer;
    return Term::literal(std::string(text_), std::string(datatype));
  }

  // Anything else: explain the likely mistake (a prefixed name or an IRI without brackets).
  Result<Term> scan_bare_word() const {
    if (text_.find("://") != std::string_view::npos || text_.compare(0, 4, "urn:") == 0 ||
        text_.compare(0, 7, "mailto:") == 0) {
      return fail_plain("IRIs must be written in angle brackets, e.g. <" + std::string(text_) +
                        ">");
    }
    const std::size_t colon = text_.find(':');
    if (colon != std::string_view::npos &&
        text_.find_first_of(" \t\"<>") == std::string_view::npos) {
      return fail_plain(
          "is a prefixed name, but prefixes are not allowed in bindings; write the full IRI in "
          "angle brackets, e.g. <http://example.org/" +
          std::string(text_.substr(colon + 1)) + ">");
    }
    return fail_plain(
        "is not an RDF term; expected <iri>, \"literal\", \"literal\"^^<datatype>, "
        "\"literal\"@lang, a number, true/false or _:label");
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

}  // namespace

Result<Term> parse_term(std::string_view text) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  if (text.empty()) {
    return parse_error(
        "invalid binding value '': empty text; expected an RDF term such as "
        "<http://example.org/x> or \"text\"");
  }
  return Scanner(text).scan();
}

}  // namespace gridke::rdf
