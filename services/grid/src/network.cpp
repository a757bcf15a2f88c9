#include "gridke/services/grid/model/network.hpp"

#include <cctype>
#include <cmath>
#include <numbers>
#include <unordered_set>

namespace gridke::services::grid {

std::optional<PhaseSet> PhaseSet::parse(std::string_view text) {
  PhaseSet set;
  for (char ch : text) {
    int phase = -1;
    switch (std::toupper(static_cast<unsigned char>(ch))) {
      case 'A':
      case '1': phase = 0; break;
      case 'B':
      case '2': phase = 1; break;
      case 'C':
      case '3': phase = 2; break;
      case '.':
      case ' ': continue;
      default: return std::nullopt;
    }
    if (set.has(phase)) return std::nullopt;
    set.mask = static_cast<std::uint8_t>(set.mask | (1U << phase));
  }
  if (set.mask == 0) return std::nullopt;
  return set;
}

std::string PhaseSet::to_string() const {
  std::string out;
  for (int p = 0; p < 3; ++p) {
    if (has(p)) out += phase_letter(p);
  }
  return out;
}

char phase_letter(int phase) { return static_cast<char>('A' + phase); }

std::array<std::complex<double>, 9> LineCode::phase_impedance_ohm_per_km() const {
  if (kind == Kind::matrix) return z_ohm_per_km;
  const std::complex<double> z1(r1_ohm_per_km, x1_ohm_per_km);
  const std::complex<double> z0(r0_ohm_per_km, x0_ohm_per_km);
  const std::complex<double> self = (z0 + 2.0 * z1) / 3.0;
  const std::complex<double> mutual = (z0 - z1) / 3.0;
  std::array<std::complex<double>, 9> z{};
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j) z[static_cast<std::size_t>(3 * i + j)] = i == j ? self : mutual;
  }
  return z;
}

std::array<double, 9> LineCode::phase_capacitance_nf_per_km() const {
  if (kind == Kind::matrix) return c_nf_per_km;
  const double self = (c0_nf_per_km + 2.0 * c1_nf_per_km) / 3.0;
  const double mutual = (c0_nf_per_km - c1_nf_per_km) / 3.0;
  std::array<double, 9> c{};
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j) c[static_cast<std::size_t>(3 * i + j)] = i == j ? self : mutual;
  }
  return c;
}

Result<Source> Source::from_short_circuit(std::string bus, double kv, double voltage_pu,
                                          double isc3_a, double isc1_a, double x1_r1,
                                          double x0_r0) {
  if (!(kv > 0))
    return invalid_argument("source voltage must be positive, got " + std::to_string(kv) + " kV");
  if (!(isc3_a > 0) || !(isc1_a > 0)) {
    return invalid_argument("source short-circuit currents must be positive, got ISC3 = " +
                            std::to_string(isc3_a) + " A, ISC1 = " + std::to_string(isc1_a) + " A");
  }
  Source s;
  s.bus = std::move(bus);
  s.kv = kv;
  s.voltage_pu = voltage_pu;
  const double mva_sc3 = std::numbers::sqrt3 * kv * isc3_a / 1000.0;
  const double z1 = kv * kv / mva_sc3;
  const double angle1 = std::atan(x1_r1);
  s.r1_ohm = z1 * std::cos(angle1);
  s.x1_ohm = z1 * std::sin(angle1);
  // |2 Z1 + Z0| = 3 V_LN / Isc1 with Z0 = R0 (1 + j X0/R0): a R0^2 + b R0 + c = 0.
  const double v_ln = kv * 1000.0 / std::numbers::sqrt3;
  const double a = 1.0 + x0_r0 * x0_r0;
  const double b = 4.0 * (s.r1_ohm + s.x1_ohm * x0_r0);
  const double c =
      4.0 * (s.r1_ohm * s.r1_ohm + s.x1_ohm * s.x1_ohm) - std::pow(3.0 * v_ln / isc1_a, 2.0);
  const double disc = b * b - 4.0 * a * c;
  if (disc < 0 || c > 0) {
    return invalid_argument(
        "source ISC1 = " + std::to_string(isc1_a) +
        " A is larger than the 3-phase value allows (ISC3 = " + std::to_string(isc3_a) + " A)");
  }
  s.r0_ohm = (-b + std::sqrt(disc)) / (2.0 * a);
  s.x0_ohm = s.r0_ohm * x0_r0;
  return s;
}

double LoadShape::at_minute(int minute) const {
  const auto n = static_cast<long long>(multipliers.size());
  // Point k (0-based) holds the value at time (k + 1) * interval, as OpenDSS loadshapes.
  auto k = static_cast<long long>(std::ceil(minute / interval_minutes - 1e-9)) - 1;
  k = ((k % n) + n) % n;
  return multipliers[static_cast<std::size_t>(k)];
}

std::optional<std::size_t> Network::find_bus(std::string_view id) const {
  for (std::size_t i = 0; i < buses.size(); ++i) {
    if (buses[i].id == id) return i;
  }
  return std::nullopt;
}

const LineCode* Network::find_line_code(std::string_view id) const {
  for (const auto& lc : line_codes) {
    if (lc.id == id) return &lc;
  }
  return nullptr;
}

const LoadShape* Network::find_load_shape(std::string_view id) const {
  for (const auto& s : load_shapes) {
    if (s.id == id) return &s;
  }
  return nullptr;
}

