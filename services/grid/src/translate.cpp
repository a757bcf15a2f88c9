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
    case BranchKind::regulator: return "regulator '" + net.regulators[i].id + "'";
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

namespace {

/// Builds a Translation by a breadth-first walk from the source bus; one method per step so
/// each stays short. Used once per translate() call.
class Builder {
 public:
  Builder(const Network& net, double base_kva) : net_(net), base_mva_(base_kva / 1000.0) {
    tr_.base_kva = base_kva;
  }

  Result<Translation> run() {
    index_buses();
    add_source();
    GRIDKE_TRY(grow_tree());
    GRIDKE_TRY(check_connected());
    tr_.model.node_count = static_cast<int>(tr_.model.branches.size());
    for (auto& [node, y] : shunts_) tr_.model.shunts.emplace_back(node, y);
    GRIDKE_TRY(add_loads());
    return std::move(tr_);
  }

 private:
  void index_buses() {
    const std::size_t nb = net_.buses.size();
    for (std::size_t i = 0; i < nb; ++i) bus_index_.emplace(net_.buses[i].id, i);
    adj_.resize(nb);
    auto link = [&](BranchKind kind, std::size_t i, const std::string& a, const std::string& b,
                    bool reversible) {
      const auto f = bus_index_.at(a), t = bus_index_.at(b);
      adj_[f].push_back({kind, i, t, true});
      adj_[t].push_back({kind, i, f, reversible});
    };
    for (std::size_t i = 0; i < net_.lines.size(); ++i) {
      link(BranchKind::line, i, net_.lines[i].from_bus, net_.lines[i].to_bus, true);
    }
    for (std::size_t i = 0; i < net_.switches.size(); ++i) {
      link(BranchKind::switch_, i, net_.switches[i].from_bus, net_.switches[i].to_bus, true);
    }
    for (std::size_t i = 0; i < net_.transformers.size(); ++i) {
      const Transformer& t = net_.transformers[i];
      link(BranchKind::transformer, i, t.primary_bus, t.secondary_bus, false);
    }
    for (std::size_t i = 0; i < net_.regulators.size(); ++i) {
      const Regulator& r = net_.regulators[i];
      link(BranchKind::regulator, i, r.from_bus, r.to_bus, false);
    }
    tr_.node_of_bus.assign(nb, -1);
    fed_by_.assign(nb, {BranchKind::source, SIZE_MAX});
  }

  void push_node(const solver::FeederBranch& br, std::uint8_t mask, std::size_t bus, double kv,
                 NodeFeed feed) {
    if (bus < tr_.node_of_bus.size()) {
      tr_.node_of_bus[bus] = static_cast<int>(tr_.model.branches.size());
    }
    tr_.model.branches.push_back(br);
    tr_.model.phase_mask.push_back(mask);
    tr_.bus_of_node.push_back(bus);
    tr_.base_kv.push_back(kv);
    tr_.feed.push_back(feed);
  }

  /// Node 0 = the EMF, node 1 = the source bus behind the source impedance.
  void add_source() {
    const Source& s = net_.source;
    push_node(solver::FeederBranch{}, 7, net_.buses.size(), s.kv, {BranchKind::source, 0});
    solver::FeederBranch br;
    br.parent = 0;
    br.b = sequence_matrix(Complex(s.r1_ohm, s.x1_ohm), Complex(s.r0_ohm, s.x0_ohm)) /
           (s.kv * s.kv / base_mva_);
    push_node(br, 7, bus_index_.at(s.bus), s.kv, {BranchKind::source, 0});
    const double a0 = s.angle_deg * deg;
    for (int p = 0; p < 3; ++p) {
      tr_.model.source_emf(p) = std::polar(s.voltage_pu, a0 - p * 120.0 * deg);
    }
  }

  Result<void> grow_tree() {
    std::deque<std::size_t> queue{bus_index_.at(net_.source.bus)};
    while (!queue.empty()) {
      const std::size_t u = queue.front();
      queue.pop_front();
      for (const Edge& e : adj_[u]) {
        if (fed_by_[u] == std::pair{e.kind, e.element}) continue;
        if (tr_.node_of_bus[e.other] >= 0) {
          return invalid_argument(
              "network is not radial: " + element_name(net_, e.kind, e.element) +
              " closes a loop at bus '" + net_.buses[e.other].id + "'");
        }
        if (!e.forward) {
          return invalid_argument(element_name(net_, e.kind, e.element) +
                                  " is reached from its secondary bus '" + net_.buses[u].id +
                                  "'; the source must be on the primary side");
        }
        GRIDKE_TRY(add_branch(u, e));
        fed_by_[e.other] = {e.kind, e.element};
        queue.push_back(e.other);
      }
    }
    return ok();
  }

