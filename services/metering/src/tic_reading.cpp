#include "gridke/services/metering/tic_reading.hpp"

#include <array>
#include <cctype>
#include <charconv>
#include <cstdio>

namespace gridke::services::metering {
namespace {

using namespace std::chrono;

constexpr std::array<std::string_view, kDataPointCount> kNames = {
    "prm", "date", "east", "eait", "irms1", "urms1", "pref", "pcoup", "sinsts", "sinsti", "stge"};

Error bad_value(std::size_t frame, std::string_view label, std::string_view value,
                const char* expected) {
  return invalid_argument("frame " + std::to_string(frame) + ": " + std::string(label) + ": '" +
                          std::string(value) + "' is not " + expected);
}

Result<std::int64_t> integer(const TicGroup& g, std::size_t frame) {
  std::int64_t v = 0;
  const auto* first = g.value.data();
  const auto* last = first + g.value.size();
  auto [p, ec] = std::from_chars(first, last, v);
  if (ec != std::errc() || p != last || g.value.empty() || v < 0) {
    return bad_value(frame, g.label, g.value, "a non-negative integer");
  }
  return v;
}

// Last Sunday of `m` in year `y`.
sys_days last_sunday(int y, unsigned m) { return sys_days{year{y} / month{m} / Sunday[last]}; }

bool is_summer_time(TimePoint t) {
  const auto ymd = year_month_day{floor<days>(t)};
  const int y = static_cast<int>(ymd.year());
  const auto start = sys_days(last_sunday(y, 3)) + hours(1);
  const auto end = sys_days(last_sunday(y, 10)) + hours(1);
  return t >= start && t < end;
}

}  // namespace

std::string_view to_string(DataPoint p) noexcept { return kNames[static_cast<std::size_t>(p)]; }

Result<DataPoint> parse_data_point(std::string_view name) {
  std::string lower;
  for (char c : name) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (std::size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] == lower) return static_cast<DataPoint>(i);
  }
  std::string known;
  for (auto n : kNames) known += (known.empty() ? "" : ", ") + std::string(n);
  return invalid_argument("unknown data point '" + std::string(name) + "' (known: " + known + ")");
}

DataPointSet TicReading::present() const {
  DataPointSet s = 0;
  if (!prm.empty()) s |= bit(DataPoint::prm);
  s |= bit(DataPoint::date);
  if (east_wh) s |= bit(DataPoint::east);
  if (eait_wh) s |= bit(DataPoint::eait);
  if (irms1_a) s |= bit(DataPoint::irms1);
  if (urms1_v) s |= bit(DataPoint::urms1);
  if (pref_kva) s |= bit(DataPoint::pref);
  if (pcoup_kva) s |= bit(DataPoint::pcoup);
  if (sinsts_va) s |= bit(DataPoint::sinsts);
  if (sinsti_va) s |= bit(DataPoint::sinsti);
  if (stge) s |= bit(DataPoint::stge);
  return s;
}

Result<TimePoint> parse_horodate(std::string_view text) {
  const auto bad = [&] {
    return invalid_argument("horodate '" + std::string(text) +
                            "' is not SAAMMJJhhmmss (season E/H + YYMMDDhhmmss)");
  };
  if (text.size() != 13) return bad();
  const char season = static_cast<char>(std::toupper(static_cast<unsigned char>(text[0])));
  if (season != 'E' && season != 'H' && season != ' ') return bad();
  int f[6] = {};
  for (int i = 0; i < 6; ++i) {
    const char a = text[1 + 2 * i], b = text[2 + 2 * i];
    if (!std::isdigit(static_cast<unsigned char>(a)) ||
        !std::isdigit(static_cast<unsigned char>(b)))
      return bad();
    f[i] = (a - '0') * 10 + (b - '0');
  }
  const year_month_day ymd{year{2000 + f[0]}, month{static_cast<unsigned>(f[1])},
                           day{static_cast<unsigned>(f[2])}};
  if (!ymd.ok() || f[3] > 23 || f[4] > 59 || f[5] > 59) return bad();
  const auto local = sys_days{ymd} + hours(f[3]) + minutes(f[4]) + seconds(f[5]);
  // E = summer (UTC+2), H = winter (UTC+1); a degraded clock (space) is taken as winter time.
  const auto offset = season == 'E' ? hours(2) : hours(1);
  return time_point_cast<milliseconds>(local - offset);
}

