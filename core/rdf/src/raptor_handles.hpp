#pragma once
// Private: RAII owners for Raptor2 handles (STYLE.md §2.5). Every deleter accepts nullptr, so a
// moved-from or empty owner destroys safely. Declare the world first: it must outlive every
// parser and URI made from it.
// Thread safety: a raptor_world and its parsers are used by one thread at a time.

#include <raptor2/raptor2.h>

#include <memory>

namespace gridke::rdf::detail {

struct RaptorWorldFree {
  void operator()(raptor_world* p) const noexcept {
    if (p != nullptr) raptor_free_world(p);
  }
};
using RaptorWorldPtr = std::unique_ptr<raptor_world, RaptorWorldFree>;

struct RaptorParserFree {
  void operator()(raptor_parser* p) const noexcept {
    if (p != nullptr) raptor_free_parser(p);
  }
};
using RaptorParserPtr = std::unique_ptr<raptor_parser, RaptorParserFree>;

struct RaptorUriFree {
  void operator()(raptor_uri* p) const noexcept {
    if (p != nullptr) raptor_free_uri(p);
  }
};
using RaptorUriPtr = std::unique_ptr<raptor_uri, RaptorUriFree>;

}  // namespace gridke::rdf::detail
