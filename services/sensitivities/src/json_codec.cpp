// D4.3 JSON shapes (json_codec.hpp), with nlohmann::json kept inside this file.

#include "gridke/services/sensitivities/json_codec.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <ctime>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace gridke::services::sensitivities {
namespace {

using nlohmann::json;

Result<json> parse_text(std::string_view text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return parse_error("request body is not valid JSON");
  return j;
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

// --- Streaming (SAX) reader of the D4.3 upload shapes -------------------------------------
// {"<key>": [ {item fields…, "measurements": [ {timestamp, v_measured, p_measured}, … ]}, … ]}
// or the bare array. Records go straight into the caller's structs: no DOM is built, so a
// 100 MB body costs its own bytes plus the parsed records (24 bytes each), never a second copy.

// One JSON value as the reader saw it: a scalar, or "composite" for an object/array.
struct Scalar {
  enum class Kind {
    absent,
    null,
    boolean,
    integer,
    floating,
    string,
    composite
  } kind = Kind::absent;
  std::int64_t i = 0;
  double d = 0;
  std::string s;
};

Result<std::string> scalar_string(const Scalar& v, const std::string& path, bool required) {
  if (v.kind == Scalar::Kind::absent || v.kind == Scalar::Kind::null) {
    if (!required) return std::string();
    return parse_error(path + ": missing");
  }
  if (v.kind != Scalar::Kind::string) return parse_error(path + ": expected a string");
  return v.s;
}

Result<std::int64_t> scalar_int(const Scalar& v, const std::string& path,
                                std::optional<std::int64_t> fallback = std::nullopt) {
  if (v.kind == Scalar::Kind::absent || v.kind == Scalar::Kind::null) {
    if (fallback) return *fallback;
    return parse_error(path + ": missing");
  }
  if (v.kind == Scalar::Kind::integer) return v.i;
  if (v.kind == Scalar::Kind::floating && std::floor(v.d) == v.d && std::abs(v.d) < 9.0e15) {
    return static_cast<std::int64_t>(v.d);
  }
  return parse_error(path + ": expected an integer");
}

Result<double> scalar_number(const Scalar& v, const std::string& path) {
  if (v.kind == Scalar::Kind::absent) return parse_error(path + ": missing");
  if (v.kind == Scalar::Kind::integer) return static_cast<double>(v.i);
  if (v.kind == Scalar::Kind::floating) return v.d;
  return parse_error(path + ": expected a number");
}

// The fields of one item (meter or appliance) in the order of the document.
using ItemFields = std::vector<std::pair<std::string, Scalar>>;

const Scalar& field(const ItemFields& f, std::string_view key) {
  static const Scalar absent;
  for (const auto& [k, v] : f) {
    if (k == key) return v;
  }
  return absent;
}

struct MeasurementFields {
  Scalar timestamp, v_measured, p_measured;
};

class UploadReader final : public nlohmann::json_sax<json> {
 public:
  // on_item(index, path, fields, has_measurements) runs when an item object closes;
  // on_measurement(path, fields) when a measurement object closes (before its item's on_item).
  using ItemFn =
      std::function<Result<void>(std::size_t, const std::string&, const ItemFields&, bool)>;
  using MeasurementFn = std::function<Result<void>(const std::string&, const MeasurementFields&)>;

  UploadReader(std::string key, ItemFn on_item, MeasurementFn on_measurement)
      : key_(std::move(key)),
        on_item_(std::move(on_item)),
        on_measurement_(std::move(on_measurement)) {}

  Result<void> run(std::string_view text) {
    const bool ok = json::sax_parse(text.begin(), text.end(), this);
    if (error_) return *error_;
    if (!ok) return gridke::parse_error("request body is not valid JSON");
    if (!found_) return gridke::parse_error("expected an object with \"" + key_ + "\" or an array");
    return gridke::ok();
  }

  bool null() override { return scalar({Scalar::Kind::null, 0, 0, {}}); }
  bool boolean(bool) override { return scalar({Scalar::Kind::boolean, 0, 0, {}}); }
  bool number_integer(number_integer_t v) override {
    return scalar({Scalar::Kind::integer, v, 0, {}});
  }
  bool number_unsigned(number_unsigned_t v) override {
    if (v > static_cast<number_unsigned_t>(std::numeric_limits<std::int64_t>::max())) {
      return scalar({Scalar::Kind::floating, 0, static_cast<double>(v), {}});
    }
    return scalar({Scalar::Kind::integer, static_cast<std::int64_t>(v), 0, {}});
  }
  bool number_float(number_float_t v, const string_t&) override {
    return scalar({Scalar::Kind::floating, 0, v, {}});
  }
  bool string(string_t& v) override { return scalar({Scalar::Kind::string, 0, 0, std::move(v)}); }
  bool binary(binary_t&) override { return scalar({Scalar::Kind::composite, 0, 0, {}}); }
  bool key(string_t& k) override {
    if (skip_ == 0) key_seen_ = std::move(k);
    return true;
  }
  bool start_object(std::size_t) override { return open(false); }
  bool start_array(std::size_t) override { return open(true); }
  bool end_object() override { return close(); }
  bool end_array() override { return close(); }
  bool parse_error(std::size_t position, const std::string&,
                   const nlohmann::detail::exception& e) override {
    std::string what = e.what();
    // nlohmann's text: "[json.exception.parse_error.101] parse error at line 1, column 2: …"
    if (const auto p = what.find("] "); p != std::string::npos) what = what.substr(p + 2);
    error_ = gridke::parse_error("request body is not valid JSON: " + what + " (byte " +
                                 std::to_string(position) + ")");
    return false;
  }

 private:
  enum class Frame { root, items, item, measurements, measurement };

  bool fail(std::string message) {
    error_ = gridke::parse_error(std::move(message));
    return false;
  }
  std::string item_path() const { return key_ + "[" + std::to_string(item_index_) + "]"; }
  std::string measurement_path() const {
    return item_path() + ".measurements[" + std::to_string(measurement_index_) + "]";
  }
  bool check(const Result<void>& r) {
    if (r) return true;
    error_ = r.error();
    return false;
  }

  bool scalar(Scalar v) {
    if (skip_ > 0) return true;
    if (stack_.empty()) return fail("expected an object with \"" + key_ + "\" or an array");
    switch (stack_.back()) {
      case Frame::root:
        if (key_seen_ == key_) return fail(key_ + ": expected an array");
        return true;
      case Frame::items: return fail(item_path() + ": expected an object");
      case Frame::item:
        if (key_seen_ == "measurements")
          return fail(item_path() + ".measurements: expected an array");
        item_.emplace_back(key_seen_, std::move(v));
        return true;
      case Frame::measurements: return fail(measurement_path() + ": expected an object");
      case Frame::measurement:
        if (key_seen_ == "timestamp") {
          measurement_.timestamp = std::move(v);
        } else if (key_seen_ == "v_measured") {
          measurement_.v_measured = std::move(v);
        } else if (key_seen_ == "p_measured") {
          measurement_.p_measured = std::move(v);
        }
        return true;
    }
    return true;
  }

  bool open(bool array) {
    if (skip_ > 0) {
      ++skip_;
      return true;
    }
    if (stack_.empty()) {
      if (array) {
        found_ = true;
        stack_.push_back(Frame::items);
      } else {
        stack_.push_back(Frame::root);
      }
      return true;
    }
    switch (stack_.back()) {
      case Frame::root:
        if (key_seen_ != key_) break;
        if (!array) return fail(key_ + ": expected an array");
        found_ = true;
        stack_.push_back(Frame::items);
        return true;
      case Frame::items:
        if (array) return fail(item_path() + ": expected an object");
        item_.clear();
        has_measurements_ = false;
        measurement_index_ = 0;
        stack_.push_back(Frame::item);
        return true;
      case Frame::item:
        if (key_seen_ == "measurements") {
          if (!array) return fail(item_path() + ".measurements: expected an array");
          has_measurements_ = true;
          stack_.push_back(Frame::measurements);
          return true;
        }
        item_.emplace_back(key_seen_, Scalar{Scalar::Kind::composite, 0, 0, {}});
        break;
      case Frame::measurements:
        if (array) return fail(measurement_path() + ": expected an object");
        measurement_ = {};
        stack_.push_back(Frame::measurement);
        return true;
      case Frame::measurement:
        if (key_seen_ == "timestamp") measurement_.timestamp.kind = Scalar::Kind::composite;
        if (key_seen_ == "v_measured") measurement_.v_measured.kind = Scalar::Kind::composite;
        if (key_seen_ == "p_measured") measurement_.p_measured.kind = Scalar::Kind::composite;
        break;
    }
    skip_ = 1;  // a value nobody reads: skip it whole
    return true;
  }

  bool close() {
    if (skip_ > 0) {
      --skip_;
      return true;
    }
    const Frame f = stack_.back();
    stack_.pop_back();
    switch (f) {
      case Frame::measurement:
        if (!check(on_measurement_(measurement_path(), measurement_))) return false;
        ++measurement_index_;
        return true;
      case Frame::item:
        if (!check(on_item_(item_index_, item_path(), item_, has_measurements_))) return false;
        ++item_index_;
        return true;
      default: return true;
    }
  }

  std::string key_;
  ItemFn on_item_;
  MeasurementFn on_measurement_;
  std::vector<Frame> stack_;
  int skip_ = 0;
  bool found_ = false;
  std::string key_seen_;
  ItemFields item_;
  bool has_measurements_ = false;
  MeasurementFields measurement_;
  std::size_t item_index_ = 0;
  std::size_t measurement_index_ = 0;
  std::optional<Error> error_;
};

Result<MeterInfo> meter_info_from(const ItemFields& f, const std::string& path) {
  MeterInfo info;
  GRIDKE_ASSIGN_OR_RETURN(info.meter_id,
                          scalar_string(field(f, "meter_id"), path + ".meter_id", true));
  GRIDKE_ASSIGN_OR_RETURN(info.master_id,
                          scalar_string(field(f, "master_id"), path + ".master_id", false));
  GRIDKE_ASSIGN_OR_RETURN(const auto kind, scalar_int(field(f, "info"), path + ".info", 0));
  if (kind != 0 && kind != 1) {
    return parse_error(path + ".info: " + std::to_string(kind) +
                       " is not 0 (regular meter) or 1 (substation meter)");
  }
  info.kind = static_cast<MeterKind>(kind);
  GRIDKE_ASSIGN_OR_RETURN(const auto phase, scalar_int(field(f, "phase"), path + ".phase", 0));
  info.phase = static_cast<int>(phase);
  return info;
}

Result<HistoricalData> read_meters(std::string_view text, bool measurements_required) {
  HistoricalData out;
  std::vector<Measurement> pending;
  UploadReader reader(
      "historicalFromMeters",
      [&](std::size_t, const std::string& path, const ItemFields& f,
          bool has_measurements) -> Result<void> {
        if (measurements_required && !has_measurements) {
          return parse_error(path + ".measurements: missing");
        }
        MeterHistory h;
        GRIDKE_ASSIGN_OR_RETURN(h.meter, meter_info_from(f, path));
        h.measurements = std::move(pending);
        pending = {};
        out.meters.push_back(std::move(h));
        return ok();
      },
      [&](const std::string& at, const MeasurementFields& f) -> Result<void> {
        Measurement m;
        GRIDKE_ASSIGN_OR_RETURN(m.timestamp_s, scalar_int(f.timestamp, at + ".timestamp"));
        GRIDKE_ASSIGN_OR_RETURN(m.v_measured_v, scalar_number(f.v_measured, at + ".v_measured"));
        GRIDKE_ASSIGN_OR_RETURN(m.p_measured_kw, scalar_number(f.p_measured, at + ".p_measured"));
        pending.push_back(m);
        return ok();
      });
  GRIDKE_TRY(reader.run(text));
  return out;
}

Result<std::vector<ApplianceHistory>> read_appliances(std::string_view text) {
  std::vector<ApplianceHistory> out;
  std::vector<ApplianceMeasurement> pending;
  UploadReader reader(
      "historicalFromAppliances",
      [&](std::size_t, const std::string& path, const ItemFields& f,
          bool has_measurements) -> Result<void> {
        ApplianceHistory h;
        GRIDKE_ASSIGN_OR_RETURN(
            h.appliance_id, scalar_string(field(f, "appliance_id"), path + ".appliance_id", true));
        GRIDKE_ASSIGN_OR_RETURN(h.meter_id,
                                scalar_string(field(f, "meter_id"), path + ".meter_id", true));
        GRIDKE_ASSIGN_OR_RETURN(const auto type,
                                scalar_int(field(f, "appliance_type"), path + ".appliance_type"));
        if (type < 1 || type > 4) {
          return parse_error(path + ".appliance_type: " + std::to_string(type) +
                             " is not 1 (EV), 2 (heat pump), 3 (PV) or 4 (other)");
        }
        h.type = static_cast<ApplianceType>(type);
        if (!has_measurements) return parse_error(path + ".measurements: expected an array");
        h.measurements = std::move(pending);
        pending = {};
        out.push_back(std::move(h));
        return ok();
      },
      [&](const std::string& at, const MeasurementFields& f) -> Result<void> {
        ApplianceMeasurement m;
        GRIDKE_ASSIGN_OR_RETURN(m.timestamp_s, scalar_int(f.timestamp, at + ".timestamp"));
        GRIDKE_ASSIGN_OR_RETURN(m.p_measured_kw, scalar_number(f.p_measured, at + ".p_measured"));
        pending.push_back(m);
        return ok();
      });
  GRIDKE_TRY(reader.run(text));
  return out;
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
  return read_meters(text, true);
}

Result<GridRegistration> parse_registration(std::string_view network_id, std::string_view text) {
  GRIDKE_ASSIGN_OR_RETURN(const auto data, read_meters(text, false));
  GridRegistration g;
  g.network_id = std::string(network_id);
  for (const auto& h : data.meters) g.meters.push_back(h.meter);
  return g;
}

Result<std::pair<GridRegistration, HistoricalData>> parse_registration_upload(
    std::string_view network_id, std::string_view text) {
  GRIDKE_ASSIGN_OR_RETURN(auto data, read_meters(text, false));
  GridRegistration g;
  g.network_id = std::string(network_id);
  for (const auto& h : data.meters) g.meters.push_back(h.meter);
  return std::make_pair(std::move(g), std::move(data));
}

Result<std::vector<ApplianceHistory>> parse_appliances(std::string_view text) {
  return read_appliances(text);
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
