// gridke demo dynamic-tariff: a day of capacity tariffs on LV feeders, end to end against a real
// `gridke serve --services tariffs` child process (D4.3 §2.1.1.4 Dutch pilot, Table 16 steps
// fetch → determine → publish):
//   1. start `gridke serve` on a free port and a forecast knowledge base process (`gridke
//      simulate forecast`, ANSWER answer-load-forecast) serving tomorrow's load of feeders A
//      and B from a JSON file; a HEMS knowledge base joins the knowledge engine over the KE
//      REST API (RemoteEngine) with REACT react-grid-tariff and ASK ask-grid-tariff;
//   2. the DSO posts its own (DSO-computed) forecasts of three feeders with forecast_source
//      "forecast-kb" (POST /tariffs/days/{D}/capacity): the service FETCHES feeders A and B
//      from the forecast KB through the knowledge engine (Table 16 step 1), falls back to the
//      DSO forecast for feeder C (not in the forecast KB; stated in the answer), prices every
//      quarter hour and publishes; the fetched tariffs are checked against the same forecast
//      given directly (published for D+2);
//   3. the HEMS receives the tariffs through POST/REACT and asks for them again (ASK/ANSWER);
//      both must equal the REST answer;
//   4. a publication for today is refused (late: after D - lead time); a static tariff is
//      published unchanged for the day after; the feeder's day is settled;
//   5. two SVG charts: feeder load before/after the tariff against capacity, and the tariff.
// The child processes are stopped (SIGTERM, then SIGKILL) on every path.
//
// The child process comes from demo_child.hpp (shared with the metering demo).

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "command.hpp"
#include "demo_child.hpp"
#include "gridke/adapter/contract.hpp"
#include "gridke/adapter/generic_adapter.hpp"
#include "gridke/adapters/tariffs/tariff_ssa.hpp"
#include "gridke/engine/remote_engine.hpp"
#include "gridke/http/client.hpp"
#include "gridke/http/server.hpp"
#include "gridke/plot/svg.hpp"
#include "gridke/services/tariffs/capacity_tariff.hpp"
#include "gridke/services/tariffs/tariff_service.hpp"

