#include "gridke/services/bids/bid_generation.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <unordered_set>

namespace gridke::services::bids {
namespace {

constexpr double eps_kw = 1e-9;

Result<void> check(std::span<const UnitFlexibility> units, const BidRules& r) {
  if (r.intervals_per_period < 1) {
    return invalid_argument("intervals_per_period: must be >= 1, got " +
                            std::to_string(r.intervals_per_period));
  }
  if (!(r.max_block_kw > 0) || !std::isfinite(r.max_block_kw)) {
    return invalid_argument("max_block_kw: must be > 0, got " + std::to_string(r.max_block_kw));
  }
  if (!(r.min_block_kw >= 0) || r.min_block_kw > r.max_block_kw) {
    return invalid_argument(
        "min_block_kw: must be within [0, max_block_kw=" + std::to_string(r.max_block_kw) +
        "], got " + std::to_string(r.min_block_kw));
  }
  if (r.block_size_kw != 0 &&
      !(r.block_size_kw >= r.min_block_kw && r.block_size_kw <= r.max_block_kw)) {
    return invalid_argument(
        "block_size_kw: must be 0 or within [min_block_kw=" + std::to_string(r.min_block_kw) +
        ", max_block_kw=" + std::to_string(r.max_block_kw) + "], got " +
        std::to_string(r.block_size_kw));
  }
  if (r.reserve == ReserveRule::fixed_percent &&
      !(r.reserve_percent >= 0 && r.reserve_percent < 100)) {
    return invalid_argument("reserve_percent: must be within [0, 100), got " +
                            std::to_string(r.reserve_percent));
  }
  if (r.reserve == ReserveRule::n_minus_y && r.reserve_units < 0) {
    return invalid_argument("reserve_units: must be >= 0, got " + std::to_string(r.reserve_units));
  }
  if (units.empty()) return invalid_argument("units: at least one unit is required");
  const std::size_t n = units[0].up_kw.size();
  if (n == 0 || n % static_cast<std::size_t>(r.intervals_per_period) != 0) {
    return invalid_argument("units[0] '" + units[0].id + "': " + std::to_string(n) +
                            " intervals is not a positive multiple of intervals_per_period=" +
                            std::to_string(r.intervals_per_period));
  }
  std::unordered_set<std::string_view> ids;
  for (std::size_t u = 0; u < units.size(); ++u) {
    const auto& x = units[u];
    const std::string where = "units[" + std::to_string(u) + "] '" + x.id + "'";
    if (x.id.empty()) return invalid_argument("units[" + std::to_string(u) + "]: id is empty");
    if (!ids.insert(x.id).second) return invalid_argument(where + ": duplicate id");
    if (x.up_kw.size() != n || x.down_kw.size() != n) {
      return invalid_argument(where + ": " + std::to_string(x.up_kw.size()) + " up and " +
                              std::to_string(x.down_kw.size()) + " down values, expected " +
                              std::to_string(n));
    }
    if (!std::isfinite(x.up_price_eur_per_mwh) || !std::isfinite(x.down_price_eur_per_mwh)) {
      return invalid_argument(where + ": price is not finite");
    }
    for (std::size_t k = 0; k < n; ++k) {
      if (!(x.up_kw[k] >= 0) || !std::isfinite(x.up_kw[k])) {
        return invalid_argument(where + ": up_kw[" + std::to_string(k) +
                                "] must be finite and >= 0");
      }
      if (!(x.down_kw[k] >= 0) || !std::isfinite(x.down_kw[k])) {
        return invalid_argument(where + ": down_kw[" + std::to_string(k) +
                                "] must be finite and >= 0");
      }
    }
  }
  return {};
}

struct Block {
  double kw = 0;
  std::uint32_t first = 0;
  std::uint32_t count = 0;
};

// Energy-weighted average sum(F c) / sum(F) of the members' prices.
double weighted_price(const BidSet& out, const Block& b, std::span<const double> price) {
  double num = 0;
  for (std::uint32_t i = b.first; i < b.first + b.count; ++i) {
    num += out.members[i].kw * price[out.members[i].unit];
  }
  return num / b.kw;
}

}  // namespace

Result<BidSet> generate_bids(std::span<const UnitFlexibility> units, const BidRules& rules) {
  GRIDKE_TRY(check(units, rules));
  const std::size_t n_units = units.size();
  const std::size_t n_intervals = units[0].up_kw.size();
  const int k = rules.intervals_per_period;
  BidSet out;
  out.periods = static_cast<int>(n_intervals / static_cast<std::size_t>(k));
  out.summary.assign(static_cast<std::size_t>(out.periods) * 2, {});
  out.members.reserve(n_units * static_cast<std::size_t>(out.periods) * 2);

  std::vector<double> f(n_units);
  std::vector<std::uint32_t> order(n_units), by_size(n_units), merit;
  std::vector<char> withheld(n_units);
  std::vector<double> price(n_units);
  merit.reserve(n_units);
  for (int dir = 0; dir < 2; ++dir) {
    const auto direction = dir == 0 ? FlexDirection::up : FlexDirection::down;
    for (std::size_t u = 0; u < n_units; ++u) {
      price[u] = dir == 0 ? units[u].up_price_eur_per_mwh : units[u].down_price_eur_per_mwh;
    }
    // Merit order by (price, id) once; equal-price runs are re-sorted by F per period.
    std::iota(order.begin(), order.end(), 0u);
    std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
      if (price[a] != price[b]) return price[a] < price[b];
      return units[a].id < units[b].id;
    });
    for (int p = 0; p < out.periods; ++p) {
      PeriodSummary& sum =
          out.summary[static_cast<std::size_t>(p) * 2 + static_cast<std::size_t>(dir)];
      // 1. Available flexibility: the minimum over the period.
      for (std::size_t u = 0; u < n_units; ++u) {
        const auto& series = dir == 0 ? units[u].up_kw : units[u].down_kw;
        const double* first = series.data() + static_cast<std::ptrdiff_t>(p) * k;
        f[u] = k == 1 ? *first : *std::min_element(first, first + k);
        sum.available_kw += f[u];
      }
      // 2. Reserve.
      std::fill(withheld.begin(), withheld.end(), 0);
      if (rules.reserve == ReserveRule::fixed_percent) {
        const double keep = 1.0 - rules.reserve_percent / 100.0;
        for (double& x : f) x *= keep;
        sum.reserved_kw = sum.available_kw * rules.reserve_percent / 100.0;
      } else if (rules.reserve == ReserveRule::n_minus_y && rules.reserve_units > 0) {
        // The y largest units with F > 0, kept sorted (larger F first, then smaller id): one
        // comparison per unit in the common case, O(U·y) at worst.
        const auto y = static_cast<std::size_t>(rules.reserve_units);
        auto larger = [&](std::uint32_t a, std::uint32_t b) {
          if (f[a] != f[b]) return f[a] > f[b];
          return units[a].id < units[b].id;
        };
        by_size.clear();
        for (std::uint32_t u = 0; u < n_units; ++u) {
          if (!(f[u] > 0)) continue;
          if (by_size.size() == y && !larger(u, by_size.back())) continue;
          auto pos = std::upper_bound(by_size.begin(), by_size.end(), u, larger);
          by_size.insert(pos, u);
          if (by_size.size() > y) by_size.pop_back();
        }
        for (std::uint32_t u : by_size) {
          withheld[u] = 1;
          sum.reserved_kw += f[u];
        }
        sum.withheld_units = static_cast<int>(by_size.size());
      }
      // 3. Merit order for this period: equal prices by larger F, then id.
      merit.clear();
      for (std::uint32_t u : order) {
        if (!withheld[u] && f[u] > eps_kw) merit.push_back(u);
      }
      for (std::size_t i = 0; i < merit.size();) {
        std::size_t j = i + 1;
        while (j < merit.size() && price[merit[j]] == price[merit[i]]) ++j;
        if (j - i > 1) {
          std::stable_sort(merit.begin() + static_cast<std::ptrdiff_t>(i),
                           merit.begin() + static_cast<std::ptrdiff_t>(j),
                           [&](std::uint32_t a, std::uint32_t b) { return f[a] > f[b]; });
        }
        i = j;
      }
      // 4. Blocks.
      const std::size_t first_bid = out.bids.size();
      Block cur{0, static_cast<std::uint32_t>(out.members.size()), 0};
      auto emit = [&] {
        Bid b;
        b.period = p;
        b.direction = direction;
        b.power_kw = cur.kw;
        b.first_member = cur.first;
        b.member_count = cur.count;
        out.bids.push_back(b);
        sum.offered_kw += cur.kw;
        cur = Block{0, static_cast<std::uint32_t>(out.members.size()), 0};
      };
      auto add = [&](std::uint32_t u, double kw) {
        out.members.push_back({u, kw});
        cur.kw += kw;
        ++cur.count;
      };
      const double target = rules.block_size_kw > 0 ? rules.block_size_kw : rules.max_block_kw;
      for (std::uint32_t u : merit) {
        double rem = f[u];
        while (rem > eps_kw) {
          if (cur.kw + rem <= rules.max_block_kw + eps_kw) {
            add(u, rem);
            rem = 0;
          } else if (cur.count > 0 && cur.kw + eps_kw >= rules.min_block_kw) {
            emit();
            continue;
          } else {
            const double take = target - cur.kw;
            add(u, take);
            rem -= take;
          }
          if (cur.kw + eps_kw >= target) emit();
        }
      }
      if (cur.count > 0) {
        if (cur.kw + eps_kw >= rules.min_block_kw) {
          emit();
        } else if (rules.leftover == LeftoverPolicy::merge_into_previous &&
                   out.bids.size() > first_bid &&
                   out.bids.back().power_kw + cur.kw <= rules.max_block_kw + eps_kw) {
          // The leftover's members follow the previous block's members in `members`.
          Bid& prev = out.bids.back();
          prev.power_kw += cur.kw;
          prev.member_count += cur.count;
          sum.offered_kw += cur.kw;
        } else {
          sum.dropped_kw += cur.kw;
          out.members.resize(cur.first);
        }
      }
      // 5. Prices.
      for (std::size_t i = first_bid; i < out.bids.size(); ++i) {
        Bid& b = out.bids[i];
        const Block blk{b.power_kw, b.first_member, b.member_count};
        if (rules.price_rule == PriceRule::weighted_average) {
          b.price_eur_per_mwh = weighted_price(out, blk, price);
        } else {
          double lo = INFINITY, hi = -INFINITY;
          for (std::uint32_t m = b.first_member; m < b.first_member + b.member_count; ++m) {
            lo = std::min(lo, price[out.members[m].unit]);
            hi = std::max(hi, price[out.members[m].unit]);
          }
          b.price_eur_per_mwh = rules.price_rule == PriceRule::min ? lo : hi;
        }
      }
    }
  }
  return out;
}

}  // namespace gridke::services::bids
