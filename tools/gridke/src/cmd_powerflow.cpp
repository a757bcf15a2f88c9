// gridke powerflow: solves a feeder (IEEE European LV CSV folder or GridKE JSON file) at one
// minute of its load shapes and prints every bus and phase.

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "command.hpp"
#include "gridke/services/grid/model/ieee_european_lv_csv.hpp"
#include "gridke/services/grid/model/network_json.hpp"
#include "gridke/services/grid/power_flow.hpp"

namespace {

using namespace gridke;
namespace grid = gridke::services::grid;

constexpr const char* verb = "powerflow";

std::string fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

int run_powerflow(const std::vector<std::string>& argv) {
  auto args = cli::Args::parse(argv, {"help"});
  if (!args) return cli::usage_error(verb, args.error().message());
  if (auto unknown = args->unknown({"minute", "format"}); !unknown.empty()) {
    return cli::usage_error(verb, "unknown option --" + unknown.front());
  }
  if (args->positionals().size() != 1) return cli::usage_error(verb, "expected one FEEDER");
  const std::string feeder = args->positionals().front();
  auto minute = args->get_int("minute");
  if (!minute) return cli::usage_error(verb, minute.error().message());
  const long long m = minute->value_or(1);
  if (m < 1) return cli::usage_error(verb, "--minute must be >= 1, got " + std::to_string(m));
  const std::string format = args->get_or("format", "csv");
  if (format != "csv" && format != "json") {
    return cli::usage_error(verb, "--format must be csv or json, got '" + format + "'");
  }

  std::cerr << "gridke powerflow: loading " << feeder << "\n";
  auto network = std::filesystem::is_directory(feeder) ? grid::read_ieee_european_lv(feeder)
                                                       : grid::read_network_json(feeder);
  if (!network) return cli::fail(verb, network.error());
  auto pf = grid::PowerFlow::create(std::move(network).value());
  if (!pf) return cli::fail(verb, pf.error());
  auto snap = pf->solve_minute(static_cast<int>(m));
  if (!snap) return cli::fail(verb, snap.error());
  std::cerr << "gridke powerflow: converged in " << snap->iterations << " iterations, losses "
            << fixed(snap->losses_kw, 4) << " kW\n";

  if (format == "json") {
    nlohmann::json out;
    out["feeder"] = feeder;
    out["minute"] = m;
    out["iterations"] = snap->iterations;
    out["source_kw"] = snap->source_power_kva.real();
    out["source_kvar"] = snap->source_power_kva.imag();
    out["losses_kw"] = snap->losses_kw;
    auto& rows = out["voltages"] = nlohmann::json::array();
    for (const auto& b : snap->buses) {
      for (int p = 0; p < 3; ++p) {
        if (!b.phases.has(p)) continue;
        rows.push_back({{"bus", b.id},
                        {"phase", std::string(1, grid::phase_letter(p))},
                        {"magnitude_pu", b.magnitude_pu(p)},
                        {"magnitude_v", b.magnitude_v(p)},
                        {"angle_deg", b.angle_deg(p)}});
      }
    }
    std::cout << out.dump(1) << "\n";
    return cli::exit_ok;
  }
  std::cout << "bus,phase,magnitude_pu,magnitude_v,angle_deg\n";
  for (const auto& b : snap->buses) {
    for (int p = 0; p < 3; ++p) {
      if (!b.phases.has(p)) continue;
      std::cout << b.id << ',' << grid::phase_letter(p) << ',' << fixed(b.magnitude_pu(p), 6) << ','
                << fixed(b.magnitude_v(p), 3) << ',' << fixed(b.angle_deg(p), 3) << '\n';
    }
  }
  return cli::exit_ok;
}

}  // namespace

GRIDKE_COMMAND({"powerflow", "solve an unbalanced 3-phase power flow of a radial feeder",
                "Usage: gridke powerflow FEEDER [--minute M] [--format csv|json]\n\n"
                "Solves the feeder at one minute of its load shapes and prints every bus and\n"
                "phase: bus, phase, |V| (pu of the bus base), |V| (V), angle (degrees).\n\n"
                "FEEDER   a folder in the IEEE European LV test-feeder CSV layout (Source.csv,\n"
                "         Transformer.csv, LineCodes.csv, Lines.csv, Loads.csv, LoadShapes.csv,\n"
                "         Buscoords.csv) or a GridKE grid JSON file (docs/grid.md)\n"
                "--minute M          load-shape step, 1-based (default 1)\n"
                "--format csv|json   output format (default csv)\n\n"
                "Progress goes to stderr. Exit codes: 0 ok, 2 usage error, 3 bad input,\n"
                "4 file not found, 7 no convergence.\n",
                run_powerflow});
