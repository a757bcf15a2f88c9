#include "gridke/services/fault_location/clock.hpp"

namespace gridke::services::fault_location {

Timestamp SystemClock::now() const {
  return std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now());
}

}  // namespace gridke::services::fault_location
