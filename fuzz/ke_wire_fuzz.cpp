// libFuzzer target: the KE REST JSON decoders (core/engine/src/rest/wire.hpp) that read request
// and response bodies of /rest/sc*. The first byte picks the decoder; the rest is the body.
// Property: a decoded binding set survives binding_set_to_json → binding_set_from_json.
// Seeds: tests/data/rest and tests/conformance bodies (scripts/fuzz.sh adds the selector byte).

#include <cstddef>
#include <cstdint>

#include "fuzz_support.hpp"
#include "wire.hpp"

namespace wire = gridke::engine::wire;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t selector = data[0] % 10;
  const auto text = gridke::fuzz::as_text(data + 1, size - 1);
  if (selector == 9) {
    (void)wire::parse_time(text);
    return 0;
  }
  auto json = wire::parse_json(text);
  if (!json) return 0;
  switch (selector) {
    case 0: {
      auto b = wire::binding_set_from_json(*json);
      if (b) {
        auto again = wire::binding_set_from_json(wire::binding_set_to_json(*b));
        FUZZ_CHECK(again.has_value());
        FUZZ_CHECK(*again == *b);
      }
      break;
    }
    case 1:
      if (auto kb = wire::knowledge_base_from_json(*json)) {
        (void)wire::knowledge_base_to_json(*kb);
      }
      break;
    case 2: (void)wire::knowledge_interaction_from_json(*json); break;
    case 3: (void)wire::registered_ki_from_json(*json); break;
    case 4: (void)wire::proactive_request_from_json(*json); break;
    case 5:
      if (auto r = wire::ask_result_from_json(*json)) (void)wire::ask_result_to_json(*r);
      break;
    case 6:
      if (auto r = wire::post_result_from_json(*json)) (void)wire::post_result_to_json(*r);
      break;
    case 7: (void)wire::handle_request_from_json(*json); break;
    default:
      (void)wire::optional_bool(*json, "knowledgeGapsEnabled", false);
      (void)wire::optional_string(*json, "knowledgeInteractionName");
      break;
  }
  return 0;
}
