// Lexer for the KE graph-pattern syntax: the SPARQL 1.1 terminals (W3C SPARQL 1.1 Query,
// §19.8 grammar rules 139–173) that a basic graph pattern uses. One state machine; each
// lex_* function reads one token kind from pos_.

#include "lexer.hpp"

#include <algorithm>
#include <string>
#include <utility>

namespace gridke::pattern::detail {
namespace {

bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
bool is_alpha(char c) noexcept { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_hex(char c) noexcept {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
unsigned hex_value(char c) noexcept {
  if (is_digit(c)) return static_cast<unsigned>(c - '0');
  if (c >= 'a' && c <= 'f') return static_cast<unsigned>(c - 'a' + 10);
  return static_cast<unsigned>(c - 'A' + 10);
}

void append_utf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out.push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (c >> 6)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (c >> 12)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (c >> 18)));
    out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

// VARNAME continuation (rule 166): PN_CHARS_U, digits, U+00B7, U+0300–U+036F, U+203F–U+2040.
bool is_varname_char(char32_t c) noexcept {
  return is_pn_chars_u(c) || (c >= '0' && c <= '9') || c == 0xB7 || (c >= 0x300 && c <= 0x36F) ||
         (c >= 0x203F && c <= 0x2040);
}

// PN_LOCAL_ESC (rule 173): the characters that may follow a backslash in a local name.
bool is_local_escapable(char c) noexcept {
  static constexpr std::string_view chars = "_~.-!$&'()*+,;=/?#@%";
  return chars.find(c) != std::string_view::npos;
}

// Quotes a short excerpt of the text for a message: at most 30 bytes, cut at a code point.
std::string excerpt(std::string_view text, std::size_t from) {
  std::size_t end = std::min(text.size(), from + 30);
  while (end < text.size() && end > from &&
         (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) {
    --end;
  }
  std::string out(text.substr(from, end - from));
  if (auto nl = out.find_first_of("\r\n"); nl != std::string::npos) out.resize(nl);
  if (end < text.size() && out.size() == end - from) out.append("...");
  return out;
}

std::string describe_char(std::string_view text, std::size_t pos) {
  const unsigned char c = static_cast<unsigned char>(text[pos]);
  if (c == ' ') return "a space";
  if (c == '\t') return "a tab";
  if (c == '\n' || c == '\r') return "a line break";
  if (c < 0x20)
    return "control character U+00" + std::string(1, "0123456789ABCDEF"[c >> 4]) +
           std::string(1, "0123456789ABCDEF"[c & 0xF]);
  std::size_t len = 1;
  decode_utf8(text, pos, len);
  return "'" + std::string(text.substr(pos, len)) + "'";
}

}  // namespace

char32_t decode_utf8(std::string_view text, std::size_t pos, std::size_t& len) noexcept {
  const auto b0 = static_cast<unsigned char>(text[pos]);
  len = 1;
  if (b0 < 0x80) return b0;
  std::size_t need = 0;
  char32_t c = 0;
  if ((b0 & 0xE0) == 0xC0) {
    need = 1;
    c = b0 & 0x1F;
  } else if ((b0 & 0xF0) == 0xE0) {
    need = 2;
    c = b0 & 0x0F;
  } else if ((b0 & 0xF8) == 0xF0) {
    need = 3;
    c = b0 & 0x07;
  } else {
    return 0xFFFD;
  }
  if (pos + need >= text.size()) return 0xFFFD;
  for (std::size_t i = 1; i <= need; ++i) {
    const auto b = static_cast<unsigned char>(text[pos + i]);
    if ((b & 0xC0) != 0x80) return 0xFFFD;
    c = (c << 6) | (b & 0x3F);
  }
  len = need + 1;
  return c;
}

bool is_pn_chars_base(char32_t c) noexcept {
  if (c < 0x80) return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  return (c >= 0xC0 && c <= 0xD6) || (c >= 0xD8 && c <= 0xF6) || (c >= 0xF8 && c <= 0x2FF) ||
         (c >= 0x370 && c <= 0x37D) || (c >= 0x37F && c <= 0x1FFF) ||
         (c >= 0x200C && c <= 0x200D) || (c >= 0x2070 && c <= 0x218F) ||
         (c >= 0x2C00 && c <= 0x2FEF) || (c >= 0x3001 && c <= 0xD7FF) ||
         (c >= 0xF900 && c <= 0xFDCF) || (c >= 0xFDF0 && c <= 0xFFFD) ||
         (c >= 0x10000 && c <= 0xEFFFF);
}

bool is_pn_chars_u(char32_t c) noexcept { return c == '_' || is_pn_chars_base(c); }

bool is_pn_chars(char32_t c) noexcept {
  return is_pn_chars_u(c) || c == '-' || (c >= '0' && c <= '9') || c == 0xB7 ||
         (c >= 0x300 && c <= 0x36F) || (c >= 0x203F && c <= 0x2040);
}

Error Lexer::error_at(std::size_t offset, std::string_view message) const {
  std::size_t line = 1;
  std::size_t col = 1;
  offset = std::min(offset, text_.size());
  for (std::size_t i = 0; i < offset; ++i) {
    const auto b = static_cast<unsigned char>(text_[i]);
    if (b == '\n') {
      ++line;
      col = 1;
    } else if ((b & 0xC0) != 0x80) {
      ++col;
    }
  }
  const std::string pos = std::to_string(line) + ":" + std::to_string(col);
  std::string text = "Line " + std::to_string(line) + ", column " + std::to_string(col) + ": ";
  text.append(message);
  return parse_error(std::move(text), "<pattern>:" + pos);
}

void Lexer::skip_space_and_comments() noexcept {
  while (pos_ < text_.size()) {
    const char c = text_[pos_];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      ++pos_;
    } else if (c == '#') {
      while (pos_ < text_.size() && text_[pos_] != '\n' && text_[pos_] != '\r') ++pos_;
    } else {
      return;
    }
  }
}

Result<Token> Lexer::next() {
  skip_space_and_comments();
  const std::size_t start = pos_;
  if (start >= text_.size()) return Token{TokenKind::end, start, {}, {}, {}};
  const char c = text_[start];
  const char n1 = start + 1 < text_.size() ? text_[start + 1] : '\0';
  const char n2 = start + 2 < text_.size() ? text_[start + 2] : '\0';
  switch (c) {
    case '<': return lex_iri(start);
    case '"':
    case '\'': return lex_string(start);
    case '?':
    case '$': {
      if (start + 1 < text_.size()) {
        std::size_t len = 1;
        if (is_varname_char(decode_utf8(text_, start + 1, len))) return lex_variable(start);
      }
      break;
    }
    case '_':
      if (n1 == ':') return lex_blank(start);
      return lex_name(start);
    case '@':
      if (is_alpha(n1)) return lex_lang_tag(start);
      break;
    case '^':
      if (n1 == '^') {
        pos_ = start + 2;
        return Token{TokenKind::datatype_mark, start, text_.substr(start, 2), {}, {}};
      }
      break;
    case '+':
    case '-':
      if (is_digit(n1) || (n1 == '.' && is_digit(n2))) return lex_number(start);
      break;
    case '.':
      if (is_digit(n1)) return lex_number(start);
      break;
    case ':': return lex_name(start);
    default:
      if (is_digit(c)) return lex_number(start);
      if (is_alpha(c)) return lex_name(start);
      if (static_cast<unsigned char>(c) >= 0x80) {
        std::size_t len = 1;
        if (is_pn_chars_base(decode_utf8(text_, start, len))) return lex_name(start);
        pos_ = start + len;
        return Token{TokenKind::punct, start, text_.substr(start, len), {}, {}};
      }
      break;
  }
  pos_ = start + 1;
  return Token{TokenKind::punct, start, text_.substr(start, 1), {}, {}};
}

Result<void> Lexer::decode_escape(std::string& out, bool string_escapes) {
  const std::size_t at = pos_;
  if (at + 1 >= text_.size()) return error_at(at, "Incomplete escape sequence '\\' at the end");
  const char e = text_[at + 1];
  if (e == 'u' || e == 'U') {
    const std::size_t digits = e == 'u' ? 4 : 8;
    char32_t cp = 0;
    for (std::size_t i = 0; i < digits; ++i) {
      const std::size_t p = at + 2 + i;
      if (p >= text_.size() || !is_hex(text_[p])) {
        return error_at(at, "Invalid escape sequence '" + excerpt(text_, at).substr(0, 2 + i + 1) +
                                "': \\" + std::string(1, e) + " needs " + std::to_string(digits) +
                                " hex digits");
      }
      cp = (cp << 4) | hex_value(text_[p]);
    }
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return error_at(at, "Escape sequence '" + std::string(text_.substr(at, 2 + digits)) +
                              "' is not a Unicode scalar value");
    }
    append_utf8(out, cp);
    pos_ = at + 2 + digits;
    return ok();
  }
  if (string_escapes) {
    char decoded = '\0';
    switch (e) {
      case 't': decoded = '\t'; break;
      case 'b': decoded = '\b'; break;
      case 'n': decoded = '\n'; break;
      case 'r': decoded = '\r'; break;
      case 'f': decoded = '\f'; break;
      case '"': decoded = '"'; break;
      case '\'': decoded = '\''; break;
      case '\\': decoded = '\\'; break;
      default: break;
    }
    if (decoded != '\0') {
      out.push_back(decoded);
      pos_ = at + 2;
      return ok();
    }
  }
  std::size_t len = 1;
  decode_utf8(text_, at + 1, len);
  return error_at(at, "Invalid escape sequence '\\" + std::string(text_.substr(at + 1, len)) + "'" +
                          (string_escapes ? "" : " in an IRI (only \\uXXXX and \\UXXXXXXXX)"));
}

