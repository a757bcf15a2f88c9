#include "gridke/rdf/graph.hpp"

#include "../../core/rdf/src/raptor_handles.hpp"
#include "../../core/rdf/src/serd_handles.hpp"
#include "../../core/rdf/src/sord_handles.hpp"
#include "gridke/rdf/vocabulary.hpp"
#include "gridke_matchers.hpp"
#include "rdf_test_terms.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

namespace gridke {
// Lets GoogleTest print a parse result when a matcher fails.
inline void PrintTo(const Result<rdf::Graph>& r, std::ostream* os) {
  if (r) {
    *os << "graph of " << r->size() << " triples";
  } else {
    *os << "error " << to_string(r.error().code()) << ": " << r.error().to_string();
  }
}
}  // namespace gridke

namespace gridke::rdf {
namespace {

using ::testing::AllOf;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

const std::filesystem::path data_dir = std::filesystem::path(GRIDKE_TEST_DATA_DIR) / "rdf";

Term iri(std::string s) { return Term::iri(std::move(s)); }
Term ex(const std::string& local) { return Term::iri("http://example.org/" + local); }
using test_terms::lit;

Graph parse_ok(std::string_view text, Syntax syntax) {
  auto r = Graph::parse_string(text, syntax);
  EXPECT_THAT(r, IsOk()) << text;
  return r ? std::move(r).value() : Graph();
}

// --- syntax_for_path ---------------------------------------------------------------------------

TEST(SyntaxForPath, GuessesFromExtension) {
  EXPECT_EQ(syntax_for_path("a/b.ttl"), Syntax::turtle);
  EXPECT_EQ(syntax_for_path("b.NT"), Syntax::ntriples);
  EXPECT_EQ(syntax_for_path("om-2.0.rdf"), Syntax::rdfxml);
  EXPECT_EQ(syntax_for_path("x.owl"), Syntax::rdfxml);
  EXPECT_EQ(syntax_for_path("x.xml"), Syntax::rdfxml);
  EXPECT_EQ(syntax_for_path("x.json"), std::nullopt);
  EXPECT_EQ(syntax_for_path("noext"), std::nullopt);
}

// --- Turtle ------------------------------------------------------------------------------------

TEST(Graph, ParsesTurtleFile) {
  auto g = Graph::parse_file(data_dir / "sample.ttl");
  ASSERT_THAT(g, IsOk());
  EXPECT_EQ(g->size(), 9u);
  const Term meter = ex("meter1");
  EXPECT_TRUE(g->contains({meter, iri(std::string(vocab::rdf_type)), ex("Meter")}));
  EXPECT_THAT(g->find(meter, ex("reading"), std::nullopt),
              UnorderedElementsAre(
                  Triple{meter, ex("reading"), lit("21.5", vocab::xsd_decimal)},
                  Triple{meter, ex("reading"), lit("22", std::string(vocab::xsd) + "int")}));
  EXPECT_TRUE(
      g->contains({meter, ex("installed"), lit("2024-05-01T12:00:00Z", vocab::xsd_date_time)}));
  EXPECT_EQ(g->prefixes().at("ex"), "http://example.org/");
  EXPECT_EQ(g->prefixes().at("xsd"), "http://www.w3.org/2001/XMLSchema#");
}

TEST(Graph, KeepsLanguageTagsAndDatatypes) {
  auto g = Graph::parse_file(data_dir / "sample.ttl");
  ASSERT_THAT(g, IsOk());
  auto labels = g->find(ex("meter1"), iri(std::string(vocab::rdfs) + "label"), std::nullopt);
  std::vector<Term> objects;
  for (const auto& t : labels) objects.push_back(t.object);
  EXPECT_THAT(objects, UnorderedElementsAre(Term::literal("Meter 1", "", "en"),
                                            Term::literal("Meter 1", "", "nl")));
  EXPECT_EQ(objects[0].datatype(), vocab::rdf_lang_string);
}

TEST(Graph, ResolvesRelativeIrisAgainstTheFile) {
  auto g = Graph::parse_file(data_dir / "sample.ttl");
  ASSERT_THAT(g, IsOk());
  auto docs = g->find(ex("meter1"), ex("doc"), std::nullopt);
  ASSERT_EQ(docs.size(), 1u);
  EXPECT_EQ(docs[0].object.value().rfind("file:///", 0), 0u) << docs[0].object.value();
  EXPECT_THAT(docs[0].object.value(), HasSubstr("tests/data/rdf/doc/meter1"));
}

TEST(Graph, ResolvesRelativeIrisAgainstTheBase) {
  auto g = Graph::parse_string("<a> <p> <#c> .", Syntax::turtle, "http://base.org/dir/x");
  ASSERT_THAT(g, IsOk());
  EXPECT_TRUE(g->contains({iri("http://base.org/dir/a"), iri("http://base.org/dir/p"),
                           iri("http://base.org/dir/x#c")}));
  auto g2 = Graph::parse_string("@base <http://other.org/> . <a> <p> <b> .", Syntax::turtle);
  ASSERT_THAT(g2, IsOk());
  EXPECT_TRUE(g2->contains(
      {iri("http://other.org/a"), iri("http://other.org/p"), iri("http://other.org/b")}));
}

TEST(Graph, ReportsTurtleSyntaxErrorWithFileLineAndColumn) {
  auto g = Graph::parse_file(data_dir / "bad_syntax.ttl");
  EXPECT_THAT(g, HasError(ErrorCode::parse_error,
                          AllOf(HasSubstr("bad_syntax.ttl:4:"), HasSubstr("string"))));
  ASSERT_FALSE(g.has_value());
  EXPECT_THAT(g.error().location(), HasSubstr("bad_syntax.ttl:4:25"));
}

TEST(Graph, ReportsStringErrorsAsStringLocation) {
  EXPECT_THAT(Graph::parse_string("<http://a> <http://b> .", Syntax::turtle),
              HasError(ErrorCode::parse_error, HasSubstr("<string>:1:")));
  EXPECT_THAT(
      Graph::parse_string("@prefix ex: <http://e/> .\nex:a ex:b\n  foo:c .", Syntax::turtle),
      HasError(ErrorCode::parse_error,
               AllOf(HasSubstr("<string>:3:3"), HasSubstr("undefined prefix 'foo:'"))));
  EXPECT_THAT(Graph::parse_string("<http://a b> <http://e/p> <http://e/o> .", Syntax::turtle),
              HasError(ErrorCode::parse_error,
                       AllOf(HasSubstr("<string>:1:"), HasSubstr("invalid IRI character"))));
}

TEST(Graph, MissingFileIsNotFound) {
  EXPECT_THAT(Graph::parse_file(data_dir / "no-such-file.ttl"),
              HasError(ErrorCode::not_found, HasSubstr("no-such-file.ttl")));
}

TEST(Graph, UnknownExtensionNeedsExplicitSyntax) {
  EXPECT_THAT(Graph::parse_file(data_dir / "README.md"),
              HasError(ErrorCode::invalid_argument,
                       AllOf(HasSubstr("README.md"), HasSubstr("cannot tell the RDF syntax"))));
}

TEST(Graph, DirectoryIsInvalidArgument) {
  EXPECT_THAT(Graph::parse_file(data_dir, Syntax::turtle),
              HasError(ErrorCode::invalid_argument, HasSubstr("not a regular file")));
}

// W3C-style Turtle edge cases, written for GridKE (turtle-syntax-* categories).
TEST(Graph, ParsesTurtleCollections) {
  Graph g =
      parse_ok("@prefix ex: <http://example.org/> . ex:s ex:p (1 ex:o \"x\") .", Syntax::turtle);
  const Term first = iri(std::string(vocab::rdf) + "first");
  const Term rest = iri(std::string(vocab::rdf) + "rest");
  const Term nil = iri(std::string(vocab::rdf) + "nil");
  EXPECT_EQ(g.size(), 7u);  // ex:s ex:p _:l1, and first/rest for three cells
  EXPECT_EQ(g.find(std::nullopt, first, std::nullopt).size(), 3u);
  EXPECT_EQ(g.find(std::nullopt, rest, nil).size(), 1u);
  EXPECT_THAT(g.find(std::nullopt, first, std::nullopt),
              Contains(::testing::Field(&Triple::object, lit("1", vocab::xsd_integer))));
  Graph empty = parse_ok("<http://e/s> <http://e/p> () .", Syntax::turtle);
  EXPECT_TRUE(empty.contains({iri("http://e/s"), iri("http://e/p"), nil}));
}

TEST(Graph, ParsesPredicateAndObjectLists) {
  Graph g = parse_ok(
      "@prefix : <http://example.org/> .\n"
      ":s :p :a, :b ; :q :c ;\n   :r [ :x :y ; :z :w ] .",
      Syntax::turtle);
  EXPECT_EQ(g.size(), 6u);
  EXPECT_EQ(g.find(ex("s"), ex("p"), std::nullopt).size(), 2u);
  auto anon = g.find(ex("s"), ex("r"), std::nullopt);
  ASSERT_EQ(anon.size(), 1u);
  EXPECT_TRUE(anon[0].object.is_blank());
  EXPECT_EQ(g.find(anon[0].object, std::nullopt, std::nullopt).size(), 2u);
  EXPECT_EQ(g.prefixes().at(""), "http://example.org/");
}

TEST(Graph, ParsesTurtleStringEscapesAndLongStrings) {
  Graph g = parse_ok(
      "<http://e/s> <http://e/p> \"a\\tb\\n\\\"c\\\" \\u00E9 \\U0001F600\" .\n"
      "<http://e/s> <http://e/q> \"\"\"multi\nline \"quoted\" \"\"\" .\n"
      "<http://e/s> <http://e/r> 'single' .",
      Syntax::turtle);
  EXPECT_TRUE(g.contains({iri("http://e/s"), iri("http://e/p"),
                          Term::literal("a\tb\n\"c\" \xC3\xA9 \xF0\x9F\x98\x80")}));
  EXPECT_TRUE(
      g.contains({iri("http://e/s"), iri("http://e/q"), Term::literal("multi\nline \"quoted\" ")}));
  EXPECT_TRUE(g.contains({iri("http://e/s"), iri("http://e/r"), Term::literal("single")}));
}

TEST(Graph, ParsesTurtleNumericAndBooleanLiterals) {
  Graph g = parse_ok("<http://e/s> <http://e/p> 1, -2, +3, 4.5, -.5, 1e3, 1.5E-2, true, false .",
                     Syntax::turtle);
  auto expect = [&](std::string lex, std::string_view dt) {
    EXPECT_TRUE(g.contains({iri("http://e/s"), iri("http://e/p"), lit(lex, dt)})) << lex;
  };
  expect("1", vocab::xsd_integer);
  expect("-2", vocab::xsd_integer);
  expect("+3", vocab::xsd_integer);
  expect("4.5", vocab::xsd_decimal);
  expect("-.5", vocab::xsd_decimal);
  expect("1e3", vocab::xsd_double);
  expect("1.5E-2", vocab::xsd_double);
  expect("true", vocab::xsd_boolean);
  expect("false", vocab::xsd_boolean);
}

TEST(Graph, StoresXsdStringLikeSimpleLiteral) {
  Graph g = parse_ok(
      "<http://e/s> <http://e/p> \"x\"^^<http://www.w3.org/2001/XMLSchema#string>, \"x\" .",
      Syntax::turtle);
  EXPECT_EQ(g.size(), 1u);
  EXPECT_TRUE(g.contains({iri("http://e/s"), iri("http://e/p"), Term::literal("x")}));
}

TEST(Graph, LowerCasesLanguageTags) {
  Graph g = parse_ok("<http://e/s> <http://e/p> \"x\"@EN-gb .", Syntax::turtle);
  EXPECT_TRUE(g.contains({iri("http://e/s"), iri("http://e/p"), Term::literal("x", "", "en-GB")}));
  EXPECT_EQ(g.find(std::nullopt, std::nullopt, std::nullopt)[0].object.language(), "en-gb");
}

// --- data-driven Turtle cases (tests/data/rdf/turtle, W3C eval/negative style) ----------------

// True when a and b are equal up to a renaming of blank nodes: a backtracking search over
// bijections, pruned by checking every triple whose blank nodes are all mapped (the fixtures
// hold a handful of blank nodes).
bool isomorphic(const std::vector<Triple>& a, const std::vector<Triple>& b) {
  if (a.size() != b.size()) return false;
  auto blanks = [](const std::vector<Triple>& ts) {
    std::vector<std::string> out;
    for (const auto& t : ts) {
      for (const Term* x : {&t.subject, &t.object}) {
        if (x->is_blank() && std::find(out.begin(), out.end(), x->value()) == out.end()) {
          out.push_back(x->value());
        }
      }
    }
    return out;
  };
  const std::vector<std::string> from = blanks(a), to = blanks(b);
  if (from.size() != to.size()) return false;
  std::vector<Triple> target = b;
  auto less = [](const Triple& x, const Triple& y) {
    return std::tie(x.subject, x.predicate, x.object) < std::tie(y.subject, y.predicate, y.object);
  };
  std::sort(target.begin(), target.end(), less);
  std::map<std::string, std::string> mapping;
  std::vector<bool> used(to.size(), false);
  // The image of t under the mapping, or nullopt while one of its blank nodes is unmapped.
  auto image = [&](const Triple& t) -> std::optional<Triple> {
    Triple out = t;
    for (Term* x : {&out.subject, &out.object}) {
      if (!x->is_blank()) continue;
      auto it = mapping.find(x->value());
      if (it == mapping.end()) return std::nullopt;
      *x = Term::blank(it->second);
    }
    return out;
  };
  std::function<bool(std::size_t)> search = [&](std::size_t i) {
    for (const auto& t : a) {
      auto m = image(t);
      if (m && !std::binary_search(target.begin(), target.end(), *m, less)) return false;
    }
    if (i == from.size()) return true;
    for (std::size_t j = 0; j < to.size(); ++j) {
      if (used[j]) continue;
      used[j] = true;
      mapping[from[i]] = to[j];
      if (search(i + 1)) return true;
      mapping.erase(from[i]);
      used[j] = false;
    }
    return false;
  };
  return search(0);
}

TEST(Graph, IsomorphismCheckSeesBlankStructure) {
  const Term p = ex("p");
  const std::vector<Triple> loop = {{Term::blank("a"), p, Term::blank("a")}};
  const std::vector<Triple> loop2 = {{Term::blank("z"), p, Term::blank("z")}};
  const std::vector<Triple> pair = {{Term::blank("a"), p, Term::blank("b")}};
  EXPECT_TRUE(isomorphic(loop, loop2));
  EXPECT_FALSE(isomorphic(loop, pair));
  EXPECT_FALSE(isomorphic({{ex("s"), p, Term::blank("a")}}, {{ex("s"), p, ex("o")}}));
}

TEST(Graph, ParsesEveryGoodTurtleCaseToItsNTriples) {
  const auto dir = data_dir / "turtle" / "good";
  int cases = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".ttl") continue;
    ++cases;
    auto nt_path = entry.path();
    nt_path.replace_extension(".nt");
    auto turtle = Graph::parse_file(entry.path());
    auto expected = Graph::parse_file(nt_path);
    ASSERT_THAT(turtle, IsOk()) << entry.path();
    ASSERT_THAT(expected, IsOk()) << nt_path;
    EXPECT_TRUE(isomorphic(turtle->find(std::nullopt, std::nullopt, std::nullopt),
                           expected->find(std::nullopt, std::nullopt, std::nullopt)))
        << entry.path().filename() << " does not give the triples of " << nt_path.filename()
        << ":\n"
        << turtle->write(Syntax::ntriples).value_or("(write failed)");
  }
  EXPECT_EQ(cases, 8);
}

