#include "gridke/services/grid/power_flow.hpp"

#include <cmath>
#include <numbers>

#include "gridke/services/grid/solver/sweep_solver.hpp"
#include "translate.hpp"

namespace gridke::services::grid {

using solver::Complex;

double BusResult::magnitude_pu(int phase) const {
  return magnitude_v(phase) / (base_kv * 1000.0 / std::numbers::sqrt3);
}

double BusResult::angle_deg(int phase) const {
  return std::arg(voltage_v[static_cast<std::size_t>(phase)]) * 180.0 / std::numbers::pi;
}

const BusResult* Snapshot::find_bus(std::string_view id) const {
  for (const auto& b : buses) {
    if (b.id == id) return &b;
  }
  return nullptr;
}

const BranchResult* Snapshot::find_branch(std::string_view id) const {
  for (const auto& b : branches) {
    if (b.id == id) return &b;
  }
  return nullptr;
}

double Snapshot::min_voltage_pu(double base_kv) const {
  double lowest = INFINITY;
  for (const auto& b : buses) {
    if (base_kv != 0 && std::abs(b.base_kv - base_kv) > 1e-9) continue;
    for (int p = 0; p < 3; ++p) {
      if (b.phases.has(p)) lowest = std::min(lowest, b.magnitude_pu(p));
    }
  }
  return lowest;
}

struct PowerFlow::Impl {
  Network network;
  PowerFlowOptions options;
  detail::Translation tr;
  solver::SweepState state;
  std::vector<Complex> term_power;
  std::vector<const LoadShape*> shape_of_load;
  std::vector<LoadPower> powers;
  bool solved = false;
  solver::SweepStats stats;

  void powers_at_minute(int minute) {
    powers.resize(network.loads.size());
    for (std::size_t l = 0; l < network.loads.size(); ++l) {
      const Load& load = network.loads[l];
      LoadPower p{load.kw, load.kvar};
      if (const LoadShape* s = shape_of_load[l]) {
        const double m = s->at_minute(minute);
        p = s->use_actual ? LoadPower{m, load.kw != 0 ? m * load.kvar / load.kw : 0.0}
                          : LoadPower{m * load.kw, m * load.kvar};
      }
      powers[l] = p;
    }
  }

  Result<int> solve(std::span<const LoadPower> p) {
    if (p.size() != network.loads.size()) {
      return invalid_argument("expected " + std::to_string(network.loads.size()) +
                              " load powers, got " + std::to_string(p.size()));
    }
    tr.term_powers(p, term_power);
    solved = false;
    GRIDKE_ASSIGN_OR_RETURN(stats,
                            solver::solve_sweep(tr.model, term_power, state,
                                                {options.tolerance_pu, options.max_iterations}));
    solved = true;
    return stats.iterations;
  }

  std::complex<double> to_volts(int node, int phase) const {
    return state.voltage(phase, node) * tr.voltage_base_v(node);
  }

