#pragma once
// RestApi: the Sensitivities Engine's JSON REST front door, the InterConnect D4.3 Table 15
// service-3 rows under the base path /sensitivitiesengine (docs/sensitivities.md, "REST API"):
//
//   POST   /registerGrid/{networkID}             register an LV grid (Table 8 body, measurements
//                                                optional) → 201 {networkID, meters, status}
//   GET    /registerGrid/{networkID}             the registration (meters, stored records)
//   DELETE /removeGrid/{networkID}               delete the grid and every record of it
//   POST   /updateHistoricalData/{networkID}     Table 8 body → 202 {requestId, status, records}
//   GET    /updateHistoricalData/{networkID}     [?requestId=] status, or the job's Output 1
//   GET    /getSensitivities/{networkID}         the latest Output 1 (?format=svg: heat map)
//   POST   /loadCorrelation/{networkID}          Table 9 body → 202 {requestId, status}
//   GET    /loadCorrelation/{networkID}          [?requestId=] status, or Output 2
//                                                (?format=svg: per-period voltage problems)
//   POST   /flexibilityRequirements/{networkID}  Table 9 body → 202 {requestId, status}
//   GET    /flexibilityRequirements/{networkID}  [?requestId=] status, or Output 3
//   GET    /requests/{requestId}                 any job's status; DELETE forgets it
//
// POST of an analysis takes optional voltage limits as query parameters ?nominalV=&lowerV=
// &upperV= (volts; MV use possible), so the body is only the D4.3 document. A GET without
// requestId answers for the grid's latest job of that kind. A job that is queued or running
// answers 202 {requestId, status, progress}; a failed job answers with its error's status and
// {"error", "message", "requestId", "status": "failed"}.
//
// Large bodies: uploads up to RestOptions::max_body_bytes (default 128 MiB, so a 100 MB Table 8
// document fits) are read by a streaming (SAX) parser straight into records; no JSON tree of the
// body is ever built.
// Bad input answers 400 {"error": "parse_error"|"invalid_argument", "message": "<JSON path or
// query parameter>: …"}; unknown grid or request 404; a second registration 409; 404/405/413 and
// malformed JSON follow core/http's conventions.
//
// Thread safety: internally synchronised (the service is). Ownership: the service must outlive
// the RestApi and any Router made by make_router().

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "gridke/base/result.hpp"
#include "gridke/http/server.hpp"
#include "gridke/services/sensitivities/sensitivities_service.hpp"

namespace gridke::services::sensitivities {

struct RestOptions {
  std::string bind_address = "127.0.0.1";
  std::uint16_t port = 0;  ///< 0 = an ephemeral port (see RestApi::port())
  std::string base_path = "/sensitivitiesengine";
  std::size_t max_body_bytes = std::size_t{128} << 20;
  std::optional<http::TlsOptions> tls;  ///< https when set
};

/// The routes above (paths relative to the base path), for a JsonServer or direct dispatch.
http::Router make_router(SensitivitiesService& service);

class RestApi {
 public:
  /// Starts listening. Errors: invalid_argument (options, naming the field); unavailable (the
  /// address or port cannot be bound).
  static Result<std::unique_ptr<RestApi>> start(SensitivitiesService& service,
                                                RestOptions options = {});
  ~RestApi();  ///< stop()
  RestApi(const RestApi&) = delete;
  RestApi& operator=(const RestApi&) = delete;

  std::uint16_t port() const;
  /// e.g. "http://127.0.0.1:40123/sensitivitiesengine".
  std::string base_url() const;
  /// Closes the listener; idempotent.
  void stop();

 private:
  explicit RestApi(std::unique_ptr<http::JsonServer> server);
  std::unique_ptr<http::JsonServer> server_;
};

}  // namespace gridke::services::sensitivities
