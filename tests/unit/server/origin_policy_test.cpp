#include <gtest/gtest.h>

#include "server/origin_policy.hpp"

namespace mw::server {
namespace {

TEST(OriginPolicy, NormalizesSchemeHostAndDefaultPort) {
  EXPECT_EQ(OriginPolicy::normalize("HTTPS://NAS.example"), "https://nas.example:443");
  EXPECT_EQ(OriginPolicy::normalize("http://127.0.0.1:6000"), "http://127.0.0.1:6000");
  EXPECT_EQ(OriginPolicy::normalize("http://[::1]"), "http://[::1]:80");
  EXPECT_EQ(OriginPolicy::normalize("null"), std::nullopt);
  EXPECT_EQ(OriginPolicy::normalize("nas.example"), std::nullopt);
  EXPECT_EQ(OriginPolicy::normalize("https://nas.example/path"), std::nullopt);
  EXPECT_EQ(OriginPolicy::normalize("https://nas.example:44x"), std::nullopt);
  EXPECT_EQ(OriginPolicy::normalize("https://"), std::nullopt);
}

TEST(OriginPolicy, NoOriginOrTheHostsOwnPasses) {
  OriginPolicy p;
  EXPECT_TRUE(p.allows(std::nullopt, "anything"));
  EXPECT_TRUE(p.allows("http://127.0.0.1:6000", "127.0.0.1:6000"));
  EXPECT_TRUE(p.allows("https://127.0.0.1:6000", "127.0.0.1:6000"));  // TLS ended before us
  EXPECT_TRUE(p.allows("https://nas.example", "nas.example"));
  EXPECT_TRUE(p.allows("https://nas.example", "NAS.example:443"));
  EXPECT_TRUE(p.allows("http://[::1]:6000", "[::1]:6000"));
  EXPECT_FALSE(p.allows("http://nas.example", "nas.example:6000"));
  EXPECT_FALSE(p.allows("http://evil.example", "127.0.0.1:6000"));
  EXPECT_FALSE(p.allows("null", "127.0.0.1:6000"));
  EXPECT_FALSE(p.allows("http://127.0.0.1:6000", ""));
}

TEST(OriginPolicy, ListedOriginsPassWithTheirScheme) {
  OriginPolicy p({"https://nas.example:443", "http://Other.example:8080"});
  EXPECT_TRUE(p.allows("https://nas.example", "127.0.0.1:6000"));
  EXPECT_TRUE(p.allows("http://other.example:8080", "127.0.0.1:6000"));
  EXPECT_FALSE(p.allows("http://nas.example", "127.0.0.1:6000"));
  EXPECT_THROW(OriginPolicy({"nas.example"}), std::invalid_argument);
}

}  // namespace
}  // namespace mw::server