  Result<int> node_phase(const BusPhase& bp) const {
    auto bus = network.find_bus(bp.bus);
    if (!bus) return invalid_argument("unknown bus '" + bp.bus + "'");
    const int node = tr.node_of_bus[*bus];
    if (bp.phase < 0 || bp.phase > 2 ||
        ((tr.model.phase_mask[static_cast<std::size_t>(node)] >> bp.phase) & 1U) == 0) {
      return invalid_argument("bus '" + bp.bus + "' has no phase " + std::to_string(bp.phase));
    }
    return node;
  }
};

PowerFlow::PowerFlow(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PowerFlow::PowerFlow(PowerFlow&&) noexcept = default;
PowerFlow& PowerFlow::operator=(PowerFlow&&) noexcept = default;
PowerFlow::~PowerFlow() = default;

Result<PowerFlow> PowerFlow::create(Network network, PowerFlowOptions options) {
  auto impl = std::make_unique<Impl>();
  GRIDKE_ASSIGN_OR_RETURN(impl->tr, detail::translate(network, options.base_kva));
  for (const Load& l : network.loads) {
    impl->shape_of_load.push_back(l.shape.empty() ? nullptr : network.find_load_shape(l.shape));
  }
  impl->network = std::move(network);
  impl->options = options;
  return PowerFlow(std::move(impl));
}

const Network& PowerFlow::network() const { return impl_->network; }

void PowerFlow::reset() {
  impl_->state.initialised = false;
  impl_->solved = false;
}

Result<int> PowerFlow::solve_in_place(std::span<const LoadPower> powers) {
  return impl_->solve(powers);
}

Result<Snapshot> PowerFlow::solve(std::span<const LoadPower> powers) {
  GRIDKE_TRY(impl_->solve(powers));
  return snapshot();
}

Result<Snapshot> PowerFlow::solve_minute(int minute) {
  if (minute < 1) return invalid_argument("minute must be >= 1, got " + std::to_string(minute));
  impl_->powers_at_minute(minute);
  auto r = impl_->solve(impl_->powers);
  if (!r) return std::move(r).error().with_context("minute " + std::to_string(minute));
  return snapshot();
}

Snapshot PowerFlow::snapshot() const {
  const Impl& im = *impl_;
  const auto& tr = im.tr;
  const auto& v = im.state.voltage;
  const auto& cur = im.state.branch_current;
  const double sbase = tr.power_base_kva();
  Snapshot s;
  s.iterations = im.stats.iterations;
  s.max_change_pu = im.stats.max_change_pu;
  s.buses.reserve(im.network.buses.size());
  for (std::size_t b = 0; b < im.network.buses.size(); ++b) {
    const int node = tr.node_of_bus[b];
    BusResult r;
    r.id = im.network.buses[b].id;
    r.base_kv = tr.base_kv[static_cast<std::size_t>(node)];
    r.phases = PhaseSet{tr.model.phase_mask[static_cast<std::size_t>(node)]};
    for (int p = 0; p < 3; ++p) r.voltage_v[static_cast<std::size_t>(p)] = im.to_volts(node, p);
    s.buses.push_back(r);
  }
  s.branches.reserve(static_cast<std::size_t>(tr.model.node_count));
  for (int k = 1; k < tr.model.node_count; ++k) {
    const auto& br = tr.model.branches[static_cast<std::size_t>(k)];
    const auto& feed = tr.feed[static_cast<std::size_t>(k)];
    BranchResult r;
    r.kind = feed.kind;
    r.to_bus = im.network.buses[tr.bus_of_node[static_cast<std::size_t>(k)]].id;
    switch (feed.kind) {
      case BranchKind::source:
        r.id = "source";
        r.from_bus = "";
        break;
      case BranchKind::line: r.id = im.network.lines[feed.element].id; break;
      case BranchKind::switch_: r.id = im.network.switches[feed.element].id; break;
      case BranchKind::transformer: r.id = im.network.transformers[feed.element].id; break;
      case BranchKind::regulator: r.id = im.network.regulators[feed.element].id; break;
    }
    if (br.parent > 0) {
      r.from_bus = im.network.buses[tr.bus_of_node[static_cast<std::size_t>(br.parent)]].id;
    }
    const solver::Vector3c i_child = cur.col(k);
    const solver::Vector3c i_parent =
        br.ideal_coupling ? i_child : solver::Vector3c(br.d * i_child);
    Complex in = 0, out = 0;
    for (int p = 0; p < 3; ++p) {
      const Complex so = v(p, k) * std::conj(i_child(p));
      out += so;
      in += v(p, br.parent) * std::conj(i_parent(p));
      r.current_a[static_cast<std::size_t>(p)] = i_child(p) * tr.current_base_a(k);
      r.power_out_kva[static_cast<std::size_t>(p)] = so * sbase;
    }
    r.losses_kw = std::real(in - out) * sbase;
    s.branches.push_back(std::move(r));
  }
  Complex src = 0;
  for (int p = 0; p < 3; ++p) src += v(p, 0) * std::conj(cur(p, 0));
  s.source_power_kva = src * sbase;
  Complex load = 0;
  for (std::size_t t = 0; t < tr.model.terms.size(); ++t) {
    const auto& term = tr.model.terms[t];
    Complex u = v(term.from, term.node);
    if (term.to >= 0) u -= v(term.to, term.node);
    const double ratio = std::abs(u) / term.v_nominal_pu;
    switch (term.model) {
      case solver::TermModel::constant_power: load += im.term_power[t]; break;
      case solver::TermModel::constant_impedance: load += im.term_power[t] * ratio * ratio; break;
      case solver::TermModel::constant_current: load += im.term_power[t] * ratio; break;
    }
  }
  s.load_power_kva = load * sbase;
  s.losses_kw = std::real(s.source_power_kva - s.load_power_kva);
  return s;
}

Result<TimeSeries> PowerFlow::solve_series(int first_minute, int last_minute,
                                           std::span<const BusPhase> watched) {
  if (first_minute < 1 || last_minute < first_minute) {
    return invalid_argument("bad minute range " + std::to_string(first_minute) + ".." +
                            std::to_string(last_minute));
  }
  std::vector<std::pair<int, int>> nodes;
  for (const auto& w : watched) {
    GRIDKE_ASSIGN_OR_RETURN(int node, impl_->node_phase(w));
    nodes.emplace_back(node, w.phase);
  }
  TimeSeries ts;
  ts.watched.assign(watched.begin(), watched.end());
  const auto steps = static_cast<std::size_t>(last_minute - first_minute + 1);
  ts.minutes.reserve(steps);
  ts.voltage_v.reserve(steps * nodes.size());
  ts.losses_kw.reserve(steps);
  ts.source_power_kva.reserve(steps);
  const double sbase = impl_->tr.power_base_kva();
  for (int m = first_minute; m <= last_minute; ++m) {
    impl_->powers_at_minute(m);
    auto it = impl_->solve(impl_->powers);
    if (!it) return std::move(it).error().with_context("minute " + std::to_string(m));
    ts.total_iterations += *it;
    ts.minutes.push_back(m);
    for (auto [node, phase] : nodes) ts.voltage_v.push_back(impl_->to_volts(node, phase));
    const auto& v = impl_->state.voltage;
    const auto& cur = impl_->state.branch_current;
    Complex src = 0;
    for (int p = 0; p < 3; ++p) src += v(p, 0) * std::conj(cur(p, 0));
    Complex load = 0;
    for (const auto& lp : impl_->powers) load += Complex(lp.kw, lp.kvar);
    // Losses from the source power and the loads' powers; exact for constant-PQ loads. For Z/I
    // loads use snapshot().losses_kw, which evaluates each load at its voltage.
    bool all_pq = true;
    for (const auto& t : impl_->tr.model.terms) {
      all_pq = all_pq && t.model == solver::TermModel::constant_power;
    }
    ts.source_power_kva.push_back(src * sbase);
    ts.losses_kw.push_back(all_pq ? std::real(src * sbase - load) : snapshot().losses_kw);
  }
  return ts;
}

Result<Sensitivities> PowerFlow::sensitivities(std::span<const BusPhase> injections) {
  Impl& im = *impl_;
  if (!im.solved) return failed_precondition("sensitivities need a solved operating point");
  Sensitivities out;
  if (injections.empty()) {
    for (const Load& l : im.network.loads) {
      int first = 0;
      while (!l.phases.has(first)) ++first;
      BusPhase bp{l.bus, first};
      bool seen = false;
      for (const auto& x : out.injections) seen = seen || x == bp;
      if (!seen) out.injections.push_back(bp);
    }
  } else {
    out.injections.assign(injections.begin(), injections.end());
  }
  std::vector<solver::NodePhase> at;
  for (const auto& bp : out.injections) {
    GRIDKE_ASSIGN_OR_RETURN(int node, im.node_phase(bp));
    at.push_back({node, bp.phase});
  }
  solver::MatrixXd dp, dq;
  GRIDKE_TRY(solver::voltage_sensitivities(im.tr.model, im.term_power, im.state, at,
                                           {im.options.tolerance_pu, im.options.max_iterations}, dp,
                                           dq));
  std::vector<std::pair<int, int>> rows;
  for (std::size_t b = 0; b < im.network.buses.size(); ++b) {
    const int node = im.tr.node_of_bus[b];
    for (int p = 0; p < 3; ++p) {
      if ((im.tr.model.phase_mask[static_cast<std::size_t>(node)] >> p) & 1U) {
        out.nodes.push_back({im.network.buses[b].id, p});
        rows.emplace_back(node, p);
      }
    }
  }
  const auto nr = static_cast<Eigen::Index>(rows.size());
  out.dv_dp_v_per_kw.resize(nr, dp.cols());
  out.dv_dq_v_per_kvar.resize(nr, dp.cols());
  const double sbase = im.tr.power_base_kva();
  for (Eigen::Index r = 0; r < nr; ++r) {
    const auto [node, p] = rows[static_cast<std::size_t>(r)];
    const double scale = im.tr.voltage_base_v(node) / sbase;
    out.dv_dp_v_per_kw.row(r) = dp.row(3 * node + p) * scale;
    out.dv_dq_v_per_kvar.row(r) = dq.row(3 * node + p) * scale;
  }
  return out;
}

}  // namespace gridke::services::grid
