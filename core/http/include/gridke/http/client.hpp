#pragma once
// Plain HTTP/JSON client calls for SSAs, demos, simulators and tests that talk to a service
// front door, and CallbackDispatcher, which delivers notifications to subscribers' callback
// URLs with retries and a delivery log. Both run on the Boost.Beast AsyncClient
// (transport.hpp): one pooled keep-alive client per origin, shared by the whole process.
// Thread safety: request() is reentrant; CallbackDispatcher is internally synchronised.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "gridke/base/result.hpp"

namespace gridke::http {

struct ClientResponse {
  int status = 0;
  std::string content_type;
  std::string body;
  /// The body parsed as JSON (parse_error naming the URL when it is not JSON).
  Result<nlohmann::json> json() const;
};

struct ClientOptions {
  std::chrono::milliseconds timeout{10000};
  std::map<std::string, std::string> headers;  ///< e.g. {"Authorization", "Bearer …"}
  std::string ca_file;  ///< https: verify the server against this CA (PEM); empty = system CAs
};

/// One HTTP request. `body` is sent as application/json when non-empty (a "Content-Type" in
/// options.headers replaces that). Errors: unavailable (cannot connect, TLS handshake failed,
/// timeout) naming method and URL; invalid_argument (a URL that is not absolute http(s), a bad
/// method, ca_file with an http URL or a CA file that cannot be read). Any HTTP status is a
/// success here: check ClientResponse::status. REQUIRES: not called from an AsyncClient `done`
/// callback (it blocks until the answer).
Result<ClientResponse> request(const std::string& method, const std::string& url,
                               const std::string& body = {}, const ClientOptions& options = {});
/// request() with a JSON body; non-2xx answers become Errors carrying the server's message
/// ({"message": …}) with the code mapped back from the status (400 → invalid_argument, 404 →
/// not_found, 409 → failed_precondition, 401/403, 5xx → unavailable).
Result<nlohmann::json> call_json(const std::string& method, const std::string& url,
                                 const nlohmann::json& body = nullptr,
                                 const ClientOptions& options = {});

/// One delivery attempt sequence as recorded in the log.
struct DeliveryRecord {
  std::string url;
  std::string topic;  ///< caller's label, e.g. "needs", "fault"
  int attempts = 0;
  int last_status = 0;  ///< 0 = no HTTP answer
  bool delivered = false;
  std::chrono::system_clock::time_point finished;
};

struct DeliveryStats {
  std::int64_t delivered = 0;        ///< POSTs answered 2xx
  std::int64_t failed_attempts = 0;  ///< POSTs that failed or were answered otherwise
  std::int64_t abandoned = 0;        ///< deliveries given up after `attempts`
};

/// Delivers JSON bodies by HTTP POST on one worker thread, in order, retrying failures with
/// exponential back-off; keeps the last `log_capacity` delivery records.
class CallbackDispatcher {
 public:
  CallbackDispatcher(int attempts = 4,
                     std::chrono::milliseconds backoff = std::chrono::milliseconds(250),
                     std::chrono::milliseconds timeout = std::chrono::milliseconds(5000),
                     std::size_t log_capacity = 1000);
  ~CallbackDispatcher();  ///< stop()
  CallbackDispatcher(const CallbackDispatcher&) = delete;
  CallbackDispatcher& operator=(const CallbackDispatcher&) = delete;

  void enqueue(std::string url, std::string body, std::string topic = {});
  /// Drops queued deliveries and joins the worker. Idempotent.
  void stop();
  DeliveryStats stats() const;
  std::vector<DeliveryRecord> log() const;
  /// Blocks until nothing is queued or in flight, or `timeout` passes; true when idle.
  bool wait_idle(std::chrono::milliseconds timeout) const;

 private:
  struct Delivery {
    std::string url;
    std::string body;
    std::string topic;
  };
  void run();

  const int attempts_;
  const std::chrono::milliseconds backoff_;
  const std::chrono::milliseconds timeout_;
  const std::size_t log_capacity_;
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  std::deque<Delivery> queue_;
  std::deque<DeliveryRecord> log_;
  bool busy_ = false;
  bool stopping_ = false;
  DeliveryStats stats_;
  std::thread worker_;  // last: started after every other member exists
};

/// invalid_argument unless `url` is an absolute http(s) URL with a host; names `field`.
Result<void> check_callback_url(const std::string& url, std::string_view field = "callbackUrl");

}  // namespace gridke::http
