// Benchmarks of Graph: loading the OM-2 ontology (RDF/XML, 2 MB, 28,505 distinct triples) and
// the same content as Turtle and N-Triples, triple-pattern lookup and serialisation.
// The OM-2 workloads are skipped when ../shared is absent; bench/rdf/om2_load.sh compares the
// same loads with the rapper and serdi command-line tools.

#include "gridke/rdf/graph.hpp"

#include <benchmark/benchmark.h>

#include <filesystem>
#include <optional>
#include <string>

namespace {

using gridke::rdf::Graph;
using gridke::rdf::Syntax;
using gridke::rdf::Term;
using gridke::rdf::Triple;

const std::filesystem::path om2_rdf =
    std::filesystem::path(GRIDKE_SHARED_DIR) / "ontology-reference/om-2/om-2.0.rdf";
const std::string om = "http://www.ontology-of-units-of-measure.org/resource/om-2/";

// OM-2 parsed once, and its Turtle / N-Triples text, shared by the workloads below.
const Graph* om2_graph() {
  static const std::optional<Graph> graph = []() -> std::optional<Graph> {
    auto g = Graph::parse_file(om2_rdf);
    if (!g) return std::nullopt;
    return std::move(g).value();
  }();
  return graph ? &*graph : nullptr;
}

const std::string& om2_text(Syntax syntax) {
  static const std::string turtle = om2_graph() ? om2_graph()->write(Syntax::turtle).value() : "";
  static const std::string ntriples =
      om2_graph() ? om2_graph()->write(Syntax::ntriples).value() : "";
  return syntax == Syntax::turtle ? turtle : ntriples;
}

// Graph::parse_file of om-2.0.rdf (RDF/XML via Raptor2, 2.0 MB).
void BM_Graph_LoadOm2RdfXml(benchmark::State& state) {
  if (!om2_graph()) {
    state.SkipWithError("om-2.0.rdf absent");
    return;
  }
  for (auto _ : state) {
    auto g = Graph::parse_file(om2_rdf);
    benchmark::DoNotOptimize(g);
  }
  state.counters["triples"] = static_cast<double>(om2_graph()->size());
}

// Graph::parse_string of OM-2 as abbreviated Turtle (Serd).
void BM_Graph_LoadOm2Turtle(benchmark::State& state) {
  if (!om2_graph()) {
    state.SkipWithError("om-2.0.rdf absent");
    return;
  }
  const std::string& text = om2_text(Syntax::turtle);
  for (auto _ : state) {
    auto g = Graph::parse_string(text, Syntax::turtle);
    benchmark::DoNotOptimize(g);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}

// Graph::parse_string of OM-2 as N-Triples (Serd).
void BM_Graph_LoadOm2NTriples(benchmark::State& state) {
  if (!om2_graph()) {
    state.SkipWithError("om-2.0.rdf absent");
    return;
  }
  const std::string& text = om2_text(Syntax::ntriples);
  for (auto _ : state) {
    auto g = Graph::parse_string(text, Syntax::ntriples);
    benchmark::DoNotOptimize(g);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}

// find(om:volt, ?, ?) on OM-2: subject lookup (SPO index) returning ~20 triples.
void BM_Graph_FindBySubject(benchmark::State& state) {
  if (!om2_graph()) {
    state.SkipWithError("om-2.0.rdf absent");
    return;
  }
  const Term volt = Term::iri(om + "volt");
  for (auto _ : state) {
    auto r = om2_graph()->find(volt, std::nullopt, std::nullopt);
    benchmark::DoNotOptimize(r);
  }
}

// find(?, rdf:type, om:Unit) on OM-2: predicate-object lookup (POS index), hundreds of results.
void BM_Graph_FindByPredicateObject(benchmark::State& state) {
  if (!om2_graph()) {
    state.SkipWithError("om-2.0.rdf absent");
    return;
  }
  const Term type = Term::iri("http://www.w3.org/1999/02/22-rdf-syntax-ns#type");
  const Term unit = Term::iri(om + "Unit");
  std::size_t n = 0;
  for (auto _ : state) {
    auto r = om2_graph()->find(std::nullopt, type, unit);
    n = r.size();
    benchmark::DoNotOptimize(r);
  }
  state.counters["results"] = static_cast<double>(n);
}

// contains() of one present triple on OM-2.
void BM_Graph_Contains(benchmark::State& state) {
  if (!om2_graph()) {
    state.SkipWithError("om-2.0.rdf absent");
    return;
  }
  const Triple t{Term::iri(om + "volt"),
                 Term::iri("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                 Term::iri(om + "Unit")};
  for (auto _ : state) benchmark::DoNotOptimize(om2_graph()->contains(t));
}

// add() of 10,000 new triples (one subject per 10 triples) into an empty graph.
void BM_Graph_Add10k(benchmark::State& state) {
  const Term p = Term::iri("http://example.org/p");
  for (auto _ : state) {
    Graph g;
    for (int i = 0; i < 10000; ++i) {
      g.add({Term::iri("http://example.org/s" + std::to_string(i / 10)), p,
             Term::literal(std::to_string(i), "http://www.w3.org/2001/XMLSchema#integer")});
    }
    benchmark::DoNotOptimize(g);
  }
}

// write(Syntax::turtle) of OM-2 (abbreviated, with its 13 prefixes).
void BM_Graph_WriteOm2Turtle(benchmark::State& state) {
  if (!om2_graph()) {
    state.SkipWithError("om-2.0.rdf absent");
    return;
  }
  for (auto _ : state) {
    auto text = om2_graph()->write(Syntax::turtle);
    benchmark::DoNotOptimize(text);
  }
}

BENCHMARK(BM_Graph_LoadOm2RdfXml)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Graph_LoadOm2Turtle)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Graph_LoadOm2NTriples)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Graph_FindBySubject)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Graph_FindByPredicateObject)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Graph_Contains);
BENCHMARK(BM_Graph_Add10k)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Graph_WriteOm2Turtle)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
