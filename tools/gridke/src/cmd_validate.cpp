// gridke validate: checks KI contracts and graph patterns against SAREF and the GridKE ontologies
// (docs/ontology-engineers.md).

#include <iostream>

#include "command.hpp"
#include "gridke/ontology/ontology.hpp"
#include "gridke/ontology/validator.hpp"

namespace {

constexpr const char* usage =
    "Usage: gridke validate [--ontology FILE]... [--level 1..2] [--format text|json] [--notes]\n"
    "                       [--no-builtin] PATH...\n"
    "\n"
    "Checks KI contracts (*.ttl, docs/contract-format.md) and bare graph patterns (*.gp, *.rq,\n"
    "optionally starting with `PREFIX p: <iri>` lines) against SAREF core v3.1.1, SAREF4ENER\n"
    "(v1.1.2 + the v2.1.1 flexibility terms), SAREF4GRID, OM-2 units, OWL-Time and the GridKE\n"
    "dso: extension, and reports which KIs match which. Folders are searched recursively.\n"
    "\n"
    "Checks: KE syntax (basic graph patterns only), undeclared prefixes, near-miss namespaces\n"
    "(http/https, missing '/' or '#', interconnect/data# vs datapoint#), unknown terms with\n"
    "did-you-mean, deprecated terms, term kinds (predicates are properties, rdf:type objects are\n"
    "classes, units are unit individuals), literal-valued variables used as subjects,\n"
    "domain/range conflicts (warning), disconnected patterns, placeholder IRIs, example bindings;\n"
    "then the pairing report (for an ASK/POST nothing answers: the nearest candidate and the\n"
    "triples that differ).\n"
    "\n"
    "Options:\n"
    "  --ontology FILE   also load this ontology (Turtle, N-Triples or RDF/XML); repeatable\n"
    "  --no-builtin      do not load the built-in ontologies (use only --ontology files)\n"
    "  --level N         reasoner level for pairing: 1 exact match, 2 single-KI cover (default 2)\n"
    "  --format F        text (default) or json\n"
    "  --notes           also list notes (e.g. terms deprecated in later SAREF versions)\n"
    "\n"
    "Built-in ontologies come from $GRIDKE_ONTOLOGY_DIR, else the source tree or install dir.\n"
    "Exit status: 0 no errors (warnings allowed), 1 errors found, 2 usage error, 3/4 bad or\n"
    "missing input (e.g. an ontology that does not parse).\n";

int run_validate(const std::vector<std::string>& argv) {
  using namespace gridke;
  auto args = cli::Args::parse(argv, {"help", "notes", "no-builtin"});
  if (!args.has_value()) return cli::usage_error("validate", args.error().message());
  if (auto unknown = args->unknown({"ontology", "level", "format", "notes", "no-builtin"});
      !unknown.empty()) {
    return cli::usage_error("validate", "unknown option --" + unknown.front());
  }
  if (args->positionals().empty()) return cli::usage_error("validate", "give at least one PATH");
  const std::string format = args->get_or("format", "text");
  if (format != "text" && format != "json") {
    return cli::usage_error("validate", "--format must be text or json, got '" + format + "'");
  }
  auto level = args->get_int("level");
  if (!level.has_value()) return cli::usage_error("validate", level.error().message());
  ontology::ValidateOptions options;
  options.level = static_cast<int>(level->value_or(2));
  if (options.level < 1 || options.level > 2) {
    return cli::usage_error("validate",
                            "--level must be 1 or 2, got " + std::to_string(options.level));
  }

  ontology::Ontology onto;
  if (!args->has("no-builtin")) {
    auto builtin = ontology::load_builtin_ontology();
    if (!builtin.has_value()) return cli::fail("validate", builtin.error());
    onto = std::move(builtin).value();
  }
  for (const auto& file : args->get_all("ontology")) {
    if (auto r = onto.load_file(file); !r.has_value()) {
      return cli::fail("validate", r.error().with_context("loading --ontology " + file));
    }
  }
  std::vector<std::filesystem::path> paths(args->positionals().begin(), args->positionals().end());
  auto report = ontology::validate(onto, paths, options);
  if (!report.has_value()) return cli::fail("validate", report.error());
  if (format == "json") {
    std::cout << ontology::format_json(*report);
  } else {
    std::cout << ontology::format_text(*report, args->has("notes"));
  }
  return report->has_errors() ? cli::exit_findings : cli::exit_ok;
}

}  // namespace

GRIDKE_COMMAND({"validate", "check KI contracts and graph patterns against SAREF and dso:", usage,
                run_validate});