TEST(Graph, RejectsEveryBadTurtleCaseWithItsLocation) {
  struct Case {
    const char* file;
    const char* location;  // "file:line:col" as Serd reports it
    const char* message;
  };
  const Case cases[] = {
      {"bad_escape.ttl", "bad_escape.ttl:2:12", "invalid escape"},
      {"empty_language.ttl", "empty_language.ttl:2:10", "unexpected"},
      {"iri_with_space.ttl", "iri_with_space.ttl:2:16", "invalid IRI character"},
      {"literal_predicate.ttl", "literal_predicate.ttl:2:3", "bad verb"},
      {"literal_subject.ttl", "literal_subject.ttl:2:", "bad verb"},
      {"missing_datatype.ttl", "missing_datatype.ttl:2:11", "bad literal"},
      {"missing_dot.ttl", "missing_dot.ttl:3:", "unexpected end of file"},
      {"unclosed_blank.ttl", "unclosed_blank.ttl:2:14", "expected `]'"},
      {"unclosed_collection.ttl", "unclosed_collection.ttl:2:12", "expected"},
      {"undeclared_prefix.ttl", "undeclared_prefix.ttl:1:1", "undefined prefix ':'"},
      // Found by gridke_contract_fuzz: Sord leaked the expanded IRI and returned no node.
      {"prefix_without_scheme.ttl",
       "prefix_without_scheme.ttl:2:", "IRI <h;tp://example.org/p> is not absolute"},
  };
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(data_dir / "turtle" / "bad")) {
    files += entry.path().extension() == ".ttl" ? 1 : 0;
  }
  EXPECT_EQ(files, static_cast<int>(std::size(cases)));
  for (const Case& c : cases) {
    auto g = Graph::parse_file(data_dir / "turtle" / "bad" / c.file);
    EXPECT_THAT(
        g, HasError(ErrorCode::parse_error, AllOf(HasSubstr(c.location), HasSubstr(c.message))))
        << c.file;
  }
}

