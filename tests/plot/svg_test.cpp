#include "gridke/plot/svg.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "gridke_matchers.hpp"

namespace gridke::plot {
namespace {

using ::gridke::testing_support::HasError;
using ::gridke::testing_support::IsOk;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

// True when every element is closed in order and no raw '<' or '&' appears in text: enough to
// show that the document is well-formed XML for the constructs the renderers emit.
bool well_formed(const std::string& svg, std::string* why) {
  std::vector<std::string> open;
  std::size_t i = 0;
  while (i < svg.size()) {
    if (svg[i] == '&') {
      const auto semi = svg.find(';', i);
      const std::string entity = svg.substr(i, semi == std::string::npos ? 8 : semi - i + 1);
      if (entity != "&amp;" && entity != "&lt;" && entity != "&gt;" && entity != "&quot;" &&
          entity != "&apos;") {
        *why = "bad entity " + entity + " at " + std::to_string(i);
        return false;
      }
      i = semi + 1;
      continue;
    }
    if (svg[i] != '<') {
      ++i;
      continue;
    }
    const auto end = svg.find('>', i);
    if (end == std::string::npos) {
      *why = "unterminated tag at " + std::to_string(i);
      return false;
    }
    std::string tag = svg.substr(i + 1, end - i - 1);
    i = end + 1;
    if (tag.starts_with("?")) continue;
    if (tag.find('<') != std::string::npos) {
      *why = "'<' inside tag " + tag;
      return false;
    }
    if (tag.starts_with("/")) {
      const std::string name = tag.substr(1);
      if (open.empty() || open.back() != name) {
        *why = "closing " + name + " but open is " + (open.empty() ? "nothing" : open.back());
        return false;
      }
      open.pop_back();
      continue;
    }
    if (tag.ends_with("/")) continue;
    open.push_back(tag.substr(0, tag.find_first_of(" \n")));
  }
  if (!open.empty()) {
    *why = "unclosed " + open.back();
    return false;
  }
  return true;
}

std::size_t count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto p = text.find(needle); p != std::string::npos; p = text.find(needle, p + 1)) ++n;
  return n;
}

TEST(EscapeXml, ReplacesMarkupCharactersAndDropsControlCharacters) {
  EXPECT_EQ(escape_xml("a<b & \"c\" 'd'>\x01\n"), "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;\n");
  EXPECT_EQ(escape_xml("230 V ±10 %"), "230 V ±10 %");
}

TEST(ColourAt, InterpolatesAndClamps) {
  EXPECT_EQ(colour_at(ColourMap::viridis, 0.0), "#440154");
  EXPECT_EQ(colour_at(ColourMap::viridis, 1.0), "#fde725");
  EXPECT_EQ(colour_at(ColourMap::viridis, 7.0), "#fde725");
  EXPECT_EQ(colour_at(ColourMap::diverging, 0.5), "#f7f7f7");
  EXPECT_EQ(colour_at(ColourMap::diverging, -1.0), "#2166ac");
}

TEST(NiceTicks, UsesRoundStepsCoveringTheRange) {
  EXPECT_THAT(nice_ticks(0.0, 10.0, 5), ::testing::ElementsAre(0, 2, 4, 6, 8, 10));
  const auto t = nice_ticks(0.93, 1.07, 6);
  ASSERT_GE(t.size(), 3u);
  EXPECT_NEAR(t[1] - t[0], 0.025, 1e-12);
  EXPECT_GE(t.front(), 0.93);
  EXPECT_LE(t.back(), 1.07);
}

TEST(RenderHeatMap, DrawsEveryCellWithTooltipsScaleAndEscapedLabels) {
  HeatMap h;
  h.title = "dV/dP <meters> & \"phases\"";
  h.row_labels = {"m1", "m2"};
  h.column_labels = {"a", "b", "c"};
  h.values = {{1.0, 2.0, 3.0}, {-1.0, nan, 0.5}};
  h.colour_map = ColourMap::diverging;
  h.colour_label = "V/kW";
  h.annotate = true;
  auto svg = render_heat_map(h);
  ASSERT_THAT(svg, IsOk());
  std::string why;
  EXPECT_TRUE(well_formed(*svg, &why)) << why;
  EXPECT_THAT(*svg, HasSubstr("dV/dP &lt;meters&gt; &amp; &quot;phases&quot;"));
  EXPECT_EQ(count(*svg, "<title>m"), 6u);
  EXPECT_THAT(*svg, HasSubstr("m2 / b: missing"));
  EXPECT_THAT(*svg, HasSubstr("url(#missing)"));
  EXPECT_THAT(*svg, HasSubstr("url(#scale)"));
  // Diverging and unbounded: symmetric range ±3, so +3 is the top colour and −1 is light blue.
  EXPECT_THAT(*svg, HasSubstr("fill=\"" + colour_at(ColourMap::diverging, 1.0) + "\""));
  EXPECT_THAT(*svg, HasSubstr("fill=\"" + colour_at(ColourMap::diverging, 2.0 / 6.0) + "\""));
}

