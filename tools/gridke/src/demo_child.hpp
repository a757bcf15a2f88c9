#pragma once
// demo_child: a `gridke serve` child process for the demos that talk to a real server over
// HTTP (`gridke demo dynamic-tariff`, `gridke demo metering`).
// Thread safety: plain functions; a ServeChild is owned by one thread.

#include <sys/types.h>

#include <string>
#include <vector>

#include "gridke/base/result.hpp"

namespace gridke::cli::demo_child {

/// A running `gridke serve` child: its process id and the base URL (http://127.0.0.1:PORT).
struct ServeChild {
  pid_t pid = -1;
  std::string url;
};

/// Stops a child: SIGTERM, up to 5 s for it to exit, then SIGKILL; always reaps it.
void stop(pid_t pid);

/// Starts this executable as `gridke serve --port P --services SERVICES --log-level warn`
/// on a free port with `env` added to the environment, and waits until `ready_path` (below the
/// base URL) answers 200. Errors: unavailable (no free port, spawn failed, the child exited, or
/// it did not become ready within 30 s; the child is then stopped).
Result<ServeChild> spawn_serve(const std::string& services, const std::string& ready_path,
                               const std::vector<std::string>& env);

}  // namespace gridke::cli::demo_child
