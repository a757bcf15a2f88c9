// libFuzzer target: the Sensitivities Engine's streaming JSON readers (services/sensitivities
// json_codec.hpp): historical meter data, registrations, appliance data and Output 1.
// The first byte picks the reader; the rest is the body.
// Property: whatever a reader accepts, written back with to_json, is accepted again.

#include <cstddef>
#include <cstdint>

#include "fuzz_support.hpp"
#include "gridke/services/sensitivities/json_codec.hpp"

namespace se = gridke::services::sensitivities;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t selector = data[0] % 5;
  const auto text = gridke::fuzz::as_text(data + 1, size - 1);
  switch (selector) {
    case 0:
      if (auto d = se::parse_historical_data(text)) {
        FUZZ_CHECK(se::parse_historical_data(se::to_json(*d)).has_value());
      }
      break;
    case 1:
      if (auto g = se::parse_registration("N", text)) {
        FUZZ_CHECK(se::parse_registration("N", se::to_json(*g)).has_value());
      }
      break;
    case 2: (void)se::parse_registration_upload("N", text); break;
    case 3:
      if (auto a = se::parse_appliances(text)) {
        FUZZ_CHECK(se::parse_appliances(se::to_json(*a)).has_value());
      }
      break;
    default:
      if (auto m = se::parse_sensitivity_matrix(text)) {
        FUZZ_CHECK(se::parse_sensitivity_matrix(se::to_json(*m)).has_value());
      }
      break;
  }
  return 0;
}
