#pragma once
// Runs Debian's python3 (GRIDKE_PYTHON, which has numpy/scipy) for tests that compare against an
// independent reference computation. Tests skip when the interpreter or the module is missing.

#include <cstdio>
#include <memory>
#include <string>

namespace gridke::testing_support {

struct PipeClose {
  void operator()(FILE* f) const noexcept { pclose(f); }
};

/// Runs `code` (no single quotes inside) with `python3 -c` and returns its standard output;
/// "" when python cannot be started or fails before printing.
inline std::string run_python(const std::string& code) {
  const std::string command = std::string(GRIDKE_PYTHON) + " -c '" + code + "' 2>/dev/null";
  std::unique_ptr<FILE, PipeClose> pipe(popen(command.c_str(), "r"));
  if (!pipe) return {};
  std::string out;
  char buffer[4096];
  std::size_t n = 0;
  while ((n = fread(buffer, 1, sizeof buffer, pipe.get())) > 0) out.append(buffer, n);
  return out;
}

/// True when `import <module>` works in GRIDKE_PYTHON.
inline bool python_has(const std::string& module) {
  return run_python("import " + module + "; print(1)") == "1\n";
}

}  // namespace gridke::testing_support
