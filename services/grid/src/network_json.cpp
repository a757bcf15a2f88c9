#include "gridke/services/grid/model/network_json.hpp"

#include <cmath>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

namespace gridke::services::grid {
namespace {

using nlohmann::json;

/// Reads typed fields of one JSON object, remembering its path for errors.
class Fields {
 public:
  Fields(const json& obj, std::string path, const std::string& source)
      : obj_(obj), path_(std::move(path)), source_(source) {}

  Result<void> check_object() const {
    if (!obj_.is_object()) return error("", "expected an object");
    return ok();
  }
  bool has(const char* key) const { return obj_.contains(key) && !obj_[key].is_null(); }
  Error error(const char* key, const std::string& what) const {
    return parse_error((key[0] ? path_ + "." + key : path_) + ": " + what, source_);
  }
  Result<double> number(const char* key) const {
    if (!has(key)) return error(key, "missing number");
    if (!obj_[key].is_number()) return error(key, "expected a number, got " + obj_[key].dump());
    const double v = obj_[key].get<double>();
    if (!std::isfinite(v)) return error(key, "not a finite number");
    return v;
  }
  Result<double> number_or(const char* key, double fallback) const {
    if (!has(key)) return fallback;
    return number(key);
  }
  Result<std::string> text(const char* key) const {
    if (!has(key)) return error(key, "missing string");
    if (obj_[key].is_number()) return obj_[key].dump();  // bus ids like 34
    if (!obj_[key].is_string()) return error(key, "expected a string, got " + obj_[key].dump());
    return obj_[key].get<std::string>();
  }
  Result<std::string> text_or(const char* key, std::string fallback) const {
    if (!has(key)) return fallback;
    return text(key);
  }
  Result<PhaseSet> phases(const char* key, const char* fallback) const {
    GRIDKE_ASSIGN_OR_RETURN(std::string t, text_or(key, fallback));
    auto p = PhaseSet::parse(t);
    if (!p) return error(key, "bad phases '" + t + "'");
    return *p;
  }
  const json& at(const char* key) const { return obj_[key]; }

