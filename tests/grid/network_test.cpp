#include "gridke/services/grid/model/network.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

#include "gridke_matchers.hpp"

namespace gridke::services::grid {
namespace {

using ::testing::HasSubstr;

TEST(PhaseSet, ParsesLettersAndOpenDssNodes) {
  EXPECT_EQ(PhaseSet::parse("ABC")->mask, 7);
  EXPECT_EQ(PhaseSet::parse("b")->mask, 2);
  EXPECT_EQ(PhaseSet::parse("1.3")->mask, 5);
  EXPECT_EQ(PhaseSet::parse("CA")->to_string(), "AC");
  EXPECT_FALSE(PhaseSet::parse("AD").has_value());
  EXPECT_FALSE(PhaseSet::parse("AA").has_value());
  EXPECT_FALSE(PhaseSet::parse("").has_value());
}

TEST(LineCode, ExpandsSequenceValuesToPhaseMatrix) {
  LineCode lc;
  lc.r1_ohm_per_km = 0.446;
  lc.x1_ohm_per_km = 0.071;
  lc.r0_ohm_per_km = 1.505;
  lc.x0_ohm_per_km = 0.083;
  const auto z = lc.phase_impedance_ohm_per_km();
  // Self (Z0 + 2 Z1) / 3, mutual (Z0 - Z1) / 3 (Kersting §4.5).
  EXPECT_NEAR(z[0].real(), (1.505 + 2 * 0.446) / 3, 1e-15);
  EXPECT_NEAR(z[4].imag(), (0.083 + 2 * 0.071) / 3, 1e-15);
  EXPECT_NEAR(z[1].real(), (1.505 - 0.446) / 3, 1e-15);
  EXPECT_NEAR(z[5].imag(), (0.083 - 0.071) / 3, 1e-15);
  EXPECT_EQ(z[3], z[1]);
}

TEST(Source, ComputesOpenDssVsourceImpedanceFromShortCircuitCurrents) {
  auto s = Source::from_short_circuit("SourceBus", 11, 1.05, 3000, 5);
  ASSERT_THAT(s, IsOk());
  // |Z1| = kV^2 / (sqrt(3) kV Isc3 / 1000) = 11 / (sqrt(3) 3) Ohm, X1/R1 = 4.
  const double z1 = 11.0 / (std::sqrt(3.0) * 3.0);
  EXPECT_NEAR(std::hypot(s->r1_ohm, s->x1_ohm), z1, 1e-12);
  EXPECT_NEAR(s->x1_ohm / s->r1_ohm, 4.0, 1e-12);
  // |2 Z1 + Z0| = 3 V_LN / Isc1.
  const double v_ln = 11000 / std::sqrt(3.0);
  EXPECT_NEAR(std::hypot(2 * s->r1_ohm + s->r0_ohm, 2 * s->x1_ohm + s->x0_ohm), 3 * v_ln / 5, 1e-6);
  EXPECT_NEAR(s->x0_ohm / s->r0_ohm, 3.0, 1e-12);
}

TEST(Source, RejectsNonPositiveShortCircuitCurrent) {
  EXPECT_THAT(Source::from_short_circuit("S", 11, 1, 0, 5),
              HasError(ErrorCode::invalid_argument, HasSubstr("ISC3 = 0")));
  EXPECT_THAT(Source::from_short_circuit("S", 11, 1, 3000, 1e9),
              HasError(ErrorCode::invalid_argument, HasSubstr("ISC1")));
}

TEST(LoadShape, IndexesMinutesFromOneAndWraps) {
  LoadShape s;
  s.multipliers = {1, 2, 3};
  EXPECT_EQ(s.at_minute(1), 1);
  EXPECT_EQ(s.at_minute(3), 3);
  EXPECT_EQ(s.at_minute(4), 1);
  s.interval_minutes = 15;
  EXPECT_EQ(s.at_minute(15), 1);
  EXPECT_EQ(s.at_minute(16), 2);
}

Network tiny() {
  Network n;
  n.source.bus = "S";
  n.source.kv = 0.4;
  n.buses = {{"S", {}, {}}, {"B", {}, {}}};
  LineCode lc;
  lc.id = "c";
  lc.r1_ohm_per_km = lc.r0_ohm_per_km = 0.2;
  n.line_codes = {lc};
  n.lines = {{"L", "S", "B", PhaseSet::abc(), 0.1, "c"}};
  Load l;
  l.id = "P";
  l.bus = "B";
  l.phases = *PhaseSet::parse("A");
  l.kv = 0.23;
  l.kw = 1;
  n.loads = {l};
  return n;
}

TEST(Network, ValidatesReferences) {
  EXPECT_THAT(tiny().validate(), IsOk());
  Network n = tiny();
  n.lines[0].line_code = "nope";
  EXPECT_THAT(n.validate(), HasError(ErrorCode::invalid_argument,
                                     HasSubstr("line 'L': unknown line code 'nope'")));
  n = tiny();
  n.lines[0].to_bus = "X";
  EXPECT_THAT(n.validate(), HasError(ErrorCode::invalid_argument,
                                     HasSubstr("to bus 'X' is not a bus of the network")));
  n = tiny();
  n.buses.push_back({"B", {}, {}});
  EXPECT_THAT(n.validate(),
              HasError(ErrorCode::invalid_argument, HasSubstr("duplicate bus id 'B'")));
  n = tiny();
  n.loads[0].shape = "missing";
  EXPECT_THAT(n.validate(), HasError(ErrorCode::invalid_argument,
                                     HasSubstr("load 'P': unknown load shape 'missing'")));
  n = tiny();
  n.loads[0].phases = *PhaseSet::parse("AB");
  EXPECT_THAT(n.validate(), HasError(ErrorCode::invalid_argument, HasSubstr("1 or 3 phases")));
  n = tiny();
  n.lines[0].length_km = 0;
  EXPECT_THAT(n.validate(),
              HasError(ErrorCode::invalid_argument, HasSubstr("length must be positive")));
}

TEST(Network, ScalesLoadsByTheirShapes) {
  Network n = tiny();
  n.loads[0].kvar = 0.5;
  n.load_shapes = {{"s", 1.0, true, {2.0, 4.0}}};
  n.loads[0].shape = "s";
  auto p = n.load_powers_at_minute(2);
  EXPECT_DOUBLE_EQ(p[0].kw, 4.0);    // use_actual: the multiplier is kW
  EXPECT_DOUBLE_EQ(p[0].kvar, 2.0);  // kvar keeps the load's kvar/kW ratio
  n.load_shapes[0].use_actual = false;
  n.loads[0].kw = 3;
  p = n.load_powers_at_minute(1);
  EXPECT_DOUBLE_EQ(p[0].kw, 6.0);
  EXPECT_DOUBLE_EQ(p[0].kvar, 1.0);
}

}  // namespace
}  // namespace gridke::services::grid