Result<Token> Lexer::lex_iri(std::size_t start) {
  Token t{TokenKind::iri, start, {}, {}, {}};
  pos_ = start + 1;
  std::size_t plain_from = pos_;  // start of the run not yet copied into t.value
  bool escaped = false;
  while (true) {
    if (pos_ >= text_.size()) {
      return error_at(start, "Unterminated IRI '" + excerpt(text_, start) + "': missing '>'");
    }
    const char c = text_[pos_];
    if (c == '>') break;
    if (c == '\\') {
      t.value.append(text_.substr(plain_from, pos_ - plain_from));
      GRIDKE_TRY(decode_escape(t.value, false));
      plain_from = pos_;
      escaped = true;
      continue;
    }
    const auto b = static_cast<unsigned char>(c);
    if (c == '\n' || c == '\r') {
      return error_at(start, "Unterminated IRI '" + excerpt(text_, start) + "': missing '>'");
    }
    if (b <= 0x20 || c == '<' || c == '"' || c == '{' || c == '}' || c == '|' || c == '^' ||
        c == '`') {
      return error_at(pos_, "Invalid character " + describe_char(text_, pos_) + " in IRI '" +
                                excerpt(text_, start) + "'");
    }
    ++pos_;
  }
  if (escaped) {
    t.value.append(text_.substr(plain_from, pos_ - plain_from));
  } else {
    t.value.assign(text_.substr(start + 1, pos_ - start - 1));
  }
  ++pos_;  // '>'
  t.raw = text_.substr(start, pos_ - start);
  // RFC 3986 absolute IRI: scheme ":" ..., scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ).
  // Graph patterns have no base IRI, so a relative reference cannot be resolved.
  std::size_t i = 0;
  bool absolute = !t.value.empty() && is_alpha(t.value[0]);
  if (absolute) {
    for (i = 1; i < t.value.size(); ++i) {
      const char s = t.value[i];
      if (!(is_alpha(s) || is_digit(s) || s == '+' || s == '-' || s == '.')) break;
    }
    absolute = i < t.value.size() && t.value[i] == ':';
  }
  if (!absolute) {
    return error_at(start, "Relative IRI " + std::string(t.raw) +
                               " is not allowed: a graph pattern has no base IRI, so write a "
                               "full IRI such as <http://example.org/" +
                               t.value + ">");
  }
  return t;
}

