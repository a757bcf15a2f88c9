#pragma once
// Small helpers shared by the REST server sources: IRI checks, path normalisation, free ports.
// Thread safety: free functions; share freely.

#include <cstdint>
#include <string>
#include <string_view>

#include "gridke/base/result.hpp"

namespace gridke::engine::rest {

/// Why `text` is not an absolute IRI (RFC 3987 shape: scheme ":" non-empty rest, no white
/// space or <>"{}|\^` characters, a non-empty authority after "//"), or "" when it is one.
std::string iri_problem(std::string_view text);

/// Strips trailing slashes ("/rest/sc/" → "/rest/sc"; "/" stays "/").
std::string normalise_path(std::string_view path);

/// Binds a TCP socket to port 0 on `host` and returns the port the kernel chose.
/// Errors: unavailable with the socket error.
Result<std::uint16_t> pick_free_port(const std::string& host);

}  // namespace gridke::engine::rest
