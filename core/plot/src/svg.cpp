#include "gridke/plot/svg.hpp"

#include <algorithm>
#include <array>
#include <cassert>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <sstream>

namespace gridke::plot {
namespace {

// Tableau-10: distinguishable on screen and in print.
constexpr std::array<const char*, 10> palette = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728",
                                                 "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                                                 "#bcbd22", "#17becf"};
constexpr int margin_top = 44;
constexpr int margin_left = 78;
constexpr int margin_bottom = 58;
constexpr int legend_width = 170;
constexpr int max_dimension_px = 20000;

std::string num(double v) {
  if (std::abs(v) < 1e-12) v = 0.0;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

// Short form for values written inside heat-map cells.
std::string num3(double v) {
  if (std::abs(v) < 1e-12) v = 0.0;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2g", v);
  return buf;
}

std::string px(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

bool valid_colour(const std::string& c) {
  if (c.empty()) return false;
  if (c[0] == '#') {
    if (c.size() != 4 && c.size() != 7) return false;
    return std::all_of(c.begin() + 1, c.end(),
                       [](char ch) { return std::isxdigit(static_cast<unsigned char>(ch)); });
  }
  return std::all_of(c.begin(), c.end(),
                     [](char ch) { return std::isalpha(static_cast<unsigned char>(ch)); });
}

Result<std::string> pick_colour(const std::string& given, std::size_t index,
                                const std::string& where) {
  if (given.empty()) return std::string(palette[index % palette.size()]);
  if (!valid_colour(given))
    return invalid_argument(where + ": colour \"" + given +
                            "\" is not \"#rgb\", \"#rrggbb\" or a plain colour name");
  return given;
}

std::string header(int width, int height, const std::string& title) {
  std::ostringstream o;
  o << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    << "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"" << width
    << "\" height=\"" << height << "\" viewBox=\"0 0 " << width << ' ' << height
    << "\" font-family=\"sans-serif\" font-size=\"12\">\n";
  if (!title.empty()) o << "<title>" << escape_xml(title) << "</title>\n";
  o << "<rect x=\"0\" y=\"0\" width=\"" << width << "\" height=\"" << height
    << "\" fill=\"#ffffff\"/>\n";
  if (!title.empty())
    o << "<text x=\"" << width / 2 << "\" y=\"24\" text-anchor=\"middle\" font-size=\"16\" "
      << "font-weight=\"bold\">" << escape_xml(title) << "</text>\n";
  return o.str();
}

Result<void> check_size(int w, int h, const std::string& what) {
  if (w < 200 || h < 150 || w > max_dimension_px || h > max_dimension_px)
    return invalid_argument(what + ": size " + std::to_string(w) + "×" + std::to_string(h) +
                            " px is outside 200×150 … 20000×20000");
  return {};
}

Result<void> check_range(const std::optional<double>& lo, const std::optional<double>& hi,
                         const std::string& what) {
  if (lo && !std::isfinite(*lo)) return invalid_argument(what + " min is not finite");
  if (hi && !std::isfinite(*hi)) return invalid_argument(what + " max is not finite");
  if (lo && hi && *lo >= *hi)
    return invalid_argument(what + " min " + num(*lo) + " must be below max " + num(*hi));
  return {};
}

// A linear map from data to pixels.
struct Axis {
  double lo, hi;  // data range
  double p0, p1;  // pixel range (p0 ↔ lo)
  double operator()(double v) const { return p0 + (v - lo) / (hi - lo) * (p1 - p0); }
};

// Widens a degenerate range and adds a small margin.
std::pair<double, double> padded(double lo, double hi) {
  if (!(hi > lo)) {
    const double d = std::abs(lo) > 0 ? std::abs(lo) * 0.05 : 1.0;
    return {lo - d, hi + d};
  }
  const double m = (hi - lo) * 0.05;
  return {lo - m, hi + m};
}

void axes(std::ostringstream& o, const Axis& x, const Axis& y, const std::string& x_label,
          const std::string& y_label, const std::vector<std::pair<double, std::string>>& x_ticks,
          bool numeric_x) {
  const double left = x.p0, right = x.p1, bottom = y.p0, top = y.p1;
  o << "<g stroke=\"#e0e0e0\" stroke-width=\"1\">\n";
  const auto yt = nice_ticks(y.lo, y.hi, 6);
  for (double t : yt)
    o << "<line x1=\"" << px(left) << "\" y1=\"" << px(y(t)) << "\" x2=\"" << px(right)
      << "\" y2=\"" << px(y(t)) << "\"/>\n";
  o << "</g>\n<g font-size=\"11\" fill=\"#333333\">\n";
  for (double t : yt)
    o << "<text x=\"" << px(left - 6) << "\" y=\"" << px(y(t) + 4) << "\" text-anchor=\"end\">"
      << num(t) << "</text>\n";
  if (!x_ticks.empty()) {
    for (const auto& [v, label] : x_ticks) {
      if (v < x.lo || v > x.hi) continue;
      o << "<text x=\"" << px(x(v)) << "\" y=\"" << px(bottom + 16) << "\" text-anchor=\"middle\">"
        << escape_xml(label) << "</text>\n";
    }
  } else if (numeric_x) {
    for (double t : nice_ticks(x.lo, x.hi, 8))
      o << "<text x=\"" << px(x(t)) << "\" y=\"" << px(bottom + 16) << "\" text-anchor=\"middle\">"
        << num(t) << "</text>\n";
  }
  o << "</g>\n";
  o << "<rect x=\"" << px(left) << "\" y=\"" << px(top) << "\" width=\"" << px(right - left)
    << "\" height=\"" << px(bottom - top) << "\" fill=\"none\" stroke=\"#333333\"/>\n";
  if (!x_label.empty())
    o << "<text x=\"" << px((left + right) / 2) << "\" y=\"" << px(bottom + 40)
      << "\" text-anchor=\"middle\">" << escape_xml(x_label) << "</text>\n";
  if (!y_label.empty())
    o << "<text transform=\"translate(" << px(left - 56) << ',' << px((top + bottom) / 2)
      << ") rotate(-90)\" text-anchor=\"middle\">" << escape_xml(y_label) << "</text>\n";
}

struct LegendEntry {
  std::string name, colour;
  enum class Kind { line, dashed, area, bar } kind;
};

void legend(std::ostringstream& o, double x, double y, const std::vector<LegendEntry>& entries) {
  double yy = y;
  for (const auto& e : entries) {
    if (e.name.empty()) continue;
    switch (e.kind) {
      case LegendEntry::Kind::line:
      case LegendEntry::Kind::dashed:
        o << "<line x1=\"" << px(x) << "\" y1=\"" << px(yy) << "\" x2=\"" << px(x + 22)
          << "\" y2=\"" << px(yy) << "\" stroke=\"" << e.colour << "\" stroke-width=\"2\""
          << (e.kind == LegendEntry::Kind::dashed ? " stroke-dasharray=\"6 3\"" : "") << "/>\n";
        break;
      case LegendEntry::Kind::area:
      case LegendEntry::Kind::bar:
        o << "<rect x=\"" << px(x) << "\" y=\"" << px(yy - 6)
          << "\" width=\"22\" height=\"12\" fill=\"" << e.colour << "\""
          << (e.kind == LegendEntry::Kind::area ? " fill-opacity=\"0.35\"" : "") << "/>\n";
        break;
    }
    o << "<text x=\"" << px(x + 28) << "\" y=\"" << px(yy + 4) << "\">" << escape_xml(e.name)
      << "</text>\n";
    yy += 18;
  }
}

void reference_lines(std::ostringstream& o, const std::vector<ReferenceLine>& lines, const Axis& x,
                     const Axis& y) {
  for (const auto& r : lines) {
    if (r.y < y.lo || r.y > y.hi) continue;
    o << "<line x1=\"" << px(x.p0) << "\" y1=\"" << px(y(r.y)) << "\" x2=\"" << px(x.p1)
      << "\" y2=\"" << px(y(r.y)) << "\" stroke=\"" << r.colour
      << "\" stroke-width=\"1.5\" stroke-dasharray=\"4 4\"/>\n";
    if (!r.name.empty())
      o << "<text x=\"" << px(x.p1 - 4) << "\" y=\"" << px(y(r.y) - 4)
        << "\" text-anchor=\"end\" font-size=\"11\" fill=\"" << r.colour << "\">"
        << escape_xml(r.name) << "</text>\n";
  }
}

Result<void> check_reference_lines(const std::vector<ReferenceLine>& lines,
                                   const std::string& what) {
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string where = what + ".reference_lines[" + std::to_string(i) + "]";
    if (!std::isfinite(lines[i].y)) return invalid_argument(where + ": y is not finite");
    if (!valid_colour(lines[i].colour))
      return invalid_argument(where + ": colour \"" + lines[i].colour + "\" is not valid");
  }
  return {};
}

}  // namespace

std::string escape_xml(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') break;
        out += c;
    }
  }
  return out;
}

