// gridke explain: why does (or doesn't) my ASK/POST reach that ANSWER/REACT? Shows the plan the
// engine would run for one KI — contacted KIs and rules, variable mapping — and every near miss
// with its reason, against a running server (GET /rest/sc/ki/plan) or a folder of KI contracts
// (docs/knowledge-network.md).

#include <filesystem>
#include <iostream>

#include "command.hpp"
#include "gridke/adapter/contract.hpp"
#include "gridke/engine/embedded_engine.hpp"
#include "gridke/engine/plan_json.hpp"
#include "gridke/http/client.hpp"

namespace {

constexpr const char* usage =
    "Usage: gridke explain --contracts DIR --ki NAME [--level 1..5] [--format text|json]\n"
    "       gridke explain --url URL --kb KB_ID --ki KI_ID [--token T] [--format text|json]\n"
    "\n"
    "Shows, for one ASK or POST knowledge interaction, the plan the engine would execute: the\n"
    "KIs and domain rules it would contact, how variables map, and for every other ANSWER/REACT\n"
    "that is not contacted (a near miss) why: the triples that differ, a communicative act that\n"
    "does not fit, a matching level too low (and the level at which it would match), the\n"
    "recipient selector or the KI's own KB. For an ASK it also lists the knowledge gaps.\n"
    "Nothing is sent to any knowledge base.\n"
    "\n"
    "With --contracts, every contract (*.ttl, docs/contract-format.md) under DIR is registered\n"
    "in an in-process engine, each as its own knowledge base at --level (default 2), and --ki\n"
    "names the contract (gkc:name) to explain.\n"
    "With --url, the running server's GET <URL>/sc/ki/plan (a GridKE extension of the KE REST\n"
    "API) is asked for the KI KI_ID of knowledge base KB_ID; URL is the REST base, e.g.\n"
    "http://localhost:8280/rest.\n"
    "\n"
    "Options:\n"
    "  --contracts DIR   folder of KI contracts (e.g. graph-patterns/)\n"
    "  --url URL         REST base URL of a running `gridke serve` (or compatible server)\n"
    "  --kb ID           knowledge base id (with --url)\n"
    "  --ki NAME|ID      contract name (with --contracts) or KI id (with --url)\n"
    "  --level N         reasoner level 1..5 for --contracts (default 2)\n"
    "  --token T         bearer token for a server with authentication\n"
    "  --format F        text (default) or json (the GET /sc/ki/plan body)\n"
    "\n"
    "Exit status: 0 explained, 2 usage error, 3/4 bad or missing input (unknown contract or KI,\n"
    "a contract that does not load), 5 server unreachable.\n";

constexpr const char* contract_kb_base = "https://w3id.org/gridke/contracts/";

gridke::Result<gridke::engine::PlanExplanation> from_contracts(const std::string& dir,
                                                               const std::string& name, int level) {
  using namespace gridke;
  GRIDKE_ASSIGN_OR_RETURN(auto contracts, adapter::load_contracts(dir));
  GRIDKE_ASSIGN_OR_RETURN(const adapter::Contract* wanted, contracts.get(name));
  if (!ki::is_proactive(wanted->ki.kind)) {
    return invalid_argument("contract '" + name + "' is an " +
                            std::string(ki::short_name(wanted->ki.kind)) +
                            "; explain an ASK or POST contract (the side that starts exchanges)");
  }
  engine::EmbeddedEngine::Options options;
  options.post_metadata = false;
  options.handler_threads = 1;
  engine::EmbeddedEngine engine(options);
  std::string wanted_kb;
  std::string wanted_ki;
  for (const adapter::Contract* c : contracts.contracts()) {
    engine::KnowledgeBaseInfo info;
    info.id = contract_kb_base + c->name;
    info.name = c->service.empty() ? c->name : c->service;
    info.description = "contract " + c->file.string();
    info.reasoner_level = level;
    GRIDKE_TRY(engine.create_knowledge_base(info));
    engine::Handler handler;
    if (!ki::is_proactive(c->ki.kind)) {
      handler = [](const engine::HandleRequest&, engine::Reply reply) {
        reply(pattern::BindingSet{});
      };
    }
    auto id = engine.register_ki(info.id, c->ki, std::move(handler));
    if (!id) return std::move(id).error().with_context("registering contract " + c->file.string());
    if (c == wanted) {
      wanted_kb = info.id;
      wanted_ki = *id;
    }
  }
  return engine.explain(wanted_kb, wanted_ki);
}

gridke::Result<gridke::engine::PlanExplanation> from_server(
    std::string url, const std::string& kb, const std::string& ki,
    const std::optional<std::string>& token) {
  using namespace gridke;
  while (!url.empty() && url.back() == '/') url.pop_back();
  http::ClientOptions options;
  options.headers["Knowledge-Base-Id"] = kb;
  options.headers["Knowledge-Interaction-Id"] = ki;
  if (token) options.headers["Authorization"] = "Bearer " + *token;
  GRIDKE_ASSIGN_OR_RETURN(auto response, http::request("GET", url + "/sc/ki/plan", {}, options));
  if (response.status != 200) {
    std::string message = response.body;
    if (auto json = response.json(); json.has_value() && json->is_object() &&
                                     json->contains("message") && (*json)["message"].is_string()) {
      message = (*json)["message"].get<std::string>();
    }
    const std::string where = "GET " + url + "/sc/ki/plan";
    switch (response.status) {
      case 404: return not_found(message, where);
      case 400: return invalid_argument(message, where);
      case 401: return unauthenticated(message, where);
      case 403: return permission_denied(message, where);
      default:
        return unavailable("server answered " + std::to_string(response.status) + ": " + message,
                           where);
    }
  }
  return engine::parse_plan_explanation_json(response.body);
}

int run_explain(const std::vector<std::string>& argv) {
  using namespace gridke;
  auto args = cli::Args::parse(argv, {"help"});
  if (!args.has_value()) return cli::usage_error("explain", args.error().message());
  if (auto unknown = args->unknown({"contracts", "url", "kb", "ki", "level", "token", "format"});
      !unknown.empty()) {
    return cli::usage_error("explain", "unknown option --" + unknown.front());
  }
  if (!args->positionals().empty()) {
    return cli::usage_error("explain", "unexpected argument '" + args->positionals().front() +
                                           "'; name the KI with --ki");
  }
  const std::string format = args->get_or("format", "text");
  if (format != "text" && format != "json") {
    return cli::usage_error("explain", "--format must be text or json, got '" + format + "'");
  }
  const auto ki = args->get("ki");
  if (!ki) return cli::usage_error("explain", "--ki is required");
  const bool contracts = args->has("contracts");
  const bool server = args->has("url");
  if (contracts == server) {
    return cli::usage_error("explain", "give exactly one of --contracts DIR and --url URL");
  }
  Result<engine::PlanExplanation> explanation = invalid_argument("unreachable");
  if (contracts) {
    if (args->has("kb") || args->has("token")) {
      return cli::usage_error("explain", "--kb and --token go with --url, not --contracts");
    }
    auto level = args->get_int("level");
    if (!level.has_value()) return cli::usage_error("explain", level.error().message());
    const int l = static_cast<int>(level->value_or(2));
    if (l < 1 || l > 5) {
      return cli::usage_error("explain", "--level must be 1..5, got " + std::to_string(l));
    }
    explanation = from_contracts(*args->get("contracts"), *ki, l);
  } else {
    if (args->has("level")) {
      return cli::usage_error("explain",
                              "--level goes with --contracts; a server uses the KB's own level");
    }
    const auto kb = args->get("kb");
    if (!kb) return cli::usage_error("explain", "--kb is required with --url");
    explanation = from_server(*args->get("url"), *kb, *ki, args->get("token"));
  }
  if (!explanation.has_value()) return cli::fail("explain", explanation.error());
  if (format == "json") {
    std::cout << engine::plan_explanation_json(*explanation, 2) << "\n";
  } else {
    std::cout << engine::to_text(*explanation);
  }
  return cli::exit_ok;
}

}  // namespace

GRIDKE_COMMAND({"explain", "show the plan of one ASK/POST and why other KIs do not match", usage,
                run_explain});