TEST(Graph, RejectsW3cNegativeSyntaxCases) {
  // Copied from the W3C RDF 1.1 Turtle test suite (see tests/data/rdf/SOURCES.md).
  const std::pair<const char*, const char*> cases[] = {
      {"turtle-syntax-bad-missing-ns-dot-end.ttl", ":2:16: prefix ends with `.'"},
      {"turtle-syntax-bad-missing-ns-dot-start.ttl", ":1:9: expected `:', not `.'"},
      {"turtle-syntax-bad-number-dot-in-anon.ttl", ":3:15: `.' inside blank"},
  };
  for (const auto& [file, message] : cases) {
    EXPECT_THAT(Graph::parse_file(data_dir / "turtle" / "w3c-bad" / file),
                HasError(ErrorCode::parse_error, AllOf(HasSubstr(file), HasSubstr(message))))
        << file;
  }
}

// --- N-Triples ---------------------------------------------------------------------------------

TEST(Graph, ParsesNTriplesFile) {
  auto g = Graph::parse_file(data_dir / "sample.nt");
  ASSERT_THAT(g, IsOk());
  EXPECT_EQ(g->size(), 5u);
  const Term s = ex("s"), p = ex("p");
  EXPECT_TRUE(g->contains({s, p, ex("o")}));
  EXPECT_TRUE(g->contains({s, p, Term::literal("plain")}));
  EXPECT_TRUE(g->contains({s, p, Term::literal("tagged", "", "en-gb")}));
  EXPECT_TRUE(g->contains({s, p, lit("7", vocab::xsd_integer)}));
  auto blank = g->find(std::nullopt, p, Term::literal("esc \"q\" \\ \n \xC3\xA9"));
  ASSERT_EQ(blank.size(), 1u);
  EXPECT_TRUE(blank[0].subject.is_blank());
}

