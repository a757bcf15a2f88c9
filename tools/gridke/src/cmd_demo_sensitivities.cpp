// gridke demo sensitivities: the Sensitivities Engine end to end with a real server process.
//   1. `gridke serve --services sensitivities` (a child process) on a free port with a temporary
//      data directory;
//   2. three months of 15-min smart-meter data of the CIGRE LV feeder, simulated with the
//      unbalanced power flow and corrupted like real meters (0.1 V / 1 % noise, 2 % gaps),
//      with disaggregated appliances (EV charging in the evening, PV at midday, the rest
//      "other");
//   3. through the REST front door (/sensitivitiesengine): register → upload → sensitivities
//      (compared with the power-flow truth) → load correlation → flexibility requirements,
//      polling each request id;
//   4. SVGs of the sensitivity matrix and of the per-period voltage problems, written to --out.
// The child is stopped (SIGTERM, then SIGKILL) and the data directory removed at the end.

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "command.hpp"
#include "demo_child.hpp"
#include "gridke/http/client.hpp"
#include "gridke/http/server.hpp"
#include "gridke/services/grid/model/network_json.hpp"
#include "gridke/services/sensitivities/json_codec.hpp"
#include "gridke/services/sensitivities/validation/lv_grid_simulation.hpp"

namespace {

using namespace gridke;
using namespace std::chrono_literals;
using nlohmann::json;
namespace se = gridke::services::sensitivities;
using gridke::cli::demo_child::Child;
using gridke::cli::demo_child::TempDir;
using gridke::cli::demo_child::wait_ready;
namespace sv = gridke::services::sensitivities::validation;

constexpr const char* verb = "demo sensitivities";

const char* usage =
    R"(gridke demo sensitivities [--out DIR] [--days N] [--timeout-s S] [--keep-data]

Runs the LV voltage Sensitivities Engine end to end with a real `gridke serve` child process
(free port, temporary data directory) and its REST front door /sensitivitiesengine:
  register the CIGRE LV grid (15 meters) → upload N days (default 90) of simulated 15-min meter
  data (power flow + 0.1 V / 1 % noise, 2 % gaps) → read the sensitivity matrix and
  compare it with the power-flow truth → load correlation with disaggregated appliances (EV,
  PV, other) → flexibility requirements.
Writes to --out (default ./gridke-demo-sensitivities):
  sensitivities.svg      heat map of the sensitivity matrix (V/kW)
  voltage-problems.svg   under-/over-voltage probability per half hour of the typical day
  voltage-profile.svg    average and worst voltages per half hour with the limits
  output1.json, output2.json, output3.json   the three D4.3 outputs
The lower voltage limit is the feeder's own 3rd voltage percentile (a planning margin), so the
typical day shows where and when voltages are lowest; the upper limit stays 253 V.

Exit codes: 0 the whole flow ran; 2 usage error; 6 the server could not be started or
reached; otherwise the failing step's error code.)";

void say(const std::string& line) { std::cout << "[demo] " << line << std::endl; }

Result<void> write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << text;
  f.close();
  if (!f) return unavailable("cannot write " + path.string());
  return ok();
}

http::ClientOptions client_options() {
  http::ClientOptions o;
  o.timeout = 120s;
  return o;
}

/// One REST call; an HTTP error status becomes an Error carrying the server's message.
Result<http::ClientResponse> call(const std::string& method, const std::string& url,
                                  const std::string& body = {}) {
  GRIDKE_ASSIGN_OR_RETURN(auto r, http::request(method, url, body, client_options()));
  if (r.status >= 400) {
    std::string message = r.body;
    if (auto j = json::parse(r.body, nullptr, false); j.is_object() && j.contains("message")) {
      message = j["message"].get<std::string>();
    }
    return Error(r.status == 404   ? ErrorCode::not_found
                 : r.status == 409 ? ErrorCode::failed_precondition
                 : r.status >= 500 ? ErrorCode::unavailable
                                   : ErrorCode::invalid_argument,
                 method + " " + url + " answered " + std::to_string(r.status) + ": " + message);
  }
  return r;
}

