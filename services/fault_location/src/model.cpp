#include "gridke/services/fault_location/model.hpp"

namespace gridke::services::fault_location {

std::string_view to_string(Phase p) noexcept {
  switch (p) {
    case Phase::l1: return "L1";
    case Phase::l2: return "L2";
    case Phase::l3: return "L3";
  }
  return "?";
}

std::optional<Phase> parse_phase(std::string_view text) noexcept {
  if (text == "L1" || text == "l1" || text == "a" || text == "A" || text == "1") return Phase::l1;
  if (text == "L2" || text == "l2" || text == "b" || text == "B" || text == "2") return Phase::l2;
  if (text == "L3" || text == "l3" || text == "c" || text == "C" || text == "3") return Phase::l3;
  return std::nullopt;
}

std::string_view to_string(NotificationKind k) noexcept {
  switch (k) {
    case NotificationKind::power_fault: return "power_fault";
    case NotificationKind::abnormal_voltage: return "abnormal_voltage";
  }
  return "?";
}

std::string_view to_string(NotificationStatus s) noexcept {
  switch (s) {
    case NotificationStatus::raised: return "raised";
    case NotificationStatus::updated: return "updated";
    case NotificationStatus::cleared: return "cleared";
  }
  return "?";
}

}  // namespace gridke::services::fault_location
