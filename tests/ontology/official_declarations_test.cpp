// Checks every declaration in ontologies/ that copies an official vocabulary against the official
// file in ../shared/ontology-reference/ (skipped when that folder is absent), and checks the
// quality rules of the dso: extension (NOTES §10.13).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "gridke/ontology/ontology.hpp"
#include "gridke/rdf/graph.hpp"
#include "gridke_matchers.hpp"

namespace gridke::ontology {
namespace {

const std::string ours = GRIDKE_SOURCE_DIR "/ontologies/";
const std::string reference = GRIDKE_SHARED_DIR "/ontology-reference/";
const std::string rdf_type = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";
const std::string rdfs = "http://www.w3.org/2000/01/rdf-schema#";
const std::string owl = "http://www.w3.org/2002/07/owl#";

struct Pair {
  const char* ours;
  const char* official;
  const char* ns;
  bool whole;  // the subset holds every term the official file declares in the namespace
};

class OfficialDeclarations : public ::testing::TestWithParam<Pair> {};

TEST_P(OfficialDeclarations, MatchTheOfficialFile) {
  const Pair p = GetParam();
  if (!std::filesystem::exists(reference + p.official)) {
    GTEST_SKIP() << "no " << reference << p.official;
  }
  auto mine = rdf::Graph::parse_file(ours + p.ours);
  ASSERT_THAT(mine, IsOk());
  auto official = rdf::Graph::parse_file(reference + p.official);
  ASSERT_THAT(official, IsOk());
  const std::set<std::string> kept = {
      rdf_type,       rdfs + "subClassOf", rdfs + "subPropertyOf",  rdfs + "domain",
      rdfs + "range", owl + "inverseOf",   owl + "equivalentClass", rdfs + "label"};
  int checked = 0;
  for (const auto& t : mine->find(std::nullopt, std::nullopt, std::nullopt)) {
    if (!t.subject.is_iri() || t.subject.value() == p.ns || kept.count(t.predicate.value()) == 0) {
      continue;
    }
    if (t.object.is_blank()) continue;  // unions: compared through Ontology below
    EXPECT_TRUE(official->contains(t))
        << p.ours << ": <" << t.subject.value() << "> <" << t.predicate.value() << "> "
        << t.object.to_string() << " is not in " << p.official;
    ++checked;
  }
  EXPECT_GT(checked, 50);
  Ontology a;
  Ontology b;
  ASSERT_THAT(a.load_file(ours + p.ours), IsOk());
  ASSERT_THAT(b.load_file(reference + p.official), IsOk());
  for (const auto& t : mine->find(std::nullopt, rdf::Term::iri(rdfs + "range"), std::nullopt)) {
    if (t.object.is_blank()) {
      EXPECT_EQ(a.find(t.subject.value())->ranges, b.find(t.subject.value())->ranges)
          << t.subject.value();
    }
  }
  if (p.whole) {
    for (const auto& t : official->find(std::nullopt, rdf::Term::iri(rdf_type), std::nullopt)) {
      if (!t.subject.is_iri() || t.subject.value().rfind(p.ns, 0) != 0 ||
          t.subject.value() == p.ns) {
        continue;
      }
      EXPECT_NE(a.find(t.subject.value()), nullptr) << t.subject.value() << " is declared in "
                                                    << p.official << " but missing from " << p.ours;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Ontologies, OfficialDeclarations,
    ::testing::Values(Pair{"saref-core-3.1.1.ttl", "saref-core-v3.1.1/saref.ttl",
                           "https://saref.etsi.org/core/", true},
                      Pair{"saref4ener-1.1.2.ttl", "saref4ener-v1.1.2/saref4ener.ttl",
                           "https://saref.etsi.org/saref4ener/", true},
                      Pair{"saref4grid-1.0.0.ttl", "saref4grid-v1.0.0-dev/saref4grid.ttl",
                           "https://saref.etsi.org/saref4grid/", true},
                      Pair{"om-2-units.ttl", "om-2/om-2.0.rdf",
                           "http://www.ontology-of-units-of-measure.org/resource/om-2/", false}));

// Every dso: term has a label, a definition and a SAREF superclass, superproperty or type; the
// header names title, version IRI, licence and preferred prefix (NOTES §10.13).
TEST(DsoVocabulary, EveryTermIsLabelledDefinedAndAnchoredInSaref) {
  auto g = rdf::Graph::parse_file(ours + "dso.ttl");
  ASSERT_THAT(g, IsOk());
  const std::string dso = "https://w3id.org/gridke/dso#";
  const rdf::Term header = rdf::Term::iri(dso);
  for (const char* p :
       {"http://purl.org/dc/terms/title", "http://www.w3.org/2002/07/owl#versionIRI",
        "http://purl.org/dc/terms/license", "http://purl.org/vocab/vann/preferredNamespacePrefix",
        "http://purl.org/vocab/vann/preferredNamespaceUri"}) {
    EXPECT_FALSE(g->find(header, rdf::Term::iri(p), std::nullopt).empty()) << "header lacks " << p;
  }
  Ontology o;
  setenv("GRIDKE_ONTOLOGY_DIR", GRIDKE_SOURCE_DIR "/ontologies", 1);
  auto builtin = load_builtin_ontology();
  ASSERT_THAT(builtin, IsOk());
  auto anchored = [&](const std::string& iri) {
    const TermInfo* t = builtin->find(iri);
    if (t == nullptr) return false;
    auto in_saref = [](const std::string& x) { return x.rfind("https://saref.etsi.org/", 0) == 0; };
    for (const auto& c : builtin->superclasses_of(iri))
      if (in_saref(c)) return true;
    for (const auto& c : builtin->superproperties_of(iri))
      if (in_saref(c)) return true;
    for (const auto& c : builtin->classes_of_individual(iri))
      if (in_saref(c)) return true;
    return t->is(TermKindBits::annotation_property);  // life-cycle annotations only
  };
  std::set<std::string> subjects;
  for (const auto& t : g->find(std::nullopt, std::nullopt, std::nullopt)) {
    if (t.subject.is_iri() && t.subject.value().rfind(dso, 0) == 0 && t.subject.value() != dso) {
      subjects.insert(t.subject.value());
    }
    EXPECT_FALSE(t.subject.is_iri() && t.subject.value().rfind("https://saref.etsi.org/", 0) == 0)
        << "dso.ttl redefines " << t.subject.value();
  }
  EXPECT_GT(subjects.size(), 60u);
  for (const auto& s : subjects) {
    const rdf::Term term = rdf::Term::iri(s);
    EXPECT_EQ(g->find(term, rdf::Term::iri(rdfs + "label"), std::nullopt).size(), 1u) << s;
    EXPECT_EQ(g->find(term, rdf::Term::iri(rdfs + "comment"), std::nullopt).size(), 1u) << s;
    EXPECT_TRUE(anchored(s)) << s << " has no SAREF superclass, superproperty or type";
  }
}

}  // namespace
}  // namespace gridke::ontology
