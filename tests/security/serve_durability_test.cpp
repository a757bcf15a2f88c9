// `gridke serve --data DIR` survives kill -9: a real server process is killed with SIGKILL and
// started again on the same port and data directory; the knowledge bases REST clients registered
// come back with their KIs (same ids) and leases, and a RemoteEngine's long poll resumes without
// registering again.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "gridke/engine/remote_engine.hpp"
#include "gridke_matchers.hpp"
#include "http_probe.hpp"
#include "security_test_kbs.hpp"

extern char** environ;

namespace gridke::engine {
namespace {

using ::testing::HasSubstr;

#ifdef GRIDKE_BINARY
constexpr const char* gridke_binary = GRIDKE_BINARY;
#else
constexpr const char* gridke_binary = "";
#endif
constexpr const char* registry_server = GRIDKE_REGISTRY_SERVER;

// The command line of a server on `port` with data directory `data`.
using CommandLine = std::vector<std::string> (*)(const std::filesystem::path& data,
                                                 std::uint16_t port);

std::vector<std::string> gridke_serve(const std::filesystem::path& data, std::uint16_t port) {
  return {gridke_binary, "serve",      "--port", std::to_string(port), "--data",
          data.string(), "--services", "none",   "--heartbeat-s",      "2"};
}

std::vector<std::string> minimal_server(const std::filesystem::path& data, std::uint16_t port) {
  return {registry_server, std::to_string(port), data.string()};
}

using security_test::kb_info;

// One server child process; killed (SIGKILL) and reaped by the destructor.
class ServeProcess {
 public:
  ServeProcess(CommandLine command, const std::filesystem::path& data, std::uint16_t port)
      : data_(data) {
    std::vector<std::string> args = command(data, port);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, (data / "serve.log").c_str(),
                                     O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (posix_spawn(&pid_, args[0].c_str(), &actions, nullptr, argv.data(), environ) != 0) {
      pid_ = 0;
    }
    posix_spawn_file_actions_destroy(&actions);
  }
  ~ServeProcess() { kill9(); }
  ServeProcess(const ServeProcess&) = delete;
  ServeProcess& operator=(const ServeProcess&) = delete;

  // Waits until DIR/serve.json names this process; returns the port (0 on timeout).
  std::uint16_t wait_ready() {
    for (int i = 0; i < 1200 && pid_ != 0; ++i) {
      std::ifstream in(data_ / "serve.json");
      std::stringstream text;
      text << in.rdbuf();
      const std::string s = text.str();
      if (s.find("\"pid\":" + std::to_string(pid_)) != std::string::npos) {
        auto colon = s.find(':', s.find("127.0.0.1"));
        return static_cast<std::uint16_t>(std::stoi(s.substr(colon + 1)));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return 0;
  }
  void kill9() {
    if (pid_ == 0) return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = 0;
  }

 private:
  std::filesystem::path data_;
  pid_t pid_ = 0;
};

void kill9_and_restart(CommandLine command, const std::string& name) {
  const auto data = std::filesystem::temp_directory_path() /
                    ("gridke-durability-" + name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(data);
  std::filesystem::create_directories(data);
  auto server = std::make_unique<ServeProcess>(command, data, 0);
  const std::uint16_t port = server->wait_ready();
  ASSERT_NE(port, 0) << "the server did not start; see " << (data / "serve.log");
  const std::string base = "http://127.0.0.1:" + std::to_string(port) + "/rest";

  auto gp = pattern::GraphPattern::parse("?a <http://example.org/p> ?b .");
  ASSERT_THAT(gp, IsOk());
  const pattern::BindingSet answer{pattern::Binding{{"a", rdf::Term::iri("http://example.org/x")},
                                                    {"b", rdf::Term::iri("http://example.org/y")}}};
  RemoteEngineOptions options;
  options.base_url = base;
  options.backoff_max = std::chrono::milliseconds(300);
  options.token_from_environment = false;
  auto answerer = RemoteEngine::connect(options);
  ASSERT_THAT(answerer, IsOk());
  ASSERT_THAT((*answerer)->create_knowledge_base(kb_info("http://example.org/answerer", 600)),
              IsOk());
  // Unnamed: its random id must survive too.
  auto answer_ki = (*answerer)->register_ki(
      "http://example.org/answerer", ki::KnowledgeInteraction::answer(*gp),
      SyncHandler([&](const HandleRequest&) { return Result<pattern::BindingSet>(answer); }));
  ASSERT_THAT(answer_ki, IsOk());
  auto asker = RemoteEngine::connect(options);
  ASSERT_THAT(asker, IsOk());
  ASSERT_THAT((*asker)->create_knowledge_base(kb_info("http://example.org/asker")), IsOk());
  auto ask_ki =
      (*asker)->register_ki("http://example.org/asker", ki::KnowledgeInteraction::ask(*gp, "ask"));
  ASSERT_THAT(ask_ki, IsOk());
  ASSERT_THAT((*asker)->ask("http://example.org/asker", *ask_ki), IsOk());

  server->kill9();  // no chance to clean up
  server = std::make_unique<ServeProcess>(command, data, port);
  ASSERT_EQ(server->wait_ready(), port) << "restart failed; see " << (data / "serve.log");

  auto listed = testing::http_call(port, "GET", "/rest/sc");
  EXPECT_EQ(listed.status, 200);
  EXPECT_THAT(listed.body, HasSubstr("http://example.org/answerer"));
  EXPECT_THAT(listed.body, HasSubstr("\"leaseRenewalTime\":600"));
  auto kis = testing::http_call(port, "GET", "/rest/sc/ki",
                                {{"Knowledge-Base-Id", "http://example.org/answerer"}});
  EXPECT_THAT(kis.body, HasSubstr(*answer_ki));

  // The answerer's long poll resumes against the restarted server: the ask is answered.
  Result<AskResult> after = internal_error("not asked");
  for (int i = 0; i < 200; ++i) {
    after = (*asker)->ask("http://example.org/asker", *ask_ki);
    if (after && after->bindings == answer) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_THAT(after, IsOk());
  EXPECT_EQ(after->bindings, answer);
  EXPECT_EQ((*answerer)->reregistrations(), 0);  // restored by the server, not re-registered
  EXPECT_EQ((*asker)->reregistrations(), 0);

  answerer->reset();
  asker->reset();
  server.reset();
  std::filesystem::remove_all(data);
}

TEST(ServeDurability, GridkeServeKnowledgeBasesAndLongPollsSurviveKill9) {
  if (std::string(gridke_binary).empty() || !std::filesystem::exists(gridke_binary)) {
    GTEST_SKIP() << "the gridke binary has not been built (the minimal server test still runs)";
  }
  kill9_and_restart(gridke_serve, "gridke");
}

TEST(ServeDurability, RegistryServerKnowledgeBasesAndLongPollsSurviveKill9) {
  kill9_and_restart(minimal_server, "minimal");
}

}  // namespace
}  // namespace gridke::engine