TEST(RenderHeatMap, RejectsRaggedRowsAndWrongLabelCounts) {
  HeatMap h;
  EXPECT_THAT(render_heat_map(h), HasError(ErrorCode::invalid_argument, HasSubstr("no rows")));
  h.values = {{1.0, 2.0}, {3.0}};
  EXPECT_THAT(render_heat_map(h), HasError(ErrorCode::invalid_argument,
                                           HasSubstr("values[1]: 1 columns, row 0 has 2")));
  h.values = {{1.0, 2.0}, {3.0, 4.0}};
  h.row_labels = {"only one"};
  EXPECT_THAT(render_heat_map(h),
              HasError(ErrorCode::invalid_argument, HasSubstr("row_labels: 1 labels for 2 rows")));
  h.row_labels.clear();
  h.min = 2.0;
  h.max = 1.0;
  EXPECT_THAT(render_heat_map(h),
              HasError(ErrorCode::invalid_argument, HasSubstr("min 2 must be below max 1")));
  h.min.reset();
  h.max.reset();
  h.values[0][1] = std::numeric_limits<double>::infinity();
  EXPECT_THAT(render_heat_map(h),
              HasError(ErrorCode::invalid_argument, HasSubstr("values[0][1] is infinite")));
}

TEST(RenderHeatMap, HandlesLargeMatrices) {
  HeatMap h;
  h.values.assign(150, std::vector<double>(150, 0.0));
  for (int r = 0; r < 150; ++r)
    for (int c = 0; c < 150; ++c) h.values[r][c] = std::exp(-std::abs(r - c) / 10.0);
  auto svg = render_heat_map(h);
  ASSERT_THAT(svg, IsOk());
  std::string why;
  EXPECT_TRUE(well_formed(*svg, &why)) << why;
  EXPECT_EQ(count(*svg, "<rect x="), 150u * 150u + 3u);  // cells, background... frame, scale
}

TEST(RenderLineChart, DrawsSeriesBandsReferenceLinesAndLegend) {
  LineChart c;
  c.title = "Voltage of meter \"A&B\"";
  c.x_label = "hour";
  c.y_label = "V";
  c.series.push_back({"average", {0, 1, 2, 3}, {229, 231, nan, 240}, "", false, true});
  c.series.push_back({"worst", {0, 1, 2, 3}, {220, 225, 230, 250}, "#123", true, false});
  c.bands.push_back({"p5–p95", {0, 1, 2, 3}, {225, 226, 227, 228}, {232, 233, 234, 252}, "", 0.3});
  c.reference_lines.push_back({"253 V limit", 253.0});
  c.x_ticks = {{0, "00:00"}, {3, "03:00"}};
  auto svg = render_line_chart(c);
  ASSERT_THAT(svg, IsOk());
  std::string why;
  EXPECT_TRUE(well_formed(*svg, &why)) << why;
  EXPECT_THAT(*svg, HasSubstr("Voltage of meter &quot;A&amp;B&quot;"));
  EXPECT_THAT(*svg, HasSubstr("253 V limit"));
  EXPECT_THAT(*svg, HasSubstr("03:00"));
  EXPECT_THAT(*svg, HasSubstr("stroke=\"#123\""));
  EXPECT_THAT(*svg, HasSubstr("stroke-dasharray=\"6 3\""));
  EXPECT_THAT(*svg, HasSubstr("fill-opacity=\"0.3\""));
  EXPECT_EQ(count(*svg, "<circle"), 3u);  // markers skip the NaN point
  // The NaN breaks the "average" line into two sub-paths: two M commands.
  const auto first_path = svg->find("<path d=\"M", svg->find("fill-opacity"));
  const auto path_end = svg->find('"', first_path + 9);
  EXPECT_EQ(count(svg->substr(first_path, path_end - first_path), "M"), 2u);
}

