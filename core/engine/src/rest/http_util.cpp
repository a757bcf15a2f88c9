#include "http_util.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <memory>

namespace gridke::engine::rest {

std::string iri_problem(std::string_view text) {
  if (text.empty()) return "it is empty";
  std::size_t colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0) return "it has no scheme (e.g. 'http:')";
  auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  if (!alpha(text[0])) return "its scheme must start with a letter";
  for (std::size_t i = 1; i < colon; ++i) {
    char c = text[i];
    if (!alpha(c) && !(c >= '0' && c <= '9') && c != '+' && c != '-' && c != '.') {
      return std::string("its scheme contains '") + c + "'";
    }
  }
  std::string_view rest = text.substr(colon + 1);
  if (rest.empty()) return "nothing follows the scheme";
  for (char c : text) {
    if (static_cast<unsigned char>(c) <= 0x20 || std::strchr("<>\"{}|\\^`", c) != nullptr) {
      if (c == ' ') return "it contains a space";
      return std::string("it contains the character '") + c + "'";
    }
  }
  if (rest.starts_with("//")) {
    std::string_view authority = rest.substr(2);
    authority = authority.substr(0, authority.find_first_of("/?#"));
    if (authority.empty()) return "its authority (host) is empty";
  }
  return {};
}

std::string normalise_path(std::string_view path) {
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  return std::string(path);
}

namespace {

std::string openssl_reason() {
  unsigned long code = ERR_get_error();
  std::string out;
  while (code != 0) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof buf);
    out = buf;  // the last queued error is the most specific
    code = ERR_get_error();
  }
  return out.empty() ? "unknown OpenSSL error" : out;
}

struct SslCtxFree {
  void operator()(SSL_CTX* ctx) const noexcept { SSL_CTX_free(ctx); }
};

}  // namespace

Result<void> check_tls_files(const http::TlsFiles& files) {
  std::unique_ptr<SSL_CTX, SslCtxFree> ctx(SSL_CTX_new(TLS_method()));
  if (!ctx) return internal_error("OpenSSL cannot create a TLS context: " + openssl_reason());
  ERR_clear_error();
  if (!files.certificate_file.empty() &&
      SSL_CTX_use_certificate_chain_file(ctx.get(), files.certificate_file.c_str()) != 1) {
    return invalid_argument("TLS certificate file " + files.certificate_file +
                            " cannot be used: " + openssl_reason());
  }
  if (!files.private_key_file.empty()) {
    if (SSL_CTX_use_PrivateKey_file(ctx.get(), files.private_key_file.c_str(), SSL_FILETYPE_PEM) !=
        1) {
      std::string reason = openssl_reason();
      if (reason.find("mismatch") != std::string::npos) {
        return invalid_argument("TLS private key file " + files.private_key_file +
                                " does not match the certificate in " + files.certificate_file +
                                ": " + reason);
      }
      return invalid_argument("TLS private key file " + files.private_key_file +
                              " cannot be used: " + reason);
    }
    if (!files.certificate_file.empty() && SSL_CTX_check_private_key(ctx.get()) != 1) {
      return invalid_argument("TLS private key file " + files.private_key_file +
                              " does not match the certificate in " + files.certificate_file +
                              ": " + openssl_reason());
    }
  }
  if (files.certificate_file.empty() != files.private_key_file.empty()) {
    return invalid_argument(
        "TLS: a certificate and its private key must be given together (got only the " +
        std::string(files.certificate_file.empty() ? "key " + files.private_key_file
                                                   : "certificate " + files.certificate_file) +
        ")");
  }
  if (!files.ca_file.empty() &&
      SSL_CTX_load_verify_locations(ctx.get(), files.ca_file.c_str(), nullptr) != 1) {
    return invalid_argument("TLS CA file " + files.ca_file +
                            " cannot be used: " + openssl_reason());
  }
  return ok();
}

}  // namespace gridke::engine::rest
