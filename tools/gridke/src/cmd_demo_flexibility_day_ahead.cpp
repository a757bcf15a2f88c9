// gridke demo flexibility-day-ahead: the Portuguese pilot's day-ahead flexibility process end to
// end (InterConnect D4.3 §3.2, §4.2, §4.4) with real processes:
//   DSO node   `gridke serve --services flexibility-market` (market + congestion forecast + the
//              market SSA on its knowledge engine), with a manual market clock
//   FSPs       three `gridke simulate aggregator` processes on RemoteEngine: Cybergrid (150
//              HEMS), Sensinov (12 supermarket BEMS), Thermovault (150 water heaters)
// on the IEEE European LV feeder with an EV evening peak (services/congestion scenario):
//   D-1 12:00  congestion forecast → needs per zone, published (REST) → to the FSPs (SSA, (f))
//   D-1 <16:00 offers built from the FSPs' assets (bids), posted through the engine ((g))
//   D-1 17:00  activation plan (least cost per zone and interval) → FSPs accept ((h))
//   D   18–22  delivery; the DSO meters it (simulated: Thermovault under-delivers)
//   D+1        verification against the FSPs' baselines, settlement confirmed or disputed,
//              Greek-pilot outcome reports, unselected offers expired
// printed as a timeline, with an SVG of trunk-cable loading vs capacity before and after
// flexibility. Every child is stopped (SIGTERM, then SIGKILL) on every path.

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <deque>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "command.hpp"
#include "demo_child.hpp"
#include "gridke/http/client.hpp"
#include "gridke/http/server.hpp"
#include "gridke/plot/svg.hpp"

namespace gridke::cli {
namespace {

using nlohmann::json;
using namespace std::chrono;

constexpr const char* kUsage =
    "Usage: gridke demo flexibility-day-ahead [--out DIR] [--format text|json]\n\n"
    "The day-ahead flexibility process of the Portuguese pilot end to end: starts the DSO node\n"
    "(`gridke serve --services flexibility-market`, a manual market clock) and three aggregator\n"
    "processes (`gridke simulate aggregator`: 150 HEMS, 12 supermarket BEMS, 150 water heaters)\n"
    "that join its knowledge engine over REST (RemoteEngine). On the IEEE European LV feeder\n"
    "with an EV evening peak it runs congestion forecast → needs → offers → activation plan →\n"
    "metered delivery → verification and settlement, and prints the timeline.\n\n"
    "  --out DIR     where to write flexibility-day-ahead-loading.svg (default: .)\n"
    "  --format F    text (default) or json (a summary object on stdout)\n\n"
    "Exit codes: 0 every check passed, 1 a check failed (listed), 2 usage error, 7 a process\n"
    "could not be started or reached.\n";

constexpr const char* kDay = "2026-11-28";

/// Children started by the demo (demo_child.hpp); stopped in reverse order of start by the
/// destructor whatever happens (the aggregators before the server).
class Children {
 public:
  ~Children() {
    while (!children_.empty()) children_.pop_back();
  }
  Result<demo_child::Child*> spawn(std::vector<std::string> args, std::vector<std::string> env) {
    GRIDKE_ASSIGN_OR_RETURN(auto child,
                            demo_child::Child::spawn_gridke(
                                std::move(args), demo_child::SpawnOptions::quiet(std::move(env))));
    children_.push_back(std::move(child));
    return &children_.back();
  }

 private:
  std::deque<demo_child::Child> children_;  // deque: pointers stay valid as it grows
};

struct Demo {
  std::string base;  // http://127.0.0.1:PORT
  std::string market;
  std::vector<std::string> timeline;
  std::vector<std::string> failures;
  json summary = json::object();

