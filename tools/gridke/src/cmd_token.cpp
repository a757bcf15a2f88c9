// gridke token: bearer tokens for `gridke serve --auth tokens` (docs/security.md).
// Sub-verbs create, list and revoke; the secret is printed once, by create.

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <variant>

#include <nlohmann/json.hpp>

#include "command.hpp"
#include "gridke/security/digest.hpp"
#include "gridke/security/token_store.hpp"

namespace {

using namespace gridke;

constexpr const char* store_help =
    "Token store: --store FILE, else DIR/tokens.sqlite with --data DIR (as gridke serve --data\n"
    "DIR uses), else $GRIDKE_TOKEN_STORE.\n";

const std::string usage = std::string(
                              "Usage: gridke token create --kb IRI [--expires-in-days N | "
                              "--expires-in-s S] [--output FILE]\n"
                              "                           [--store FILE | --data DIR] "
                              "[--format text|json]\n"
                              "       gridke token list [--store FILE | --data DIR] [--format "
                              "text|json]\n"
                              "       gridke token revoke ID [--store FILE | --data DIR]\n\n"
                              "Bearer tokens that authenticate knowledge bases on `gridke serve "
                              "--auth tokens`. A token\n"
                              "acts only as its knowledge base. The store keeps SHA-256 hashes "
                              "only: the secret is shown\n"
                              "once, by create (or written to --output FILE with mode 0600).\n\n") +
                          store_help +
                          "Exit codes: 0 ok, 2 usage error, 3 bad input, 4 unknown token id, "
                          "5 already revoked,\n6 store unavailable.\n";

Result<std::string> store_path(const cli::Args& args) {
  if (auto s = args.get("store")) return *s;
  if (auto d = args.get("data")) return *d + "/tokens.sqlite";
  if (const char* env = std::getenv("GRIDKE_TOKEN_STORE"); env != nullptr && *env != '\0') {
    return std::string(env);
  }
  return invalid_argument(
      "no token store given: use --store FILE or --data DIR (or set "
      "GRIDKE_TOKEN_STORE)");
}

nlohmann::json to_json(const security::TokenInfo& t) {
  nlohmann::json j{{"id", t.id},
                   {"knowledgeBase", t.knowledge_base},
                   {"created", security::format_utc(t.created)},
                   {"expires", nullptr},
                   {"revoked", nullptr}};
  if (t.expires) j["expires"] = security::format_utc(*t.expires);
  if (t.revoked) j["revoked"] = security::format_utc(*t.revoked);
  return j;
}

std::string status_of(const security::TokenInfo& t) {
  if (t.revoked) return "revoked " + security::format_utc(*t.revoked);
  if (t.expires && *t.expires <= std::chrono::system_clock::now()) {
    return "expired " + security::format_utc(*t.expires);
  }
  return t.expires ? "valid until " + security::format_utc(*t.expires) : "valid";
}

struct Common {
  cli::Args args;
  std::string store;
  bool json = false;
};

// Parses the options shared by the sub-verbs; returns an exit code on failure.
std::variant<Common, int> common(const char* verb, const std::vector<std::string>& argv,
                                 std::vector<std::string> known) {
  auto args = cli::Args::parse(argv, {"help"});
  if (!args) return cli::usage_error(verb, args.error().message());
  known.insert(known.end(), {"store", "data", "format"});
  if (auto unknown = args->unknown(known); !unknown.empty()) {
    return cli::usage_error(verb, "unknown option --" + unknown.front());
  }
  const std::string format = args->get_or("format", "text");
  if (format != "text" && format != "json") {
    return cli::usage_error(verb, "--format must be text or json, got '" + format + "'");
  }
  auto store = store_path(*args);
  if (!store) return cli::usage_error(verb, store.error().message());
  return Common{std::move(*args), *store, format == "json"};
}

int run_create(const std::vector<std::string>& argv) {
  constexpr const char* verb = "token create";
  auto c = common(verb, argv, {"kb", "expires-in-days", "expires-in-s", "output"});
  if (auto* code = std::get_if<int>(&c)) return *code;
  auto& [args, store_file, json] = std::get<Common>(c);
  if (!args.positionals().empty()) {
    return cli::usage_error(verb, "unexpected argument '" + args.positionals().front() + "'");
  }
  auto kb = args.get("kb");
  if (!kb)
    return cli::usage_error(verb, "--kb IRI is required (the knowledge base the token is for)");
  auto days = args.get_int("expires-in-days");
  if (!days) return cli::usage_error(verb, days.error().message());
  auto secs = args.get_int("expires-in-s");
  if (!secs) return cli::usage_error(verb, secs.error().message());
  if (*days && *secs)
    return cli::usage_error(verb, "give --expires-in-days or --expires-in-s, not both");
  std::optional<std::chrono::seconds> valid;
  if (*days) valid = std::chrono::seconds(**days * 86400);
  if (*secs) valid = std::chrono::seconds(**secs);
  auto store = security::TokenStore::open(store_file);
  if (!store) return cli::fail(verb, store.error());
  auto issued = store->create(*kb, valid);
  if (!issued) return cli::fail(verb, issued.error());
  if (auto out = args.get("output")) {
    // The secret goes to a file only its owner can read, never to a log.
    ::umask(077);
    std::ofstream file(*out, std::ios::trunc);
    file << issued->secret << "\n";
    if (!file) return cli::fail(verb, unavailable("cannot write the token to " + *out));
    ::chmod(out->c_str(), 0600);
  }
  auto j = to_json(issued->info);
  if (!args.has("output")) j["token"] = issued->secret;
  if (json) {
    std::cout << j.dump() << std::endl;
  } else {
    if (!args.has("output")) std::cout << issued->secret << std::endl;
    std::cerr << "gridke token create: token " << issued->info.id << " for " << *kb << " ("
              << status_of(issued->info) << ") in " << store_file << ".\n"
              << (args.has("output") ? "The secret is in " + *args.get("output") + "."
                                     : std::string("Store it now: it is not shown again."))
              << " Give it to the knowledge base's client as GRIDKE_TOKEN.\n";
  }
  return cli::exit_ok;
}

int run_list(const std::vector<std::string>& argv) {
  constexpr const char* verb = "token list";
  auto c = common(verb, argv, {});
  if (auto* code = std::get_if<int>(&c)) return *code;
  auto& [args, store_file, json] = std::get<Common>(c);
  auto store = security::TokenStore::open(store_file);
  if (!store) return cli::fail(verb, store.error());
  auto all = store->list();
  if (!all) return cli::fail(verb, all.error());
  if (json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& t : *all) out.push_back(to_json(t));
    std::cout << out.dump() << std::endl;
    return cli::exit_ok;
  }
  if (all->empty()) std::cout << "no tokens in " << store_file << "\n";
  for (const auto& t : *all) {
    std::cout << t.id << "  " << t.knowledge_base << "  created " << security::format_utc(t.created)
              << "  " << status_of(t) << "\n";
  }
  return cli::exit_ok;
}

