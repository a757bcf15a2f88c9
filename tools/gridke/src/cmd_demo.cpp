// gridke demo [NAME]: runs SSAs on the embedded engine and prints each knowledge exchange —
// who asked or posted, the canonical pattern, the bindings sent, one exchange-info entry per
// contacted KI (status and timing) and the results — as text or, with --format json, as JSON.
// Demos are entries of demos() below; the first is the default.

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <functional>
#include <iomanip>
#include <iostream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "command.hpp"
#include "gridke/adapter/codec.hpp"
#include "gridke/adapter/contract.hpp"
#include "gridke/adapter/generic_adapter.hpp"
#include "gridke/engine/embedded_engine.hpp"

namespace gridke::cli {
namespace {

using adapter::ContractSet;
using adapter::GenericAdapter;
using adapter::Ssa;
using nlohmann::json;
using namespace std::chrono;

// ---------------------------------------------------------------------------------------
// What a demo records: one entry per ASK/POST.

struct ExchangeRecord {
  ki::KiKind kind = ki::KiKind::ask;
  std::string caption;                        // what this step means in the story
  std::optional<adapter::Contract> contract;  // a copy: the adapters are gone when printing
  engine::KbId from_kb;
  engine::KiId from_ki;
  pattern::BindingSet sent;
  system_clock::time_point start;
  system_clock::time_point end;
  pattern::BindingSet results;
  std::vector<engine::ExchangeInfo> infos;
};

struct KbRecord {
  engine::KnowledgeBaseInfo info;
  std::vector<std::string> contracts;  // "name (KIND)"
};

struct DemoReport {
  std::string name;
  std::string title;
  std::vector<KbRecord> knowledge_bases;
  std::vector<ExchangeRecord> exchanges;

  bool any_failed() const {
    for (const auto& x : exchanges) {
      for (const auto& i : x.infos) {
        if (i.status == engine::ExchangeStatus::failed) return true;
      }
    }
    return false;
  }
};

void record_kb(DemoReport& report, const GenericAdapter& a, const Ssa& ssa) {
  KbRecord kb{a.knowledge_base(), {}};
  for (const auto& use : ssa.uses())
    kb.contracts.push_back(use.contract + " (" + std::string(ki::short_name(use.kind)) + ")");
  report.knowledge_bases.push_back(std::move(kb));
}

// Starts an SSA and records its knowledge base for the report.
Result<std::unique_ptr<GenericAdapter>> start_ssa(engine::KnowledgeEngine& engine,
                                                  const ContractSet& contracts, Ssa ssa,
                                                  DemoReport& report) {
  Ssa copy = ssa;
  GRIDKE_ASSIGN_OR_RETURN(auto a, GenericAdapter::start(engine, contracts, std::move(ssa)));
  record_kb(report, *a, copy);
  return a;
}

// Runs one proactive exchange through the adapter and records it (who, what was sent, timing,
// results and exchange info) for the printed timeline. `call` is the adapter's ask or post.
template <class Call>
Result<void> record_exchange(ki::KiKind kind, GenericAdapter& from, std::string_view contract,
                             pattern::BindingSet sent, std::string caption, DemoReport& report,
                             Call call) {
  ExchangeRecord x;
  x.kind = kind;
  x.caption = std::move(caption);
  if (const auto* c = from.contract(contract)) x.contract = *c;
  x.from_kb = from.knowledge_base().id;
  x.from_ki = from.ki_id(contract).value_or("");
  x.sent = sent;
  x.start = system_clock::now();
  GRIDKE_ASSIGN_OR_RETURN(auto r, call(std::move(sent)));
  x.end = system_clock::now();
  if constexpr (requires { r.result_bindings; }) {
    x.results = std::move(r.result_bindings);
  } else {
    x.results = std::move(r.bindings);
  }
  x.infos = std::move(r.exchange_info);
  report.exchanges.push_back(std::move(x));
  return ok();
}

Result<void> ask(GenericAdapter& from, std::string_view contract, pattern::BindingSet sent,
                 std::string caption, DemoReport& report) {
  return record_exchange(ki::KiKind::ask, from, contract, std::move(sent), std::move(caption),
                         report,
                         [&](pattern::BindingSet b) { return from.ask(contract, std::move(b)); });
}

Result<void> post(GenericAdapter& from, std::string_view contract, pattern::BindingSet sent,
                  std::string caption, DemoReport& report) {
  return record_exchange(ki::KiKind::post, from, contract, std::move(sent), std::move(caption),
                         report,
                         [&](pattern::BindingSet b) { return from.post(contract, std::move(b)); });
}

// ---------------------------------------------------------------------------------------
// The default demo: a DSO and a home energy management system (HEMS).

// The HEMS's own little model: the household load and the cap the DSO may set.
class Household {
 public:
  double power_kw() const {
    std::lock_guard lock(mutex_);
    return std::min(demand_kw_, cap_kw_);
  }
  double apply_limit(double limit_kw) {
    std::lock_guard lock(mutex_);
    cap_kw_ = limit_kw;
    return std::min(demand_kw_, cap_kw_);
  }