std::string colour_at(ColourMap map, double t) {
  if (!std::isfinite(t)) t = 0.0;
  t = std::clamp(t, 0.0, 1.0);
  // Control points; linear interpolation between them.
  static constexpr std::array<std::array<double, 3>, 9> viridis = {{{68, 1, 84},
                                                                    {71, 44, 122},
                                                                    {59, 81, 139},
                                                                    {44, 113, 142},
                                                                    {33, 144, 141},
                                                                    {39, 173, 129},
                                                                    {92, 200, 99},
                                                                    {170, 220, 50},
                                                                    {253, 231, 37}}};
  static constexpr std::array<std::array<double, 3>, 5> diverging = {
      {{33, 102, 172}, {146, 197, 222}, {247, 247, 247}, {244, 165, 130}, {178, 24, 43}}};
  auto interp = [t](const auto& pts) {
    const double pos = t * static_cast<double>(pts.size() - 1);
    const std::size_t i = std::min(static_cast<std::size_t>(pos), pts.size() - 2);
    const double f = pos - static_cast<double>(i);
    char buf[8];
    int c[3];
    for (int k = 0; k < 3; ++k)
      c[k] = static_cast<int>(std::lround(pts[i][k] + f * (pts[i + 1][k] - pts[i][k])));
    std::snprintf(buf, sizeof buf, "#%02x%02x%02x", c[0], c[1], c[2]);
    return std::string(buf);
  };
  return map == ColourMap::viridis ? interp(viridis) : interp(diverging);
}

