// demo_child.hpp: a `gridke serve` child process for the demos.

#include "demo_child.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <thread>

#include "gridke/http/client.hpp"
#include "gridke/http/server.hpp"

extern char** environ;

namespace gridke::cli::demo_child {

/// Stops a child: SIGTERM, up to 5 s for it to exit, then SIGKILL; always reaps it.
void stop(pid_t pid) {
  if (pid <= 0) return;
  ::kill(pid, SIGTERM);
  for (int i = 0; i < 100; ++i) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
}

/// Starts this executable as `gridke serve --port P --services SERVICES --log-level warn`
/// on a free port with `env` added to the environment, and waits until `ready_path` (below the
/// base URL) answers 200. Errors: unavailable (no free port, spawn failed, the child exited, or
/// it did not become ready within 30 s; the child is then stopped).
Result<ServeChild> spawn_serve(const std::string& services, const std::string& ready_path,
                               const std::vector<std::string>& env) {
  GRIDKE_ASSIGN_OR_RETURN(const std::uint16_t port, http::pick_free_port("127.0.0.1"));
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return unavailable("cannot find the gridke executable: " + ec.message());
  std::vector<std::string> args = {exe.string(), "serve",  "--port",      std::to_string(port),
                                   "--services", services, "--log-level", "warn"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) env_strings.emplace_back(*e);
  for (const auto& e : env) env_strings.push_back(e);
  std::vector<char*> envp;
  for (auto& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, exe.c_str(), &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return unavailable("cannot start gridke serve: " + std::string(std::strerror(rc)));
  ServeChild child{pid, "http://127.0.0.1:" + std::to_string(port)};
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  http::ClientOptions quick;
  quick.timeout = std::chrono::milliseconds(1000);
  while (std::chrono::steady_clock::now() < give_up) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      return unavailable("gridke serve exited during start-up (status " + std::to_string(status) +
                         ")");
    }
    auto r = http::request("GET", child.url + ready_path, {}, quick);
    if (r && r->status == 200) return child;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  stop(pid);
  return unavailable("gridke serve did not answer " + child.url + ready_path + " within 30 s");
}

}  // namespace gridke::cli::demo_child