namespace gridke::cli {
namespace {

namespace tf = services::tariffs;
namespace ta = adapters::tariffs;
using nlohmann::json;
using namespace std::chrono;

constexpr const char* kUsage =
    "Usage: gridke demo dynamic-tariff [--out DIR] [--format text|json]\n\n"
    "A day of dynamic grid capacity tariffs (InterConnect D4.3 §2.1.1.4, Dutch pilot), end to\n"
    "end: starts `gridke serve --services tariffs` on a free port and a forecast knowledge base\n"
    "(`gridke simulate forecast`) on its knowledge engine, joins it as a HEMS (REACT\n"
    "react-grid-tariff, ASK ask-grid-tariff), posts tomorrow's DSO forecasts of three LV feeders\n"
    "(the day after's when tomorrow's deadline is under 10 minutes away)\n"
    "to POST /tariffs/days/{day}/capacity with forecast_source forecast-kb (the service fetches\n"
    "feeders A and B from the forecast KB and falls back to the DSO forecast for C, stated),\n"
    "checks that the tariffs reach the HEMS\n"
    "unchanged through POST/REACT and ASK/ANSWER, that a publication for today is refused as\n"
    "late, publishes a static tariff, settles a day, and draws the feeder load before/after\n"
    "the tariff.\n\n"
    "  --out DIR     where to write dynamic-tariff-load.svg and dynamic-tariff-price.svg\n"
    "                (default: the current directory)\n"
    "  --format F    text (default) or json (a summary object on stdout)\n\n"
    "Exit codes: 0 every check passed, 1 a check failed (listed), 2 usage error, 7 the\n"
    "server could not be started or reached.\n";

// Two feeders of a Dutch LV grid (kW per quarter hour): a residential baseline with morning and
// evening peaks, EV charging as controllable demand from 17:00, a 250 kVA (≈ 230 kW at the
// margin) transformer. Feeder B's evening baseline alone exceeds its capacity for a while.
std::vector<tf::ZoneForecast> feeders() {
  std::vector<tf::ZoneForecast> out(2);
  out[0].zone = "feeder-A";
  out[1].zone = "feeder-B";
  for (std::size_t q = 0; q < tf::kQuartersPerDay; ++q) {
    const double h = static_cast<double>(q) / 4.0;
    const double morning = std::exp(-0.5 * std::pow((h - 7.75) / 1.1, 2.0));
    const double evening = std::exp(-0.5 * std::pow((h - 18.5) / 1.6, 2.0));
    const double ev = std::exp(-0.5 * std::pow((h - 19.5) / 2.0, 2.0)) +
                      0.6 * std::exp(-0.5 * std::pow((h - 23.0) / 1.5, 2.0));
    out[0].baseline_kw.push_back(60.0 + 45.0 * morning + 110.0 * evening);
    out[0].controllable_kw.push_back(5.0 + 95.0 * ev);
    out[0].capacity_kw.push_back(230.0);
    out[1].baseline_kw.push_back(45.0 + 30.0 * morning + 150.0 * evening);
    out[1].controllable_kw.push_back(3.0 + 55.0 * ev);
    out[1].capacity_kw.push_back(180.0);
  }
  return out;
}

// The DSO's own day-ahead estimate (Table 16 "created by itself"): yesterday's profile, a
// flatter evening and less EV charging than the forecast KB predicts; feeder C is a large
// feeder the forecast KB does not cover.
std::vector<tf::ZoneForecast> dso_estimates(const std::vector<tf::ZoneForecast>& kb) {
  std::vector<tf::ZoneForecast> out = kb;
  for (auto& f : out) {
    for (std::size_t q = 0; q < tf::kQuartersPerDay; ++q) {
      f.baseline_kw[q] = 0.5 * f.baseline_kw[q] + 0.5 * 90.0;
      f.controllable_kw[q] *= 0.7;
    }
  }
  tf::ZoneForecast c = kb.front();
  c.zone = "feeder-C";
  c.capacity_kw.assign(tf::kQuartersPerDay, 400.0);
  out.push_back(std::move(c));
  return out;
}

// The forecast KB's file: {"forecasts": [{"zone", "day", "baseline_kw", "controllable_kw"}]}.
json forecast_kb_file(const std::vector<tf::ZoneForecast>& kb, const std::string& day) {
  json list = json::array();
  for (const auto& f : kb) {
    list.push_back({{"zone", f.zone},
                    {"day", day},
                    {"baseline_kw", f.baseline_kw},
                    {"controllable_kw", f.controllable_kw}});
  }
  return json{{"forecasts", list}};
}

json forecast_json(const tf::ZoneForecast& f) {
  return json{{"zone", f.zone},
              {"baseline_kw", f.baseline_kw},
              {"controllable_kw", f.controllable_kw},
              {"capacity_kw", f.capacity_kw}};
}

std::string hhmm(std::size_t q) {
  std::ostringstream s;
  s << std::setw(2) << std::setfill('0') << q / 4 << ':' << std::setw(2) << (q % 4) * 15;
  return s.str();
}

// Collects what the HEMS receives through REACT.
struct Inbox {
  std::mutex mu;
  std::condition_variable cv;
  pattern::BindingSet received;
};

Result<std::string> write_charts(const std::string& dir, const tf::ZoneForecast& f,
                                 const json& published) {
  plot::LineChart load;
  load.title = "Feeder " + f.zone + ": load before and after the dynamic tariff";
  load.x_label = "hour of day (UTC)";
  load.y_label = "kW";
  plot::Series before{"before: baseline + controllable at the reference price", {}, {}, "#d62728"};
  plot::Series after{"after: expected demand at the published tariff", {}, {}, "#1f77b4"};
  plot::Series base{"baseline (inflexible)", {}, {}, "#7f7f7f"};
  base.dashed = true;
  plot::LineChart price;
  price.title = "Feeder " + f.zone + ": published grid tariff per quarter hour";
  price.x_label = "hour of day (UTC)";
  price.y_label = "EUR/kWh";
  plot::Series tariff{"grid tariff", {}, {}, "#2ca02c"};
  const auto& quarters = published.at("quarters");
  for (std::size_t q = 0; q < tf::kQuartersPerDay; ++q) {
    const double h = static_cast<double>(q) / 4.0;
    before.x.push_back(h);
    before.y.push_back(f.baseline_kw[q] + f.controllable_kw[q]);
    after.x.push_back(h);
    after.y.push_back(quarters.at(q).at("expected_demand_kw").get<double>());
    base.x.push_back(h);
    base.y.push_back(f.baseline_kw[q]);
    tariff.x.push_back(h);
    tariff.y.push_back(quarters.at(q).at("price_per_kwh").get<double>());
  }
  load.series = {before, after, base};
  load.reference_lines.push_back({"capacity", f.capacity_kw.front(), "#000000"});
  price.series = {tariff};
  for (int h = 0; h <= 24; h += 3) {
    load.x_ticks.emplace_back(h, hhmm(static_cast<std::size_t>(h) * 4));
    price.x_ticks.emplace_back(h, hhmm(static_cast<std::size_t>(h) * 4));
  }
  const auto load_path = (std::filesystem::path(dir) / "dynamic-tariff-load.svg").string();
  const auto price_path = (std::filesystem::path(dir) / "dynamic-tariff-price.svg").string();
  GRIDKE_ASSIGN_OR_RETURN(auto load_svg, plot::render_line_chart(load));
  GRIDKE_ASSIGN_OR_RETURN(auto price_svg, plot::render_line_chart(price));
  GRIDKE_TRY(plot::write_file(load_path, load_svg));
  GRIDKE_TRY(plot::write_file(price_path, price_svg));
  return load_path + ", " + price_path;
}

class Demo {
 public:
  Demo(std::string out_dir, bool text) : out_dir_(std::move(out_dir)), text_(text) {}

