#pragma once
// Solver input: a radial feeder as indices and per-unit values (STYLE.md §2.6). Built from the
// domain model by one translation step (src/translate.cpp); nothing here knows ids or units.
//
// Layout: node 0 is the ideal source EMF (a slack node that is never a load bus); nodes
// 1..n-1 are buses in topological order, so branches[k] connects parent[k] < k to node k.
// Every branch is a two-port in Kersting's generalised form (Distribution System Modeling and
// Analysis, 4th ed., §10.1, "generalized matrices"):
//   V_child  = a V_parent - b I_child        (forward sweep)
//   I_parent = d I_child                     (backward sweep)
// with I_child the phase currents leaving the branch into the child node. Lines, switches and
// the source impedance have a = d = identity and b = Z_abc; a Delta - grounded-Wye transformer
// (secondary lagging 30 degrees) has, in per unit with turns factor k = 1 / (sqrt(3) tap),
//   a = k [[1,0,-1],[-1,1,0],[0,-1,1]],  d = a^T,  b = Z_t I
// (power-conserving: V_p^T conj(d I) = (a V_p)^T conj(I)); a grounded-Wye pair has a = d = k I,
// and a fixed-ratio regulator bank a = d = diag(r_A, r_B, r_C), b = 0.
// Per-unit: per-phase power base S_base / 3, voltage base = bus line-to-line kV / sqrt(3).
// Thread safety: plain data, immutable once built.

#include <cstdint>
#include <utility>
#include <vector>

#include "gridke/services/grid/solver/linear_algebra.hpp"

namespace gridke::services::grid::solver {

struct FeederBranch {
  int parent = -1;
  bool ideal_coupling = true;  ///< a = d = identity (lines, switches, source impedance)
  Matrix3c a = Matrix3c::Identity();
  Matrix3c b = Matrix3c::Zero();
  Matrix3c d = Matrix3c::Identity();
};

enum class TermModel : std::uint8_t { constant_power, constant_impedance, constant_current };

/// One load element: between phase `from` and phase `to` of `node` (to = -1: to ground, i.e.
/// a wye element). Its consumed power at element voltage u (per unit) is
///   constant_power:     S = S0
///   constant_impedance: S = S0 (|u| / v_nominal)^2
///   constant_current:   S = S0 |u| / v_nominal,
/// the current I = conj(S / u) flows from phase `from` to `to`.
struct LoadTerm {
  int node = 0;
  int from = 0;
  int to = -1;
  TermModel model = TermModel::constant_power;
  double v_nominal_pu = 1.0;
};

struct FeederModel {
  int node_count = 0;
  Vector3c source_emf;                           ///< EMF of node 0, per unit
  std::vector<FeederBranch> branches;            ///< size node_count; branches[0] is unused
  std::vector<std::uint8_t> phase_mask;          ///< per node: bit p set when phase p exists
  std::vector<std::pair<int, Matrix3c>> shunts;  ///< constant admittance to ground at a node
  std::vector<LoadTerm> terms;
};

}  // namespace gridke::services::grid::solver
