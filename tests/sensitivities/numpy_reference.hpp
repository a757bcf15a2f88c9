#pragma once
// Runs Debian's numpy (/usr/bin/python3 with python3-numpy) on matrices written to a temporary
// folder, for reference results. Tests GTEST_SKIP() when numpy is not importable.

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <string>

#include <Eigen/Core>

namespace gridke::services::sensitivities::testing {

inline constexpr const char* kPython = "/usr/bin/python3";

inline bool numpy_available() {
  const std::string cmd = std::string(kPython) + " -c 'import numpy' > /dev/null 2>&1";
  return std::system(cmd.c_str()) == 0;
}

inline std::filesystem::path scratch_dir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() /
             ("gridke_sensitivities_" + name + "_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return dir;
}

inline void write_matrix(const std::filesystem::path& path, const Eigen::MatrixXd& m) {
  std::ofstream out(path);
  out << std::setprecision(17);
  for (Eigen::Index r = 0; r < m.rows(); ++r) {
    for (Eigen::Index c = 0; c < m.cols(); ++c) out << (c ? " " : "") << m(r, c);
    out << "\n";
  }
}

inline Eigen::MatrixXd read_matrix(const std::filesystem::path& path, Eigen::Index rows,
                                   Eigen::Index cols) {
  std::ifstream in(path);
  Eigen::MatrixXd m(rows, cols);
  for (Eigen::Index r = 0; r < rows; ++r) {
    for (Eigen::Index c = 0; c < cols; ++c) in >> m(r, c);
  }
  return m;
}

/// Runs `script` (Python source) in `dir`; returns the exit status.
inline int run_python(const std::filesystem::path& dir, const std::string& script) {
  const auto file = dir / "script.py";
  std::ofstream(file) << script;
  const std::string cmd = "cd '" + dir.string() + "' && " + kPython + " script.py";
  return std::system(cmd.c_str());
}

}  // namespace gridke::services::sensitivities::testing