TEST(Graph, RejectsTurtleDirectivesInNTriples) {
  EXPECT_THAT(Graph::parse_string("@prefix ex: <http://e/> .", Syntax::ntriples),
              HasError(ErrorCode::parse_error, HasSubstr("<string>:1:1")));
}

// --- RDF/XML -----------------------------------------------------------------------------------

TEST(Graph, ParsesRdfXmlFixture) {
  auto g = Graph::parse_file(data_dir / "sample.rdf");
  ASSERT_THAT(g, IsOk());
  EXPECT_EQ(g->size(), 7u);
  const std::string om = "http://www.ontology-of-units-of-measure.org/resource/om-2/";
  const Term volt = iri(om + "volt");
  EXPECT_TRUE(g->contains({volt, iri(std::string(vocab::rdf_type)), iri(om + "Unit")}));
  EXPECT_TRUE(g->contains(
      {volt, iri(std::string(vocab::rdfs) + "label"), Term::literal("volt", "", "en")}));
  EXPECT_TRUE(g->contains({volt, iri(om + "symbol"), Term::literal("V")}));
  EXPECT_TRUE(g->contains({volt, iri(om + "hasFactor"), lit("1.0", vocab::xsd_double)}));
  auto dim = g->find(volt, iri(om + "hasDimension"), std::nullopt);
  ASSERT_EQ(dim.size(), 1u);
  EXPECT_TRUE(dim[0].object.is_blank());
  EXPECT_EQ(g->find(dim[0].object, std::nullopt, std::nullopt).size(), 1u);
  EXPECT_EQ(g->prefixes().at("om"), om);
  // rdf:about="local" and rdf:resource="#other" resolve against the file IRI.
  auto local = g->find(std::nullopt, iri(std::string(vocab::rdfs) + "seeAlso"), std::nullopt);
  ASSERT_EQ(local.size(), 1u);
  EXPECT_THAT(local[0].subject.value(), HasSubstr("tests/data/rdf/local"));
  EXPECT_THAT(local[0].object.value(), HasSubstr("tests/data/rdf/sample.rdf#other"));
}

