#pragma once
// Paths of the source tree that tests read (GRIDKE_SOURCE_DIR is a compile definition of every
// test executable, see cmake/GridkeTargets.cmake). Functions, not file-scope constants, so that
// unity builds never see two definitions.
// Thread safety: pure functions.

#include <filesystem>

namespace gridke::test_paths {

/// <source>/graph-patterns: the contract files.
inline std::filesystem::path graph_patterns_dir() {
  return std::filesystem::path(GRIDKE_SOURCE_DIR) / "graph-patterns";
}

}  // namespace gridke::test_paths
