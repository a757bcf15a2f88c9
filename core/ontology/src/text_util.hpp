#pragma once
// Small text helpers shared by the ontology sources (private to core/ontology).
// Thread safety: pure functions.

#include <cstddef>
#include <string>
#include <string_view>

namespace gridke::ontology::detail {

/// Levenshtein distance (insert, delete, substitute; cost 1 each), byte-wise.
std::size_t edit_distance(std::string_view a, std::string_view b);
/// ASCII lower-case copy.
std::string to_lower(std::string_view s);
/// 1-based line and column of byte `offset` in `text` (columns count bytes).
void line_col(std::string_view text, std::size_t offset, int& line, int& column) noexcept;

}  // namespace gridke::ontology::detail
