#include "gridke/services/grid/model/ieee_european_lv_csv.hpp"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <unordered_set>

#include "csv_table.hpp"

namespace gridke::services::grid {
namespace {

using detail::CsvTable;
namespace fs = std::filesystem;

std::string at(const CsvTable& t, const CsvTable::Row& row) {
  return t.path() + ":" + std::to_string(row.line);
}

/// Factor from a length unit to km. OpenDSS units: mi, kft, km, m, ft, in, cm.
bool km_per_unit(std::string_view unit, double& factor) {
  const std::string u = detail::normalise_name(unit);
  if (u == "km")
    factor = 1.0;
  else if (u == "m")
    factor = 1e-3;
  else if (u == "mi")
    factor = 1.609344;
  else if (u == "kft")
    factor = 0.3048;
  else if (u == "ft")
    factor = 0.3048e-3;
  else if (u == "in")
    factor = 0.0254e-3;
  else if (u == "cm")
    factor = 1e-5;
  else
    return false;
  return true;
}

Result<CsvTable> open(const fs::path& folder, const char* name) {
  auto table = CsvTable::read((folder / name).string());
  if (!table) return std::move(table).error();
  return table;
}

Result<void> read_source(const fs::path& folder, const std::string& bus, Network& net) {
  const std::string path = (folder / "Source.csv").string();
  std::ifstream in(path);
  if (!in) return not_found("cannot open " + path);
  std::optional<double> kv, pu, isc3, isc1;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    const std::string t = detail::trim(line);
    if (t.empty() || t[0] == '#' || t[0] == '[') continue;
    const auto eq = t.find('=');
    const std::string where = path + ":" + std::to_string(number);
    if (eq == std::string::npos) return parse_error("expected key=value, got '" + t + "'", where);
    const std::string key = detail::normalise_name(t.substr(0, eq));
    std::string value = detail::trim(t.substr(eq + 1));
    // Strip a trailing unit word ("11 kV", "3000 A").
    if (auto sp = value.find(' '); sp != std::string::npos) value = value.substr(0, sp);
    double v = 0;
    if (!detail::parse_double(value, v)) {
      return parse_error("key '" + key + "': expected a number, got '" + value + "'", where);
    }
    if (key == "voltage")
      kv = v;
    else if (key == "pu")
      pu = v;
    else if (key == "isc3")
      isc3 = v;
    else if (key == "isc1")
      isc1 = v;
    else
      return parse_error("unknown key '" + key + "'", where);
  }
  if (!kv || !pu || !isc3 || !isc1) {
    return parse_error("needs Voltage, pu, ISC3 and ISC1", path);
  }
  auto source = Source::from_short_circuit(bus, *kv, *pu, *isc3, *isc1);
  if (!source) return std::move(source).error().with_context(path);
  net.source = std::move(source).value();
  return ok();
}

Result<void> read_transformer(const fs::path& folder, Network& net) {
  GRIDKE_ASSIGN_OR_RETURN(CsvTable t, open(folder, "Transformer.csv"));
  GRIDKE_ASSIGN_OR_RETURN(auto c_name, t.column("Name"));
  GRIDKE_ASSIGN_OR_RETURN(auto c_bus1, t.column("bus1"));
  GRIDKE_ASSIGN_OR_RETURN(auto c_bus2, t.column("bus2"));
  GRIDKE_ASSIGN_OR_RETURN(auto c_kv1, t.column("kV_pri"));
  GRIDKE_ASSIGN_OR_RETURN(auto c_kv2, t.column("kV_sec"));
  GRIDKE_ASSIGN_OR_RETURN(auto c_mva, t.column("MVA"));
  GRIDKE_ASSIGN_OR_RETURN(auto c_conn1, t.column("Conn_pri"));
  GRIDKE_ASSIGN_OR_RETURN(auto c_conn2, t.column("Conn_sec"));
  GRIDKE_ASSIGN_OR_RETURN(auto c_x, t.column("%XHL"));
  GRIDKE_ASSIGN_OR_RETURN(auto c_r, t.column("% resistance"));
  for (const auto& row : t.rows()) {
    Transformer tr;
    GRIDKE_ASSIGN_OR_RETURN(tr.id, t.text(row, c_name));
    GRIDKE_ASSIGN_OR_RETURN(tr.primary_bus, t.text(row, c_bus1));
    GRIDKE_ASSIGN_OR_RETURN(tr.secondary_bus, t.text(row, c_bus2));
    GRIDKE_ASSIGN_OR_RETURN(tr.kv_primary, t.number(row, c_kv1));
    GRIDKE_ASSIGN_OR_RETURN(tr.kv_secondary, t.number(row, c_kv2));
    GRIDKE_ASSIGN_OR_RETURN(double mva, t.number(row, c_mva));
    tr.rated_kva = mva * 1000.0;
    GRIDKE_ASSIGN_OR_RETURN(tr.percent_x, t.number(row, c_x));
    GRIDKE_ASSIGN_OR_RETURN(tr.percent_r, t.number(row, c_r));
    for (auto [col, conn] : {std::pair{c_conn1, &tr.primary_connection},
                             std::pair{c_conn2, &tr.secondary_connection}}) {
      GRIDKE_ASSIGN_OR_RETURN(std::string text, t.text(row, col));
      const std::string n = detail::normalise_name(text);
      if (n == "delta" || n == "d")
        *conn = WindingConnection::delta;
      else if (n == "wye" || n == "y" || n == "yg")
        *conn = WindingConnection::wye_grounded;
      else
        return parse_error("unknown winding connection '" + text + "'", at(t, row));
    }
    net.transformers.push_back(std::move(tr));
  }
  if (net.transformers.empty()) return parse_error("no transformer rows", t.path());
  return ok();
}

Result<void> read_line_codes(const fs::path& folder, Network& net) {
  GRIDKE_ASSIGN_OR_RETURN(CsvTable t, open(folder, "LineCodes.csv"));
  GRIDKE_ASSIGN_OR_RETURN(auto c_name, t.column("Name"));
  GRIDKE_ASSIGN_OR_RETURN(auto c_r1, t.column("R1"));
  GRIDKE_ASSIGN_OR_RETURN(auto c_x1, t.column("X1"));
  GRIDKE_ASSIGN_OR_RETURN(auto c_r0, t.column("R0"));
  GRIDKE_ASSIGN_OR_RETURN(auto c_x0, t.column("X0"));
  GRIDKE_ASSIGN_OR_RETURN(auto c_c1, t.column("C1"));
  GRIDKE_ASSIGN_OR_RETURN(auto c_c0, t.column("C0"));
  GRIDKE_ASSIGN_OR_RETURN(auto c_units, t.column("Units"));
  for (const auto& row : t.rows()) {
    LineCode lc;
    GRIDKE_ASSIGN_OR_RETURN(lc.id, t.text(row, c_name));
    GRIDKE_ASSIGN_OR_RETURN(std::string units, t.text(row, c_units));
    double per_km = 0;
    if (!km_per_unit(units, per_km)) {
      return parse_error("column 'units': unknown length unit '" + units + "'", at(t, row));
    }
    GRIDKE_ASSIGN_OR_RETURN(double r1, t.number(row, c_r1));
    GRIDKE_ASSIGN_OR_RETURN(double x1, t.number(row, c_x1));
    GRIDKE_ASSIGN_OR_RETURN(double r0, t.number(row, c_r0));
    GRIDKE_ASSIGN_OR_RETURN(double x0, t.number(row, c_x0));
    GRIDKE_ASSIGN_OR_RETURN(double c1, t.number(row, c_c1));
    GRIDKE_ASSIGN_OR_RETURN(double c0, t.number(row, c_c0));
    // Values are per `units`; per km = value / (km per unit).
    lc.r1_ohm_per_km = r1 / per_km;
    lc.x1_ohm_per_km = x1 / per_km;
    lc.r0_ohm_per_km = r0 / per_km;
    lc.x0_ohm_per_km = x0 / per_km;
    lc.c1_nf_per_km = c1 / per_km;
    lc.c0_nf_per_km = c0 / per_km;
    net.line_codes.push_back(std::move(lc));
  }
  return ok();
}

Result<void> read_lines(const fs::path& folder, Network& net) {
  GRIDKE_ASSIGN_OR_RETURN(CsvTable t, open(folder, "Lines.csv"));
  GRIDKE_ASSIGN_OR_RETURN(auto c_name, t.column("Name"));
  GRIDKE_ASSIGN_OR_RETURN(auto c_bus1, t.column("Bus1"));
  GRIDKE_ASSIGN_OR_RETURN(auto c_bus2, t.column("Bus2"));
  GRIDKE_ASSIGN_OR_RETURN(auto c_phases, t.column("Phases"));
  GRIDKE_ASSIGN_OR_RETURN(auto c_length, t.column("Length"));
  GRIDKE_ASSIGN_OR_RETURN(auto c_units, t.column("Units"));
  GRIDKE_ASSIGN_OR_RETURN(auto c_code, t.column("LineCode"));
  std::unordered_set<std::string> codes;
  for (const auto& lc : net.line_codes) codes.insert(lc.id);
  for (const auto& row : t.rows()) {
    Line l;
    GRIDKE_ASSIGN_OR_RETURN(l.id, t.text(row, c_name));
    GRIDKE_ASSIGN_OR_RETURN(l.from_bus, t.text(row, c_bus1));
    GRIDKE_ASSIGN_OR_RETURN(l.to_bus, t.text(row, c_bus2));
    GRIDKE_ASSIGN_OR_RETURN(std::string phases, t.text(row, c_phases));
    auto ps = PhaseSet::parse(phases);
    if (!ps) return parse_error("column 'phases': bad phases '" + phases + "'", at(t, row));
    l.phases = *ps;
    GRIDKE_ASSIGN_OR_RETURN(double length, t.number(row, c_length));
    GRIDKE_ASSIGN_OR_RETURN(std::string units, t.text(row, c_units));
    double per_km = 0;
    if (!km_per_unit(units, per_km)) {
      return parse_error("column 'units': unknown length unit '" + units + "'", at(t, row));
    }
    l.length_km = length * per_km;
    GRIDKE_ASSIGN_OR_RETURN(l.line_code, t.text(row, c_code));
    if (codes.count(l.line_code) == 0) {
      return parse_error("column 'linecode': unknown line code '" + l.line_code + "'", at(t, row));
    }
    net.lines.push_back(std::move(l));
  }
  return ok();
}

Result<void> read_profile(const fs::path& folder, const std::string& file, LoadShape& shape) {
  fs::path path = folder / file;
  if (!fs::exists(path)) path = folder / "load_profiles" / file;
  GRIDKE_ASSIGN_OR_RETURN(CsvTable t, CsvTable::read(path.string()));
  GRIDKE_ASSIGN_OR_RETURN(auto c_mult, t.column("mult"));
  shape.multipliers.reserve(t.rows().size());
  for (const auto& row : t.rows()) {
    GRIDKE_ASSIGN_OR_RETURN(double m, t.number(row, c_mult));
    shape.multipliers.push_back(m);
  }
  return ok();
}

Result<void> read_load_shapes(const fs::path& folder, Network& net) {
  GRIDKE_ASSIGN_OR_RETURN(CsvTable t, open(folder, "LoadShapes.csv"));
  GRIDKE_ASSIGN_OR_RETURN(auto c_name, t.column("Name"));
  GRIDKE_ASSIGN_OR_RETURN(auto c_npts, t.column("npts"));
  GRIDKE_ASSIGN_OR_RETURN(auto c_interval, t.column("minterval"));
  GRIDKE_ASSIGN_OR_RETURN(auto c_file, t.column("File"));
  GRIDKE_ASSIGN_OR_RETURN(auto c_actual, t.column("useactual"));
  for (const auto& row : t.rows()) {
    LoadShape s;
    GRIDKE_ASSIGN_OR_RETURN(s.id, t.text(row, c_name));
    GRIDKE_ASSIGN_OR_RETURN(double npts, t.number(row, c_npts));
    GRIDKE_ASSIGN_OR_RETURN(s.interval_minutes, t.number(row, c_interval));
    GRIDKE_ASSIGN_OR_RETURN(std::string file, t.text(row, c_file));
    GRIDKE_ASSIGN_OR_RETURN(std::string actual, t.text(row, c_actual));
    s.use_actual = detail::normalise_name(actual) == "true";
    GRIDKE_TRY(read_profile(folder, file, s));
    if (static_cast<double>(s.multipliers.size()) != npts) {
      return parse_error("column 'npts': says " + std::to_string(static_cast<long>(npts)) +
                             " points but " + file + " has " + std::to_string(s.multipliers.size()),
                         at(t, row));
    }
    net.load_shapes.push_back(std::move(s));
  }
  return ok();
}

Result<void> read_loads(const fs::path& folder, Network& net) {
  GRIDKE_ASSIGN_OR_RETURN(CsvTable t, open(folder, "Loads.csv"));
  GRIDKE_ASSIGN_OR_RETURN(auto c_name, t.column("Name"));
  GRIDKE_ASSIGN_OR_RETURN(auto c_bus, t.column("Bus"));
  GRIDKE_ASSIGN_OR_RETURN(auto c_phases, t.column("phases"));
  GRIDKE_ASSIGN_OR_RETURN(auto c_kv, t.column("kV"));
  GRIDKE_ASSIGN_OR_RETURN(auto c_model, t.column("Model"));
  GRIDKE_ASSIGN_OR_RETURN(auto c_conn, t.column("Connection"));
  GRIDKE_ASSIGN_OR_RETURN(auto c_kw, t.column("kW"));
  GRIDKE_ASSIGN_OR_RETURN(auto c_pf, t.column("PF"));
  GRIDKE_ASSIGN_OR_RETURN(auto c_shape, t.column("Yearly"));
  for (const auto& row : t.rows()) {
    Load l;
    GRIDKE_ASSIGN_OR_RETURN(l.id, t.text(row, c_name));
    GRIDKE_ASSIGN_OR_RETURN(l.bus, t.text(row, c_bus));
    GRIDKE_ASSIGN_OR_RETURN(std::string phases, t.text(row, c_phases));
    auto ps = PhaseSet::parse(phases);
    if (!ps) return parse_error("column 'phases': bad phases '" + phases + "'", at(t, row));
    l.phases = *ps;
    GRIDKE_ASSIGN_OR_RETURN(l.kv, t.number(row, c_kv));
    GRIDKE_ASSIGN_OR_RETURN(double model, t.number(row, c_model));
    if (model == 1)
      l.model = LoadModel::constant_power;
    else if (model == 2)
      l.model = LoadModel::constant_impedance;
    else if (model == 5)
      l.model = LoadModel::constant_current;
    else
      return parse_error(
          "column 'model': unsupported load model " + t.text(row, c_model).value() + " (1, 2 or 5)",
          at(t, row));
    GRIDKE_ASSIGN_OR_RETURN(std::string conn, t.text(row, c_conn));
    const std::string n = detail::normalise_name(conn);
    if (n == "wye" || n == "y" || n == "ln")
      l.connection = LoadConnection::wye;
    else if (n == "delta" || n == "d" || n == "ll")
      l.connection = LoadConnection::delta;
    else
      return parse_error("column 'connection': unknown connection '" + conn + "'", at(t, row));
    GRIDKE_ASSIGN_OR_RETURN(l.kw, t.number(row, c_kw));
    GRIDKE_ASSIGN_OR_RETURN(double pf, t.number(row, c_pf));
    if (pf == 0 || std::abs(pf) > 1) {
      return parse_error("column 'pf': power factor must be in [-1, 1] and non-zero, got " +
                             t.text(row, c_pf).value(),
                         at(t, row));
    }
    // OpenDSS: kvar = kW tan(acos|PF|), negative PF = leading.
    l.kvar = l.kw * std::tan(std::acos(std::abs(pf))) * (pf < 0 ? -1.0 : 1.0);
    if (row.fields.size() > c_shape && !row.fields[c_shape].empty()) l.shape = row.fields[c_shape];
    net.loads.push_back(std::move(l));
  }
  return ok();
}

Result<void> read_buses(const fs::path& folder, Network& net) {
  GRIDKE_ASSIGN_OR_RETURN(CsvTable t, open(folder, "Buscoords.csv"));
  GRIDKE_ASSIGN_OR_RETURN(auto c_name, t.column("Busname"));
  GRIDKE_ASSIGN_OR_RETURN(auto c_x, t.column("x"));
  GRIDKE_ASSIGN_OR_RETURN(auto c_y, t.column("y"));
  for (const auto& row : t.rows()) {
    Bus b;
    GRIDKE_ASSIGN_OR_RETURN(b.id, t.text(row, c_name));
    GRIDKE_ASSIGN_OR_RETURN(b.x, t.number(row, c_x));
    GRIDKE_ASSIGN_OR_RETURN(b.y, t.number(row, c_y));
    net.buses.push_back(std::move(b));
  }
  return ok();
}

}  // namespace

