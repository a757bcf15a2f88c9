// The TIC reader: frames (STX … ETX) → groups (LF … CR) → label/horodate/value with checksum
// verification, never stopping at a corrupt group (tic.hpp).

#include "gridke/services/metering/tic.hpp"

#include <cstdio>

namespace gridke::services::metering {
namespace {

constexpr char kStx = 0x02;
constexpr char kEtx = 0x03;
constexpr char kLf = 0x0A;
constexpr char kCr = 0x0D;
constexpr char kHt = 0x09;
constexpr char kSp = 0x20;

std::string printable(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (u >= 0x20 && u < 0x7F) return std::string(1, c);
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02X", u);
  return buf;
}

// First byte of `s` that may not appear in a label/value, or npos.
std::size_t bad_byte(std::string_view s, bool allow_space) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto u = static_cast<unsigned char>(s[i]);
    if (u > 0x7E || u < 0x20 || (!allow_space && u == 0x20)) return i;
  }
  return std::string_view::npos;
}

struct GroupOutcome {
  TicGroup group;
  TicMode mode = TicMode::standard;
  std::string error;  // empty = good
};

GroupOutcome fail(GroupOutcome out, std::string message) {
  out.error = std::move(message);
  return out;
}

GroupOutcome check_chars(GroupOutcome out) {
  // Each message is built before `out` is moved into fail(): the order in which a call's
  // arguments are evaluated is unspecified, and a moved-from string must not be indexed.
  if (out.group.label.empty()) return fail(std::move(out), "empty label");
  std::string message;
  if (auto i = bad_byte(out.group.label, false); i != std::string_view::npos) {
    message = "byte " + printable(out.group.label[i]) + " in the label";
  } else if (i = bad_byte(out.group.value, true); i != std::string_view::npos) {
    message = "byte " + printable(out.group.value[i]) + " in the value";
  } else if (i = bad_byte(out.group.horodate, true); i != std::string_view::npos) {
    message = "byte " + printable(out.group.horodate[i]) + " in the horodate";
  }
  if (!message.empty()) return fail(std::move(out), std::move(message));
  return out;
}

GroupOutcome verify(GroupOutcome out, std::string_view covered, char checksum) {
  const char expected = tic_checksum(covered);
  if (checksum != expected) {
    return fail(std::move(out), "checksum '" + printable(checksum) +
                                    "' does not match the computed '" + printable(expected) + "'");
  }
  return check_chars(std::move(out));
}

// `g` is the group between LF and CR.
GroupOutcome parse_group(std::string_view g) {
  GroupOutcome out;
  if (g.size() < 3)
    return fail(std::move(out), "group too short (" + std::to_string(g.size()) + " bytes)");
  if (g.find(kHt) != std::string_view::npos) {
    out.mode = TicMode::standard;
    // label HT [horodate HT] value HT checksum; the checksum covers up to the last HT.
    if (g[g.size() - 2] != kHt) {
      const auto first = g.find(kHt);
      out.group.label = std::string(g.substr(0, first));
      return fail(std::move(out), "missing the separator before the checksum");
    }
    const char checksum = g.back();
    const std::string_view covered = g.substr(0, g.size() - 1);
    const std::string_view fields = g.substr(0, g.size() - 2);
    const auto first = fields.find(kHt);
    out.group.label = std::string(fields.substr(0, first));
    if (first == std::string_view::npos) return fail(std::move(out), "missing the value");
    const std::string_view rest = fields.substr(first + 1);
    const auto second = rest.find(kHt);
    if (second == std::string_view::npos) {
      out.group.value = std::string(rest);
    } else {
      out.group.horodate = std::string(rest.substr(0, second));
      out.group.value = std::string(rest.substr(second + 1));
      if (out.group.value.find(kHt) != std::string::npos) {
        return fail(std::move(out), "too many fields");
      }
    }
    return verify(std::move(out), covered, checksum);
  }
  out.mode = TicMode::historic;
  // label SP value SP checksum; the checksum (which may itself be a space) covers label SP value.
  const auto first = g.find(kSp);
  out.group.label = std::string(g.substr(0, first));
  if (g[g.size() - 2] != kSp || first == std::string_view::npos || first >= g.size() - 2) {
    return fail(std::move(out), "missing a separator (historic mode: label SP value SP checksum)");
  }
  out.group.value = std::string(g.substr(first + 1, g.size() - 2 - (first + 1)));
  return verify(std::move(out), g.substr(0, g.size() - 2), g.back());
}

}  // namespace

std::string_view to_string(TicMode mode) noexcept {
  return mode == TicMode::historic ? "historic" : "standard";
}

const TicGroup* TicFrame::find(std::string_view label) const {
  for (const auto& g : groups) {
    if (g.label == label) return &g;
  }
  return nullptr;
}

