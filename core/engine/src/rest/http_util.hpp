#pragma once
// Small helpers shared by the REST server and client sources: IRI checks, path normalisation,
// and TLS file checks (OpenSSL).
// Thread safety: free functions; share freely.

#include <cstdint>
#include <string>
#include <string_view>

#include "gridke/base/result.hpp"
#include "gridke/http/transport.hpp"

namespace gridke::engine::rest {

/// Why `text` is not an absolute IRI (RFC 3987 shape: scheme ":" non-empty rest, no white
/// space or <>"{}|\^` characters, a non-empty authority after "//"), or "" when it is one.
std::string iri_problem(std::string_view text);

/// Strips trailing slashes ("/rest/sc/" → "/rest/sc"; "/" stays "/").
std::string normalise_path(std::string_view path);

/// Loads every named file with OpenSSL and checks that the key fits the certificate, so
/// mistakes surface at start-up with the file named. Errors: invalid_argument ("TLS
/// certificate file X cannot be used: <OpenSSL reason>", likewise key and CA; "does not match").
Result<void> check_tls_files(const http::TlsFiles& files);

}  // namespace gridke::engine::rest
