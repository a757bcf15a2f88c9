#pragma once
// Conversions between the market's millisecond time points and the adapter codecs'
// system_clock time points, shared by the market and aggregator SSAs.
// Thread safety: pure functions.

#include <chrono>

#include "gridke/services/flexibility_market/clock.hpp"

namespace gridke::adapters::flexibility::detail {

inline std::chrono::system_clock::time_point sys(services::flexibility_market::TimePoint t) {
  return t;
}

inline services::flexibility_market::TimePoint ms(std::chrono::system_clock::time_point t) {
  return std::chrono::time_point_cast<services::flexibility_market::Duration>(t);
}

}  // namespace gridke::adapters::flexibility::detail