std::string TicError::to_string() const {
  std::string out = line == 0 ? "frame " + std::to_string(frame)
                              : "frame " + std::to_string(frame) + ", line " + std::to_string(line);
  if (!label.empty()) out += " (" + label + ")";
  return out + ": " + message;
}

char tic_checksum(std::string_view covered) noexcept {
  unsigned sum = 0;
  for (char c : covered) sum += static_cast<unsigned char>(c);
  return static_cast<char>((sum & 0x3Fu) + 0x20u);
}

TicParseResult parse_tic(std::string_view bytes, std::size_t first_frame_number) {
  TicParseResult result;
  std::size_t frame_number = first_frame_number - 1;
  std::size_t noise = 0;
  std::size_t pos = 0;
  const auto count_noise = [&](std::string_view s) {
    for (char c : s) noise += (c != kLf && c != kCr && c != kSp && c != kHt) ? 1 : 0;
  };
  while (pos < bytes.size()) {
    const auto stx = bytes.find(kStx, pos);
    if (stx == std::string_view::npos) {
      count_noise(bytes.substr(pos));
      break;
    }
    count_noise(bytes.substr(pos, stx - pos));
    ++frame_number;
    // The frame ends at ETX, or (incomplete) at the next STX or the end of the input.
    const auto end = bytes.find_first_of(std::string_view("\x02\x03", 2), stx + 1);
    const bool complete = end != std::string_view::npos && bytes[end] == kEtx;
    if (!complete) ++result.incomplete_frames;
    const std::string_view body =
        bytes.substr(stx + 1, (end == std::string_view::npos ? bytes.size() : end) - stx - 1);
    pos = end == std::string_view::npos ? bytes.size() : (complete ? end + 1 : end);

    TicFrame frame;
    bool mode_set = false;
    std::size_t line = 0;
    std::size_t i = 0;
    while (i < body.size()) {
      const auto lf = body.find(kLf, i);
      if (lf == std::string_view::npos) {
        if (body.substr(i).find_first_not_of("\r\t ") != std::string_view::npos) {
          ++result.corrupt_groups;
          result.errors.push_back({frame_number, line + 1, {}, "bytes outside a group (no LF)"});
        }
        break;
      }
      ++line;
      const auto cr = body.find(kCr, lf + 1);
      const auto next_lf = body.find(kLf, lf + 1);
      if (cr == std::string_view::npos || (next_lf != std::string_view::npos && next_lf < cr)) {
        ++result.corrupt_groups;
        const std::string_view rest = body.substr(
            lf + 1, next_lf == std::string_view::npos ? std::string_view::npos : next_lf - lf - 1);
        const auto label_end = rest.find_first_of(std::string_view("\t \r", 3));
        result.errors.push_back({frame_number, line, std::string(rest.substr(0, label_end)),
                                 "truncated group (no CR)"});
        i = next_lf == std::string_view::npos ? body.size() : next_lf;
        continue;
      }
      auto outcome = parse_group(body.substr(lf + 1, cr - lf - 1));
      if (!outcome.error.empty()) {
        ++result.corrupt_groups;
        result.errors.push_back(
            {frame_number, line, std::move(outcome.group.label), std::move(outcome.error)});
      } else {
        ++result.good_groups;
        if (!mode_set) {
          frame.mode = outcome.mode;
          mode_set = true;
        }
        frame.groups.push_back(std::move(outcome.group));
      }
      i = cr + 1;
    }
    if (!complete) {
      result.errors.push_back({frame_number,
                               0,
                               {},
                               "frame not terminated by ETX (" + std::to_string(line) +
                                   " lines read; good groups kept)"});
    }
    if (!frame.groups.empty()) result.frames.push_back(std::move(frame));
  }
  if (noise > 0) {
    result.errors.push_back(
        {frame_number, 0, {}, std::to_string(noise) + " bytes outside STX...ETX frames skipped"});
  }
  return result;
}

std::string format_tic_frame(TicMode mode, const std::vector<TicGroup>& groups) {
  std::string out(1, kStx);
  for (const auto& g : groups) {
    std::string covered = g.label;
    if (mode == TicMode::standard) {
      covered += kHt;
      if (!g.horodate.empty()) {
        covered += g.horodate;
        covered += kHt;
      }
      covered += g.value;
      covered += kHt;
      out += kLf;
      out += covered;
      out += tic_checksum(covered);
    } else {
      covered += kSp;
      covered += g.value;
      out += kLf;
      out += covered;
      out += kSp;
      out += tic_checksum(covered);
    }
    out += kCr;
  }
  out += kEtx;
  return out;
}

}  // namespace gridke::services::metering
