#include "gridke/services/congestion/load_forecast_csv.hpp"

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

namespace gridke::services::congestion {

Result<LoadForecast> parse_profile_forecast(const std::string& text, const std::string& name,
                                            const grid::Network& network) {
  std::istringstream in(text);
  std::string line;
  std::map<std::string, std::vector<double>> rows;
  std::size_t width = 0;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> cells;
    std::stringstream ss(line);
    std::string cell;
    while (std::getline(ss, cell, ',')) cells.push_back(cell);
    if (cells.empty()) continue;
    if (cells[0] == "shape") {
      width = cells.size() - 1;
      continue;
    }
    if (width == 0)
      return parse_error(name + ":" + std::to_string(line_no) +
                         ": expected the header 'shape,q0,…' first");
    if (cells.size() - 1 != width) {
      return parse_error(name + ":" + std::to_string(line_no) + ": " +
                         std::to_string(cells.size() - 1) + " values, the header has " +
                         std::to_string(width));
    }
    std::vector<double> values;
    for (std::size_t i = 1; i < cells.size(); ++i) {
      char* end = nullptr;
      errno = 0;
      const double v = std::strtod(cells[i].c_str(), &end);
      if (cells[i].empty() || *end != '\0' || errno) {
        return parse_error(name + ":" + std::to_string(line_no) + ": column " + std::to_string(i) +
                           ": expected a number, got '" + cells[i] + "'");
      }
      values.push_back(v);
    }
    rows[cells[0]] = std::move(values);
  }
  if (width == 0) return parse_error(name + ": no header 'shape,q0,…'");
  LoadForecast out(width, std::vector<grid::LoadPower>(network.loads.size()));
  for (std::size_t j = 0; j < network.loads.size(); ++j) {
    const auto& load = network.loads[j];
    auto it = rows.find(load.shape);
    if (it == rows.end()) {
      return invalid_argument(name + ": load '" + load.id + "' uses shape '" + load.shape +
                              "', which has no row");
    }
    const double ratio = load.kw != 0 ? load.kvar / load.kw : 0.0;
    for (std::size_t k = 0; k < width; ++k) out[k][j] = {it->second[k], it->second[k] * ratio};
  }
  return out;
}

Result<LoadForecast> read_profile_forecast(const std::string& path, const grid::Network& network) {
  std::ifstream f(path);
  if (!f) return not_found("load profile forecast '" + path + "' cannot be opened");
  std::stringstream ss;
  ss << f.rdbuf();
  return parse_profile_forecast(ss.str(), path, network);
}

}  // namespace gridke::services::congestion
