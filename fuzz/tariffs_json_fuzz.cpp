// libFuzzer target: the dynamic-tariff REST decoders (services/tariffs/http rest_api.hpp):
// zone forecasts and capacity-tariff configurations. The first byte picks the decoder.
// Property: an accepted configuration, written back with to_json, is accepted again.

#include <cstddef>
#include <cstdint>

#include <nlohmann/json.hpp>

#include "fuzz_support.hpp"
#include "gridke/services/tariffs/rest_api.hpp"

namespace tf = gridke::services::tariffs;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const bool config = data[0] % 2 == 1;
  const auto text = gridke::fuzz::as_text(data + 1, size - 1);
  const auto body = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
  if (body.is_discarded()) return 0;
  if (!config) {
    (void)tf::forecast_from_json(body, "forecast");
    return 0;
  }
  if (auto c = tf::config_from_json(body, "config", tf::CapacityTariffConfig{})) {
    FUZZ_CHECK(tf::config_from_json(tf::to_json(*c), "config", tf::CapacityTariffConfig{}));
  }
  return 0;
}
