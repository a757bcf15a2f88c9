// gridke demo metering: the French pilot's smart-meter data platform end to end against a real
// `gridke serve --services metering` child process (D4.3 §2.2, §3.4.2):
//   1. two service providers sign contracts (REST) and join the child's knowledge engine over
//      the KE REST API (RemoteEngine) with REACT react-tic-data (ENGIE also ASK ask-tic-data);
//   2. customers consent: ENGIE for customers 0-59 (all data points), Trialog for 40-99
//      (date, PCOUP, SINSTI, STGE);
//   3. a gateway simulator streams standard-mode TIC frames for 100 customers (one frame per
//      meter-second, 120 s in 12 POSTs per gateway), with overruns, a PCOUP change, producers
//      and 1 corrupt group in 50 frames (customer 50 overruns from 30 s to 70 s);
//   4. after 60 s, customer 50 withdraws the consent given to Trialog;
//   5. checks: corrupt groups reported and good groups kept; each provider received events only
//      for its consented customers, Trialog none for customer 50 after the withdrawal; PdLs
//      arrive encrypted; ENGIE's ASK is answered for its 60 customers only.
// The child process is stopped (SIGTERM, then SIGKILL) on every path.

#include <signal.h>
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "command.hpp"
#include "demo_child.hpp"
#include "gridke/adapter/contract.hpp"
#include "gridke/adapter/generic_adapter.hpp"
#include "gridke/adapters/metering/metering_ssa.hpp"
#include "gridke/engine/remote_engine.hpp"
#include "gridke/http/client.hpp"
#include "gridke/services/metering/pdl_cipher.hpp"
#include "gridke/services/metering/tic.hpp"
#include "gridke/services/metering/tic_reading.hpp"

// Shared with the dynamic-tariff demo (defined in cmd_demo_tariffs.cpp).

