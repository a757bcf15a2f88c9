#include "translate.hpp"

#include <cmath>
#include <deque>
#include <map>
#include <numbers>
#include <numeric>
#include <unordered_map>

namespace gridke::services::grid::detail {
namespace {

using solver::Complex;
using solver::Matrix3c;

constexpr double deg = std::numbers::pi / 180.0;

struct Edge {
  BranchKind kind;
  std::size_t element;
  std::size_t other;
  bool forward;  ///< false: reaching a transformer from its secondary side
};

Matrix3c from_rowmajor(const std::array<Complex, 9>& m) {
  Matrix3c out;
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j) out(i, j) = m[static_cast<std::size_t>(3 * i + j)];
  }
  return out;
}

Matrix3c sequence_matrix(Complex z1, Complex z0) {
  const Complex self = (z0 + 2.0 * z1) / 3.0;
  const Complex mutual = (z0 - z1) / 3.0;
  Matrix3c m;
  m.setConstant(mutual);
  m.diagonal().setConstant(self);
  return m;
}

void mask_matrix(Matrix3c& m, PhaseSet phases) {
  for (int p = 0; p < 3; ++p) {
    if (!phases.has(p)) {
      m.row(p).setZero();
      m.col(p).setZero();
    }
  }
}

std::string element_name(const Network& net, BranchKind kind, std::size_t i) {
  switch (kind) {
    case BranchKind::line: return "line '" + net.lines[i].id + "'";
    case BranchKind::switch_: return "switch '" + net.switches[i].id + "'";
    case BranchKind::transformer: return "transformer '" + net.transformers[i].id + "'";
    case BranchKind::source: return "source";
  }
  return {};
}

}  // namespace

double Translation::voltage_base_v(int node) const {
  return base_kv[static_cast<std::size_t>(node)] * 1000.0 / std::numbers::sqrt3;
}

double Translation::current_base_a(int node) const {
  return base_kva / (std::numbers::sqrt3 * base_kv[static_cast<std::size_t>(node)]);
}

void Translation::term_powers(std::span<const LoadPower> powers,
                              std::vector<solver::Complex>& out) const {
  out.resize(model.terms.size());
  const double base = power_base_kva();
  for (std::size_t l = 0; l + 1 < term_begin.size(); ++l) {
    const std::size_t n = term_begin[l + 1] - term_begin[l];
    const Complex s = Complex(powers[l].kw, powers[l].kvar) / (static_cast<double>(n) * base);
    for (std::size_t t = term_begin[l]; t < term_begin[l + 1]; ++t) out[t] = s;
  }
}

