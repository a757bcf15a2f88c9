#pragma once
// RestApi: the flexibility-response service's JSON REST front door (syntactic interoperability),
// the InterConnect D4.3 Table 15 service-2 methods with the URLs of the table below the base path
// (default /GridObservability; mapping and bodies in docs/flexibility-response.md):
//   POST   /Elasticity_dataset                 submit a dataset (JSON body, or CSV with
//                                              Content-Type text/csv) → 202 {requestID,
//                                              mappingToken, status}   (Figure 22 steps 1–2);
//                                              query: window, baselineSignalValue, slotMinutes,
//                                              confidenceLevel, referenceTemperature,
//                                              reliability=model|empirical,
//                                              reliabilityThresholdKw, callbackUrl, format;
//                                              header X-Customer-Groups: groups as JSON
//   GET    /Elasticity_dataset                 every request with its status
//   GET    /Req_ID/{id}/Elasticity_Results     status, progress, and the D4.3 output JSON in
//                                              "response" once done (?user=P-… filters)
//   GET    /Req_ID/{id}/Elasticity_Results/status        status only (polling)
//   GET    /Req_ID/{id}/Elasticity_Results/charts/{chart} SVG: expected-power, flexibility,
//                                              ranking, reliability (?user=, ?level=)
//   DELETE /Req_ID/{id}/pseudonyms             erase the pseudonym mapping (X-Mapping-Token)
//   DELETE /removeDataset/{id}                 remove the dataset and its results
// The results POST of Table 15 ("the service provider posts the results"): with a callbackUrl
// at submission (query parameter or X-Callback-Url header), the finished status and response
// are POSTed there (retried with back-off).
// Re-identification: the X-Mapping-Token header with the token from the submission makes
// results carry user ids instead of pseudonyms (403 for a wrong token).
// Three listeners share the port (base/Elasticity_dataset, base/Req_ID, base/removeDataset), so
// the fault-location front door can serve the rest of /GridObservability on the same port.
// Bad input answers 400 {"error": "invalid_argument", "message": "<field>: ..."}.
//
// Thread safety: internally synchronised; stop() may be called from any thread, once or more.
// Ownership: the service must outlive the RestApi.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "gridke/base/result.hpp"
#include "gridke/http/client.hpp"
#include "gridke/http/server.hpp"
#include "gridke/services/flexibility_response/flexibility_response_service.hpp"

namespace gridke::services::flexibility_response {

struct RestOptions {
  std::string bind_address = "127.0.0.1";
  std::uint16_t port = 0;  ///< 0 = an ephemeral port (see RestApi::port())
  std::string base_path = "/GridObservability";
  std::size_t max_body_bytes = 128u << 20;  ///< D4.3: datasets "more than 100 MB"
  int callback_attempts = 4;
  std::chrono::milliseconds callback_backoff{250};
  std::chrono::milliseconds callback_timeout{5000};
  std::optional<http::TlsOptions> tls;  ///< https when set (e.g. beside a TLS KE in serve)
};

class RestApi {
 public:
  /// Starts the listeners. Errors: invalid_argument (options, naming the field); unavailable
  /// (the address or port cannot be bound).
  static Result<std::unique_ptr<RestApi>> start(FlexibilityResponseService& service,
                                                RestOptions options = {});
  ~RestApi();  ///< stop()
  RestApi(const RestApi&) = delete;
  RestApi& operator=(const RestApi&) = delete;

  std::uint16_t port() const;
  /// e.g. "http://127.0.0.1:40123/GridObservability".
  std::string base_url() const;
  /// Stops the listeners and callback delivery. Idempotent.
  void stop();
  http::DeliveryStats deliveries() const;
  bool wait_for_deliveries(std::chrono::milliseconds timeout) const;

 private:
  struct Impl;
  explicit RestApi(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace gridke::services::flexibility_response
