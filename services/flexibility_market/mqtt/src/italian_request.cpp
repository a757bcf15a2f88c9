#include "gridke/services/flexibility_market/mqtt/italian_request.hpp"

#include <cmath>
#include <set>

#include "gridke/services/flexibility_market/model_json.hpp"

namespace gridke::services::flexibility_market {

namespace {

Result<TimePoint> time_field(const nlohmann::json& j, const std::string& path) {
  if (j.is_string()) return parse_time(j.get<std::string>(), path);
  if (j.is_number()) {
    const double s = j.get<double>();
    if (!std::isfinite(s) || s < 0)
      return invalid_argument(path + ": epoch seconds must be finite and >= 0");
    return from_epoch_ms(static_cast<std::int64_t>(std::llround(s * 1000)));
  }
  return invalid_argument(path + ": must be an ISO 8601 string or epoch seconds, got " +
                          std::string(j.type_name()));
}

}  // namespace

Result<std::vector<NeedInput>> parse_italian_request(std::string_view payload,
                                                     const std::string& zone, Duration slot) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(payload);
  } catch (const nlohmann::json::exception& e) {
    return parse_error(std::string("flexibility request: not JSON: ") + e.what());
  }
  if (!j.is_object())
    return invalid_argument("flexibility request: must be an object, got " +
                            std::string(j.type_name()));
  for (const auto& [k, v] : j.items()) {
    if (k != "timestamp" && k != "flexibility") {
      return invalid_argument(k + ": unknown field (allowed: timestamp, flexibility)");
    }
  }
  if (!j.contains("timestamp")) return invalid_argument("timestamp: is required");
  GRIDKE_TRY(time_field(j["timestamp"], "timestamp"));
  if (!j.contains("flexibility") || !j["flexibility"].is_array()) {
    return invalid_argument("flexibility: must be an array");
  }
  const auto& list = j["flexibility"];
  if (list.empty()) return invalid_argument("flexibility: at least one entry is required");
  std::vector<NeedInput> out;
  std::set<std::int64_t> seen;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string path = "flexibility[" + std::to_string(i) + "]";
    const auto& e = list[i];
    if (!e.is_object()) return invalid_argument(path + ": must be an object");
    for (const auto& [k, v] : e.items()) {
      if (k != "activation_time" && k != "power") {
        return invalid_argument(path + "." + k +
                                ": unknown field (allowed: activation_time, power)");
      }
    }
    if (!e.contains("activation_time"))
      return invalid_argument(path + ".activation_time: is required");
    GRIDKE_ASSIGN_OR_RETURN(TimePoint t,
                            time_field(e["activation_time"], path + ".activation_time"));
    if (!e.contains("power") || !e["power"].is_number()) {
      return invalid_argument(path + ".power: must be a number (kW)");
    }
    const double p = e["power"].get<double>();
    if (!std::isfinite(p) || p == 0)
      return invalid_argument(path + ".power: must be finite and non-zero");
    if (!seen.insert(to_epoch_ms(t)).second) {
      return invalid_argument(path + ".activation_time: " + format_time(t) + " appears twice");
    }
    NeedInput n;
    n.zone = zone;
    n.needs_kw = std::abs(p);
    n.direction = p > 0 ? Direction::down : Direction::up;
    n.start = t;
    n.end = t + slot;
    out.push_back(std::move(n));
  }
  return out;
}

}  // namespace gridke::services::flexibility_market
