#pragma once
// Linky TIC ("télé-information client") frames, as a customer gateway receives them from the
// meter's ERL and forwards them over HTTP (D4.3 §3.4.2, Figure 19). Reference: Enedis-NOI-CPT_54E
// "Sorties de télé-information client des compteurs Linky".
//
// A frame is STX (0x02) group* ETX (0x03); a group is LF (0x0A) … CR (0x0D):
//   historic mode (1200 Bd)  LF label SP data SP checksum CR
//                            checksum over label SP data          (the last SP excluded)
//   standard mode (9600 Bd)  LF label HT [horodate HT] data HT checksum CR
//                            checksum over label … the last HT    (the last HT included)
// checksum = (sum of the bytes & 0x3F) + 0x20. A horodate is "SAAMMJJhhmmss": season flag
// (E summer, H winter, space or lower case when the clock is degraded) + YYMMDDhhmmss local
// time. A group's mode is recognised by its separator, so a stream may mix modes.
//
// Parsing never stops at a bad group: a corrupt group (bad checksum, missing separator, bad
// characters, truncated) is counted, described in `errors` (frame number, line number inside
// the frame, label when readable) and dropped; the frame's good groups are kept. Bytes outside
// STX…ETX (line noise between frames) are skipped and reported once per run.
//
// This file is the one state machine of the TIC reader (STYLE §2.9).
// Thread safety: pure functions. Ownership: results own their strings.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gridke::services::metering {

enum class TicMode : std::uint8_t { historic, standard };

/// "historic" / "standard".
std::string_view to_string(TicMode mode) noexcept;

struct TicGroup {
  std::string label;
  std::string horodate;  ///< standard mode only; empty when the group has none
  std::string value;
};

struct TicFrame {
  TicMode mode = TicMode::standard;  ///< the mode of its first good group
  std::vector<TicGroup> groups;
  /// The value of `label`, or nullptr.
  const TicGroup* find(std::string_view label) const;
};

/// Why a group or stretch of bytes was dropped. `frame` and `line` are 1-based: line 1 is the
/// first group of the frame; line 0 means "between frames".
struct TicError {
  std::size_t frame = 0;
  std::size_t line = 0;
  std::string label;  ///< when it could be read
  std::string message;
  /// "frame 3, line 7 (SINSTS): checksum ':' does not match the computed 'K'".
  std::string to_string() const;
};

struct TicParseResult {
  std::vector<TicFrame> frames;  ///< every frame with at least one good group
  std::vector<TicError> errors;
  std::size_t good_groups = 0;
  std::size_t corrupt_groups = 0;
  std::size_t incomplete_frames = 0;  ///< STX without ETX (the good groups are still kept)
};

/// The checksum character of `covered` (the bytes the mode's rule covers).
char tic_checksum(std::string_view covered) noexcept;

/// Parses a byte stream of zero or more frames. `first_frame_number` numbers the frames in
/// errors (e.g. the count of frames a gateway sent before this request, plus one).
TicParseResult parse_tic(std::string_view bytes, std::size_t first_frame_number = 1);

/// Writes one frame in `mode` with correct checksums (gateway simulator, tests, benchmarks).
/// REQUIRES: labels and values have no control characters; horodates only in standard mode.
std::string format_tic_frame(TicMode mode, const std::vector<TicGroup>& groups);

}  // namespace gridke::services::metering