/// Polls GET `url` until the job answers 200 (its result) or `timeout` passes.
Result<json> wait_result(const std::string& url, std::chrono::seconds timeout) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (true) {
    GRIDKE_ASSIGN_OR_RETURN(auto r, call("GET", url));
    if (r.status == 200) return json::parse(r.body);
    if (std::chrono::steady_clock::now() >= until) {
      return deadline_exceeded(url + " still pending after " + std::to_string(timeout.count()) +
                               " s: " + r.body);
    }
    std::this_thread::sleep_for(200ms);
  }
}

// Appliances behind the meters: EV charging (evening excess) at every 4th meter, PV (midday,
// generation) at every 5th, and the rest of each meter's consumption as "other".
std::vector<se::ApplianceHistory> appliances_of(const se::HistoricalData& data) {
  std::vector<se::ApplianceHistory> out;
  for (std::size_t j = 0; j < data.meters.size(); ++j) {
    const auto& h = data.meters[j];
    se::ApplianceHistory other{
        h.meter.meter_id + "/other", se::ApplianceType::other, h.meter.meter_id, {}};
    se::ApplianceHistory ev{h.meter.meter_id + "/ev", se::ApplianceType::ev, h.meter.meter_id, {}};
    se::ApplianceHistory pv{h.meter.meter_id + "/pv", se::ApplianceType::pv, h.meter.meter_id, {}};
    for (const auto& m : h.measurements) {
      const double hour = static_cast<double>(m.timestamp_s % 86400) / 3600.0;
      double ev_kw = 0, pv_kw = 0;
      if (j % 4 == 1 && hour >= 17 && hour < 22) ev_kw = 0.4 * std::max(0.0, m.p_measured_kw);
      if (j % 5 == 2 && hour >= 10 && hour < 15) pv_kw = 0.2 * std::max(0.0, m.p_measured_kw);
      other.measurements.push_back({m.timestamp_s, m.p_measured_kw - ev_kw + pv_kw});
      if (j % 4 == 1) ev.measurements.push_back({m.timestamp_s, ev_kw});
      if (j % 5 == 2) pv.measurements.push_back({m.timestamp_s, pv_kw});
    }
    out.push_back(std::move(other));
    if (!ev.measurements.empty()) out.push_back(std::move(ev));
    if (!pv.measurements.empty()) out.push_back(std::move(pv));
  }
  return out;
}

double percentile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  return v[static_cast<std::size_t>(q * static_cast<double>(v.size() - 1))];
}

