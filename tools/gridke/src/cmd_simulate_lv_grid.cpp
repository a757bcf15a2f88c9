// gridke simulate lv-grid: validates the Sensitivities Engine against power-flow ground truth
// (issue 6, NOTES §1.4). For each feeder (CIGRE LV, IEEE European LV) it simulates months of
// 15-min smart-meter data with the unbalanced power flow, corrupts it with noise, gaps and
// spikes per scenario, runs the estimator and reports ||S_est - S_true||_F / ||S_true||_F,
// diagonal errors and sign agreement against the targets (≤ 8 % at 0.1 V / 1 % with 2 % gaps;
// ≤ 12 % at 0.5 V / 2 %; every diagonal sign right). Exit 1 when a target is missed.

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "command.hpp"
#include "gridke/services/grid/model/ieee_european_lv_csv.hpp"
#include "gridke/services/grid/model/network_json.hpp"
#include "gridke/services/sensitivities/validation/lv_grid_simulation.hpp"

namespace {

using namespace gridke;
namespace grid = gridke::services::grid;
namespace se = gridke::services::sensitivities;
namespace sv = gridke::services::sensitivities::validation;

constexpr const char* verb = "simulate lv-grid";

const char* usage = R"(gridke simulate lv-grid [--feeder all|cigre-lv|ieee-eu-lv] [--days N]
                        [--data DIR] [--seed N] [--format text|json]

Validates the Sensitivities Engine against ground truth (issue 6, NOTES §1.4). For each feeder
it simulates N days (default 90) of 15-min smart-meter data (daily shape x AR(1) log-normal
load, power factor 0.95) with the unbalanced three-phase power flow, then for each scenario
corrupts the data and estimates the sensitivity matrix:
  low   0.1 V / 1 % noise, 2 % gaps, 0.1 % spikes   target ||S_est - S_true||_F / ||S_true||_F <= 8 %
  high  0.5 V / 2 % noise, 2 % gaps, 0.1 % spikes   target <= 12 %
and every diagonal sign right. S_true = -(dV/dP + tan(phi) dV/dQ) at the mean operating point.

Options:
  --feeder F    all (default), cigre-lv (tests/data/grid/cigre_lv.json, 15 three-phase loads)
                or ieee-eu-lv (tests/data/grid/ieee_european_lv_minute1, 55 customers)
  --days N      simulated days (>= 90 for the engine's 3-month rule; fewer relax that rule)
  --data DIR    folder holding cigre_lv.json and ieee_european_lv_minute1/
                (default: the source tree's tests/data/grid)
  --seed N      random seed (default 11)
  --format F    text (default) or json

Progress goes to stderr. Exit codes: 0 every target met; 1 a target missed; 2 usage; else the
error's exit code.)";

struct FeederSpec {
  std::string name;
  std::string path;
  bool csv = false;
  double load_scale = 1.0;
};

int run(const std::vector<std::string>& argv) {
  auto args = cli::Args::parse(argv, {"help"});
  if (!args) return cli::usage_error(verb, args.error().message());
  if (auto unknown = args->unknown({"feeder", "days", "data", "seed", "format"});
      !unknown.empty()) {
    return cli::usage_error(verb, "unknown option --" + unknown.front());
  }
  if (!args->positionals().empty()) {
    return cli::usage_error(verb, "unexpected argument '" + args->positionals().front() + "'");
  }
  const std::string feeder = args->get_or("feeder", "all");
  if (feeder != "all" && feeder != "cigre-lv" && feeder != "ieee-eu-lv") {
    return cli::usage_error(verb,
                            "--feeder must be all, cigre-lv or ieee-eu-lv, got '" + feeder + "'");
  }
  auto days = args->get_int("days");
  if (!days) return cli::usage_error(verb, days.error().message());
  const long long n_days = days->value_or(90);
  if (n_days < 7 || n_days > 730) {
    return cli::usage_error(verb, "--days must be in [7, 730], got " + std::to_string(n_days));
  }
  auto seed = args->get_int("seed");
  if (!seed) return cli::usage_error(verb, seed.error().message());
  const std::string format = args->get_or("format", "text");
  if (format != "text" && format != "json") {
    return cli::usage_error(verb, "--format must be text or json, got '" + format + "'");
  }
  const std::filesystem::path data =
      args->get_or("data", std::string(GRIDKE_SOURCE_DIR) + "/tests/data/grid");

  // IEEE EU LV loads are 1 kW nominal (their shapes carry the level): scaled to a 2 kW mean per
  // customer. CIGRE LV loads are the feeder's design loads (14–190 kW aggregates): half of them.
  std::vector<FeederSpec> feeders;
  if (feeder != "ieee-eu-lv")
    feeders.push_back({"cigre-lv", (data / "cigre_lv.json").string(), false, 0.5});
  if (feeder != "cigre-lv") {
    feeders.push_back({"ieee-eu-lv", (data / "ieee_european_lv_minute1").string(), true, 2.0});
  }
  const std::vector<sv::NoiseScenario> scenarios = {
      {"0.1 V / 1 % noise, 2 % gaps, 0.1 % spikes", 0.1, 0.01, 0.02, 0.001},
      {"0.5 V / 2 % noise, 2 % gaps, 0.1 % spikes", 0.5, 0.02, 0.02, 0.001}};
  const std::vector<double> targets = {0.08, 0.12};

  se::EstimatorOptions estimator;
  estimator.requirements.min_span_s =
      std::min<std::int64_t>(estimator.requirements.min_span_s, (n_days - 1) * 86400);
  nlohmann::json out = nlohmann::json::array();
  bool all_met = true;
  for (const auto& f : feeders) {
    std::cerr << "gridke simulate lv-grid: loading " << f.path << "\n";
    auto network = f.csv ? grid::read_ieee_european_lv(f.path) : grid::read_network_json(f.path);
    if (!network) return cli::fail(verb, network.error());
    network->name = f.name;
    sv::SimulationOptions so;
    so.days = static_cast<int>(n_days);
    so.load_scale = f.load_scale;
    so.seed = static_cast<unsigned>(seed->value_or(11));
    auto truth = sv::simulate_feeder(*network, so, [&](int done, int total) {
      std::cerr << "\r  " << f.name << ": power flow " << done << "/" << total << std::flush;
    });
    std::cerr << "\n";
    if (!truth) return cli::fail(verb, truth.error());
    std::cerr << "  " << f.name << ": " << truth->grid.meters.size() << " meters, "
              << truth->v[0].size() << " steps in " << truth->power_flow_seconds << " s\n";
    for (std::size_t k = 0; k < scenarios.size(); ++k) {
      auto r = sv::evaluate(*truth, scenarios[k], estimator, 5 + static_cast<unsigned>(k));
      if (!r) return cli::fail(verb, r.error());
      const bool met = r->frobenius_relative <= targets[k] && r->diagonal_signs_right == r->meters;
      all_met = all_met && met;
      out.push_back({{"feeder", r->feeder},
                     {"scenario", r->scenario},
                     {"meters", r->meters},
                     {"samples", r->samples},
                     {"frobenius_relative_error", r->frobenius_relative},
                     {"target", targets[k]},
                     {"worst_diagonal_relative_error", r->worst_diagonal_relative},
                     {"median_diagonal_relative_error", r->median_diagonal_relative},
                     {"diagonal_signs_right", r->diagonal_signs_right},
                     {"off_diagonal_sign_agreement", r->off_diagonal_sign_agreement},
                     {"true_diagonal_v_per_kw", {r->true_diagonal_min, r->true_diagonal_max}},
                     {"fit_seconds", r->fit_seconds},
                     {"power_flow_seconds", truth->power_flow_seconds},
                     {"met", met}});
      if (format == "text") {
        std::printf(
            "%-10s %-44s Frobenius %6.2f %% (target %4.1f %%)  diag worst %6.2f %% median "
            "%5.2f %%  diag signs %d/%d  off-diag signs %5.1f %%  %s\n",
            r->feeder.c_str(), r->scenario.c_str(), 100 * r->frobenius_relative, 100 * targets[k],
            100 * r->worst_diagonal_relative, 100 * r->median_diagonal_relative,
            r->diagonal_signs_right, r->meters, 100 * r->off_diagonal_sign_agreement,
            met ? "ok" : "MISSED");
      }
    }
  }
  if (format == "json") std::cout << out.dump(2) << "\n";
  return all_met ? cli::exit_ok : cli::exit_findings;
}

}  // namespace

GRIDKE_SUBCOMMAND({"simulate", "lv-grid",
                   "validate the Sensitivities Engine against power-flow ground truth "
                   "(CIGRE LV, IEEE EU LV)",
                   usage, run});
