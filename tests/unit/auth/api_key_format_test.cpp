#include <gtest/gtest.h>

#include <regex>

#include "auth/api_key_format.hpp"

namespace mw::plugins::auth {
namespace {

TEST(ApiKeyFormat, GeneratedKeyMatchesTheClientRegex) {
  std::string key = format_api_key(12, generate_api_key_secret());
  EXPECT_TRUE(std::regex_match(key, std::regex("^12-[a-zA-Z0-9]{64}$"))) << key;
}

TEST(ApiKeyFormat, ParsesIdAndSecret) {
  auto p = parse_api_key("7-abcDEF123");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->id, 7);
  EXPECT_EQ(p->secret, "abcDEF123");
}

TEST(ApiKeyFormat, RejectsMalformedKeys) {
  for (const char* bad : {"", "7", "7-", "-abc", "x-abc", "07-abc", "0-abc", "7-ab-c", "7-ab c",
                          "99999999999999999999-a", "-7-abc", "7_abc"}) {
    EXPECT_FALSE(parse_api_key(bad).has_value()) << bad;
  }
}

TEST(ApiKeyFormat, ScramUserNameCarriesUserAndKeyId) {
  auto u = parse_scram_key_user("root:3");
  ASSERT_TRUE(u.has_value());
  EXPECT_EQ(u->username, "root");
  EXPECT_EQ(u->key_id, 3);
  auto colon = parse_scram_key_user("dom:user:15");
  ASSERT_TRUE(colon.has_value());
  EXPECT_EQ(colon->username, "dom:user");
  for (const char* bad : {"root", "root:", ":3", "root:x", "root:0"})
    EXPECT_FALSE(parse_scram_key_user(bad).has_value()) << bad;
}

}  // namespace
}  // namespace mw::plugins::auth
