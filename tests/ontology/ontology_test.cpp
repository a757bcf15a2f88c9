#include "gridke/ontology/ontology.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>

#include "gridke_matchers.hpp"

namespace gridke::ontology {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;

const std::string saref = "https://saref.etsi.org/core/";
const std::string s4grid = "https://saref.etsi.org/saref4grid/";
const std::string om = "http://www.ontology-of-units-of-measure.org/resource/om-2/";
const std::string dso = "https://w3id.org/gridke/dso#";
const std::string data = std::string(GRIDKE_TEST_DATA_DIR) + "/ontology/";

class OntologyTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    setenv("GRIDKE_ONTOLOGY_DIR", GRIDKE_SOURCE_DIR "/ontologies", 1);
    auto o = load_builtin_ontology();
    ASSERT_THAT(o, IsOk());
    builtin_ = new Ontology(std::move(o).value());
  }
  static void TearDownTestSuite() {
    delete builtin_;
    builtin_ = nullptr;
  }
  static const Ontology& o() { return *builtin_; }
  static Ontology* builtin_;
};
Ontology* OntologyTest::builtin_ = nullptr;

TEST_F(OntologyTest, FindsClassesPropertiesAndIndividuals) {
  const TermInfo* device = o().find(saref + "Device");
  ASSERT_NE(device, nullptr);
  EXPECT_TRUE(device->is_class());
  EXPECT_EQ(device->label, "Device");
  const TermInfo* measured_in = o().find(saref + "isMeasuredIn");
  ASSERT_NE(measured_in, nullptr);
  EXPECT_TRUE(measured_in->is(TermKindBits::object_property));
  const TermInfo* voltage = o().find(s4grid + "Voltage");
  ASSERT_NE(voltage, nullptr);
  EXPECT_TRUE(voltage->is_individual());
  EXPECT_THAT(voltage->types, Contains(s4grid + "EnergyAndPowerProperty"));
  EXPECT_EQ(o().find(saref + "Devic"), nullptr);
}

TEST_F(OntologyTest, KnowsBuiltinRdfAndXsdTerms) {
  const TermInfo* type = o().find("http://www.w3.org/1999/02/22-rdf-syntax-ns#type");
  ASSERT_NE(type, nullptr);
  EXPECT_TRUE(type->is_property());
  const TermInfo* flt = o().find("http://www.w3.org/2001/XMLSchema#float");
  ASSERT_NE(flt, nullptr);
  EXPECT_TRUE(flt->is_datatype());
  EXPECT_FALSE(flt->is_class());
}

TEST_F(OntologyTest, ClosesTheClassHierarchy) {
  EXPECT_TRUE(o().is_subclass_of(s4grid + "Meter", saref + "Device"));
  EXPECT_TRUE(o().is_subclass_of(dso + "InterventionPerimeter", saref + "FeatureOfInterest"));
  EXPECT_FALSE(o().is_subclass_of(saref + "Device", s4grid + "Meter"));
  EXPECT_THAT(o().superclasses_of(dso + "LVGrid"), Contains(saref + "FeatureOfInterest"));
  EXPECT_TRUE(o().classes_of_individual(om + "volt").count(saref + "UnitOfMeasure") == 1)
      << "om:volt is an om:SingularUnit ⊑ om:Unit ⊑ saref:UnitOfMeasure (alignments.ttl)";
}

TEST_F(OntologyTest, ClosesThePropertyHierarchyAndInheritsDomains) {
  EXPECT_TRUE(o().is_subproperty_of(dso + "hasMeterId", saref + "hasIdentifier"));
  EXPECT_TRUE(o().is_subproperty_of(dso + "hasLastContact", saref + "hasTimestamp"));
  auto domains = o().domains_of(saref + "isMeasuredIn");
  ASSERT_EQ(domains.size(), 1u);
  EXPECT_EQ(domains[0], ClassUnion{saref + "Measurement"});
}

TEST_F(OntologyTest, ReadsUnionRanges) {
  auto ranges = o().ranges_of("https://saref.etsi.org/saref4ener/producedBy");
  ASSERT_EQ(ranges.size(), 1u);
  EXPECT_EQ(ranges[0].size(), 2u);
}

TEST_F(OntologyTest, MarksDeprecatedAndRetiredTerms) {
  const TermInfo* description = o().find(saref + "hasDescription");
  ASSERT_NE(description, nullptr);
  EXPECT_TRUE(description->deprecated);
  const TermInfo* measurement = o().find(saref + "Measurement");
  ASSERT_NE(measurement, nullptr);
  EXPECT_FALSE(measurement->deprecated);
  EXPECT_EQ(measurement->deprecated_in, "v3.2.1");
  EXPECT_EQ(measurement->removed_in, "v4.1.1");
  EXPECT_EQ(measurement->replaced_by, saref + "Observation");
}

