#pragma once
// Small helpers shared by the REST server and client sources: IRI checks, path normalisation,
// free ports and TLS file checks (OpenSSL).
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

/// PEM files of one TLS endpoint (server or client side).
struct TlsFiles {
  std::string certificate_file;  ///< may be empty on a client (no client certificate)
  std::string private_key_file;
  std::string ca_file;  ///< server: CA of client certificates; client: CA of the server
};

/// Loads every named file with OpenSSL and checks that the key fits the certificate, so
/// mistakes surface at start-up with the file named. Errors: invalid_argument ("TLS
/// certificate file X cannot be used: <OpenSSL reason>", likewise key and CA; "does not match").
Result<void> check_tls_files(const TlsFiles& files);

}  // namespace gridke::engine::rest
