#include "json_codec.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace gridke::services::fault_location::rest {
namespace {

using nlohmann::json;

bool read_int(std::string_view s, std::size_t pos, std::size_t len, int& out) {
  if (pos + len > s.size()) return false;
  for (std::size_t i = pos; i < pos + len; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  std::from_chars(s.data() + pos, s.data() + pos + len, out);
  return true;
}

constexpr std::array<std::string_view, 12> month_names = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

Error bad_time(std::string_view field, std::string_view text) {
  return invalid_argument(std::string(field) + ": '" + std::string(text) +
                          "' is not a timestamp (expected ISO 8601 like 2026-11-27T08:00:00Z "
                          "or dd-Mon-yyyy hh:mm:ss)");
}

Result<Timestamp> assemble(int y, int mo, int d, int h, int mi, int s, int ms, int offset_min,
                           std::string_view field, std::string_view text) {
  const std::chrono::year_month_day ymd{std::chrono::year(y),
                                        std::chrono::month(static_cast<unsigned>(mo)),
                                        std::chrono::day(static_cast<unsigned>(d))};
  if (!ymd.ok() || h > 23 || mi > 59 || s > 60) return bad_time(field, text);
  const auto days = std::chrono::sys_days(ymd);
  return Timestamp(std::chrono::duration_cast<Duration>(days.time_since_epoch()) +
                   std::chrono::hours(h) + std::chrono::minutes(mi - offset_min) +
                   std::chrono::seconds(s) + Duration(ms));
}

Result<int> int_field(const json& j, std::string_view key, std::string_view where) {
  const auto& v = j.at(std::string(key));
  if (!v.is_number_integer()) {
    return invalid_argument(std::string(where) + std::string(key) + ": must be an integer");
  }
  const auto n = v.get<long long>();
  if (n < -1'000'000'000LL || n > 1'000'000'000LL) {
    return invalid_argument(std::string(where) + std::string(key) + ": out of range");
  }
  return static_cast<int>(n);
}

Result<std::string> string_field(const json& j, std::string_view key, std::string_view where) {
  const auto& v = j.at(std::string(key));
  if (!v.is_string()) {
    return invalid_argument(std::string(where) + std::string(key) + ": must be a string");
  }
  return v.get<std::string>();
}

}  // namespace

Result<Timestamp> parse_timestamp(std::string_view t, std::string_view field) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, ms = 0;
  // D4.3 form: dd-Mon-yyyy hh:mm:ss
  if (t.size() == 20 && t[2] == '-' && t[6] == '-' && t[11] == ' ') {
    const auto mon = t.substr(3, 3);
    for (std::size_t i = 0; i < month_names.size(); ++i) {
      if (month_names[i] == mon) mo = static_cast<int>(i) + 1;
    }
    if (mo == 0 || !read_int(t, 0, 2, d) || !read_int(t, 7, 4, y) || !read_int(t, 12, 2, h) ||
        t[14] != ':' || !read_int(t, 15, 2, mi) || t[17] != ':' || !read_int(t, 18, 2, s)) {
      return bad_time(field, t);
    }
    return assemble(y, mo, d, h, mi, s, 0, 0, field, t);
  }
  if (t.size() < 20 || !read_int(t, 0, 4, y) || t[4] != '-' || !read_int(t, 5, 2, mo) ||
      t[7] != '-' || !read_int(t, 8, 2, d) || (t[10] != 'T' && t[10] != ' ') ||
      !read_int(t, 11, 2, h) || t[13] != ':' || !read_int(t, 14, 2, mi) || t[16] != ':' ||
      !read_int(t, 17, 2, s)) {
    return bad_time(field, t);
  }
  std::size_t pos = 19;
  if (pos < t.size() && t[pos] == '.') {
    std::size_t digits = 0;
    ++pos;
    while (pos < t.size() && t[pos] >= '0' && t[pos] <= '9') {
      if (digits < 3) ms = ms * 10 + (t[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0) return bad_time(field, t);
    for (std::size_t k = digits; k < 3; ++k) ms *= 10;
  }
  int offset = 0;
  if (pos < t.size() && t[pos] == 'Z' && pos + 1 == t.size()) {
    offset = 0;
  } else if (pos + 6 == t.size() && (t[pos] == '+' || t[pos] == '-') && t[pos + 3] == ':') {
    int oh = 0, om = 0;
    if (!read_int(t, pos + 1, 2, oh) || !read_int(t, pos + 4, 2, om)) return bad_time(field, t);
    offset = (t[pos] == '-' ? -1 : 1) * (oh * 60 + om);
  } else {
    return bad_time(field, t);
  }
  return assemble(y, mo, d, h, mi, s, ms, offset, field, t);
}

std::string format_timestamp(Timestamp t) {
  const auto days = std::chrono::floor<std::chrono::days>(t);
  const std::chrono::year_month_day ymd{days};
  const auto rest = t - days;
  const auto ms = rest.count();
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02lld:%02lld:%02lld.%03lldZ",
                static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()), static_cast<long long>(ms / 3'600'000),
                static_cast<long long>(ms / 60'000 % 60), static_cast<long long>(ms / 1000 % 60),
                static_cast<long long>(ms % 1000));
  return buf;
}

Result<json> parse_body(const std::string& body, bool allow_empty) {
  if (body.empty() && allow_empty) return json::object();
  try {
    return json::parse(body);
  } catch (const json::exception& e) {
    return parse_error(std::string("body: not valid JSON (") + e.what() + ")");
  }
}

Result<void> check_object(const json& j, std::string_view where,
                          std::initializer_list<std::string_view> known) {
  if (!j.is_object()) {
    return invalid_argument(
        std::string(where.empty() ? "body" : where.substr(0, where.size() - 1)) +
        ": must be a JSON object");
  }
  for (const auto& [key, value] : j.items()) {
    bool found = false;
    for (auto k : known) found = found || k == key;
    if (!found) return invalid_argument(std::string(where) + key + ": unknown field");
  }
  return ok();
}

Result<MonitoringParameters> parameters_from_json(const json& j, MonitoringParameters base) {
  GRIDKE_TRY(check_object(j, "", {"minSilentHems", "minSilenceSeconds"}));
  if (j.contains("minSilentHems")) {
    GRIDKE_ASSIGN_OR_RETURN(base.min_silent_hems, int_field(j, "minSilentHems", ""));
  }
  if (j.contains("minSilenceSeconds")) {
    GRIDKE_ASSIGN_OR_RETURN(int s, int_field(j, "minSilenceSeconds", ""));
    base.min_silence = std::chrono::seconds(s);
  }
  return base;
}

Result<MonitoringRequest> monitoring_request_from_json(const json& j) {
  GRIDKE_TRY(check_object(j, "", {"gridZone", "minSilentHems", "minSilenceSeconds", "window"}));
  if (!j.contains("gridZone")) return invalid_argument("gridZone: missing");
  MonitoringRequest r;
  GRIDKE_ASSIGN_OR_RETURN(r.zone, string_field(j, "gridZone", ""));
  if (r.zone.empty()) return invalid_argument("gridZone: must not be empty");
  if (j.contains("minSilentHems")) {
    GRIDKE_ASSIGN_OR_RETURN(int n, int_field(j, "minSilentHems", ""));
    r.min_silent_hems = n;
  }
  if (j.contains("minSilenceSeconds")) {
    GRIDKE_ASSIGN_OR_RETURN(int s, int_field(j, "minSilenceSeconds", ""));
    r.min_silence = std::chrono::seconds(s);
  }
  if (j.contains("window")) {
    const auto& w = j["window"];
    GRIDKE_TRY(check_object(w, "window.", {"start", "end"}));
    if (!w.contains("start") || !w.contains("end")) {
      return invalid_argument("window: needs start and end");
    }
    GRIDKE_ASSIGN_OR_RETURN(auto start, string_field(w, "start", "window."));
    GRIDKE_ASSIGN_OR_RETURN(auto end, string_field(w, "end", "window."));
    GRIDKE_ASSIGN_OR_RETURN(auto ts, parse_timestamp(start, "window.start"));
    GRIDKE_ASSIGN_OR_RETURN(auto te, parse_timestamp(end, "window.end"));
    r.window = TimeWindow{ts, te};
  }
  return r;
}

Result<std::vector<VoltageReading>> readings_from_json(const json& j) {
  GRIDKE_TRY(check_object(j, "", {"readings"}));
  if (!j.contains("readings") || !j["readings"].is_array()) {
    return invalid_argument("readings: must be an array");
  }
  std::vector<VoltageReading> out;
  out.reserve(j["readings"].size());
  std::size_t i = 0;
  for (const auto& r : j["readings"]) {
    const std::string where = "readings[" + std::to_string(i++) + "].";
    GRIDKE_TRY(check_object(r, where, {"hemsId", "timestamp", "voltage"}));
    for (const char* key : {"hemsId", "timestamp", "voltage"}) {
      if (!r.contains(key)) return invalid_argument(where + key + ": missing");
    }
    VoltageReading v;
    GRIDKE_ASSIGN_OR_RETURN(v.hems_id, string_field(r, "hemsId", where));
    GRIDKE_ASSIGN_OR_RETURN(auto time, string_field(r, "timestamp", where));
    GRIDKE_ASSIGN_OR_RETURN(v.time, parse_timestamp(time, where + "timestamp"));
    if (!r["voltage"].is_number()) return invalid_argument(where + "voltage: must be a number");
    v.voltage_v = r["voltage"].get<double>();
    out.push_back(std::move(v));
  }
  return out;
}

Result<GridZone> zone_from_json(const json& j, std::string id) {
  GRIDKE_TRY(check_object(j, "", {"description", "nominalVoltage", "region"}));
  GridZone z;
  z.id = std::move(id);
  if (j.contains("region")) {
    GRIDKE_ASSIGN_OR_RETURN(z.region, string_field(j, "region", ""));
  }
  if (j.contains("description")) {
    GRIDKE_ASSIGN_OR_RETURN(z.description, string_field(j, "description", ""));
  }
  if (j.contains("nominalVoltage")) {
    if (!j["nominalVoltage"].is_number()) {
      return invalid_argument("nominalVoltage: must be a number");
    }
    z.nominal_voltage_v = j["nominalVoltage"].get<double>();
  }
  return z;
}

Result<Hems> hems_from_json(const json& j, std::string id) {
  GRIDKE_TRY(check_object(j, "", {"gridZone", "phase", "accessNetwork"}));
  if (!j.contains("gridZone")) return invalid_argument("gridZone: missing");
  Hems h;
  h.id = std::move(id);
  GRIDKE_ASSIGN_OR_RETURN(h.zone, string_field(j, "gridZone", ""));
  if (j.contains("phase") && !j["phase"].is_null()) {
    GRIDKE_ASSIGN_OR_RETURN(auto p, string_field(j, "phase", ""));
    h.phase = parse_phase(p);
    if (!h.phase) return invalid_argument("phase: '" + p + "' is not L1, L2 or L3");
  }
  if (j.contains("accessNetwork")) {
    GRIDKE_ASSIGN_OR_RETURN(h.access_network, string_field(j, "accessNetwork", ""));
  }
  return h;
}

json to_json(const MonitoringParameters& p) {
  return {{"minSilentHems", p.min_silent_hems}, {"minSilenceSeconds", p.min_silence.count()}};
}

json to_json(const Monitoring& m) {
  json j = {{"requestId", m.id},
            {"gridZone", m.zone},
            {"minSilentHems", m.parameters.min_silent_hems},
            {"minSilenceSeconds", m.parameters.min_silence.count()},
            {"createdAt", format_timestamp(m.created_at)}};
  if (m.window) {
    j["window"] = {{"start", format_timestamp(m.window->start)},
                   {"end", format_timestamp(m.window->end)}};
  } else {
    j["window"] = nullptr;  // permanent
  }
  return j;
}

json to_json(const MonitoringDecision& d) {
  json j = {{"status", d.status}};
  if (d.monitoring) j["monitoring"] = to_json(*d.monitoring);
  if (!d.reason.empty()) j["reason"] = d.reason;
  return j;
}

json to_json(const ZoneListing& z) {
  return {{"id", z.zone.id},          {"description", z.zone.description},
          {"region", z.zone.region},  {"nominalVoltage", z.zone.nominal_voltage_v},
          {"monitored", z.monitored}, {"hems", z.hems_ids}};
}

json to_json(const HemsStatus& s) {
  json j = {{"hemsId", s.hems_id}, {"gridZone", s.zone}, {"communicating", s.communicating}};
  j["lastSeen"] = s.last_seen ? json(format_timestamp(*s.last_seen)) : json(nullptr);
  j["lastVoltage"] = s.last_voltage_v ? json(*s.last_voltage_v) : json(nullptr);
  j["silentForSeconds"] =
      s.silent_for ? json(static_cast<double>(s.silent_for->count()) / 1000.0) : json(nullptr);
  return j;
}

json to_json(const Notification& n) {
  json readings = json::array();
  for (const auto& r : n.abnormal_readings) {
    readings.push_back({{"timestamp", format_timestamp(r.time)}, {"voltage", r.voltage_v}});
  }
  json j = {{"id", n.id},
            {"kind", std::string(to_string(n.kind))},
            {"status", std::string(to_string(n.status))},
            {"gridZone", n.zone},
            {"phase", n.phase ? json(std::string(to_string(*n.phase))) : json(nullptr)},
            {"monitoringId", n.monitoring_id},
            {"affectedHems", n.affected_hems},
            {"monitoredHems", n.monitored_hems},
            {"confidence", n.confidence},
            {"reason", n.reason},
            {"falseAlarmProbability", n.false_alarm_probability},
            {"onset", format_timestamp(n.onset)},
            {"raisedAt", format_timestamp(n.raised_at)},
            {"updatedAt", format_timestamp(n.updated_at)},
            {"clearedAt", n.cleared_at ? json(format_timestamp(*n.cleared_at)) : json(nullptr)},
            {"abnormalVoltages", readings},
            {"revision", n.revision}};
  return j;
}

json to_json(const Subscription& s) {
  return {{"id", s.id},
          {"callbackUrl", s.endpoint},
          {"gridZone", s.zone.empty() ? json(nullptr) : json(s.zone)},
          {"createdAt", format_timestamp(s.created_at)}};
}

json to_json(const IngestSummary& s) {
  return {{"stored", s.stored}, {"duplicates", s.duplicates}, {"expired", s.expired}};
}

json error_json(const Error& e) {
  return {{"error", std::string(to_string(e.code()))}, {"message", e.to_string()}};
}

}  // namespace gridke::services::fault_location::rest