TEST(Graph, ReportsRdfXmlErrorWithLineAndColumn) {
  auto g = Graph::parse_file(data_dir / "bad.rdf");
  EXPECT_THAT(g, HasError(ErrorCode::parse_error,
                          AllOf(HasSubstr("bad.rdf:5:"), HasSubstr("tag mismatch"))));
  ASSERT_FALSE(g.has_value());
  EXPECT_THAT(g.error().location(), HasSubstr("bad.rdf:5:23"));
}

TEST(Graph, ReportsRdfXmlGrammarErrorWithLine) {
  auto g = Graph::parse_string(
      "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n"
      "<rdf:Description rdf:about=\"http://e/a\">\n"
      "  <rdf:bad rdf:resource=\"http://e/b\" rdf:nodeID=\"n\"/>\n"
      "</rdf:Description></rdf:RDF>",
      Syntax::rdfxml);
  EXPECT_THAT(
      g, HasError(ErrorCode::parse_error, AllOf(HasSubstr("<string>:3"), HasSubstr("nodeID"))));
}

TEST(Graph, LoadsOm2RdfXml) {
  const auto path = std::filesystem::path(GRIDKE_SHARED_DIR) / "ontology-reference/om-2/om-2.0.rdf";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "absent: " << path;
  auto g = Graph::parse_file(path);
  ASSERT_THAT(g, IsOk());
  EXPECT_GT(g->size(), 10000u);
  const std::string om = "http://www.ontology-of-units-of-measure.org/resource/om-2/";
  EXPECT_FALSE(g->find(iri(om + "volt"), std::nullopt, std::nullopt).empty());
  EXPECT_EQ(g->prefixes().count("om"), 1u);
}