  void say(const std::string& at, const std::string& what) {
    timeline.push_back(at + "  " + what);
    std::fprintf(stderr, "%s  %s\n", at.c_str(), what.c_str());
  }
  void check(bool ok, const std::string& what) {
    if (!ok) failures.push_back(what);
  }
  Result<json> call(const std::string& method, const std::string& path,
                    const json& body = nullptr) {
    return http::call_json(method, market + path, body);
  }
  Result<void> set_clock(const std::string& iso) {
    GRIDKE_TRY(call("POST", "/Clock", {{"now", iso}}));
    return ok();
  }
  // Polls `probe` until it returns true or `limit` passes.
  template <class F>
  bool wait_until(F probe, milliseconds limit) {
    const auto end = steady_clock::now() + limit;
    while (steady_clock::now() < end) {
      if (probe()) return true;
      std::this_thread::sleep_for(milliseconds(150));
    }
    return probe();
  }
};

Result<void> run_day(Demo& d, Children& kids, const std::string& out_dir) {
  // 1. FSPs join.
  const std::string engine = d.base + "/rest";
  struct Fsp {
    const char* id;
    const char* kind;
    const char* assets;
    const char* zones;
  };
  const Fsp fsps[] = {{"cybergrid", "hems", "150", "PT-Z1,PT-Z2,PT-Z3"},
                      {"sensinov", "bems", "12", "PT-Z1,PT-Z3"},
                      {"thermovault", "water-heater", "150", "PT-Z1,PT-Z3"}};
  for (const auto& f : fsps) {
    GRIDKE_TRY(
        kids.spawn({"simulate", "aggregator", "--engine", engine, "--market", d.market, "--fsp",
                    f.id, "--zones", f.zones, "--kind", f.kind, "--assets", f.assets},
                   {}));
  }
  const bool joined = d.wait_until(
      [&] {
        auto p = d.call("GET", "/Providers");
        return p && (*p)["providers"].size() == 3;
      },
      seconds(60));
  if (!joined) return unavailable("the three aggregators did not register within 60 s");
  d.say("D-1 11:00",
        "3 FSPs registered: cybergrid (150 HEMS), sensinov (12 BEMS), thermovault (150 water "
        "heaters)");

  // 2. Needs at 12:00 D-1.
  GRIDKE_TRY(d.set_clock("2026-11-27T12:00:00Z"));
  GRIDKE_ASSIGN_OR_RETURN(json forecast, http::call_json("POST", d.base + "/Congestion/day-ahead",
                                                         {{"day", kDay}, {"publish", true}}));
  const auto& published = forecast["published"];
  double need_kw = 0;
  std::set<std::string> zones;
  for (const auto& n : published) {
    need_kw += n["needs"].get<double>();
    zones.insert(n["zone"].get<std::string>());
  }
  int congested = 0;
  for (const auto& i : forecast["intervals"]) congested += i["violations"].get<int>() > 0;
  d.say("D-1 12:00", "congestion forecast for " + std::string(kDay) + ": " +
                         std::to_string(congested) + " congested quarter hours; " +
                         std::to_string(published.size()) + " needs in " +
                         std::to_string(zones.size()) + " zones, " +
                         std::to_string(static_cast<int>(need_kw)) + " kW·intervals published");
  d.check(!published.empty(), "the congestion forecast found no needs");

  // 3. Offers until 16:00.
  std::size_t offers = 0;
  d.wait_until(
      [&] {
        auto o = d.call("GET", "/Offers");
        const std::size_t now = o ? (*o)["offers"].size() : 0;
        const bool stable = now > 0 && now == offers;
        offers = now;
        std::set<std::string> from;
        if (o) {
          for (const auto& x : (*o)["offers"]) from.insert(x["fspId"].get<std::string>());
        }
        return stable && from.size() == 3;
      },
      seconds(60));
  GRIDKE_ASSIGN_OR_RETURN(json all_offers, d.call("GET", "/Offers"));
  std::map<std::string, int> per_fsp;
  for (const auto& o : all_offers["offers"]) per_fsp[o["fspId"]]++;
  std::string who;
  for (const auto& [f, c] : per_fsp) who += (who.empty() ? "" : ", ") + f + " " + std::to_string(c);
  d.say("D-1 13:00", std::to_string(all_offers["offers"].size()) +
                         " offers received through the engine (" + who + ")");
  d.check(per_fsp.size() == 3, "not every FSP offered");
  // A late offer is refused.
  GRIDKE_TRY(d.set_clock("2026-11-27T16:05:00Z"));
  auto late = d.call("POST", "/Offers",
                     {{"fspId", "cybergrid"},
                      {"requestId", published[0]["requestId"]},
                      {"quantity", 5},
                      {"price", 10}});
  d.check(!late && late.error().code() == ErrorCode::failed_precondition,
          "a late offer was not refused");
  d.say("D-1 16:05", std::string("late offer refused: ") + (late ? "NO" : late.error().message()));

  // 4. Activation plan at 17:00.
  GRIDKE_TRY(d.set_clock("2026-11-27T17:00:00Z"));
  GRIDKE_ASSIGN_OR_RETURN(json plan, d.call("POST", "/ActivationPlan", {{"window", "day-ahead"}}));
  const std::size_t n_act = plan["activations"].size();
  d.say("D-1 17:00", "activation plan: " + std::to_string(n_act) + " activations, cost " +
                         std::to_string(plan["totalCostEur"].get<double>()).substr(0, 6) +
                         " EUR, " + std::to_string(plan["uncovered"].size()) + " needs uncovered");
  d.check(n_act > 0, "the activation plan is empty");
  const bool accepted = d.wait_until(
      [&] {
        auto a = d.call("GET", "/Activations");
        if (!a) return false;
        for (const auto& x : (*a)["activations"]) {
          if (x["state"] != "Accepted") return false;
        }
        return true;
      },
      seconds(30));
  d.check(accepted, "not every activation was accepted by its FSP");
  d.say("D-1 17:01", "every FSP accepted its activations through the engine (Sent → Accepted)");

  // 5. Delivery and metering on D (the DSO's meters; Thermovault delivers 80 %).
  GRIDKE_TRY(d.set_clock("2026-11-28T23:00:00Z"));
  GRIDKE_ASSIGN_OR_RETURN(json acts, d.call("GET", "/Activations"));
  const std::map<std::string, double> performance = {
      {"cybergrid", 0.97}, {"sensinov", 1.02}, {"thermovault", 0.80}};
  int verified = 0;
  for (const auto& a : acts["activations"]) {
    const std::string id = a["activationId"];
    json baseline;
    d.wait_until(
        [&] {
          auto b = d.call("GET", "/Activations/" + id + "/baseline");
          if (b) baseline = *b;
          return b.has_value();
        },
        seconds(20));
    if (baseline.is_null()) {
      d.check(false, "no baseline for " + id);
      continue;
    }
    double total = 0;
    for (const auto& p : baseline["participants"]) total += p["kW"][0].get<double>();
    const double delivered =
        a["power"].get<double>() * performance.at(a["fspId"].get<std::string>());
    json metered = json::array();
    for (const auto& p : baseline["participants"]) {
      const double b = p["kW"][0].get<double>();
      metered.push_back(
          {{"participantId", p["participantId"]}, {"kW", {b - delivered * b / total}}});
    }
    GRIDKE_TRY(d.call("POST", "/Activations/" + id + "/metering", {{"participants", metered}}));
    GRIDKE_TRY(d.call("POST", "/Activations/" + id + "/verification"));
    ++verified;
  }
  d.say("D+1 00:00", "metering and verification of " + std::to_string(verified) +
                         " activations (delivered = baseline − metered)");

  // 6. Settlement by the FSPs.
  std::map<std::string, std::pair<double, std::string>> settled;
  d.wait_until(
      [&] {
        settled.clear();
        for (const auto& a : acts["activations"]) {
          auto v = d.call("GET",
                          "/Activations/" + a["activationId"].get<std::string>() + "/verification");
          if (!v || (*v)["state"] == "Pending" || (*v)["outcome"].is_null()) return false;
          auto& [eur, state] =
              settled[a["fspId"].get<std::string>() + " " + (*v)["state"].get<std::string>()];
          eur += (*v)["amountEur"].get<double>();
          state = (*v)["state"];
        }
        return true;
      },
      seconds(30));
  for (const auto& [key, value] : settled) {
    d.say("D+1 00:05",
          "settlement " + key + ": " + std::to_string(value.first).substr(0, 6) + " EUR");
  }
  // Every FSP got activations; those delivering >= 90 % confirm, Thermovault (80 %) disputes.
  for (const auto& [fsp, factor] : performance) {
    const std::string expected = fsp + (factor >= 0.9 ? " Confirmed" : " Disputed");
    d.check(settled.count(expected) == 1, "expected settlement '" + expected + "'");
  }
  GRIDKE_ASSIGN_OR_RETURN(json tick, d.call("POST", "/Tick"));
  d.say("D+1 00:10", std::to_string(tick["transitions"].get<int>()) + " unselected offers expired");
  GRIDKE_ASSIGN_OR_RETURN(json trail, d.call("GET", "/Transitions"));
  d.say("D+1 00:10",
        std::to_string(trail["transitions"].size()) + " state transitions stored and auditable");

  // 7. SVG: trunk loading before/after flexibility.
  plot::LineChart chart;
  chart.title = "IEEE European LV feeder, " + std::string(kDay) + ": worst cable loading";
  chart.x_label = "time of day";
  chart.y_label = "phase current / ampacity";
  plot::Series before{"forecast", {}, {}, "#d62728", false, false};
  plot::Series after{"with plan", {}, {}, "#2ca02c", false, false};
  int k = 0;
  for (const auto& i : forecast["intervals"]) {
    before.x.push_back(k * 0.25);
    before.y.push_back(i["lineLoading"].get<double>());
    after.x.push_back(k * 0.25);
    after.y.push_back(i["lineLoadingAfter"].get<double>());
    ++k;
  }
  chart.series = {before, after};
  chart.reference_lines = {{"capacity (200 A)", 1.0, "#000000"}};
  for (int h = 0; h <= 24; h += 3)
    chart.x_ticks.push_back({h, (h < 10 ? "0" : "") + std::to_string(h) + ":00"});
  GRIDKE_ASSIGN_OR_RETURN(auto svg, plot::render_line_chart(chart));
  const std::string path =
      (std::filesystem::path(out_dir) / "flexibility-day-ahead-loading.svg").string();
  GRIDKE_TRY(plot::write_file(path, svg));
  d.say("D+1 00:10", "wrote " + path);
  d.summary = {{"needs", published.size()},
               {"offers", all_offers["offers"].size()},
               {"activations", n_act},
               {"costEur", plan["totalCostEur"]},
               {"uncovered", plan["uncovered"].size()},
               {"transitions", trail["transitions"].size()},
               {"svg", path}};
  return ok();
}

int run_demo(const std::vector<std::string>& argv) {
  const char* verb = "demo flexibility-day-ahead";
  auto args = Args::parse(argv, {"help"});
  if (!args) return usage_error(verb, args.error().message());
  if (args->has("help")) {
    std::fputs(kUsage, stdout);
    return exit_ok;
  }
  if (auto unknown = args->unknown({"help", "out", "format"}); !unknown.empty()) {
    return usage_error(verb, "unknown option --" + unknown.front());
  }
  const std::string format = args->get_or("format", "text");
  if (format != "text" && format != "json")
    return usage_error(verb, "--format must be text or json");
  const std::string out_dir = args->get_or("out", ".");
  if (auto made = demo_child::ensure_out_dir(out_dir); !made) return fail(verb, made.error());
  auto port = http::pick_free_port("127.0.0.1");
  if (!port) return fail(verb, port.error());
  Demo d;
  d.base = "http://127.0.0.1:" + std::to_string(*port);
  d.market = d.base + "/Flexibility";
  Children kids;
  auto serve = kids.spawn({"serve", "--port", std::to_string(*port), "--services",
                           "flexibility-market", "--log-level", "warn"},
                          {"GRIDKE_FLEX_CLOCK=manual:2026-11-27T11:00:00Z"});
  if (!serve) return fail(verb, serve.error());
  const bool up = d.wait_until(
      [&] {
        http::ClientOptions quick;
        quick.timeout = milliseconds(1000);
        auto r = http::request("GET", d.market + "/Clock", {}, quick);
        return (r && r->status == 200) || !(*serve)->running();
      },
      seconds(60));
  auto ready = http::request("GET", d.market + "/Clock");
  if (!up || !ready || ready->status != 200) {
    return fail(verb,
                unavailable("gridke serve did not answer " + d.market + "/Clock within 60 s"));
  }
  auto r = run_day(d, kids, out_dir);
  if (!r) return fail(verb, r.error());
  if (format == "json") {
    d.summary["timeline"] = d.timeline;
    d.summary["failures"] = d.failures;
    std::printf("%s\n", d.summary.dump(2).c_str());
  } else {
    for (const auto& line : d.timeline) std::printf("%s\n", line.c_str());
    for (const auto& f : d.failures) std::printf("CHECK FAILED: %s\n", f.c_str());
  }
  return d.failures.empty() ? exit_ok : exit_findings;
}

}  // namespace
}  // namespace gridke::cli

GRIDKE_SUBCOMMAND(
    {"demo", "flexibility-day-ahead",
     "Portuguese pilot day-ahead flexibility: needs → offers → activation → settlement",
     gridke::cli::kUsage, gridke::cli::run_demo});
