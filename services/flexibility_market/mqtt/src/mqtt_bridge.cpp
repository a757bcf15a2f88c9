#include "gridke/services/flexibility_market/mqtt/mqtt_bridge.hpp"

#include <atomic>
#include <mutex>

#include <mqtt/async_client.h>

#include "gridke/services/flexibility_market/model_json.hpp"
#include "gridke/services/flexibility_market/mqtt/italian_request.hpp"

namespace gridke::services::flexibility_market {

namespace {

std::string now_text() {
  return format_time(std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now()));
}

}  // namespace

struct MqttBridge::Impl {
  FlexibilityMarket& market;
  MqttBridgeOptions options;
  std::unique_ptr<mqtt::async_client> client;
  std::atomic<std::int64_t> messages{0}, accepted{0}, rejected{0}, plans{0};
  std::mutex stop_mu;
  bool stopped = false;

  Impl(FlexibilityMarket& m, MqttBridgeOptions o) : market(m), options(std::move(o)) {}

  void respond(const nlohmann::json& body) {
    try {
      client->publish(options.request_topic + "/response", body.dump(), options.qos, false);
    } catch (const std::exception&) {
      // The broker went away: the request itself was handled; nothing else to do.
    }
  }

  void on_message(const std::string& payload) {
    ++messages;
    auto needs = parse_italian_request(payload, options.zone, options.slot);
    Result<std::vector<FlexibilityNeed>> published =
        needs ? market.publish_needs(options.window, std::move(*needs))
              : Result<std::vector<FlexibilityNeed>>(needs.error());
    if (!published) {
      ++rejected;
      respond({{"timestamp", now_text()},
               {"accepted", false},
               {"error", std::string(to_string(published.error().code()))},
               {"message", published.error().message()}});
      return;
    }
    ++accepted;
    nlohmann::json ids = nlohmann::json::array();
    for (const auto& n : *published) ids.push_back(n.request_id);
    respond({{"timestamp", now_text()}, {"accepted", true}, {"requestIds", ids}});
  }
};

MqttBridge::MqttBridge(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
MqttBridge::~MqttBridge() { stop(); }

Result<std::unique_ptr<MqttBridge>> MqttBridge::start(FlexibilityMarket& market,
                                                      MqttBridgeOptions options) {
  if (options.zone.empty()) return invalid_argument("mqtt bridge: zone is required");
  if (options.request_topic.empty() || options.plan_topic.empty()) {
    return invalid_argument("mqtt bridge: request_topic and plan_topic must not be empty");
  }
  auto impl = std::make_unique<Impl>(market, std::move(options));
  Impl* raw = impl.get();
  try {
    impl->client =
        std::make_unique<mqtt::async_client>(raw->options.server_uri, raw->options.client_id,
                                             static_cast<mqtt::iclient_persistence*>(nullptr));
    impl->client->set_message_callback([raw](mqtt::const_message_ptr msg) {
      if (msg) raw->on_message(msg->to_string());
    });
    mqtt::connect_options connect;
    connect.set_clean_session(true);
    connect.set_connect_timeout(
        std::chrono::duration_cast<std::chrono::seconds>(raw->options.connect_timeout));
    if (!impl->client->connect(connect)->wait_for(raw->options.connect_timeout)) {
      return unavailable("mqtt bridge: no CONNACK from " + raw->options.server_uri + " within " +
                         std::to_string(raw->options.connect_timeout.count()) + " ms");
    }
    if (!impl->client->subscribe(raw->options.request_topic, raw->options.qos)
             ->wait_for(raw->options.connect_timeout)) {
      return unavailable("mqtt bridge: no SUBACK for '" + raw->options.request_topic + "' from " +
                         raw->options.server_uri);
    }
  } catch (const std::exception& e) {
    return unavailable("mqtt bridge: cannot connect to " + raw->options.server_uri + ": " +
                       e.what());
  }
  return std::unique_ptr<MqttBridge>(new MqttBridge(std::move(impl)));
}

Result<void> MqttBridge::publish_plan(const std::vector<Activation>& activations) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& a : activations) {
    list.push_back({{"activation_time", format_time(a.start)},
                    {"power", a.direction == Direction::down ? a.power_kw : -a.power_kw},
                    {"fsp", a.fsp_id},
                    {"activationId", a.activation_id}});
  }
  const nlohmann::json body = {{"timestamp", now_text()}, {"activations", list}};
  try {
    if (!impl_->client->publish(impl_->options.plan_topic, body.dump(), impl_->options.qos, false)
             ->wait_for(impl_->options.connect_timeout)) {
      return unavailable("mqtt bridge: publishing on '" + impl_->options.plan_topic +
                         "' timed out");
    }
  } catch (const std::exception& e) {
    return unavailable("mqtt bridge: cannot publish on '" + impl_->options.plan_topic +
                       "': " + e.what());
  }
  ++impl_->plans;
  return ok();
}

MqttBridgeStats MqttBridge::stats() const {
  return {impl_->messages.load(), impl_->accepted.load(), impl_->rejected.load(),
          impl_->plans.load()};
}

void MqttBridge::stop() {
  if (!impl_) return;
  std::lock_guard lock(impl_->stop_mu);
  if (impl_->stopped) return;
  impl_->stopped = true;
  try {
    if (impl_->client->is_connected())
      impl_->client->disconnect()->wait_for(impl_->options.connect_timeout);
  } catch (const std::exception&) {
    // Disconnecting from a broker that is gone: nothing to release beyond the client object.
  }
}

}  // namespace gridke::services::flexibility_market
