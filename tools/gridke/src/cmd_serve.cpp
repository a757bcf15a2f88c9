// gridke serve: the embedded knowledge engine behind the TNO-compatible KE REST API
// (docs/rest-api.md). Runs until SIGINT/SIGTERM; then pending long polls get 410 and the
// server stops cleanly.

#include <pthread.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#ifdef GRIDKE_WITH_JEMALLOC
#include <jemalloc/jemalloc.h>  // mallctl
#else
#include <malloc.h>  // malloc_trim
#endif

#include "command.hpp"
#include "gridke/audit/audit_trail.hpp"
#include "gridke/engine/domain_knowledge.hpp"
#include "gridke/engine/embedded_engine.hpp"
#include "gridke/engine/rest_server.hpp"
#include "gridke/security/access_policy.hpp"
#include "gridke/security/registry_store.hpp"
#include "gridke/security/token_store.hpp"
#include "serve_module.hpp"

namespace gridke::cli {

std::map<std::string, ServeModuleSpec>& serve_modules() {
  static std::map<std::string, ServeModuleSpec> all;
  return all;
}

Result<long long> env_integer(const char* name, long long fallback, long long lo, long long hi) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return fallback;
  char* end = nullptr;
  const long long x = std::strtoll(v, &end, 10);
  if (end == v || *end != '\0' || x < lo || x > hi) {
    return invalid_argument(std::string(name) + ": '" + v + "' must be an integer in [" +
                            std::to_string(lo) + ", " + std::to_string(hi) + "]");
  }
  return x;
}

}  // namespace gridke::cli

