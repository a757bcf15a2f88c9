#include "gridke/services/bids/data_streams.hpp"

#include <map>
#include <tuple>

namespace gridke::services::bids {

Result<std::vector<ControlSignal>> control_signals(std::span<const UnitFlexibility> units,
                                                   const BidSet& bids,
                                                   std::span<const std::size_t> accepted,
                                                   TimePoint start, int period_minutes) {
  if (period_minutes <= 0) {
    return invalid_argument("period_minutes: must be > 0, got " + std::to_string(period_minutes));
  }
  std::map<std::tuple<int, int, std::uint32_t>, double> share;
  for (std::size_t i : accepted) {
    if (i >= bids.bids.size()) {
      return invalid_argument("accepted bid index " + std::to_string(i) + " is out of range (" +
                              std::to_string(bids.bids.size()) + " bids)");
    }
    const Bid& b = bids.bids[i];
    for (std::uint32_t m = b.first_member; m < b.first_member + b.member_count; ++m) {
      const BlockMember& bm = bids.members[m];
      if (bm.unit >= units.size()) {
        return invalid_argument("bid " + std::to_string(i) + " names unit " +
                                std::to_string(bm.unit) + " beyond the " +
                                std::to_string(units.size()) + " units given");
      }
      share[{b.period, static_cast<int>(b.direction), bm.unit}] += bm.kw;
    }
  }
  std::vector<ControlSignal> out;
  out.reserve(share.size());
  const auto period = std::chrono::minutes(period_minutes);
  for (const auto& [key, kw] : share) {
    const auto& [p, dir, unit] = key;
    ControlSignal s;
    s.asset_id = units[unit].id;
    s.mode = ControlMode::scheduled;
    s.direction = dir == 0 ? FlexDirection::up : FlexDirection::down;
    s.start = start + period * p;
    s.end = s.start + period;
    s.power_kw = kw;
    out.push_back(std::move(s));
  }
  return out;
}

double target_power_kw(double baseline_kw, const ControlSignal& signal) {
  return signal.direction == FlexDirection::down ? baseline_kw - signal.power_kw
                                                 : baseline_kw + signal.power_kw;
}

}  // namespace gridke::services::bids