  int run() {
    auto r = run_steps();
    if (!r) {
      if (!text_)
        std::cout << json{{"ok", false}, {"error", r.error().to_string()}}.dump(2) << "\n";
      return fail("demo dynamic-tariff", r.error());
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
    say("[1] starting gridke serve --services tariffs on a free port");
    // The child is stopped (SIGTERM, then SIGKILL) when `child` goes out of scope.
    GRIDKE_ASSIGN_OR_RETURN(auto child,
                            demo_child::spawn_serve({"--services", "tariffs"}, "/tariffs/config",
                                                    demo_child::SpawnOptions::quiet()));
    const std::string api = child.url + "/tariffs";
    say("    " + child.url + " (pid " + std::to_string(child.process.pid()) + ")");

    // The day to publish: tomorrow, unless its deadline (00:00Z minus the service's lead time,
    // GET /config) is less than 10 minutes away — then the day after, so the demo runs at any
    // hour (it once failed in CI at 23:45Z with "late publication").
    GRIDKE_ASSIGN_OR_RETURN(auto config, http::call_json("GET", api + "/config"));
    if (!config.contains("lead_time_minutes") || !config["lead_time_minutes"].is_number_integer()) {
      return internal_error("GET " + api +
                            "/config has no integer lead_time_minutes: " + config.dump());
    }
    const minutes lead{config["lead_time_minutes"].get<long long>()};
    const auto now = system_clock::now();
    const auto today = floor<days>(now);
    tf::Day day = today + days(1);
    if (now + lead + minutes(10) > sys_days(day)) day += days(1);
    say("    publishing for " + tf::format_day(day) + " (deadline 00:00Z minus " +
        std::to_string(lead.count()) + " min)");
    const std::string d = tf::format_day(day);
    const auto kb_forecasts = feeders();
    GRIDKE_ASSIGN_OR_RETURN(auto scratch, demo_child::TempDir::create("gridke-tariff-demo"));
    const std::string forecast_file = scratch.path() + "/load-forecast.json";
    {
      std::ofstream out(forecast_file);
      out << forecast_kb_file(kb_forecasts, d).dump();
      if (!out) return unavailable("cannot write " + forecast_file);
    }
    const std::string forecast_kb_id = "https://forecast.example.org/kb/load-forecast";
    GRIDKE_ASSIGN_OR_RETURN(
        auto forecaster,
        demo_child::Child::spawn_gridke({"simulate", "forecast", "--engine", child.url + "/rest",
                                         "--file", forecast_file, "--kb", forecast_kb_id},
                                        demo_child::SpawnOptions::quiet()));
    GRIDKE_TRY(demo_child::wait_ready(
        forecaster, child.url + "/rest/sc", seconds(30), [&](const http::ClientResponse& r) {
          return r.status == 200 && r.body.find(forecast_kb_id) != std::string::npos;
        }));
    // The knowledge base appears before its ANSWER KI: wait for the KI as well.
    http::ClientOptions as_forecast_kb;
    as_forecast_kb.headers["Knowledge-Base-Id"] = forecast_kb_id;
    for (int tries = 0;; ++tries) {
      auto kis = http::request("GET", child.url + "/rest/sc/ki", {}, as_forecast_kb);
      if (kis && kis->status == 200 && kis->body.find("Answer") != std::string::npos) break;
      if (tries >= 300 || !forecaster.running()) {
        return unavailable("the forecast KB did not register answer-load-forecast in time");
      }
      std::this_thread::sleep_for(milliseconds(100));
    }
    say("    forecast KB " + forecast_kb_id + " (gridke simulate forecast, pid " +
        std::to_string(forecaster.pid()) + ") serves " + d + " for feeder-A and feeder-B");

    engine::RemoteEngineOptions remote;
    remote.base_url = child.url + "/rest";
    GRIDKE_ASSIGN_OR_RETURN(auto engine, engine::RemoteEngine::connect(remote));
    GRIDKE_ASSIGN_OR_RETURN(auto contracts,
                            adapter::load_contracts(std::filesystem::path(GRIDKE_SOURCE_DIR) /
                                                    "graph-patterns" / "tariffs"));
    Inbox inbox;
    adapter::Ssa hems("https://hems.example.org/kb/hems-17", "HEMS 17",
                      "A home energy management system that follows the grid tariff");
    hems.react(ta::kReactGridTariff,
               [&inbox](const adapter::Request& req) -> Result<pattern::BindingSet> {
                 std::lock_guard lock(inbox.mu);
                 inbox.received.insert_all(req.bindings());
                 inbox.cv.notify_all();
                 return pattern::BindingSet{};
               });
    hems.ask(ta::kAskGridTariff);
    GRIDKE_ASSIGN_OR_RETURN(auto hems_adapter,
                            adapter::GenericAdapter::start(*engine, contracts, std::move(hems)));
    say("    HEMS knowledge base joined over " + remote.base_url);

    const auto dso = dso_estimates(kb_forecasts);
    const json model{{"shift_fraction", 0.5}, {"damping", 0.7}, {"margin_fraction", 0.02}};
    json body{{"forecasts", json::array()}, {"model", model}, {"forecast_source", "forecast-kb"}};
    for (const auto& f : dso) body["forecasts"].push_back(forecast_json(f));
    say("[2] DSO publishes the capacity tariffs of " + d + " for " + std::to_string(dso.size()) +
        " feeders, fetching the forecasts from the forecast KB: POST " + api + "/days/" + d +
        "/capacity");
    GRIDKE_ASSIGN_OR_RETURN(auto published,
                            http::call_json("POST", api + "/days/" + d + "/capacity", body));
    const auto& tariffs = published.at("tariffs");
    check(tariffs.size() == dso.size(), "one published day per feeder");
    // The forecast each tariff was computed from (fetched or the DSO's fallback).
    std::vector<tf::ZoneForecast> forecasts;
    const auto& uses = published.at("forecasts");
    for (std::size_t z = 0; z < uses.size(); ++z) {
      const bool fetched = uses[z].at("origin") == "forecast-kb";
      say("    " + uses[z].at("description").get<std::string>());
      tf::ZoneForecast used = dso.at(z);
      if (fetched && z < kb_forecasts.size()) {
        used.baseline_kw = kb_forecasts[z].baseline_kw;
        used.controllable_kw = kb_forecasts[z].controllable_kw;
      }
      forecasts.push_back(std::move(used));
    }
    check(uses.size() == 3 && uses[0].at("origin") == "forecast-kb" &&
              uses[1].at("origin") == "forecast-kb" &&
              uses[0].value("source", "") == forecast_kb_id,
          "feeder-A and feeder-B: day-ahead forecast fetched from the forecast KB through the "
          "knowledge engine (Table 16 step 1)");
    check(uses.size() == 3 && uses[2].at("origin") == "dso" &&
              uses[2].value("fallback_reason", "").find("no data point") != std::string::npos,
          "feeder-C: not in the forecast KB, the DSO-computed forecast is used and the fallback "
          "stated");
    summary_["forecasts"] = uses;
    json feeders_summary = json::array();
    for (std::size_t z = 0; z < tariffs.size(); ++z) {
      const auto& t = tariffs[z];
      const auto& f = forecasts[z];
      double peak_before = 0, peak_after = 0, max_price = 0;
      int priced = 0;
      for (std::size_t q = 0; q < tf::kQuartersPerDay; ++q) {
        const auto& quarter = t.at("quarters").at(q);
        peak_before = std::max(peak_before, f.baseline_kw[q] + f.controllable_kw[q]);
        peak_after = std::max(peak_after, quarter.at("expected_demand_kw").get<double>());
        max_price = std::max(max_price, quarter.at("price_per_kwh").get<double>());
        priced += quarter.at("status").get<std::string>() != "at_floor";
      }
      const auto flagged = t.at("baseline_over_capacity");
      std::ostringstream line;
      line << "    " << f.zone << ": peak " << std::fixed << std::setprecision(1) << peak_before
           << " kW -> " << peak_after << " kW (capacity " << f.capacity_kw.front() << " kW), "
           << priced << " quarter hours priced above the floor, highest tariff "
           << std::setprecision(4) << max_price << " EUR/kWh";
      if (!flagged.empty()) {
        line << ", baseline over capacity at " << hhmm(flagged.front().get<std::size_t>()) << "-"
             << hhmm(flagged.back().get<std::size_t>() + 1) << " (" << flagged.size()
             << " quarter hours: for the flexibility market)";
      }
      say(line.str());
      feeders_summary.push_back({{"zone", f.zone},
                                 {"peak_before_kw", peak_before},
                                 {"peak_after_kw", peak_after},
                                 {"capacity_kw", f.capacity_kw.front()},
                                 {"priced_quarters", priced},
                                 {"max_price_per_kwh", max_price},
                                 {"baseline_over_capacity", flagged}});
    }
    summary_["day"] = d;
    summary_["feeders"] = feeders_summary;
    check(tariffs.at(0).at("baseline_over_capacity").empty(),
          "feeder-A: the tariff alone keeps the load under capacity");
    check(!tariffs.at(1).at("baseline_over_capacity").empty(),
          "feeder-B: quarter hours whose baseline exceeds capacity are flagged");

    say("[3] the HEMS receives the tariffs through the knowledge engine");
    const std::size_t expected = tf::kQuartersPerDay * forecasts.size();
    {
      std::unique_lock lock(inbox.mu);
      inbox.cv.wait_for(lock, seconds(20), [&] { return inbox.received.size() >= expected; });
    }
    pattern::BindingSet reacted;
    {
      std::lock_guard lock(inbox.mu);
      reacted = inbox.received;
    }
    GRIDKE_ASSIGN_OR_RETURN(auto via_react, ta::tariffs_from_bindings(reacted));
    check(same_prices(via_react, tariffs), "POST/REACT: " + std::to_string(reacted.size()) +
                                               " quarter-hour bindings equal the REST prices");
    pattern::Binding asked;
    GRIDKE_TRY(adapter::put(asked, "zoneId", std::string("feeder-A"), adapter::StringCodec{}));
    GRIDKE_ASSIGN_OR_RETURN(auto answer,
                            hems_adapter->ask(ta::kAskGridTariff, pattern::BindingSet{asked}));
    GRIDKE_ASSIGN_OR_RETURN(auto via_ask, ta::tariffs_from_bindings(answer.bindings));
    const json feeder_a = json::array({tariffs.at(0)});
    check(via_ask.size() == 1 && same_prices(via_ask, feeder_a),
          "ASK/ANSWER for feeder-A: " + std::to_string(answer.bindings.size()) +
              " bindings equal the REST prices");
    summary_["react_bindings"] = reacted.size();
    summary_["ask_bindings"] = answer.bindings.size();

    say("[4] the same forecast given directly gives the same tariffs; publication rules, static "
        "tariff and settlement");
    json direct{{"forecasts", json::array()}, {"model", model}, {"forecast_source", "dso"}};
    for (std::size_t z = 0; z < kb_forecasts.size(); ++z) {
      tf::ZoneForecast f = dso[z];
      f.baseline_kw = kb_forecasts[z].baseline_kw;
      f.controllable_kw = kb_forecasts[z].controllable_kw;
      direct["forecasts"].push_back(forecast_json(f));
    }
    const std::string d3 = tf::format_day(day + days(2));
    GRIDKE_ASSIGN_OR_RETURN(auto direct_day,
                            http::call_json("POST", api + "/days/" + d3 + "/capacity", direct));
    bool same = direct_day.at("tariffs").size() == kb_forecasts.size();
    for (std::size_t z = 0; same && z < kb_forecasts.size(); ++z) {
      const auto& a = tariffs.at(z).at("quarters");
      const auto& b = direct_day.at("tariffs").at(z).at("quarters");
      for (std::size_t q = 0; same && q < tf::kQuartersPerDay; ++q) {
        same = a.at(q).at("price_per_kwh") == b.at(q).at("price_per_kwh");
      }
    }
    check(same,
          "tariffs of feeder-A and feeder-B from the fetched forecast equal those of the "
          "same forecast given directly (published for " +
              d3 + ")");
    auto late =
        http::request("POST", api + "/days/" + tf::format_day(today) + "/capacity", body.dump());
    if (!late) return late.error();
    const std::string late_message = late->json() ? late->json()->value("message", "") : "";
    check(late->status == 409 && late_message.find("late publication") != std::string::npos,
          "today's tariffs are refused as late (" + std::to_string(late->status) + " " +
              late_message + ")");
    summary_["late_publication"] = {{"status", late->status}, {"message", late_message}};
    std::vector<double> static_prices(tf::kQuartersPerDay, 0.08);
    for (std::size_t q = 68; q < 84; ++q) static_prices[q] = 0.24;  // 17:00-21:00 peak
    GRIDKE_TRY(http::call_json("PUT", api + "/zones/feeder-A/static",
                               json{{"price_per_kwh", static_prices}}));
    const std::string d2 = tf::format_day(day + days(1));
    GRIDKE_ASSIGN_OR_RETURN(
        auto static_day, http::call_json("POST", api + "/days/" + d2 + "/static", json::object()));
    check(static_day.at("tariffs").size() == 1 &&
              static_day.at("tariffs").at(0).at("mode") == "static",
          "static tariff of feeder-A published unchanged for " + d2);
    json consumption = json::array();
    double expected_cost = 0.0;
    for (std::size_t q = 0; q < tf::kQuartersPerDay; ++q) {
      const auto& quarter = tariffs.at(0).at("quarters").at(q);
      const double kwh = quarter.at("expected_demand_kw").get<double>() * 0.25;
      consumption.push_back(kwh);
      expected_cost += kwh * quarter.at("price_per_kwh").get<double>();
    }
    GRIDKE_ASSIGN_OR_RETURN(
        auto bill, http::call_json("POST", api + "/days/" + d + "/zones/feeder-A/settlement",
                                   json{{"consumption_kwh", consumption}}));
    std::ostringstream billed;
    billed << std::fixed << std::setprecision(2) << bill.at("energy_kwh").get<double>()
           << " kWh billed " << bill.at("total_cost").get<double>() << " EUR";
    check(std::fabs(bill.at("total_cost").get<double>() - expected_cost) < 1e-6,
          "settlement of feeder-A on " + d + ": " + billed.str());
    summary_["settlement"] = bill;

    say("[5] charts");
    GRIDKE_ASSIGN_OR_RETURN(auto files, write_charts(out_dir_, forecasts[0], tariffs.at(0)));
    say("    " + files);
    summary_["charts"] = files;
    GRIDKE_TRY(hems_adapter->stop());
    (void)forecaster.stop();
    return ok();
  }

  static bool same_prices(const std::vector<tf::PublishedTariff>& got, const json& tariffs) {
    if (got.size() != tariffs.size()) return false;
    for (const auto& t : tariffs) {
      bool found = false;
      for (const auto& g : got) {
        if (g.zone != t.at("zone").get<std::string>()) continue;
        found = g.price_per_kwh.size() == t.at("quarters").size();
        for (std::size_t q = 0; found && q < g.price_per_kwh.size(); ++q) {
          found = g.price_per_kwh[q] == t.at("quarters").at(q).at("price_per_kwh").get<double>();
        }
      }
      if (!found) return false;
    }
    return true;
  }

  std::string out_dir_;
  bool text_;
  json summary_ = json::object();
  std::vector<std::string> failures_;
};

int run_dynamic_tariff(const std::vector<std::string>& argv) {
  auto args = Args::parse(argv, {"help"});
  if (!args) return usage_error("demo dynamic-tariff", args.error().message());
  if (auto unknown = args->unknown({"out", "format"}); !unknown.empty()) {
    return usage_error("demo dynamic-tariff", "unknown option --" + unknown.front());
  }
  const std::string format = args->get_or("format", "text");
  if (format != "text" && format != "json") {
    return usage_error("demo dynamic-tariff",
                       "--format must be text or json, got '" + format + "'");
  }
  const std::string out = args->get_or("out", ".");
  if (auto made = demo_child::ensure_out_dir(out); !made)
    return fail("demo dynamic-tariff", made.error());
  return Demo(out, format == "text").run();
}

}  // namespace
}  // namespace gridke::cli

GRIDKE_SUBCOMMAND({"demo", "dynamic-tariff",
                   "a day of dynamic grid capacity tariffs against a real gridke serve",
                   gridke::cli::kUsage, gridke::cli::run_dynamic_tariff});
