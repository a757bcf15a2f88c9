// Ground-truth simulation and comparison (lv_grid_simulation.hpp).

#include "gridke/services/sensitivities/validation/lv_grid_simulation.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <random>

#include "gridke/services/grid/power_flow.hpp"

namespace gridke::services::sensitivities::validation {
namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kArCoefficient = 0.8;
constexpr double kSpikeV = 20.0;

// Residential-looking daily shape (relative, mean ≈ 1): night trough, morning and evening peaks.
double daily_shape(double hour) {
  const double morning = std::exp(-0.5 * std::pow((hour - 7.5) / 1.2, 2));
  const double evening = std::exp(-0.5 * std::pow((hour - 19.0) / 2.0, 2));
  return 0.55 + 0.5 * morning + 0.9 * evening + 0.1 * std::sin(2 * kPi * hour / 24.0);
}

int first_phase(const grid::PhaseSet& p) {
  for (int k = 0; k < 3; ++k) {
    if (p.has(k)) return k;
  }
  return 0;
}

}  // namespace

Result<FeederTruth> simulate_feeder(const grid::Network& network, const SimulationOptions& o,
                                    const std::function<void(int, int)>& progress) {
  if (network.loads.empty()) return invalid_argument("feeder '" + network.name + "' has no loads");
  if (o.days < 1) return invalid_argument("days " + std::to_string(o.days) + " must be ≥ 1");
  if (o.step_s <= 0 || 86400 % o.step_s != 0) {
    return invalid_argument("step " + std::to_string(o.step_s) + " s must divide a day");
  }
  GRIDKE_ASSIGN_OR_RETURN(auto pf, grid::PowerFlow::create(network));
  const auto& loads = pf.network().loads;
  const std::size_t n = loads.size();
  const int steps = static_cast<int>(o.days * 86400 / o.step_s);

  FeederTruth out;
  out.feeder = network.name;
  out.grid.network_id = network.name;
  std::vector<grid::BusPhase> taps;
  for (const auto& l : loads) {
    out.grid.meters.push_back({l.id, "", MeterKind::regular, 0});
    taps.push_back({l.bus, first_phase(l.phases)});
  }
  // Which snapshot bus each meter reads (resolved once).
  std::vector<std::size_t> bus_index(n);
  {
    std::map<std::string, std::size_t> index;
    for (std::size_t b = 0; b < pf.network().buses.size(); ++b) index[pf.network().buses[b].id] = b;
    for (std::size_t j = 0; j < n; ++j) bus_index[j] = index.at(taps[j].bus);
  }

  std::mt19937_64 rng(o.seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::uniform_real_distribution<double> uniform(0.6, 1.4);
  std::vector<double> base(n), ar(n, 0.0), mean_kw(n, 0.0);
  for (std::size_t j = 0; j < n; ++j) base[j] = loads[j].kw * o.load_scale * uniform(rng);
  out.v.assign(n, std::vector<double>(static_cast<std::size_t>(steps)));
  out.p.assign(n, std::vector<double>(static_cast<std::size_t>(steps)));
  std::vector<grid::LoadPower> powers(n);
  const double innovation = std::sqrt(1 - kArCoefficient * kArCoefficient);
  const auto t0 = std::chrono::steady_clock::now();
  for (int step = 0; step < steps; ++step) {
    const double hour = std::fmod(static_cast<double>(step * o.step_s) / 3600.0, 24.0);
    const double shape = daily_shape(hour);
    for (std::size_t j = 0; j < n; ++j) {
      ar[j] = kArCoefficient * ar[j] + innovation * normal(rng);
      const double kw = base[j] * shape * std::exp(0.5 * ar[j] - 0.125);
      powers[j] = {kw, kw * o.tan_phi};
      out.p[j][static_cast<std::size_t>(step)] = kw;
      mean_kw[j] += kw / steps;
    }
    auto it = pf.solve_in_place(powers);
    if (!it)
      return it.error().with_context("feeder '" + network.name + "', step " + std::to_string(step));
    out.power_flow_iterations += *it;
    const grid::Snapshot snap = pf.snapshot();
    for (std::size_t j = 0; j < n; ++j) {
      out.v[j][static_cast<std::size_t>(step)] =
          snap.buses[bus_index[j]].magnitude_v(taps[j].phase);
    }
    if (progress && (step % 500 == 0 || step + 1 == steps)) progress(step + 1, steps);
  }
  out.power_flow_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  // Truth at the mean operating point; one injection per phase of every load.
  for (std::size_t j = 0; j < n; ++j) powers[j] = {mean_kw[j], mean_kw[j] * o.tan_phi};
  GRIDKE_TRY(pf.solve(powers));
  std::vector<grid::BusPhase> injections;
  std::vector<std::vector<std::size_t>> columns(n);
  for (std::size_t j = 0; j < n; ++j) {
    for (int k = 0; k < 3; ++k) {
      if (!loads[j].phases.has(k)) continue;
      columns[j].push_back(injections.size());
      injections.push_back({loads[j].bus, k});
    }
  }
  GRIDKE_ASSIGN_OR_RETURN(const auto sens, pf.sensitivities(injections));
  std::map<std::pair<std::string, int>, Eigen::Index> row_of;
  for (std::size_t r = 0; r < sens.nodes.size(); ++r) {
    row_of[{sens.nodes[r].bus, sens.nodes[r].phase}] = static_cast<Eigen::Index>(r);
  }
  out.s_true.resize(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(n));
  for (std::size_t i = 0; i < n; ++i) {
    const Eigen::Index r = row_of.at({taps[i].bus, taps[i].phase});
    for (std::size_t j = 0; j < n; ++j) {
      double s = 0;
      for (const auto c : columns[j]) {
        const auto cc = static_cast<Eigen::Index>(c);
        s += -(sens.dv_dp_v_per_kw(r, cc) + o.tan_phi * sens.dv_dq_v_per_kvar(r, cc));
      }
      out.s_true(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) =
          s / static_cast<double>(columns[j].size());
    }
  }
  out.grid.network_id = network.name.empty() ? "feeder" : network.name;
  // Keep the grid id usable in REST paths.
  for (auto& c : out.grid.network_id) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') c = '-';
  }
  out.start_s = o.start_s;
  out.step_s = o.step_s;
  return out;
}