Result<Network> read_ieee_european_lv(const std::string& folder) {
  const fs::path dir(folder);
  if (!fs::is_directory(dir)) return not_found("feeder folder " + folder + " does not exist");
  Network net;
  net.name = dir.filename().string();
  net.frequency_hz = 50;
  GRIDKE_TRY(read_buses(dir, net));
  GRIDKE_TRY(read_transformer(dir, net));
  GRIDKE_TRY(read_source(dir, net.transformers.front().primary_bus, net));
  GRIDKE_TRY(read_line_codes(dir, net));
  GRIDKE_TRY(read_lines(dir, net));
  GRIDKE_TRY(read_load_shapes(dir, net));
  GRIDKE_TRY(read_loads(dir, net));
  // Buses named only by branches (e.g. the source bus) are added, as OpenDSS does.
  std::unordered_set<std::string> known;
  for (const auto& b : net.buses) known.insert(b.id);
  auto add = [&](const std::string& id) {
    if (known.insert(id).second) net.buses.push_back(Bus{id, std::nullopt, std::nullopt});
  };
  for (const auto& tr : net.transformers) {
    add(tr.primary_bus);
    add(tr.secondary_bus);
  }
  for (const auto& l : net.lines) {
    add(l.from_bus);
    add(l.to_bus);
  }
  auto valid = net.validate();
  if (!valid) return std::move(valid).error().with_context(folder);
  return net;
}

}  // namespace gridke::services::grid
