#pragma once
// demo_child: the child processes of the demos that run GridKE as real processes (`gridke demo
// fault-location`, `sensitivities`, `flexibility-response`, `flexibility-day-ahead`,
// `dynamic-tariff`, `metering`): spawning, readiness, stopping, and a scratch directory.
// Thread safety: a Child or TempDir is owned by one thread.
// Ownership: a Child stops its process (SIGTERM, then SIGKILL) and reaps it when destroyed, so
// a demo never leaves processes behind, whichever path it returns by.

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gridke/base/result.hpp"
#include "gridke/http/client.hpp"

namespace gridke::cli::demo_child {

struct SpawnOptions {
  std::vector<std::string> env;  ///< NAME=VALUE entries added to this process's environment
  bool quiet_stdout = false;     ///< send the child's stdout to /dev/null

  /// Options with the child's stdout sent to /dev/null and `env` added.
  static SpawnOptions quiet(std::vector<std::string> env = {}) { return {std::move(env), true}; }
};

class Child {
 public:
  /// Starts `argv` (argv[0] is the program path). Errors: unavailable naming the program.
  static Result<Child> spawn(const std::vector<std::string>& argv,
                             const SpawnOptions& options = {});
  /// Starts this executable (`gridke`) with `args`.
  static Result<Child> spawn_gridke(std::vector<std::string> args,
                                    const SpawnOptions& options = {});

  Child(Child&& other) noexcept;
  Child& operator=(Child&& other) noexcept;
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  ~Child() { (void)stop(); }

  /// SIGTERM, up to `grace` for it to exit, then SIGKILL; reaps it. Returns the exit status
  /// (-1 when it ended by a signal). Idempotent.
  int stop(std::chrono::milliseconds grace = std::chrono::seconds(5));
  /// Whether the process still runs (reaps it, recording its status, when it has exited).
  bool running();
  int exit_status() const { return exit_status_; }
  pid_t pid() const { return pid_; }

 private:
  explicit Child(pid_t pid) : pid_(pid) {}
  pid_t pid_ = 0;
  int exit_status_ = -1;
};

/// The path of this executable (/proc/self/exe). Errors: unavailable.
Result<std::string> self_executable();

/// Creates the demo's output directory `dir` (--out) with its parents when missing.
/// Errors: invalid_argument naming --out, the directory and the system's reason.
Result<void> ensure_out_dir(const std::string& dir);

/// Polls GET `url` until `ready` accepts the answer (default: HTTP 200). Errors: unavailable
/// when `child` exits first (naming its status) or after `limit`.
Result<void> wait_ready(
    Child& child, const std::string& url, std::chrono::seconds limit,
    const std::function<bool(const http::ClientResponse&)>& ready =
        [](const http::ClientResponse& r) { return r.status == 200; });

/// A running `gridke serve` child and its base URL (http://127.0.0.1:PORT).
struct ServeChild {
  Child process;
  std::string url;
};

/// `gridke serve --port <free port> --log-level warn ARGS…` (e.g. {"--services", "tariffs"}),
/// ready when GET url + `ready_path` answers 200 (30 s at most). Errors: unavailable.
Result<ServeChild> spawn_serve(std::vector<std::string> args, const std::string& ready_path,
                               const SpawnOptions& options = {});

/// A temporary directory removed (recursively) on destruction unless keep() was called.
class TempDir {
 public:
  /// Creates $TMPDIR/<prefix>-XXXXXX (mkdtemp fills in the Xs). Errors: unavailable.
  static Result<TempDir> create(std::string_view prefix);
  TempDir(TempDir&& other) noexcept;
  TempDir& operator=(TempDir&&) = delete;
  ~TempDir();
  const std::string& path() const { return path_; }
  void keep() { keep_ = true; }

 private:
  explicit TempDir(std::string path) : path_(std::move(path)) {}
  std::string path_;
  bool keep_ = false;
};

}  // namespace gridke::cli::demo_child
