#pragma once
// Shared by the rdf tests: GoogleTest printers for terms and triples, and lit() for typed
// literals. One definition each, so that unity builds can merge the test files.
// Thread safety: pure functions.

#include <ostream>
#include <string>
#include <string_view>
#include <utility>

#include "gridke/rdf/graph.hpp"
#include "gridke/rdf/term.hpp"

namespace gridke::rdf {

inline void PrintTo(const Term& t, std::ostream* os) { *os << t.to_string(); }
inline void PrintTo(const Triple& t, std::ostream* os) {
  *os << t.subject.to_string() << ' ' << t.predicate.to_string() << ' ' << t.object.to_string();
}

namespace test_terms {
/// A typed literal: lexical form and datatype IRI.
inline Term lit(std::string lex, std::string_view dt) {
  return Term::literal(std::move(lex), std::string(dt));
}
}  // namespace test_terms

}  // namespace gridke::rdf