TEST_F(OntologyTest, SuggestsNearbyTerms) {
  auto s = o().suggestions("http://www.w3.org/2006/time#", "instant");
  ASSERT_FALSE(s.empty());
  EXPECT_EQ(s[0], "http://www.w3.org/2006/time#Instant");
  auto m = o().suggestions(saref, "Measurment");
  ASSERT_FALSE(m.empty());
  EXPECT_EQ(m[0], saref + "Measurement");
  EXPECT_TRUE(o().suggestions(saref, "CompletelyDifferentThing").empty());
}

TEST_F(OntologyTest, ChecksOnlyNamespacesOfLoadedOntologies) {
  EXPECT_TRUE(o().is_checked_namespace(saref));
  EXPECT_TRUE(o().is_checked_namespace(dso));
  EXPECT_TRUE(o().is_checked_namespace(om));
  EXPECT_FALSE(o().is_checked_namespace("http://www.w3.org/ns/sosa/"));
}

TEST(Ontology, LoadsRdfXml) {
  Ontology o;
  ASSERT_THAT(o.load_file(data + "units.rdf"), IsOk());
  const TermInfo* kw = o.find("https://example.org/units/kilowatt");
  ASSERT_NE(kw, nullptr);
  EXPECT_TRUE(kw->is_individual());
  EXPECT_TRUE(o.classes_of_individual("https://example.org/units/kilowatt")
                  .count("https://example.org/units/Unit") == 1);
  const TermInfo* has_unit = o.find("https://example.org/units/hasUnit");
  ASSERT_NE(has_unit, nullptr);
  EXPECT_TRUE(has_unit->deprecated);
  EXPECT_TRUE(o.is_checked_namespace("https://example.org/units/"));
}

TEST(Ontology, LoadsNTriples) {
  Ontology o;
  ASSERT_THAT(o.load_file(data + "grid.nt"), IsOk());
  EXPECT_TRUE(o.is_subclass_of("https://example.org/grid/Feeder",
                               "https://saref.etsi.org/core/FeatureOfInterest"));
}

TEST(Ontology, RejectsMissingFile) {
  Ontology o;
  EXPECT_THAT(o.load_file(data + "no-such-file.ttl"),
              HasError(ErrorCode::not_found, HasSubstr("no-such-file.ttl")));
}

TEST(Ontology, ReportsTurtleErrorsWithLocation) {
  Ontology o;
  EXPECT_THAT(o.load_file(data + "broken.ttl"),
              HasError(ErrorCode::parse_error, HasSubstr("broken.ttl:")));
}

TEST(Ontology, RejectsUnknownExtension) {
  Ontology o;
  EXPECT_THAT(o.load_file(data + "SOURCES.md"),
              HasError(ErrorCode::invalid_argument, HasSubstr("cannot tell the syntax")));
}

TEST(Ontology, RejectsFolderWithoutOntologies) {
  Ontology o;
  EXPECT_THAT(o.load_directory(data + "pilot"),
              HasError(ErrorCode::not_found, HasSubstr("no ontology file")));
  EXPECT_THAT(o.load_directory(data + "nowhere"),
              HasError(ErrorCode::not_found, HasSubstr("does not exist")));
}

TEST(Ontology, BuiltinDirectoryHonoursEnvironment) {
  setenv("GRIDKE_ONTOLOGY_DIR", "/nonexistent/ontologies", 1);
  EXPECT_THAT(
      builtin_ontology_dir(),
      HasError(ErrorCode::not_found, HasSubstr("GRIDKE_ONTOLOGY_DIR=/nonexistent/ontologies")));
  unsetenv("GRIDKE_ONTOLOGY_DIR");
  auto dir = builtin_ontology_dir();
  ASSERT_THAT(dir, IsOk());
  EXPECT_TRUE(std::filesystem::exists(*dir / "dso.ttl"));
  setenv("GRIDKE_ONTOLOGY_DIR", GRIDKE_SOURCE_DIR "/ontologies", 1);
}

TEST(SplitIri, SplitsAtLastHashOrSlash) {
  EXPECT_EQ(split_iri("https://saref.etsi.org/core/Device").first, "https://saref.etsi.org/core/");
  EXPECT_EQ(split_iri("http://www.w3.org/2006/time#Instant").second, "Instant");
  EXPECT_EQ(split_iri("urn:x").second, "");
}

}  // namespace
}  // namespace gridke::ontology