TEST(RenderLineChart, RejectsMismatchedAndNonFiniteData) {
  LineChart c;
  EXPECT_THAT(render_line_chart(c),
              HasError(ErrorCode::invalid_argument, HasSubstr("no series and no bands")));
  c.series.push_back({"s", {0, 1}, {1}, "", false, false});
  EXPECT_THAT(render_line_chart(c), HasError(ErrorCode::invalid_argument,
                                             HasSubstr("series[0] \"s\": 2 x values but 1 y")));
  c.series[0].y = {1, 2};
  c.series[0].x[1] = nan;
  EXPECT_THAT(render_line_chart(c),
              HasError(ErrorCode::invalid_argument, HasSubstr("x[1] is not finite")));
  c.series[0].x[1] = 1;
  c.series[0].colour = "red\"/><script>";
  EXPECT_THAT(render_line_chart(c),
              HasError(ErrorCode::invalid_argument, HasSubstr("is not \"#rgb\"")));
  c.series[0].colour.clear();
  c.bands.push_back({"b", {0, 1}, {0, 1}, {1}, "", 0.2});
  EXPECT_THAT(render_line_chart(c),
              HasError(ErrorCode::invalid_argument, HasSubstr("bands[0] \"b\": 2 x values")));
  c.bands.clear();
  c.width_px = 10;
  EXPECT_THAT(render_line_chart(c),
              HasError(ErrorCode::invalid_argument, HasSubstr("size 10×450 px")));
}

TEST(RenderBarChart, DrawsGroupedAndStackedBars) {
  BarChart c;
  c.title = "Problems per period";
  c.categories = {"00:00", "00:30", "01:00"};
  c.series.push_back({"under-voltage", {0.1, 0.0, 0.3}, ""});
  c.series.push_back({"over-voltage", {0.0, 0.2, nan}, "#ff0000"});
  c.reference_lines.push_back({"5 %", 0.05});
  auto svg = render_bar_chart(c);
  ASSERT_THAT(svg, IsOk());
  std::string why;
  EXPECT_TRUE(well_formed(*svg, &why)) << why;
  EXPECT_EQ(count(*svg, "<title>under-voltage"), 3u);
  EXPECT_EQ(count(*svg, "<title>over-voltage"), 2u);
  EXPECT_THAT(*svg, HasSubstr("fill=\"#ff0000\""));
  c.stacked = true;
  svg = render_bar_chart(c);
  ASSERT_THAT(svg, IsOk());
  EXPECT_TRUE(well_formed(*svg, &why)) << why;
}

TEST(RenderBarChart, RejectsBadInput) {
  BarChart c;
  EXPECT_THAT(render_bar_chart(c),
              HasError(ErrorCode::invalid_argument, HasSubstr("no categories")));
  c.categories = {"a", "b"};
  EXPECT_THAT(render_bar_chart(c), HasError(ErrorCode::invalid_argument, HasSubstr("no series")));
  c.series.push_back({"s", {1.0}, ""});
  EXPECT_THAT(render_bar_chart(c),
              HasError(ErrorCode::invalid_argument,
                       HasSubstr("series[0] \"s\": 1 values for 2 categories")));
  c.series[0].values = {1.0, -2.0};
  c.stacked = true;
  EXPECT_THAT(render_bar_chart(c),
              HasError(ErrorCode::invalid_argument, HasSubstr("values[1] = -2 is negative")));
  c.stacked = false;
  EXPECT_THAT(render_bar_chart(c), IsOk());
}

TEST(WriteFile, WritesAndReportsUnwritablePaths) {
  const auto path = std::filesystem::temp_directory_path() / "gridke_plot_test.svg";
  ASSERT_THAT(write_file(path.string(), "<svg/>"), IsOk());
  std::ifstream f(path);
  std::stringstream s;
  s << f.rdbuf();
  EXPECT_EQ(s.str(), "<svg/>");
  std::filesystem::remove(path);
  EXPECT_THAT(write_file("/nonexistent-dir/x.svg", "<svg/>"),
              HasError(ErrorCode::unavailable, HasSubstr("/nonexistent-dir/x.svg")));
}

}  // namespace
}  // namespace gridke::plot