namespace {

using namespace gridke;
namespace eng = gridke::engine;

// The allocator in use, for the log: "jemalloc 5.3.0-0-g…" or "glibc malloc".
std::string allocator_name() {
#ifdef GRIDKE_WITH_JEMALLOC
  const char* version = nullptr;
  std::size_t len = sizeof version;
  if (mallctl("version", static_cast<void*>(&version), &len, nullptr, 0) == 0 && version) {
    return std::string("jemalloc ") + version;
  }
#endif
  return "glibc malloc";
}

// Hands the heap that a burst left free back to the kernel. jemalloc does so by itself for pages
// unused for 10 s (its decay), but only as the process allocates; this also does it when the
// server has gone quiet. glibc keeps each thread arena's high-water mark unless trimmed.
void return_free_memory() {
#ifdef GRIDKE_WITH_JEMALLOC
  static const std::string all_arenas_decay =
      "arena." + std::to_string(MALLCTL_ARENAS_ALL) + ".decay";
  mallctl(all_arenas_decay.c_str(), nullptr, nullptr, nullptr, 0);
#else
  malloc_trim(0);
#endif
}

constexpr const char* verb = "serve";

constexpr const char* usage =
    "Usage: gridke serve [--port 8280] [--bind 127.0.0.1] [--data DIR]\n"
    "                    [--log-level error|warn|info|debug] [--heartbeat-s 29]\n"
    "                    [--deadline-s 10] [--lease-check-s 10] [--format text|json]\n"
    "                    [--services all|none|NAME,NAME...]\n"
    "                    [--tls-cert FILE --tls-key FILE [--tls-client-ca FILE]]\n"
    "                    [--auth none|tokens] [--token-store FILE] [--acl FILE]\n"
    "                    [--audit on|off] [--audit-db FILE] [--domain-knowledge FILE]\n"
    "                    [--io-threads N]\n\n"
    "Runs the embedded knowledge engine behind the Knowledge Engine Smart Connector REST API\n"
    "(wire-compatible with TNO Knowledge Engine 1.5 clients) at http://BIND:PORT/rest.\n\n"
    "  --port N         TCP port (default 8280; 0 picks a free port)\n"
    "  --bind ADDR      interface to listen on (default 127.0.0.1; 0.0.0.0 for all)\n"
    "  --data DIR       data directory (created if missing): DIR/registry.sqlite keeps the\n"
    "                   knowledge bases, KIs and leases REST clients registered, so they are\n"
    "                   back after a restart or crash (docs/operations.md); DIR/serve.json\n"
    "                   has the URL and process id; tokens and audit trail default to\n"
    "                   DIR/tokens.sqlite and DIR/audit.sqlite\n"
    "  --log-level L    error, warn, info (a line per exchange; default) or debug (a line per\n"
    "                   request, with binding values)\n"
    "  --heartbeat-s S  answer a waiting GET /sc/handle with 202 after S seconds (default 29)\n"
    "  --deadline-s S   how long an ASK/POST waits for a knowledge base (default 10)\n"
    "  --lease-check-s S  how often expired leases are looked for (default 10, as TNO)\n"
    "  --format F       text (default) or json: how the ready line on stdout is printed\n"
    "  --services LIST  the DSO service modules to run beside the engine (default all; see\n"
    "                   below); each opens DIR/<name>.sqlite (in memory without --data),\n"
    "                   serves its REST front door on the same port and registers its SSA\n"
    "  --tls-cert FILE  serve https with this PEM certificate (chain) ...\n"
    "  --tls-key FILE   ... and this PEM private key\n"
    "  --tls-client-ca FILE  require client certificates signed by this CA (mutual TLS)\n"
    "  --auth MODE      none (default, as TNO) or tokens: every /rest/sc call needs\n"
    "                   'Authorization: Bearer <token>' from 'gridke token create --kb IRI', and\n"
    "                   a knowledge base can act only as itself (401/403 otherwise)\n"
    "  --token-store FILE  the token store (default DIR/tokens.sqlite; required for tokens\n"
    "                   without --data)\n"
    "  --acl FILE       per-KI access control (JSON, docs/security.md); denied KIs appear as\n"
    "                   FAILED \"access denied: ...\" in exchange info and the audit trail\n"
    "  --audit on|off   keep the hash-chained audit trail of every exchange (default on with\n"
    "                   --data or --audit-db, else off); check it with 'gridke audit verify'\n"
    "  --audit-db FILE  where the audit trail goes (default DIR/audit.sqlite)\n"
    "  --domain-knowledge FILE  runtime-wide default domain knowledge (Jena rules, as POST\n"
    "                   /sc/knowledge; docs/knowledge-network.md), used for every KB that has\n"
    "                   posted none of its own\n"
    "  --io-threads N   HTTP I/O threads (Boost.Beast) shared by the KE API and every front\n"
    "                   door, 1-256 (default 2, one per core of a small host); they also run the\n"
    "                   engine's work for REST knowledge bases, which never blocks; front-door\n"
    "                   handlers and in-process SSAs run on their own threads\n\n"
    "Secrets (tokens, keys) are read from files only, never from the command line, and never\n"
    "logged; binding values appear only at --log-level debug.\n"
    "Stops on SIGINT or SIGTERM: pending long polls get 410 Gone.\n"
    "Exit codes: 0 stopped cleanly, 2 usage error, 3 unusable TLS/ACL file, 6 cannot listen\n"
    "(port in use) or open a store.\n";

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

/// The security and durability parts of `gridke serve`, opened from the options.
struct Security {
  std::optional<eng::TlsOptions> tls;
  std::shared_ptr<security::TokenStore> tokens;
  std::shared_ptr<security::AccessPolicy> policy;
  std::shared_ptr<audit::AuditTrail> audit;
  std::shared_ptr<security::SqliteRegistryStore> registry;
  std::vector<std::string> banner;  ///< start-up log lines (no secrets)
};

std::variant<Security, int> open_security(const cli::Args& args,
                                          const std::filesystem::path& data) {
  Security sec;
  auto cert = args.get("tls-cert");
  auto key = args.get("tls-key");
  auto client_ca = args.get("tls-client-ca");
  if (cert || key || client_ca) {
    if (!cert || !key) {
      return cli::usage_error(verb, "--tls-cert and --tls-key go together");
    }
    sec.tls = eng::TlsOptions{*cert, *key, client_ca.value_or("")};
    sec.banner.push_back(
        std::string("TLS on (certificate ") + *cert + ")" +
        (client_ca ? ", client certificates required (CA " + *client_ca + ")" : std::string()));
  }
  const std::string auth = args.get_or("auth", "none");
  if (auth != "none" && auth != "tokens") {
    return cli::usage_error(verb, "--auth must be none or tokens, got '" + auth + "'");
  }
  if (auth == "tokens") {
    std::string path;
    if (auto p = args.get("token-store")) {
      path = *p;
    } else if (!data.empty()) {
      path = (data / "tokens.sqlite").string();
    } else {
      return cli::usage_error(verb, "--auth tokens needs --token-store FILE or --data DIR");
    }
    auto store = security::TokenStore::open(path);
    if (!store) return cli::fail(verb, store.error().with_context("--token-store " + path));
    sec.tokens = std::make_shared<security::TokenStore>(std::move(*store));
    sec.banner.push_back("authentication: bearer tokens from " + path);
  } else if (args.has("token-store")) {
    return cli::usage_error(verb, "--token-store needs --auth tokens");
  }
  if (auto acl = args.get("acl")) {
    auto policy = security::AccessPolicy::load(*acl);
    if (!policy) return cli::fail(verb, policy.error());
    sec.policy = *policy;
    sec.banner.push_back("access control: " + std::to_string(sec.policy->rules().size()) +
                         " rules from " + *acl + ", default " +
                         (sec.policy->default_allow() ? "allow" : "deny"));
  }
  const std::string audit_mode =
      args.get_or("audit", (!data.empty() || args.has("audit-db")) ? "on" : "off");
  if (audit_mode != "on" && audit_mode != "off") {
    return cli::usage_error(verb, "--audit must be on or off, got '" + audit_mode + "'");
  }
  if (audit_mode == "on") {
    std::string path;
    if (auto p = args.get("audit-db")) {
      path = *p;
    } else if (!data.empty()) {
      path = (data / "audit.sqlite").string();
    } else {
      return cli::usage_error(verb, "--audit on needs --audit-db FILE or --data DIR");
    }
    auto trail = audit::AuditTrail::open(path);
    if (!trail) return cli::fail(verb, trail.error().with_context("--audit-db " + path));
    sec.audit = *trail;
    sec.banner.push_back("audit trail: " + path);
  }
  if (!data.empty()) {
    auto registry = security::SqliteRegistryStore::open((data / "registry.sqlite").string());
    if (!registry) return cli::fail(verb, registry.error());
    sec.registry = *registry;
  }
  return sec;
}

int run_serve(const std::vector<std::string>& argv) {
  auto args = cli::Args::parse(argv, {"help"});
  if (!args) return cli::usage_error(verb, args.error().message());
  if (auto unknown = args->unknown({"port", "bind", "data", "log-level", "heartbeat-s",
                                    "deadline-s", "lease-check-s", "format", "services", "tls-cert",
                                    "tls-key", "tls-client-ca", "auth", "token-store", "acl",
                                    "audit", "audit-db", "domain-knowledge", "io-threads"});
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
  // Service front doors run their handlers on their own threads (core/http), and nothing on an
  // I/O thread blocks, so one is enough on a one-core host; 2 suit the usual small host.
  auto io_threads = int_option(*args, "io-threads", 2, 1, 256);
  if (!io_threads) return cli::usage_error(verb, io_threads.error().message());
  std::string default_knowledge;
  if (auto file = args->get("domain-knowledge")) {
    auto text = eng::read_domain_knowledge_file(*file);
    if (!text) return cli::fail(verb, text.error().with_context("--domain-knowledge"));
    default_knowledge = std::move(*text);
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

  auto opened = open_security(*args, data);
  if (std::holds_alternative<int>(opened)) return std::get<int>(opened);
  auto& sec = std::get<Security>(opened);

  eng::EmbeddedEngine::Options engine_options;
  engine_options.default_deadline = std::chrono::seconds(*deadline);
  engine_options.policy = sec.policy;
  engine_options.observer = sec.audit;
  eng::EmbeddedEngine engine(engine_options);
  if (!default_knowledge.empty()) {
    if (auto r = engine.set_default_domain_knowledge(default_knowledge); !r) {
      return cli::fail(verb, r.error().with_context("--domain-knowledge"));
    }
  }

  eng::RestServerOptions options;
  options.io_threads = static_cast<std::size_t>(*io_threads);
  options.bind_address = args->get_or("bind", "127.0.0.1");
  options.port = static_cast<std::uint16_t>(*port);
  options.heartbeat = std::chrono::seconds(*heartbeat);
  options.lease_check_interval = std::chrono::seconds(*lease_check);
  options.version = std::string("1.5.1-gridke-") + GRIDKE_VERSION;
  options.log = write_log;
  options.log_level = *level;
  options.tls = sec.tls;
  options.registry = sec.registry;
  if (sec.tokens) {
    options.authenticate = [tokens = sec.tokens](std::string_view token) -> Result<eng::KbId> {
      GRIDKE_ASSIGN_OR_RETURN(auto info, tokens->authenticate(token));
      return info.knowledge_base;
    };
  }
  auto server = eng::RestServer::start(engine, options);
  if (!server) return cli::fail(verb, server.error());
  if (sec.registry) {
    write_log(eng::LogLevel::info, "registry " + (data / "registry.sqlite").string() + ": " +
                                       std::to_string((*server)->restored_knowledge_bases()) +
                                       " knowledge bases restored");
  }
  for (const auto& line : sec.banner) write_log(eng::LogLevel::info, line);
  write_log(eng::LogLevel::info, "allocator: " + allocator_name());

  const std::string url = (*server)->base_url();
  cli::ServeContext context{engine,
                            data.empty() ? std::nullopt : std::optional(data),
                            options.bind_address,
                            (*server)->port(),
                            url,
                            write_log,
                            std::nullopt};
  if (sec.tls) {
    context.tls = http::TlsOptions{sec.tls->certificate_file, sec.tls->private_key_file,
                                   sec.tls->client_ca_file};
  }
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

  // Wait for SIGINT/SIGTERM; every 10 s meanwhile, return the heap that bursts left free
  // (docs/operations.md, "Memory").
  int sig = 0;
  const timespec trim_period{10, 0};
  while ((sig = sigtimedwait(&signals, nullptr, &trim_period)) < 0) {
    if (errno == EAGAIN) return_free_memory();
  }
  write_log(eng::LogLevel::info,
            std::string("received ") + (sig == SIGINT ? "SIGINT" : "SIGTERM") + "; stopping");
  while (!modules.empty()) modules.pop_back();  // reverse order of start
  (*server)->stop();
  if (sec.audit) {
    if (auto flushed = sec.audit->flush(); !flushed) {
      write_log(eng::LogLevel::error, "audit trail: " + flushed.error().to_string());
    }
  }
  if (!data.empty()) {
    std::error_code ec;
    std::filesystem::remove(data / "serve.json", ec);
  }
  return cli::exit_ok;
}

}  // namespace

GRIDKE_COMMAND({verb, "run the knowledge engine behind the KE REST API (port 8280)", usage,
                run_serve});
