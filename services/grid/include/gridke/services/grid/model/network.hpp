#pragma once
// Domain model of a radial distribution feeder: buses, line codes, lines, switches, the MV/LV
// transformer, the Thevenin source, loads and load shapes. Everything carries its id and its
// unit in its name (STYLE.md §2.4); no Eigen, no per-unit values (those live in solver/).
//
// Thread safety: plain value types; immutable once built, share const Networks freely.
// Ownership: a Network owns all its elements by value; elements refer to each other by id.
//
// Conventions (chosen to match OpenDSS, which produced the IEEE European LV reference solution):
// - Phases are A, B, C. Every bus has an implicit, solidly grounded neutral (node 0): wye loads
//   connect phase-to-ground, and 3-phase line codes are Kron-reduced 3x3 (neutral folded in).
// - Sequence line codes expand to a phase matrix Z_abc = A diag(Z0, Z1, Z1) A^-1 (A = Fortescue),
//   i.e. self (Z0 + 2 Z1)/3 and mutual (Z0 - Z1)/3 (OpenDSS LineCode, Kersting §4.5).
// - Capacitances are in nF per km (OpenDSS LineCode C1/C0 unit); shunt admittance j 2 pi f C,
//   half at each end of the line (pi model).
// - Loads consume positive kW/kvar; PF > 0 means lagging (kvar > 0).

#include <array>
#include <complex>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "gridke/base/result.hpp"

namespace gridke::services::grid {

/// A set of phases as a bit mask: bit 0 = A, bit 1 = B, bit 2 = C.
struct PhaseSet {
  std::uint8_t mask = 0;

  static constexpr PhaseSet abc() { return PhaseSet{7}; }
  bool has(int phase) const { return (mask >> phase) & 1U; }
  int count() const { return has(0) + has(1) + has(2); }
  /// Parses "A", "BC", "ABC" (case-insensitive) or OpenDSS node lists "1", "1.2.3".
  static std::optional<PhaseSet> parse(std::string_view text);
  /// "A", "BC", "ABC".
  std::string to_string() const;
  friend bool operator==(PhaseSet, PhaseSet) = default;
};

/// Phase letter of index 0..2.
char phase_letter(int phase);

struct Bus {
  std::string id;
  std::optional<double> x;  ///< coordinate, as given in the source data (unit of that data)
  std::optional<double> y;
};

/// Series impedance and shunt capacitance per km, as sequence values or as a full 3x3 matrix.
struct LineCode {
  enum class Kind : std::uint8_t { sequence, matrix };
  std::string id;
  Kind kind = Kind::sequence;
  // Kind::sequence (Ohm/km, nF/km).
  double r1_ohm_per_km = 0, x1_ohm_per_km = 0, r0_ohm_per_km = 0, x0_ohm_per_km = 0;
  double c1_nf_per_km = 0, c0_nf_per_km = 0;
  // Kind::matrix: row-major 3x3 phase matrices (Ohm/km, nF/km).
  std::array<std::complex<double>, 9> z_ohm_per_km{};
  std::array<double, 9> c_nf_per_km{};

  /// The 3x3 series impedance (Ohm/km), row-major, expanded from sequence values if needed.
  std::array<std::complex<double>, 9> phase_impedance_ohm_per_km() const;
  /// The 3x3 shunt capacitance (nF/km), row-major: self (C0 + 2 C1)/3, mutual (C0 - C1)/3.
  std::array<double, 9> phase_capacitance_nf_per_km() const;
};

struct Line {
  std::string id;
  std::string from_bus;
  std::string to_bus;
  PhaseSet phases = PhaseSet::abc();
  double length_km = 0;
  std::string line_code;
};

/// An ideal closed tie between two buses (zero impedance). Open switches are not in the model.
struct Switch {
  std::string id;
  std::string from_bus;
  std::string to_bus;
};

enum class WindingConnection : std::uint8_t { delta, wye_grounded };

/// A 3-phase two-winding transformer. Supported: Delta (primary) – grounded Wye (secondary),
/// secondary lagging the primary by 30 degrees (ANSI / Dyn1, as OpenDSS and the IEEE European LV
/// feeder), and grounded Wye – grounded Wye. Impedance on the transformer's own rating.
struct Transformer {
  std::string id;
  std::string primary_bus;
  std::string secondary_bus;
  double kv_primary = 0;    ///< rated line-to-line voltage, kV
  double kv_secondary = 0;  ///< rated line-to-line voltage, kV
  double rated_kva = 0;     ///< 3-phase rating
  WindingConnection primary_connection = WindingConnection::delta;
  WindingConnection secondary_connection = WindingConnection::wye_grounded;
  double percent_r = 0;  ///< total winding resistance, % on rating
  double percent_x = 0;  ///< leakage reactance XHL, % on rating
  double tap_pu = 1.0;   ///< off-nominal tap on the primary winding (1.0 = rated ratio)
};

/// A bank of three single-phase step-voltage regulators in grounded wye with fixed ratios:
/// V_to = ratio V_from and I_from = ratio I_to per phase (ideal, no impedance; Kersting,
/// Distribution System Modeling and Analysis, §7.2). With 32 steps of 0.625 %, tap n raising the
/// voltage gives ratio 1 + 0.00625 n, as in the IEEE 13-node published solution.
struct Regulator {
  std::string id;
  std::string from_bus;
  std::string to_bus;
  std::array<double, 3> ratio_pu{1.0, 1.0, 1.0};
};

/// The upstream grid as an ideal balanced 3-phase EMF behind a 3x3 sequence impedance.
struct Source {
  std::string bus = "SourceBus";
  double kv = 0;            ///< base line-to-line voltage, kV
  double voltage_pu = 1.0;  ///< EMF magnitude on that base
  double angle_deg = 0;     ///< EMF angle of phase A
  double r1_ohm = 0, x1_ohm = 0, r0_ohm = 0, x0_ohm = 0;

