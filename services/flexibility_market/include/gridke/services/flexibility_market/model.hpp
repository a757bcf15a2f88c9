#pragma once
// Domain types of the DSO flexibility market (InterConnect D4.3 §3.2, §4.2.2, §4.4): flexibility
// service providers (FSPs), flexibility needs per grid zone and interval, offers, activations
// (the activation plan), verification of delivery and settlement, and the audit trail of state
// transitions.
//
// Direction convention (documented in docs/flexibility-market.md): `down` = the DSO needs LESS
// consumption (or more generation) in the zone, e.g. an overloaded cable or undervoltage;
// `up` = MORE consumption (or less generation), e.g. overvoltage from PV. Delivered flexibility
// for `down` is baseline − metered consumption, for `up` metered − baseline (D4.3 §3.2.4).
//
// Thread safety: plain value types; share const values freely.
// Ownership: values own their strings and vectors.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gridke/base/result.hpp"
#include "gridke/services/flexibility_market/clock.hpp"

namespace gridke::services::flexibility_market {

enum class Direction : std::uint8_t { up, down };
/// "Up" / "Down" (D4.3 §4.2.2 spelling).
std::string_view to_string(Direction d) noexcept;
/// Accepts "Up"/"Down" case-insensitively. Errors: invalid_argument naming `field` and the text.
Result<Direction> parse_direction(std::string_view text, std::string_view field);

/// Day-ahead: needs for the 24 h of D published by 12:00 D-1. Intraday: needs published at 00,
/// 06, 12, 18 h for the 12 h starting T+6 h (D4.3 §4.4).
enum class Window : std::uint8_t { day_ahead, intraday };
std::string_view to_string(Window w) noexcept;
/// "day-ahead" / "intraday". Errors: invalid_argument naming `field`.
Result<Window> parse_window(std::string_view text, std::string_view field);

/// D4.3 §3.2.5.
enum class OfferState : std::uint8_t { received, active, suspended, expired };
std::string_view to_string(OfferState s) noexcept;

/// D4.3 §3.2.6.
enum class ActivationState : std::uint8_t { sent, accepted, cancelled };
std::string_view to_string(ActivationState s) noexcept;

/// Downstream settlement (D4.3 §3.2.4): verified by the DSO, then confirmed or disputed by the FSP.
enum class SettlementState : std::uint8_t { pending, confirmed, disputed };
std::string_view to_string(SettlementState s) noexcept;

struct FlexibilityServiceProvider {
  std::string id;
  std::string name;
  std::vector<std::string> zones;  ///< grid zones where the FSP has assets
  std::optional<std::string> needs_callback_url;
  std::optional<std::string> activation_callback_url;
  bool subscribed() const { return needs_callback_url.has_value(); }
  bool serves(std::string_view zone) const;
};

/// One flexibility need (D4.3 §4.2.2) for one zone and interval.
struct FlexibilityNeed {
  std::string request_id;
  std::string zone;
  double needs_kw = 0;
  Direction direction = Direction::down;
  TimePoint start;
  TimePoint end;
  std::vector<std::string> hems_ids;
  Window window = Window::day_ahead;
  TimePoint published;
  TimePoint offers_close;  ///< gate closure for offers
  TimePoint plan_close;    ///< gate closure for the activation plan
};

struct FlexibilityOffer {
  std::string offer_id;
  std::string fsp_id;
  std::string request_id;  ///< the need answered
  std::string zone;
  Direction direction = Direction::down;
  TimePoint start;  ///< the offer must cover the need interval
  TimePoint end;
  double quantity_kw = 0;      ///< largest activatable power
  double min_quantity_kw = 0;  ///< smallest activatable power (divisible offers)
  bool divisible = true;       ///< false: all of quantity_kw or nothing
  double price_eur_per_mwh = 0;
  OfferState state = OfferState::received;
  TimePoint received;
  std::optional<TimePoint> suspended_until;
};

struct Activation {
  std::string activation_id;
  std::string offer_id;
  std::string fsp_id;
  std::string request_id;
  std::string zone;
  Direction direction = Direction::down;
  TimePoint start;
  TimePoint end;
  double power_kw = 0;
  double price_eur_per_mwh = 0;
  ActivationState state = ActivationState::sent;
  TimePoint sent;
  TimePoint response_deadline;
};

/// Per participant (HEMS, BEMS, water heater) and interval: baseline from the FSP, metered
/// consumption from the DSO, both average kW over the interval.
struct ParticipantSeries {
  std::string participant_id;
  std::vector<double> kw;
};

/// Greek pilot feedback: the aggregator's own report on an activation.
struct OutcomeReport {
  bool succeeded = false;
  double percent_of_target = 0;
  TimePoint reported;
};

struct Verification {
  std::string activation_id;
  Duration interval{std::chrono::minutes(15)};
  std::vector<double> delivered_kw;  ///< per interval, summed over participants
  double contracted_kwh = 0;
  double delivered_kwh = 0;
  double ratio = 0;        ///< delivered / contracted energy
  double settled_kwh = 0;  ///< min(delivered, contracted), never negative
  double amount_eur = 0;   ///< settled_kwh × price − penalty
  double penalty_eur = 0;
  SettlementState state = SettlementState::pending;
  std::optional<std::string> dispute_reason;
  std::optional<OutcomeReport> outcome;
};

/// One stored, auditable state change.
struct Transition {
  std::int64_t sequence = 0;
  std::string entity;  ///< "offer", "activation", "settlement"
  std::string id;
  std::string from;  ///< "" for creation
  std::string to;
  TimePoint at;
  std::string reason;
};

}  // namespace gridke::services::flexibility_market
