#pragma once
// MqttBridge: the Italian pilot's transport onto the flexibility market. It subscribes to the
// DSO's request topic on an MQTT broker (Mosquitto in the tests), turns each message
// (italian_request.hpp) into needs published to the market, and answers on
// `<request_topic>/response` with {"timestamp", "accepted": true, "requestIds": [...]} or
// {"accepted": false, "error": code, "message": ...} (malformed or late requests). Activation
// plans the market clears are published on `plan_topic` as
// {"timestamp", "activations": [{"activation_time", "power", "fsp", "activationId"}]}.
// Paho's exceptions are caught at every call (STYLE.md §2.3) and become Errors.
// Thread safety: internally synchronised; messages are handled on Paho's callback thread.
// Ownership: the market must outlive the bridge; the bridge owns its MQTT client.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "gridke/base/result.hpp"
#include "gridke/services/flexibility_market/flexibility_market.hpp"

namespace gridke::services::flexibility_market {

struct MqttBridgeOptions {
  std::string server_uri = "tcp://127.0.0.1:1883";
  std::string client_id = "gridke-flexibility-bridge";
  std::string request_topic = "dso/flexibility/request";
  std::string plan_topic = "dso/flexibility/plan";
  std::string zone;  ///< the grid zone the Italian DSO's requests are for (required)
  Window window = Window::intraday;
  Duration slot{std::chrono::minutes(15)};
  int qos = 1;
  std::chrono::milliseconds connect_timeout{5000};
};

struct MqttBridgeStats {
  std::int64_t messages = 0;
  std::int64_t accepted = 0;
  std::int64_t rejected = 0;
  std::int64_t plans_published = 0;
};

class MqttBridge {
 public:
  /// Connects, subscribes and starts handling messages. Errors: invalid_argument (empty zone
  /// or topic); unavailable (cannot connect or subscribe, naming the URI and Paho's reason).
  static Result<std::unique_ptr<MqttBridge>> start(FlexibilityMarket& market,
                                                   MqttBridgeOptions options);
  ~MqttBridge();  ///< stop()
  MqttBridge(const MqttBridge&) = delete;
  MqttBridge& operator=(const MqttBridge&) = delete;

  /// Publishes an activation plan on plan_topic. Errors: unavailable.
  Result<void> publish_plan(const std::vector<Activation>& activations);
  MqttBridgeStats stats() const;
  /// Disconnects; idempotent.
  void stop();

 private:
  struct Impl;
  explicit MqttBridge(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace gridke::services::flexibility_market
