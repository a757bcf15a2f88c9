// gridke_rdf_load FILE: loads an RDF file (syntax from the extension) into a Graph and prints
// the number of distinct triples. Used by bench/rdf/om2_load.sh to time Graph::parse_file as a
// process, beside rapper and serdi. Exit status 0 on success, 3 on a load error.

#include "gridke/rdf/graph.hpp"

#include <cstdio>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: gridke_rdf_load FILE(.ttl|.nt|.rdf|.owl|.xml)\n");
    return 2;
  }
  auto graph = gridke::rdf::Graph::parse_file(argv[1]);
  if (!graph) {
    std::fprintf(stderr, "gridke_rdf_load: %s\n", graph.error().to_string().c_str());
    return graph.error().exit_code();
  }
  std::printf("%zu\n", graph->size());
  return 0;
}