  Result<void> add_branch(std::size_t u, const Edge& e) {
    const int parent = tr_.node_of_bus[u];
    const double kv = tr_.base_kv[static_cast<std::size_t>(parent)];
    const PhaseSet parent_phases{tr_.model.phase_mask[static_cast<std::size_t>(parent)]};
    solver::FeederBranch br;
    br.parent = parent;
    double child_kv = kv;
    PhaseSet phases = parent_phases;
    if (e.kind == BranchKind::line) {
      const Line& line = net_.lines[e.element];
      if ((line.phases.mask & ~parent_phases.mask) != 0) {
        return invalid_argument(element_name(net_, e.kind, e.element) + " has phases " +
                                line.phases.to_string() + " but bus '" + net_.buses[u].id +
                                "' has only " + parent_phases.to_string());
      }
      phases = line.phases;
      line_branch(line, kv, parent, br);
    } else if (e.kind == BranchKind::transformer) {
      const Transformer& t = net_.transformers[e.element];
      if (parent_phases.mask != 7) {
        return invalid_argument(element_name(net_, e.kind, e.element) + " needs 3 phases at '" +
                                net_.buses[u].id + "'");
      }
      transformer_branch(t, kv, br);
      child_kv = t.kv_secondary;
      phases = PhaseSet::abc();
    } else if (e.kind == BranchKind::regulator) {
      // Ideal per-phase ratio: a = d = diag(ratio), b = 0 (see model/network.hpp).
      const Regulator& r = net_.regulators[e.element];
      br.ideal_coupling = false;
      br.a = Matrix3c::Zero();
      for (int p = 0; p < 3; ++p) br.a(p, p) = r.ratio_pu[static_cast<std::size_t>(p)];
      br.d = br.a;
    }
    push_node(br, phases.mask, e.other, child_kv, {e.kind, e.element});
    return ok();
  }

  /// Series Z_abc l / Z_base; shunt j w C l / 2 at each end (pi model), per unit.
  void line_branch(const Line& line, double kv, int parent, solver::FeederBranch& br) {
    const double zbase = kv * kv / base_mva_;
    const LineCode* code = net_.find_line_code(line.line_code);
    br.b = from_rowmajor(code->phase_impedance_ohm_per_km()) * (line.length_km / zbase);
    mask_matrix(br.b, line.phases);
    const auto c = code->phase_capacitance_nf_per_km();
    Matrix3c y = Matrix3c::Zero();
    bool any = false;
    for (int i = 0; i < 9; ++i) {
      const double cap = c[static_cast<std::size_t>(i)];
      any = any || cap != 0;
      y(i / 3, i % 3) = Complex(
          0, 2 * std::numbers::pi * net_.frequency_hz * cap * 1e-9 * line.length_km * zbase / 2.0);
    }
    if (!any) return;
    mask_matrix(y, line.phases);
    const int child = static_cast<int>(tr_.model.branches.size());
    for (int node : {parent, child}) {
      auto [it, inserted] = shunts_.try_emplace(node, Matrix3c::Zero());
      it->second += y;
    }
  }

  /// Kersting's generalised matrices in per unit; see solver/feeder.hpp.
  void transformer_branch(const Transformer& t, double kv, solver::FeederBranch& br) const {
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
           (Complex(t.percent_r, t.percent_x) / 100.0 * (tr_.base_kva / t.rated_kva));
  }

  Result<void> check_connected() const {
    std::vector<std::string> unreached;
    for (std::size_t i = 0; i < net_.buses.size(); ++i) {
      if (tr_.node_of_bus[i] < 0) unreached.push_back(net_.buses[i].id);
    }
    if (unreached.empty()) return ok();
    std::string list;
    for (std::size_t i = 0; i < unreached.size() && i < 5; ++i) {
      list += (i ? ", '" : "'") + unreached[i] + "'";
    }
    return invalid_argument(std::to_string(unreached.size()) +
                            " bus(es) not connected to the source bus '" + net_.source.bus +
                            "': " + list);
  }

  /// One term per wye phase, per delta pair; OpenDSS: kV is the element voltage for 1-phase
  /// loads, line-to-line otherwise.
  Result<void> add_loads() {
    auto& model = tr_.model;
    tr_.term_begin.push_back(0);
    for (const Load& l : net_.loads) {
      const int node = tr_.node_of_bus[bus_index_.at(l.bus)];
      const std::uint8_t mask = model.phase_mask[static_cast<std::size_t>(node)];
      if ((l.phases.mask & ~mask) != 0) {
        return invalid_argument("load '" + l.id + "' uses phases " + l.phases.to_string() +
                                " but bus '" + l.bus + "' has only " + PhaseSet{mask}.to_string());
      }
      const double base_ln_kv = tr_.base_kv[static_cast<std::size_t>(node)] / std::numbers::sqrt3;
      solver::TermModel m = solver::TermModel::constant_power;
      if (l.model == LoadModel::constant_impedance) m = solver::TermModel::constant_impedance;
      if (l.model == LoadModel::constant_current) m = solver::TermModel::constant_current;
      std::vector<int> ph;
      for (int p = 0; p < 3; ++p) {
        if (l.phases.has(p)) ph.push_back(p);
      }
      if (l.connection == LoadConnection::wye) {
        const double element_kv = ph.size() == 1 ? l.kv : l.kv / std::numbers::sqrt3;
        for (int p : ph) model.terms.push_back({node, p, -1, m, element_kv / base_ln_kv});
      } else if (ph.size() == 2) {
        model.terms.push_back({node, ph[0], ph[1], m, l.kv / base_ln_kv});
      } else {
        for (int p = 0; p < 3; ++p) {
          model.terms.push_back({node, p, (p + 1) % 3, m, l.kv / base_ln_kv});
        }
      }
      tr_.term_begin.push_back(model.terms.size());
    }
    return ok();
  }

  const Network& net_;
  const double base_mva_;
  Translation tr_;
  std::unordered_map<std::string, std::size_t> bus_index_;
  std::vector<std::vector<Edge>> adj_;
  std::vector<std::pair<BranchKind, std::size_t>> fed_by_;
  std::map<int, Matrix3c> shunts_;
};

}  // namespace

Result<Translation> translate(const Network& net, double base_kva) {
  GRIDKE_TRY(net.validate());
  if (!(base_kva > 0)) return invalid_argument("base_kva must be positive");
  return Builder(net, base_kva).run();
}

}  // namespace gridke::services::grid::detail