  /// OpenDSS Vsource impedance from 3-phase and 1-phase short-circuit currents (A) and X/R
  /// ratios (OpenDSS defaults X1/R1 = 4, X0/R0 = 3):
  ///   |Z1| = kV^2 / MVAsc3, MVAsc3 = sqrt(3) kV Isc3 / 1000;  R1 = |Z1| cos(atan(X1/R1)).
  ///   Isc1 = 3 V_LN / |2 Z1 + Z0| solved for R0 with X0 = (X0/R0) R0 (a quadratic).
  /// Errors: invalid_argument when a current is not positive or Isc1 is inconsistent with Isc3.
  static Result<Source> from_short_circuit(std::string bus, double kv, double voltage_pu,
                                           double isc3_a, double isc1_a, double x1_r1 = 4.0,
                                           double x0_r0 = 3.0);
};

enum class LoadModel : std::uint8_t {
  constant_power,      ///< OpenDSS model 1: S independent of V
  constant_impedance,  ///< OpenDSS model 2: S = S0 (|V| / V_nominal)^2
  constant_current,    ///< OpenDSS model 5: S = S0 |V| / V_nominal
};

enum class LoadConnection : std::uint8_t { wye, delta };

struct Load {
  std::string id;
  std::string bus;
  PhaseSet phases;  ///< 1 phase (wye) / 2 phases (delta, phase-to-phase) / 3 phases
  LoadConnection connection = LoadConnection::wye;
  LoadModel model = LoadModel::constant_power;
  double kv = 0;      ///< nominal voltage of each element: L-N for 1-phase wye, else L-L (OpenDSS)
  double kw = 0;      ///< nominal total active power
  double kvar = 0;    ///< nominal total reactive power
  std::string shape;  ///< load-shape id, empty = constant
};

/// A daily (or longer) multiplier series. With use_actual the multiplier is the load's kW
/// (kvar from the load's power factor); otherwise it multiplies the nominal kW and kvar.
struct LoadShape {
  std::string id;
  double interval_minutes = 1.0;
  bool use_actual = false;
  std::vector<double> multipliers;

  /// Multiplier at minute M (1-based, M = 1 is the first point, as OpenDSS time steps); the
  /// shape repeats after its last point. REQUIRES: !multipliers.empty(), minute >= 1.
  double at_minute(int minute) const;
};

/// Active and reactive power of one load at one instant.
struct LoadPower {
  double kw = 0;
  double kvar = 0;
};

/// A feeder. Built by the readers (ieee_european_lv_csv.hpp, network_json.hpp) or by hand, then
/// checked with validate().
class Network {
 public:
  std::string name;
  double frequency_hz = 50;
  Source source;
  std::vector<Bus> buses;
  std::vector<LineCode> line_codes;
  std::vector<Line> lines;
  std::vector<Switch> switches;
  std::vector<Transformer> transformers;
  std::vector<Regulator> regulators;
  std::vector<Load> loads;
  std::vector<LoadShape> load_shapes;

  /// Checks references and values: every line/transformer/load bus exists, line codes and
  /// shapes exist, lengths and ratings positive, ids unique, load phases valid for their
  /// connection. Radiality and connectivity are checked when the solver is built.
  /// Errors: invalid_argument naming the element and the field.
  Result<void> validate() const;

  /// Index of a bus by id, or nullopt.
  std::optional<std::size_t> find_bus(std::string_view id) const;
  const LineCode* find_line_code(std::string_view id) const;
  const LoadShape* find_load_shape(std::string_view id) const;

  /// Power of every load (in `loads` order) at minute M of its shape (loads without a shape
  /// use their nominal kW/kvar). REQUIRES: validate() succeeded, minute >= 1.
  std::vector<LoadPower> load_powers_at_minute(int minute) const;
};

}  // namespace gridke::services::grid
