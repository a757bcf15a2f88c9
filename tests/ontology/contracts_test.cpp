// The repository's KI contracts (graph-patterns/) validate clean and pair up, and the contract
// checks (example bindings, pairing, duplicate names) have good and bad cases.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iterator>

#include "gridke/adapter/contract.hpp"
#include "gridke/ontology/validator.hpp"
#include "gridke_matchers.hpp"

namespace gridke::ontology {
namespace {

using ::testing::HasSubstr;

const char* const service_folders[] = {
    "fault_location",       "sensitivities", "flexibility_market",
    "flexibility_response", "tariffs",       "metering"};

class ContractsTest : public ::testing::Test {
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
  static std::vector<std::filesystem::path> folders() {
    std::vector<std::filesystem::path> out;
    for (const char* f : service_folders)
      out.emplace_back(std::string(GRIDKE_SOURCE_DIR "/graph-patterns/") + f);
    return out;
  }
  static Ontology* onto_;
};
Ontology* ContractsTest::onto_ = nullptr;

TEST_F(ContractsTest, RepositoryContractsValidateClean) {
  for (int level : {1, 2}) {
    ValidateOptions o;
    o.level = level;
    auto r = validate(*onto_, folders(), o);
    ASSERT_THAT(r, IsOk());
    // (a)–(m) incl. the ASK/ANSWER pairs of (i) and (j), the load-forecast fetch of (i), the
    // per-connection power limits of (k) and the open flexibility data of (m).
    EXPECT_EQ(r->contracts, 46);
    EXPECT_EQ(r->count(Severity::error), 0) << format_text(*r, false);
    EXPECT_EQ(r->count(Severity::warning), 0) << format_text(*r, false);
    for (const auto& p : r->pairings) {
      EXPECT_EQ(p.matches.size(), 1u) << p.ki.kind << " " << p.ki.name << " at level " << level;
    }
  }
}

TEST_F(ContractsTest, EveryExchangeHasBothSides) {
  auto r = validate(*onto_, folders());
  ASSERT_THAT(r, IsOk());
  for (const auto& p : r->pairings) {
    ASSERT_EQ(p.matches.size(), 1u) << p.ki.name;
    const bool ask = p.ki.kind == "ASK" && p.matches[0].kind == "ANSWER";
    const bool answer = p.ki.kind == "ANSWER" && p.matches[0].kind == "ASK";
    const bool post = p.ki.kind == "POST" && p.matches[0].kind == "REACT";
    const bool react = p.ki.kind == "REACT" && p.matches[0].kind == "POST";
    EXPECT_TRUE(ask || answer || post || react) << p.ki.name;
  }
}

std::string voltage_post(const std::string& unit, const std::string& example_voltage) {
  return R"(@prefix kb: <https://w3id.org/knowledge-engine/> .
@prefix gkc: <https://w3id.org/gridke/contract#> .
@prefix saref: <https://saref.etsi.org/core/> .
@prefix s4grid: <https://saref.etsi.org/saref4grid/> .
@prefix om: <http://www.ontology-of-units-of-measure.org/resource/om-2/> .
@prefix dso: <https://w3id.org/gridke/dso#> .
<> a kb:PostKnowledgeInteraction ;
   gkc:name "post-voltage-variant" ;
   kb:hasGraphPattern [ a kb:ArgumentGraphPattern ; kb:hasPattern """
    ?hems a saref:Device ;
          dso:hasHemsId ?hemsId ;
          saref:makesMeasurement ?m .
    ?m a saref:Measurement ;
       saref:relatesToProperty s4grid:Voltage ;
       saref:isMeasuredIn )" +
         unit + R"( ;
       saref:hasValue ?voltage ;
       saref:hasTimestamp ?timestamp ;
       dso:hasPhase ?phase .
""" ] ;
   gkc:exampleBindings """[{"hems": "<https://dso.example.org/hems/1>", "hemsId": "\\"1\\"",
     "m": "<https://dso.example.org/m/1>", "voltage": ")" +
         example_voltage + R"(",
     "timestamp": "\\"2026-11-27T10:00:00Z\\"^^<http://www.w3.org/2001/XMLSchema#dateTime>",
     "phase": "<https://w3id.org/gridke/dso#PhaseL1>"}]""" .
)";
}

std::vector<adapter::Contract> with_react(const std::string& post_text) {
  std::vector<adapter::Contract> out;
  auto post = adapter::parse_contract(post_text, "post-voltage-variant.ttl");
  EXPECT_THAT(post, IsOk());
  if (post.has_value()) out.push_back(*post);
  auto react = adapter::load_contract(GRIDKE_SOURCE_DIR
                                      "/graph-patterns/fault_location/react-hems-voltage.ttl");
  EXPECT_THAT(react, IsOk());
  if (react.has_value()) out.push_back(*react);
  return out;
}

TEST_F(ContractsTest, PairsAVariantWithTheRepositoryReact) {
  auto r = validate_contracts(*onto_, with_react(voltage_post("om:volt", "229.5")));
  EXPECT_EQ(r.count(Severity::error), 0) << format_text(r, true);
  ASSERT_EQ(r.pairings.size(), 2u);
  ASSERT_EQ(r.pairings[0].matches.size(), 1u);
  EXPECT_EQ(r.pairings[0].matches[0].name, "react-hems-voltage");
}

TEST_F(ContractsTest, ReportsNearestCandidateForAnUnmatchedPost) {
  auto r = validate_contracts(*onto_, with_react(voltage_post("om:kilovolt", "0.2295")));
  ASSERT_EQ(r.pairings.size(), 2u);
  const Pairing& post = r.pairings[0];
  EXPECT_TRUE(post.matches.empty());
  ASSERT_EQ(post.nearest.size(), 1u);
  EXPECT_EQ(post.nearest[0].candidate.name, "react-hems-voltage");
  EXPECT_EQ(post.nearest[0].covered, 8);
  EXPECT_EQ(post.nearest[0].total, 9);
  ASSERT_EQ(post.nearest[0].only_in_ki.size(), 1u);
  EXPECT_THAT(post.nearest[0].only_in_ki[0], HasSubstr("om-2/kilovolt"));
  ASSERT_EQ(post.nearest[0].only_in_candidate.size(), 1u);
  EXPECT_THAT(post.nearest[0].only_in_candidate[0], HasSubstr("om-2/volt"));
  auto pairing = std::find_if(r.findings.begin(), r.findings.end(), [](const Finding& f) {
    return f.check == "pairing" && f.file == "post-voltage-variant.ttl";
  });
  ASSERT_NE(pairing, r.findings.end());
  EXPECT_EQ(pairing->severity, Severity::warning);
  EXPECT_THAT(pairing->message,
              HasSubstr("nearest is 'react-hems-voltage' (8 of 9 triples covered)"));
}

TEST_F(ContractsTest, ReportsIllTypedExampleBindings) {
  auto r = validate_contracts(
      *onto_, with_react(voltage_post(
                  "om:volt", R"(\\"high\\"^^<http://www.w3.org/2001/XMLSchema#decimal>)")));
  auto f = std::find_if(r.findings.begin(), r.findings.end(),
                        [](const Finding& x) { return x.check == "example-binding"; });
  ASSERT_NE(f, r.findings.end()) << format_text(r, true);
  EXPECT_EQ(f->severity, Severity::error);
  EXPECT_THAT(f->message, HasSubstr("?voltage"));
}

TEST_F(ContractsTest, ReportsLiteralWhereTheExampleNeedsAnIri) {
  auto text = voltage_post("om:volt", "229.5");
  const std::string from = R"("phase": "<https://w3id.org/gridke/dso#PhaseL1>")";
  text.replace(text.find(from), from.size(), R"("phase": "\\"L1\\"")");
  auto r = validate_contracts(*onto_, with_react(text));
  auto f = std::find_if(r.findings.begin(), r.findings.end(),
                        [](const Finding& x) { return x.check == "example-binding"; });
  ASSERT_NE(f, r.findings.end()) << format_text(r, true);
  EXPECT_THAT(f->message, HasSubstr("?phase must be an IRI"));
}

TEST_F(ContractsTest, ReportsContractsThatDoNotLoad) {
  auto r =
      validate(*onto_, {GRIDKE_SOURCE_DIR "/graph-patterns/fault_location/post-hems-voltage.ttl",
                        GRIDKE_TEST_DATA_DIR "/ontology/broken.ttl"});
  ASSERT_THAT(r, IsOk());
  auto f = std::find_if(r->findings.begin(), r->findings.end(),
                        [](const Finding& x) { return x.check == "contract"; });
  ASSERT_NE(f, r->findings.end()) << format_text(*r, true);
  EXPECT_THAT(f->file, HasSubstr("broken.ttl"));
  EXPECT_GT(f->line, 0);
}

}  // namespace
}  // namespace gridke::ontology

