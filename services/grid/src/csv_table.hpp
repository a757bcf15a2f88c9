#pragma once
// A small CSV table reader for the IEEE European LV feeder files: comment lines start with '#',
// the first other line is the header, fields are separated by commas (no quoting is used by
// those files; double-quoted fields are still accepted). Columns are looked up by normalised
// name (lower case, spaces removed), so "% resistance" and "%resistance" match.
// Thread safety: value type. Errors name file, line (1-based, as in an editor) and column.

#include <string>
#include <string_view>
#include <vector>

#include "gridke/base/result.hpp"

namespace gridke::services::grid::detail {

class CsvTable {
 public:
  struct Row {
    int line = 0;  ///< 1-based line number in the file
    std::vector<std::string> fields;
  };

  /// Reads `path`. Errors: not_found when the file cannot be opened; parse_error when it has no
  /// header line.
  static Result<CsvTable> read(const std::string& path);

  const std::string& path() const { return path_; }
  const std::vector<Row>& rows() const { return rows_; }

  /// Index of a column by name. Errors: parse_error naming the file and the missing column.
  Result<std::size_t> column(std::string_view name) const;

  /// Field of a row as text (trimmed). Errors: parse_error "file:line: column 'x' is missing".
  Result<std::string> text(const Row& row, std::size_t column) const;
  /// Field as a finite number. Errors: parse_error naming file, line, column and the text.
  Result<double> number(const Row& row, std::size_t column) const;

 private:
  std::string path_;
  std::vector<std::string> header_;
  std::vector<Row> rows_;
};

/// Lower case, spaces removed.
std::string normalise_name(std::string_view name);
/// Parses a whole string as a finite double.
bool parse_double(std::string_view text, double& out);
std::string trim(std::string_view s);

}  // namespace gridke::services::grid::detail
