// gridke audit: checks and exports the hash-chained audit trail that `gridke serve` keeps of
// every knowledge exchange (docs/security.md "Audit trail").

#include <fstream>
#include <iostream>

#include <nlohmann/json.hpp>

#include "command.hpp"
#include "gridke/audit/audit_trail.hpp"

namespace {

using namespace gridke;

constexpr const char* usage =
    "Usage: gridke audit verify --db FILE [--expect-head HASH] [--format text|json]\n"
    "       gridke audit export --db FILE --format jsonl|prov [--output FILE]\n\n"
    "verify recomputes the hash chain of an audit trail (gridke serve writes DIR/audit.sqlite\n"
    "with --data DIR, or --audit-db FILE) and names the first entry that was altered or\n"
    "removed. It prints the head hash: record it elsewhere and pass it back with --expect-head\n"
    "to also detect removal of the newest entries.\n"
    "export writes the entries as JSON lines (jsonl) or PROV-O Turtle (prov) to stdout or FILE.\n\n"
    "Exit codes: 0 intact / exported, 1 the trail was tampered with, 2 usage error, 5 not an\n"
    "audit trail, 6 cannot open the file.\n";

int run_verify(const std::vector<std::string>& argv) {
  constexpr const char* verb = "audit verify";
  auto args = cli::Args::parse(argv, {"help"});
  if (!args) return cli::usage_error(verb, args.error().message());
  if (auto unknown = args->unknown({"db", "expect-head", "format"}); !unknown.empty()) {
    return cli::usage_error(verb, "unknown option --" + unknown.front());
  }
  auto db = args->get("db");
  if (!db) return cli::usage_error(verb, "--db FILE is required");
  const std::string format = args->get_or("format", "text");
  if (format != "text" && format != "json") {
    return cli::usage_error(verb, "--format must be text or json, got '" + format + "'");
  }
  auto report = audit::verify_audit(*db, args->get("expect-head"));
  if (!report) return cli::fail(verb, report.error());
  if (format == "json") {
    nlohmann::json j{{"intact", report->intact()},
                     {"entries", report->entries},
                     {"headHash", report->head_hash}};
    if (!report->intact()) {
      j["firstBadEntry"] = report->first_bad_seq;
      j["problem"] = report->problem;
    }
    std::cout << j.dump() << std::endl;
  } else if (report->intact()) {
    std::cout << "audit trail " << *db << " is intact: " << report->entries
              << " entries, head hash " << (report->head_hash.empty() ? "-" : report->head_hash)
              << "\n";
  } else {
    std::cerr << "gridke audit verify: " << *db << ": " << report->problem << "\n";
  }
  return report->intact() ? cli::exit_ok : cli::exit_findings;
}

int run_export(const std::vector<std::string>& argv) {
  constexpr const char* verb = "audit export";
  auto args = cli::Args::parse(argv, {"help"});
  if (!args) return cli::usage_error(verb, args.error().message());
  if (auto unknown = args->unknown({"db", "format", "output"}); !unknown.empty()) {
    return cli::usage_error(verb, "unknown option --" + unknown.front());
  }
  auto db = args->get("db");
  if (!db) return cli::usage_error(verb, "--db FILE is required");
  auto format = args->get("format");
  if (!format || (*format != "jsonl" && *format != "prov")) {
    return cli::usage_error(verb, "--format must be jsonl or prov");
  }
  std::ofstream file;
  std::ostream* out = &std::cout;
  if (auto path = args->get("output")) {
    file.open(*path, std::ios::trunc);
    if (!file) return cli::fail(verb, unavailable("cannot write " + *path));
    out = &file;
  }
  auto r = *format == "jsonl" ? audit::export_jsonl(*db, *out) : audit::export_prov(*db, *out);
  if (!r) return cli::fail(verb, r.error());
  out->flush();
  return cli::exit_ok;
}

int run_audit(const std::vector<std::string>& argv) {
  if (argv.empty()) return cli::usage_error("audit", "give a sub-verb: verify or export");
  return cli::usage_error("audit",
                          "unknown sub-verb '" + argv.front() + "' (expected verify or export)");
}

}  // namespace

GRIDKE_COMMAND({"audit", "verify and export the hash-chained audit trail of exchanges", usage,
                run_audit});
GRIDKE_SUBCOMMAND({"audit", "verify", "check that no entry was altered or removed", usage,
                   run_verify});
GRIDKE_SUBCOMMAND({"audit", "export", "write the trail as JSON lines or PROV-O Turtle", usage,
                   run_export});
