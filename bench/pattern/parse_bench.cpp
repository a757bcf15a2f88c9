// Graph-pattern parsing and binding-set benchmarks (issue "Foundation", target: parse +
// canonicalise a 20-triple pattern ≤ 20 µs median).
//   BM_GraphPattern_ParseCanonical20   parse + canonical() of a 20-triple SAREF pattern
//   BM_GraphPattern_Parse20            parse only, same pattern
//   BM_GraphPattern_Canonical20        canonical() only, same pattern
//   BM_BindingSet_Insert3000x7         insert 3,000 distinct bindings of 7 variables (moved in)
//   BM_BindingSet_InsertDuplicates3000x7  look up 3,000 bindings that are all present
//   BM_BindingSet_Equal3000x7          order-insensitive equality of two such sets
//   BM_CheckComplete_3000x7            check_complete of such a set against a 7-variable pattern

#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "gridke/pattern/binding.hpp"
#include "gridke/pattern/graph_pattern.hpp"
#include "gridke/rdf/vocabulary.hpp"

namespace {

using gridke::pattern::Binding;
using gridke::pattern::BindingSet;
using gridke::pattern::GraphPattern;
using gridke::pattern::PrefixMap;
using gridke::rdf::Term;

const PrefixMap saref_prefixes = {
    {"saref", "https://saref.etsi.org/core/"},
    {"s4ener", "https://saref.etsi.org/saref4ener/"},
    {"s4grid", "https://saref.etsi.org/saref4grid/"},
    {"om", "http://www.ontology-of-units-of-measure.org/resource/om-2/"},
    {"time", "http://www.w3.org/2006/time#"},
    {"xsd", "http://www.w3.org/2001/XMLSchema#"},
    {"rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"},
};

// 20 triples in the style of the pilots' measurement patterns (prefixed names, `a`, a literal).
constexpr const char* saref_pattern_20 = R"(
?meter rdf:type saref:Meter .
?meter saref:hasFunction ?function .
?function rdf:type saref:MeteringFunction .
?meter saref:makesMeasurement ?measurement .
?measurement rdf:type saref:Measurement .
?measurement saref:relatesToProperty ?property .
?property rdf:type saref:Power .
?measurement saref:isMeasuredIn om:kilowatt .
?measurement saref:hasValue ?value .
?measurement saref:hasTimestamp ?timestamp .
?meter saref:isLocatedIn ?connectionPoint .
?connectionPoint a s4grid:ConnectionPoint .
?connectionPoint saref:hasIdentifier ?ean .
?connectionPoint s4grid:belongsTo ?feeder .
?feeder a s4grid:Feeder .
?feeder saref:hasName ?feederName .
?measurement saref:hasTime ?interval .
?interval time:hasBeginning ?begin .
?interval time:hasEnd ?end .
?measurement s4ener:hasPowerValueType "measured" .
)";

void BM_GraphPattern_ParseCanonical20(benchmark::State& state) {
  for (auto _ : state) {
    auto p = GraphPattern::parse(saref_pattern_20, saref_prefixes);
    std::string canonical = p->canonical();
    benchmark::DoNotOptimize(canonical);
  }
}
BENCHMARK(BM_GraphPattern_ParseCanonical20);

void BM_GraphPattern_Parse20(benchmark::State& state) {
  for (auto _ : state) {
    auto p = GraphPattern::parse(saref_pattern_20, saref_prefixes);
    benchmark::DoNotOptimize(p);
  }
}
BENCHMARK(BM_GraphPattern_Parse20);

void BM_GraphPattern_Canonical20(benchmark::State& state) {
  const GraphPattern p = *GraphPattern::parse(saref_pattern_20, saref_prefixes);
  for (auto _ : state) {
    std::string canonical = p.canonical();
    benchmark::DoNotOptimize(canonical);
  }
}
BENCHMARK(BM_GraphPattern_Canonical20);

// 3,000 distinct bindings of 7 variables (the TestAskAnswerLargeBindingSets shape).
std::vector<Binding> make_bindings(int count) {
  std::vector<Binding> out;
  out.reserve(static_cast<std::size_t>(count));
  const std::string xsd_decimal(gridke::rdf::vocab::xsd_decimal);
  for (int i = 0; i < count; ++i) {
    const std::string n = std::to_string(i);
    Binding b;
    b.set("meter", Term::iri("https://example.org/meter/" + std::to_string(i % 100)));
    b.set("measurement", Term::iri("https://example.org/measurement/" + n));
    b.set("property", Term::iri("https://saref.etsi.org/core/Power"));
    b.set("unit", Term::iri("http://www.ontology-of-units-of-measure.org/resource/om-2/kilowatt"));
    b.set("value", Term::literal(std::to_string(i % 97) + ".25", xsd_decimal));
    b.set("timestamp", Term::literal("2024-01-01T00:" + std::to_string(i % 60) + ":00Z",
                                     "http://www.w3.org/2001/XMLSchema#dateTime"));
    b.set("type", Term::iri("https://saref.etsi.org/core/Measurement"));
    out.push_back(std::move(b));
  }
  return out;
}

// Insert only: the bindings are copied outside the timed region and moved in, as the engine
// does with the bindings it receives.
void BM_BindingSet_Insert3000x7(benchmark::State& state) {
  const std::vector<Binding> bindings = make_bindings(3000);
  for (auto _ : state) {
    state.PauseTiming();
    std::vector<Binding> batch = bindings;
    state.ResumeTiming();
    BindingSet set;
    for (Binding& b : batch) set.insert(std::move(b));
    benchmark::DoNotOptimize(set);
    state.PauseTiming();
    batch.clear();
    set = BindingSet();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * 3000);
}
BENCHMARK(BM_BindingSet_Insert3000x7)->Unit(benchmark::kMicrosecond);

// The same 3,000 bindings inserted twice: the second round finds every one a duplicate.
void BM_BindingSet_InsertDuplicates3000x7(benchmark::State& state) {
  const std::vector<Binding> bindings = make_bindings(3000);
  BindingSet set;
  for (const Binding& b : bindings) set.insert(b);
  for (auto _ : state) {
    std::size_t inserted = 0;
    for (const Binding& b : bindings) inserted += set.contains(b) ? 0 : 1;
    benchmark::DoNotOptimize(inserted);
  }
}
BENCHMARK(BM_BindingSet_InsertDuplicates3000x7)->Unit(benchmark::kMicrosecond);

void BM_BindingSet_Equal3000x7(benchmark::State& state) {
  std::vector<Binding> bindings = make_bindings(3000);
  BindingSet a;
  for (const Binding& b : bindings) a.insert(b);
  BindingSet b;
  for (auto it = bindings.rbegin(); it != bindings.rend(); ++it) b.insert(*it);
  for (auto _ : state) {
    bool equal = a == b;
    benchmark::DoNotOptimize(equal);
  }
}
BENCHMARK(BM_BindingSet_Equal3000x7)->Unit(benchmark::kMicrosecond);

void BM_CheckComplete_3000x7(benchmark::State& state) {
  const GraphPattern p = *GraphPattern::parse(
      "?meter saref:makesMeasurement ?measurement . ?measurement rdf:type ?type . "
      "?measurement saref:relatesToProperty ?property . ?measurement saref:isMeasuredIn ?unit . "
      "?measurement saref:hasValue ?value . ?measurement saref:hasTimestamp ?timestamp .",
      saref_prefixes);
  BindingSet set;
  for (const Binding& b : make_bindings(3000)) set.insert(b);
  for (auto _ : state) {
    auto r = gridke::pattern::check_complete(set, p);
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_CheckComplete_3000x7)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
