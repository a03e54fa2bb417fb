#include <gtest/gtest.h>

#include <set>

#include <mw/util/base64.hpp>
#include <mw/util/crypto.hpp>
#include <mw/util/random.hpp>

namespace mw::util {
namespace {

TEST(Crypto, Pbkdf2MatchesRfc6070) {
  EXPECT_EQ(hex_encode(pbkdf2(HashAlg::Sha1, "password", "salt", 1)), "0c60c80f961f0e71f3a9b524af6012062fe037a6");
  EXPECT_EQ(hex_encode(pbkdf2(HashAlg::Sha1, "password", "salt", 4096)), "4b007901b765489abead49d926f721d065a429c1");
}

TEST(Crypto, Base64RoundTripsEveryLength) {
  std::string bytes;
  for (int n = 0; n < 10; ++n) {
    std::string out;
    ASSERT_TRUE(base64_decode(base64_encode(bytes), out));
    EXPECT_EQ(out, bytes);
    bytes.push_back(static_cast<char>(0xf0 + n));
  }
  EXPECT_EQ(base64_encode("n,,"), "biws");
}

TEST(Crypto, Base64RejectsNonCanonicalInput) {
  std::string out;
  for (const char* bad : {"a", "abc", "ab=c", "a===", "ab!d", "QUJD\n", "QR==", "QUI=QUI="})
    EXPECT_FALSE(base64_decode(bad, out)) << bad;
}

TEST(Crypto, RandomAlnumHasTheAskedLengthAndAlphabet) {
  std::string s = random_alnum(64);
  ASSERT_EQ(s.size(), 64u);
  for (char c : s) EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c))) << c;
  EXPECT_NE(s, random_alnum(64));
}

TEST(Crypto, UrlTokenOf48BytesIs64UrlSafeCharacters) {
  std::string t = random_url_token(48);
  ASSERT_EQ(t.size(), 64u);
  for (char c : t) EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') << c;
}

TEST(Crypto, UuidIsVersion4) {
  std::string u = uuid4();
  ASSERT_EQ(u.size(), 36u);
  EXPECT_EQ(u[14], '4');
  EXPECT_TRUE(std::set<char>({'8', '9', 'a', 'b'}).contains(u[19]));
}

TEST(Crypto, ConstantTimeEqualComparesContentAndLength) {
  EXPECT_TRUE(constant_time_equal("abc", "abc"));
  EXPECT_FALSE(constant_time_equal("abc", "abd"));
  EXPECT_FALSE(constant_time_equal("abc", "abcd"));
}

}  // namespace
}  // namespace mw::util