namespace gridke::cli {
namespace {

namespace mt = services::metering;
namespace ma = adapters::metering;
using nlohmann::json;
using namespace std::chrono;

constexpr const char* kUsage =
    "Usage: gridke demo metering [--format text|json]\n\n"
    "The smart-meter data platform (InterConnect D4.3 §3.4.2, French pilot) end to end: starts\n"
    "`gridke serve --services metering` on a free port; two service providers (ENGIE, Trialog)\n"
    "sign contracts and join its knowledge engine; a gateway simulator streams Linky TIC frames\n"
    "of 100 customers (with corrupt groups, overruns, a PCOUP change and producers); customer\n"
    "50 withdraws Trialog's consent half-way. Checks that every provider receives events only\n"
    "for its consented customers, nothing after the withdrawal, PdLs only encrypted, and that\n"
    "corrupt groups are reported without losing good data.\n\n"
    "  --format F    text (default) or json (a summary object on stdout)\n\n"
    "Exit codes: 0 every check passed, 1 a check failed (listed), 2 usage error, 7 the\n"
    "server could not be started or reached.\n";

// A fixed demo key: the demo plays the providers too, so it decrypts tokens for its checks.
constexpr const char* kDemoKey = "6772696464b52d64656d6f2d6d65746572696e672d6b65792d30303030303031";
constexpr int kCustomers = 100;
constexpr int kSeconds = 120;
constexpr int kSecondsPerPost = 10;
constexpr int kWithdrawAt = 60;

std::string prm(int customer) {
  const std::string s = std::to_string(30'000'000 + customer);
  return std::string(14 - s.size(), '0') + s;
}

const mt::TimePoint kStart = mt::TimePoint(floor<seconds>(system_clock::now()) - seconds(kSeconds));

// One meter-second of customer c.
std::string frame(int c, int s, int& corrupt_budget) {
  const bool overrun = (c % 7 == 0 || c == 50) && s >= 30 && s < 70;
  const int pcoup = (c == 45 || c == 10) && s >= 80 ? 12 : 9;
  const bool producer = c >= 90;
  std::string f = mt::format_tic_frame(
      mt::TicMode::standard, {{"ADSC", "", "0419761" + std::to_string(10000 + c)},
                              {"DATE", mt::format_horodate(kStart + seconds(s)), ""},
                              {"EAST", "", std::to_string(4'500'000 + 10 * c + s)},
                              {"EAIT", "", producer ? std::to_string(120'000 + s) : "000000000"},
                              {"IRMS1", "", "007"},
                              {"URMS1", "", "231"},
                              {"PREF", "", "09"},
                              {"PCOUP", "", std::to_string(pcoup)},
                              {"SINSTS", "", overrun ? "09650" : "01520"},
                              {"SINSTI", "", producer ? "00950" : "00000"},
                              {"STGE", "", overrun ? "003A4081" : "003A4001"},
                              {"PRM", "", prm(c)}});
  // One group in 50 frames arrives corrupt (a flipped byte in SINSTS): it must be reported and
  // dropped, the rest of the frame kept.
  if ((c * kSeconds + s) % 50 == 7) {
    f[f.find("SINSTS") + 8] ^= 0x01;
    ++corrupt_budget;
  }
  return f;
}

struct ProviderKb {
  std::string id;
  std::string kb;
  std::unique_ptr<adapter::GenericAdapter> adapter;
  std::mutex mu;
  std::vector<pattern::Binding> received;
};

class Demo {
 public:
  explicit Demo(bool text) : text_(text) {}

  int run() {
    auto r = run_steps();
    if (!r) {
      if (!text_)
        std::cout << json{{"ok", false}, {"error", r.error().to_string()}}.dump(2) << "\n";
      return fail("demo metering", r.error());
    }
    summary_["checks_failed"] = failures_;
    summary_["ok"] = failures_.empty();
    if (!text_) std::cout << summary_.dump(2) << "\n";
    if (!failures_.empty()) {
      for (const auto& f : failures_) std::cerr << "check failed: " << f << "\n";
      return exit_findings;
    }
    say("all checks passed");
    return exit_ok;
  }

 private:
  void say(const std::string& line) {
    if (text_) std::cout << line << std::endl;
  }
  void check(bool condition, const std::string& what) {
    if (!condition) failures_.push_back(what);
    say(std::string(condition ? "  ok    " : "  FAIL  ") + what);
  }

  Result<void> run_steps() {
    say("[1] starting gridke serve --services metering on a free port");
    GRIDKE_ASSIGN_OR_RETURN(
        auto child, demo_child::spawn_serve({"--services", "metering"}, "/metering/stats",
                                            demo_child::SpawnOptions::quiet(
                                                {std::string("GRIDKE_METERING_KEY=") + kDemoKey})));
    const std::string api = child.url + "/metering";
    say("    " + child.url + " (pid " + std::to_string(child.process.pid()) + ")");
    GRIDKE_ASSIGN_OR_RETURN(const auto cipher, mt::PdlCipher::create(kDemoKey));

    engine::RemoteEngineOptions remote;
    remote.base_url = child.url + "/rest";
    GRIDKE_ASSIGN_OR_RETURN(auto engine, engine::RemoteEngine::connect(remote));
    GRIDKE_ASSIGN_OR_RETURN(auto contracts,
                            adapter::load_contracts(std::filesystem::path(GRIDKE_SOURCE_DIR) /
                                                    "graph-patterns" / "metering"));
    ProviderKb engie{"engie", "https://engie.example.org/kb/interconnect", {}, {}, {}};
    ProviderKb trialog{"trialog", "https://trialog.example.org/kb/interconnect", {}, {}, {}};
    for (ProviderKb* p : {&engie, &trialog}) {
      adapter::Ssa side(p->kb, p->id);
      side.react(ma::kReactTicData,
                 [p](const adapter::Request& req) -> Result<pattern::BindingSet> {
                   std::lock_guard lock(p->mu);
                   for (const auto& b : req.bindings()) p->received.push_back(b);
                   return pattern::BindingSet{};
                 });
      if (p == &engie) side.ask(ma::kAskTicData);
      GRIDKE_ASSIGN_OR_RETURN(p->adapter,
                              adapter::GenericAdapter::start(*engine, contracts, std::move(side)));
    }
    GRIDKE_TRY(http::call_json("PUT", api + "/providers/engie",
                               json{{"name", "ENGIE"},
                                    {"contract",
                                     {"prm", "date", "east", "eait", "irms1", "urms1", "pref",
                                      "pcoup", "sinsts", "sinsti", "stge"}},
                                    {"knowledge_base_id", engie.kb}}));
    GRIDKE_TRY(http::call_json("PUT", api + "/providers/trialog",
                               json{{"name", "Trialog"},
                                    {"contract", {"date", "pcoup", "sinsti", "stge", "sinsts"}},
                                    {"knowledge_base_id", trialog.kb}}));
    say("    providers ENGIE and Trialog signed contracts and joined " + remote.base_url);

    say("[2] consents: ENGIE for customers 0-59 (all data), Trialog for 40-99 (power data)");
    std::string withdrawn_id;
    for (int c = 0; c < kCustomers; ++c) {
      if (c < 60) {
        GRIDKE_TRY(http::call_json("POST", api + "/consents",
                                   json{{"provider", "engie"},
                                        {"prm", prm(c)},
                                        {"data_points",
                                         {"prm", "date", "east", "eait", "irms1", "urms1", "pref",
                                          "pcoup", "sinsts", "sinsti", "stge"}},
                                        {"purpose", "dynamic tariff offer"},
                                        {"retention_days", 365},
                                        {"recipients", {"ENGIE"}}}));
      }
      if (c >= 40) {
        GRIDKE_ASSIGN_OR_RETURN(
            auto consent, http::call_json("POST", api + "/consents",
                                          json{{"provider", "trialog"},
                                               {"prm", prm(c)},
                                               {"data_points", {"date", "pcoup", "sinsti", "stge"}},
                                               {"purpose", "avoid breaker trips"},
                                               {"retention_days", 30},
                                               {"recipients", {"Trialog"}}}));
        if (c == 50) withdrawn_id = consent.at("id").get<std::string>();
      }
    }

    say("[3] gateway simulator: " + std::to_string(kCustomers) + " customers, " +
        std::to_string(kSeconds) + " s of TIC frames, one POST per gateway per " +
        std::to_string(kSecondsPerPost) + " s");
    long long frames = 0, corrupt_sent = 0, corrupt_reported = 0, readings = 0;
    int budget = 0;
    for (int start = 0; start < kSeconds; start += kSecondsPerPost) {
      if (start == kWithdrawAt) {
        GRIDKE_TRY(http::call_json("DELETE", api + "/consents/" + withdrawn_id));
        say("[4] t = " + std::to_string(start) + " s: customer 50 withdraws Trialog's consent (" +
            withdrawn_id + ")");
      }
      for (int c = 0; c < kCustomers; ++c) {
        std::string body;
        for (int s = start; s < start + kSecondsPerPost; ++s) body += frame(c, s, budget);
        GRIDKE_ASSIGN_OR_RETURN(
            auto resp, http::request("POST", api + "/gateways/" + prm(c) + "/frames", body));
        if (resp.status != 200) {
          return unavailable("POST /gateways/" + prm(c) + "/frames answered " +
                             std::to_string(resp.status) + ": " + resp.body);
        }
        GRIDKE_ASSIGN_OR_RETURN(auto summary, resp.json());
        frames += summary.at("frames").get<long long>();
        readings += summary.at("readings").get<long long>();
        corrupt_reported += summary.at("corrupt_groups").get<long long>();
      }
    }
    corrupt_sent = budget;
    check(frames == kCustomers * kSeconds && readings == frames,
          std::to_string(frames) + " frames ingested, every one kept as a reading");
    check(corrupt_reported == corrupt_sent,
          std::to_string(corrupt_reported) + " corrupt groups reported (" +
              std::to_string(corrupt_sent) + " sent), their frames' good groups kept");

    say("[5] what each provider received through the knowledge engine");
    const auto decode = [&](ProviderKb& p) -> Result<std::map<int, std::vector<mt::TimePoint>>> {
      std::map<int, std::vector<mt::TimePoint>> out;
      std::lock_guard lock(p.mu);
      for (const auto& b : p.received) {
        GRIDKE_ASSIGN_OR_RETURN(auto token, adapter::get(b, "prm", adapter::StringCodec{}));
        GRIDKE_ASSIGN_OR_RETURN(auto id, cipher.decrypt(token));
        GRIDKE_ASSIGN_OR_RETURN(auto ts, adapter::get(b, "ts", adapter::DateTimeCodec{}));
        const int c = std::stoi(id) - 30'000'000;
        out[c].push_back(time_point_cast<milliseconds>(ts));
        if (id == token) return internal_error("a PdL travelled in clear");
      }
      return out;
    };
    std::this_thread::sleep_for(milliseconds(500));  // posts are synchronous; settle the last
    GRIDKE_ASSIGN_OR_RETURN(auto to_engie, decode(engie));
    GRIDKE_ASSIGN_OR_RETURN(auto to_trialog, decode(trialog));
    long long engie_events = 0, trialog_events = 0;
    bool engie_ok = true, trialog_ok = true, after_withdrawal = false;
    for (const auto& [c, times] : to_engie) {
      engie_events += static_cast<long long>(times.size());
      engie_ok = engie_ok && c < 60;
    }
    for (const auto& [c, times] : to_trialog) {
      trialog_events += static_cast<long long>(times.size());
      trialog_ok = trialog_ok && c >= 40;
      if (c == 50) {
        for (auto t : times)
          after_withdrawal = after_withdrawal || t >= kStart + seconds(kWithdrawAt);
      }
    }
    say("    ENGIE: " + std::to_string(engie_events) + " events for " +
        std::to_string(to_engie.size()) + " customers; Trialog: " + std::to_string(trialog_events) +
        " events for " + std::to_string(to_trialog.size()) + " customers");
    check(engie_events > 0 && engie_ok, "ENGIE received events only for customers 0-59");
    check(trialog_events > 0 && trialog_ok, "Trialog received events only for customers 40-99");
    check(to_trialog.count(50) == 1 && !after_withdrawal,
          "Trialog received customer 50's events before the withdrawal and none after");
    check(to_engie.count(45) == 1 && to_trialog.count(45) == 1,
          "customer 45 (both consents): overruns/PCOUP change reached both providers");
    GRIDKE_ASSIGN_OR_RETURN(auto answer, engie.adapter->ask(ma::kAskTicData));
    check(answer.bindings.size() == 60, "ENGIE's ASK answered with the latest data of its " +
                                            std::to_string(answer.bindings.size()) +
                                            " consented customers");
    auto denied = http::request("GET", api + "/providers/trialog/meters/" + prm(50) + "/latest");
    check(denied && denied->status == 403, "REST: Trialog's read of customer 50 is refused (403)");
    GRIDKE_ASSIGN_OR_RETURN(auto stats, http::call_json("GET", api + "/stats"));
    summary_["frames"] = frames;
    summary_["corrupt_groups"] = corrupt_reported;
    summary_["events_engie"] = engie_events;
    summary_["events_trialog"] = trialog_events;
    summary_["platform_stats"] = stats;
    for (ProviderKb* p : {&engie, &trialog}) GRIDKE_TRY(p->adapter->stop());
    return ok();
  }

  bool text_;
  json summary_ = json::object();
  std::vector<std::string> failures_;
};

int run_metering(const std::vector<std::string>& argv) {
  auto args = Args::parse(argv, {"help"});
  if (!args) return usage_error("demo metering", args.error().message());
  if (auto unknown = args->unknown({"format"}); !unknown.empty()) {
    return usage_error("demo metering", "unknown option --" + unknown.front());
  }
  const std::string format = args->get_or("format", "text");
  if (format != "text" && format != "json") {
    return usage_error("demo metering", "--format must be text or json, got '" + format + "'");
  }
  return Demo(format == "text").run();
}

}  // namespace
}  // namespace gridke::cli

GRIDKE_SUBCOMMAND({"demo", "metering",
                   "smart-meter data platform: TIC frames, consents, a withdrawal (real serve)",
                   gridke::cli::kUsage, gridke::cli::run_metering});
