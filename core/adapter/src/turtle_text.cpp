#include "turtle_text.hpp"

#include <algorithm>
#include <cstdint>

#include "gridke/rdf/vocabulary.hpp"

namespace gridke::adapter::detail {
namespace {

bool is_continuation_byte(char c) { return (static_cast<unsigned char>(c) & 0xC0U) == 0x80U; }

bool is_word_char(char c) {
  switch (c) {
    case ' ':
    case '\t':
    case '\r':
    case '\n':
    case ';':
    case ',':
    case '(':
    case ')':
    case '[':
    case ']':
    case '<':
    case '"':
    case '\'':
    case '#':
    case '{':
    case '}': return false;
    default: return true;
  }
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Decodes a Turtle string escape starting after the backslash at text[i]; returns the
// number of characters consumed after the backslash.
std::size_t decode_escape(std::string_view text, std::size_t i, std::string& out) {
  if (i >= text.size()) return 0;
  char c = text[i];
  switch (c) {
    case 't': out += '\t'; return 1;
    case 'b': out += '\b'; return 1;
    case 'n': out += '\n'; return 1;
    case 'r': out += '\r'; return 1;
    case 'f': out += '\f'; return 1;
    case 'u':
    case 'U': {
      std::size_t digits = c == 'u' ? 4 : 8;
      if (i + digits >= text.size()) {
        out += c;
        return 1;
      }
      std::uint32_t cp = 0;
      for (std::size_t k = 1; k <= digits; ++k) {
        char h = text[i + k];
        int v = h >= '0' && h <= '9'   ? h - '0'
                : h >= 'a' && h <= 'f' ? h - 'a' + 10
                : h >= 'A' && h <= 'F' ? h - 'A' + 10
                                       : -1;
        if (v < 0) {
          out += c;
          return 1;
        }
        cp = cp * 16 + static_cast<std::uint32_t>(v);
      }
      append_utf8(out, cp);
      return 1 + digits;
    }
    default: out += c; return 1;
  }
}

}  // namespace

TextPosition advance(TextPosition start, std::string_view text, std::size_t offset) {
  TextPosition p = start;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++p.line;
      p.column = 1;
    } else if (!is_continuation_byte(text[i])) {
      ++p.column;
    }
  }
  return p;
}

TurtleText::TurtleText(std::string_view text) {
  TextPosition pos;
  std::size_t i = 0;
  // Moves i forward to `to`, keeping pos in step.
  auto move_to = [&](std::size_t to) {
    pos = advance(pos, text.substr(i), to - i);
    i = to;
  };
  while (i < text.size()) {
    char c = text[i];
    if (c == '#') {
      std::size_t eol = text.find('\n', i);
      move_to(eol == std::string_view::npos ? text.size() : eol);
    } else if (c == '<') {
      std::size_t close = text.find('>', i);
      std::size_t end = close == std::string_view::npos ? text.size() : close + 1;
      TextToken t{TextToken::Kind::iri, std::string(text.substr(i + 1, end - i - 2)), pos, pos};
      tokens_.push_back(std::move(t));
      move_to(end);
    } else if (c == '"' || c == '\'') {
      bool is_long = text.substr(i, 3) == std::string(3, c);
      std::size_t open = is_long ? 3 : 1;
      TextToken t{TextToken::Kind::string, {}, pos, advance(pos, text.substr(i), open)};
      std::size_t j = i + open;
      while (j < text.size()) {
        if (text[j] == '\\') {
          j += 1 + decode_escape(text, j + 1, t.value);
          continue;
        }
        if (text[j] == c && (!is_long || text.substr(j, 3) == std::string(3, c))) break;
        if (!is_long && text[j] == '\n') break;
        t.value += text[j];
        ++j;
      }
      std::size_t end = j < text.size() ? j + (is_long ? 3 : 1) : text.size();
      tokens_.push_back(std::move(t));
      move_to(std::min(end, text.size()));
    } else if (is_word_char(c)) {
      std::size_t j = i;
      while (j < text.size() && is_word_char(text[j])) ++j;
      std::string_view word = text.substr(i, j - i);
      // A final '.' ends the statement; it is not part of a prefixed name.
      while (word.size() > 1 && word.back() == '.') word.remove_suffix(1);
      if (word != ".") tokens_.push_back({TextToken::Kind::word, std::string(word), pos, pos});
      move_to(j);
    } else {
      move_to(i + 1);
    }
  }
}

std::optional<TextPosition> TurtleText::find_iri(std::string_view iri,
                                                 const std::map<std::string, std::string>& prefixes,
                                                 int nth) const {
  int seen = 0;
  for (const auto& t : tokens_) {
    bool hit = false;
    if (t.kind == TextToken::Kind::iri) {
      hit = t.value == iri;
    } else if (t.kind == TextToken::Kind::word) {
      if (t.value == "a") {
        hit = iri == rdf::vocab::rdf_type;
      } else if (auto colon = t.value.find(':'); colon != std::string::npos) {
        auto it = prefixes.find(t.value.substr(0, colon));
        hit = it != prefixes.end() && it->second + t.value.substr(colon + 1) == iri;
      }
    }
    if (hit && seen++ == nth) return t.start;
  }
  return std::nullopt;
}

const TextToken* TurtleText::find_string(std::string_view value) const {
  for (const auto& t : tokens_) {
    if (t.kind == TextToken::Kind::string && t.value == value) return &t;
  }
  return nullptr;
}

}  // namespace gridke::adapter::detail
