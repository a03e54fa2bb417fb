// Encodings, randomness, time and ASCII text of mw_util.
#include <gtest/gtest.h>

#include <set>

#include <mw/util/base64.hpp>
#include <mw/util/percent.hpp>
#include <mw/util/random.hpp>
#include <mw/util/text.hpp>
#include <mw/util/time.hpp>

namespace mw::util {
namespace {

TEST(Base64, UrlSafeFormHasNoPaddingAndNoPlusOrSlash) {
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
  EXPECT_EQ(base64_encode("\xfb\xff"), "+/8=");
}

TEST(Percent, DecodesEscapesAndRefusesMalformedOnes) {
  EXPECT_EQ(percent_decode("a%25b%2F"), "a%b/");
  EXPECT_EQ(percent_decode("a+b"), "a+b");
  EXPECT_EQ(percent_decode("a+b%20c", true), "a b c");
  EXPECT_FALSE(percent_decode("a%2"));
  EXPECT_FALSE(percent_decode("a%zz"));
  EXPECT_EQ(percent_decode("%00"), std::string(1, '\0')) << "callers that refuse NUL check for it";
}

TEST(Percent, EncodesAllButUnreservedCharacters) {
  EXPECT_EQ(percent_encode("a b/c~d_e.f-g"), "a%20b%2Fc~d_e.f-g");
  EXPECT_EQ(percent_decode(percent_encode("\x01\xff?&=")), "\x01\xff?&=");
}

TEST(Random, UuidsAreVersion4AndDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    std::string u = uuid4();
    ASSERT_EQ(u.size(), 36u);
    EXPECT_EQ(u[14], '4');
    EXPECT_NE(std::string("89ab").find(u[19]), std::string::npos) << u;
    seen.insert(u);
  }
  EXPECT_EQ(seen.size(), 100u);
}

TEST(Random, IsUuidAcceptsOnlyTheCanonicalHexForm) {
  EXPECT_TRUE(is_uuid(uuid4()));
  EXPECT_TRUE(is_uuid("A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11"));
  EXPECT_FALSE(is_uuid("a0eebc999c0b4ef8bb6d6bb9bd380a11"));        // no dashes
  EXPECT_FALSE(is_uuid("{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}"));  // braces
  EXPECT_FALSE(is_uuid("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1g"));    // not hex
  EXPECT_FALSE(is_uuid("a0eebc99-9c0b-4ef8-bb6d6-bb9bd380a11"));    // dash misplaced
  EXPECT_FALSE(is_uuid(""));
}

TEST(Random, UrlTokenOf32BytesIs43Characters) {
  std::string t = random_url_token(32);
  EXPECT_EQ(t.size(), 43u);
  EXPECT_EQ(t.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"), std::string::npos);
}

TEST(Text, TrimsAsciiWhiteSpaceAndLowersAsciiOnly) {
  EXPECT_EQ(trim(" \t\r\n\f\vkey = v \r"), "key = v");
  EXPECT_EQ(trim("   "), "");
  EXPECT_EQ(ascii_lower("Content-Type \xc3\x89"), "content-type \xc3\x89");
}

TEST(Time, NowIsMillisecondsSinceTheEpoch) {
  EXPECT_GT(now_ms(), 1'600'000'000'000);  // after September 2020
}

}  // namespace
}  // namespace mw::util
