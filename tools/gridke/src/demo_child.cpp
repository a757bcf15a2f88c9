// demo_child.hpp: the demos' child processes.

#include "demo_child.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <thread>
#include <utility>

#include "gridke/http/server.hpp"

extern char** environ;

namespace gridke::cli::demo_child {

Result<Child> Child::spawn(const std::vector<std::string>& argv, const SpawnOptions& options) {
  if (argv.empty()) return invalid_argument("spawn: empty argument list");
  std::vector<std::string> arg_store(argv);
  std::vector<char*> args;
  for (auto& a : arg_store) args.push_back(a.data());
  args.push_back(nullptr);
  std::vector<std::string> env_store;
  for (char** e = environ; *e != nullptr; ++e) env_store.emplace_back(*e);
  env_store.insert(env_store.end(), options.env.begin(), options.env.end());
  std::vector<char*> env;
  for (auto& e : env_store) env.push_back(e.data());
  env.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (options.quiet_stdout) {
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  }
  pid_t pid = 0;
  const int rc = ::posix_spawn(&pid, argv[0].c_str(), &actions, nullptr, args.data(), env.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return unavailable("cannot start " + argv[0] + ": " + std::strerror(rc));
  return Child(pid);
}

Result<Child> Child::spawn_gridke(std::vector<std::string> args, const SpawnOptions& options) {
  GRIDKE_ASSIGN_OR_RETURN(std::string self, self_executable());
  args.insert(args.begin(), std::move(self));
  return spawn(args, options);
}

Child::Child(Child&& other) noexcept
    : pid_(std::exchange(other.pid_, 0)), exit_status_(other.exit_status_) {}

Child& Child::operator=(Child&& other) noexcept {
  if (this != &other) {
    (void)stop();
    pid_ = std::exchange(other.pid_, 0);
    exit_status_ = other.exit_status_;
  }
  return *this;
}

int Child::stop(std::chrono::milliseconds grace) {
  if (pid_ <= 0) return exit_status_;
  ::kill(pid_, SIGTERM);
  const auto until = std::chrono::steady_clock::now() + grace;
  int status = 0;
  while (true) {
    const pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) break;
    if (r < 0) {
      status = -1;
      break;
    }
    if (std::chrono::steady_clock::now() >= until) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  pid_ = 0;
  exit_status_ = (status >= 0 && WIFEXITED(status)) ? WEXITSTATUS(status) : -1;
  return exit_status_;
}

bool Child::running() {
  if (pid_ <= 0) return false;
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) == pid_) {
    pid_ = 0;
    exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return false;
  }
  return true;
}

Result<void> ensure_out_dir(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec)
    return invalid_argument("--out " + dir + ": cannot create the directory: " + ec.message());
  return {};
}

Result<std::string> self_executable() {
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return unavailable("cannot find the gridke executable: " + ec.message());
  return exe.string();
}

Result<void> wait_ready(Child& child, const std::string& url, std::chrono::seconds limit,
                        const std::function<bool(const http::ClientResponse&)>& ready) {
  const auto until = std::chrono::steady_clock::now() + limit;
  http::ClientOptions quick;
  quick.timeout = std::chrono::milliseconds(1000);
  while (std::chrono::steady_clock::now() < until) {
    if (!child.running()) {
      return unavailable("the child process exited with status " +
                         std::to_string(child.exit_status()) + " before " + url + " answered");
    }
    auto r = http::request("GET", url, {}, quick);
    if (r && ready(*r)) return ok();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return unavailable(url + " did not answer within " + std::to_string(limit.count()) + " s");
}

Result<ServeChild> spawn_serve(std::vector<std::string> args, const std::string& ready_path,
                               const SpawnOptions& options) {
  GRIDKE_ASSIGN_OR_RETURN(const std::uint16_t port, http::pick_free_port("127.0.0.1"));
  std::vector<std::string> argv = {"serve", "--port", std::to_string(port), "--log-level", "warn"};
  argv.insert(argv.end(), args.begin(), args.end());
  GRIDKE_ASSIGN_OR_RETURN(Child child, Child::spawn_gridke(std::move(argv), options));
  ServeChild serve{std::move(child), "http://127.0.0.1:" + std::to_string(port)};
  GRIDKE_TRY(wait_ready(serve.process, serve.url + ready_path, std::chrono::seconds(30)));
  return serve;
}

Result<TempDir> TempDir::create(std::string_view prefix) {
  std::string pattern =
      (std::filesystem::temp_directory_path() / (std::string(prefix) + "-XXXXXX")).string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    return unavailable("cannot create a temporary directory: " + std::string(std::strerror(errno)));
  }
  return TempDir(std::move(pattern));
}

TempDir::TempDir(TempDir&& other) noexcept
    : path_(std::exchange(other.path_, std::string())), keep_(other.keep_) {}

TempDir::~TempDir() {
  if (path_.empty() || keep_) return;
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

}  // namespace gridke::cli::demo_child
