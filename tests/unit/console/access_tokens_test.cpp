#include <gtest/gtest.h>

#include <set>

#include "console/access_tokens.hpp"

using namespace mw::vm::console;
using namespace std::chrono_literals;

TEST(AccessTokens, AreUrlSafeAndDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    auto t = random_token();
    EXPECT_EQ(t.size(), 43u);
    EXPECT_EQ(t.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
              std::string::npos);
    seen.insert(t);
  }
  EXPECT_EQ(seen.size(), 200u);
}

TEST(AccessTokens, GrantOnlyTheirPurposeAndResource) {
  AccessTokens tokens;
  auto now = Clock::now();
  auto t = tokens.issue({"download", 7, "/x.log"}, 60s, true, now);
  EXPECT_FALSE(tokens.redeem(t, "download", 8, now));
  EXPECT_FALSE(tokens.redeem(t, "display", 7, now));
  auto g = tokens.redeem(t, "download", 7, now);
  ASSERT_TRUE(g);
  EXPECT_EQ(g->payload, "/x.log");
}

TEST(AccessTokens, SingleUseTokensWorkOnce) {
  AccessTokens tokens;
  auto now = Clock::now();
  auto t = tokens.issue({"download", 1, {}}, 60s, true, now);
  EXPECT_TRUE(tokens.redeem(t, "download", 1, now));
  EXPECT_FALSE(tokens.redeem(t, "download", 1, now));
}

TEST(AccessTokens, MultiUseTokensWorkUntilTheyExpire) {
  AccessTokens tokens;
  auto now = Clock::now();
  auto t = tokens.issue({"display", 3, {}}, 60s, false, now);
  EXPECT_TRUE(tokens.redeem(t, "display", 3, now));
  EXPECT_TRUE(tokens.redeem(t, "display", 3, now + 59s));
  EXPECT_FALSE(tokens.redeem(t, "display", 3, now + 60s));
  EXPECT_EQ(tokens.size(), 0u);
}

TEST(AccessTokens, UnknownTokensGrantNothing) {
  AccessTokens tokens;
  EXPECT_FALSE(tokens.redeem("nope", "download", 1, Clock::now()));
}
