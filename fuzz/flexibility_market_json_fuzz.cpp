// libFuzzer target: the flexibility market's JSON decoders (services/flexibility_market
// model_json.hpp): needs, offers, baselines/metering series, providers, stored records and
// times. The first byte picks the decoder; the rest is the body.
// Properties: an accepted time formats and parses back to the same instant; a stored record
// that decodes, written back with to_json, decodes again.

#include <cstddef>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "fuzz_support.hpp"
#include "gridke/services/flexibility_market/model_json.hpp"

namespace fm = gridke::services::flexibility_market;

namespace {

template <typename Decode>
void round_trip(const nlohmann::json& body, Decode decode) {
  if (auto record = decode(body)) FUZZ_CHECK(decode(fm::to_json(*record)).has_value());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t selector = data[0] % 9;
  const auto text = gridke::fuzz::as_text(data + 1, size - 1);
  if (selector == 8) {
    if (auto t = fm::parse_time(text, "time")) {
      auto again = fm::parse_time(fm::format_time(*t), "time");
      FUZZ_CHECK(again.has_value() && *again == *t);
    }
    return 0;
  }
  const auto body = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
  if (body.is_discarded()) return 0;
  switch (selector) {
    case 0: (void)fm::need_input_from_json(body, "need"); break;
    case 1: (void)fm::offer_input_from_json(body, "offer"); break;
    case 2: (void)fm::series_from_json(body, "series"); break;
    case 3: round_trip(body, [](const auto& j) { return fm::fsp_from_json(j); }); break;
    case 4: round_trip(body, [](const auto& j) { return fm::need_from_json(j); }); break;
    case 5: round_trip(body, [](const auto& j) { return fm::offer_from_json(j); }); break;
    case 6: round_trip(body, [](const auto& j) { return fm::activation_from_json(j); }); break;
    default: round_trip(body, [](const auto& j) { return fm::verification_from_json(j); }); break;
  }
  return 0;
}
