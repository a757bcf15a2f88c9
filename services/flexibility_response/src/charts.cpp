// Charts of a flexibility-response result; see charts.hpp.

#include "gridke/services/flexibility_response/charts.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>

namespace gridke::services::flexibility_response {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// Baseline first, then the levels: a fixed palette so a level keeps its colour across charts.
constexpr const char* kBaselineColour = "#444444";
constexpr const char* kLevelColours[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728",
                                         "#9467bd", "#8c564b", "#e377c2", "#17becf"};

std::string level_colour(std::size_t k) {
  return kLevelColours[k % (sizeof kLevelColours / sizeof kLevelColours[0])];
}

double hour_of(const FlexibilityResult& result, const SlotResult& slot) {
  return static_cast<double>(slot.slot) * result.slot_minutes / 60.0;
}

std::string hour_label(double hour) {
  char buffer[16];
  const int minutes = static_cast<int>(std::lround(hour * 60.0));
  std::snprintf(buffer, sizeof buffer, "%02d:%02d", minutes / 60, minutes % 60);
  return buffer;
}

std::vector<std::pair<double, std::string>> hour_ticks(const FlexibilityResult& result) {
  std::vector<std::pair<double, std::string>> ticks;
  for (int h = 0; h <= 24; h += 3) ticks.emplace_back(h, hour_label(h));
  (void)result;
  return ticks;
}

Result<const CustomerResult*> find_customer(const FlexibilityResult& result,
                                            const std::string& user_id) {
  if (result.customers.empty()) return invalid_argument("the result has no customers");
  if (user_id.empty()) return &result.customers.front();
  for (const auto& c : result.customers) {
    if (c.user_id == user_id) return &c;
  }
  return not_found("customer '" + user_id + "' is not in the result (" +
                   std::to_string(result.customers.size()) + " customers)");
}

}  // namespace

std::string_view to_string(ChartKind kind) {
  switch (kind) {
    case ChartKind::expected_power: return "expected-power";
    case ChartKind::flexibility: return "flexibility";
    case ChartKind::ranking: return "ranking";
    case ChartKind::reliability: return "reliability";
  }
  return "?";
}

Result<ChartKind> parse_chart_kind(std::string_view text) {
  for (ChartKind kind : {ChartKind::expected_power, ChartKind::flexibility, ChartKind::ranking,
                         ChartKind::reliability}) {
    if (to_string(kind) == text) return kind;
  }
  return invalid_argument("chart: unknown chart '" + std::string(text) +
                          "' (expected expected-power, flexibility, ranking, reliability)");
}

std::string level_label(const FlexibilityResult& result, std::size_t level) {
  char value[32];
  std::snprintf(value, sizeof value, "%.4g", result.levels.at(level));
  return "i" + std::to_string(level + 1) + " (" + value + " " + result.signal_unit + ")";
}

Result<plot::LineChart> expected_power_chart(const FlexibilityResult& result,
                                             const std::string& user_id) {
  GRIDKE_ASSIGN_OR_RETURN(const CustomerResult* customer, find_customer(result, user_id));
  plot::LineChart chart;
  chart.title = "Expected power of customer " + customer->user_id + " per signal level (" +
                std::to_string(static_cast<int>(std::lround(result.confidence_level * 100))) +
                " % prediction intervals)";
  chart.x_label = "hour of the typical day";
  chart.y_label = "expected power (kW)";
  chart.x_ticks = hour_ticks(result);
  const std::size_t levels = result.levels.size();
  plot::Series baseline{"baseline (no signal)", {}, {}, kBaselineColour, false, true};
  plot::Band baseline_band{"baseline interval", {}, {}, {}, kBaselineColour, 0.12};
  std::vector<plot::Series> series(levels);
  std::vector<plot::Band> bands(levels);
  for (std::size_t k = 0; k < levels; ++k) {
    series[k] = {level_label(result, k), {}, {}, level_colour(k), false, true};
    bands[k] = {level_label(result, k) + " interval", {}, {}, {}, level_colour(k), 0.15};
  }
  for (const auto& slot : customer->slots) {
    const double x = hour_of(result, slot);
    baseline.x.push_back(x);
    baseline.y.push_back(slot.estimated ? slot.baseline_kw.mean : kNaN);
    if (slot.estimated) {
      baseline_band.x.push_back(x);
      baseline_band.lower.push_back(slot.baseline_kw.obs_ci_lower);
      baseline_band.upper.push_back(slot.baseline_kw.obs_ci_upper);
    }
    for (std::size_t k = 0; k < levels; ++k) {
      const auto& level = slot.levels[k];
      const bool ok = slot.estimated && level.estimated;
      series[k].x.push_back(x);
      series[k].y.push_back(ok ? level.power_kw.mean : kNaN);
      if (ok) {
        bands[k].x.push_back(x);
        bands[k].lower.push_back(level.power_kw.obs_ci_lower);
        bands[k].upper.push_back(level.power_kw.obs_ci_upper);
      }
    }
  }
  chart.series.push_back(std::move(baseline));
  if (!baseline_band.x.empty()) chart.bands.push_back(std::move(baseline_band));
  for (std::size_t k = 0; k < levels; ++k) {
    chart.series.push_back(std::move(series[k]));
    if (!bands[k].x.empty()) chart.bands.push_back(std::move(bands[k]));
  }
  return chart;
}

