#include "gridke/services/flexibility_market/offer_selection.hpp"

#include <algorithm>
#include <map>
#include <tuple>
#include <unordered_map>

namespace gridke::services::flexibility_market {
namespace {

struct Candidate {
  const FlexibilityOffer* offer;
  double max_kw;
  double min_kw;
};

double hours_between(TimePoint a, TimePoint b) {
  return std::chrono::duration<double, std::ratio<3600>>(b - a).count();
}

bool eligible(const FlexibilityOffer& o, const FlexibilityNeed& n) {
  if (o.zone != n.zone || o.direction != n.direction) return false;
  if (o.start > n.start || o.end < n.end) return false;
  if (o.state == OfferState::active) return true;
  // A suspension that ends before the need starts does not stop the offer.
  return o.state == OfferState::suspended && o.suspended_until && *o.suspended_until <= n.start;
}

struct Pick {
  std::size_t index;  // into candidates
  double kw;
};

// One need against candidates in merit order; `used` is the power already taken from each
// offer in this interval.
std::vector<Pick> cover(double need_kw, const std::vector<Candidate>& cands,
                        const std::vector<double>& used) {
  std::vector<Pick> walk;
  double remaining = need_kw;
  double walk_cost = 0;
  double best_completion_cost = 0;
  std::vector<Pick> best_completion;
  bool have_completion = false;
  for (std::size_t i = 0; i < cands.size() && remaining > coverage_tolerance_kw; ++i) {
    const Candidate& c = cands[i];
    const double avail = c.max_kw - used[i];
    const double price = c.offer->price_eur_per_mwh;
    if (avail <= coverage_tolerance_kw) continue;
    if (used[i] > 0 && !c.offer->divisible) continue;
    const double min_kw = c.offer->divisible ? std::min(c.min_kw, avail) : avail;
    if (avail <= remaining) {
      walk.push_back({i, avail});
      walk_cost += price * avail;
      remaining -= avail;
    } else if (min_kw <= remaining) {
      walk.push_back({i, remaining});
      walk_cost += price * remaining;
      remaining = 0;
    } else {
      const double cost = walk_cost + price * min_kw;
      if (!have_completion || cost < best_completion_cost) {
        best_completion = walk;
        best_completion.push_back({i, min_kw});
        best_completion_cost = cost;
        have_completion = true;
      }
    }
  }
  if (remaining <= coverage_tolerance_kw) {
    if (have_completion && best_completion_cost < walk_cost) return best_completion;
    return walk;
  }
  if (have_completion) return best_completion;
  return walk;  // not coverable: everything eligible
}

}  // namespace

Selection select_offers(std::span<const FlexibilityNeed> needs,
                        std::span<const FlexibilityOffer> offers) {
  Selection out;
  // Offers per (zone, direction), in merit order.
  std::map<std::pair<std::string, Direction>, std::vector<const FlexibilityOffer*>> by_zone;
  for (const auto& o : offers) {
    if (o.state == OfferState::active || o.state == OfferState::suspended) {
      by_zone[{o.zone, o.direction}].push_back(&o);
    }
  }
  for (auto& [key, list] : by_zone) {
    std::sort(list.begin(), list.end(), [](const FlexibilityOffer* a, const FlexibilityOffer* b) {
      return std::tuple(a->price_eur_per_mwh, -a->quantity_kw, a->offer_id) <
             std::tuple(b->price_eur_per_mwh, -b->quantity_kw, b->offer_id);
    });
  }
  // Power used per (offer, interval start).
  std::map<std::pair<const FlexibilityOffer*, std::int64_t>, double> used_power;
  std::vector<std::size_t> order(needs.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return std::tie(needs[a].start, needs[a].request_id) <
           std::tie(needs[b].start, needs[b].request_id);
  });
  std::vector<Candidate> cands;
  std::vector<double> used;
  for (std::size_t ni : order) {
    const FlexibilityNeed& n = needs[ni];
    cands.clear();
    used.clear();
    auto it = by_zone.find({n.zone, n.direction});
    if (it != by_zone.end()) {
      for (const FlexibilityOffer* o : it->second) {
        if (!eligible(*o, n)) continue;
        cands.push_back({o, o->quantity_kw, o->min_quantity_kw});
        auto u = used_power.find({o, to_epoch_ms(n.start)});
        used.push_back(u == used_power.end() ? 0.0 : u->second);
      }
    }
    const auto picks = cover(n.needs_kw, cands, used);
    double covered = 0;
    const double h = hours_between(n.start, n.end);
    for (const Pick& p : picks) {
      const FlexibilityOffer* o = cands[p.index].offer;
      used_power[{o, to_epoch_ms(n.start)}] += p.kw;
      const double cost = p.kw * h * o->price_eur_per_mwh / 1000.0;
      out.awards.push_back({n.request_id, o->offer_id, p.kw, cost});
      out.total_cost_eur += cost;
      covered += p.kw;
    }
    if (covered + coverage_tolerance_kw < n.needs_kw) {
      out.uncovered.push_back({n.request_id, n.zone, n.start, n.needs_kw - covered});
    }
  }
  return out;
}

}  // namespace gridke::services::flexibility_market
