// Ontology loading and validation (issue 4 target: loading SAREF + SAREF4ENER + SAREF4GRID +
// OM-2 (2 MB RDF/XML) and validating all of graph-patterns/ ≤ 1 s wall). The official files come
// from ../shared/ontology-reference; a benchmark that needs them skips when they are absent.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "gridke/ontology/ontology.hpp"
#include "gridke/ontology/validator.hpp"

namespace {

const std::string reference = GRIDKE_SHARED_DIR "/ontology-reference/";
const std::string patterns = GRIDKE_SOURCE_DIR "/graph-patterns";

bool load_official(gridke::ontology::Ontology& o) {
  for (const char* f : {"saref-core-v3.1.1/saref.ttl", "saref4ener-v1.1.2/saref4ener.ttl",
                        "saref4grid-v1.0.0-dev/saref4grid.ttl", "om-2/om-2.0.rdf"}) {
    if (!o.load_file(reference + f).has_value()) return false;
  }
  return true;
}

// Official SAREF core 3.1.1 + SAREF4ENER 1.1.2 + SAREF4GRID + OM-2 (2.0 MB RDF/XML, 30,611
// triples).
void BM_Ontology_LoadOfficialSarefAndOm2(benchmark::State& state) {
  if (!std::filesystem::exists(reference)) {
    state.SkipWithError("no ../shared/ontology-reference");
    return;
  }
  for (auto _ : state) {
    gridke::ontology::Ontology o;
    if (!load_official(o)) {
      state.SkipWithError("loading the official files failed");
      return;
    }
    benchmark::DoNotOptimize(o.size());
  }
}
BENCHMARK(BM_Ontology_LoadOfficialSarefAndOm2)->Unit(benchmark::kMillisecond);

// The built-in ontologies/ folder (10 Turtle files, declarations only).
void BM_Ontology_LoadBuiltin(benchmark::State& state) {
  setenv("GRIDKE_ONTOLOGY_DIR", GRIDKE_SOURCE_DIR "/ontologies", 1);
  for (auto _ : state) {
    auto o = gridke::ontology::load_builtin_ontology();
    if (!o.has_value()) {
      state.SkipWithError(o.error().to_string().c_str());
      return;
    }
    benchmark::DoNotOptimize(o->size());
  }
}
BENCHMARK(BM_Ontology_LoadBuiltin)->Unit(benchmark::kMillisecond);

// Validating every contract of graph-patterns/ (34+ contracts) with pairing at level 2.
void BM_Validator_GraphPatterns(benchmark::State& state) {
  setenv("GRIDKE_ONTOLOGY_DIR", GRIDKE_SOURCE_DIR "/ontologies", 1);
  auto o = gridke::ontology::load_builtin_ontology();
  if (!o.has_value()) {
    state.SkipWithError(o.error().to_string().c_str());
    return;
  }
  for (auto _ : state) {
    auto r = gridke::ontology::validate(*o, {patterns});
    benchmark::DoNotOptimize(r.has_value());
  }
}
BENCHMARK(BM_Validator_GraphPatterns)->Unit(benchmark::kMillisecond);

// The target workload end to end: load the official SAREF family + OM-2 and the
// built-in dso: files, then validate all of graph-patterns/.
void BM_Validator_OfficialOntologiesPlusGraphPatterns(benchmark::State& state) {
  if (!std::filesystem::exists(reference)) {
    state.SkipWithError("no ../shared/ontology-reference");
    return;
  }
  for (auto _ : state) {
    gridke::ontology::Ontology o;
    if (!load_official(o) || !o.load_directory(GRIDKE_SOURCE_DIR "/ontologies").has_value()) {
      state.SkipWithError("loading failed");
      return;
    }
    auto r = gridke::ontology::validate(o, {patterns});
    benchmark::DoNotOptimize(r.has_value());
  }
}
BENCHMARK(BM_Validator_OfficialOntologiesPlusGraphPatterns)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
