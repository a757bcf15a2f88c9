// libFuzzer target: the fault-location REST decoders (services/fault_location/http json_codec):
// request bodies of /GridObservability (parameters, monitoring, voltages, zones, HEMS) and
// timestamps. The first byte picks the decoder; the rest is the body.
// Property: an accepted timestamp formats and parses back to the same instant.

#include <cstddef>
#include <cstdint>

#include "fuzz_support.hpp"
#include "json_codec.hpp"

namespace fl = gridke::services::fault_location;
namespace rest = gridke::services::fault_location::rest;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t selector = data[0] % 6;
  const auto text = gridke::fuzz::as_text(data + 1, size - 1);
  if (selector == 5) {
    auto t = rest::parse_timestamp(text, "timestamp");
    if (t) {
      auto again = rest::parse_timestamp(rest::format_timestamp(*t), "timestamp");
      FUZZ_CHECK(again.has_value());
      FUZZ_CHECK(*again == *t);
    }
    return 0;
  }
  auto body = rest::parse_body(std::string(text), selector == 3);
  if (!body) return 0;
  switch (selector) {
    case 0:
      if (auto p = rest::parameters_from_json(*body, fl::MonitoringParameters{})) {
        (void)rest::to_json(*p);
      }
      break;
    case 1: (void)rest::monitoring_request_from_json(*body); break;
    case 2: (void)rest::readings_from_json(*body); break;
    case 3: (void)rest::zone_from_json(*body, "Z"); break;
    default: (void)rest::hems_from_json(*body, "H"); break;
  }
  return 0;
}