Result<plot::LineChart> flexibility_chart(const FlexibilityResult& result,
                                          const std::string& user_id) {
  GRIDKE_ASSIGN_OR_RETURN(const CustomerResult* customer, find_customer(result, user_id));
  plot::LineChart chart;
  chart.title = "Flexibility of customer " + customer->user_id + " (signal level − baseline)";
  chart.x_label = "hour of the typical day";
  chart.y_label = "flexibility (kW)";
  chart.x_ticks = hour_ticks(result);
  chart.reference_lines.push_back({"no response", 0.0, "#888888"});
  for (std::size_t k = 0; k < result.levels.size(); ++k) {
    plot::Series s{level_label(result, k), {}, {}, level_colour(k), false, true};
    for (const auto& slot : customer->slots) {
      const auto& level = slot.levels[k];
      s.x.push_back(hour_of(result, slot));
      s.y.push_back(slot.estimated && level.estimated ? level.flexibility_kw : kNaN);
    }
    chart.series.push_back(std::move(s));
  }
  if (chart.series.empty()) return invalid_argument("the result has no signal levels");
  return chart;
}

Result<plot::HeatMap> ranking_heat_map(const FlexibilityResult& result, std::size_t level,
                                       std::size_t max_customers) {
  if (result.customers.empty()) return invalid_argument("the result has no customers");
  if (level >= result.levels.size()) {
    return invalid_argument("level: " + std::to_string(level + 1) + " is out of range (the " +
                            "result has i1..i" + std::to_string(result.levels.size()) + ")");
  }
  // Mean ranking over the estimated slots orders the rows (most flexible first).
  std::vector<std::pair<double, std::size_t>> order;
  for (std::size_t c = 0; c < result.customers.size(); ++c) {
    double sum = 0.0;
    int n = 0;
    for (const auto& slot : result.customers[c].slots) {
      if (slot.estimated && slot.levels[level].estimated) {
        sum += slot.levels[level].ranking_percent;
        ++n;
      }
    }
    order.emplace_back(n > 0 ? sum / n : -1.0, c);
  }
  std::stable_sort(order.begin(), order.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  if (order.size() > max_customers) order.resize(max_customers);

  plot::HeatMap chart;
  chart.title = "Ranking of customer flexibility for " + level_label(result, level);
  chart.x_label = "hour of the typical day";
  chart.y_label = "customer";
  chart.colour_label = "ranking (%)";
  chart.colour_map = plot::ColourMap::diverging;
  chart.min = 0.0;
  chart.max = 100.0;
  const auto& first = result.customers[order.front().second];
  for (const auto& slot : first.slots)
    chart.column_labels.push_back(hour_label(hour_of(result, slot)));
  for (const auto& [mean, c] : order) {
    const auto& customer = result.customers[c];
    chart.row_labels.push_back(customer.user_id);
    std::vector<double> row;
    for (const auto& slot : customer.slots) {
      const auto& l = slot.levels[level];
      row.push_back(slot.estimated && l.estimated ? l.ranking_percent : kNaN);
    }
    chart.values.push_back(std::move(row));
  }
  return chart;
}

Result<plot::BarChart> reliability_chart(const FlexibilityResult& result,
                                         const std::string& user_id) {
  GRIDKE_ASSIGN_OR_RETURN(const CustomerResult* customer, find_customer(result, user_id));
  if (result.levels.empty()) return invalid_argument("the result has no signal levels");
  plot::BarChart chart;
  chart.title = "Probability that customer " + customer->user_id + " responds, per hour";
  chart.x_label = "hour of the typical day";
  chart.y_label = "reliability (%)";
  chart.y_min = 0.0;
  chart.y_max = 100.0;
  chart.reference_lines.push_back({"50 %", 50.0, "#888888"});
  for (const auto& slot : customer->slots)
    chart.categories.push_back(hour_label(hour_of(result, slot)));
  for (std::size_t k = 0; k < result.levels.size(); ++k) {
    plot::BarSeries s{level_label(result, k), {}, level_colour(k)};
    for (const auto& slot : customer->slots) {
      const auto& level = slot.levels[k];
      s.values.push_back(slot.estimated && level.estimated ? 100.0 * level.reliability : kNaN);
    }
    chart.series.push_back(std::move(s));
  }
  chart.width_px = 1000;
  return chart;
}

Result<std::string> render_chart(const FlexibilityResult& result, ChartKind kind,
                                 const std::string& user_id, std::size_t level) {
  switch (kind) {
    case ChartKind::expected_power: {
      GRIDKE_ASSIGN_OR_RETURN(auto chart, expected_power_chart(result, user_id));
      return plot::render_line_chart(chart);
    }
    case ChartKind::flexibility: {
      GRIDKE_ASSIGN_OR_RETURN(auto chart, flexibility_chart(result, user_id));
      return plot::render_line_chart(chart);
    }
    case ChartKind::ranking: {
      GRIDKE_ASSIGN_OR_RETURN(auto chart, ranking_heat_map(result, level));
      return plot::render_heat_map(chart);
    }
    case ChartKind::reliability: {
      GRIDKE_ASSIGN_OR_RETURN(auto chart, reliability_chart(result, user_id));
      return plot::render_bar_chart(chart);
    }
  }
  return invalid_argument("unknown chart kind");
}

}  // namespace gridke::services::flexibility_response
