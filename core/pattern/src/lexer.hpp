#pragma once
// Lexer: the tokens of the KE graph-pattern syntax (the SPARQL 1.1 terminals a basic graph
// pattern uses, plus enough of the rest of SPARQL to name what is not allowed).
// Private to core/pattern. Thread safety: one Lexer per thread; it only reads its text.
// Ownership: borrows the text, which must outlive the Lexer and every Token's `raw` view.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "gridke/base/result.hpp"

namespace gridke::pattern::detail {

enum class TokenKind : std::uint8_t {
  end,            ///< End of the text.
  iri,            ///< `<...>`; value = the IRI with escapes decoded.
  pname,          ///< `p:local`; prefix = "p", value = the local part with escapes decoded.
  variable,       ///< `?x` / `$x`; value = "x".
  blank,          ///< `_:b`; value = "b".
  string,         ///< Any of the four SPARQL string forms; value = the decoded text.
  lang_tag,       ///< `@en-GB`; value = "en-GB".
  datatype_mark,  ///< `^^`.
  integer,        ///< value = the lexical form as written (sign kept).
  decimal,        ///< value = the lexical form as written.
  double_,        ///< value = the lexical form as written.
  word,           ///< A bare word that is not a prefixed name: `a`, `true`, `FILTER`, ...
  punct,          ///< One character of punctuation: . ; , { } [ ] ( ) / | ^ * + ? ! = ...
};

struct Token {
  TokenKind kind = TokenKind::end;
  std::size_t offset = 0;   ///< Byte offset of the first character in the text.
  std::string_view raw;     ///< The token as written.
  std::string_view prefix;  ///< pname only.
  std::string value;
};

class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  /// The next token, or a parse_error naming the bad construct and its position.
  Result<Token> next();

  /// A parse_error at `offset` with location "<pattern>:line:col" and the message prefixed
  /// "Line L, column C: " (Jena's form, so the REST message shows the position too).
  Error error_at(std::size_t offset, std::string_view message) const;

  std::string_view text() const noexcept { return text_; }

 private:
  void skip_space_and_comments() noexcept;
  Result<Token> lex_iri(std::size_t start);
  Result<Token> lex_string(std::size_t start);
  Result<Token> lex_number(std::size_t start);
  Result<Token> lex_name(std::size_t start);
  Result<Token> lex_variable(std::size_t start);
  Result<Token> lex_blank(std::size_t start);
  Result<Token> lex_lang_tag(std::size_t start);
  /// Decodes one escape sequence starting at the backslash at pos_ (`\t`, `\uXXXX`, ...),
  /// appending its UTF-8 to `out`; `string_escapes` allows the ECHAR set.
  Result<void> decode_escape(std::string& out, bool string_escapes);

  std::string_view text_;
  std::size_t pos_ = 0;
};

/// Decodes the UTF-8 code point at text[pos], storing its byte length in `len` (1 for an
/// invalid byte, which then decodes as U+FFFD and is never a name character).
char32_t decode_utf8(std::string_view text, std::size_t pos, std::size_t& len) noexcept;
/// SPARQL 1.1 PN_CHARS_BASE, PN_CHARS_U and PN_CHARS (grammar rules 164–166).
bool is_pn_chars_base(char32_t c) noexcept;
bool is_pn_chars_u(char32_t c) noexcept;
bool is_pn_chars(char32_t c) noexcept;

}  // namespace gridke::pattern::detail
