// The demo scenario on the IEEE European LV feeder: congestion only in the EV evening peak, and
// the needs found, applied to the zones' loads, remove every violation (checked with an
// independent grid::PowerFlow).
#include "gridke/services/congestion/ieee_european_lv_scenario.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

#include "gridke/services/grid/power_flow.hpp"
#include "gridke_matchers.hpp"

namespace gridke::services::congestion {
namespace {

namespace grid = gridke::services::grid;
const TimePoint scenario_day = TimePoint(std::chrono::sys_days(std::chrono::year(2026) / 11 / 28));

TEST(IeeeEuropeanLvScenario, EveningPeakNeedsRemoveEveryViolation) {
  auto s = ieee_european_lv_ev_evening(GRIDKE_SOURCE_DIR);
  ASSERT_THAT(s, IsOk());
  EXPECT_EQ(s->network.loads.size(), 55u);
  EXPECT_EQ(s->ev_loads.size(), 28u);
  ASSERT_EQ(s->config.zones.size(), 3u);
  auto f = CongestionForecaster::create(s->network, s->config);
  ASSERT_THAT(f, IsOk());
  auto quiet = f->day_ahead(scenario_day, s->household);
  ASSERT_THAT(quiet, IsOk());
  EXPECT_TRUE(quiet->needs().empty());
  auto out = f->day_ahead(scenario_day, s->forecast);
  ASSERT_THAT(out, IsOk());
  const auto needs = out->needs();
  ASSERT_FALSE(needs.empty());
  auto pf = grid::PowerFlow::create(s->network);
  ASSERT_THAT(pf, IsOk());
  std::map<std::string, std::size_t> load_index;
  for (std::size_t j = 0; j < s->network.loads.size(); ++j) load_index[s->network.loads[j].id] = j;
  for (std::size_t k = 0; k < 96; ++k) {
    const auto& iv = out->intervals[k];
    const auto hour = static_cast<int>(k / 4);
    if (!iv.needs.empty()) {
      EXPECT_GE(hour, 17) << "interval " << k;
      EXPECT_LT(hour, 22) << "interval " << k;
    }
    // Apply the needs pro rata to the zone loads and solve independently.
    auto powers = s->forecast[k];
    for (const auto& n : iv.needs) {
      EXPECT_TRUE(n.resolved);
      EXPECT_EQ(n.direction, NeedDirection::down);
      const Zone* z = nullptr;
      for (const auto& c : s->config.zones) {
        if (c.id == n.zone) z = &c;
      }
      ASSERT_NE(z, nullptr);
      double total = 0;
      for (const auto& id : z->load_ids) total += powers[load_index[id]].kw;
      for (const auto& id : z->load_ids) {
        auto& p = powers[load_index[id]];
        p.kw *= 1 - n.needs_kw / total;
        p.kvar *= 1 - n.needs_kw / total;
      }
    }
    auto snap = pf->solve(powers);
    ASSERT_THAT(snap, IsOk());
    for (const auto& b : snap->branches) {
      if (b.kind != grid::BranchKind::line) continue;
      const auto* line = &*std::find_if(s->network.lines.begin(), s->network.lines.end(),
                                        [&](const grid::Line& l) { return l.id == b.id; });
      auto amp = s->config.line_code_ampacity_a.find(line->line_code);
      if (amp == s->config.line_code_ampacity_a.end()) continue;
      for (int ph = 0; ph < 3; ++ph) {
        EXPECT_LE(std::abs(b.current_a[static_cast<std::size_t>(ph)]), amp->second + 2e-3)
            << "interval " << k << " line " << b.id;
      }
    }
    EXPECT_GE(snap->min_voltage_pu(0.416), 0.94 - 2e-6) << "interval " << k;
    EXPECT_LE(iv.line_loading_after, 1.0 + 1e-5) << "interval " << k;
    EXPECT_TRUE(iv.violations_after.empty()) << "interval " << k;
  }
}

}  // namespace
}  // namespace gridke::services::congestion
