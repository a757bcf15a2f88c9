// Tests for charts.hpp: the data prepared for D4.3 figures 23–26 and the rendered SVG.

#include "gridke/services/flexibility_response/charts.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

#include "gridke_matchers.hpp"
#include "test_datasets.hpp"

namespace gridke::services::flexibility_response {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

const FlexibilityResult& result() {
  static const FlexibilityResult r = [] {
    auto analysed = analyse(testing::small_dataset(4, 90), {});
    EXPECT_THAT(analysed, IsOk());
    return analysed.has_value() ? *analysed : FlexibilityResult{};
  }();
  return r;
}

TEST(Charts, ExpectedPowerHasTheBaselineAndOneLineAndBandPerLevel) {
  const auto chart = expected_power_chart(result(), "user2");
  ASSERT_THAT(chart, IsOk());
  ASSERT_EQ(chart->series.size(), 1 + result().levels.size());
  EXPECT_EQ(chart->series[0].name, "baseline (no signal)");
  EXPECT_EQ(chart->series[0].y.size(), 24u);
  EXPECT_THAT(chart->series[2].name, StartsWith("i2 (0.672 GBP/kWh"));
  // The high price (i2) is only signalled 16:00–21:00: a gap at noon, a value at 18:00.
  EXPECT_TRUE(std::isnan(chart->series[2].y[12]));
  const auto& slot = result().customers[2].slots[18];
  EXPECT_DOUBLE_EQ(chart->series[2].y[18], slot.levels[1].power_kw.mean);
  ASSERT_EQ(chart->bands.size(), 1 + result().levels.size());
  EXPECT_EQ(chart->bands[0].x.size(), 24u);
  EXPECT_LT(chart->bands[2].x.size(), 24u);
}

TEST(Charts, FlexibilityIsTheDifferenceToTheBaseline) {
  const auto chart = flexibility_chart(result(), "user0");
  ASSERT_THAT(chart, IsOk());
  ASSERT_EQ(chart->series.size(), result().levels.size());
  const auto& slot = result().customers[0].slots[19];
  EXPECT_DOUBLE_EQ(chart->series[1].y[19], slot.levels[1].flexibility_kw);
  ASSERT_EQ(chart->reference_lines.size(), 1u);
  EXPECT_DOUBLE_EQ(chart->reference_lines[0].y, 0.0);
}

TEST(Charts, RankingHeatMapOrdersCustomersByMeanRanking) {
  const auto chart = ranking_heat_map(result(), 1, 3);
  ASSERT_THAT(chart, IsOk());
  ASSERT_EQ(chart->values.size(), 3u);  // capped at max_customers
  EXPECT_EQ(chart->column_labels.front(), "00:00");
  EXPECT_EQ(chart->column_labels.size(), 24u);
  const auto mean = [](const std::vector<double>& row) {
    double sum = 0.0;
    int n = 0;
    for (double v : row) {
      if (!std::isnan(v)) {
        sum += v;
        ++n;
      }
    }
    return n ? sum / n : -1.0;
  };
  EXPECT_GE(mean(chart->values[0]), mean(chart->values[1]));
  EXPECT_GE(mean(chart->values[1]), mean(chart->values[2]));
  // Customers 0 and 2 carry the planted response to the high price.
  EXPECT_TRUE(chart->row_labels[0] == "user0" || chart->row_labels[0] == "user2");
  EXPECT_DOUBLE_EQ(*chart->min, 0.0);
  EXPECT_DOUBLE_EQ(*chart->max, 100.0);
}

TEST(Charts, ReliabilityIsAPercentPerHourAndLevel) {
  const auto chart = reliability_chart(result(), "user0");
  ASSERT_THAT(chart, IsOk());
  ASSERT_EQ(chart->categories.size(), 24u);
  ASSERT_EQ(chart->series.size(), result().levels.size());
  const double r = chart->series[1].values[18];
  EXPECT_DOUBLE_EQ(r, 100.0 * result().customers[0].slots[18].levels[1].reliability);
  EXPECT_GT(r, 95.0);  // the planted reduction is certain
}

TEST(Charts, NamesAnUnknownCustomerOrLevel) {
  EXPECT_THAT(expected_power_chart(result(), "nobody"),
              HasError(ErrorCode::not_found, HasSubstr("customer 'nobody' is not in the result")));
  EXPECT_THAT(ranking_heat_map(result(), 7),
              HasError(ErrorCode::invalid_argument, HasSubstr("level: 8 is out of range")));
  EXPECT_THAT(parse_chart_kind("pie"),
              HasError(ErrorCode::invalid_argument, HasSubstr("unknown chart 'pie'")));
  EXPECT_THAT(reliability_chart(FlexibilityResult{}, ""),
              HasError(ErrorCode::invalid_argument, HasSubstr("no customers")));
}

TEST(Charts, RendersEveryKindAsSvg) {
  for (ChartKind kind : {ChartKind::expected_power, ChartKind::flexibility, ChartKind::ranking,
                         ChartKind::reliability}) {
    const auto svg = render_chart(result(), kind, "", 1);
    ASSERT_THAT(svg, IsOk()) << to_string(kind);
    EXPECT_THAT(*svg, HasSubstr("<svg")) << to_string(kind);
    EXPECT_THAT(*svg, HasSubstr("user")) << to_string(kind);
  }
}

}  // namespace
}  // namespace gridke::services::flexibility_response
