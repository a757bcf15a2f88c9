#pragma once
// CallbackDispatcher: delivers notification JSON to subscribers' callback URLs with real HTTP
// POSTs (cpprestsdk http_client) on one worker thread, retrying failures with exponential
// back-off, in order per queue.
// Thread safety: internally synchronised. Ownership: owns its worker; stop() joins it.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

#include "gridke/services/fault_location/rest_api.hpp"

namespace gridke::services::fault_location::rest {

class CallbackDispatcher {
 public:
  CallbackDispatcher(int attempts, std::chrono::milliseconds backoff,
                     std::chrono::milliseconds timeout);
  ~CallbackDispatcher();
  CallbackDispatcher(const CallbackDispatcher&) = delete;
  CallbackDispatcher& operator=(const CallbackDispatcher&) = delete;

  void enqueue(std::string url, std::string body);
  void stop();
  DeliveryStats stats() const;
  bool wait_idle(std::chrono::milliseconds timeout) const;

 private:
  struct Delivery {
    std::string url;
    std::string body;
  };
  void run();
  bool post_once(const Delivery& d);

  const int attempts_;
  const std::chrono::milliseconds backoff_;
  const std::chrono::milliseconds timeout_;
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  std::deque<Delivery> queue_;
  bool busy_ = false;
  bool stopping_ = false;
  DeliveryStats stats_;
  std::thread worker_;  // last: started after every other member exists
};

}  // namespace gridke::services::fault_location::rest