 private:
  const json& obj_;
  std::string path_;
  const std::string& source_;
};

Result<const json*> array(const json& root, const char* key, const std::string& source,
                          bool required) {
  static const json empty = json::array();
  if (!root.contains(key)) {
    if (required) return parse_error(std::string(key) + ": missing array", source);
    return &empty;
  }
  if (!root[key].is_array()) return parse_error(std::string(key) + ": expected an array", source);
  return &root[key];
}

std::string item_path(const char* key, std::size_t i) {
  return std::string(key) + "[" + std::to_string(i) + "]";
}

Result<WindingConnection> winding(const Fields& f, const char* key, const char* fallback) {
  GRIDKE_ASSIGN_OR_RETURN(std::string c, f.text_or(key, fallback));
  if (c == "delta") return WindingConnection::delta;
  if (c == "wye" || c == "wye_grounded") return WindingConnection::wye_grounded;
  return f.error(key, "unknown connection '" + c + "' (delta, wye)");
}

Result<void> read_source(const json& root, const std::string& src, Network& net) {
  if (!root.contains("source")) return parse_error("source: missing object", src);
  Fields f(root["source"], "source", src);
  GRIDKE_TRY(f.check_object());
  GRIDKE_ASSIGN_OR_RETURN(std::string bus, f.text("bus"));
  GRIDKE_ASSIGN_OR_RETURN(double kv, f.number("kv"));
  GRIDKE_ASSIGN_OR_RETURN(double pu, f.number_or("voltage_pu", 1.0));
  GRIDKE_ASSIGN_OR_RETURN(double angle, f.number_or("angle_deg", 0.0));
  if (f.has("isc3_a")) {
    GRIDKE_ASSIGN_OR_RETURN(double isc3, f.number("isc3_a"));
    GRIDKE_ASSIGN_OR_RETURN(double isc1, f.number("isc1_a"));
    GRIDKE_ASSIGN_OR_RETURN(double x1r1, f.number_or("x1_r1", 4.0));
    GRIDKE_ASSIGN_OR_RETURN(double x0r0, f.number_or("x0_r0", 3.0));
    auto s = Source::from_short_circuit(bus, kv, pu, isc3, isc1, x1r1, x0r0);
    if (!s) return std::move(s).error().with_context(src);
    net.source = std::move(s).value();
  } else {
    net.source.bus = bus;
    net.source.kv = kv;
    net.source.voltage_pu = pu;
    GRIDKE_ASSIGN_OR_RETURN(net.source.r1_ohm, f.number_or("r1_ohm", 0));
    GRIDKE_ASSIGN_OR_RETURN(net.source.x1_ohm, f.number_or("x1_ohm", 0));
    GRIDKE_ASSIGN_OR_RETURN(net.source.r0_ohm, f.number_or("r0_ohm", net.source.r1_ohm));
    GRIDKE_ASSIGN_OR_RETURN(net.source.x0_ohm, f.number_or("x0_ohm", net.source.x1_ohm));
  }
  net.source.angle_deg = angle;
  return ok();
}

Result<void> read_matrix(const Fields& f, const char* key, std::array<double, 9>& re,
                         std::array<double, 9>* im) {
  const json& m = f.at(key);
  if (!m.is_array() || m.size() != 3) return f.error(key, "expected a 3x3 array");
  for (std::size_t i = 0; i < 3; ++i) {
    if (!m[i].is_array() || m[i].size() != 3) return f.error(key, "expected a 3x3 array");
    for (std::size_t j = 0; j < 3; ++j) {
      const json& e = m[i][j];
      if (im != nullptr && e.is_array() && e.size() == 2 && e[0].is_number() && e[1].is_number()) {
        re[3 * i + j] = e[0].get<double>();
        (*im)[3 * i + j] = e[1].get<double>();
      } else if (im == nullptr && e.is_number()) {
        re[3 * i + j] = e.get<double>();
      } else {
        return f.error(key, im ? "entries must be [r, x] pairs" : "entries must be numbers");
      }
    }
  }
  return ok();
}

Result<void> read_line_code(const Fields& f, LineCode& lc) {
  GRIDKE_ASSIGN_OR_RETURN(lc.id, f.text("id"));
  if (f.has("z_ohm_per_km")) {
    lc.kind = LineCode::Kind::matrix;
    std::array<double, 9> r{}, x{};
    GRIDKE_TRY(read_matrix(f, "z_ohm_per_km", r, &x));
    for (std::size_t i = 0; i < 9; ++i) lc.z_ohm_per_km[i] = {r[i], x[i]};
    if (f.has("c_nf_per_km")) GRIDKE_TRY(read_matrix(f, "c_nf_per_km", lc.c_nf_per_km, nullptr));
    return ok();
  }
  GRIDKE_ASSIGN_OR_RETURN(lc.r1_ohm_per_km, f.number("r1_ohm_per_km"));
  GRIDKE_ASSIGN_OR_RETURN(lc.x1_ohm_per_km, f.number("x1_ohm_per_km"));
  GRIDKE_ASSIGN_OR_RETURN(lc.r0_ohm_per_km, f.number_or("r0_ohm_per_km", lc.r1_ohm_per_km));
  GRIDKE_ASSIGN_OR_RETURN(lc.x0_ohm_per_km, f.number_or("x0_ohm_per_km", lc.x1_ohm_per_km));
  GRIDKE_ASSIGN_OR_RETURN(lc.c1_nf_per_km, f.number_or("c1_nf_per_km", 0));
  GRIDKE_ASSIGN_OR_RETURN(lc.c0_nf_per_km, f.number_or("c0_nf_per_km", lc.c1_nf_per_km));
  return ok();
}

Result<void> read_load(const Fields& f, Load& l) {
  GRIDKE_ASSIGN_OR_RETURN(l.id, f.text("id"));
  GRIDKE_ASSIGN_OR_RETURN(l.bus, f.text("bus"));
  GRIDKE_ASSIGN_OR_RETURN(l.phases, f.phases("phases", "ABC"));
  GRIDKE_ASSIGN_OR_RETURN(l.kv, f.number("kv"));
  GRIDKE_ASSIGN_OR_RETURN(l.kw, f.number("kw"));
  if (f.has("kvar")) {
    GRIDKE_ASSIGN_OR_RETURN(l.kvar, f.number("kvar"));
  } else {
    GRIDKE_ASSIGN_OR_RETURN(double pf, f.number_or("pf", 1.0));
    if (pf == 0 || std::abs(pf) > 1) return f.error("pf", "must be in [-1, 1] and non-zero");
    l.kvar = l.kw * std::tan(std::acos(std::abs(pf))) * (pf < 0 ? -1.0 : 1.0);
  }
  GRIDKE_ASSIGN_OR_RETURN(std::string model, f.text_or("model", "constant_power"));
  if (model == "constant_power")
    l.model = LoadModel::constant_power;
  else if (model == "constant_impedance")
    l.model = LoadModel::constant_impedance;
  else if (model == "constant_current")
    l.model = LoadModel::constant_current;
  else
    return f.error("model", "unknown load model '" + model + "'");
  GRIDKE_ASSIGN_OR_RETURN(std::string conn, f.text_or("connection", "wye"));
  if (conn == "wye")
    l.connection = LoadConnection::wye;
  else if (conn == "delta")
    l.connection = LoadConnection::delta;
  else
    return f.error("connection", "unknown connection '" + conn + "' (wye, delta)");
  GRIDKE_ASSIGN_OR_RETURN(l.shape, f.text_or("shape", ""));
  return ok();
}

Result<void> read_buses(const json& root, const std::string& src, Network& net) {
  GRIDKE_ASSIGN_OR_RETURN(const json* buses, array(root, "buses", src, true));
  for (std::size_t i = 0; i < buses->size(); ++i) {
    Fields f((*buses)[i], item_path("buses", i), src);
    GRIDKE_TRY(f.check_object());
    Bus b;
    GRIDKE_ASSIGN_OR_RETURN(b.id, f.text("id"));
    if (f.has("x")) {
      GRIDKE_ASSIGN_OR_RETURN(b.x, f.number("x"));
    }
    if (f.has("y")) {
      GRIDKE_ASSIGN_OR_RETURN(b.y, f.number("y"));
    }
    net.buses.push_back(std::move(b));
  }
  return ok();
}

Result<void> read_line_codes(const json& root, const std::string& src, Network& net) {
  GRIDKE_ASSIGN_OR_RETURN(const json* codes, array(root, "line_codes", src, false));
  for (std::size_t i = 0; i < codes->size(); ++i) {
    Fields f((*codes)[i], item_path("line_codes", i), src);
    GRIDKE_TRY(f.check_object());
    LineCode lc;
    GRIDKE_TRY(read_line_code(f, lc));
    net.line_codes.push_back(std::move(lc));
  }
  return ok();
}

Result<void> read_lines(const json& root, const std::string& src, Network& net) {
  GRIDKE_ASSIGN_OR_RETURN(const json* lines, array(root, "lines", src, false));
  for (std::size_t i = 0; i < lines->size(); ++i) {
    Fields f((*lines)[i], item_path("lines", i), src);
    GRIDKE_TRY(f.check_object());
    Line l;
    GRIDKE_ASSIGN_OR_RETURN(l.id, f.text("id"));
    GRIDKE_ASSIGN_OR_RETURN(l.from_bus, f.text("from"));
    GRIDKE_ASSIGN_OR_RETURN(l.to_bus, f.text("to"));
    GRIDKE_ASSIGN_OR_RETURN(l.phases, f.phases("phases", "ABC"));
    if (f.has("length_km")) {
      GRIDKE_ASSIGN_OR_RETURN(l.length_km, f.number("length_km"));
    } else {
      GRIDKE_ASSIGN_OR_RETURN(double m, f.number("length_m"));
      l.length_km = m / 1000.0;
    }
    GRIDKE_ASSIGN_OR_RETURN(l.line_code, f.text("line_code"));
    net.lines.push_back(std::move(l));
  }
  return ok();
}

Result<void> read_switches(const json& root, const std::string& src, Network& net) {
  GRIDKE_ASSIGN_OR_RETURN(const json* switches, array(root, "switches", src, false));
  for (std::size_t i = 0; i < switches->size(); ++i) {
    Fields f((*switches)[i], item_path("switches", i), src);
    GRIDKE_TRY(f.check_object());
    Switch s;
    GRIDKE_ASSIGN_OR_RETURN(s.id, f.text("id"));
    GRIDKE_ASSIGN_OR_RETURN(s.from_bus, f.text("from"));
    GRIDKE_ASSIGN_OR_RETURN(s.to_bus, f.text("to"));
    net.switches.push_back(std::move(s));
  }
  return ok();
}

Result<void> read_transformers(const json& root, const std::string& src, Network& net) {
  GRIDKE_ASSIGN_OR_RETURN(const json* trafos, array(root, "transformers", src, false));
  for (std::size_t i = 0; i < trafos->size(); ++i) {
    Fields f((*trafos)[i], item_path("transformers", i), src);
    GRIDKE_TRY(f.check_object());
    Transformer t;
    GRIDKE_ASSIGN_OR_RETURN(t.id, f.text("id"));
    GRIDKE_ASSIGN_OR_RETURN(t.primary_bus, f.text("primary_bus"));
    GRIDKE_ASSIGN_OR_RETURN(t.secondary_bus, f.text("secondary_bus"));
    GRIDKE_ASSIGN_OR_RETURN(t.kv_primary, f.number("kv_primary"));
    GRIDKE_ASSIGN_OR_RETURN(t.kv_secondary, f.number("kv_secondary"));
    GRIDKE_ASSIGN_OR_RETURN(t.rated_kva, f.number("kva"));
    GRIDKE_ASSIGN_OR_RETURN(t.primary_connection, winding(f, "connection_primary", "delta"));
    GRIDKE_ASSIGN_OR_RETURN(t.secondary_connection, winding(f, "connection_secondary", "wye"));
    GRIDKE_ASSIGN_OR_RETURN(t.percent_r, f.number("percent_r"));
    GRIDKE_ASSIGN_OR_RETURN(t.percent_x, f.number("percent_x"));
    GRIDKE_ASSIGN_OR_RETURN(t.tap_pu, f.number_or("tap_pu", 1.0));
    net.transformers.push_back(std::move(t));
  }
  return ok();
}

Result<void> read_regulators(const json& root, const std::string& src, Network& net) {
  GRIDKE_ASSIGN_OR_RETURN(const json* regs, array(root, "regulators", src, false));
  for (std::size_t i = 0; i < regs->size(); ++i) {
    Fields f((*regs)[i], item_path("regulators", i), src);
    GRIDKE_TRY(f.check_object());
    Regulator r;
    GRIDKE_ASSIGN_OR_RETURN(r.id, f.text("id"));
    GRIDKE_ASSIGN_OR_RETURN(r.from_bus, f.text("from"));
    GRIDKE_ASSIGN_OR_RETURN(r.to_bus, f.text("to"));
    if (!f.has("ratio_pu") || !f.at("ratio_pu").is_array() || f.at("ratio_pu").size() != 3) {
      return f.error("ratio_pu", "expected an array of 3 numbers (phases A, B, C)");
    }
    const json& ratio = f.at("ratio_pu");
    for (std::size_t p = 0; p < 3; ++p) {
      if (!ratio[p].is_number()) {
        return f.error("ratio_pu", "expected numbers, got " + ratio[p].dump());
      }
      r.ratio_pu[p] = ratio[p].get<double>();
    }
    net.regulators.push_back(std::move(r));
  }
  return ok();
}

Result<void> read_load_shapes(const json& root, const std::string& src, Network& net) {
  GRIDKE_ASSIGN_OR_RETURN(const json* shapes, array(root, "load_shapes", src, false));
  for (std::size_t i = 0; i < shapes->size(); ++i) {
    Fields f((*shapes)[i], item_path("load_shapes", i), src);
    GRIDKE_TRY(f.check_object());
    LoadShape s;
    GRIDKE_ASSIGN_OR_RETURN(s.id, f.text("id"));
    GRIDKE_ASSIGN_OR_RETURN(s.interval_minutes, f.number_or("interval_minutes", 1.0));
    if (f.has("use_actual")) {
      if (!f.at("use_actual").is_boolean()) return f.error("use_actual", "expected true/false");
      s.use_actual = f.at("use_actual").get<bool>();
    }
    if (!f.has("multipliers") || !f.at("multipliers").is_array()) {
      return f.error("multipliers", "missing array");
    }
    for (const json& m : f.at("multipliers")) {
      if (!m.is_number()) return f.error("multipliers", "expected numbers, got " + m.dump());
      s.multipliers.push_back(m.get<double>());
    }
    net.load_shapes.push_back(std::move(s));
  }
  return ok();
}

Result<void> read_loads(const json& root, const std::string& src, Network& net) {
  GRIDKE_ASSIGN_OR_RETURN(const json* loads, array(root, "loads", src, false));
  for (std::size_t i = 0; i < loads->size(); ++i) {
    Fields f((*loads)[i], item_path("loads", i), src);
    GRIDKE_TRY(f.check_object());
    Load l;
    GRIDKE_TRY(read_load(f, l));
    net.loads.push_back(std::move(l));
  }
  return ok();
}

Result<Network> parse_root(const json& root, const std::string& src) {
  if (!root.is_object()) return parse_error("expected a JSON object", src);
  if (!root.contains("format") || root["format"] != "gridke-grid/1") {
    return parse_error("format: expected \"gridke-grid/1\"", src);
  }
  Network net;
  Fields top(root, "", src);
  GRIDKE_ASSIGN_OR_RETURN(net.name, top.text_or("name", ""));
  GRIDKE_ASSIGN_OR_RETURN(net.frequency_hz, top.number_or("frequency_hz", 50));
  GRIDKE_TRY(read_source(root, src, net));

  GRIDKE_TRY(read_buses(root, src, net));
  GRIDKE_TRY(read_line_codes(root, src, net));
  GRIDKE_TRY(read_lines(root, src, net));
  GRIDKE_TRY(read_switches(root, src, net));
  GRIDKE_TRY(read_transformers(root, src, net));
  GRIDKE_TRY(read_regulators(root, src, net));
  GRIDKE_TRY(read_load_shapes(root, src, net));
  GRIDKE_TRY(read_loads(root, src, net));
  auto valid = net.validate();
  if (!valid) return std::move(valid).error().with_context(src);
  return net;
}

const char* model_name(LoadModel m) {
  switch (m) {
    case LoadModel::constant_power: return "constant_power";
    case LoadModel::constant_impedance: return "constant_impedance";
    case LoadModel::constant_current: return "constant_current";
  }
  return "constant_power";
}

}  // namespace

Result<Network> parse_network_json(std::string_view text, const std::string& source_name) {
  json root = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) {
    // Re-parse with exceptions only to get nlohmann's byte position; caught right here.
    try {
      const json again = json::parse(text);
      static_cast<void>(again);
    } catch (const json::parse_error& e) {
      return parse_error("invalid JSON at byte " + std::to_string(e.byte), source_name);
    } catch (const json::exception& e) {  // e.g. a number out of range (1e400)
      return parse_error(std::string("invalid JSON: ") + e.what(), source_name);
    }
    return parse_error("invalid JSON", source_name);
  }
  return parse_root(root, source_name);
}

