#pragma once
// JSON ↔ fault-location values for the REST front door, and timestamp text.
// Timestamps in: ISO 8601 ("2026-11-27T08:00:00Z", optional ".sss", "Z" or "±hh:mm") or the
// D4.3 Table 6 form "27-Nov-2026 08:00:00" (UTC). Out: "2026-11-27T08:00:00.000Z".
// Every parse error names the field, e.g. "readings[2].voltage: must be a number".
// Thread safety: stateless functions.

#include <nlohmann/json.hpp>

#include <initializer_list>
#include <string>
#include <string_view>

#include "gridke/base/result.hpp"
#include "gridke/services/fault_location/fault_location_service.hpp"

namespace gridke::services::fault_location::rest {

Result<Timestamp> parse_timestamp(std::string_view text, std::string_view field);
std::string format_timestamp(Timestamp t);

/// Parses a request body; an empty body is an empty object when `allow_empty`.
Result<nlohmann::json> parse_body(const std::string& body, bool allow_empty = false);
/// Rejects members not in `known` ("<where>: unknown field 'x'") and non-objects.
Result<void> check_object(const nlohmann::json& j, std::string_view where,
                          std::initializer_list<std::string_view> known);

Result<MonitoringParameters> parameters_from_json(const nlohmann::json& j,
                                                  MonitoringParameters base);
Result<MonitoringRequest> monitoring_request_from_json(const nlohmann::json& j);
Result<std::vector<VoltageReading>> readings_from_json(const nlohmann::json& j);
Result<GridZone> zone_from_json(const nlohmann::json& j, std::string id);
Result<Hems> hems_from_json(const nlohmann::json& j, std::string id);

nlohmann::json to_json(const MonitoringParameters& p);
nlohmann::json to_json(const Monitoring& m);
nlohmann::json to_json(const MonitoringDecision& d);
nlohmann::json to_json(const ZoneListing& z);
nlohmann::json to_json(const HemsStatus& s);
nlohmann::json to_json(const Notification& n);
nlohmann::json to_json(const Subscription& s);
nlohmann::json to_json(const IngestSummary& s);
nlohmann::json error_json(const Error& e);

}  // namespace gridke::services::fault_location::rest
