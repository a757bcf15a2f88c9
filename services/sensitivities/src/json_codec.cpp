// D4.3 JSON shapes (json_codec.hpp), with nlohmann::json kept inside this file.

#include "gridke/services/sensitivities/json_codec.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <ctime>
#include <optional>
#include <string>

namespace gridke::services::sensitivities {
namespace {

using nlohmann::json;

Result<json> parse_text(std::string_view text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return parse_error("request body is not valid JSON");
  return j;
}

Result<const json*> array_field(const json& root, const char* key) {
  if (root.is_array()) return &root;
  if (!root.is_object() || !root.contains(key)) {
    return parse_error(std::string("expected an object with \"") + key + "\" or an array");
  }
  if (!root.at(key).is_array()) return parse_error(std::string(key) + ": expected an array");
  return &root.at(key);
}

Result<std::string> get_string(const json& o, const char* key, const std::string& path,
                               bool required = true) {
  if (!o.contains(key) || o.at(key).is_null()) {
    if (!required) return std::string();
    return parse_error(path + "." + key + ": missing");
  }
  if (!o.at(key).is_string()) return parse_error(path + "." + key + ": expected a string");
  return o.at(key).get<std::string>();
}

Result<std::int64_t> get_int(const json& o, const char* key, const std::string& path,
                             std::optional<std::int64_t> fallback = std::nullopt) {
  if (!o.contains(key) || o.at(key).is_null()) {
    if (fallback) return *fallback;
    return parse_error(path + "." + key + ": missing");
  }
  const auto& v = o.at(key);
  if (v.is_number_integer()) return v.get<std::int64_t>();
  if (v.is_number_float() && std::floor(v.get<double>()) == v.get<double>()) {
    return static_cast<std::int64_t>(v.get<double>());
  }
  return parse_error(path + "." + key + ": expected an integer");
}

Result<double> get_number(const json& o, const char* key, const std::string& path) {
  if (!o.contains(key)) return parse_error(path + "." + key + ": missing");
  if (!o.at(key).is_number()) return parse_error(path + "." + key + ": expected a number");
  return o.at(key).get<double>();
}

Result<MeterInfo> parse_meter_info(const json& m, const std::string& path) {
  if (!m.is_object()) return parse_error(path + ": expected an object");
  MeterInfo info;
  GRIDKE_ASSIGN_OR_RETURN(info.meter_id, get_string(m, "meter_id", path));
  GRIDKE_ASSIGN_OR_RETURN(info.master_id, get_string(m, "master_id", path, false));
  GRIDKE_ASSIGN_OR_RETURN(const auto kind, get_int(m, "info", path, 0));
  if (kind != 0 && kind != 1) {
    return parse_error(path + ".info: " + std::to_string(kind) +
                       " is not 0 (regular meter) or 1 (substation meter)");
  }
  info.kind = static_cast<MeterKind>(kind);
  GRIDKE_ASSIGN_OR_RETURN(const auto phase, get_int(m, "phase", path, 0));
  info.phase = static_cast<int>(phase);
  return info;
}

Result<HistoricalData> parse_meters(const json& array, bool measurements_required) {
  HistoricalData out;
  for (std::size_t k = 0; k < array.size(); ++k) {
    const std::string path = "historicalFromMeters[" + std::to_string(k) + "]";
    MeterHistory h;
    GRIDKE_ASSIGN_OR_RETURN(h.meter, parse_meter_info(array[k], path));
    if (!array[k].contains("measurements")) {
      if (measurements_required) return parse_error(path + ".measurements: missing");
      out.meters.push_back(std::move(h));
      continue;
    }
    const auto& ms = array[k].at("measurements");
    if (!ms.is_array()) return parse_error(path + ".measurements: expected an array");
    h.measurements.reserve(ms.size());
    for (std::size_t r = 0; r < ms.size(); ++r) {
      const std::string at = path + ".measurements[" + std::to_string(r) + "]";
      if (!ms[r].is_object()) return parse_error(at + ": expected an object");
      Measurement m;
      GRIDKE_ASSIGN_OR_RETURN(m.timestamp_s, get_int(ms[r], "timestamp", at));
      GRIDKE_ASSIGN_OR_RETURN(m.v_measured_v, get_number(ms[r], "v_measured", at));
      GRIDKE_ASSIGN_OR_RETURN(m.p_measured_kw, get_number(ms[r], "p_measured", at));
      h.measurements.push_back(m);
    }
    out.meters.push_back(std::move(h));
  }
  return out;
}

json meter_info_json(const MeterInfo& m) {
  return {{"meter_id", m.meter_id},
          {"master_id", m.master_id},
          {"info", static_cast<int>(m.kind)},
          {"phase", m.phase}};
}

json quality_json(const DataQuality& q) {
  return {{"step_s", q.step_s},
          {"slots", q.slots},
          {"records", q.records},
          {"missing_records", q.missing_records},
          {"implausible_voltages", q.implausible_voltages},
          {"snapped_timestamps", q.snapped_timestamps},
          {"voltage_outliers", q.voltage_outliers},
          {"power_outliers", q.power_outliers},
          {"residual_outliers", q.residual_outliers},
          {"not_identifiable", q.not_identifiable}};
}

Result<std::int64_t> parse_iso8601(const std::string& text, const std::string& path) {
  std::tm tm{};
  if (std::sscanf(text.c_str(), "%d-%d-%dT%d:%d:%dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6) {
    return parse_error(path + ": '" + text + "' is not YYYY-MM-DDTHH:MM:SSZ");
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<std::int64_t>(timegm(&tm));
}

json causes_json(const std::vector<ProblemCause>& causes) {
  json a = json::array();
  for (const auto& c : causes) {
    a.push_back({{"meter_id", c.meter_id},
                 {"load_type", static_cast<int>(c.load_type)},
                 {"voltage_impact", c.voltage_impact_v},
                 {"share", c.share}});
  }
  return a;
}

json violation_json(const LimitViolation& v) {
  return {{"prob_of_occur", v.probability_percent},
          {"worst_record", {{"value", v.worst_value_v}, {"meter_id", v.worst_meter}}},
          {"customers_causing_problems", causes_json(v.causes)}};
}

}  // namespace

std::string iso8601_utc(std::int64_t unix_s) {
  const std::time_t t = static_cast<std::time_t>(unix_s);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

Result<HistoricalData> parse_historical_data(std::string_view text) {
  GRIDKE_ASSIGN_OR_RETURN(const json root, parse_text(text));
  GRIDKE_ASSIGN_OR_RETURN(const json* array, array_field(root, "historicalFromMeters"));
  return parse_meters(*array, true);
}

Result<GridRegistration> parse_registration(std::string_view network_id, std::string_view text) {
  GRIDKE_ASSIGN_OR_RETURN(const json root, parse_text(text));
  GRIDKE_ASSIGN_OR_RETURN(const json* array, array_field(root, "historicalFromMeters"));
  GRIDKE_ASSIGN_OR_RETURN(const auto data, parse_meters(*array, false));
  GridRegistration g;
  g.network_id = std::string(network_id);
  for (const auto& h : data.meters) g.meters.push_back(h.meter);
  return g;
}

Result<std::vector<ApplianceHistory>> parse_appliances(std::string_view text) {
  GRIDKE_ASSIGN_OR_RETURN(const json root, parse_text(text));
  GRIDKE_ASSIGN_OR_RETURN(const json* array, array_field(root, "historicalFromAppliances"));
  std::vector<ApplianceHistory> out;
  for (std::size_t k = 0; k < array->size(); ++k) {
    const json& a = (*array)[k];
    const std::string path = "historicalFromAppliances[" + std::to_string(k) + "]";
    if (!a.is_object()) return parse_error(path + ": expected an object");
    ApplianceHistory h;
    GRIDKE_ASSIGN_OR_RETURN(h.appliance_id, get_string(a, "appliance_id", path));
    GRIDKE_ASSIGN_OR_RETURN(h.meter_id, get_string(a, "meter_id", path));
    GRIDKE_ASSIGN_OR_RETURN(const auto type, get_int(a, "appliance_type", path));
    if (type < 1 || type > 4) {
      return parse_error(path + ".appliance_type: " + std::to_string(type) +
                         " is not 1 (EV), 2 (heat pump), 3 (PV) or 4 (other)");
    }
    h.type = static_cast<ApplianceType>(type);
    if (!a.contains("measurements") || !a.at("measurements").is_array()) {
      return parse_error(path + ".measurements: expected an array");
    }
    const auto& ms = a.at("measurements");
    for (std::size_t r = 0; r < ms.size(); ++r) {
      const std::string at = path + ".measurements[" + std::to_string(r) + "]";
      if (!ms[r].is_object()) return parse_error(at + ": expected an object");
      ApplianceMeasurement m;
      GRIDKE_ASSIGN_OR_RETURN(m.timestamp_s, get_int(ms[r], "timestamp", at));
      GRIDKE_ASSIGN_OR_RETURN(m.p_measured_kw, get_number(ms[r], "p_measured", at));
      h.measurements.push_back(m);
    }
    out.push_back(std::move(h));
  }
  return out;
}

std::string to_json(const HistoricalData& data) {
  json a = json::array();
  for (const auto& h : data.meters) {
    json m = meter_info_json(h.meter);
    json ms = json::array();
    for (const auto& r : h.measurements) {
      ms.push_back({{"timestamp", r.timestamp_s},
                    {"v_measured", r.v_measured_v},
                    {"p_measured", r.p_measured_kw}});
    }
    m["measurements"] = std::move(ms);
    a.push_back(std::move(m));
  }
  return json{{"historicalFromMeters", std::move(a)}}.dump();
}

std::string to_json(const GridRegistration& grid) {
  json a = json::array();
  for (const auto& m : grid.meters) a.push_back(meter_info_json(m));
  return json{{"historicalFromMeters", std::move(a)}}.dump();
}

std::string to_json(const std::vector<ApplianceHistory>& appliances) {
  json a = json::array();
  for (const auto& h : appliances) {
    json ms = json::array();
    for (const auto& r : h.measurements) {
      ms.push_back({{"timestamp", r.timestamp_s}, {"p_measured", r.p_measured_kw}});
    }
    a.push_back({{"appliance_id", h.appliance_id},
                 {"appliance_type", static_cast<int>(h.type)},
                 {"meter_id", h.meter_id},
                 {"info", 0},
                 {"measurements", std::move(ms)}});
  }
  return json{{"historicalFromAppliances", std::move(a)}}.dump();
}

std::string to_json(const SensitivityMatrix& s) {
  json points = json::array();
  for (std::size_t i = 0; i < s.voltage_meters.size(); ++i) {
    json injections = json::array();
    for (std::size_t j = 0; j < s.injection_meters.size(); ++j) {
      const auto r = static_cast<Eigen::Index>(i), c = static_cast<Eigen::Index>(j);
      injections.push_back({{"meter_id_P", s.injection_meters[j]},
                            {"sensitivity", s.sensitivity_v_per_kw(r, c)},
                            {"standard_error", s.standard_error_v_per_kw(r, c)}});
    }
    points.push_back({{"meter_id_V", s.voltage_meters[i]},
                      {"r_squared", s.r_squared[i]},
                      {"residual_sigma", s.residual_sigma_v[i]},
                      {"samples", s.samples[i]},
                      {"power_injection_points", std::move(injections)}});
  }
  return json{{"network_id", s.network_id},
              {"startTime", iso8601_utc(s.start_time_s)},
              {"endTime", iso8601_utc(s.end_time_s)},
              {"unit", "V/kW (voltage change per kW of additional consumption)"},
              {"reference", to_string(s.reference)},
              {"mode", to_string(s.mode)},
              {"lambda", s.lambda},
              {"condition_number", s.condition_number},
              {"data_quality", quality_json(s.quality)},
              {"voltage_sensitivity_points", std::move(points)}}
      .dump();
}

Result<SensitivityMatrix> parse_sensitivity_matrix(std::string_view text) {
  GRIDKE_ASSIGN_OR_RETURN(const json root, parse_text(text));
  SensitivityMatrix s;
  try {
    s.network_id = root.at("network_id").get<std::string>();
    GRIDKE_ASSIGN_OR_RETURN(s.start_time_s,
                            parse_iso8601(root.at("startTime").get<std::string>(), "startTime"));
    GRIDKE_ASSIGN_OR_RETURN(s.end_time_s,
                            parse_iso8601(root.at("endTime").get<std::string>(), "endTime"));
    s.reference = root.at("reference").get<std::string>() == "busbar" ? ReferenceVoltage::busbar
                                                                      : ReferenceVoltage::source;
    s.mode =
        root.at("mode").get<std::string>() == "ols" ? EstimatorMode::ols : EstimatorMode::robust;
    s.lambda = root.at("lambda").get<double>();
    s.condition_number = root.at("condition_number").get<double>();
    const auto& q = root.at("data_quality");
    s.quality.step_s = q.at("step_s").get<std::int64_t>();
    s.quality.slots = q.at("slots").get<std::int64_t>();
    s.quality.records = q.at("records").get<std::int64_t>();
    s.quality.missing_records = q.at("missing_records").get<std::int64_t>();
    s.quality.implausible_voltages = q.at("implausible_voltages").get<std::int64_t>();
    s.quality.snapped_timestamps = q.at("snapped_timestamps").get<std::int64_t>();
    s.quality.voltage_outliers = q.at("voltage_outliers").get<std::int64_t>();
    s.quality.power_outliers = q.at("power_outliers").get<std::int64_t>();
    s.quality.residual_outliers = q.at("residual_outliers").get<std::int64_t>();
    s.quality.not_identifiable = q.at("not_identifiable").get<std::vector<std::string>>();
    const auto& points = root.at("voltage_sensitivity_points");
    const auto rows = static_cast<Eigen::Index>(points.size());
    const auto cols =
        rows == 0 ? Eigen::Index{0}
                  : static_cast<Eigen::Index>(points[0].at("power_injection_points").size());
    s.sensitivity_v_per_kw.resize(rows, cols);
    s.standard_error_v_per_kw.resize(rows, cols);
    for (Eigen::Index i = 0; i < rows; ++i) {
      const auto& p = points[static_cast<std::size_t>(i)];
      s.voltage_meters.push_back(p.at("meter_id_V").get<std::string>());
      s.r_squared.push_back(p.at("r_squared").get<double>());
      s.residual_sigma_v.push_back(p.at("residual_sigma").get<double>());
      s.samples.push_back(p.at("samples").get<double>());
      const auto& inj = p.at("power_injection_points");
      if (static_cast<Eigen::Index>(inj.size()) != cols) {
        return parse_error("voltage_sensitivity_points[" + std::to_string(i) +
                           "].power_injection_points: expected " + std::to_string(cols) +
                           " entries");
      }
      for (Eigen::Index j = 0; j < cols; ++j) {
        const auto& e = inj[static_cast<std::size_t>(j)];
        if (i == 0) s.injection_meters.push_back(e.at("meter_id_P").get<std::string>());
        s.sensitivity_v_per_kw(i, j) = e.at("sensitivity").get<double>();
        s.standard_error_v_per_kw(i, j) = e.at("standard_error").get<double>();
      }
    }
  } catch (const json::exception& e) {
    return parse_error(std::string("sensitivity matrix JSON: ") + e.what());
  }
  return s;
}

std::string to_json(const VoltageAnalysis& a) {
  json periods = json::array();
  for (const auto& p : a.periods) {
    periods.push_back({{"time", p.label},
                       {"records", p.records},
                       {"average_voltage", p.average_voltage_v},
                       {"undervoltage", violation_json(p.undervoltage)},
                       {"overvoltage", violation_json(p.overvoltage)},
                       {"Warnings", p.warnings}});
  }
  return json{{"startTime", iso8601_utc(a.start_time_s)},
              {"endTime", iso8601_utc(a.end_time_s)},
              {"periods", std::move(periods)}}
      .dump();
}

std::string to_json(const FlexibilityRequirements& f) {
  json periods = json::array();
  for (const auto& p : f.periods) {
    json perimeters = json::array();
    for (const auto& ip : p.perimeters) {
      perimeters.push_back({{"perimeter_id", ip.perimeter_id},
                            {"critical_meter", ip.critical_meter},
                            {"voltage_deviation", ip.voltage_deviation_v},
                            {"meter_ids", ip.meter_ids},
                            {"power_variation_needs", ip.power_variation_kw}});
    }
    periods.push_back({{"time", p.label},
                       {"intervention_perimeters", std::move(perimeters)},
                       {"Potential recommendations", p.recommendations}});
  }
  return json{{"startTime", iso8601_utc(f.start_time_s)},
              {"endTime", iso8601_utc(f.end_time_s)},
              {"periods", std::move(periods)}}
      .dump();
}

}  // namespace gridke::services::sensitivities
