// SVG charts of Outputs 1 and 2 (charts.hpp), drawn with core/plot.

#include "gridke/services/sensitivities/http/charts.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <limits>
#include <vector>

#include "gridke/plot/svg.hpp"

namespace gridke::services::sensitivities {
namespace {

using nlohmann::json;

struct PeriodRow {
  std::string label;
  double average_v = 0;
  double under_percent = 0, over_percent = 0;
  double worst_under_v = 0, worst_over_v = 0;
};

Result<double> number_at(const json& j, const std::string& path, const char* key) {
  if (!j.is_object() || !j.contains(key)) return parse_error(path + "." + key + ": missing");
  if (!j.at(key).is_number()) return parse_error(path + "." + key + ": expected a number");
  return j.at(key).get<double>();
}

Result<std::vector<PeriodRow>> read_periods(std::string_view text) {
  const json root = json::parse(text, nullptr, false);
  if (root.is_discarded()) return parse_error("Output 2: not valid JSON");
  if (!root.is_object() || !root.contains("periods") || !root.at("periods").is_array()) {
    return parse_error("Output 2: periods: expected an array");
  }
  const json& periods = root.at("periods");
  if (periods.empty()) return invalid_argument("Output 2: periods is empty; nothing to draw");
  std::vector<PeriodRow> rows;
  for (std::size_t k = 0; k < periods.size(); ++k) {
    const json& p = periods[k];
    const std::string path = "periods[" + std::to_string(k) + "]";
    if (!p.is_object()) return parse_error(path + ": expected an object");
    PeriodRow r;
    if (!p.contains("time") || !p.at("time").is_string()) {
      return parse_error(path + ".time: expected a string");
    }
    r.label = p.at("time").get<std::string>();
    GRIDKE_ASSIGN_OR_RETURN(r.average_v, number_at(p, path, "average_voltage"));
    for (const char* side : {"undervoltage", "overvoltage"}) {
      const std::string at = path + "." + side;
      if (!p.contains(side)) return parse_error(at + ": missing");
      const json& v = p.at(side);
      GRIDKE_ASSIGN_OR_RETURN(const double prob, number_at(v, at, "prob_of_occur"));
      if (!v.contains("worst_record")) return parse_error(at + ".worst_record: missing");
      GRIDKE_ASSIGN_OR_RETURN(const double worst,
                              number_at(v.at("worst_record"), at + ".worst_record", "value"));
      if (std::string(side) == "undervoltage") {
        r.under_percent = prob, r.worst_under_v = worst;
      } else {
        r.over_percent = prob, r.worst_over_v = worst;
      }
    }
    rows.push_back(std::move(r));
  }
  return rows;
}

}  // namespace

Result<std::string> sensitivity_heat_map_svg(const SensitivityMatrix& s) {
  const auto rows = s.sensitivity_v_per_kw.rows(), cols = s.sensitivity_v_per_kw.cols();
  if (rows == 0 || cols == 0) {
    return invalid_argument("sensitivity matrix of grid '" + s.network_id + "' is empty");
  }
  plot::HeatMap h;
  h.title = "Voltage sensitivity of grid " + s.network_id + " (" + to_string(s.reference) +
            "-referenced)";
  h.x_label = "meter whose consumption changes by 1 kW";
  h.y_label = "meter whose voltage changes";
  h.colour_label = "V/kW";
  h.colour_map = plot::ColourMap::diverging;
  h.row_labels = s.voltage_meters;
  h.column_labels = s.injection_meters;
  h.annotate = rows <= 16 && cols <= 16;
  h.values.assign(static_cast<std::size_t>(rows),
                  std::vector<double>(static_cast<std::size_t>(cols)));
  for (Eigen::Index i = 0; i < rows; ++i) {
    for (Eigen::Index j = 0; j < cols; ++j) {
      h.values[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)] =
          s.sensitivity_v_per_kw(i, j);
    }
  }
  return plot::render_heat_map(h);
}

Result<std::string> voltage_problems_svg(std::string_view output2_json) {
  GRIDKE_ASSIGN_OR_RETURN(const auto rows, read_periods(output2_json));
  plot::BarChart c;
  c.title = "Voltage problems per half hour of the typical day";
  c.x_label = "period";
  c.y_label = "probability of occurrence (%)";
  plot::BarSeries under{"under-voltage", {}, "#1f77b4"}, over{"over-voltage", {}, "#d62728"};
  for (const auto& r : rows) {
    c.categories.push_back(r.label);
    under.values.push_back(r.under_percent);
    over.values.push_back(r.over_percent);
  }
  c.series = {std::move(under), std::move(over)};
  c.width_px = 1100;
  return plot::render_bar_chart(c);
}

Result<std::string> voltage_profile_svg(std::string_view output2_json,
                                        const VoltageLimits& limits) {
  GRIDKE_ASSIGN_OR_RETURN(const auto rows, read_periods(output2_json));
  constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  plot::LineChart c;
  c.title = "Voltage per half hour of the typical day";
  c.x_label = "period start";
  c.y_label = "V";
  plot::Series average{"average", {}, {}, "#2ca02c", false, true};
  plot::Series low{"worst under-voltage", {}, {}, "#1f77b4", false, true};
  plot::Series high{"worst over-voltage", {}, {}, "#d62728", false, true};
  for (std::size_t k = 0; k < rows.size(); ++k) {
    const double x = static_cast<double>(k);
    average.x.push_back(x), low.x.push_back(x), high.x.push_back(x);
    average.y.push_back(rows[k].average_v);
    // D4.3 writes 0 when there was no violation in the period: not a voltage, leave a gap.
    low.y.push_back(rows[k].worst_under_v > 0 ? rows[k].worst_under_v : nan);
    high.y.push_back(rows[k].worst_over_v > 0 ? rows[k].worst_over_v : nan);
    if (k % 4 == 0) c.x_ticks.emplace_back(x, rows[k].label.substr(0, rows[k].label.find('-')));
  }
  c.series = {std::move(average), std::move(low), std::move(high)};
  auto volts = [](double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g V", v);
    return std::string(buf);
  };
  c.reference_lines = {{"upper limit " + volts(limits.upper_v), limits.upper_v, "#d62728"},
                       {"lower limit " + volts(limits.lower_v), limits.lower_v, "#1f77b4"}};
  c.width_px = 1100;
  return plot::render_line_chart(c);
}

}  // namespace gridke::services::sensitivities
