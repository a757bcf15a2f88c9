#include "gridke/services/grid/solver/sweep_solver.hpp"

#include <cmath>
#include <sstream>

namespace gridke::services::grid::solver {
namespace {

std::string format(double v) {
  std::ostringstream out;
  out.precision(3);
  out << std::scientific << v;
  return out.str();
}

/// Element voltage of a term.
Complex element_voltage(const LoadTerm& t, const PhaseColumns& v) {
  const Complex u = v(t.from, t.node);
  return t.to < 0 ? u : u - v(t.to, t.node);
}

/// Current of a term (flowing from phase `from` to `to`/ground) at element voltage u.
Complex term_current(const LoadTerm& t, Complex s, Complex u) {
  switch (t.model) {
    case TermModel::constant_power: return std::conj(s / u);
    case TermModel::constant_impedance: return std::conj(s) * u / (t.v_nominal_pu * t.v_nominal_pu);
    case TermModel::constant_current: return std::conj(s) / t.v_nominal_pu * u / std::abs(u);
  }
  return {};
}

/// Derivative of term_current in the direction du (real-linear, not complex-linear).
Complex term_current_derivative(const LoadTerm& t, Complex s, Complex u, Complex du) {
  switch (t.model) {
    case TermModel::constant_power: {
      const Complex cu = std::conj(u);
      return -std::conj(s) * std::conj(du) / (cu * cu);
    }
    case TermModel::constant_impedance:
      return std::conj(s) * du / (t.v_nominal_pu * t.v_nominal_pu);
    case TermModel::constant_current: {
      const double m = std::abs(u);
      const Complex dir = du / m - u * std::real(std::conj(u) * du) / (m * m * m);
      return std::conj(s) / t.v_nominal_pu * dir;
    }
  }
  return {};
}

void add_term_current(const LoadTerm& t, Complex i, PhaseColumns& injection) {
  injection(t.from, t.node) += i;
  if (t.to >= 0) injection(t.to, t.node) -= i;
}

void add_shunts(const FeederModel& model, const PhaseColumns& v, PhaseColumns& injection) {
  for (const auto& [node, y] : model.shunts) injection.col(node) += y * v.col(node);
}

/// Backward sweep of `injection` into `current`, then forward sweep from `emf` into `v`.
void sweep(const FeederModel& model, const Vector3c& emf, const PhaseColumns& injection,
           PhaseColumns& current, PhaseColumns& v) {
  current = injection;
  for (int k = model.node_count - 1; k >= 1; --k) {
    const FeederBranch& br = model.branches[static_cast<std::size_t>(k)];
    if (br.ideal_coupling) {
      current.col(br.parent) += current.col(k);
    } else {
      current.col(br.parent) += br.d * current.col(k);
    }
  }
  v.col(0) = emf;
  for (int k = 1; k < model.node_count; ++k) {
    const FeederBranch& br = model.branches[static_cast<std::size_t>(k)];
    if (br.ideal_coupling) {
      v.col(k) = v.col(br.parent) - br.b * current.col(k);
    } else {
      v.col(k) = br.a * v.col(br.parent) - br.b * current.col(k);
    }
    const std::uint8_t mask = model.phase_mask[static_cast<std::size_t>(k)];
    if (mask != 7) {
      for (int p = 0; p < 3; ++p) {
        if (((mask >> p) & 1U) == 0) v(p, k) = 0;
      }
    }
  }
}

void resize(const FeederModel& model, SweepState& state) {
  state.voltage.setZero(3, model.node_count);
  state.branch_current.setZero(3, model.node_count);
  state.injection.setZero(3, model.node_count);
  state.previous.setZero(3, model.node_count);
}

}  // namespace

void flat_start(const FeederModel& model, SweepState& state) {
  resize(model, state);
  sweep(model, model.source_emf, state.injection, state.branch_current, state.voltage);
  state.initialised = true;
}

Result<SweepStats> solve_sweep(const FeederModel& model, std::span<const Complex> term_power,
                               SweepState& state, const SweepOptions& options) {
  if (!state.initialised || state.voltage.cols() != model.node_count) flat_start(model, state);
  SweepStats stats;
  for (int it = 1; it <= options.max_iterations; ++it) {
    state.injection.setZero();
    for (std::size_t t = 0; t < model.terms.size(); ++t) {
      const LoadTerm& term = model.terms[t];
      const Complex u = element_voltage(term, state.voltage);
      if (!(std::abs(u) > 0) || !std::isfinite(std::abs(u))) {
        state.initialised = false;
        return numerical("voltage collapsed at iteration " + std::to_string(it) + ": node " +
                         std::to_string(term.node) + " phase " + std::to_string(term.from) +
                         " has voltage " + format(std::abs(u)) + " pu");
      }
      add_term_current(term, term_current(term, term_power[t], u), state.injection);
    }
    add_shunts(model, state.voltage, state.injection);
    state.previous.swap(state.voltage);
    sweep(model, model.source_emf, state.injection, state.branch_current, state.voltage);
    stats.iterations = it;
    // Squared magnitudes avoid one hypot() per node (the dominant cost of this check).
    stats.max_change_pu = std::sqrt((state.voltage - state.previous).cwiseAbs2().maxCoeff());
    if (!std::isfinite(stats.max_change_pu)) {
      state.initialised = false;
      return numerical("voltage collapsed at iteration " + std::to_string(it) +
                       ": voltages are not finite");
    }
    if (stats.max_change_pu <= options.tolerance_pu) return stats;
  }
  state.initialised = false;
  return numerical("power flow: no convergence after " + std::to_string(stats.iterations) +
                   " iterations: max voltage change " + format(stats.max_change_pu) +
                   " pu > tolerance " + format(options.tolerance_pu) + " pu");
}

Result<void> voltage_sensitivities(const FeederModel& model, std::span<const Complex> term_power,
                                   const SweepState& state, std::span<const NodePhase> injections,
                                   const SweepOptions& options, MatrixXd& dvm_dp,
                                   MatrixXd& dvm_dq) {
  const int rows = 3 * model.node_count;
  const auto cols = static_cast<Eigen::Index>(injections.size());
  dvm_dp.setZero(rows, cols);
  dvm_dq.setZero(rows, cols);
  const PhaseColumns& v = state.voltage;
  const Vector3c zero = Vector3c::Zero();
  PhaseColumns dv(3, model.node_count), dv_next(3, model.node_count);
  PhaseColumns dinj(3, model.node_count), dcur(3, model.node_count);
  for (Eigen::Index c = 0; c < cols; ++c) {
    const NodePhase& at = injections[static_cast<std::size_t>(c)];
    for (int q = 0; q < 2; ++q) {
      // Injected dS = 1 (P) or j (Q) per unit: the node draws dI = -conj(dS) / conj(V).
      const Complex ds = q == 0 ? Complex(1, 0) : Complex(0, 1);
      const Complex fixed = -std::conj(ds) / std::conj(v(at.phase, at.node));
      dv.setZero();
      bool converged = false;
      double change = 0;
      for (int it = 0; it < options.max_iterations && !converged; ++it) {
        dinj.setZero();
        dinj(at.phase, at.node) += fixed;
        for (std::size_t t = 0; t < model.terms.size(); ++t) {
          const LoadTerm& term = model.terms[t];
          const Complex u = element_voltage(term, v);
          const Complex du = element_voltage(term, dv);
          add_term_current(term, term_current_derivative(term, term_power[t], u, du), dinj);
        }
        add_shunts(model, dv, dinj);
        sweep(model, zero, dinj, dcur, dv_next);
        change = std::sqrt((dv_next - dv).cwiseAbs2().maxCoeff());
        const double scale = std::sqrt(dv_next.cwiseAbs2().maxCoeff());
        dv.swap(dv_next);
        converged = change <= linear_tolerance * std::max(scale, 1e-300);
      }
      if (!converged) {
        return numerical("voltage sensitivities: no convergence after " +
                         std::to_string(options.max_iterations) + " iterations: max change " +
                         format(change) + " pu > tolerance " + format(linear_tolerance) +
                         " (relative)");
      }
      MatrixXd& out = q == 0 ? dvm_dp : dvm_dq;
      for (int n = 0; n < model.node_count; ++n) {
        for (int p = 0; p < 3; ++p) {
          const double m = std::abs(v(p, n));
          if (m > 0) out(3 * n + p, c) = std::real(std::conj(v(p, n)) * dv(p, n)) / m;
        }
      }
    }
  }
  return ok();
}

}  // namespace gridke::services::grid::solver
