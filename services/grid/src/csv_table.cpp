#include "csv_table.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <fstream>

namespace gridke::services::grid::detail {

std::string trim(std::string_view s) {
  std::size_t b = 0;
  std::size_t e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

std::string normalise_name(std::string_view name) {
  std::string out;
  for (char ch : name) {
    if (!std::isspace(static_cast<unsigned char>(ch))) {
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    }
  }
  return out;
}

bool parse_double(std::string_view text, double& out) {
  const std::string t = trim(text);
  if (t.empty()) return false;
  const char* first = t.data();
  if (*first == '+') ++first;
  auto [ptr, ec] = std::from_chars(first, t.data() + t.size(), out);
  return ec == std::errc() && ptr == t.data() + t.size() && std::isfinite(out);
}

namespace {

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> out;
  std::string field;
  bool quoted = false;
  for (char ch : line) {
    if (ch == '"') {
      quoted = !quoted;
    } else if (ch == ',' && !quoted) {
      out.push_back(trim(field));
      field.clear();
    } else if (ch != '\r') {
      field += ch;
    }
  }
  out.push_back(trim(field));
  return out;
}

}  // namespace

Result<CsvTable> CsvTable::read(const std::string& path) {
  std::ifstream in(path);
  if (!in) return not_found("cannot open " + path);
  CsvTable table;
  table.path_ = path;
  std::string line;
  int number = 0;
  bool have_header = false;
  while (std::getline(in, line)) {
    ++number;
    const std::string t = trim(line);
    if (t.empty() || t[0] == '#') continue;
    auto fields = split(line);
    bool all_empty = true;
    for (const auto& f : fields) all_empty = all_empty && f.empty();
    if (all_empty) continue;
    if (!have_header) {
      for (auto& f : fields) table.header_.push_back(normalise_name(f));
      have_header = true;
      continue;
    }
    table.rows_.push_back(Row{number, std::move(fields)});
  }
  if (!have_header) return parse_error("no header line", path);
  return table;
}

Result<std::size_t> CsvTable::column(std::string_view name) const {
  const std::string key = normalise_name(name);
  for (std::size_t i = 0; i < header_.size(); ++i) {
    if (header_[i] == key) return i;
  }
  return parse_error("missing column '" + std::string(name) + "' in the header", path_);
}

Result<std::string> CsvTable::text(const Row& row, std::size_t column) const {
  if (column >= row.fields.size() || row.fields[column].empty()) {
    return parse_error("column '" + header_[column] + "' is empty or missing",
                       path_ + ":" + std::to_string(row.line));
  }
  return row.fields[column];
}

Result<double> CsvTable::number(const Row& row, std::size_t column) const {
  GRIDKE_ASSIGN_OR_RETURN(std::string t, text(row, column));
  double v = 0;
  if (!parse_double(t, v)) {
    return parse_error("column '" + header_[column] + "': expected a number, got '" + t + "'",
                       path_ + ":" + std::to_string(row.line));
  }
  return v;
}

}  // namespace gridke::services::grid::detail