Result<Network> read_network_json(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return not_found("cannot open " + path);
  std::ostringstream buf;
  buf << in.rdbuf();
  return parse_network_json(buf.str(), path);
}

std::string write_network_json(const Network& net) {
  json root;
  root["format"] = "gridke-grid/1";
  root["name"] = net.name;
  root["frequency_hz"] = net.frequency_hz;
  root["source"] = {{"bus", net.source.bus},
                    {"kv", net.source.kv},
                    {"voltage_pu", net.source.voltage_pu},
                    {"angle_deg", net.source.angle_deg},
                    {"r1_ohm", net.source.r1_ohm},
                    {"x1_ohm", net.source.x1_ohm},
                    {"r0_ohm", net.source.r0_ohm},
                    {"x0_ohm", net.source.x0_ohm}};
  json& buses = root["buses"] = json::array();
  for (const auto& b : net.buses) {
    json j{{"id", b.id}};
    if (b.x) j["x"] = *b.x;
    if (b.y) j["y"] = *b.y;
    buses.push_back(std::move(j));
  }
  json& codes = root["line_codes"] = json::array();
  for (const auto& lc : net.line_codes) {
    if (lc.kind == LineCode::Kind::sequence) {
      codes.push_back({{"id", lc.id},
                       {"r1_ohm_per_km", lc.r1_ohm_per_km},
                       {"x1_ohm_per_km", lc.x1_ohm_per_km},
                       {"r0_ohm_per_km", lc.r0_ohm_per_km},
                       {"x0_ohm_per_km", lc.x0_ohm_per_km},
                       {"c1_nf_per_km", lc.c1_nf_per_km},
                       {"c0_nf_per_km", lc.c0_nf_per_km}});
    } else {
      json z = json::array(), c = json::array();
      for (std::size_t i = 0; i < 3; ++i) {
        json zr = json::array(), cr = json::array();
        for (std::size_t j = 0; j < 3; ++j) {
          zr.push_back({lc.z_ohm_per_km[3 * i + j].real(), lc.z_ohm_per_km[3 * i + j].imag()});
          cr.push_back(lc.c_nf_per_km[3 * i + j]);
        }
        z.push_back(zr);
        c.push_back(cr);
      }
      codes.push_back({{"id", lc.id}, {"z_ohm_per_km", z}, {"c_nf_per_km", c}});
    }
  }
  json& lines = root["lines"] = json::array();
  for (const auto& l : net.lines) {
    lines.push_back({{"id", l.id},
                     {"from", l.from_bus},
                     {"to", l.to_bus},
                     {"phases", l.phases.to_string()},
                     {"length_km", l.length_km},
                     {"line_code", l.line_code}});
  }
  json& switches = root["switches"] = json::array();
  for (const auto& s : net.switches) {
    switches.push_back({{"id", s.id}, {"from", s.from_bus}, {"to", s.to_bus}});
  }
  json& trafos = root["transformers"] = json::array();
  for (const auto& t : net.transformers) {
    auto conn = [](WindingConnection c) { return c == WindingConnection::delta ? "delta" : "wye"; };
    trafos.push_back({{"id", t.id},
                      {"primary_bus", t.primary_bus},
                      {"secondary_bus", t.secondary_bus},
                      {"kv_primary", t.kv_primary},
                      {"kv_secondary", t.kv_secondary},
                      {"kva", t.rated_kva},
                      {"connection_primary", conn(t.primary_connection)},
                      {"connection_secondary", conn(t.secondary_connection)},
                      {"percent_r", t.percent_r},
                      {"percent_x", t.percent_x},
                      {"tap_pu", t.tap_pu}});
  }
  json& regs = root["regulators"] = json::array();
  for (const auto& r : net.regulators) {
    regs.push_back(
        {{"id", r.id}, {"from", r.from_bus}, {"to", r.to_bus}, {"ratio_pu", r.ratio_pu}});
  }
  json& shapes = root["load_shapes"] = json::array();
  for (const auto& s : net.load_shapes) {
    shapes.push_back({{"id", s.id},
                      {"interval_minutes", s.interval_minutes},
                      {"use_actual", s.use_actual},
                      {"multipliers", s.multipliers}});
  }
  json& loads = root["loads"] = json::array();
  for (const auto& l : net.loads) {
    json j{{"id", l.id},
           {"bus", l.bus},
           {"phases", l.phases.to_string()},
           {"kv", l.kv},
           {"kw", l.kw},
           {"kvar", l.kvar},
           {"model", model_name(l.model)},
           {"connection", l.connection == LoadConnection::wye ? "wye" : "delta"}};
    if (!l.shape.empty()) j["shape"] = l.shape;
    loads.push_back(std::move(j));
  }
  return root.dump(1);
}

}  // namespace gridke::services::grid
