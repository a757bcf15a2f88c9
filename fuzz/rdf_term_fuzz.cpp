// libFuzzer target: the binding-term parser (core/rdf parse_term), which reads every binding
// value arriving over the KE REST API.
// Property: an accepted term written with to_string() parses again to an equal term.

#include <cstddef>
#include <cstdint>

#include "fuzz_support.hpp"
#include "gridke/rdf/term.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto term = gridke::rdf::parse_term(gridke::fuzz::as_text(data, size));
  if (!term) {
    FUZZ_CHECK(!term.error().message().empty());
    return 0;
  }
  auto again = gridke::rdf::parse_term(term->to_string());
  FUZZ_CHECK(again.has_value());
  FUZZ_CHECK(*again == *term);
  return 0;
}