Result<Token> Lexer::lex_string(std::size_t start) {
  const char q = text_[start];
  const bool is_long = start + 2 < text_.size() && text_[start + 1] == q && text_[start + 2] == q;
  Token t{TokenKind::string, start, {}, {}, {}};
  pos_ = start + (is_long ? 3 : 1);
  std::size_t plain_from = pos_;
  auto flush = [&] { t.value.append(text_.substr(plain_from, pos_ - plain_from)); };
  auto unterminated = [&] {
    return error_at(start, "Unterminated string literal " + excerpt(text_, start) +
                               (is_long ? "" : " (a single-line string must close on its line)"));
  };
  while (true) {
    if (pos_ >= text_.size()) return unterminated();
    const char c = text_[pos_];
    if (c == q) {
      if (!is_long) break;
      std::size_t k = 0;
      while (pos_ + k < text_.size() && text_[pos_ + k] == q) ++k;
      if (k >= 3) {
        // Up to two quotes may end the content just before the closing triple quote.
        pos_ += k - 3;
        break;
      }
      pos_ += k;
      continue;
    }
    if (c == '\\') {
      flush();
      GRIDKE_TRY(decode_escape(t.value, true));
      plain_from = pos_;
      continue;
    }
    if (!is_long && (c == '\n' || c == '\r')) return unterminated();
    ++pos_;
  }
  flush();
  pos_ += is_long ? 3 : 1;
  t.raw = text_.substr(start, pos_ - start);
  return t;
}

