#pragma once
// The flexibility market's JSON REST front door (InterConnect D4.3 §4.4; D4.4 order (1) needs →
// (2) offers → (3) activation plan), under the base path /Flexibility:
//   POST   /Register                       {fspId, name, zones[]}                    FSP
//   GET    /Providers
//   POST   /Subscribe                      {fspId, needsCallbackUrl, activationPlanCallbackUrl}
//   DELETE /Subscribe?fspId=…              (or the same JSON body)
//   POST   /Needs                          {window, needs: [D4.3 §4.2.2 need + zone]}  DSO
//   GET    /Needs
//   POST   /Offers                         {fspId, requestId, quantity, price, …}    FSP
//   GET    /Offers?fspId=…
//   POST   /Offers/{id}/verify                                                       DSO
//   POST   /Offers/{id}/suspend            {fspId, until, reason?}                   FSP
//   POST   /Offers/{id}/resume             {fspId}                                   FSP
//   POST   /ActivationPlan                 {window}  → activations + uncovered needs  DSO
//   GET    /Activations?fspId=…
//   POST   /Activations/{id}/response      {fspId, accept}                           FSP
//   POST   /Activations/{id}/baseline      {fspId, participants: [{participantId, kW[]}]}
//   GET    /Activations/{id}/baseline
//   POST   /Activations/{id}/metering      {participants: [...]}                     DSO
//   POST   /Activations/{id}/verification  → verification + settlement amount        DSO
//   GET    /Activations/{id}/verification
//   POST   /Activations/{id}/settlement    {fspId, decision: "confirm"|"dispute", reason?}
//   POST   /Activations/{id}/outcome       {fspId, succeeded, percentOfTarget}       FSP (Greek
//   pilot) GET    /Transitions?id=…               the audit trail POST   /Tick apply time-driven
//   transitions now GET    /Clock                          the market's current time
// Needs and activation plans are POSTed to the subscribers' callback URLs by a
// CallbackDispatcher (retries, delivery log). Errors follow core/http: 400 invalid_argument
// naming the field, 404 not_found, 403 permission_denied, 409 already_exists /
// failed_precondition (late messages, wrong state).
// Thread safety: internally synchronised. Ownership: the market must outlive the RestApi.

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "gridke/base/result.hpp"
#include "gridke/http/client.hpp"
#include "gridke/http/server.hpp"
#include "gridke/services/flexibility_market/flexibility_market.hpp"

namespace gridke::services::flexibility_market {

/// A Notifier that POSTs through an http::CallbackDispatcher.
class CallbackNotifier final : public Notifier {
 public:
  explicit CallbackNotifier(int attempts = 4,
                            std::chrono::milliseconds backoff = std::chrono::milliseconds(250));
  void notify(const std::string& url, const std::string& topic,
              const nlohmann::json& body) override;
  http::CallbackDispatcher& dispatcher() { return dispatcher_; }

 private:
  http::CallbackDispatcher dispatcher_;
};

/// The Router with every route above (for embedding, e.g. in `gridke serve`).
http::Router make_router(FlexibilityMarket& market);

struct RestOptions {
  std::string bind_address = "127.0.0.1";
  std::uint16_t port = 0;
  std::string base_path = "/Flexibility";
  std::optional<http::TlsOptions> tls;
};

class RestApi {
 public:
  /// Errors: as http::JsonServer::start.
  static Result<std::unique_ptr<RestApi>> start(FlexibilityMarket& market,
                                                RestOptions options = {});
  std::uint16_t port() const { return server_->port(); }
  std::string base_url() const { return server_->base_url(); }
  void stop() { server_->stop(); }

 private:
  explicit RestApi(std::unique_ptr<http::JsonServer> s) : server_(std::move(s)) {}
  std::unique_ptr<http::JsonServer> server_;
};

}  // namespace gridke::services::flexibility_market