int run_revoke(const std::vector<std::string>& argv) {
  constexpr const char* verb = "token revoke";
  auto c = common(verb, argv, {});
  if (auto* code = std::get_if<int>(&c)) return *code;
  auto& [args, store_file, json] = std::get<Common>(c);
  if (args.positionals().size() != 1) {
    return cli::usage_error(verb, "give exactly one token ID (see 'gridke token list')");
  }
  auto store = security::TokenStore::open(store_file);
  if (!store) return cli::fail(verb, store.error());
  auto revoked = store->revoke(args.positionals().front());
  if (!revoked) return cli::fail(verb, revoked.error());
  if (json) {
    std::cout << to_json(*revoked).dump() << std::endl;
  } else {
    std::cout << "revoked token " << revoked->id << " of " << revoked->knowledge_base << "\n";
  }
  return cli::exit_ok;
}

int run_token(const std::vector<std::string>& argv) {
  if (argv.empty()) return cli::usage_error("token", "give a sub-verb: create, list or revoke");
  return cli::usage_error(
      "token", "unknown sub-verb '" + argv.front() + "' (expected create, list or revoke)");
}

}  // namespace

GRIDKE_COMMAND({"token", "issue, list and revoke bearer tokens for gridke serve --auth tokens",
                usage, run_token});
GRIDKE_SUBCOMMAND({"token", "create", "issue a token for one knowledge base (shown once)", usage,
                   run_create});
GRIDKE_SUBCOMMAND({"token", "list", "list tokens (ids, knowledge bases, status; no secrets)", usage,
                   run_list});
GRIDKE_SUBCOMMAND({"token", "revoke", "revoke a token by id", usage, run_revoke});
