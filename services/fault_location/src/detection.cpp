#include "gridke/services/fault_location/detection.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

namespace gridke::services::fault_location {
namespace {

constexpr double ms_per_day = 86'400'000.0;

std::string format_probability(double p) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2g", p);
  return buf;
}

Result<void> check_fraction(double v, const char* name, bool allow_zero) {
  if (!std::isfinite(v) || v > 1.0 || v < 0.0 || (!allow_zero && v == 0.0)) {
    return invalid_argument(std::string(name) + " must be in " +
                            (allow_zero ? "[0, 1]" : "(0, 1]") + ", got " + std::to_string(v));
  }
  return ok();
}

Result<void> check_positive(Duration d, const char* name) {
  if (d.count() <= 0) {
    return invalid_argument(std::string(name) + " must be positive, got " +
                            std::to_string(d.count()) + " ms");
  }
  return ok();
}

// Known access networks of a group, with member and silent counts.
struct NetworkCount {
  std::uint32_t network;
  int members;
  int silent;
};

}  // namespace

Result<void> DetectionSettings::validate() const {
  GRIDKE_TRY(check_positive(reading_period, "reading_period"));
  GRIDKE_TRY(check_fraction(min_silent_fraction, "min_silent_fraction", false));
  if (!(false_alarm_alpha > 0.0 && false_alarm_alpha < 1.0)) {
    return invalid_argument("false_alarm_alpha must be in (0, 1), got " +
                            format_probability(false_alarm_alpha));
  }
  GRIDKE_TRY(check_positive(onset_window, "onset_window"));
  if (!(prior_episodes_per_day > 0.0) || !std::isfinite(prior_episodes_per_day)) {
    return invalid_argument("prior_episodes_per_day must be positive");
  }
  if (!(prior_weight_days > 0.0) || !std::isfinite(prior_weight_days)) {
    return invalid_argument("prior_weight_days must be positive");
  }
  GRIDKE_TRY(check_fraction(clear_fraction, "clear_fraction", false));
  GRIDKE_TRY(check_positive(stale_after, "stale_after"));
  GRIDKE_TRY(check_fraction(fault_voltage_pu, "fault_voltage_pu", false));
  if (!(abnormal_voltage_pu > 0.0 && abnormal_voltage_pu <= 1.0)) {
    return invalid_argument("abnormal_voltage_pu must be in (0, 1], got " +
                            std::to_string(abnormal_voltage_pu));
  }
  if (!(recovered_voltage_pu >= abnormal_voltage_pu && recovered_voltage_pu <= 1.1)) {
    return invalid_argument("recovered_voltage_pu must be in [abnormal_voltage_pu, 1.1], got " +
                            std::to_string(recovered_voltage_pu));
  }
  if (min_abnormal_hems < 1) {
    return invalid_argument("min_abnormal_hems must be >= 1, got " +
                            std::to_string(min_abnormal_hems));
  }
  GRIDKE_TRY(check_positive(raw_retention, "raw_retention"));
  GRIDKE_TRY(check_positive(prune_interval, "prune_interval"));
  GRIDKE_TRY(check_positive(checkpoint_interval, "checkpoint_interval"));
  return ok();
}

double poisson_binomial_tail(std::span<const double> p, int k) {
  if (k <= 0) return 1.0;
  if (static_cast<std::size_t>(k) > p.size()) return 0.0;
  // dp[j] = P(X = j) for j < k; dp[k] = P(X >= k) (absorbing), so the tail is summed directly
  // and keeps its relative precision even when it is 1e-30.
  std::vector<double> dp(static_cast<std::size_t>(k) + 1, 0.0);
  dp[0] = 1.0;
  int reach = 0;
  for (double pi : p) {
    reach = std::min(reach + 1, k);
    dp[static_cast<std::size_t>(k)] += dp[static_cast<std::size_t>(k) - 1] * pi;
    for (int j = std::min(reach, k - 1); j >= 1; --j) {
      auto uj = static_cast<std::size_t>(j);
      dp[uj] = dp[uj] * (1.0 - pi) + dp[uj - 1] * pi;
    }
    dp[0] *= (1.0 - pi);
  }
  return std::clamp(dp[static_cast<std::size_t>(k)], 0.0, 1.0);
}

int largest_cluster(std::span<const Timestamp> times, Duration w) {
  std::vector<Timestamp> t(times.begin(), times.end());
  std::sort(t.begin(), t.end());
  int best = 0;
  std::size_t lo = 0;
  for (std::size_t hi = 0; hi < t.size(); ++hi) {
    while (t[hi] - t[lo] > w) ++lo;
    best = std::max(best, static_cast<int>(hi - lo + 1));
  }
  return best;
}

double onset_probability(double episodes, Duration observed, const DetectionSettings& s) {
  // Gamma-Poisson shrinkage: prior_weight_days of pseudo-observation at the prior rate.
  const double prior_ms = s.prior_weight_days * ms_per_day;
  const double rate_per_ms =
      (std::max(episodes, 0.0) + s.prior_episodes_per_day * s.prior_weight_days) /
      (static_cast<double>(std::max<std::int64_t>(observed.count(), 0)) + prior_ms);
  return -std::expm1(-rate_per_ms * static_cast<double>(s.onset_window.count()));
}

