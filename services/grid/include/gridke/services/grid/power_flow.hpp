#pragma once
// PowerFlow: solves a Network (model/network.hpp) with the unbalanced three-phase sweep solver
// (solver/sweep_solver.hpp) — snapshots, quasi-static time series over the load shapes, and
// exact voltage sensitivities — and reports results in domain units (V, A, kW, degrees) by id.
//
// Thread safety: not thread-safe; a PowerFlow keeps the last solution as the warm start of the
// next solve. Use one PowerFlow per thread (create() copies what it needs from the Network).
// Ownership: owns a copy of the Network and the solver state; results are values.

#include <array>
#include <complex>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "gridke/base/result.hpp"
#include "gridke/services/grid/model/network.hpp"

namespace gridke::services::grid {

struct PowerFlowOptions {
  double tolerance_pu = 1e-10;  ///< largest voltage change between sweeps at convergence
  int max_iterations = 100;
  double base_kva = 1000;  ///< 3-phase per-unit power base (only affects rounding)
};

/// One phase of one bus.
struct BusPhase {
  std::string bus;
  int phase = 0;  ///< 0 = A, 1 = B, 2 = C
  friend bool operator==(const BusPhase&, const BusPhase&) = default;
};

struct BusResult {
  std::string id;
  double base_kv = 0;  ///< line-to-line base; phase voltages are per unit of base_kv / sqrt(3)
  PhaseSet phases;
  std::array<std::complex<double>, 3> voltage_v{};  ///< phase-to-ground, 0 for absent phases

  double magnitude_v(int phase) const {
    return std::abs(voltage_v[static_cast<std::size_t>(phase)]);
  }
  double magnitude_pu(int phase) const;
  double angle_deg(int phase) const;
};

enum class BranchKind : std::uint8_t { source, line, switch_, transformer, regulator };

struct BranchResult {
  std::string id;  ///< element id ("source" for the source impedance)
  BranchKind kind = BranchKind::line;
  std::string from_bus;
  std::string to_bus;
  /// Phase currents at the `to` end (secondary side for a transformer), A.
  std::array<std::complex<double>, 3> current_a{};
  /// Complex power per phase leaving the branch into `to_bus`, kVA.
  std::array<std::complex<double>, 3> power_out_kva{};
  double losses_kw = 0;  ///< series losses (all phases)
};

/// The solved state at one instant.
struct Snapshot {
  int iterations = 0;
  double max_change_pu = 0;
  std::vector<BusResult> buses;           ///< in Network::buses order
  std::vector<BranchResult> branches;     ///< source impedance, then breadth-first from it
  std::complex<double> source_power_kva;  ///< delivered by the source EMF
  std::complex<double> load_power_kva;    ///< consumed by all loads at their actual voltages
  double losses_kw = 0;                   ///< source_power - load_power (real part)

  const BusResult* find_bus(std::string_view id) const;
  const BranchResult* find_branch(std::string_view id) const;
  /// Lowest phase voltage magnitude over all buses of the given base kV (0 = any), per unit.
  double min_voltage_pu(double base_kv = 0) const;
};

/// A quasi-static series over consecutive minutes.
struct TimeSeries {
  std::vector<int> minutes;
  std::vector<BusPhase> watched;
  /// voltage_v[step * watched.size() + j]: phase-to-ground voltage of watched[j], V.
  std::vector<std::complex<double>> voltage_v;
  std::vector<double> losses_kw;
  std::vector<std::complex<double>> source_power_kva;
  int total_iterations = 0;
};

/// dV/dP and dV/dQ at an operating point. Row i = nodes[i] (every bus-phase that exists, in
/// Network::buses order), column j = injections[j]. Power is *injected* (generation positive),
/// so a load's own diagonal entry is positive; for consumption change the sign.
struct Sensitivities {
  std::vector<BusPhase> nodes;
  std::vector<BusPhase> injections;
  Eigen::MatrixXd dv_dp_v_per_kw;    ///< d|V| (V) per kW injected
  Eigen::MatrixXd dv_dq_v_per_kvar;  ///< d|V| (V) per kvar injected
};

class PowerFlow {
 public:
  /// Validates `network`, checks it is radial and connected, and builds the solver model.
  /// Errors: invalid_argument from Network::validate(); invalid_argument "bus 'X' is not
  /// connected to the source bus 'Y'" (names up to 5 buses and the count) or "not radial:
  /// line 'X' closes a loop" ; invalid_argument for a load on a phase its bus lacks.
  static Result<PowerFlow> create(Network network, PowerFlowOptions options = {});

  PowerFlow(PowerFlow&&) noexcept;
  PowerFlow& operator=(PowerFlow&&) noexcept;
  ~PowerFlow();

  const Network& network() const;

  /// Solves with every load at minute M (1-based) of its load shape, warm-started from the
  /// previous solve. Errors: invalid_argument for minute < 1; numerical on no convergence
  /// (iteration count, largest voltage change, tolerance).
  Result<Snapshot> solve_minute(int minute);
  /// Solves with explicit load powers (Network::loads order). Errors: invalid_argument when
  /// powers.size() differs from the number of loads; numerical as solve_minute.
  Result<Snapshot> solve(std::span<const LoadPower> powers);
  /// Solves without building a Snapshot (fast path for series and benchmarks); returns the
  /// iteration count. The result is read with snapshot().
  Result<int> solve_in_place(std::span<const LoadPower> powers);
  /// The snapshot of the last successful solve. REQUIRES: a solve succeeded.
  Snapshot snapshot() const;

  /// Solves minutes first..last (inclusive, 1-based) in order, each warm-started from the one
  /// before, recording the watched bus-phases. Errors: invalid_argument for a bad range or an
  /// unknown watched bus/phase; numerical naming the minute that failed.
  Result<TimeSeries> solve_series(int first_minute, int last_minute,
                                  std::span<const BusPhase> watched);

  /// Exact sensitivities at the last solved operating point, for injections at `injections`
  /// (empty = one per load's bus and first phase). Errors: failed_precondition before any solve;
  /// invalid_argument for an unknown bus/phase; numerical if the linearisation fails.
  Result<Sensitivities> sensitivities(std::span<const BusPhase> injections = {});

  /// Forgets the warm start (the next solve starts flat).
  void reset();

 private:
  struct Impl;
  explicit PowerFlow(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace gridke::services::grid
