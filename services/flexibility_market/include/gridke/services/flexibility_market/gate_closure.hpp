#pragma once
// Gate closures of the Portuguese pilot's DSO interface (InterConnect D4.3 §4.4), in UTC
// (Portugal's winter time; docs/flexibility-market.md):
//   day-ahead, delivery on day D: needs published by 12:00 D-1, offers until 16:00 D-1,
//     activation plan until 18:00 D-1;
//   intraday, delivery starting at T: needs published at 00/06/12/18 h for the 12 h starting
//     6 h later, offers until T-3 h, activation plan until T-2 h.
// T for an intraday need is the start of the need's interval.
// Thread safety: pure functions.

#include "gridke/base/result.hpp"
#include "gridke/services/flexibility_market/clock.hpp"
#include "gridke/services/flexibility_market/model.hpp"

namespace gridke::services::flexibility_market {

struct GateTimes {
  TimePoint needs_publish_by;  ///< latest publication of the needs
  TimePoint offers_close;
  TimePoint plan_close;
};

/// Gate times for a need whose interval starts at `delivery_start`.
GateTimes gate_times(Window window, TimePoint delivery_start);

/// Midnight UTC of the day containing t.
TimePoint day_start(TimePoint t);

/// The intraday publication slots: the latest of 00/06/12/18 h at or before `t`.
TimePoint intraday_slot(TimePoint t);

}  // namespace gridke::services::flexibility_market
