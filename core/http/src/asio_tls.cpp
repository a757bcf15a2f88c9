// TLS contexts of the Boost.Beast transport from PEM files.
#include "asio_tls.hpp"

#include <boost/system/system_error.hpp>

#include <string>

namespace gridke::http::detail {

namespace {

namespace ssl = boost::asio::ssl;

std::unique_ptr<ssl::context> tls12_context() {
  auto ctx = std::make_unique<ssl::context>(ssl::context::tls);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                   ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                   ssl::context::single_dh_use);
  return ctx;
}

// Runs one OpenSSL-backed step; a failure names the file and what it was for.
template <class Step>
Result<void> tls_step(std::string_view what, const std::string& file, Step step) {
  try {
    step();
    return ok();
  } catch (const boost::system::system_error& e) {
    return invalid_argument("TLS " + std::string(what) + " file '" + file +
                            "' cannot be used: " + e.code().message());
  }
}

Result<void> load_identity(ssl::context& ctx, const TlsFiles& files) {
  GRIDKE_TRY(tls_step("certificate", files.certificate_file,
                      [&] { ctx.use_certificate_chain_file(files.certificate_file); }));
  return tls_step("private key", files.private_key_file,
                  [&] { ctx.use_private_key_file(files.private_key_file, ssl::context::pem); });
}

}  // namespace

Result<std::unique_ptr<ssl::context>> make_server_tls(const TlsFiles& files) {
  if (files.certificate_file.empty() || files.private_key_file.empty()) {
    return invalid_argument("TLS needs both a certificate file and a private key file");
  }
  auto ctx = tls12_context();
  GRIDKE_TRY(load_identity(*ctx, files));
  if (!files.ca_file.empty()) {
    GRIDKE_TRY(tls_step("client CA", files.ca_file, [&] {
      ctx->load_verify_file(files.ca_file);
      ctx->set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
    }));
  }
  return ctx;
}

Result<std::unique_ptr<ssl::context>> make_client_tls(const TlsFiles& files) {
  auto ctx = tls12_context();
  if (!files.certificate_file.empty() || !files.private_key_file.empty()) {
    if (files.certificate_file.empty() || files.private_key_file.empty()) {
      return invalid_argument("a TLS client certificate needs both a certificate and a key file");
    }
    GRIDKE_TRY(load_identity(*ctx, files));
  }
  if (files.ca_file.empty()) {
    GRIDKE_TRY(tls_step("system CA", "(default paths)", [&] { ctx->set_default_verify_paths(); }));
  } else {
    GRIDKE_TRY(tls_step("CA", files.ca_file, [&] { ctx->load_verify_file(files.ca_file); }));
  }
  ctx->set_verify_mode(ssl::verify_peer);
  return ctx;
}

}  // namespace gridke::http::detail