 private:
  mutable std::mutex mutex_;
  double demand_kw_ = 3.2;
  double cap_kw_ = 1e9;
};

Result<DemoReport> run_dso_hems(const std::filesystem::path& contracts_dir) {
  DemoReport report{"dso-hems",
                    "a DSO asks a home energy management system (HEMS) for its power "
                    "measurement (ASK/ANSWER), then limits its power (POST/REACT)",
                    {},
                    {}};
  GRIDKE_ASSIGN_OR_RETURN(ContractSet contracts, adapter::load_contracts(contracts_dir));
  engine::EmbeddedEngine engine;
  const adapter::IriCodec hems_ids{"https://example.org/hems/"};
  const adapter::IriCodec dso_ids{"https://example.org/dso/"};
  const adapter::DoubleCodec kw;
  const adapter::DateTimeCodec time;
  Household house;

  Ssa hems("https://example.org/hems/house-17", "HEMS house 17",
           "Home energy management system of house 17");
  hems.answer("answer-power-measurement",
              [&](const adapter::Request& req) -> Result<pattern::BindingSet> {
                auto now = system_clock::now();
                pattern::Binding b;
                GRIDKE_TRY(req.put(b, "m", "house-17/power/measurement", hems_ids));
                GRIDKE_TRY(req.put(b, "meter", "house-17/meter", hems_ids));
                GRIDKE_TRY(req.put(b, "p", "house-17/power", hems_ids));
                GRIDKE_TRY(req.put(b, "value", house.power_kw(), kw));
                GRIDKE_TRY(req.put(b, "at", now, time));
                return pattern::BindingSet{b};
              });
  hems.react("react-power-limit", [&](const adapter::Request& req) -> Result<pattern::BindingSet> {
    pattern::BindingSet out;
    for (const auto& arg : req.bindings()) {
      GRIDKE_ASSIGN_OR_RETURN(std::string property, req.get(arg, "p", hems_ids));
      GRIDKE_ASSIGN_OR_RETURN(double limit_kw, req.get(arg, "limitKw", kw));
      pattern::Binding b;
      GRIDKE_TRY(req.put(b, "s", property + "/setpoint", hems_ids));
      GRIDKE_TRY(req.put(b, "p", property, hems_ids));
      GRIDKE_TRY(req.put(b, "kw", house.apply_limit(limit_kw), kw));
      out.insert(std::move(b));
    }
    return out;
  });
  Ssa dso("https://example.org/dso", "DSO", "Distribution system operator, LV grid control");
  dso.ask("ask-power-measurement").post("post-power-limit");

  GRIDKE_ASSIGN_OR_RETURN(auto hems_adapter, start_ssa(engine, contracts, std::move(hems), report));
  GRIDKE_ASSIGN_OR_RETURN(auto dso_adapter, start_ssa(engine, contracts, std::move(dso), report));

  GRIDKE_TRY(ask(*dso_adapter, "ask-power-measurement", {},
                 "The DSO asks every household for its latest active power.", report));
  pattern::Binding limit;
  GRIDKE_TRY(adapter::put(limit, "limit", "limit/house-17/1", dso_ids));
  GRIDKE_TRY(adapter::put(limit, "property", "house-17/power", hems_ids));
  GRIDKE_TRY(adapter::put(limit, "maxKw", 2.5, kw));
  GRIDKE_TRY(adapter::put(limit, "validFrom", floor<hours>(system_clock::now()) + 1h, time));
  GRIDKE_TRY(post(*dso_adapter, "post-power-limit", pattern::BindingSet{limit},
                  "The DSO limits house 17 to 2.5 kW; the HEMS reports the setpoint it applied.",
                  report));
  GRIDKE_TRY(ask(*dso_adapter, "ask-power-measurement", {},
                 "The DSO asks again and sees the household within the limit.", report));
  return report;
}

struct Demo {
  std::string name;
  std::string summary;
  std::string contracts;  // folder under graph-patterns/
  std::function<Result<DemoReport>(const std::filesystem::path&)> run;
};

const std::vector<Demo>& demos() {
  static const std::vector<Demo> all = {
      {"dso-hems", "ASK/ANSWER and POST/REACT between a DSO and a home energy management system",
       "demo", run_dso_hems},
  };
  return all;
}

// ---------------------------------------------------------------------------------------
// Output.

std::string iso(system_clock::time_point t) {
  auto term = adapter::DateTimeCodec{}.encode(t);
  return term ? term->value() : std::string("?");
}

double ms_between(system_clock::time_point a, system_clock::time_point b) {
  return duration<double, std::milli>(b - a).count();
}

json wire(const pattern::BindingSet& set) {
  json out = json::array();
  for (const auto& b : set) {
    json o = json::object();
    for (const auto& [var, term] : b.values()) o[var] = term.to_string();
    out.push_back(std::move(o));
  }
  return out;
}

json to_json(const DemoReport& r) {
  json out;
  out["demo"] = r.name;
  out["title"] = r.title;
  out["succeeded"] = !r.any_failed();
  out["knowledgeBases"] = json::array();
  for (const auto& kb : r.knowledge_bases) {
    out["knowledgeBases"].push_back({{"knowledgeBaseId", kb.info.id},
                                     {"knowledgeBaseName", kb.info.name},
                                     {"knowledgeBaseDescription", kb.info.description},
                                     {"contracts", kb.contracts}});
  }
  out["exchanges"] = json::array();
  int step = 0;
  for (const auto& x : r.exchanges) {
    json e;
    e["step"] = ++step;
    e["kind"] = std::string(ki::short_name(x.kind));
    e["caption"] = x.caption;
    e["knowledgeBaseId"] = x.from_kb;
    e["knowledgeInteractionId"] = x.from_ki;
    if (x.contract.has_value()) {
      e["contract"] = x.contract->name;
      e["contractFile"] = x.contract->file.filename().string();
      const auto& ki = x.contract->ki;
      if (ki.pattern) {
        e[x.kind == ki::KiKind::ask ? "graphPattern" : "argumentGraphPattern"] =
            ki.pattern->canonical();
      }
      if (ki.result_pattern) e["resultGraphPattern"] = ki.result_pattern->canonical();
    }
    e["request"] = {{"bindingSet", wire(x.sent)}};
    e["exchangeStart"] = iso(x.start);
    e["exchangeEnd"] = iso(x.end);
    e["durationMs"] = ms_between(x.start, x.end);
    json infos = json::array();
    for (const auto& i : x.infos) {
      json info = {
          {"initiator",
           i.initiator == engine::Initiator::knowledge_base ? "knowledgeBase" : "reasoner"},
          {"knowledgeBaseId", i.knowledge_base_id},
          {"knowledgeInteractionId", i.knowledge_interaction_id},
          {"exchangeStart", iso(i.exchange_start)},
          {"exchangeEnd", iso(i.exchange_end)},
          {"durationMs", ms_between(i.exchange_start, i.exchange_end)},
          {"status", i.status == engine::ExchangeStatus::succeeded ? "SUCCEEDED" : "FAILED"},
      };
      if (!i.failed_message.empty()) info["failedMessage"] = i.failed_message;
      if (x.kind == ki::KiKind::ask) {
        info["bindingSet"] = wire(i.bindings);
      } else {
        info["argumentBindingSet"] = wire(i.bindings);
        info["resultBindingSet"] = wire(i.result_bindings);
      }
      infos.push_back(std::move(info));
    }
    e["result"] = {{x.kind == ki::KiKind::ask ? "bindingSet" : "resultBindingSet", wire(x.results)},
                   {"exchangeInfo", std::move(infos)}};
    out["exchanges"].push_back(std::move(e));
  }
  return out;
}

// The canonical pattern, one triple per line.
void print_pattern(std::ostream& os, const std::string& label, const pattern::GraphPattern& gp) {
  bool first = true;
  for (const auto& t : gp.triples()) {
    os << "    " << std::left << std::setw(10) << (first ? label : "") << t.to_string() << " .\n";
    first = false;
  }
}

void print_bindings(std::ostream& os, const std::string& label, const pattern::BindingSet& set,
                    const std::string& empty_text) {
  if (set.empty()) {
    os << "    " << std::left << std::setw(10) << label << empty_text << "\n";
    return;
  }
  bool first_binding = true;
  for (const auto& b : set) {
    bool first_var = true;
    for (const auto& [var, term] : b.values()) {
      os << "    " << std::left << std::setw(10) << (first_binding && first_var ? label : "")
         << (first_var ? "{ " : "  ") << "?" << var << " = " << term.to_string() << "\n";
      first_var = false;
    }
    os << "    " << std::string(10, ' ') << "}\n";
    first_binding = false;
  }
}

void print_text(std::ostream& os, const DemoReport& r) {
  os << "GridKE demo \"" << r.name << "\": " << r.title << ".\n"
     << "Engine: EmbeddedEngine (in-process). Contracts: graph-patterns/ files.\n\n"
     << "Knowledge bases\n";
  for (const auto& kb : r.knowledge_bases) {
    os << "  " << kb.info.name << "  <" << kb.info.id << ">\n";
    for (const auto& c : kb.contracts) os << "      " << c << "\n";
  }
  int step = 0;
  for (const auto& x : r.exchanges) {
    os << "\n[" << ++step << "] " << std::string(ki::short_name(x.kind)) << " "
       << (x.contract ? x.contract->name : std::string("?")) << " — " << x.caption << "\n";
    os << "    " << std::left << std::setw(10) << "from"
       << "<" << x.from_kb << ">\n";
    os << "    " << std::left << std::setw(10) << "KI"
       << "<" << x.from_ki << ">\n";
    if (x.contract.has_value()) {
      const auto& ki = x.contract->ki;
      os << "    " << std::left << std::setw(10) << "contract"
         << x.contract->file.filename().string() << "\n";
      if (ki.pattern)
        print_pattern(os, x.kind == ki::KiKind::ask ? "pattern" : "argument", *ki.pattern);
      if (ki.result_pattern) print_pattern(os, "result", *ki.result_pattern);
    }
    print_bindings(os, "sent", x.sent, "(no bindings: ask for everything)");
    for (const auto& i : x.infos) {
      bool ok = i.status == engine::ExchangeStatus::succeeded;
      os << "    " << std::left << std::setw(10) << "exchange"
         << "<" << i.knowledge_interaction_id << ">  " << (ok ? "SUCCEEDED" : "FAILED") << "  "
         << std::fixed << std::setprecision(3) << ms_between(i.exchange_start, i.exchange_end)
         << " ms\n";
      if (!ok)
        os << "    " << std::string(10, ' ') << "failedMessage: " << i.failed_message << "\n";
    }
    if (x.infos.empty()) {
      os << "    " << std::left << std::setw(10) << "exchange"
         << "(no matching KI was found)\n";
    }
    print_bindings(os, x.kind == ki::KiKind::ask ? "answer" : "result", x.results, "(none)");
    os << "    " << std::left << std::setw(10) << "took" << std::fixed << std::setprecision(3)
       << ms_between(x.start, x.end) << " ms\n";
  }
  os << "\n" << (r.any_failed() ? "Some exchanges FAILED.\n" : "All exchanges SUCCEEDED.\n");
}

constexpr const char* usage =
    "Usage: gridke demo [NAME] [--format text|json] [--contracts DIR] [--list]\n"
    "\n"
    "Runs service-specific adapters (SSAs) on the embedded knowledge engine and prints each\n"
    "knowledge exchange: who asked or posted, the canonical graph pattern, the bindings sent,\n"
    "one exchange-info entry per contacted knowledge interaction (status and timing) and the\n"
    "results.\n"
    "\n"
    "Demos (default: the first):\n"
    "  dso-hems   ASK/ANSWER and POST/REACT between a DSO and a home energy management system\n"
    "\n"
    "Options:\n"
    "  --format text|json  output format (default text; json uses the KE's field names)\n"
    "  --contracts DIR     folder of the demo's contract files (default:\n"
    "                      <source>/graph-patterns/<demo folder>)\n"
    "  --list              list the demos and exit\n"
    "\n"
    "Exit codes: 0 every exchange succeeded; 1 some exchange had a FAILED knowledge\n"
    "interaction; 2 usage error; 3/4 bad or missing contract files; other codes as\n"
    "`gridke --help`.\n";

int run_demo(const std::vector<std::string>& argv) {
  auto args = Args::parse(argv, {"help", "list"});
  if (!args) return usage_error("demo", args.error().message());
  if (auto unknown = args->unknown({"format", "contracts", "list"}); !unknown.empty()) {
    return usage_error("demo", "unknown option --" + unknown.front());
  }
  if (args->has("list")) {
    for (const auto& d : demos()) std::cout << d.name << "\t" << d.summary << "\n";
    return exit_ok;
  }
  std::string format = args->get_or("format", "text");
  if (format != "text" && format != "json") {
    return usage_error("demo", "--format must be text or json, not '" + format + "'");
  }
  if (args->positionals().size() > 1) return usage_error("demo", "give at most one demo name");
  std::string name = args->positionals().empty() ? demos().front().name : args->positionals()[0];
  auto it =
      std::find_if(demos().begin(), demos().end(), [&](const Demo& d) { return d.name == name; });
  if (it == demos().end()) {
    std::string names;
    for (const auto& d : demos()) names += (names.empty() ? "" : ", ") + d.name;
    return usage_error("demo", "no demo named '" + name + "' (demos: " + names + ")");
  }
  std::filesystem::path dir = args->get_or(
      "contracts", std::string(GRIDKE_SOURCE_DIR) + "/graph-patterns/" + it->contracts);
  auto report = it->run(dir);
  if (!report) return fail("demo", report.error());
  if (format == "json") {
    std::cout << to_json(*report).dump(2) << "\n";
  } else {
    print_text(std::cout, *report);
  }
  return report->any_failed() ? exit_findings : exit_ok;
}

}  // namespace

GRIDKE_COMMAND({"demo", "run SSAs on the embedded engine and print their knowledge exchanges",
                usage, run_demo});

}  // namespace gridke::cli