Result<Translation> translate(const Network& net, double base_kva) {
  GRIDKE_TRY(net.validate());
  if (!(base_kva > 0)) return invalid_argument("base_kva must be positive");
  const std::size_t nb = net.buses.size();
  std::unordered_map<std::string, std::size_t> bus_index;
  for (std::size_t i = 0; i < nb; ++i) bus_index.emplace(net.buses[i].id, i);

  std::vector<std::vector<Edge>> adj(nb);
  for (std::size_t i = 0; i < net.lines.size(); ++i) {
    const auto f = bus_index.at(net.lines[i].from_bus), t = bus_index.at(net.lines[i].to_bus);
    adj[f].push_back({BranchKind::line, i, t, true});
    adj[t].push_back({BranchKind::line, i, f, true});
  }
  for (std::size_t i = 0; i < net.switches.size(); ++i) {
    const auto f = bus_index.at(net.switches[i].from_bus);
    const auto t = bus_index.at(net.switches[i].to_bus);
    adj[f].push_back({BranchKind::switch_, i, t, true});
    adj[t].push_back({BranchKind::switch_, i, f, true});
  }
  for (std::size_t i = 0; i < net.transformers.size(); ++i) {
    const auto f = bus_index.at(net.transformers[i].primary_bus);
    const auto t = bus_index.at(net.transformers[i].secondary_bus);
    adj[f].push_back({BranchKind::transformer, i, t, true});
    adj[t].push_back({BranchKind::transformer, i, f, false});
  }

  Translation tr;
  tr.base_kva = base_kva;
  const double base_mva = base_kva / 1000.0;
  auto& model = tr.model;
  tr.node_of_bus.assign(nb, -1);
  tr.bus_of_node.push_back(nb);  // node 0: the EMF
  tr.base_kv.push_back(net.source.kv);
  tr.feed.push_back({BranchKind::source, 0});
  model.branches.emplace_back();
  model.phase_mask.push_back(7);

  // Node 1: the source bus, behind the source impedance.
  const std::size_t src = bus_index.at(net.source.bus);
  {
    solver::FeederBranch br;
    br.parent = 0;
    const double zbase = net.source.kv * net.source.kv / base_mva;
    br.b = sequence_matrix(Complex(net.source.r1_ohm, net.source.x1_ohm),
                           Complex(net.source.r0_ohm, net.source.x0_ohm)) /
           zbase;
    model.branches.push_back(br);
    model.phase_mask.push_back(7);
    tr.node_of_bus[src] = 1;
    tr.bus_of_node.push_back(src);
    tr.base_kv.push_back(net.source.kv);
    tr.feed.push_back({BranchKind::source, 0});
  }
  const double a0 = net.source.angle_deg * deg;
  for (int p = 0; p < 3; ++p) {
    model.source_emf(p) = std::polar(net.source.voltage_pu, a0 - p * 120.0 * deg);
  }

  std::map<int, Matrix3c> shunts;
  std::vector<std::pair<BranchKind, std::size_t>> fed_by(nb, {BranchKind::source, SIZE_MAX});
  std::deque<std::size_t> queue{src};
  while (!queue.empty()) {
    const std::size_t u = queue.front();
    queue.pop_front();
    const int parent = tr.node_of_bus[u];
    const double kv = tr.base_kv[static_cast<std::size_t>(parent)];
    const PhaseSet parent_phases{model.phase_mask[static_cast<std::size_t>(parent)]};
    for (const Edge& e : adj[u]) {
      if (fed_by[u] == std::pair{e.kind, e.element}) continue;
      if (tr.node_of_bus[e.other] >= 0) {
        return invalid_argument("network is not radial: " + element_name(net, e.kind, e.element) +
                                " closes a loop at bus '" + net.buses[e.other].id + "'");
      }
      if (!e.forward) {
        return invalid_argument(element_name(net, e.kind, e.element) +
                                " is reached from its secondary bus '" + net.buses[u].id +
                                "'; the source must be on the primary side");
      }
      solver::FeederBranch br;
      br.parent = parent;
      double child_kv = kv;
      PhaseSet phases = parent_phases;
      const double zbase = kv * kv / base_mva;
      if (e.kind == BranchKind::line) {
        const Line& line = net.lines[e.element];
        if ((line.phases.mask & ~parent_phases.mask) != 0) {
          return invalid_argument(element_name(net, e.kind, e.element) + " has phases " +
                                  line.phases.to_string() + " but bus '" + net.buses[u].id +
                                  "' has only " + parent_phases.to_string());
        }
        phases = line.phases;
        const LineCode* code = net.find_line_code(line.line_code);
        br.b = from_rowmajor(code->phase_impedance_ohm_per_km()) * (line.length_km / zbase);
        mask_matrix(br.b, phases);
        const auto c = code->phase_capacitance_nf_per_km();
        Matrix3c y = Matrix3c::Zero();
        bool any = false;
        for (int i = 0; i < 9; ++i) {
          const double cap = c[static_cast<std::size_t>(i)];
          any = any || cap != 0;
          // Half of j w C l at each end, per unit (Y_pu = Y_S * Z_base).
          y(i / 3, i % 3) = Complex(0, 2 * std::numbers::pi * net.frequency_hz * cap * 1e-9 *
                                           line.length_km * zbase / 2.0);
        }
        if (any) {
          mask_matrix(y, phases);
          const int child = static_cast<int>(model.branches.size());
          for (int node : {parent, child}) {
            auto [it, inserted] = shunts.try_emplace(node, Matrix3c::Zero());
            it->second += y;
          }
        }
      } else if (e.kind == BranchKind::transformer) {
        const Transformer& t = net.transformers[e.element];
        if (parent_phases.mask != 7) {
          return invalid_argument(element_name(net, e.kind, e.element) + " needs 3 phases at '" +
                                  net.buses[u].id + "'");
        }
        child_kv = t.kv_secondary;
        double k = kv / (t.kv_primary * t.tap_pu);
        br.ideal_coupling = false;
        if (t.primary_connection == WindingConnection::delta) {
          k /= std::numbers::sqrt3;
          Matrix3c at;
          at << 1, 0, -1, -1, 1, 0, 0, -1, 1;
          br.a = k * at;
        } else {
          br.a = k * Matrix3c::Identity();
        }
        br.d = br.a.transpose();
        br.b = Matrix3c::Identity() *
               (Complex(t.percent_r, t.percent_x) / 100.0 * (base_kva / t.rated_kva));
        phases = PhaseSet::abc();
      }
      const int child = static_cast<int>(model.branches.size());
      model.branches.push_back(br);
      model.phase_mask.push_back(phases.mask);
      tr.node_of_bus[e.other] = child;
      tr.bus_of_node.push_back(e.other);
      tr.base_kv.push_back(child_kv);
      tr.feed.push_back({e.kind, e.element});
      fed_by[e.other] = {e.kind, e.element};
      queue.push_back(e.other);
    }
  }
  std::vector<std::string> unreached;
  for (std::size_t i = 0; i < nb; ++i) {
    if (tr.node_of_bus[i] < 0) unreached.push_back(net.buses[i].id);
  }
  if (!unreached.empty()) {
    std::string list;
    for (std::size_t i = 0; i < unreached.size() && i < 5; ++i) {
      list += (i ? ", '" : "'") + unreached[i] + "'";
    }
    return invalid_argument(std::to_string(unreached.size()) +
                            " bus(es) not connected to the source bus '" + net.source.bus +
                            "': " + list);
  }
  model.node_count = static_cast<int>(model.branches.size());
  for (auto& [node, y] : shunts) model.shunts.emplace_back(node, y);

  tr.term_begin.push_back(0);
  for (const Load& l : net.loads) {
    const int node = tr.node_of_bus[bus_index.at(l.bus)];
    const std::uint8_t mask = model.phase_mask[static_cast<std::size_t>(node)];
    if ((l.phases.mask & ~mask) != 0) {
      return invalid_argument("load '" + l.id + "' uses phases " + l.phases.to_string() +
                              " but bus '" + l.bus + "' has only " + PhaseSet{mask}.to_string());
    }
    const double base_ln_kv = tr.base_kv[static_cast<std::size_t>(node)] / std::numbers::sqrt3;
    solver::TermModel m = solver::TermModel::constant_power;
    if (l.model == LoadModel::constant_impedance) m = solver::TermModel::constant_impedance;
    if (l.model == LoadModel::constant_current) m = solver::TermModel::constant_current;
    std::vector<int> ph;
    for (int p = 0; p < 3; ++p) {
      if (l.phases.has(p)) ph.push_back(p);
    }
    // OpenDSS: kV is the element voltage for 1-phase loads, line-to-line otherwise.
    if (l.connection == LoadConnection::wye) {
      const double element_kv = ph.size() == 1 ? l.kv : l.kv / std::numbers::sqrt3;
      for (int p : ph) model.terms.push_back({node, p, -1, m, element_kv / base_ln_kv});
    } else if (ph.size() == 2) {
      model.terms.push_back({node, ph[0], ph[1], m, l.kv / base_ln_kv});
    } else {
      for (int p = 0; p < 3; ++p)
        model.terms.push_back({node, p, (p + 1) % 3, m, l.kv / base_ln_kv});
    }
    tr.term_begin.push_back(model.terms.size());
  }
  return tr;
}

}  // namespace gridke::services::grid::detail