int run(const std::vector<std::string>& argv) {
  auto args = cli::Args::parse(argv, {"help", "keep-data"});
  if (!args) return cli::usage_error(verb, args.error().message());
  if (auto unknown = args->unknown({"out", "days", "timeout-s", "keep-data"}); !unknown.empty()) {
    return cli::usage_error(verb, "unknown option --" + unknown.front());
  }
  if (!args->positionals().empty()) {
    return cli::usage_error(verb, "unexpected argument '" + args->positionals().front() + "'");
  }
  auto days = args->get_int("days");
  if (!days) return cli::usage_error(verb, days.error().message());
  const long long n_days = days->value_or(90);
  if (n_days < 90 || n_days > 365) {
    return cli::usage_error(verb, "--days must be in [90, 365] (the engine needs 3 months), got " +
                                      std::to_string(n_days));
  }
  auto timeout = args->get_int("timeout-s");
  if (!timeout) return cli::usage_error(verb, timeout.error().message());
  const auto wait_s = std::chrono::seconds(timeout->value_or(120));
  if (wait_s.count() < 5) return cli::usage_error(verb, "--timeout-s must be >= 5");
  const std::filesystem::path out_dir = args->get_or("out", "gridke-demo-sensitivities");
  if (auto made = gridke::cli::demo_child::ensure_out_dir(out_dir.string()); !made)
    return cli::fail(verb, made.error());

  // Ground truth first (no server needed): the CIGRE LV feeder, simulated.
  auto network = services::grid::read_network_json(std::string(GRIDKE_SOURCE_DIR) +
                                                   "/tests/data/grid/cigre_lv.json");
  if (!network) return cli::fail(verb, network.error());
  network->name = "cigre-lv";
  sv::SimulationOptions so;
  so.days = static_cast<int>(n_days);
  so.load_scale = 0.5;
  say("simulating " + std::to_string(n_days) + " days of 15-min meter data on CIGRE LV …");
  auto truth = sv::simulate_feeder(*network, so);
  if (!truth) return cli::fail(verb, truth.error());
  const se::HistoricalData data = sv::corrupt(*truth, {"demo", 0.1, 0.01, 0.02, 0.001}, 5);
  std::vector<double> all_v;
  for (const auto& v : truth->v) all_v.insert(all_v.end(), v.begin(), v.end());
  const double lower_v = std::floor(percentile(all_v, 0.03) * 10) / 10;
  const double upper_v = 253.0;

  // 1. The server.
  auto tmp = TempDir::create("gridke-demo-sensitivities");
  if (!tmp) return cli::fail(verb, tmp.error());
  if (args->has("keep-data")) tmp->keep();
  auto port = http::pick_free_port("127.0.0.1");
  if (!port) return cli::fail(verb, port.error());
  const std::string base = "http://127.0.0.1:" + std::to_string(*port) + "/sensitivitiesengine";
  auto server =
      Child::spawn_gridke({"serve", "--port", std::to_string(*port), "--data", tmp->path(),
                           "--services", "sensitivities", "--log-level", "warn"});
  if (!server) return cli::fail(verb, server.error());
  // The KE API answers first; the module's front door is up when *it* answers the probe
  // ("request 'probe' is unknown"), not the KE's "No such endpoint".
  auto front_door_up = [](const http::ClientResponse& r) {
    return r.status == 404 && r.body.find("'probe'") != std::string::npos;
  };
  if (auto r = wait_ready(*server, base + "/requests/probe", 30s, front_door_up); !r) {
    return cli::fail(verb, r.error());
  }
  say("gridke serve is up: " + base + " (data in " + tmp->path() + ")");

  auto flow = [&]() -> Result<void> {
    const std::string grid = truth->grid.network_id;
    // 2. register
    GRIDKE_ASSIGN_OR_RETURN(auto reg,
                            call("POST", base + "/registerGrid/" + grid, se::to_json(truth->grid)));
    say("POST registerGrid/" + grid + " → " + std::to_string(reg.status) + " " + reg.body);
    // 3. upload
    const std::string body = se::to_json(data);
    GRIDKE_ASSIGN_OR_RETURN(auto up, call("POST", base + "/updateHistoricalData/" + grid, body));
    const auto up_json = json::parse(up.body);
    say("POST updateHistoricalData/" + grid + " (" + std::to_string(body.size() >> 20) + " MB, " +
        std::to_string(up_json.value("records", 0)) + " records) → " + std::to_string(up.status) +
        ", request " + up_json.value("requestId", ""));
    GRIDKE_ASSIGN_OR_RETURN(auto done,
                            wait_result(base + "/updateHistoricalData/" + grid +
                                            "?requestId=" + up_json.value("requestId", ""),
                                        wait_s));
    say("sensitivities computed (" + std::to_string(done["voltage_sensitivity_points"].size()) +
        " voltage points)");
    // 4. sensitivities, compared with the truth
    GRIDKE_ASSIGN_OR_RETURN(auto s1, call("GET", base + "/getSensitivities/" + grid));
    GRIDKE_TRY(write_text(out_dir / "output1.json", s1.body));
    GRIDKE_ASSIGN_OR_RETURN(auto s, se::parse_sensitivity_matrix(s1.body));
    const double err = (s.sensitivity_v_per_kw - truth->s_true).norm() / truth->s_true.norm();
    int signs = 0;
    for (Eigen::Index i = 0; i < truth->s_true.rows(); ++i) {
      signs += std::signbit(s.sensitivity_v_per_kw(i, i)) == std::signbit(truth->s_true(i, i));
    }
    char line[200];
    std::snprintf(line, sizeof line,
                  "GET getSensitivities: ||S_est - S_true||_F / ||S_true||_F = %.2f %%, diagonal "
                  "signs right %d/%ld, own sensitivity of %s: %.4f V/kW (truth %.4f)",
                  100 * err, signs, static_cast<long>(truth->s_true.rows()),
                  s.voltage_meters[0].c_str(), s.sensitivity_v_per_kw(0, 0), truth->s_true(0, 0));
    say(line);
    GRIDKE_ASSIGN_OR_RETURN(auto svg1,
                            call("GET", base + "/getSensitivities/" + grid + "?format=svg"));
    GRIDKE_TRY(write_text(out_dir / "sensitivities.svg", svg1.body));
    // 5. load correlation
    const std::string limits = "?lowerV=" + std::to_string(lower_v) +
                               "&upperV=" + std::to_string(upper_v) + "&nominalV=230";
    const std::string apps = se::to_json(appliances_of(data));
    GRIDKE_ASSIGN_OR_RETURN(auto lc,
                            call("POST", base + "/loadCorrelation/" + grid + limits, apps));
    const std::string lc_id = json::parse(lc.body).value("requestId", "");
    say("POST loadCorrelation (limits " + std::to_string(lower_v).substr(0, 5) + "–" +
        std::to_string(upper_v).substr(0, 5) + " V) → " + std::to_string(lc.status) + ", request " +
        lc_id);
    GRIDKE_ASSIGN_OR_RETURN(
        auto o2, wait_result(base + "/loadCorrelation/" + grid + "?requestId=" + lc_id, wait_s));
    GRIDKE_TRY(write_text(out_dir / "output2.json", o2.dump(1)));
    // The four periods with the most frequent problems.
    std::vector<const json*> worst;
    for (const auto& p : o2["periods"]) worst.push_back(&p);
    auto problems = [](const json* p) {
      return (*p)["undervoltage"]["prob_of_occur"].get<double>() +
             (*p)["overvoltage"]["prob_of_occur"].get<double>();
    };
    std::stable_sort(worst.begin(), worst.end(),
                     [&](const json* a, const json* b) { return problems(a) > problems(b); });
    for (std::size_t k = 0; k < std::min<std::size_t>(4, worst.size()); ++k) {
      const json& p = *worst[k];
      const double under = p["undervoltage"]["prob_of_occur"].get<double>();
      const double over = p["overvoltage"]["prob_of_occur"].get<double>();
      if (under > 0 || over > 0) {
        std::snprintf(line, sizeof line, "  %s: under-voltage %.1f %%, over-voltage %.1f %%%s%s",
                      p["time"].get<std::string>().c_str(), under, over,
                      p["Warnings"].empty() ? "" : " — ",
                      p["Warnings"].empty() ? "" : p["Warnings"][0].get<std::string>().c_str());
        say(line);
      }
    }
    GRIDKE_ASSIGN_OR_RETURN(auto svg2, call("GET", base + "/loadCorrelation/" + grid +
                                                       "?format=svg&requestId=" + lc_id));
    GRIDKE_TRY(write_text(out_dir / "voltage-problems.svg", svg2.body));
    GRIDKE_ASSIGN_OR_RETURN(auto svg3, call("GET", base + "/loadCorrelation/" + grid + limits +
                                                       "&format=profile-svg&requestId=" + lc_id));
    GRIDKE_TRY(write_text(out_dir / "voltage-profile.svg", svg3.body));
    // 6. flexibility requirements
    GRIDKE_ASSIGN_OR_RETURN(auto fr,
                            call("POST", base + "/flexibilityRequirements/" + grid + limits, apps));
    const std::string fr_id = json::parse(fr.body).value("requestId", "");
    GRIDKE_ASSIGN_OR_RETURN(
        auto o3,
        wait_result(base + "/flexibilityRequirements/" + grid + "?requestId=" + fr_id, wait_s));
    GRIDKE_TRY(write_text(out_dir / "output3.json", o3.dump(1)));
    say("POST flexibilityRequirements → request " + fr_id + ": " +
        std::to_string(o3["periods"].size()) + " periods need flexibility");
    if (!o3["periods"].empty()) {
      const auto& p = o3["periods"][0];
      for (const auto& r : p["Potential recommendations"]) {
        say("  " + p["time"].get<std::string>() + ": " + r.get<std::string>());
        break;
      }
    }
    say("wrote " + (out_dir / "sensitivities.svg").string() + ", voltage-problems.svg, " +
        "voltage-profile.svg and output1-3.json");
    return ok();
  };
  const auto result = flow();
  server->stop();
  if (!result) return cli::fail(verb, result.error());
  say("done; the server was stopped");
  return cli::exit_ok;
}

}  // namespace

GRIDKE_SUBCOMMAND({"demo", "sensitivities",
                   "register → upload → sensitivities → correlation → requirements through a "
                   "real gridke serve, with SVG plots",
                   usage, run});
