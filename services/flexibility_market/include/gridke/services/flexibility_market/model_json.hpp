#pragma once
// JSON forms of the market's messages (REST front door, MQTT bridge, storage): the D4.3
// §4.2.2 need `{requestId, needs, measurementUnit "kW", direction, typePower "Active",
// startTime, endTime, HEMSIds}`, offers, activations, verifications, transitions.
// Decoders reject unknown keys and name the JSON path of any bad field.
// Thread safety: pure functions.

#include <string_view>

#include <nlohmann/json.hpp>

#include "gridke/base/result.hpp"
#include "gridke/services/flexibility_market/flexibility_market.hpp"

namespace gridke::services::flexibility_market {

std::string format_time(TimePoint t);
/// ISO 8601; errors name `field`.
Result<TimePoint> parse_time(std::string_view text, std::string_view field);

nlohmann::json to_json(const FlexibilityServiceProvider& f);
nlohmann::json to_json(const FlexibilityNeed& n);
nlohmann::json to_json(const FlexibilityOffer& o);
nlohmann::json to_json(const Activation& a);
nlohmann::json to_json(const Verification& v);
nlohmann::json to_json(const Transition& t);
nlohmann::json to_json(const ActivationPlan& p);
nlohmann::json to_json(const UncoveredNeed& u);

/// A need as published by the congestion service: the D4.3 form; `requestId` optional, plus
/// `zone` (required). Errors: invalid_argument naming the path.
Result<NeedInput> need_input_from_json(const nlohmann::json& j, std::string_view path);
/// {"fspId", "requestId", "quantity", "minQuantity"?, "divisible"?, "price", "startTime"?,
///  "endTime"?, "offerId"?, "measurementUnit"? ("kW")}.
Result<OfferInput> offer_input_from_json(const nlohmann::json& j, std::string_view path);
/// [{"participantId", "kW": [..]}].
Result<std::vector<ParticipantSeries>> series_from_json(const nlohmann::json& j,
                                                        std::string_view path);

// Storage round trips (all fields).
Result<FlexibilityServiceProvider> fsp_from_json(const nlohmann::json& j);
Result<FlexibilityNeed> need_from_json(const nlohmann::json& j);
Result<FlexibilityOffer> offer_from_json(const nlohmann::json& j);
Result<Activation> activation_from_json(const nlohmann::json& j);
Result<Verification> verification_from_json(const nlohmann::json& j);

}  // namespace gridke::services::flexibility_market