// --- find, add, contains -----------------------------------------------------------------------

class GraphFindTest : public ::testing::Test {
 protected:
  void SetUp() override {
    graph_.add({ex("a"), ex("p"), ex("b")});
    graph_.add({ex("a"), ex("p"), ex("c")});
    graph_.add({ex("a"), ex("q"), ex("b")});
    graph_.add({ex("d"), ex("p"), ex("b")});
    graph_.add({ex("d"), ex("q"), Term::literal("v")});
  }
  Graph graph_;
};

TEST_F(GraphFindTest, MatchesEveryWildcardCombination) {
  using std::nullopt;
  EXPECT_EQ(graph_.find(nullopt, nullopt, nullopt).size(), 5u);
  EXPECT_EQ(graph_.find(ex("a"), nullopt, nullopt).size(), 3u);
  EXPECT_EQ(graph_.find(nullopt, ex("p"), nullopt).size(), 3u);
  EXPECT_EQ(graph_.find(nullopt, nullopt, ex("b")).size(), 3u);
  EXPECT_EQ(graph_.find(ex("a"), ex("p"), nullopt).size(), 2u);
  EXPECT_EQ(graph_.find(ex("a"), nullopt, ex("b")).size(), 2u);
  EXPECT_EQ(graph_.find(nullopt, ex("p"), ex("b")).size(), 2u);
  EXPECT_EQ(graph_.find(ex("a"), ex("p"), ex("b")).size(), 1u);
  EXPECT_THAT(graph_.find(nullopt, nullopt, Term::literal("v")),
              UnorderedElementsAre(Triple{ex("d"), ex("q"), Term::literal("v")}));
}

TEST_F(GraphFindTest, UnknownTermsMatchNothing) {
  EXPECT_TRUE(graph_.find(ex("zzz"), std::nullopt, std::nullopt).empty());
  EXPECT_TRUE(graph_.find(std::nullopt, std::nullopt, Term::literal("v", "", "en")).empty());
  EXPECT_FALSE(graph_.contains({ex("a"), ex("p"), ex("d")}));
}

TEST_F(GraphFindTest, AddIgnoresDuplicates) {
  graph_.add({ex("a"), ex("p"), ex("b")});
  graph_.add({ex("d"), ex("q"), lit("v", vocab::xsd_string)});
  EXPECT_EQ(graph_.size(), 5u);
}