Result<Token> Lexer::lex_number(std::size_t start) {
  std::size_t p = start;
  if (text_[p] == '+' || text_[p] == '-') ++p;
  std::size_t int_digits = 0;
  while (p < text_.size() && is_digit(text_[p])) {
    ++p;
    ++int_digits;
  }
  auto exponent_at = [&](std::size_t e) -> std::size_t {  // length of an exponent at e, or 0
    if (e >= text_.size() || (text_[e] != 'e' && text_[e] != 'E')) return 0;
    std::size_t q = e + 1;
    if (q < text_.size() && (text_[q] == '+' || text_[q] == '-')) ++q;
    const std::size_t digits_from = q;
    while (q < text_.size() && is_digit(text_[q])) ++q;
    return q > digits_from ? q - e : 0;
  };
  TokenKind kind = TokenKind::integer;
  if (p + 1 < text_.size() && text_[p] == '.' && is_digit(text_[p + 1])) {
    ++p;
    while (p < text_.size() && is_digit(text_[p])) ++p;
    kind = TokenKind::decimal;
  } else if (int_digits > 0 && p < text_.size() && text_[p] == '.' && exponent_at(p + 1) > 0) {
    ++p;  // "1.e5" is a double (rule 148)
  }
  if (const std::size_t e = exponent_at(p); e > 0) {
    p += e;
    kind = TokenKind::double_;
  }
  pos_ = p;
  Token t{kind, start, text_.substr(start, p - start), {}, {}};
  t.value.assign(t.raw);
  return t;
}