GroupEvaluation evaluate_group(std::span<const MemberView> members, const GroupContext& ctx,
                               const DetectionSettings& settings) {
  GroupEvaluation ev;
  const int n = static_cast<int>(members.size());
  std::vector<NetworkCount> nets;
  auto net_entry = [&nets](std::uint32_t a) -> NetworkCount& {
    for (auto& e : nets) {
      if (e.network == a) return e;
    }
    nets.push_back({a, 0, 0});
    return nets.back();
  };
  int low = 0;
  bool any_silent = false;
  for (const auto& m : members) {
    const bool silent = ctx.now - m.last_seen >= ctx.min_silence;
    if (m.access_network != 0) {
      auto& e = net_entry(m.access_network);
      ++e.members;
      e.silent += silent ? 1 : 0;
    }
    if (!silent) continue;
    ++ev.silent;
    low += m.low_before_silence ? 1 : 0;
    ev.onset = any_silent ? std::min(ev.onset, m.last_seen) : m.last_seen;
    any_silent = true;
  }
  const auto is_candidate = [&](int silent, int size) {
    return silent >= ctx.min_silent_hems &&
           static_cast<double>(silent) >= settings.min_silent_fraction * static_cast<double>(size);
  };
  if (n == 0 || !is_candidate(ev.silent, n)) {
    ev.reason = std::to_string(ev.silent) + " of " + std::to_string(n) +
                " HEMS silent: below N_min=" + std::to_string(ctx.min_silent_hems) +
                " or the minimum fraction";
    return ev;
  }
  ev.voltage_corroborated = 2 * low >= ev.silent;

  // Step 2: access networks. A network is dark in the group when its silent share reaches
  // f_min, alive otherwise. Dark networks are "explained" (a communication outage) when another
  // network of the group is alive, or when the network is dark elsewhere.
  bool any_alive = false;
  for (const auto& e : nets) {
    any_alive = any_alive || static_cast<double>(e.silent) <
                                 settings.min_silent_fraction * static_cast<double>(e.members);
  }
  std::vector<std::uint32_t> explained;
  int dark_unexplained = 0;
  for (const auto& e : nets) {
    const bool dark = static_cast<double>(e.silent) >=
                      settings.min_silent_fraction * static_cast<double>(e.members);
    if (!dark) continue;
    const bool elsewhere = e.network < 64 && ((ctx.networks_dark_elsewhere >> e.network) & 1U);
    if (any_alive || elsewhere) {
      explained.push_back(e.network);
    } else {
      ++dark_unexplained;
    }
  }
  const auto is_explained = [&explained](std::uint32_t a) {
    return a != 0 && std::find(explained.begin(), explained.end(), a) != explained.end();
  };
  ev.network_corroborated = dark_unexplained >= 2 && !any_alive;

  // The members the rest of the rule looks at: all of them when nothing is explained by an
  // access network or voltages say "power"; otherwise the part no ISP outage explains.
  const bool restrict = !explained.empty() && !ev.voltage_corroborated;
  std::vector<Timestamp> silent_times;
  std::vector<double> probabilities;
  int considered = 0;
  int considered_silent = 0;
  for (const auto& m : members) {
    if (restrict && is_explained(m.access_network)) continue;
    ++considered;
    probabilities.push_back(m.onset_probability);
    if (ctx.now - m.last_seen >= ctx.min_silence) {
      ++considered_silent;
      silent_times.push_back(m.last_seen);
    }
  }
  if (restrict && !is_candidate(considered_silent, considered)) {
    ev.verdict = SilenceClass::communication_outage;
    ev.reason = std::to_string(ev.silent) + " of " + std::to_string(n) +
                " HEMS silent, explained by " + std::to_string(explained.size()) +
                " access network(s) that are " +
                (any_alive ? "dark while another network in the zone is alive"
                           : "dark in other zones too") +
                "; " + std::to_string(considered_silent) + " silent HEMS left unexplained";
    return ev;
  }

  // Step 4: coincidence guard.
  ev.coincident = largest_cluster(silent_times, settings.onset_window);
  ev.tail_probability = poisson_binomial_tail(probabilities, ev.coincident);
  std::string facts = std::to_string(considered_silent) + " of " + std::to_string(considered) +
                      " HEMS silent >= " + std::to_string(ctx.min_silence.count() / 1000) + " s; " +
                      std::to_string(ev.coincident) + " fell silent within " +
                      std::to_string(settings.onset_window.count() / 1000) +
                      " s (chance P=" + format_probability(ev.tail_probability) + ")";
  if (ev.coincident < ctx.min_silent_hems || ev.tail_probability >= settings.false_alarm_alpha) {
    ev.verdict = SilenceClass::not_significant;
    ev.reason =
        facts + ": not significant at alpha=" + format_probability(settings.false_alarm_alpha);
    return ev;
  }
  ev.verdict = SilenceClass::power_fault;
  ev.reason = facts;
  if (ev.network_corroborated)
    ev.reason +=
        "; silent across " + std::to_string(dark_unexplained) + " access networks, none alive";
  if (ev.voltage_corroborated) ev.reason += "; low voltages before the silence";
  return ev;
}

}  // namespace gridke::services::fault_location
