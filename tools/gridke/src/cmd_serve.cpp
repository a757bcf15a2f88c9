// gridke serve: the embedded knowledge engine behind the TNO-compatible KE REST API
// (docs/rest-api.md). Runs until SIGINT/SIGTERM; then pending long polls get 410 and the
// server stops cleanly.

#include <pthread.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "command.hpp"
#include "gridke/engine/embedded_engine.hpp"
#include "gridke/engine/rest_server.hpp"
#include "serve_module.hpp"

namespace gridke::cli {

std::map<std::string, ServeModuleSpec>& serve_modules() {
  static std::map<std::string, ServeModuleSpec> all;
  return all;
}

}  // namespace gridke::cli

namespace {

using namespace gridke;
namespace eng = gridke::engine;

constexpr const char* verb = "serve";

constexpr const char* usage =
    "Usage: gridke serve [--port 8280] [--bind 127.0.0.1] [--data DIR]\n"
    "                    [--log-level error|warn|info|debug] [--heartbeat-s 29]\n"
    "                    [--deadline-s 10] [--lease-check-s 10] [--format text|json]\n"
    "                    [--services all|none|NAME,NAME...]\n\n"
    "Runs the embedded knowledge engine behind the Knowledge Engine Smart Connector REST API\n"
    "(wire-compatible with TNO Knowledge Engine 1.5 clients) at http://BIND:PORT/rest.\n\n"
    "  --port N         TCP port (default 8280; 0 picks a free port)\n"
    "  --bind ADDR      interface to listen on (default 127.0.0.1; 0.0.0.0 for all)\n"
    "  --data DIR       data directory (created if missing); serve writes DIR/serve.json with\n"
    "                   the URL and process id. Knowledge bases are not persisted: REST\n"
    "                   clients register again after a restart, as with the TNO runtime\n"
    "  --log-level L    error, warn, info (a line per exchange; default) or debug (a line per\n"
    "                   request, with binding values)\n"
    "  --heartbeat-s S  answer a waiting GET /sc/handle with 202 after S seconds (default 29)\n"
    "  --deadline-s S   how long an ASK/POST waits for a knowledge base (default 10)\n"
    "  --lease-check-s S  how often expired leases are looked for (default 10, as TNO)\n"
    "  --format F       text (default) or json: how the ready line on stdout is printed\n"
    "  --services LIST  the DSO service modules to run beside the engine (default all; see\n"
    "                   below); each opens DIR/<name>.sqlite (in memory without --data),\n"
    "                   serves its REST front door on the same port and registers its SSA\n\n"
    "Stops on SIGINT or SIGTERM: pending long polls get 410 Gone.\n"
    "Exit codes: 0 stopped cleanly, 2 usage error, 6 cannot listen (port in use).\n";

std::mutex log_mu;

void write_log(eng::LogLevel level, std::string_view line) {
  static constexpr const char* names[] = {"error", "warn", "info", "debug"};
  auto now = std::chrono::system_clock::now();
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()) % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
  std::lock_guard lock(log_mu);
  std::cerr << stamp << '.' << (ms.count() < 100 ? (ms.count() < 10 ? "00" : "0") : "")
            << ms.count() << "Z " << names[static_cast<int>(level)] << ' ' << line << '\n';
}

Result<long long> int_option(const cli::Args& args, const char* name, long long fallback,
                             long long min, long long max) {
  GRIDKE_ASSIGN_OR_RETURN(auto v, args.get_int(name));
  long long value = v.value_or(fallback);
  if (value < min || value > max) {
    return invalid_argument("--" + std::string(name) + " must be between " + std::to_string(min) +
                            " and " + std::to_string(max) + ", got " + std::to_string(value));
  }
  return value;
}

/// The modules named by --services ("all", "none" or a comma-separated list), in name order.
Result<std::vector<const cli::ServeModuleSpec*>> select_modules(const std::string& list) {
  std::vector<const cli::ServeModuleSpec*> out;
  const auto& all = cli::serve_modules();
  if (list == "none") return out;
  if (list == "all") {
    for (const auto& [name, spec] : all) out.push_back(&spec);
    return out;
  }
  std::size_t start = 0;
  while (start <= list.size()) {
    const std::size_t comma = std::min(list.find(',', start), list.size());
    const std::string name = list.substr(start, comma - start);
    auto it = all.find(name);
    if (it == all.end()) {
      std::string known;
      for (const auto& [n, spec] : all) known += (known.empty() ? "" : ", ") + n;
      return invalid_argument("--services: no service module named '" + name +
                              "' (known: " + (known.empty() ? "none" : known) + ")");
    }
    out.push_back(&it->second);
    start = comma + 1;
  }
  return out;
}