namespace gridke::ontology {
namespace {

TEST_F(ContractsTest, ReportsDuplicateKiNames) {
  const auto dir = std::filesystem::temp_directory_path() / "gridke-ontology-duplicate-name";
  std::filesystem::create_directories(dir);
  const std::filesystem::path original =
      GRIDKE_SOURCE_DIR "/graph-patterns/fault_location/post-hems-voltage.ttl";
  std::filesystem::copy_file(original, dir / "post-hems-voltage.ttl",
                             std::filesystem::copy_options::overwrite_existing);
  auto r = validate(*onto_, {original, dir});
  ASSERT_THAT(r, IsOk());
  auto f = std::find_if(r->findings.begin(), r->findings.end(),
                        [](const Finding& x) { return x.check == "duplicate-name"; });
  ASSERT_NE(f, r->findings.end()) << format_text(*r, false);
  EXPECT_THAT(f->message, HasSubstr("KI name 'post-hems-voltage' is also used by"));
  std::filesystem::remove_all(dir);
}

TEST_F(ContractsTest, WarnsWhenReactsOnOneArgumentDisagreeOnTheResult) {
  const std::string file =
      GRIDKE_SOURCE_DIR "/graph-patterns/fault_location/react-register-lv-grid.ttl";
  auto first = adapter::load_contract(file);
  ASSERT_THAT(first, IsOk());
  std::ifstream in(file);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  text.replace(text.find("\"react-register-lv-grid\""), 24, "\"react-register-lv-grid2\"");
  const std::string from = "?grid dso:hasRegistrationStatus ?status .";
  text.replace(text.find(from), from.size(), "?grid dso:hasGridId ?status .");
  const std::string example = R"("status": "<https://w3id.org/gridke/dso#Registered>")";
  text.replace(text.find(example), example.size(), R"("status": "\\"LV-0815\\"")");
  auto second = adapter::parse_contract(text, "react-register-lv-grid2.ttl");
  ASSERT_THAT(second, IsOk());
  auto r = validate_contracts(*onto_, {*first, *second});
  auto f = std::find_if(r.findings.begin(), r.findings.end(),
                        [](const Finding& x) { return x.check == "result-pattern"; });
  ASSERT_NE(f, r.findings.end()) << format_text(r, true);
  EXPECT_THAT(f->message, HasSubstr("but a different result pattern"));
  // The repository's own REACTs never disagree (RepositoryContractsValidateClean).
}

}  // namespace
}  // namespace gridke::ontology

