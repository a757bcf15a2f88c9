// Tests for pseudonymiser.hpp: keyed, deterministic, key-dependent pseudonyms (HMAC-SHA256).

#include "gridke/services/flexibility_response/pseudonymiser.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "gridke_matchers.hpp"

namespace gridke::services::flexibility_response {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;

constexpr const char* kKey = "0123456789abcdef-test-key";

TEST(Pseudonymiser, GivesTheSamePseudonymForTheSameIdAndKey) {
  const auto a = Pseudonymiser::create(kKey);
  const auto b = Pseudonymiser::create(kKey);
  ASSERT_THAT(a, IsOk());
  ASSERT_THAT(b, IsOk());
  EXPECT_EQ(a->pseudonym("MAC000060"), b->pseudonym("MAC000060"));
  EXPECT_NE(a->pseudonym("MAC000060"), a->pseudonym("MAC000061"));
  EXPECT_THAT(a->pseudonym("MAC000060"), MatchesRegex("P-[0-9a-f]{16}"));
}

TEST(Pseudonymiser, MatchesHmacSha256OfTheId) {
  // RFC 4231 test case 1: key 0x0b × 20, data "Hi There" → HMAC-SHA256 b0344c61d8db3853….
  const auto p = Pseudonymiser::create(std::string(20, '\x0b'));
  ASSERT_THAT(p, IsOk());
  EXPECT_EQ(p->pseudonym("Hi There"), "P-b0344c61d8db3853");
}

TEST(Pseudonymiser, DependsOnTheKey) {
  const auto a = Pseudonymiser::create(kKey);
  const auto b = Pseudonymiser::create(std::string(kKey).append("-other"));
  ASSERT_THAT(a, IsOk());
  ASSERT_THAT(b, IsOk());
  EXPECT_NE(a->pseudonym("U1"), b->pseudonym("U1"));
  const auto r1 = Pseudonymiser::with_random_key();
  const auto r2 = Pseudonymiser::with_random_key();
  ASSERT_THAT(r1, IsOk());
  ASSERT_THAT(r2, IsOk());
  EXPECT_NE(r1->pseudonym("U1"), r2->pseudonym("U1"));
}

TEST(Pseudonymiser, RefusesAShortKey) {
  EXPECT_THAT(Pseudonymiser::create("short"),
              HasError(ErrorCode::invalid_argument, HasSubstr("5 bytes; at least 16")));
}

TEST(Pseudonymiser, LoadsAKeyFileWithoutItsTrailingNewline) {
  const auto path = std::filesystem::temp_directory_path() / "gridke-h8-pseudonym-key.txt";
  {
    std::ofstream out(path);
    out << kKey << "\n";
  }
  const auto key = load_pseudonym_key(path.string());
  ASSERT_THAT(key, IsOk());
  EXPECT_EQ(*key, kKey);
  {
    std::ofstream out(path);
    out << "tiny\n";
  }
  EXPECT_THAT(load_pseudonym_key(path.string()),
              HasError(ErrorCode::invalid_argument, HasSubstr(path.string())));
  std::filesystem::remove(path);
  EXPECT_THAT(load_pseudonym_key(path.string()),
              HasError(ErrorCode::not_found, HasSubstr("cannot read the pseudonym key file")));
}

TEST(Pseudonymiser, MakesRandomHexAndSha256) {
  const auto id = random_hex(16);
  ASSERT_THAT(id, IsOk());
  EXPECT_THAT(*id, MatchesRegex("[0-9a-f]{32}"));
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace gridke::services::flexibility_response