std::vector<double> nice_ticks(double lo, double hi, int target) {
  assert(lo < hi && target >= 2);
  const double raw = (hi - lo) / target;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double step = mag;
  for (double m : {1.0, 2.0, 2.5, 5.0, 10.0}) {
    step = m * mag;
    if (step >= raw) break;
  }
  std::vector<double> ticks;
  const double first = std::ceil(lo / step - 1e-9) * step;
  for (double v = first; v <= hi + step * 1e-9; v += step)
    ticks.push_back(std::abs(v) < step * 1e-9 ? 0.0 : v);
  return ticks;
}

Result<std::string> render_heat_map(const HeatMap& c) {
  const std::size_t rows = c.values.size();
  if (rows == 0) return invalid_argument("heat map values: no rows");
  const std::size_t cols = c.values[0].size();
  if (cols == 0) return invalid_argument("heat map values[0]: no columns");
  for (std::size_t r = 1; r < rows; ++r)
    if (c.values[r].size() != cols)
      return invalid_argument("heat map values[" + std::to_string(r) +
                              "]: " + std::to_string(c.values[r].size()) + " columns, row 0 has " +
                              std::to_string(cols));
  if (!c.row_labels.empty() && c.row_labels.size() != rows)
    return invalid_argument("heat map row_labels: " + std::to_string(c.row_labels.size()) +
                            " labels for " + std::to_string(rows) + " rows");
  if (!c.column_labels.empty() && c.column_labels.size() != cols)
    return invalid_argument("heat map column_labels: " + std::to_string(c.column_labels.size()) +
                            " labels for " + std::to_string(cols) + " columns");
  GRIDKE_TRY(check_range(c.min, c.max, "heat map colour range"));
  if (c.cell_px < 0 || c.cell_px > 400)
    return invalid_argument("heat map cell_px " + std::to_string(c.cell_px) + " is outside 0…400");
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t k = 0; k < cols; ++k) {
      const double v = c.values[r][k];
      if (std::isinf(v))
        return invalid_argument("heat map values[" + std::to_string(r) + "][" + std::to_string(k) +
                                "] is infinite");
      if (std::isnan(v)) continue;
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
  if (!std::isfinite(lo)) lo = 0.0, hi = 1.0;  // all missing
  if (c.colour_map == ColourMap::diverging && !c.min && !c.max) {
    const double m = std::max(std::abs(lo), std::abs(hi));
    lo = -m;
    hi = m;
  }
  if (c.min) lo = *c.min;
  if (c.max) hi = *c.max;
  if (!(hi > lo)) {
    lo -= 0.5;
    hi += 0.5;
  }

  const std::size_t longest = std::max(rows, cols);
  const int cell = c.cell_px > 0 ? c.cell_px : std::clamp(static_cast<int>(640 / longest), 4, 48);
  std::size_t label_chars = 0;
  for (const auto& l : c.row_labels) label_chars = std::max(label_chars, l.size());
  const int left = margin_left + static_cast<int>(std::min<std::size_t>(label_chars, 24)) * 6;
  const int top = margin_top + 10;
  const int grid_w = cell * static_cast<int>(cols), grid_h = cell * static_cast<int>(rows);
  const int column_label_space = cols <= 60 ? 70 : 20;
  const int width = left + grid_w + 130;
  const int height = std::max(top + grid_h + column_label_space + 40, 260);
  GRIDKE_TRY(check_size(std::max(width, 200), height, "heat map"));

  std::ostringstream o;
  o << header(width, height, c.title);
  o << "<defs><pattern id=\"missing\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\">"
    << "<rect width=\"6\" height=\"6\" fill=\"#dddddd\"/><path d=\"M0,6 L6,0\" stroke=\"#999999\"/>"
    << "</pattern><linearGradient id=\"scale\" x1=\"0\" y1=\"1\" x2=\"0\" y2=\"0\">";
  for (int i = 0; i <= 10; ++i)
    o << "<stop offset=\"" << num(i / 10.0) << "\" stop-color=\""
      << colour_at(c.colour_map, i / 10.0) << "\"/>";
  o << "</linearGradient></defs>\n<g shape-rendering=\"crispEdges\">\n";
  const bool annotate = c.annotate && cell >= 28;
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t k = 0; k < cols; ++k) {
      const double v = c.values[r][k];
      const int x = left + cell * static_cast<int>(k), y = top + cell * static_cast<int>(r);
      o << "<rect x=\"" << x << "\" y=\"" << y << "\" width=\"" << cell << "\" height=\"" << cell
        << "\" fill=\""
        << (std::isnan(v) ? std::string("url(#missing)")
                          : colour_at(c.colour_map, (v - lo) / (hi - lo)))
        << "\"><title>"
        << escape_xml((c.row_labels.empty() ? std::to_string(r) : c.row_labels[r]) + " / " +
                      (c.column_labels.empty() ? std::to_string(k) : c.column_labels[k]) + ": " +
                      (std::isnan(v) ? std::string("missing") : num(v)))
        << "</title></rect>\n";
      if (annotate && !std::isnan(v)) {
        const double t = (v - lo) / (hi - lo);
        const bool dark = c.colour_map == ColourMap::viridis ? t < 0.6 : std::abs(t - 0.5) > 0.3;
        o << "<text x=\"" << x + cell / 2 << "\" y=\"" << y + cell / 2 + 4
          << "\" text-anchor=\"middle\" font-size=\"9\" fill=\"" << (dark ? "#ffffff" : "#000000")
          << "\">" << num3(v) << "</text>\n";
      }
    }
  o << "</g>\n<rect x=\"" << left << "\" y=\"" << top << "\" width=\"" << grid_w << "\" height=\""
    << grid_h << "\" fill=\"none\" stroke=\"#333333\"/>\n";
  // Labels: every label when they fit, else every n-th.
  const std::size_t row_step = std::max<std::size_t>(1, 12 / static_cast<std::size_t>(cell));
  o << "<g font-size=\"10\" fill=\"#333333\">\n";
  for (std::size_t r = 0; r < rows; r += row_step)
    o << "<text x=\"" << left - 4 << "\" y=\"" << top + cell * static_cast<int>(r) + cell / 2 + 3
      << "\" text-anchor=\"end\">"
      << escape_xml(c.row_labels.empty() ? std::to_string(r) : c.row_labels[r]) << "</text>\n";
  const std::size_t col_step = std::max<std::size_t>(1, 12 / static_cast<std::size_t>(cell));
  for (std::size_t k = 0; k < cols; k += col_step) {
    const int x = left + cell * static_cast<int>(k) + cell / 2 + 3;
    const int y = top + grid_h + 6;
    o << "<text transform=\"translate(" << x << ',' << y << ") rotate(-60)\" text-anchor=\"end\">"
      << escape_xml(c.column_labels.empty() ? std::to_string(k) : c.column_labels[k])
      << "</text>\n";
  }
  o << "</g>\n";
  if (!c.x_label.empty())
    o << "<text x=\"" << left + grid_w / 2 << "\" y=\"" << height - 8
      << "\" text-anchor=\"middle\">" << escape_xml(c.x_label) << "</text>\n";
  if (!c.y_label.empty())
    o << "<text transform=\"translate(16," << top + grid_h / 2
      << ") rotate(-90)\" text-anchor=\"middle\">" << escape_xml(c.y_label) << "</text>\n";
  // Colour scale.
  const int sx = left + grid_w + 24, sh = std::max(grid_h, 120);
  o << "<rect x=\"" << sx << "\" y=\"" << top << "\" width=\"16\" height=\"" << sh
    << "\" fill=\"url(#scale)\" stroke=\"#333333\"/>\n<g font-size=\"10\">\n";
  const Axis scale{lo, hi, static_cast<double>(top + sh), static_cast<double>(top)};
  for (double t : nice_ticks(lo, hi, 5))
    o << "<text x=\"" << sx + 20 << "\" y=\"" << px(scale(t) + 3) << "\">" << num(t) << "</text>\n";
  o << "</g>\n";
  if (!c.colour_label.empty())
    o << "<text x=\"" << sx << "\" y=\"" << top - 8 << "\" font-size=\"11\">"
      << escape_xml(c.colour_label) << "</text>\n";
  o << "</svg>\n";
  return o.str();
}

