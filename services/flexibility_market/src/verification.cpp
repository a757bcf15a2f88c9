#include "gridke/services/flexibility_market/verification.hpp"

#include <algorithm>
#include <cmath>
#include <map>

namespace gridke::services::flexibility_market {
namespace {

Result<std::map<std::string, const ParticipantSeries*>> index_series(
    std::span<const ParticipantSeries> series, std::size_t intervals, std::string_view what) {
  std::map<std::string, const ParticipantSeries*> out;
  for (const auto& s : series) {
    if (s.participant_id.empty()) {
      return invalid_argument(std::string(what) + ": participant id is empty");
    }
    if (s.kw.size() != intervals) {
      return invalid_argument(std::string(what) + " of participant '" + s.participant_id +
                              "': " + std::to_string(s.kw.size()) + " values, expected " +
                              std::to_string(intervals) + " (one per interval of the activation)");
    }
    for (std::size_t k = 0; k < s.kw.size(); ++k) {
      if (!std::isfinite(s.kw[k])) {
        return invalid_argument(std::string(what) + " of participant '" + s.participant_id +
                                "': value " + std::to_string(k) + " is not finite");
      }
    }
    if (!out.emplace(s.participant_id, &s).second) {
      return invalid_argument(std::string(what) + ": participant '" + s.participant_id +
                              "' appears twice");
    }
  }
  return out;
}

}  // namespace

Result<Verification> verify_activation(const Activation& a,
                                       std::span<const ParticipantSeries> baselines,
                                       std::span<const ParticipantSeries> metered,
                                       const VerificationOptions& options) {
  if (options.interval.count() <= 0) return invalid_argument("verification interval must be > 0");
  const auto span_ms = (a.end - a.start).count();
  if (span_ms <= 0 || span_ms % options.interval.count() != 0) {
    return invalid_argument("activation '" + a.activation_id +
                            "': duration is not a whole number of intervals");
  }
  const auto intervals = static_cast<std::size_t>(span_ms / options.interval.count());
  GRIDKE_ASSIGN_OR_RETURN(auto base, index_series(baselines, intervals, "baseline"));
  GRIDKE_ASSIGN_OR_RETURN(auto meter, index_series(metered, intervals, "metering"));
  if (base.empty()) {
    return invalid_argument("activation '" + a.activation_id + "': no baseline participants");
  }
  for (const auto& [id, s] : base) {
    if (!meter.count(id)) {
      return invalid_argument("participant '" + id + "' has a baseline but no metering data");
    }
  }
  for (const auto& [id, s] : meter) {
    if (!base.count(id)) {
      return invalid_argument("participant '" + id + "' has metering data but no baseline");
    }
  }
  Verification v;
  v.activation_id = a.activation_id;
  v.interval = options.interval;
  v.delivered_kw.assign(intervals, 0.0);
  const double sign = a.direction == Direction::down ? 1.0 : -1.0;
  for (const auto& [id, b] : base) {
    const ParticipantSeries* m = meter.at(id);
    for (std::size_t k = 0; k < intervals; ++k) v.delivered_kw[k] += sign * (b->kw[k] - m->kw[k]);
  }
  const double dt_h = std::chrono::duration<double, std::ratio<3600>>(options.interval).count();
  for (double d : v.delivered_kw) v.delivered_kwh += d * dt_h;
  v.contracted_kwh = a.power_kw * dt_h * static_cast<double>(intervals);
  v.ratio = v.contracted_kwh > 0 ? v.delivered_kwh / v.contracted_kwh : 0;
  v.settled_kwh = std::clamp(v.delivered_kwh, 0.0, v.contracted_kwh);
  v.penalty_eur = options.penalty_factor * a.price_eur_per_mwh *
                  std::max(0.0, v.contracted_kwh - v.delivered_kwh) / 1000.0;
  v.amount_eur = v.settled_kwh * a.price_eur_per_mwh / 1000.0 - v.penalty_eur;
  return v;
}

}  // namespace gridke::services::flexibility_market
