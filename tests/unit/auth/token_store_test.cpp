#include <gtest/gtest.h>

#include <set>

#include "auth/token_store.hpp"

namespace mw::plugins::auth {
namespace {

using namespace std::chrono_literals;

class TokenStoreTest : public ::testing::Test {
 protected:
  TokenRequest request(bool single_use = false, std::optional<OriginKey> origin = std::nullopt) {
    auto creds = std::make_shared<Credentials>();
    creds->type = "LOGIN_PASSWORD";
    creds->username = "alice";
    creds->roles = {"VM_READ"};
    TokenRequest r;
    r.ttl = 60s;
    r.single_use = single_use;
    r.match_origin = std::move(origin);
    r.parent = creds;
    r.parent_data = {{"credentials", "LOGIN_PASSWORD"}};
    r.source = {"alice", 1000u, std::nullopt, {}};
    r.session_id = "creator";
    return r;
  }
  std::optional<TokenGrant> use(const std::string& token, const std::string& session, Clock::time_point at,
                                OriginKey origin = {}) {
    return store.use_for_login(token, origin, session, at, checks);
  }

  TokenStore store;
  Clock::time_point t0 = Clock::now();
  std::set<std::string> alive{"creator", "s1", "s2", "s3"};
  bool source_stands = true;
  TokenChecks checks{[this](const std::string& s) { return alive.contains(s); },
                     [this](const LoginSource& s) { return source_stands && s.username == "alice"; }};
};

TEST_F(TokenStoreTest, TokenIs64UrlSafeCharactersAndGrantsTheParentCredentials) {
  std::string token = store.create(request(), t0);
  EXPECT_EQ(token.size(), 64u);
  auto grant = use(token, "s1", t0);
  ASSERT_TRUE(grant.has_value());
  EXPECT_EQ(grant->parent->username, "alice");
  EXPECT_TRUE(grant->parent->roles.contains("VM_READ"));
}

TEST_F(TokenStoreTest, UnknownTokenGrantsNothing) { EXPECT_FALSE(use("nope", "s1", t0).has_value()); }

TEST_F(TokenStoreTest, ExpiresAfterTtlWithoutUse) {
  std::string token = store.create(request(), t0);
  EXPECT_FALSE(use(token, "s1", t0 + 60s).has_value());
  EXPECT_EQ(store.size(), 0u);
}

TEST_F(TokenStoreTest, UseReArmsTheIdleTimeout) {
  std::string token = store.create(request(), t0);
  ASSERT_TRUE(use(token, "s1", t0 + 50s).has_value());
  EXPECT_TRUE(use(token, "s2", t0 + 100s).has_value());
  EXPECT_FALSE(use(token, "s3", t0 + 161s).has_value());
}

TEST_F(TokenStoreTest, SingleUseTokenWorksOnce) {
  std::string token = store.create(request(true), t0);
  EXPECT_TRUE(use(token, "s1", t0).has_value());
  EXPECT_FALSE(use(token, "s2", t0).has_value());
}

TEST_F(TokenStoreTest, DiesWhenASessionThatLoggedInWithItEnds) {
  std::string token = store.create(request(), t0);
  ASSERT_TRUE(use(token, "s1", t0).has_value());
  alive.erase("s1");
  EXPECT_FALSE(use(token, "s2", t0).has_value());
}

TEST_F(TokenStoreTest, SurvivesTheEndOfTheCreatingConnection) {
  std::string token = store.create(request(), t0);
  alive.erase("creator");
  EXPECT_TRUE(use(token, "s1", t0).has_value());
}

TEST_F(TokenStoreTest, TerminatingTheCreatorDestroysIt) {
  std::string token = store.create(request(), t0);
  store.destroy_for_session("creator");
  EXPECT_FALSE(use(token, "s1", t0).has_value());
}

TEST_F(TokenStoreTest, TerminatingASessionThatUsedItDestroysIt) {
  std::string token = store.create(request(), t0);
  ASSERT_TRUE(use(token, "s1", t0).has_value());
  store.destroy_for_session("s1");
  EXPECT_FALSE(use(token, "s2", t0).has_value());
}

TEST_F(TokenStoreTest, MatchOriginRefusesAnotherOriginButKeepsTheToken) {
  OriginKey home{PeerInfo::Transport::Tcp, "10.0.0.1", std::nullopt};
  OriginKey other{PeerInfo::Transport::Tcp, "10.0.0.2", std::nullopt};
  std::string token = store.create(request(false, home), t0);
  EXPECT_FALSE(use(token, "s1", t0, other).has_value());
  EXPECT_TRUE(use(token, "s1", t0, home).has_value());
}

TEST_F(TokenStoreTest, TokenWithoutMatchOriginWorksFromAnywhere) {
  std::string token = store.create(request(), t0);
  EXPECT_TRUE(use(token, "s1", t0, OriginKey{PeerInfo::Transport::Unix, "", 1000u}).has_value());
}

TEST_F(TokenStoreTest, TokenWithAttrsCannotLogIn) {
  TokenRequest r = request();
  r.attrs = {{"filename", "debug.txz"}};
  std::string token = store.create(std::move(r), t0);
  EXPECT_FALSE(use(token, "s1", t0).has_value());
  EXPECT_EQ(store.size(), 1u);
}

TEST_F(TokenStoreTest, CreatingSweepsExpiredTokens) {
  store.create(request(), t0);
  store.create(request(), t0 + 61s);
  EXPECT_EQ(store.size(), 1u);
}

TEST_F(TokenStoreTest, AnyUseSweepsExpiredTokens) {
  store.create(request(), t0);
  store.create(request(), t0 + 30s);
  EXPECT_FALSE(use("unknown", "s1", t0 + 61s).has_value());
  EXPECT_EQ(store.size(), 1u);
}

TEST_F(TokenStoreTest, GrantCarriesTheSourceAndDiesWhenItNoLongerStands) {
  std::string token = store.create(request(), t0);
  auto grant = use(token, "s1", t0);
  ASSERT_TRUE(grant.has_value());
  EXPECT_EQ(grant->source.uid, 1000u);
  source_stands = false;
  EXPECT_FALSE(use(token, "s2", t0).has_value());
  source_stands = true;
  EXPECT_FALSE(use(token, "s2", t0).has_value()) << "destroyed, not just refused once";
  EXPECT_EQ(store.size(), 0u);
}

TEST_F(TokenStoreTest, ApplicationUseChecksTheSourceToo) {
  std::string token = store.create(request(), t0);
  source_stands = false;
  EXPECT_FALSE(store.use_for_application(token, {}, t0, checks).has_value());
}

}  // namespace
}  // namespace mw::plugins::auth
