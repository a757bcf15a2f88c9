#pragma once
// The fault-detection rule of reference-data/NOTES.md §6.2, as pure functions over one group of
// HEMS (a zone, or the HEMS of one phase in a zone). The service feeds them its state each tick.
//
// For a group G at time t, with minimum silent count N_min, minimum silence T_min:
//  1. Silent set S = {h in G : t - last_seen_h >= T_min}; candidate if |S| >= N_min and
//     |S| / |G| >= f_min (min_silent_fraction, guards tiny zones).
//  2. Access-network (ISP) corroboration: per known access network a, dark_a = |S_a|/|G_a| >=
//     f_min. If one network is dark while another network of the group is alive, or the group's
//     only dark network is dark in a neighbouring zone (same GridZone::region) while other
//     networks there are alive (an ISP outage across zones), the silence is a *communication
//     outage*, not a fault. Silence spanning
//     >= 2 networks with none alive corroborates a power fault.
//  3. Voltage corroboration: if at least half of S reported below fault_voltage_pu just before
//     falling silent, the fault is corroborated (and a communication verdict is overruled).
//  4. False-alarm guard: under "no fault" each HEMS starts a silence episode of >= T_min
//     independently with probability p_h within any onset window W (from its historical
//     silence-episode rate r_h: p_h = 1 - exp(-r_h W)). The largest set C of silent HEMS whose
//     silences began within W of each other is compared with the Poisson-binomial tail:
//     alarm only if P(X >= |C|) < alpha. A power cut silences its HEMS within one reading
//     period; independent dropouts rarely line up.
//  5. Hysteresis: a raised fault clears when clear_fraction of its silent HEMS report again.
// Thread safety: stateless functions; settings are plain values.

#include <cstdint>
#include <span>
#include <string>

#include "gridke/base/result.hpp"
#include "gridke/services/fault_location/clock.hpp"

namespace gridke::services::fault_location {

/// Service-wide detection settings (the DSO's N_min and T_min are per request, see
/// MonitoringParameters). Defaults are documented in docs/fault-location.md.
struct DetectionSettings {
  Duration reading_period{60'000};         ///< expected interval between readings of one HEMS
  double min_silent_fraction = 0.5;        ///< f_min
  double false_alarm_alpha = 1e-6;         ///< guard threshold on the tail probability
  Duration onset_window{120'000};          ///< W: silences starting within W count as coincident
  double prior_episodes_per_day = 1.0;     ///< prior silence-episode rate before history exists
  double prior_weight_days = 1.0;          ///< weight of that prior, in observed days
  double clear_fraction = 0.8;             ///< share of silent HEMS back to clear a fault
  Duration stale_after{12 * 3'600'000};    ///< silent longer (outside a fault) = not monitorable
  double fault_voltage_pu = 0.85;          ///< a last reading below this corroborates a power fault
  double abnormal_voltage_pu = 0.90;       ///< below this a reading is abnormal (EN 50160: -10 %)
  double recovered_voltage_pu = 0.92;      ///< at or above this an abnormal HEMS has recovered
  int min_abnormal_hems = 2;               ///< HEMS below threshold to raise a zone voltage alert
  Duration raw_retention{24 * 3'600'000};  ///< raw readings older than this are deleted
  Duration prune_interval{600'000};        ///< how often the retention sweep runs
  Duration checkpoint_interval{60'000};    ///< how often per-HEMS state is written to SQLite

  /// Checks every field; the error names the field and value (e.g. "min_silent_fraction").
  Result<void> validate() const;
};

/// What a group's silence looks like after the ISP rule.
enum class SilenceClass : std::uint8_t {
  none,                  ///< not a candidate (too few silent HEMS)
  communication_outage,  ///< explained by an access-network outage
  power_fault,           ///< probable power fault (passed corroboration and the guard)
  not_significant,       ///< candidate, but the false-alarm guard did not reject chance
};

/// One HEMS of a group as the rule sees it.
struct MemberView {
  Timestamp last_seen;
  std::uint32_t access_network = 0;  ///< 0 = unknown, else a service-assigned index
  double onset_probability = 0.0;    ///< p_h for one onset window
  bool low_before_silence = false;   ///< last reading below fault_voltage_pu
};

/// Inputs of one group evaluation besides its members.
struct GroupContext {
  Timestamp now;
  int min_silent_hems = 3;
  Duration min_silence{300'000};
  /// Access networks with outage evidence in other zones of the same region (dark there while
  /// other networks of that zone are alive): bit a set for network index a (a < 64); networks >= 64
  /// unknown.
  std::uint64_t networks_dark_elsewhere = 0;
};

/// The verdict for one group.
struct GroupEvaluation {
  SilenceClass verdict = SilenceClass::none;
  int silent = 0;                 ///< |S|
  int coincident = 0;             ///< |C|, largest set whose silences began within W
  double tail_probability = 1.0;  ///< P(X >= |C|) under independent dropouts
  bool network_corroborated = false;
  bool voltage_corroborated = false;
  Timestamp onset{};   ///< earliest last_seen in S
  std::string reason;  ///< the rule that decided, in words
};

/// Applies steps 1–4 to one group. Members never heard from must not be passed.
/// REQUIRES: settings.validate() succeeded; ctx.min_silent_hems >= 1.
GroupEvaluation evaluate_group(std::span<const MemberView> members, const GroupContext& ctx,
                               const DetectionSettings& settings);

/// P(X >= k) for X a sum of independent Bernoulli(p_i) (Poisson-binomial upper tail), by the
/// O(n k) recurrence on P(X = j), j < k. k <= 0 gives 1; k > n gives 0.
/// REQUIRES: every p_i in [0, 1].
double poisson_binomial_tail(std::span<const double> p, int k);

/// Size of the largest subset of `times` lying within a window of width w (sorts a copy).
int largest_cluster(std::span<const Timestamp> times, Duration w);

/// p = 1 - exp(-rate * window): the probability one HEMS with a historical silence-episode rate
/// (episodes / observed ms, shrunk towards the prior) starts an episode within one window.
double onset_probability(double episodes, Duration observed, const DetectionSettings& s);

}  // namespace gridke::services::fault_location
