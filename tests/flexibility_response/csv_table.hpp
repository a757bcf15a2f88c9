#pragma once
// Test helper: a whole CSV file as rows of named string fields (no quoting; the reference files
// have none).

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace gridke::services::flexibility_response::testing {

struct CsvTable {
  std::vector<std::string> header;
  std::vector<std::map<std::string, std::string>> rows;
};

inline CsvTable read_csv_table(const std::string& path) {
  CsvTable table;
  std::ifstream in(path);
  std::string line;
  const auto split = [](const std::string& s) {
    std::vector<std::string> out;
    std::stringstream ss(s);
    std::string field;
    while (std::getline(ss, field, ',')) out.push_back(field);
    return out;
  };
  if (!std::getline(in, line)) return table;
  table.header = split(line);
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const auto fields = split(line);
    std::map<std::string, std::string> row;
    for (std::size_t k = 0; k < table.header.size() && k < fields.size(); ++k) {
      row[table.header[k]] = fields[k];
    }
    table.rows.push_back(std::move(row));
  }
  return table;
}

inline std::string lcl_dir() {
  // Built by append: GCC 12's -Warray-bounds misfires on `std::string(...) + "..."` here once
  // inlined into a unity build.
  std::string dir(GRIDKE_SHARED_DIR);
  dir.append("/reference-data/lcl");
  return dir;
}

}  // namespace gridke::services::flexibility_response::testing
