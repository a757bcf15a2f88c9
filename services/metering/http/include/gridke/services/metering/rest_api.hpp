#pragma once
// The smart-meter data platform's JSON REST front door (D4.3 §2.2, §3.4.2). Routes below the
// server's base path (`gridke serve` uses /metering):
//   PUT    /providers/{id}                      contract: {"name", "contract": [data points],
//                                               "knowledge_base_id"?, "callback_url"?}
//   GET    /providers
//   POST   /consents                            {"provider", "prm", "data_points", "purpose",
//                                               "retention_days", "recipients"} → 201
//   GET    /consents[?provider=P]
//   DELETE /consents/{id}                       withdraw (effective at once)
//   POST   /gateways/{prm}/frames               raw TIC bytes (any content type) → summary
//   GET    /providers/{id}/meters               latest reading of every consented PdL
//   GET    /providers/{id}/meters/{pdl}/latest  {pdl} = PRM or token; 403 without consent
//   POST   /meters/{prm}/power-limit            {"limit_kw", "from"?, "until"?, "obligatory"?,
//                                               "active"?} → forwarded to providers (k);
//                                               404 for a PdL the platform never saw
//   PUT    /zones/{zone}                        {"meters": [PRM…]} grid zone of the open data
//   GET    /zones
//   DELETE /zones/{zone}
//   POST   /open-data/consumption               {"from", "to", "k"?} → anonymised totals per
//                                               configured zone (open-data.md; k >= the
//                                               platform's open_data_k, default 5; 403 below)
//   GET    /open-data/flexibility[?from=&to=]   flexibility needs per zone, direction and
//                                               interval; 503 when no source is configured
//   POST   /retention                           delete readings past retention
//   GET    /stats
// Readings leave as {"event", "provider", "pdl" (token), "time", data points…} with only the
// data points contract ∩ consent allow. Errors follow core/http (400 naming the JSON member,
// 403 permission_denied, 404 not_found).
// Thread safety: handlers call the internally synchronised service; CallbackForwarder is
// internally synchronised. Ownership: the service must outlive router, servers and forwarder.

#include <chrono>
#include <memory>

#include <nlohmann/json.hpp>

#include "gridke/http/client.hpp"
#include "gridke/http/server.hpp"
#include "gridke/services/metering/metering_service.hpp"

namespace gridke::services::metering {

http::Router make_router(MeteringService& service);

/// A delivery or latest reading as JSON (see above).
nlohmann::json to_json(const Delivery& delivery);
nlohmann::json to_json(const Consent& consent);

/// A FlexibilityNeedsSource reading a flexibility market's `GET …/Flexibility/Needs`
/// (services/flexibility_market/http: {"needs": [{"zone", "needs" (kW), "direction"
/// "Up"|"Down", "startTime", "endTime", …}]}) at each call. Errors: unavailable "no flexibility
/// data source is configured …" when the URL answers 404 (no market behind it), unavailable
/// when it cannot be reached or answers another non-2xx status; invalid_argument naming
/// the member of a malformed need ("needs[3].direction: …").
FlexibilityNeedsSource http_needs_source(
    std::string needs_url, std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));
/// The same for a JSON body already fetched (tests, other transports).
Result<std::vector<ZoneFlexibilityNeed>> needs_from_market_json(const nlohmann::json& body);

/// POSTs every delivery whose provider has a callback URL to that URL (JSON of to_json()),
/// with retries; stops on destruction.
class CallbackForwarder {
 public:
  explicit CallbackForwarder(MeteringService& service);
  ~CallbackForwarder();
  CallbackForwarder(const CallbackForwarder&) = delete;
  CallbackForwarder& operator=(const CallbackForwarder&) = delete;
  http::DeliveryStats stats() const;
  bool wait_idle(std::chrono::milliseconds timeout) const;

 private:
  MeteringService& service_;
  http::CallbackDispatcher dispatcher_;
  int listener_ = 0;
};

}  // namespace gridke::services::metering
