#include "gridke/security/digest.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <ctime>
#include <vector>

namespace gridke::security {

namespace {

std::string to_hex(const unsigned char* data, std::size_t size) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out(size * 2, '0');
  for (std::size_t i = 0; i < size; ++i) {
    out[2 * i] = digits[data[i] >> 4];
    out[2 * i + 1] = digits[data[i] & 0xF];
  }
  return out;
}

void append_field(std::string& out, std::string_view field) {
  out += std::to_string(field.size());
  out += ':';
  out += field;
}

}  // namespace

std::string sha256_hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  // EVP_Digest cannot fail for SHA-256 on in-memory input short of allocation failure.
  EVP_Digest(data.data(), data.size(), md, &size, EVP_sha256(), nullptr);
  return to_hex(md, size);
}

Result<std::string> random_hex(std::size_t bytes) {
  std::vector<unsigned char> buf(bytes);
  if (RAND_bytes(buf.data(), static_cast<int>(buf.size())) != 1) {
    return internal_error("OpenSSL RAND_bytes failed: the random generator is not seeded");
  }
  return to_hex(buf.data(), buf.size());
}

std::string binding_set_digest(const pattern::BindingSet& bindings) {
  std::vector<std::string> canonical;
  canonical.reserve(bindings.size());
  for (const auto& b : bindings) {
    std::string one;
    for (const auto& [name, term] : b.values()) {  // values() is sorted by name
      append_field(one, name);
      append_field(one, term.to_string());
    }
    canonical.push_back(std::move(one));
  }
  std::sort(canonical.begin(), canonical.end());
  std::string all = "gridke-binding-set-v1;";
  for (const auto& c : canonical) append_field(all, c);
  return sha256_hex(all);
}

std::string format_utc(std::chrono::system_clock::time_point t) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  long milli = static_cast<long>(ms % 1000);
  if (milli < 0) {
    milli += 1000;
    --secs;
  }
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char frac[8];
  std::snprintf(frac, sizeof frac, ".%03ldZ", milli);
  return std::string(buf, n) + frac;
}

std::int64_t to_unix_ms(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

std::chrono::system_clock::time_point from_unix_ms(std::int64_t ms) {
  return std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(
          std::chrono::milliseconds(ms)));
}

}  // namespace gridke::security
