#pragma once
// The 11 data points the French pilot's partners agreed to receive (D4.3 §3.4.2, Figure 19),
// read from one TIC frame. Standard-mode labels (Enedis-NOI-CPT_54E):
//    1 prm     PRM     delivery point (PdL), 14 digits
//    2 date    DATE    horodate of the frame (local French time, season flag E/H → UTC)
//    3 east    EAST    total active energy withdrawn, Wh
//    4 eait    EAIT    total active energy injected, Wh (producers)
//    5 irms1   IRMS1   RMS current, phase 1, A
//    6 urms1   URMS1   RMS voltage, phase 1, V
//    7 pref    PREF    reference (subscribed) apparent power, kVA
//    8 pcoup   PCOUP   cut-off apparent power, kVA            → POST on change
//    9 sinsts  SINSTS  instantaneous apparent power withdrawn, VA
//   10 sinsti  SINSTI  instantaneous apparent power injected, VA → POST every 30 s
//   11 stge    STGE    status register, 8 hex digits; bit 7 = reference power exceeded
//                                                             → POST every 10 s while set
// Historic mode (older configuration of the TIC output) carries fewer: ADCO (meter address;
// the PdL then comes from the gateway's registration), BASE or HCHC+HCHP/EJP/BBR indexes
// (summed into east), IINST (irms1), ISOUSC (subscribed current, A; pref = pcoup = ISOUSC/5
// kVA, the 200 V convention of French subscriptions: 30 A ↔ 6 kVA), PAPP (sinsts) and ADPS
// (present while the subscribed current is exceeded: the overrun). No voltage, injection or
// status register.
// Thread safety: pure functions and values.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "gridke/base/result.hpp"
#include "gridke/services/metering/tic.hpp"

namespace gridke::services::metering {

using TimePoint = std::chrono::sys_time<std::chrono::milliseconds>;

/// The agreed data points, in the order above.
enum class DataPoint : std::uint8_t {
  prm,
  date,
  east,
  eait,
  irms1,
  urms1,
  pref,
  pcoup,
  sinsts,
  sinsti,
  stge
};
inline constexpr int kDataPointCount = 11;
/// "prm", "date", … (lower case, as in consents and contracts).
std::string_view to_string(DataPoint p) noexcept;
/// Parses a data-point name (or its TIC label, any case). Errors: invalid_argument naming it.
Result<DataPoint> parse_data_point(std::string_view name);
/// A set of data points as a bit mask (bit i = DataPoint i).
using DataPointSet = std::uint16_t;
inline constexpr DataPointSet kAllDataPoints = (1u << kDataPointCount) - 1;
constexpr DataPointSet bit(DataPoint p) {
  return static_cast<DataPointSet>(1u << static_cast<int>(p));
}

/// STGE bit 7: "dépassement de la puissance de référence".
inline constexpr std::uint32_t kStgeOverrunBit = 1u << 7;

struct TicReading {
  std::string prm;
  TimePoint time{};
  TicMode mode = TicMode::standard;
  std::optional<std::int64_t> east_wh;
  std::optional<std::int64_t> eait_wh;
  std::optional<double> irms1_a;
  std::optional<double> urms1_v;
  std::optional<double> pref_kva;
  std::optional<double> pcoup_kva;
  std::optional<double> sinsts_va;
  std::optional<double> sinsti_va;
  std::optional<std::uint32_t> stge;
  bool overrun = false;  ///< STGE bit 7, or ADPS in historic mode

  /// The data points present in this reading.
  DataPointSet present() const;
};

/// Reads the data points of `frame`. `gateway_prm` is the PdL the gateway was registered for:
/// a standard frame's PRM must equal it; `received` stands in for DATE when the frame has
/// none (historic mode). Errors (invalid_argument, "frame N: LABEL: …"): a PRM different from
/// the gateway's, a number or horodate that does not parse, an STGE that is not 8 hex digits.
Result<TicReading> read_frame(const TicFrame& frame, std::string_view gateway_prm,
                              TimePoint received, std::size_t frame_number);

/// A standard-mode horodate "SAAMMJJhhmmss" as UTC (E: UTC+2, H: UTC+1). Errors:
/// invalid_argument naming the text.
Result<TimePoint> parse_horodate(std::string_view text);
/// The horodate of a UTC time in French local time (last Sunday of March/October rule).
std::string format_horodate(TimePoint t);

}  // namespace gridke::services::metering
