#include "gridke/services/flexibility_market/model.hpp"

#include <algorithm>
#include <cctype>

#include "gridke/services/flexibility_market/gate_closure.hpp"

namespace gridke::services::flexibility_market {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

std::string_view to_string(Direction d) noexcept { return d == Direction::up ? "Up" : "Down"; }

Result<Direction> parse_direction(std::string_view text, std::string_view field) {
  if (iequals(text, "up")) return Direction::up;
  if (iequals(text, "down")) return Direction::down;
  return invalid_argument(std::string(field) + ": expected \"Up\" or \"Down\", got \"" +
                          std::string(text) + "\"");
}

std::string_view to_string(Window w) noexcept {
  return w == Window::day_ahead ? "day-ahead" : "intraday";
}

Result<Window> parse_window(std::string_view text, std::string_view field) {
  if (iequals(text, "day-ahead") || iequals(text, "dayahead") || iequals(text, "day_ahead")) {
    return Window::day_ahead;
  }
  if (iequals(text, "intraday")) return Window::intraday;
  return invalid_argument(std::string(field) + ": expected \"day-ahead\" or \"intraday\", got \"" +
                          std::string(text) + "\"");
}

std::string_view to_string(OfferState s) noexcept {
  switch (s) {
    case OfferState::received: return "Received";
    case OfferState::active: return "Active";
    case OfferState::suspended: return "Suspended";
    case OfferState::expired: return "Expired";
  }
  return "?";
}

std::string_view to_string(ActivationState s) noexcept {
  switch (s) {
    case ActivationState::sent: return "Sent";
    case ActivationState::accepted: return "Accepted";
    case ActivationState::cancelled: return "Cancelled";
  }
  return "?";
}

std::string_view to_string(SettlementState s) noexcept {
  switch (s) {
    case SettlementState::pending: return "Pending";
    case SettlementState::confirmed: return "Confirmed";
    case SettlementState::disputed: return "Disputed";
  }
  return "?";
}

bool FlexibilityServiceProvider::serves(std::string_view zone) const {
  return std::find(zones.begin(), zones.end(), zone) != zones.end();
}

TimePoint day_start(TimePoint t) {
  return std::chrono::time_point_cast<Duration>(std::chrono::floor<std::chrono::days>(t));
}

TimePoint intraday_slot(TimePoint t) {
  const auto day = day_start(t);
  const auto since = t - day;
  return day + std::chrono::hours(6) *
                   (std::chrono::duration_cast<std::chrono::hours>(since).count() / 6);
}

GateTimes gate_times(Window window, TimePoint delivery_start) {
  using std::chrono::hours;
  if (window == Window::day_ahead) {
    const auto d_minus_1 = day_start(delivery_start) - hours(24);
    return {d_minus_1 + hours(12), d_minus_1 + hours(16), d_minus_1 + hours(18)};
  }
  return {delivery_start - hours(6), delivery_start - hours(3), delivery_start - hours(2)};
}

}  // namespace gridke::services::flexibility_market
