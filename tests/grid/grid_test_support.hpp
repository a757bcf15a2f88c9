#pragma once
// Helpers shared by the grid tests: paths of the fixtures and a reader for the official
// OpenDSS snapshot voltage tables (IEEE European LV "Validated User Models", converted 1:1 to
// CSV: Bus,BasekV,Node1,Magnitude1,Angle1,pu1,Node2,...).

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace gridke::services::grid::testing {

inline std::string test_data(const std::string& rel) {
  return std::string(GRIDKE_TEST_DATA_DIR) + "/grid/" + rel;
}

inline std::string shared_eu_lv(const std::string& rel) {
  return std::string(GRIDKE_SHARED_DIR) + "/reference-data/ieee-european-lv/" + rel;
}

inline bool has_shared() { return std::filesystem::exists(shared_eu_lv("csv/Lines.csv")); }

struct ReferenceVoltage {
  double magnitude_pu[3] = {0, 0, 0};  ///< from the magnitude in volts and the bus base
  double angle_deg[3] = {0, 0, 0};
};

inline std::vector<std::string> split_csv(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream ss(line);
  std::string f;
  while (std::getline(ss, f, ',')) out.push_back(f);
  return out;
}

inline std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

/// Bus id (upper case) -> reference voltages. Empty when the file cannot be read.
inline std::map<std::string, ReferenceVoltage> read_opendss_voltages(const std::string& path) {
  std::map<std::string, ReferenceVoltage> out;
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    auto f = split_csv(line);
    if (f.size() < 14) continue;
    ReferenceVoltage r;
    const double base_v = std::stod(f[1]) * 1000.0 / std::sqrt(3.0);
    for (int p = 0; p < 3; ++p) {
      r.magnitude_pu[p] = std::stod(f[static_cast<std::size_t>(3 + 4 * p)]) / base_v;
      r.angle_deg[p] = std::stod(f[static_cast<std::size_t>(4 + 4 * p)]);
    }
    out[upper(f[0])] = r;
  }
  return out;
}

/// Smallest signed difference between two angles in degrees.
inline double angle_diff(double a, double b) {
  double d = std::fmod(a - b + 540.0, 360.0) - 180.0;
  return d;
}

}  // namespace gridke::services::grid::testing
