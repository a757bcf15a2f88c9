#pragma once
// The one translation step from the domain model (ids, kV, Ohm, kW) to the solver input
// (indices, per unit) — STYLE.md §2.6 — and the index maps to translate results back.
// Thread safety: free function; results are values.

#include <string>
#include <vector>

#include "gridke/base/result.hpp"
#include "gridke/services/grid/model/network.hpp"
#include "gridke/services/grid/power_flow.hpp"
#include "gridke/services/grid/solver/feeder.hpp"

namespace gridke::services::grid::detail {

/// What feeds a solver node: which element is the branch from its parent.
struct NodeFeed {
  BranchKind kind = BranchKind::line;
  std::size_t element = 0;  ///< index into Network::lines / switches / transformers
};

struct Translation {
  solver::FeederModel model;
  double base_kva = 1000;
  std::vector<int> node_of_bus;          ///< Network::buses index -> solver node
  std::vector<std::size_t> bus_of_node;  ///< solver node -> Network::buses index (node 0: none)
  std::vector<double> base_kv;           ///< per node, line-to-line
  std::vector<NodeFeed> feed;            ///< per node (node 0 unused)
  /// Terms of load l are terms [term_begin[l], term_begin[l + 1]).
  std::vector<std::size_t> term_begin;

  /// Per-unit term powers (consumed) for the given load powers.
  void term_powers(std::span<const LoadPower> powers, std::vector<solver::Complex>& out) const;
  double voltage_base_v(int node) const;                    ///< phase-to-ground base, V
  double current_base_a(int node) const;                    ///< A
  double power_base_kva() const { return base_kva / 3.0; }  ///< per phase
};

/// Builds the solver model. Errors: see PowerFlow::create.
Result<Translation> translate(const Network& network, double base_kva);

}  // namespace gridke::services::grid::detail
