// The real pilot patterns of NOTES §6 (tests/data/ontology/pilot, SOURCES.md): every defect NOTES
// names in them is reported.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "gridke/ontology/validator.hpp"
#include "gridke_matchers.hpp"

namespace gridke::ontology {
namespace {

using ::testing::HasSubstr;

class PilotPatternsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    setenv("GRIDKE_ONTOLOGY_DIR", GRIDKE_SOURCE_DIR "/ontologies", 1);
    auto o = load_builtin_ontology();
    ASSERT_THAT(o, IsOk());
    onto_ = new Ontology(std::move(o).value());
  }
  static void TearDownTestSuite() {
    delete onto_;
    onto_ = nullptr;
  }
  static Report run(const std::string& name) {
    auto r = validate(*onto_, {std::string(GRIDKE_TEST_DATA_DIR) + "/ontology/pilot/" + name});
    EXPECT_THAT(r, IsOk());
    return r.has_value() ? *r : Report{};
  }
  // Findings of `check` whose message contains `text`.
  static int count(const Report& r, const std::string& check, const std::string& text) {
    return static_cast<int>(
        std::count_if(r.findings.begin(), r.findings.end(), [&](const Finding& f) {
          return f.check == check && f.message.find(text) != std::string::npos;
        }));
  }
  static Ontology* onto_;
};
Ontology* PilotPatternsTest::onto_ = nullptr;

TEST_F(PilotPatternsTest, OpenSsaMeterTypesLiterals) {
  auto r = run("openssa-meter.gp");
  EXPECT_EQ(count(r, "literal-subject", "?value"), 1) << format_text(r, true);
  EXPECT_EQ(count(r, "literal-subject", "?timestamp"), 1);
  EXPECT_EQ(count(r, "term-kind", "xsd:float is a datatype"), 1);
  EXPECT_TRUE(r.has_errors());
}

TEST_F(PilotPatternsTest, OpenSsaStimulusTypesWithAUnit) {
  auto r = run("openssa-stimulus.gp");
  EXPECT_EQ(count(r, "term-kind", "om:percent is a unit individual, not a class"), 1)
      << format_text(r, true);
  EXPECT_EQ(count(r, "literal-subject", "?timestamp"), 1);
  EXPECT_EQ(count(r, "unchecked-namespace", "interconnect/datapoint#"), 1);
}

TEST_F(PilotPatternsTest, OpenSsaRecommenderHasBrokenSarefPrefixAndLowerCaseTime) {
  auto r = run("openssa-recommender.gp");
  EXPECT_EQ(count(r, "near-miss-namespace", "corehasTime"), 1) << format_text(r, true);
  EXPECT_EQ(count(r, "unknown-term", "time:instant"), 2);  // used twice
  EXPECT_EQ(count(r, "unknown-term", "time:interval"), 1);
  const auto fix = std::find_if(r.findings.begin(), r.findings.end(), [](const Finding& f) {
    return f.message.find("time:instant") != std::string::npos;
  });
  ASSERT_NE(fix, r.findings.end());
  EXPECT_THAT(fix->fix, HasSubstr("did you mean time:Instant?"));
}

TEST_F(PilotPatternsTest, TnoRestExampleUsesAUnitClass) {
  auto r = run("tno-rest-temperature.gp");
  EXPECT_EQ(count(r, "unit-individual", "saref:TemperatureUnit"), 1) << format_text(r, true);
}

TEST_F(PilotPatternsTest, EvLoaderUsesDataInsteadOfDatapoint) {
  auto r = run("ev-loader-incentive.gp");
  EXPECT_EQ(count(r, "near-miss-namespace", "interconnect/datapoint#"), 1) << format_text(r, true);
}

TEST_F(PilotPatternsTest, PowerGatewayUsesPowerLimitMissingFromSaref) {
  auto r = run("tno-power-gateway-limit.gp");
  EXPECT_EQ(count(r, "unknown-term", "saref:PowerLimit"), 1) << format_text(r, true);
  EXPECT_EQ(count(r, "unchecked-namespace", "http://ontology.tno.nl/Interconnect#"), 1);
}

TEST_F(PilotPatternsTest, PilotGpUsesPilotPlaceholderVocabulary) {
  auto r = run("tno-pilot.gp");
  EXPECT_EQ(count(r, "unchecked-namespace", "https://www.example.org/interconnect/"), 1)
      << format_text(r, true);
  EXPECT_FALSE(r.has_errors());
}

TEST_F(PilotPatternsTest, InterConnectFaqPatternOnlyGetsNotes) {
  auto r = run("interconnect-faq-measurement.gp");
  EXPECT_EQ(r.count(Severity::error), 0) << format_text(r, true);
  EXPECT_EQ(r.count(Severity::warning), 0) << format_text(r, true);
  EXPECT_GT(r.count(Severity::note), 0);
}

}  // namespace
}  // namespace gridke::ontology
