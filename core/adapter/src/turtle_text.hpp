#pragma once
// A light scanner over the raw text of a Turtle file, used only to find where things are:
// rdf::Graph gives the triples but not their positions, and contract errors must name the
// line and column inside the file (docs/contract-format.md, "Locations").
// Thread safety: immutable after construction, share freely.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gridke::adapter::detail {

/// A position in a text, 1-based.
struct TextPosition {
  int line = 1;
  int column = 1;
};

/// One token of interest: an IRI `<...>`, a string literal, or any other word (prefixed
/// names, keywords, numbers). Comments, white space and punctuation are skipped.
struct TextToken {
  enum class Kind { iri, string, word };
  Kind kind = Kind::word;
  /// IRI: the text between the brackets; string: the decoded value; word: the word.
  std::string value;
  /// Where the token starts (the '<', the first quote, the first letter).
  TextPosition start;
  /// Strings: where the value starts (after the opening quotes); others: == start.
  TextPosition value_start;
};

class TurtleText {
 public:
  explicit TurtleText(std::string_view text);

  const std::vector<TextToken>& tokens() const noexcept { return tokens_; }

  /// The position of the n-th (0-based) token that writes `iri` — as `<iri>`, as a prefixed
  /// name under `prefixes`, or as `a` for rdf:type — or nullopt when there is none.
  std::optional<TextPosition> find_iri(std::string_view iri,
                                       const std::map<std::string, std::string>& prefixes,
                                       int nth = 0) const;
  /// The first string literal whose decoded value equals `value`.
  const TextToken* find_string(std::string_view value) const;

 private:
  std::vector<TextToken> tokens_;
};

/// The position reached after reading `text` from `start` up to (not including) `offset`.
TextPosition advance(TextPosition start, std::string_view text, std::size_t offset);

}  // namespace gridke::adapter::detail
