// libFuzzer target: the graph-pattern parser (core/pattern GraphPattern::parse).
// Property: an accepted pattern's canonical text parses again to an equal pattern.
// Seeds: the patterns of graph-patterns/**/*.ttl (scripts/fuzz.sh extracts them).

#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_support.hpp"
#include "gridke/pattern/graph_pattern.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using gridke::pattern::GraphPattern;
  const gridke::pattern::PrefixMap prefixes = {{"saref", "https://saref.etsi.org/core/"},
                                               {"s4grid", "https://saref.etsi.org/saref4grid/"},
                                               {"dso", "https://w3id.org/gridke/dso#"},
                                               {"xsd", "http://www.w3.org/2001/XMLSchema#"}};
  auto parsed = GraphPattern::parse(gridke::fuzz::as_text(data, size), prefixes);
  if (!parsed) {
    FUZZ_CHECK(!parsed.error().message().empty());
    return 0;
  }
  const std::string canonical = parsed->canonical();
  auto again = GraphPattern::parse(canonical);
  FUZZ_CHECK(again.has_value());
  FUZZ_CHECK(*again == *parsed);
  return 0;
}
