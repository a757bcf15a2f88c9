// Keyed pseudonyms; see pseudonymiser.hpp.

#include "gridke/services/flexibility_response/pseudonymiser.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <array>
#include <fstream>
#include <iterator>

namespace gridke::services::flexibility_response {
namespace {

std::string to_hex(const unsigned char* data, std::size_t size) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out(2 * size, '0');
  for (std::size_t i = 0; i < size; ++i) {
    out[2 * i] = digits[data[i] >> 4];
    out[2 * i + 1] = digits[data[i] & 0x0f];
  }
  return out;
}

Result<std::string> random_bytes(std::size_t size) {
  std::string out(size, '\0');
  // RAND_bytes fails only when the CSPRNG cannot be seeded; a pseudonym key or request id from
  // a weak source would be worse than failing the call.
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(size)) != 1) {
    return unavailable("OpenSSL RAND_bytes failed: the random generator is not seeded");
  }
  return out;
}

}  // namespace

Result<Pseudonymiser> Pseudonymiser::create(std::string key) {
  if (key.size() < kMinPseudonymKeyBytes) {
    return invalid_argument("pseudonym key has " + std::to_string(key.size()) +
                            " bytes; at least " + std::to_string(kMinPseudonymKeyBytes) +
                            " are required");
  }
  return Pseudonymiser(std::move(key));
}

Result<Pseudonymiser> Pseudonymiser::with_random_key() {
  GRIDKE_ASSIGN_OR_RETURN(auto key, random_bytes(32));
  return Pseudonymiser(std::move(key));
}

std::string Pseudonymiser::pseudonym(std::string_view user_id) const {
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int length = 0;
  HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
       reinterpret_cast<const unsigned char*>(user_id.data()), user_id.size(), mac.data(), &length);
  return "P-" + to_hex(mac.data(), 8);
}

Result<std::string> load_pseudonym_key(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return not_found("cannot read the pseudonym key file '" + path + "'");
  std::string key((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!key.empty() && key.back() == '\n') key.pop_back();
  if (!key.empty() && key.back() == '\r') key.pop_back();
  if (key.size() < kMinPseudonymKeyBytes) {
    return invalid_argument("pseudonym key file '" + path + "' holds " +
                            std::to_string(key.size()) + " bytes; at least " +
                            std::to_string(kMinPseudonymKeyBytes) + " are required");
  }
  return key;
}

Result<std::string> random_hex(std::size_t bytes) {
  GRIDKE_ASSIGN_OR_RETURN(const std::string raw, random_bytes(bytes));
  return to_hex(reinterpret_cast<const unsigned char*>(raw.data()), raw.size());
}

std::string sha256_hex(std::string_view text) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  EVP_Digest(text.data(), text.size(), digest.data(), &length, EVP_sha256(), nullptr);
  return to_hex(digest.data(), length);
}

}  // namespace gridke::services::flexibility_response
