#pragma once
// Small, dependency-free SVG charts for demos, reports and REST answers: a heat map with a
// colour scale, a line chart with several series, shaded bands and reference lines, and a bar
// chart (grouped or stacked). Every chart is a plain struct rendered by a pure function into a
// self-contained SVG 1.1 document (no scripts, no external fonts or styles), so it opens in any
// browser and can be served with content type image/svg+xml.
//
// Text (titles, labels, series names) is XML-escaped; numbers are written with "%.4g"-style
// formatting. Axes get "nice" ticks (1, 2, 2.5, 5 × 10^k). Missing values are NaN: a heat-map
// cell is drawn grey and hatched, a line is broken at the gap.
//
// Errors (all ErrorCode::invalid_argument, naming the chart field and index): empty data,
// mismatched lengths, non-finite coordinates where they are not allowed, min ≥ max of an
// explicit range, non-positive sizes, colours that are not "#rgb"/"#rrggbb" or a plain name.
//
// Thread safety: immutable inputs, pure functions; call from any thread.
// Ownership: the renderers return the SVG text by value; the inputs are only read.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gridke/base/result.hpp"

namespace gridke::plot {

/// `text` with &, <, >, " and ' replaced by XML entities, and control characters other than
/// tab/newline dropped (they are not allowed in XML 1.0).
std::string escape_xml(std::string_view text);

/// Colour maps for heat maps. `viridis` for magnitudes; `diverging` (blue–white–red) for signed
/// values, centred on zero when the range is not given.
enum class ColourMap { viridis, diverging };

/// The "#rrggbb" colour of `t` ∈ [0, 1] on `map` (t is clamped).
std::string colour_at(ColourMap map, double t);

struct HeatMap {
  std::string title;
  std::string x_label;                      ///< below the columns
  std::string y_label;                      ///< left of the rows
  std::string colour_label;                 ///< beside the colour scale, e.g. "V/kW"
  std::vector<std::string> column_labels;   ///< one per column (may be empty: numbered)
  std::vector<std::string> row_labels;      ///< one per row (may be empty: numbered)
  std::vector<std::vector<double>> values;  ///< rows × columns; NaN = missing
  ColourMap colour_map = ColourMap::viridis;
  std::optional<double> min;  ///< colour-scale range; default: the data range
  std::optional<double> max;  ///< (diverging: symmetric around zero)
  bool annotate = false;      ///< write each value in its cell (small matrices)
  int cell_px = 0;            ///< 0 = chosen from the matrix size
};

/// A line: y over x, drawn in the order given; NaN y breaks the line.
struct Series {
  std::string name;
  std::vector<double> x;
  std::vector<double> y;
  std::string colour;  ///< empty = from the default palette
  bool dashed = false;
  bool markers = false;  ///< a dot at every point
};

/// A shaded area between lower(x) and upper(x), e.g. a confidence band or a voltage limit band.
struct Band {
  std::string name;
  std::vector<double> x;
  std::vector<double> lower;
  std::vector<double> upper;
  std::string colour;  ///< empty = from the default palette
  double opacity = 0.2;
};

/// A horizontal line across the plot, e.g. a voltage limit.
struct ReferenceLine {
  std::string name;
  double y = 0.0;
  std::string colour = "#d62728";
};

struct LineChart {
  std::string title;
  std::string x_label;
  std::string y_label;
  std::vector<Series> series;
  std::vector<Band> bands;
  std::vector<ReferenceLine> reference_lines;
  std::optional<double> y_min;  ///< default: data range with a margin
  std::optional<double> y_max;
  /// Optional labels for x ticks: (x, label) pairs replace the numeric ticks, e.g. "06:00".
  std::vector<std::pair<double, std::string>> x_ticks;
  int width_px = 800;
  int height_px = 450;
};

/// One group of bars: a value per category.
struct BarSeries {
  std::string name;
  std::vector<double> values;  ///< one per BarChart::categories; NaN = no bar
  std::string colour;          ///< empty = from the default palette
};

struct BarChart {
  std::string title;
  std::string x_label;
  std::string y_label;
  std::vector<std::string> categories;
  std::vector<BarSeries> series;
  bool stacked = false;  ///< stacked bars (values must then be ≥ 0) instead of side by side
  std::vector<ReferenceLine> reference_lines;
  std::optional<double> y_min;
  std::optional<double> y_max;
  int width_px = 800;
  int height_px = 450;
};

/// The SVG document of a chart. Errors: invalid_argument (see the file comment).
Result<std::string> render_heat_map(const HeatMap& chart);
Result<std::string> render_line_chart(const LineChart& chart);
Result<std::string> render_bar_chart(const BarChart& chart);

/// Writes `svg` to `path` (replacing it). Errors: unavailable naming the path.
Result<void> write_file(const std::string& path, std::string_view svg);

/// "Nice" tick positions covering [lo, hi] with about `target` ticks (1, 2, 2.5, 5 × 10^k).
/// REQUIRES: lo < hi, target ≥ 2.
std::vector<double> nice_ticks(double lo, double hi, int target);

}  // namespace gridke::plot