TEST_F(GraphFindTest, ResultsOutliveLaterEdits) {
  auto found = graph_.find(ex("a"), std::nullopt, std::nullopt);
  graph_.add({ex("a"), ex("r"), ex("e")});
  Graph other = std::move(graph_);
  EXPECT_EQ(found.size(), 3u);
  EXPECT_EQ(found[0].subject, ex("a"));
}

TEST_F(GraphFindTest, ConstMethodsRunConcurrently) {
  std::vector<std::thread> threads;
  std::vector<std::size_t> counts(4);
  for (std::size_t i = 0; i < counts.size(); ++i) {
    threads.emplace_back([this, &counts, i] {
      for (int k = 0; k < 200; ++k) {
        counts[i] += graph_.find(std::nullopt, ex("p"), std::nullopt).size();
        counts[i] += graph_.contains({ex("x" + std::to_string(k)), ex("p"), ex("b")}) ? 1 : 0;
      }
    });
  }
  for (auto& t : threads) t.join();
  for (std::size_t c : counts) EXPECT_EQ(c, 600u);
}

// --- load_file ---------------------------------------------------------------------------------

TEST(Graph, LoadFileMergesAndKeepsBlankNodesApart) {
  auto g = Graph::parse_file(data_dir / "sample.nt");
  ASSERT_THAT(g, IsOk());
  ASSERT_THAT(g->load_file(data_dir / "sample.ttl"), IsOk());
  ASSERT_THAT(g->load_file(data_dir / "sample.nt"), IsOk());
  // sample.nt's one blank-node triple is new the second time (a fresh blank node).
  EXPECT_EQ(g->size(), 5u + 9u + 1u);
  EXPECT_EQ(g->prefixes().at("ex"), "http://example.org/");
}

TEST(Graph, FailedLoadLeavesGraphUnchanged) {
  auto g = Graph::parse_file(data_dir / "sample.nt");
  ASSERT_THAT(g, IsOk());
  EXPECT_THAT(g->load_file(data_dir / "bad_syntax.ttl"),
              HasError(ErrorCode::parse_error, HasSubstr("bad_syntax.ttl:4:25")));
  EXPECT_EQ(g->size(), 5u);
  EXPECT_EQ(g->prefixes().count("ex"), 0u);
}

// --- write ------------------------------------------------------------------------------------

// The triples in a fixed order, blank nodes renamed to "_" (the fixtures written here have at
// most one blank node, and a Turtle round trip may relabel it: Serd renames b<N> labels).
std::vector<Triple> sorted_triples(const Graph& g) {
  auto all = g.find(std::nullopt, std::nullopt, std::nullopt);
  for (auto& t : all) {
    if (t.subject.is_blank()) t.subject = Term::blank("_");
    if (t.object.is_blank()) t.object = Term::blank("_");
  }
  std::sort(all.begin(), all.end(), [](const Triple& a, const Triple& b) {
    return std::tie(a.subject, a.predicate, a.object) < std::tie(b.subject, b.predicate, b.object);
  });
  return all;
}

TEST(Graph, RoundTripsThroughTurtle) {
  auto g = Graph::parse_file(data_dir / "sample.nt");
  ASSERT_THAT(g, IsOk());
  g->set_prefix("ex", "http://example.org/");
  auto text = g->write(Syntax::turtle);
  ASSERT_THAT(text, IsOk());
  EXPECT_THAT(*text, HasSubstr("@prefix ex: <http://example.org/> ."));
  EXPECT_THAT(*text, HasSubstr("ex:s"));
  Graph back = parse_ok(*text, Syntax::turtle);
  EXPECT_EQ(sorted_triples(back), sorted_triples(*g));
}

TEST(Graph, RoundTripsThroughNTriples) {
  auto g = Graph::parse_file(data_dir / "sample.ttl");
  ASSERT_THAT(g, IsOk());
  auto text = g->write(Syntax::ntriples);
  ASSERT_THAT(text, IsOk());
  EXPECT_THAT(*text, HasSubstr("<http://example.org/meter1> "
                               "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
                               "<http://example.org/Meter> .\n"));
  EXPECT_THAT(*text, HasSubstr("\"21.5\"^^<http://www.w3.org/2001/XMLSchema#decimal>"));
  EXPECT_THAT(*text, HasSubstr("\"Meter 1\"@nl"));
  Graph back = parse_ok(*text, Syntax::ntriples);
  EXPECT_EQ(sorted_triples(back), sorted_triples(*g));
}

