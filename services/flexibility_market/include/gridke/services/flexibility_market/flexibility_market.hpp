#pragma once
// FlexibilityMarket: the DSO side of the Portuguese pilot's flexibility process (InterConnect
// D4.3 §3.2, §4.4) — FSP registration and subscription, publication of needs to subscribed
// FSPs, offers with gate closures, offer and activation state machines, least-cost activation
// plan, verification and settlement — with every accepted message and every state transition
// stored in SQLite (core/storage) so that nothing accepted is lost on restart.
//
// State machines (every transition is a Transition row, see transitions()):
//   offer:      (new) → received → active (verified by the DSO) ⇄ suspended (FSP unable for a
//               period) ; received|active|suspended → expired (plan gate passed, not activated)
//   activation: (new) → sent → accepted (FSP answered yes) | cancelled (FSP answered no, or the
//               response delay expired)
//   settlement: (new) → pending (verified) → confirmed | disputed (by the FSP)
// Anything else is failed_precondition naming the entity, its state and the attempted change.
//
// Notifications (needs, activation plan) go through a Notifier: the REST front door plugs in a
// CallbackDispatcher (real HTTP POSTs with retries), tests a recorder.
//
// Thread safety: internally synchronised (one mutex); notifications are handed to the
// Notifier outside the lock.
// Ownership: owns its Database; shares the Clock and Notifier.

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "gridke/base/result.hpp"
#include "gridke/services/flexibility_market/clock.hpp"
#include "gridke/services/flexibility_market/model.hpp"
#include "gridke/services/flexibility_market/offer_selection.hpp"
#include "gridke/services/flexibility_market/verification.hpp"

namespace gridke::services::flexibility_market {

/// Where needs and activation plans go. `topic` is "needs" or "activation-plan".
class Notifier {
 public:
  virtual ~Notifier() = default;
  virtual void notify(const std::string& url, const std::string& topic,
                      const nlohmann::json& body) = 0;
};

/// Observers inside the process (SSAs): called after the change is stored, outside the lock.
struct MarketListeners {
  std::function<void(const std::vector<FlexibilityNeed>&)> on_needs;
  std::function<void(const std::vector<Activation>&)> on_activation_plan;
  std::function<void(const FlexibilityOffer&)> on_offer;
};

struct MarketOptions {
  Duration activation_response_delay{std::chrono::minutes(30)};  ///< Sent → Cancelled after this
  VerificationOptions verification;
  /// Largest |needs_kw| and |quantity_kw| accepted, kW (malformed-message guard).
  double max_power_kw = 1e6;
};

struct NeedInput {
  std::string zone;
  double needs_kw = 0;
  Direction direction = Direction::down;
  TimePoint start;
  TimePoint end;
  std::vector<std::string> hems_ids;
  std::optional<std::string> request_id;  ///< generated when absent
};

struct OfferInput {
  std::string fsp_id;
  std::string request_id;
  double quantity_kw = 0;
  double min_quantity_kw = 0;
  bool divisible = true;
  double price_eur_per_mwh = 0;
  std::optional<TimePoint> start;  ///< default: the need's interval
  std::optional<TimePoint> end;
  std::optional<std::string> offer_id;  ///< generated when absent
};

/// The result of clearing: the activations sent and the needs left uncovered.
struct ActivationPlan {
  std::vector<Activation> activations;
  std::vector<UncoveredNeed> uncovered;
  double total_cost_eur = 0;
};

class FlexibilityMarket {
 public:
  /// Opens (creating the schema if needed) the database at `database_path` (":memory:" for
  /// none) and loads the stored state. Errors: from storage (unavailable, failed_precondition).
  static Result<std::unique_ptr<FlexibilityMarket>> open(const std::string& database_path,
                                                         std::shared_ptr<const Clock> clock,
                                                         std::shared_ptr<Notifier> notifier,
                                                         MarketOptions options = {});
  ~FlexibilityMarket();
  FlexibilityMarket(const FlexibilityMarket&) = delete;
  FlexibilityMarket& operator=(const FlexibilityMarket&) = delete;

  void set_listeners(MarketListeners listeners);
  const Clock& clock() const { return *clock_; }

  // --- FSPs -----------------------------------------------------------------------------
  /// Registers (or updates the name and zones of) an FSP. Errors: invalid_argument for an
  /// empty id or no zones.
  Result<FlexibilityServiceProvider> register_fsp(const std::string& id, const std::string& name,
                                                  std::vector<std::string> zones);
  /// POST /Flexibility/Subscribe. Errors: not_found (unregistered FSP); invalid_argument for a
  /// callback that is not an absolute http(s) URL (names the field).
  Result<void> subscribe(const std::string& fsp_id, const std::string& needs_url,
                         const std::string& activation_url);
  /// DELETE /Flexibility/Subscribe. Errors: not_found; failed_precondition when not subscribed.
  Result<void> unsubscribe(const std::string& fsp_id);
  std::optional<FlexibilityServiceProvider> fsp(const std::string& id) const;
  std::vector<FlexibilityServiceProvider> fsps() const;