Result<std::string> render_line_chart(const LineChart& c) {
  GRIDKE_TRY(check_size(c.width_px, c.height_px, "line chart"));
  GRIDKE_TRY(check_range(c.y_min, c.y_max, "line chart y"));
  GRIDKE_TRY(check_reference_lines(c.reference_lines, "line chart"));
  if (c.series.empty() && c.bands.empty())
    return invalid_argument("line chart: no series and no bands");
  double x_lo = std::numeric_limits<double>::infinity(), x_hi = -x_lo, y_lo = x_lo, y_hi = -x_lo;
  auto widen_x = [&](double v) { x_lo = std::min(x_lo, v), x_hi = std::max(x_hi, v); };
  auto widen_y = [&](double v) { y_lo = std::min(y_lo, v), y_hi = std::max(y_hi, v); };
  std::vector<std::string> series_colours, band_colours;
  for (std::size_t i = 0; i < c.series.size(); ++i) {
    const auto& s = c.series[i];
    const std::string where = "line chart series[" + std::to_string(i) + "] \"" + s.name + "\"";
    if (s.x.empty()) return invalid_argument(where + ": no points");
    if (s.x.size() != s.y.size())
      return invalid_argument(where + ": " + std::to_string(s.x.size()) + " x values but " +
                              std::to_string(s.y.size()) + " y values");
    for (std::size_t k = 0; k < s.x.size(); ++k) {
      if (!std::isfinite(s.x[k]))
        return invalid_argument(where + ": x[" + std::to_string(k) + "] is not finite");
      if (std::isinf(s.y[k]))
        return invalid_argument(where + ": y[" + std::to_string(k) + "] is infinite");
      widen_x(s.x[k]);
      if (!std::isnan(s.y[k])) widen_y(s.y[k]);
    }
    GRIDKE_ASSIGN_OR_RETURN(auto colour, pick_colour(s.colour, i, where));
    series_colours.push_back(std::move(colour));
  }
  for (std::size_t i = 0; i < c.bands.size(); ++i) {
    const auto& b = c.bands[i];
    const std::string where = "line chart bands[" + std::to_string(i) + "] \"" + b.name + "\"";
    if (b.x.empty()) return invalid_argument(where + ": no points");
    if (b.lower.size() != b.x.size() || b.upper.size() != b.x.size())
      return invalid_argument(where + ": " + std::to_string(b.x.size()) + " x values but " +
                              std::to_string(b.lower.size()) + " lower and " +
                              std::to_string(b.upper.size()) + " upper values");
    if (!(b.opacity > 0.0 && b.opacity <= 1.0))
      return invalid_argument(where + ": opacity " + num(b.opacity) + " is outside (0, 1]");
    for (std::size_t k = 0; k < b.x.size(); ++k) {
      if (!std::isfinite(b.x[k]) || !std::isfinite(b.lower[k]) || !std::isfinite(b.upper[k]))
        return invalid_argument(where + ": point " + std::to_string(k) + " is not finite");
      widen_x(b.x[k]);
      widen_y(b.lower[k]);
      widen_y(b.upper[k]);
    }
    GRIDKE_ASSIGN_OR_RETURN(auto colour, pick_colour(b.colour, c.series.size() + i, where));
    band_colours.push_back(std::move(colour));
  }
  for (const auto& r : c.reference_lines) widen_y(r.y);
  if (!std::isfinite(y_lo)) y_lo = 0.0, y_hi = 1.0;  // every y missing
  auto [ylo, yhi] = padded(y_lo, y_hi);
  if (c.y_min) ylo = *c.y_min;
  if (c.y_max) yhi = *c.y_max;
  if (!(yhi > ylo))
    return invalid_argument("line chart y range is empty (" + num(ylo) + " … " + num(yhi) + ")");
  if (!(x_hi > x_lo)) x_lo -= 0.5, x_hi += 0.5;

  const double right = c.width_px - legend_width, bottom = c.height_px - margin_bottom;
  if (right - margin_left < 60 || bottom - margin_top < 60)
    return invalid_argument("line chart: size " + std::to_string(c.width_px) + "×" +
                            std::to_string(c.height_px) + " px leaves no room for the plot");
  const Axis x{x_lo, x_hi, static_cast<double>(margin_left), right};
  const Axis y{ylo, yhi, bottom, static_cast<double>(margin_top)};
  std::ostringstream o;
  o << header(c.width_px, c.height_px, c.title);
  o << "<defs><clipPath id=\"plot\"><rect x=\"" << px(x.p0) << "\" y=\"" << px(y.p1)
    << "\" width=\"" << px(x.p1 - x.p0) << "\" height=\"" << px(y.p0 - y.p1)
    << "\"/></clipPath></defs>\n";
  axes(o, x, y, c.x_label, c.y_label, c.x_ticks, true);
  o << "<g clip-path=\"url(#plot)\">\n";
  std::vector<LegendEntry> entries;
  for (std::size_t i = 0; i < c.bands.size(); ++i) {
    const auto& b = c.bands[i];
    o << "<path d=\"";
    for (std::size_t k = 0; k < b.x.size(); ++k)
      o << (k == 0 ? 'M' : 'L') << px(x(b.x[k])) << ',' << px(y(b.upper[k])) << ' ';
    for (std::size_t k = b.x.size(); k-- > 0;)
      o << 'L' << px(x(b.x[k])) << ',' << px(y(b.lower[k])) << ' ';
    o << "Z\" fill=\"" << band_colours[i] << "\" fill-opacity=\"" << num(b.opacity)
      << "\" stroke=\"none\"/>\n";
    entries.push_back({b.name, band_colours[i], LegendEntry::Kind::area});
  }
  for (std::size_t i = 0; i < c.series.size(); ++i) {
    const auto& s = c.series[i];
    std::ostringstream d;
    bool pen_down = false;
    for (std::size_t k = 0; k < s.x.size(); ++k) {
      if (std::isnan(s.y[k])) {
        pen_down = false;
        continue;
      }
      d << (pen_down ? 'L' : 'M') << px(x(s.x[k])) << ',' << px(y(s.y[k])) << ' ';
      pen_down = true;
    }
    o << "<path d=\"" << d.str() << "\" fill=\"none\" stroke=\"" << series_colours[i]
      << "\" stroke-width=\"1.8\" stroke-linejoin=\"round\""
      << (s.dashed ? " stroke-dasharray=\"6 3\"" : "") << "/>\n";
    if (s.markers)
      for (std::size_t k = 0; k < s.x.size(); ++k)
        if (!std::isnan(s.y[k]))
          o << "<circle cx=\"" << px(x(s.x[k])) << "\" cy=\"" << px(y(s.y[k]))
            << "\" r=\"2.5\" fill=\"" << series_colours[i] << "\"/>\n";
    entries.push_back({s.name, series_colours[i],
                       s.dashed ? LegendEntry::Kind::dashed : LegendEntry::Kind::line});
  }
  reference_lines(o, c.reference_lines, x, y);
  o << "</g>\n";
  legend(o, right + 16, margin_top + 8, entries);
  o << "</svg>\n";
  return o.str();
}