namespace gridke::ontology {
namespace {

TEST_F(ContractsTest, ReportsKeSyntaxLimitsInsideContractsAtTheirFilePosition) {
  const auto dir = std::filesystem::temp_directory_path() / "gridke-ontology-filter";
  std::filesystem::create_directories(dir);
  {
    std::ofstream out(dir / "ask-filtered.ttl");
    out << "@prefix kb: <https://w3id.org/knowledge-engine/> .\n"
           "@prefix gkc: <https://w3id.org/gridke/contract#> .\n"
           "@prefix saref: <https://saref.etsi.org/core/> .\n"
           "<> a kb:AskKnowledgeInteraction ;\n"
           "   gkc:name \"ask-filtered\" ;\n"
           "   kb:hasGraphPattern [ a kb:GraphPattern ; kb:hasPattern \"\"\"\n"
           "     ?m saref:hasValue ?v .\n"
           "     FILTER(?v > 250)\n"
           "   \"\"\" ] .\n";
  }
  auto r = validate(*onto_, {dir});
  ASSERT_THAT(r, IsOk());
  ASSERT_EQ(r->findings.size(), 1u) << format_text(*r, true);
  const Finding& f = r->findings[0];
  EXPECT_EQ(f.check, "contract");
  EXPECT_EQ(f.severity, Severity::error);
  EXPECT_EQ(f.line, 8);
  EXPECT_THAT(f.message, HasSubstr("FILTER"));
  EXPECT_THAT(f.fix, HasSubstr("basic graph patterns"));
  EXPECT_TRUE(r->has_errors());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace gridke::ontology
