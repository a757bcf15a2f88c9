#pragma once
// TLS contexts for the Boost.Beast transport (transport.hpp): built from PEM files, with every
// failure reported as an Error naming the file. Private to core/http.
// Thread safety: free functions.

#include <boost/asio/ssl/context.hpp>

#include <memory>

#include "gridke/base/result.hpp"
#include "gridke/http/transport.hpp"

namespace gridke::http::detail {

/// A server context: TLS 1.2+, certificate chain and key (both required), and with a CA file
/// client certificates are required and verified (mutual TLS). Errors: invalid_argument naming
/// the file and OpenSSL's reason ("TLS certificate file X cannot be used: …").
Result<std::unique_ptr<boost::asio::ssl::context>> make_server_tls(const TlsFiles& files);

/// A client context: TLS 1.2+, the server verified against `ca_file` (or the system CAs when
/// empty); a certificate and key when given (mutual TLS). Errors as make_server_tls.
Result<std::unique_ptr<boost::asio::ssl::context>> make_client_tls(const TlsFiles& files);

}  // namespace gridke::http::detail