HistoricalData corrupt(const FeederTruth& t, const NoiseScenario& s, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  HistoricalData d;
  for (std::size_t j = 0; j < t.v.size(); ++j) {
    MeterHistory h;
    h.meter = t.grid.meters[j];
    const std::size_t steps = t.v[j].size();
    h.measurements.reserve(steps);
    for (std::size_t k = 0; k < steps; ++k) {
      const bool edge = k == 0 || k + 1 == steps;
      if (!edge && uniform(rng) < s.gap_rate) continue;
      double v = t.v[j][k] + s.sigma_v * normal(rng);
      if (s.spike_rate > 0 && uniform(rng) < s.spike_rate) {
        v += (uniform(rng) < 0.5 ? -1 : 1) * kSpikeV;
      }
      h.measurements.push_back({t.start_s + static_cast<std::int64_t>(k) * t.step_s, v,
                                t.p[j][k] * (1 + s.sigma_p * normal(rng))});
    }
    d.meters.push_back(std::move(h));
  }
  return d;
}

Result<ScenarioResult> evaluate(const FeederTruth& t, const NoiseScenario& s,
                                const EstimatorOptions& estimator, unsigned seed) {
  const HistoricalData data = corrupt(t, s, seed);
  const auto t0 = std::chrono::steady_clock::now();
  GRIDKE_ASSIGN_OR_RETURN(const auto est, estimate_sensitivities(t.grid, data, estimator));
  ScenarioResult r;
  r.fit_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  r.feeder = t.feeder;
  r.scenario = s.name;
  r.meters = static_cast<int>(t.grid.meters.size());
  r.samples = t.v.empty() ? 0 : static_cast<int>(t.v[0].size());
  r.quality = est.quality;
  const auto n = static_cast<Eigen::Index>(t.grid.meters.size());
  if (est.sensitivity_v_per_kw.rows() != n || est.sensitivity_v_per_kw.cols() != n) {
    return Error(ErrorCode::internal,
                 "feeder '" + t.feeder + "': the estimate has " +
                     std::to_string(est.sensitivity_v_per_kw.rows()) + "×" +
                     std::to_string(est.sensitivity_v_per_kw.cols()) + " coefficients for " +
                     std::to_string(n) + " meters (not identifiable: " +
                     std::to_string(est.quality.not_identifiable.size()) + ")");
  }
  for (Eigen::Index i = 0; i < n; ++i) {
    if (est.voltage_meters[static_cast<std::size_t>(i)] !=
            t.grid.meters[static_cast<std::size_t>(i)].meter_id ||
        est.injection_meters[static_cast<std::size_t>(i)] !=
            t.grid.meters[static_cast<std::size_t>(i)].meter_id) {
      return Error(ErrorCode::internal,
                   "feeder '" + t.feeder + "': meter order differs at " + std::to_string(i));
    }
  }
  const Eigen::MatrixXd& e = est.sensitivity_v_per_kw;
  r.frobenius_relative = (e - t.s_true).norm() / t.s_true.norm();
  std::vector<double> diag;
  int off_same = 0, off_total = 0;
  for (Eigen::Index i = 0; i < n; ++i) {
    const double rel = std::abs(e(i, i) / t.s_true(i, i) - 1);
    diag.push_back(rel);
    if (std::signbit(e(i, i)) == std::signbit(t.s_true(i, i))) ++r.diagonal_signs_right;
    for (Eigen::Index j = 0; j < n; ++j) {
      if (i == j) continue;
      ++off_total;
      if (std::signbit(e(i, j)) == std::signbit(t.s_true(i, j))) ++off_same;
    }
  }
  std::sort(diag.begin(), diag.end());
  r.worst_diagonal_relative = diag.back();
  r.median_diagonal_relative = diag[diag.size() / 2];
  r.off_diagonal_sign_agreement = off_total > 0 ? static_cast<double>(off_same) / off_total : 1.0;
  r.true_diagonal_min = t.s_true.diagonal().minCoeff();
  r.true_diagonal_max = t.s_true.diagonal().maxCoeff();
  return r;
}

}  // namespace gridke::services::sensitivities::validation
