// Tests for pdl_cipher.hpp: AES-256-GCM tokens are deterministic per key, decrypt back, differ
// between keys, detect tampering, and key errors never print the key.

#include "gridke/services/metering/pdl_cipher.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gridke_matchers.hpp"

namespace gridke::services::metering {
// Named per file: unity builds concatenate the test sources of this executable.
namespace pdl_cipher_test {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kKey = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
constexpr const char* kOtherKey =
    "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100";

TEST(PdlCipher, EncryptsDeterministicallyAndDecrypts) {
  auto c = PdlCipher::create(kKey);
  ASSERT_THAT(c, IsOk());
  auto t1 = c->encrypt("09876543210123");
  auto t2 = c->encrypt("09876543210123");
  auto t3 = c->encrypt("09876543210124");
  ASSERT_THAT(t1, IsOk());
  EXPECT_EQ(*t1, *t2);
  EXPECT_NE(*t1, *t3);
  EXPECT_THAT(*t1, Not(HasSubstr("09876543210123")));
  EXPECT_EQ(t1->size(), 56u);  // base64url of 12 + 14 + 16 bytes
  EXPECT_EQ(*c->decrypt(*t1), "09876543210123");
}

TEST(PdlCipher, RejectsOtherKeysAndTamperedTokens) {
  auto c = PdlCipher::create(kKey);
  auto other = PdlCipher::create(kOtherKey);
  const auto token = *c->encrypt("09876543210123");
  EXPECT_NE(*other->encrypt("09876543210123"), token);
  EXPECT_THAT(other->decrypt(token),
              HasError(ErrorCode::permission_denied, HasSubstr("authentication failed")));
  std::string tampered = token;
  tampered[20] = tampered[20] == 'A' ? 'B' : 'A';
  EXPECT_THAT(c->decrypt(tampered), HasError(ErrorCode::permission_denied, HasSubstr("token")));
  EXPECT_THAT(c->decrypt("abc"), HasError(ErrorCode::invalid_argument, HasSubstr("too short")));
  EXPECT_THAT(c->decrypt("a+b/"), HasError(ErrorCode::invalid_argument, HasSubstr("base64url")));
}

TEST(PdlCipher, KeyErrorsDoNotShowTheKey) {
  const std::string short_key = std::string(kKey).substr(0, 40);
  EXPECT_THAT(PdlCipher::create(short_key),
              HasError(ErrorCode::invalid_argument,
                       AllOf(HasSubstr("got 40 characters"), Not(HasSubstr(short_key)))));
  std::string bad = kKey;
  bad[9] = 'g';
  EXPECT_THAT(PdlCipher::create(bad),
              HasError(ErrorCode::invalid_argument,
                       AllOf(HasSubstr("character 9 is not a hexadecimal digit"),
                             Not(HasSubstr("0001020304")))));
}

}  // namespace pdl_cipher_test
}  // namespace gridke::services::metering