  // --- needs (1) ------------------------------------------------------------------------
  /// Stores the needs and sends them to every subscribed FSP serving the need's zone.
  /// Errors: invalid_argument (non-positive or too large need, end <= start, empty zone,
  /// duplicate request id); failed_precondition when `now` is past the needs' offer gate.
  Result<std::vector<FlexibilityNeed>> publish_needs(Window window, std::vector<NeedInput> needs);
  std::optional<FlexibilityNeed> need(const std::string& request_id) const;
  std::vector<FlexibilityNeed> needs() const;

  // --- offers (2) -----------------------------------------------------------------------
  /// Receives an offer (state received). Errors: not_found (FSP, need); permission_denied when
  /// the FSP does not serve the need's zone; invalid_argument (quantities, price, interval not
  /// covering the need, duplicate offer id); failed_precondition "late offer" after the gate.
  Result<FlexibilityOffer> submit_offer(const OfferInput& input);
  /// received → active. Errors: not_found; failed_precondition for any other state.
  Result<FlexibilityOffer> verify_offer(const std::string& offer_id);
  /// active → suspended until `until` (FSP declared unable). Errors: not_found;
  /// permission_denied (another FSP's offer); failed_precondition (state, or until <= now).
  Result<FlexibilityOffer> suspend_offer(const std::string& fsp_id, const std::string& offer_id,
                                         TimePoint until, const std::string& reason);
  /// suspended → active. Errors as suspend_offer.
  Result<FlexibilityOffer> resume_offer(const std::string& fsp_id, const std::string& offer_id);
  std::optional<FlexibilityOffer> offer(const std::string& offer_id) const;
  std::vector<FlexibilityOffer> offers() const;

  // --- activation plan (3) --------------------------------------------------------------
  /// Verifies received offers, selects least-cost offers for every need of `window` whose plan
  /// gate is still open and which has no activation yet, stores the activations (state sent)
  /// and notifies the FSPs. Errors: failed_precondition when no need is open for clearing
  /// (all plan gates passed: "late activation plan").
  Result<ActivationPlan> clear(Window window);
  /// The FSP answers an activation: sent → accepted / cancelled. Errors: not_found;
  /// permission_denied; failed_precondition (not sent, or after the response deadline).
  Result<Activation> respond_activation(const std::string& fsp_id, const std::string& activation_id,
                                        bool accept);
  std::optional<Activation> activation(const std::string& activation_id) const;
  std::vector<Activation> activations() const;

  /// Applies time-driven transitions at clock().now(): offers past their plan gate and not
  /// activated → expired; suspensions that ended → active; sent activations past their
  /// response deadline → cancelled. Returns the number of transitions made.
  Result<int> tick();

  // --- downstream -----------------------------------------------------------------------
  /// Baseline from the FSP for an accepted activation. Errors: not_found, permission_denied,
  /// failed_precondition (activation not accepted), invalid_argument (series).
  Result<void> submit_baseline(const std::string& fsp_id, const std::string& activation_id,
                               std::vector<ParticipantSeries> baselines);
  /// Metered consumption from the DSO's metering system. Errors as submit_baseline.
  Result<void> submit_metering(const std::string& activation_id,
                               std::vector<ParticipantSeries> metered);
  /// Computes and stores the verification (settlement pending). Errors: failed_precondition
  /// (no baseline / metering yet, or already settled), invalid_argument from verify_activation.
  Result<Verification> verify(const std::string& activation_id);
  /// pending → confirmed / disputed. Errors: not_found, permission_denied, failed_precondition.
  Result<Verification> confirm_settlement(const std::string& fsp_id,
                                          const std::string& activation_id);
  Result<Verification> dispute_settlement(const std::string& fsp_id,
                                          const std::string& activation_id,
                                          const std::string& reason);
  /// Greek pilot: the aggregator's outcome report, stored with the verification (or before it).
  /// Errors: not_found, permission_denied, invalid_argument (percent outside [0, 1000]).
  Result<void> report_outcome(const std::string& fsp_id, const std::string& activation_id,
                              bool succeeded, double percent_of_target);
  std::optional<Verification> verification(const std::string& activation_id) const;
  /// The FSP's baseline of an activation, once submitted.
  std::optional<std::vector<ParticipantSeries>> baseline(const std::string& activation_id) const;
  std::optional<OutcomeReport> outcome(const std::string& activation_id) const;

  // --- audit ----------------------------------------------------------------------------
  /// Transitions of one entity id (all when empty), in order. Errors: from storage.
  Result<std::vector<Transition>> transitions(const std::string& id = {}) const;

 private:
  struct Impl;
  FlexibilityMarket(std::unique_ptr<Impl> impl, std::shared_ptr<const Clock> clock);
  std::unique_ptr<Impl> impl_;
  std::shared_ptr<const Clock> clock_;
};

}  // namespace gridke::services::flexibility_market