Result<Token> Lexer::lex_name(std::size_t start) {
  std::size_t p = start;
  while (p < text_.size()) {
    const char a = text_[p];
    if (is_alpha(a) || is_digit(a) || a == '_' || a == '-' || a == '.') {  // ASCII fast path
      ++p;
      continue;
    }
    std::size_t len = 1;
    const char32_t c = decode_utf8(text_, p, len);
    if (!(is_pn_chars(c) || c == '.')) break;
    p += len;
  }
  std::string_view run = text_.substr(start, p - start);
  if (p >= text_.size() || text_[p] != ':') {
    while (!run.empty() && run.back() == '.') run.remove_suffix(1);
    pos_ = start + run.size();
    Token t{TokenKind::word, start, run, {}, {}};
    return t;
  }
  // PNAME_NS: PN_PREFIX? ':' — the prefix starts with PN_CHARS_BASE and does not end with '.'.
  if (!run.empty()) {
    std::size_t len = 1;
    if (!is_pn_chars_base(decode_utf8(text_, start, len)) || run.back() == '.') {
      return error_at(start, "Invalid prefix name '" + std::string(run) +
                                 "': a prefix starts with a letter and does not end with '.'");
    }
  }
  Token t{TokenKind::pname, start, {}, run, {}};
  p += 1;  // ':'
  // PN_LOCAL (rule 169): (PN_CHARS_U | ':' | [0-9] | PLX) ((PN_CHARS | '.' | ':' | PLX)*
  // (PN_CHARS | ':' | PLX))?
  bool first = true;
  while (p < text_.size()) {
    const char c = text_[p];
    if (c == '%') {
      if (p + 2 >= text_.size() || !is_hex(text_[p + 1]) || !is_hex(text_[p + 2])) {
        return error_at(p, "Invalid percent-encoding '" + excerpt(text_, p).substr(0, 3) +
                               "' in prefixed name: '%' needs two hex digits");
      }
      t.value.append(text_.substr(p, 3));
      p += 3;
    } else if (c == '\\') {
      if (p + 1 >= text_.size() || !is_local_escapable(text_[p + 1])) {
        pos_ = p;
        std::size_t len = 1;
        if (p + 1 < text_.size()) decode_utf8(text_, p + 1, len);
        return error_at(
            p, "Invalid escape '\\" +
                   std::string(p + 1 < text_.size() ? text_.substr(p + 1, len) : "") +
                   "' in prefixed name (allowed: \\ followed by one of _~.-!$&'()*+,;=/?#@%)");
      }
      t.value.push_back(text_[p + 1]);
      p += 2;
    } else if (c == ':') {
      t.value.push_back(':');
      ++p;
    } else if (c == '.') {
      if (first) break;
      // Dots only inside the name: consume them when a name character follows.
      std::size_t q = p;
      while (q < text_.size() && text_[q] == '.') ++q;
      if (q >= text_.size()) break;
      std::size_t len = 1;
      const char32_t after = decode_utf8(text_, q, len);
      if (!(is_pn_chars(after) || after == ':' || after == '%' || after == '\\')) break;
      t.value.append(text_.substr(p, q - p));
      p = q;
    } else if (is_alpha(c) || is_digit(c) || c == '_') {  // ASCII fast path
      t.value.push_back(c);
      ++p;
    } else {
      std::size_t len = 1;
      const char32_t cp = decode_utf8(text_, p, len);
      const bool allowed =
          first ? (is_pn_chars_u(cp) || (cp >= '0' && cp <= '9')) : is_pn_chars(cp);
      if (!allowed) break;
      t.value.append(text_.substr(p, len));
      p += len;
    }
    first = false;
  }
  pos_ = p;
  t.raw = text_.substr(start, p - start);
  return t;
}

Result<Token> Lexer::lex_variable(std::size_t start) {
  std::size_t p = start + 1;
  while (p < text_.size()) {
    const char a = text_[p];
    if (is_alpha(a) || is_digit(a) || a == '_') {  // ASCII fast path
      ++p;
      continue;
    }
    if (static_cast<unsigned char>(a) < 0x80) break;
    std::size_t len = 1;
    if (!is_varname_char(decode_utf8(text_, p, len))) break;
    p += len;
  }
  pos_ = p;
  Token t{TokenKind::variable, start, text_.substr(start, p - start), {}, {}};
  t.value.assign(text_.substr(start + 1, p - start - 1));
  return t;
}

Result<Token> Lexer::lex_blank(std::size_t start) {
  std::size_t p = start + 2;
  std::size_t len = 1;
  if (p >= text_.size() || !(is_pn_chars_u(decode_utf8(text_, p, len)) || is_digit(text_[p]))) {
    return error_at(start, "Blank node label expected after '_:'");
  }
  p += len;
  while (p < text_.size()) {
    const char32_t c = decode_utf8(text_, p, len);
    if (!(is_pn_chars(c) || c == '.')) break;
    p += len;
  }
  while (text_[p - 1] == '.') --p;  // a label does not end with '.'
  pos_ = p;
  Token t{TokenKind::blank, start, text_.substr(start, p - start), {}, {}};
  t.value.assign(text_.substr(start + 2, p - start - 2));
  return t;
}

Result<Token> Lexer::lex_lang_tag(std::size_t start) {
  // LANGTAG (rule 145): '@' [a-zA-Z]+ ('-' [a-zA-Z0-9]+)*
  std::size_t p = start + 1;
  while (p < text_.size() && is_alpha(text_[p])) ++p;
  while (p + 1 < text_.size() && text_[p] == '-' &&
         (is_alpha(text_[p + 1]) || is_digit(text_[p + 1]))) {
    ++p;
    while (p < text_.size() && (is_alpha(text_[p]) || is_digit(text_[p]))) ++p;
  }
  pos_ = p;
  Token t{TokenKind::lang_tag, start, text_.substr(start, p - start), {}, {}};
  t.value.assign(text_.substr(start + 1, p - start - 1));
  return t;
}

}  // namespace gridke::pattern::detail
