// libFuzzer target: the KI contract-file loader (core/adapter parse_contract): Turtle through
// Serd, then the contract's own checks (name, kind, patterns, example bindings).
// Seeds: graph-patterns/**/*.ttl.

#include <cstddef>
#include <cstdint>

#include "fuzz_support.hpp"
#include "gridke/adapter/contract.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto contract = gridke::adapter::parse_contract(gridke::fuzz::as_text(data, size), "fuzz.ttl");
  if (!contract) FUZZ_CHECK(!contract.error().message().empty());
  return 0;
}
