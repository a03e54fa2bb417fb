// Limits of auth.generate_token tokens on the real daemon: lifetimes are capped by
// [auth] token_max_ttl, attrs are small, expired tokens leave memory, and a token ends with
// what it stands for: the session that made it (logout, termination), its API key (deleted,
// reset, revoked) and its account.
#include <gtest/gtest.h>

#include <chrono>
#include <regex>
#include <thread>

#include "integration/auth/auth_fixture.hpp"
#include "support/http_get.hpp"

namespace mw::test {
namespace {

using namespace std::chrono_literals;

class TokenLimitsTest : public AuthTest {
 protected:
  static bool token_logs_in(const std::string& token) {
    auto c = tcp();
    return c.call("auth.login_with_token", {json::value(token)}) == true;
  }
  static std::string token_of(RpcClient& c, json::array params = {json::value(60)}) {
    return std::string(c.call("auth.generate_token", std::move(params)).as_string());
  }
  // middlewared_auth_tokens from GET /metrics once it differs from `not_this` (the page is
  // cached for up to a second), or the last value seen after 5 s.
  static long tokens_in_memory(long not_this = -1) {
    auto deadline = std::chrono::steady_clock::now() + 5s;
    static const std::regex line(R"(\nmiddlewared_auth_tokens (\d+))");
    for (;;) {
      std::string page = run_http_get(daemon->socket_path(), "/metrics");
      std::smatch m;
      long value = std::regex_search(page, m, line) ? std::stol(m[1]) : -2;
      if (value != not_this || std::chrono::steady_clock::now() > deadline) return value;
      std::this_thread::sleep_for(100ms);
    }
  }
  static json::object api_key_login(RpcClient& c, const std::string& user, const json::value& key) {
    return object_of(
        c.call("auth.login_ex", {json::object{{"mechanism", "API_KEY_PLAIN"}, {"username", user}, {"api_key", key}}}));
  }
};

// A daemon whose tokens live at most 2 s unused.
class TokenLifetimeTest : public TokenLimitsTest {
 protected:
  static void SetUpTestSuite() { start_suite("token_max_ttl = 2\n"); }
};

TEST_F(TokenLifetimeTest, LifetimeIsCappedByTheConfiguredMaximum) {
  auto c = logged_in(admin);
  std::string asked_long = token_of(c, {json::value(3600)});
  std::string asked_huge = token_of(c, {json::value(INT64_MAX)});
  std::string by_default = token_of(c, {});
  std::this_thread::sleep_for(3s);  // past the 2 s cap, with nobody using them
  EXPECT_FALSE(token_logs_in(asked_long));
  EXPECT_FALSE(token_logs_in(asked_huge));
  EXPECT_FALSE(token_logs_in(by_default));
}

TEST_F(TokenLimitsTest, LargeAttrsAreRefusedNamingTheAttribute) {
  auto c = logged_in(admin);
  try {
    c.call("auth.generate_token", {60, json::object{{"filename", std::string(5000, 'x')}}});
    FAIL() << "a 5 kB attrs object was accepted";
  } catch (const RpcError& e) {
    EXPECT_EQ(e.code, -32602);
    EXPECT_NE(e.reason().find("attrs: Token attributes may not exceed 4096 bytes"), std::string::npos) << e.reason();
  }
  EXPECT_NO_THROW(c.call("auth.generate_token", {60, json::object{{"filename", std::string(1000, 'x')}}}));
}

TEST_F(TokenLimitsTest, ExpiredTokensLeaveMemoryWithoutANewToken) {
  auto c = logged_in(admin);
  long before = tokens_in_memory();
  ASSERT_GE(before, 0) << "no middlewared_auth_tokens in /metrics";
  token_of(c, {json::value(1)});
  ASSERT_EQ(tokens_in_memory(before), before + 1);
  std::this_thread::sleep_for(1500ms);
  // Any use of the store sweeps it, a failed token login included; no new token is made.
  EXPECT_FALSE(token_logs_in("no-such-token"));
  EXPECT_EQ(tokens_in_memory(before + 1), before);
}

TEST_F(TokenLimitsTest, LogoutRevokesTheSessionsTokens) {
  auto c = logged_in(admin);
  std::string token = token_of(c);
  EXPECT_EQ(c.call("auth.logout"), true);
  EXPECT_FALSE(token_logs_in(token));
}

// As TrueNAS: a dropped connection keeps its reconnect token (that is what it is for).
TEST_F(TokenLimitsTest, DisconnectKeepsTheReconnectToken) {
  std::string token;
  {
    auto c = tcp();
    auto r = login_password(c, reader, kPassword, {{"reconnect_token", true}});
    token = std::string(r.at("reconnect_token").as_string());
  }
  std::this_thread::sleep_for(300ms);
  EXPECT_TRUE(token_logs_in(token));
}

TEST_F(TokenLimitsTest, TokenEndsWithItsDeletedResetOrRevokedApiKey) {
  auto r = root();
  for (const std::string step : {"delete", "reset", "revoke"}) {
    auto key = create_key(reader);
    auto c = tcp();
    ASSERT_EQ(api_key_login(c, reader, key.at("key")).at("response_type"), "SUCCESS");
    std::string token = token_of(c);
    auto t = tcp();
    ASSERT_EQ(t.call("auth.login_with_token", {json::value(token)}), true);
    std::string token_of_token = token_of(t);  // stands for the same key
    if (step == "delete") r.call("api_key.delete", {key.at("id")});
    if (step == "reset") r.call("api_key.update", {key.at("id"), json::object{{"reset", true}}});
    if (step == "revoke") r.call("api_key.revoke", {key.at("id"), json::value("test")});
    EXPECT_FALSE(token_logs_in(token)) << step;
    EXPECT_FALSE(token_logs_in(token_of_token)) << step;
  }
}

TEST_F(TokenLimitsTest, TokenEndsWithItsAccount) {
  std::string user = unique_name("mwtd");
  must({"useradd", "-M", "-s", "/usr/sbin/nologin", "-G", vm_group, user});
  must({"chpasswd"}, user + ":" + kPassword + "\n");
  auto c = logged_in(user);
  std::string first = token_of(c), second = token_of(c);
  must({"userdel", user});
  // Another account under the same name (another uid) is not the one the tokens came from.
  must({"useradd", "-M", "-s", "/usr/sbin/nologin", "-u", "64999", "-G", vm_group, user});
  EXPECT_FALSE(token_logs_in(first));
  must({"userdel", user});
  EXPECT_FALSE(token_logs_in(second));
}

}  // namespace
}  // namespace mw::test