namespace {

Result<void> check_unique(std::unordered_set<std::string>& seen, const std::string& kind,
                          const std::string& id) {
  if (id.empty()) return invalid_argument(kind + " with an empty id");
  if (!seen.insert(id).second) return invalid_argument("duplicate " + kind + " id '" + id + "'");
  return ok();
}

Result<void> check_bus(const std::unordered_set<std::string>& buses, const std::string& what,
                       const std::string& field, const std::string& bus) {
  if (buses.count(bus) == 0) {
    return invalid_argument(what + ": " + field + " '" + bus + "' is not a bus of the network");
  }
  return ok();
}

}  // namespace

Result<void> Network::validate() const {
  std::unordered_set<std::string> bus_ids;
  for (const auto& b : buses) GRIDKE_TRY(check_unique(bus_ids, "bus", b.id));
  if (!(source.kv > 0)) return invalid_argument("source: kv must be positive");
  if (!(source.voltage_pu > 0)) return invalid_argument("source: voltage_pu must be positive");
  GRIDKE_TRY(check_bus(bus_ids, "source", "bus", source.bus));
  std::unordered_set<std::string> codes;
  for (const auto& lc : line_codes) GRIDKE_TRY(check_unique(codes, "line code", lc.id));
  std::unordered_set<std::string> shapes;
  for (const auto& s : load_shapes) {
    GRIDKE_TRY(check_unique(shapes, "load shape", s.id));
    if (s.multipliers.empty()) return invalid_argument("load shape '" + s.id + "' has no points");
    if (!(s.interval_minutes > 0)) {
      return invalid_argument("load shape '" + s.id + "': interval must be positive");
    }
  }
  std::unordered_set<std::string> branch_ids;
  for (const auto& l : lines) {
    GRIDKE_TRY(check_unique(branch_ids, "line", l.id));
    const std::string what = "line '" + l.id + "'";
    GRIDKE_TRY(check_bus(bus_ids, what, "from bus", l.from_bus));
    GRIDKE_TRY(check_bus(bus_ids, what, "to bus", l.to_bus));
    if (codes.count(l.line_code) == 0) {
      return invalid_argument(what + ": unknown line code '" + l.line_code + "'");
    }
    if (!(l.length_km > 0)) return invalid_argument(what + ": length must be positive");
    if (l.phases.mask == 0) return invalid_argument(what + ": no phases");
  }
  for (const auto& s : switches) {
    GRIDKE_TRY(check_unique(branch_ids, "switch", s.id));
    GRIDKE_TRY(check_bus(bus_ids, "switch '" + s.id + "'", "from bus", s.from_bus));
    GRIDKE_TRY(check_bus(bus_ids, "switch '" + s.id + "'", "to bus", s.to_bus));
  }
  for (const auto& t : transformers) {
    GRIDKE_TRY(check_unique(branch_ids, "transformer", t.id));
    const std::string what = "transformer '" + t.id + "'";
    GRIDKE_TRY(check_bus(bus_ids, what, "primary bus", t.primary_bus));
    GRIDKE_TRY(check_bus(bus_ids, what, "secondary bus", t.secondary_bus));
    if (!(t.kv_primary > 0) || !(t.kv_secondary > 0) || !(t.rated_kva > 0)) {
      return invalid_argument(what + ": rated kV and kVA must be positive");
    }
    if (!(t.tap_pu > 0)) return invalid_argument(what + ": tap must be positive");
    if (t.secondary_connection != WindingConnection::wye_grounded) {
      return invalid_argument(what + ": only a grounded-wye secondary is supported");
    }
  }
  for (const auto& r : regulators) {
    GRIDKE_TRY(check_unique(branch_ids, "regulator", r.id));
    const std::string what = "regulator '" + r.id + "'";
    GRIDKE_TRY(check_bus(bus_ids, what, "from bus", r.from_bus));
    GRIDKE_TRY(check_bus(bus_ids, what, "to bus", r.to_bus));
    for (double ratio : r.ratio_pu) {
      if (!(ratio > 0)) return invalid_argument(what + ": ratios must be positive");
    }
  }
  std::unordered_set<std::string> load_ids;
  for (const auto& l : loads) {
    GRIDKE_TRY(check_unique(load_ids, "load", l.id));
    const std::string what = "load '" + l.id + "'";
    GRIDKE_TRY(check_bus(bus_ids, what, "bus", l.bus));
    if (!l.shape.empty() && shapes.count(l.shape) == 0) {
      return invalid_argument(what + ": unknown load shape '" + l.shape + "'");
    }
    if (!(l.kv > 0)) return invalid_argument(what + ": kv must be positive");
    if (l.connection == LoadConnection::wye && l.phases.count() == 2) {
      return invalid_argument(what + ": a wye load has 1 or 3 phases, got " + l.phases.to_string());
    }
    if (l.connection == LoadConnection::delta && l.phases.count() < 2) {
      return invalid_argument(what + ": a delta load has 2 or 3 phases, got " +
                              l.phases.to_string());
    }
  }
  return ok();
}

std::vector<LoadPower> Network::load_powers_at_minute(int minute) const {
  std::vector<LoadPower> out;
  out.reserve(loads.size());
  for (const auto& l : loads) {
    LoadPower p{l.kw, l.kvar};
    if (const LoadShape* s = l.shape.empty() ? nullptr : find_load_shape(l.shape)) {
      const double m = s->at_minute(minute);
      if (s->use_actual) {
        p.kw = m;
        p.kvar = l.kw != 0 ? m * l.kvar / l.kw : 0.0;
      } else {
        p.kw = m * l.kw;
        p.kvar = m * l.kvar;
      }
    }
    out.push_back(p);
  }
  return out;
}

}  // namespace gridke::services::grid
