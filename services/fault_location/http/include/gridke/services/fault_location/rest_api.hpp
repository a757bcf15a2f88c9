#pragma once
// RestApi: the fault-location service's JSON REST front door (syntactic interoperability), the
// InterConnect D4.3 Table 15 service-1 methods under /GridObservability with our own resource
// names (mapping in docs/fault-location.md):
//   GET/POST /parameters                 default N_min and T_min  ({HEMS Nbr}, {HEMS Elps_Time})
//   POST /monitoring, GET, DELETE /{id}   monitor a grid zone      ({Postal Code})
//   GET /zones, GET/PUT /zones/{zone}     grid zones and their HEMS ({GridZones})
//   PUT /hems/{id}                        register a HEMS
//   GET /hems/{id}/status                 communication status     ({HEMS ID_Status})
//   GET /hems/{id}/voltage                last voltages            ({HEMS ID_Volt})
//   POST /voltages                        DSP voltage ingestion
//   GET /faults, GET /faults/{id}         notifications, polling   ({Post Code_Fault})
//   POST/GET /subscriptions, DELETE /{id} callbacks: each notification change is POSTed to the
//                                         callback URL, retried with exponential back-off
// Bad input answers 400 with {"error": "invalid_argument", "message": "<field>: ..."}.
// Served by a gridke::http::JsonServer (Router), so 404/405/413 and malformed-JSON answers
// follow core/http's conventions; callbacks go through http::CallbackDispatcher.
// Thread safety: internally synchronised; stop() may be called from any thread, once or more.
// Ownership: the service must outlive the RestApi.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "gridke/base/result.hpp"
#include "gridke/http/server.hpp"
#include "gridke/services/fault_location/fault_location_service.hpp"

namespace gridke::services::fault_location {

struct RestOptions {
  std::string bind_address = "127.0.0.1";
  std::uint16_t port = 0;  ///< 0 = an ephemeral port (see RestApi::port())
  std::string base_path = "/GridObservability";
  std::optional<http::TlsOptions> tls;  ///< https when set (e.g. beside a TLS KE in serve)
  /// > 0: a background thread runs service.tick() this often (a deployment); 0: the owner
  /// calls tick() (tests, simulators).
  std::chrono::milliseconds detection_period{0};
  int callback_attempts = 4;                         ///< per notification and subscriber
  std::chrono::milliseconds callback_backoff{250};   ///< doubled after each failure
  std::chrono::milliseconds callback_timeout{5000};  ///< per HTTP POST
};

/// Counters of callback deliveries.
struct DeliveryStats {
  std::int64_t delivered = 0;        ///< POSTs answered 2xx
  std::int64_t failed_attempts = 0;  ///< POSTs that failed or were answered otherwise
  std::int64_t abandoned = 0;        ///< notifications given up after callback_attempts
};

class RestApi {
 public:
  /// Starts listening. Errors: invalid_argument (options, naming the field); unavailable (the
  /// address or port cannot be bound).
  static Result<std::unique_ptr<RestApi>> start(FaultLocationService& service,
                                                RestOptions options = {});
  ~RestApi();  ///< stop()
  RestApi(const RestApi&) = delete;
  RestApi& operator=(const RestApi&) = delete;

  std::uint16_t port() const;
  /// e.g. "http://127.0.0.1:40123/GridObservability".
  std::string base_url() const;
  /// Stops the listener, the detection timer and callback delivery (pending deliveries are
  /// dropped). Idempotent.
  void stop();
  DeliveryStats deliveries() const;
  /// Blocks until no callback delivery is queued or in flight, or `timeout` passes; returns
  /// whether the queue drained.
  bool wait_for_deliveries(std::chrono::milliseconds timeout) const;

 private:
  struct Impl;
  explicit RestApi(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace gridke::services::fault_location