int run_serve(const std::vector<std::string>& argv) {
  auto args = cli::Args::parse(argv, {"help"});
  if (!args) return cli::usage_error(verb, args.error().message());
  if (auto unknown = args->unknown({"port", "bind", "data", "log-level", "heartbeat-s",
                                    "deadline-s", "lease-check-s", "format", "services"});
      !unknown.empty()) {
    return cli::usage_error(verb, "unknown option --" + unknown.front());
  }
  if (!args->positionals().empty()) {
    return cli::usage_error(verb, "unexpected argument '" + args->positionals().front() + "'");
  }
  auto port = int_option(*args, "port", 8280, 0, 65535);
  if (!port) return cli::usage_error(verb, port.error().message());
  auto heartbeat = int_option(*args, "heartbeat-s", 29, 1, 3600);
  if (!heartbeat) return cli::usage_error(verb, heartbeat.error().message());
  auto deadline = int_option(*args, "deadline-s", 10, 1, 3600);
  if (!deadline) return cli::usage_error(verb, deadline.error().message());
  auto lease_check = int_option(*args, "lease-check-s", 10, 1, 3600);
  if (!lease_check) return cli::usage_error(verb, lease_check.error().message());
  auto level = eng::parse_log_level(args->get_or("log-level", "info"));
  if (!level) return cli::usage_error(verb, level.error().message());
  const std::string format = args->get_or("format", "text");
  if (format != "text" && format != "json") {
    return cli::usage_error(verb, "--format must be text or json, got '" + format + "'");
  }
  auto selected = select_modules(args->get_or("services", "all"));
  if (!selected) return cli::usage_error(verb, selected.error().message());
  std::filesystem::path data;
  if (auto d = args->get("data")) {
    data = *d;
    std::error_code ec;
    std::filesystem::create_directories(data, ec);
    if (ec || !std::filesystem::is_directory(data)) {
      return cli::fail(verb, invalid_argument("--data " + *d + ": cannot create the directory: " +
                                              (ec ? ec.message() : "not a directory")));
    }
  }

  // Block SIGINT/SIGTERM before any thread starts, so every thread inherits the mask and the
  // main thread receives them through sigwait().
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  eng::EmbeddedEngine::Options engine_options;
  engine_options.default_deadline = std::chrono::seconds(*deadline);
  eng::EmbeddedEngine engine(engine_options);

  eng::RestServerOptions options;
  options.bind_address = args->get_or("bind", "127.0.0.1");
  options.port = static_cast<std::uint16_t>(*port);
  options.heartbeat = std::chrono::seconds(*heartbeat);
  options.lease_check_interval = std::chrono::seconds(*lease_check);
  options.version = std::string("1.5.1-gridke-") + GRIDKE_VERSION;
  options.log = write_log;
  options.log_level = *level;
  auto server = eng::RestServer::start(engine, options);
  if (!server) return cli::fail(verb, server.error());

  const std::string url = (*server)->base_url();
  cli::ServeContext context{engine,
                            data.empty() ? std::nullopt : std::optional(data),
                            options.bind_address,
                            (*server)->port(),
                            url,
                            write_log};
  std::vector<std::unique_ptr<cli::ServeModule>> modules;
  for (const auto* spec : *selected) {
    auto module = spec->start(context);
    if (!module) {
      modules.clear();
      (*server)->stop();
      return cli::fail(verb, module.error().with_context("service module " + spec->name));
    }
    write_log(eng::LogLevel::info, (*module)->describe());
    modules.push_back(std::move(*module));
  }
  if (!data.empty()) {
    std::ofstream out(data / "serve.json");
    out << nlohmann::json{{"url", url}, {"pid", static_cast<long long>(::getpid())}}.dump() << "\n";
  }
  if (format == "json") {
    std::cout << nlohmann::json{{"url", url}, {"port", (*server)->port()}}.dump() << std::endl;
  } else {
    std::cout << "gridke serve: listening on " << url << std::endl;
  }

  int sig = 0;
  sigwait(&signals, &sig);
  write_log(eng::LogLevel::info,
            std::string("received ") + (sig == SIGINT ? "SIGINT" : "SIGTERM") + "; stopping");
  while (!modules.empty()) modules.pop_back();  // reverse order of start
  (*server)->stop();
  if (!data.empty()) {
    std::error_code ec;
    std::filesystem::remove(data / "serve.json", ec);
  }
  return cli::exit_ok;
}

}  // namespace

GRIDKE_COMMAND({verb, "run the knowledge engine behind the KE REST API (port 8280)", usage,
                run_serve});