std::string format_horodate(TimePoint t) {
  const bool summer = is_summer_time(t);
  const auto local = t + (summer ? hours(2) : hours(1));
  const auto d = floor<days>(local);
  const year_month_day ymd{d};
  const hh_mm_ss hms(floor<seconds>(local - d));
  char buf[48];  // 14 used; room for what -Wformat-truncation assumes the ints may print
  std::snprintf(buf, sizeof buf, "%c%02d%02u%02u%02d%02d%02d", summer ? 'E' : 'H',
                static_cast<int>(ymd.year()) % 100, static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()), static_cast<int>(hms.hours().count()),
                static_cast<int>(hms.minutes().count()), static_cast<int>(hms.seconds().count()));
  return buf;
}

Result<TicReading> read_frame(const TicFrame& frame, std::string_view gateway_prm,
                              TimePoint received, std::size_t n) {
  TicReading r;
  r.mode = frame.mode;
  r.prm = std::string(gateway_prm);
  r.time = received;
  std::int64_t historic_index = 0;
  bool has_historic_index = false;
  for (const auto& g : frame.groups) {
    const std::string_view l = g.label;
    if (l == "PRM") {
      if (!gateway_prm.empty() && g.value != gateway_prm) {
        return invalid_argument("frame " + std::to_string(n) + ": PRM: '" + g.value +
                                "' is not the gateway's delivery point '" +
                                std::string(gateway_prm) + "'");
      }
      r.prm = g.value;
    } else if (l == "DATE") {
      auto t = parse_horodate(g.horodate);
      if (!t) return t.error().with_context("frame " + std::to_string(n) + ": DATE");
      r.time = *t;
    } else if (l == "EAST") {
      GRIDKE_ASSIGN_OR_RETURN(r.east_wh, integer(g, n));
    } else if (l == "EAIT") {
      GRIDKE_ASSIGN_OR_RETURN(r.eait_wh, integer(g, n));
    } else if (l == "IRMS1" || l == "IINST") {
      GRIDKE_ASSIGN_OR_RETURN(const auto v, integer(g, n));
      r.irms1_a = static_cast<double>(v);
    } else if (l == "URMS1") {
      GRIDKE_ASSIGN_OR_RETURN(const auto v, integer(g, n));
      r.urms1_v = static_cast<double>(v);
    } else if (l == "PREF") {
      GRIDKE_ASSIGN_OR_RETURN(const auto v, integer(g, n));
      r.pref_kva = static_cast<double>(v);
    } else if (l == "PCOUP") {
      GRIDKE_ASSIGN_OR_RETURN(const auto v, integer(g, n));
      r.pcoup_kva = static_cast<double>(v);
    } else if (l == "ISOUSC") {
      GRIDKE_ASSIGN_OR_RETURN(const auto v, integer(g, n));
      r.pref_kva = static_cast<double>(v) / 5.0;
      r.pcoup_kva = r.pref_kva;
    } else if (l == "SINSTS" || l == "PAPP") {
      GRIDKE_ASSIGN_OR_RETURN(const auto v, integer(g, n));
      r.sinsts_va = static_cast<double>(v);
    } else if (l == "SINSTI") {
      GRIDKE_ASSIGN_OR_RETURN(const auto v, integer(g, n));
      r.sinsti_va = static_cast<double>(v);
    } else if (l == "STGE") {
      std::uint32_t v = 0;
      const auto* first = g.value.data();
      const auto* last = first + g.value.size();
      auto [p, ec] = std::from_chars(first, last, v, 16);
      if (g.value.size() != 8 || ec != std::errc() || p != last) {
        return bad_value(n, g.label, g.value, "8 hexadecimal digits");
      }
      r.stge = v;
      r.overrun = (v & kStgeOverrunBit) != 0;
    } else if (l == "ADPS") {
      r.overrun = true;
    } else if (l == "BASE" || l == "HCHC" || l == "HCHP" || l == "EJPHN" || l == "EJPHPM" ||
               l.starts_with("BBRH")) {
      GRIDKE_ASSIGN_OR_RETURN(const auto v, integer(g, n));
      historic_index += v;
      has_historic_index = true;
    }
  }
  if (has_historic_index && !r.east_wh) r.east_wh = historic_index;
  if (r.prm.empty()) {
    return invalid_argument("frame " + std::to_string(n) +
                            ": no PRM in the frame and no delivery point for the gateway");
  }
  return r;
}

}  // namespace gridke::services::metering