TEST(Graph, RoundTripsRdfXmlThroughTurtle) {
  auto g = Graph::parse_file(data_dir / "sample.rdf");
  ASSERT_THAT(g, IsOk());
  auto text = g->write(Syntax::turtle);
  ASSERT_THAT(text, IsOk());
  EXPECT_THAT(*text, HasSubstr("@prefix om: <http://www.ontology-of-units-of-measure.org/"));
  Graph back = parse_ok(*text, Syntax::turtle);
  EXPECT_EQ(sorted_triples(back), sorted_triples(*g));
}

TEST(Graph, WritingRdfXmlIsRejected) {
  Graph g;
  EXPECT_THAT(g.write(Syntax::rdfxml),
              HasError(ErrorCode::invalid_argument, HasSubstr("RDF/XML is not supported")));
}

// --- wrapper lifetimes (STYLE.md §2.7) --------------------------------------------------------

TEST(Graph, EmptyGraphWritesNothing) {
  Graph g;
  EXPECT_EQ(g.size(), 0u);
  EXPECT_TRUE(g.find(std::nullopt, std::nullopt, std::nullopt).empty());
  auto text = g.write(Syntax::ntriples);
  ASSERT_THAT(text, IsOk());
  EXPECT_TRUE(text->empty());
}

TEST(Graph, MovedFromGraphIsEmptyAndReusable) {
  Graph a;
  a.add({ex("s"), ex("p"), ex("o")});
  a.set_prefix("ex", "http://example.org/");
  Graph b = std::move(a);
  EXPECT_EQ(b.size(), 1u);
  // NOLINTBEGIN(bugprone-use-after-move): the moved-from state is what is tested.
  EXPECT_EQ(a.size(), 0u);
  EXPECT_FALSE(a.contains({ex("s"), ex("p"), ex("o")}));
  EXPECT_TRUE(a.find(std::nullopt, std::nullopt, std::nullopt).empty());
  EXPECT_TRUE(a.prefixes().empty());
  ASSERT_THAT(a.write(Syntax::turtle), IsOk());
  a.add({ex("s2"), ex("p"), ex("o")});
  EXPECT_EQ(a.size(), 1u);
  Graph c;
  c = std::move(b);
  EXPECT_EQ(c.size(), 1u);
  // NOLINTEND(bugprone-use-after-move)
}

TEST(Handles, EmptyAndMovedFromOwnersDestroySafely) {
  { detail::SerdReaderPtr reader; }
  { detail::SerdWriterPtr writer; }
  { detail::SerdEnvPtr env; }
  { detail::FilePtr file; }
  { detail::SerdNodeOwner node; }
  {
    detail::SerdNodeOwner a(serd_node_new_integer(42));
    EXPECT_FALSE(a.empty());
    detail::SerdNodeOwner b = std::move(a);
    EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move)
    EXPECT_STREQ(reinterpret_cast<const char*>(b.get()->buf), "42");
  }
  { detail::SordWorldPtr world; }
  { detail::SordModelPtr model; }
  { detail::SordIterPtr iter; }
  { detail::SordNodeRef node; }
  { detail::RaptorWorldPtr world; }
  { detail::RaptorParserPtr parser; }
  { detail::RaptorUriPtr uri; }
}

TEST(Handles, SordNodeRefCountsReferences) {
  detail::SordWorldPtr world(sord_world_new());
  const auto* text = reinterpret_cast<const std::uint8_t*>("http://example.org/n");
  {
    detail::SordNodeRef a(world.get(), sord_new_uri(world.get(), text));
    detail::SordNodeRef b = a;  // a second reference to the same interned node
    EXPECT_EQ(a.get(), b.get());
    detail::SordNodeRef c = std::move(a);
    EXPECT_FALSE(a);  // NOLINT(bugprone-use-after-move)
    EXPECT_EQ(c.get(), b.get());
  }
  // All references are dropped here; ASan/LSan (the sanitizer build) catch a leak or a double
  // free. Interning the IRI again must still work.
  detail::SordNodeRef again(world.get(), sord_new_uri(world.get(), text));
  EXPECT_TRUE(again);
}

}  // namespace
}  // namespace gridke::rdf
