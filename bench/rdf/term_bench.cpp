// Benchmarks of the binding text form, on the hot path of every exchange (parse on input,
// print on output). Each workload is one typical value of the given kind.

#include "gridke/rdf/term.hpp"

#include <benchmark/benchmark.h>

#include <string_view>

namespace {

using gridke::rdf::parse_term;

// Parses then prints one value; the round trip the engine does for each binding value.
void run_round_trip(benchmark::State& state, std::string_view text) {
  for (auto _ : state) {
    auto term = parse_term(text);
    std::string out = term->to_string();
    benchmark::DoNotOptimize(out);
  }
}

void run_parse(benchmark::State& state, std::string_view text) {
  for (auto _ : state) {
    auto term = parse_term(text);
    benchmark::DoNotOptimize(term);
  }
}

void run_print(benchmark::State& state, std::string_view text) {
  const auto term = parse_term(text).value();
  for (auto _ : state) {
    std::string out = term.to_string();
    benchmark::DoNotOptimize(out);
  }
}

constexpr std::string_view iri = "<https://example.org/grid/meter/0123456789>";
constexpr std::string_view typed = "\"21.5\"^^<http://www.w3.org/2001/XMLSchema#decimal>";
constexpr std::string_view plain = "\"Transformer T1 at substation Noord\"";
constexpr std::string_view lang = "\"eek\"@en";
constexpr std::string_view number = "68.2";
constexpr std::string_view escaped = "\"line one\\nline \\\"two\\\" caf\\u00E9\"";
constexpr std::string_view variable = "?x";

// Parse + print of an IRI of 43 characters.
void BM_Term_RoundTripIri(benchmark::State& s) { run_round_trip(s, iri); }
// Parse + print of "21.5"^^xsd:decimal.
void BM_Term_RoundTripTypedLiteral(benchmark::State& s) { run_round_trip(s, typed); }
// Parse + print of a 34-character simple literal.
void BM_Term_RoundTripPlainLiteral(benchmark::State& s) { run_round_trip(s, plain); }
// Parse + print of "eek"@en.
void BM_Term_RoundTripLangLiteral(benchmark::State& s) { run_round_trip(s, lang); }
// Parse + print of the bare number 68.2 (becomes "68.2"^^xsd:decimal).
void BM_Term_RoundTripBareNumber(benchmark::State& s) { run_round_trip(s, number); }
// Parse + print of a literal with \n, \" and \u escapes.
void BM_Term_RoundTripEscapedLiteral(benchmark::State& s) { run_round_trip(s, escaped); }
// Parse only, IRI and typed literal.
void BM_Term_ParseIri(benchmark::State& s) { run_parse(s, iri); }
void BM_Term_ParseTypedLiteral(benchmark::State& s) { run_parse(s, typed); }
// Print only, IRI and typed literal.
void BM_Term_PrintIri(benchmark::State& s) { run_print(s, iri); }
void BM_Term_PrintTypedLiteral(benchmark::State& s) { run_print(s, typed); }
// Rejection of a variable (error path: builds the message).
void BM_Term_RejectVariable(benchmark::State& s) {
  for (auto _ : s) {
    auto term = parse_term(variable);
    benchmark::DoNotOptimize(term);
  }
}
// same_value_as of "1"^^xsd:int and "1.0"^^xsd:decimal.
void BM_Term_SameValueNumbers(benchmark::State& s) {
  const auto a = parse_term("\"1\"^^<http://www.w3.org/2001/XMLSchema#int>").value();
  const auto b = parse_term("\"1.0\"^^<http://www.w3.org/2001/XMLSchema#decimal>").value();
  for (auto _ : s) benchmark::DoNotOptimize(a.same_value_as(b));
}
// hash() of a typed literal.
void BM_Term_HashTypedLiteral(benchmark::State& s) {
  const auto a = parse_term(typed).value();
  for (auto _ : s) benchmark::DoNotOptimize(a.hash());
}

BENCHMARK(BM_Term_RoundTripIri);
BENCHMARK(BM_Term_RoundTripTypedLiteral);
BENCHMARK(BM_Term_RoundTripPlainLiteral);
BENCHMARK(BM_Term_RoundTripLangLiteral);
BENCHMARK(BM_Term_RoundTripBareNumber);
BENCHMARK(BM_Term_RoundTripEscapedLiteral);
BENCHMARK(BM_Term_ParseIri);
BENCHMARK(BM_Term_ParseTypedLiteral);
BENCHMARK(BM_Term_PrintIri);
BENCHMARK(BM_Term_PrintTypedLiteral);
BENCHMARK(BM_Term_RejectVariable);
BENCHMARK(BM_Term_SameValueNumbers);
BENCHMARK(BM_Term_HashTypedLiteral);

}  // namespace

BENCHMARK_MAIN();
