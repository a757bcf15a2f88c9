#pragma once
// Child processes and a running `gridke serve` for the fault tests: spawn with posix_spawn,
// read the child's stdout line by line, stop with SIGTERM (SIGKILL after a grace period) or
// kill -9. Every Process is reaped by its destructor, so no test leaves processes behind.
// Thread safety: none; one test thread owns each object.

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "gridke/base/result.hpp"
#include "gridke/http/client.hpp"
#include "gridke/http/server.hpp"

namespace gridke::fault_testing {

class Process {
 public:
  /// Starts `argv` with stdout on a pipe (read with read_line()).
  static Result<Process> spawn(const std::vector<std::string>& argv) {
    int fds[2];
    if (::pipe(fds) != 0) return unavailable("pipe failed");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    pid_t pid = 0;
    const int rc = posix_spawn(&pid, argv[0].c_str(), &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(fds[1]);
    if (rc != 0) {
      ::close(fds[0]);
      return unavailable("cannot start " + argv[0]);
    }
    return Process(pid, fds[0]);
  }
  Process(Process&& o) noexcept
      : pid_(std::exchange(o.pid_, 0)), out_(std::exchange(o.out_, -1)), buffer_(o.buffer_) {}
  Process& operator=(Process&& o) noexcept {
    if (this != &o) {
      stop();
      pid_ = std::exchange(o.pid_, 0);
      out_ = std::exchange(o.out_, -1);
      buffer_ = std::move(o.buffer_);
    }
    return *this;
  }
  Process(const Process&) = delete;
  ~Process() { stop(); }

  /// The next stdout line, or nullopt after `timeout` or at end of output.
  std::optional<std::string> read_line(std::chrono::milliseconds timeout) {
    const auto until = std::chrono::steady_clock::now() + timeout;
    while (true) {
      if (auto nl = buffer_.find('\n'); nl != std::string::npos) {
        std::string line = buffer_.substr(0, nl);
        buffer_.erase(0, nl + 1);
        return line;
      }
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          until - std::chrono::steady_clock::now());
      if (left.count() <= 0 || out_ < 0) return std::nullopt;
      pollfd p{out_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      char chunk[512];
      const auto n = ::read(out_, chunk, sizeof chunk);
      if (n <= 0) return std::nullopt;
      buffer_.append(chunk, static_cast<std::size_t>(n));
    }
  }
  /// Waits for a line equal to `want`.
  bool wait_for_line(const std::string& want, std::chrono::milliseconds timeout) {
    const auto until = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < until) {
      auto line = read_line(std::chrono::duration_cast<std::chrono::milliseconds>(
          until - std::chrono::steady_clock::now()));
      if (!line) return false;
      if (*line == want) return true;
    }
    return false;
  }
  void kill9() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = 0;
  }
  void stop() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
      while (::waitpid(pid_, nullptr, WNOHANG) == 0) {
        if (std::chrono::steady_clock::now() > until) {
          ::kill(pid_, SIGKILL);
          ::waitpid(pid_, nullptr, 0);
          break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
      pid_ = 0;
    }
    if (out_ >= 0) ::close(out_);
    out_ = -1;
  }
  bool running() const { return pid_ > 0 && ::waitpid(pid_, nullptr, WNOHANG) == 0; }

 private:
  Process(pid_t pid, int out) : pid_(pid), out_(out) {}
  pid_t pid_ = 0;
  int out_ = -1;
  std::string buffer_;
};

/// `gridke serve --services none` on `port` (with --data `data_dir` when not empty: knowledge
/// bases then survive a restart); waits until GET /rest/sc answers.
inline Result<Process> start_serve(std::uint16_t port, int deadline_s = 3,
                                   const std::string& data_dir = {}) {
  std::vector<std::string> argv = {
      GRIDKE_EXE, "serve",       "--port", std::to_string(port), "--services",
      "none",     "--log-level", "error",  "--deadline-s",       std::to_string(deadline_s)};
  if (!data_dir.empty()) {
    argv.push_back("--data");
    argv.push_back(data_dir);
  }
  GRIDKE_ASSIGN_OR_RETURN(auto p, Process::spawn(argv));
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/rest/sc";
  http::ClientOptions quick;
  quick.timeout = std::chrono::milliseconds(500);
  for (int i = 0; i < 200; ++i) {
    auto r = http::request("GET", url, {}, quick);
    if (r && r->status == 200) return p;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return unavailable("gridke serve did not come up on port " + std::to_string(port));
}

inline Result<Process> start_peer(std::uint16_t port, const std::string& kb, int delay_ms) {
  GRIDKE_ASSIGN_OR_RETURN(
      auto p,
      Process::spawn({GRIDKE_FAULT_PEER, "http://127.0.0.1:" + std::to_string(port) + "/rest", kb,
                      std::to_string(delay_ms)}));
  if (!p.wait_for_line("ready", std::chrono::seconds(20))) {
    return unavailable("peer " + kb + " did not register");
  }
  return p;
}

}  // namespace gridke::fault_testing