Result<std::string> render_bar_chart(const BarChart& c) {
  GRIDKE_TRY(check_size(c.width_px, c.height_px, "bar chart"));
  GRIDKE_TRY(check_range(c.y_min, c.y_max, "bar chart y"));
  GRIDKE_TRY(check_reference_lines(c.reference_lines, "bar chart"));
  const std::size_t n = c.categories.size();
  if (n == 0) return invalid_argument("bar chart: no categories");
  if (c.series.empty()) return invalid_argument("bar chart: no series");
  std::vector<std::string> colours;
  double lo = 0.0, hi = 0.0;  // bars start at zero
  std::vector<double> stack(n, 0.0);
  for (std::size_t i = 0; i < c.series.size(); ++i) {
    const auto& s = c.series[i];
    const std::string where = "bar chart series[" + std::to_string(i) + "] \"" + s.name + "\"";
    if (s.values.size() != n)
      return invalid_argument(where + ": " + std::to_string(s.values.size()) + " values for " +
                              std::to_string(n) + " categories");
    for (std::size_t k = 0; k < n; ++k) {
      const double v = s.values[k];
      if (std::isinf(v))
        return invalid_argument(where + ": values[" + std::to_string(k) + "] is infinite");
      if (std::isnan(v)) continue;
      if (c.stacked && v < 0)
        return invalid_argument(where + ": values[" + std::to_string(k) + "] = " + num(v) +
                                " is negative; stacked bars need values ≥ 0");
      if (c.stacked) {
        stack[k] += v;
        hi = std::max(hi, stack[k]);
      } else {
        lo = std::min(lo, v);
        hi = std::max(hi, v);
      }
    }
    GRIDKE_ASSIGN_OR_RETURN(auto colour, pick_colour(s.colour, i, where));
    colours.push_back(std::move(colour));
  }
  for (const auto& r : c.reference_lines) lo = std::min(lo, r.y), hi = std::max(hi, r.y);
  if (hi == lo) hi = lo + 1.0;
  const double margin = (hi - lo) * 0.05;
  double ylo = lo < 0 ? lo - margin : 0.0, yhi = hi + margin;
  if (c.y_min) ylo = *c.y_min;
  if (c.y_max) yhi = *c.y_max;
  if (!(yhi > ylo))
    return invalid_argument("bar chart y range is empty (" + num(ylo) + " … " + num(yhi) + ")");
  const double right = c.width_px - legend_width, bottom = c.height_px - margin_bottom - 20;
  if (right - margin_left < 60 || bottom - margin_top < 60)
    return invalid_argument("bar chart: size " + std::to_string(c.width_px) + "×" +
                            std::to_string(c.height_px) + " px leaves no room for the plot");
  const Axis y{ylo, yhi, bottom, static_cast<double>(margin_top)};
  const Axis x{0.0, static_cast<double>(n), static_cast<double>(margin_left), right};
  std::ostringstream o;
  o << header(c.width_px, c.height_px, c.title);
  axes(o, x, y, c.x_label, c.y_label, {}, false);
  const double slot = (right - margin_left) / static_cast<double>(n);
  const double group_w = slot * 0.8;
  const double bar_w = c.stacked ? group_w : group_w / static_cast<double>(c.series.size());
  auto clamp_y = [&](double v) { return std::clamp(v, ylo, yhi); };
  std::fill(stack.begin(), stack.end(), 0.0);
  std::vector<LegendEntry> entries;
  for (std::size_t i = 0; i < c.series.size(); ++i) {
    const auto& s = c.series[i];
    for (std::size_t k = 0; k < n; ++k) {
      const double v = s.values[k];
      if (std::isnan(v)) continue;
      const double base = c.stacked ? stack[k] : 0.0;
      const double top_v = base + v;
      if (c.stacked) stack[k] = top_v;
      const double x0 = margin_left + slot * static_cast<double>(k) + slot * 0.1 +
                        (c.stacked ? 0.0 : bar_w * static_cast<double>(i));
      const double y0 = y(clamp_y(std::max(base, top_v))), y1 = y(clamp_y(std::min(base, top_v)));
      o << "<rect x=\"" << px(x0) << "\" y=\"" << px(y0) << "\" width=\"" << px(bar_w)
        << "\" height=\"" << px(y1 - y0) << "\" fill=\"" << colours[i] << "\"><title>"
        << escape_xml(s.name + " / " + c.categories[k] + ": " + num(v)) << "</title></rect>\n";
    }
    entries.push_back({s.name, colours[i], LegendEntry::Kind::bar});
  }
  if (ylo < 0 && yhi > 0)
    o << "<line x1=\"" << px(x.p0) << "\" y1=\"" << px(y(0)) << "\" x2=\"" << px(x.p1) << "\" y2=\""
      << px(y(0)) << "\" stroke=\"#333333\"/>\n";
  const std::size_t step =
      std::max<std::size_t>(1, static_cast<std::size_t>(std::ceil(14.0 / slot)));
  o << "<g font-size=\"10\" fill=\"#333333\">\n";
  for (std::size_t k = 0; k < n; k += step) {
    const double cx = margin_left + slot * (static_cast<double>(k) + 0.5);
    o << "<text transform=\"translate(" << px(cx + 3) << ',' << px(bottom + 8)
      << ") rotate(-45)\" text-anchor=\"end\">" << escape_xml(c.categories[k]) << "</text>\n";
  }
  o << "</g>\n";
  reference_lines(o, c.reference_lines, x, y);
  legend(o, right + 16, margin_top + 8, entries);
  o << "</svg>\n";
  return o.str();
}

Result<void> write_file(const std::string& path, std::string_view svg) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (!f) return unavailable("cannot open " + path + " for writing");
  f.write(svg.data(), static_cast<std::streamsize>(svg.size()));
  f.close();
  if (!f) return unavailable("cannot write " + path);
  return {};
}

}  // namespace gridke::plot
