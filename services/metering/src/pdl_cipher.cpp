#include "gridke/services/metering/pdl_cipher.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <memory>
#include <vector>

namespace gridke::services::metering {
namespace {

constexpr std::size_t kNonceBytes = 12;
constexpr std::size_t kTagBytes = 16;
constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* c) const noexcept { EVP_CIPHER_CTX_free(c); }
};
using CipherCtxPtr = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree>;

std::string base64url(const std::vector<std::uint8_t>& in) {
  std::string out;
  std::uint32_t acc = 0;
  int bits = 0;
  for (std::uint8_t b : in) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kAlphabet[(acc >> bits) & 0x3F];
    }
  }
  if (bits > 0) out += kAlphabet[(acc << (6 - bits)) & 0x3F];
  return out;
}

Result<std::vector<std::uint8_t>> unbase64url(std::string_view in) {
  std::vector<std::uint8_t> out;
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    int v = -1;
    if (c >= 'A' && c <= 'Z')
      v = c - 'A';
    else if (c >= 'a' && c <= 'z')
      v = c - 'a' + 26;
    else if (c >= '0' && c <= '9')
      v = c - '0' + 52;
    else if (c == '-')
      v = 62;
    else if (c == '_')
      v = 63;
    if (v < 0) return invalid_argument("delivery point token: not base64url");
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<std::uint8_t>((acc >> bits) & 0xFF));
    }
  }
  return out;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Result<PdlCipher> PdlCipher::create(std::string_view key_hex) {
  if (key_hex.size() != 64) {
    return invalid_argument("PdL encryption key: expected 64 hexadecimal digits (AES-256), got " +
                            std::to_string(key_hex.size()) + " characters");
  }
  PdlCipher c;
  for (std::size_t i = 0; i < 32; ++i) {
    const int hi = hex_digit(key_hex[2 * i]), lo = hex_digit(key_hex[2 * i + 1]);
    if (hi < 0 || lo < 0) {
      return invalid_argument("PdL encryption key: character " +
                              std::to_string(hi < 0 ? 2 * i : 2 * i + 1) +
                              " is not a hexadecimal digit");
    }
    c.key_[i] = static_cast<std::uint8_t>(hi * 16 + lo);
  }
  return c;
}

Result<std::string> PdlCipher::encrypt(std::string_view prm) const {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  if (HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
           reinterpret_cast<const unsigned char*>(prm.data()), prm.size(), mac,
           &mac_len) == nullptr) {
    return internal_error("PdL encryption: HMAC-SHA256 failed");
  }
  std::vector<std::uint8_t> out(mac, mac + kNonceBytes);
  out.resize(kNonceBytes + prm.size() + kTagBytes);
  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key_.data(), mac) != 1 ||
      EVP_EncryptUpdate(ctx.get(), out.data() + kNonceBytes, &len,
                        reinterpret_cast<const unsigned char*>(prm.data()),
                        static_cast<int>(prm.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), out.data() + kNonceBytes + len, &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kTagBytes),
                          out.data() + kNonceBytes + prm.size()) != 1) {
    return internal_error("PdL encryption: AES-256-GCM failed");
  }
  return base64url(out);
}

Result<std::string> PdlCipher::decrypt(std::string_view token) const {
  GRIDKE_ASSIGN_OR_RETURN(auto raw, unbase64url(token));
  if (raw.size() < kNonceBytes + kTagBytes) {
    return invalid_argument("delivery point token: too short (" + std::to_string(raw.size()) +
                            " bytes)");
  }
  const std::size_t n = raw.size() - kNonceBytes - kTagBytes;
  std::string out(n, '\0');
  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  if (!ctx ||
      EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key_.data(), raw.data()) != 1 ||
      EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &len,
                        raw.data() + kNonceBytes, static_cast<int>(n)) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kTagBytes),
                          raw.data() + kNonceBytes + n) != 1) {
    return internal_error("PdL decryption: AES-256-GCM failed");
  }
  if (EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(out.data()) + len, &len) !=
      1) {
    return permission_denied(
        "delivery point token: authentication failed (another key or a "
        "modified token)");
  }
  return out;
}

}  // namespace gridke::services::metering
