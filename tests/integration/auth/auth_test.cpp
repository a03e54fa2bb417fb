// Authentication against the real daemon over TCP, with real PAM accounts
// (auth_fixture.hpp).
#include <gtest/gtest.h>

#include <chrono>
#include <regex>
#include <thread>

#include "auth/scram.hpp"
#include "integration/auth/auth_fixture.hpp"

namespace mw::test {
namespace {

namespace auth = mw::plugins::auth;
using namespace std::chrono_literals;

// ---- PASSWORD_PLAIN -------------------------------------------------------------------------

TEST_F(AuthTest, PasswordLoginSucceedsWithUserInfoAndNoReconnectTokenByDefault) {
  auto c = tcp();
  auto r = login_password(c, reader, kPassword);
  EXPECT_EQ(r.at("response_type"), "SUCCESS");
  EXPECT_EQ(r.at("authenticator"), "LEVEL_1");
  EXPECT_TRUE(r.at("reconnect_token").is_null());
  EXPECT_EQ(r.at("user_info").at("pw_name"), json::value(reader));
  auto roles = r.at("user_info").at("privilege").at("roles").at("$set").as_array();
  EXPECT_NE(std::find(roles.begin(), roles.end(), json::value("VM_READ")), roles.end());
  EXPECT_EQ(c.call("auth.me").at("pw_name"), json::value(reader));
}

TEST_F(AuthTest, UserInfoFalseAnswersNull) {
  auto c = tcp();
  auto r = login_password(c, reader, kPassword, {{"user_info", false}});
  EXPECT_EQ(r.at("response_type"), "SUCCESS");
  EXPECT_TRUE(r.at("user_info").is_null());
}

TEST_F(AuthTest, WrongPasswordAndUnknownUserAnswerTheSameAfterAtLeastOneSecond) {
  auto c = tcp();
  for (const auto& [user, password] :
       {std::pair{reader, std::string("wrong")}, std::pair{unique_name("nouser"), std::string(kPassword)}}) {
    auto start = std::chrono::steady_clock::now();
    auto r = login_password(c, user, password);
    auto elapsed = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(r, (json::object{{"response_type", "AUTH_ERR"}})) << user;
    EXPECT_GE(elapsed, 1s) << user;
  }
  EXPECT_EQ(error_reason([&] { c.call("auth.me"); }), "[ENOTAUTHENTICATED] Not authenticated");
}

TEST_F(AuthTest, LegacyLoginAnswersBooleans) {
  auto c = tcp();
  EXPECT_EQ(c.call("auth.login", {json::value(reader), json::value("bad")}), false);
  EXPECT_EQ(c.call("auth.login", {json::value(reader), json::value(kPassword)}), true);
  EXPECT_EQ(c.call("auth.me").at("pw_name"), json::value(reader));
}

TEST_F(AuthTest, AccountWithoutRolesIsDenied) {
  auto c = tcp();
  EXPECT_EQ(login_password(c, norole, kPassword), (json::object{{"response_type", "DENIED"}}));
  EXPECT_EQ(error_reason([&] { c.call("auth.me"); }), "[ENOTAUTHENTICATED] Not authenticated");
}

TEST_F(AuthTest, VmReadUserIsNotAuthorizedForMethodsNeedingOtherRoles) {
  auto c = logged_in(reader);
  EXPECT_EQ(error_reason([&] { c.call("auth.sessions"); }), "[EACCES] Not authorized");
  EXPECT_EQ(error_reason([&] { c.call("auth.terminate_other_sessions"); }), "[EACCES] Not authorized");
}

TEST_F(AuthTest, AdminGroupMemberIsFullAdmin) {
  auto c = logged_in(admin);
  auto me = c.call("auth.me").as_object();
  EXPECT_EQ(me.at("privilege").at("roles").at("$set"), (json::array{"FULL_ADMIN"}));
  EXPECT_NO_THROW(c.call("auth.sessions"));
}

TEST_F(AuthTest, OtpWithoutPendingLoginIsAnError) {
  auto c = tcp();
  EXPECT_EQ(error_reason([&] {
              c.call("auth.login_ex", {json::object{{"mechanism", "OTP_TOKEN"}, {"otp_token", "123456"}}});
            }),
            "[EINVAL] OTP_TOKEN: no authentication in progress");
}

TEST_F(AuthTest, MechanismChoicesNeedNoLogin) {
  auto c = tcp();
  EXPECT_EQ(c.call("auth.mechanism_choices"), (json::array{"API_KEY_PLAIN", "TOKEN_PLAIN", "PASSWORD_PLAIN", "SCRAM"}));
}

// ---- tokens (8.13, 8.14) ---------------------------------------------------------------------

TEST_F(AuthTest, ReconnectTokenIsSingleUse) {
  auto c = tcp();
  auto r = login_password(c, reader, kPassword, {{"reconnect_token", true}});
  ASSERT_TRUE(r.at("reconnect_token").is_string());
  std::string token(r.at("reconnect_token").as_string());
  EXPECT_EQ(token.size(), 64u);
  auto c2 = tcp();
  EXPECT_EQ(c2.call("auth.login_with_token", {json::value(token)}), true);
  EXPECT_EQ(c2.call("auth.me").at("pw_name"), json::value(reader));
  auto c3 = tcp();
  EXPECT_EQ(c3.call("auth.login_with_token", {json::value(token)}), false);
}

TEST_F(AuthTest, TokenDiesWithTheSessionThatUsedIt) {
  auto creator = logged_in(admin);
  std::string token(creator.call("auth.generate_token", {300}).as_string());
  {
    auto a = tcp();
    EXPECT_EQ(a.call("auth.login_with_token", {json::value(token)}), true);
  }
  std::this_thread::sleep_for(300ms);  // let the daemon notice the closed connection
  auto b = tcp();
  EXPECT_EQ(b.call("auth.login_with_token", {json::value(token)}), false);
}

TEST_F(AuthTest, SingleUseTokenWorksOnceEvenWhileTheFirstSessionLives) {
  auto creator = logged_in(admin);
  std::string token(creator.call("auth.generate_token", {300, json::object{}, true, true}).as_string());
  auto a = tcp();
  EXPECT_EQ(a.call("auth.login_with_token", {json::value(token)}), true);
  auto b = tcp();
  EXPECT_EQ(b.call("auth.login_with_token", {json::value(token)}), false);
}

TEST_F(AuthTest, TokenWithAttrsCannotLogIn) {
  auto creator = logged_in(admin);
  std::string token(creator.call("auth.generate_token", {300, json::object{{"filename", "debug.txz"}}}).as_string());
  auto a = tcp();
  EXPECT_EQ(a.call("auth.login_with_token", {json::value(token)}), false);
}

TEST_F(AuthTest, MatchOriginTokenOnlyWorksFromTheSameOrigin) {
  auto creator = logged_in(admin);
  std::string bound(creator.call("auth.generate_token", {300, json::object{}, true}).as_string());
  std::string free(creator.call("auth.generate_token", {300, json::object{}, false}).as_string());
  auto other_origin = root();  // unix socket: another origin than 127.0.0.1 over TCP
  EXPECT_EQ(other_origin.call("auth.login_with_token", {json::value(bound)}), false);
  EXPECT_EQ(other_origin.call("auth.login_with_token", {json::value(free)}), true);
  auto same_origin = tcp();
  EXPECT_EQ(same_origin.call("auth.login_with_token", {json::value(bound)}), true);
}

TEST_F(AuthTest, TerminatingASessionKillsItsTokens) {
  auto creator = logged_in(admin);
  std::string token(creator.call("auth.generate_token", {300}).as_string());
  auto c = tcp();
  ASSERT_EQ(c.call("auth.login_with_token", {json::value(token)}), true);
  std::string token2(c.call("auth.generate_token").as_string());
  auto session = c.call("auth.sessions", {json::array{json::array{"current", "=", true}}, json::object{{"get", true}}});
  EXPECT_EQ(session.at("credentials"), "TOKEN");
  EXPECT_EQ(root().call("auth.terminate_session", {session.at("id")}), true);
  auto d = tcp();
  EXPECT_EQ(d.call("auth.login_with_token", {json::value(token2)}), false);
}

// ---- API keys (8.15) ---------------------------------------------------------------------------

TEST_F(AuthTest, ApiKeyIsShownOnceAndNeverStored) {
  auto created = create_key("root");
  std::string key(created.at("key").as_string());
  EXPECT_TRUE(
      std::regex_match(key, std::regex("^" + std::to_string(created.at("id").as_int64()) + "-[a-zA-Z0-9]{64}$")));
  auto r = root();
  auto entry = r.call("api_key.get_instance", {created.at("id")}).as_object();
  EXPECT_FALSE(entry.contains("key"));
  EXPECT_EQ(json::serialize(entry).find(key.substr(key.find('-') + 1)), std::string::npos);
  EXPECT_EQ(entry.at("iterations"), 4096);
  EXPECT_EQ(entry.at("stored_key"), "********");
  EXPECT_EQ(json::serialize(r.call("api_key.query")).find(key.substr(key.find('-') + 1)), std::string::npos);
}

TEST_F(AuthTest, ApiKeySessionIsListedAsApiKeyAndCanBeTerminated) {
  auto created = create_key("root");
  auto c = tcp();
  auto r = object_of(
      c.call("auth.login_ex",
             {json::object{{"mechanism", "API_KEY_PLAIN"}, {"username", "root"}, {"api_key", created.at("key")}}}));
  ASSERT_EQ(r.at("response_type"), "SUCCESS");
  auto session = c.call("auth.sessions", {json::array{json::array{"current", "=", true}}, json::object{{"get", true}}});
  EXPECT_EQ(session.at("credentials"), "API_KEY");
  EXPECT_EQ(session.at("credentials_data").at("api_key").at("name"), created.at("name"));
  EXPECT_TRUE(session.at("created_at").as_object().contains("$date"));
  auto attrs = c.call("auth.me").at("account_attributes").as_array();
  EXPECT_NE(std::find(attrs.begin(), attrs.end(), json::value("API_KEY")), attrs.end());
  EXPECT_EQ(root().call("auth.terminate_session", {session.at("id")}), true);
  EXPECT_ANY_THROW(c.call("auth.me"));
}

TEST_F(AuthTest, ApiKeyOfAnotherUserOrWithWrongSecretFails) {
  auto created = create_key(reader);
  std::string key(created.at("key").as_string());
  auto c = tcp();
  auto login = [&](const std::string& user, const std::string& k) {
    return object_of(
        c.call("auth.login_ex", {json::object{{"mechanism", "API_KEY_PLAIN"}, {"username", user}, {"api_key", k}}}));
  };
  EXPECT_EQ(login("root", key).at("response_type"), "AUTH_ERR");
  std::string wrong = key;
  wrong.back() = wrong.back() == 'a' ? 'b' : 'a';
  EXPECT_EQ(login(reader, wrong).at("response_type"), "AUTH_ERR");
  auto ok = login(reader, key);
  EXPECT_EQ(ok.at("response_type"), "SUCCESS");
  EXPECT_EQ(ok.at("user_info").at("pw_name"), json::value(reader));
}

TEST_F(AuthTest, ResetIssuesANewKeyAndRevokedKeysAreExpired) {
  auto created = create_key("root");
  auto r = root();
  auto updated = r.call("api_key.update", {created.at("id"), json::object{{"reset", true}}}).as_object();
  ASSERT_TRUE(updated.contains("key"));
  EXPECT_NE(updated.at("key"), created.at("key"));
  auto login = [&](const json::value& k) {
    auto c = tcp();
    return std::string(
        c.call("auth.login_ex", {json::object{{"mechanism", "API_KEY_PLAIN"}, {"username", "root"}, {"api_key", k}}})
            .at("response_type")
            .as_string());
  };
  EXPECT_EQ(login(created.at("key")), "AUTH_ERR");
  EXPECT_EQ(login(updated.at("key")), "SUCCESS");
  r.call("api_key.revoke", {created.at("id")});
  EXPECT_EQ(login(updated.at("key")), "EXPIRED");
  EXPECT_EQ(r.call("api_key.delete", {created.at("id")}), true);
  EXPECT_EQ(login(updated.at("key")), "AUTH_ERR");
}

TEST_F(AuthTest, ExpiryInThePastIsAValidationError) {
  auto r = root();
  try {
    r.call("api_key.create",
           {json::object{
               {"name", unique_name("k")}, {"username", "root"}, {"expires_at", json::object{{"$date", 1000}}}}});
    FAIL() << "expected a validation error";
  } catch (const RpcError& e) {
    EXPECT_EQ(e.code, -32602);
    EXPECT_NE(e.reason().find("api_key_create.expires_at: Expiration date is in the past"), std::string::npos)
        << e.reason();
  }
}

TEST_F(AuthTest, UserCreatesOwnKeysButNotOthers) {
  auto c = logged_in(reader);
  auto mine = c.call("api_key.create", {json::object{{"name", unique_name("own")}, {"username", reader}}}).as_object();
  EXPECT_EQ(mine.at("username"), json::value(reader));
  auto mine_listed = c.call("api_key.my_keys").as_array();
  EXPECT_NE(std::find_if(mine_listed.begin(), mine_listed.end(),
                         [&](const json::value& k) { return k.at("id") == mine.at("id"); }),
            mine_listed.end());
  for (const auto& k : mine_listed) EXPECT_EQ(k.at("username"), json::value(reader));
  // Without API_KEY_READ, query shows only the caller's keys too (root's keys exist by now).
  json::value listed = c.call("api_key.query");
  for (const auto& k : listed.as_array()) EXPECT_EQ(k.at("username"), json::value(reader));
  EXPECT_NE(error_reason([&] {
              c.call("api_key.create", {json::object{{"name", unique_name("x")}, {"username", "root"}}});
            }).find("Only a full administrator may create API keys for another user."),
            std::string::npos);
}

// ---- SCRAM -------------------------------------------------------------------------------------

TEST_F(AuthTest, ScramLoginWithApiKeyAuthenticatesBothSides) {
  auto created = create_key("root");
  std::string raw(created.at("key").as_string());
  std::string user = "root:" + std::to_string(created.at("id").as_int64());
  auth::scram::ClientExchange client(auth::HashAlg::Sha512, user, raw.substr(raw.find('-') + 1),
                                     auth::random_url_token(24));
  auto c = tcp();
  auto first = object_of(c.call("auth.login_ex", {json::object{{"mechanism", "SCRAM"},
                                                               {"scram_type", "CLIENT_FIRST_MESSAGE"},
                                                               {"rfc_str", client.client_first()}}}));
  ASSERT_EQ(first.at("response_type"), "SCRAM_RESPONSE");
  ASSERT_EQ(first.at("scram_type"), "SERVER_FIRST_RESPONSE");
  std::string final_msg = client.client_final(first.at("rfc_str").as_string());
  auto last = object_of(
      c.call("auth.login_ex",
             {json::object{{"mechanism", "SCRAM"}, {"scram_type", "CLIENT_FINAL_MESSAGE"}, {"rfc_str", final_msg}}}));
  ASSERT_EQ(last.at("response_type"), "SCRAM_RESPONSE");
  EXPECT_EQ(last.at("scram_type"), "SERVER_FINAL_RESPONSE");
  EXPECT_TRUE(client.verify_server_final(last.at("rfc_str").as_string()));
  EXPECT_EQ(last.at("user_info").at("pw_uid"), 0);
  auto session = c.call("auth.sessions", {json::array{json::array{"current", "=", true}}, json::object{{"get", true}}});
  EXPECT_EQ(session.at("credentials"), "API_KEY");
}

TEST_F(AuthTest, ScramWithWrongKeyOrUnknownKeyFailsOnlyAtTheEnd) {
  auto created = create_key("root");
  for (const std::string& user : {"root:" + std::to_string(created.at("id").as_int64()), std::string("root:999999")}) {
    auth::scram::ClientExchange client(auth::HashAlg::Sha512, user, std::string(64, 'x'), auth::random_url_token(24));
    auto c = tcp();
    auto first = object_of(c.call("auth.login_ex", {json::object{{"mechanism", "SCRAM"},
                                                                 {"scram_type", "CLIENT_FIRST_MESSAGE"},
                                                                 {"rfc_str", client.client_first()}}}));
    ASSERT_EQ(first.at("response_type"), "SCRAM_RESPONSE") << user;
    auto last = object_of(
        c.call("auth.login_ex", {json::object{{"mechanism", "SCRAM"},
                                              {"scram_type", "CLIENT_FINAL_MESSAGE"},
                                              {"rfc_str", client.client_final(first.at("rfc_str").as_string())}}}));
    EXPECT_EQ(last, (json::object{{"response_type", "AUTH_ERR"}})) << user;
  }
}

TEST_F(AuthTest, ScramMessagesTakeNoLoginOptions) {
  auto created = create_key("root");
  std::string user = "root:" + std::to_string(created.at("id").as_int64());
  auth::scram::ClientExchange client(auth::HashAlg::Sha512, user, "x", auth::random_url_token(24));
  auto c = tcp();
  try {
    c.call("auth.login_ex", {json::object{{"mechanism", "SCRAM"},
                                          {"scram_type", "CLIENT_FIRST_MESSAGE"},
                                          {"rfc_str", client.client_first()},
                                          {"login_options", json::object{{"reconnect_token", true}}}}});
    FAIL() << "login_options were accepted";
  } catch (const RpcError& e) {
    EXPECT_EQ(e.code, -32602);
    EXPECT_NE(e.reason().find("login_data.SCRAM.login_options: Extra inputs are not permitted"), std::string::npos)
        << e.reason();
  }
}

TEST_F(AuthTest, ScramFinalWithoutFirstIsOutOfSequence) {
  auto c = tcp();
  std::string reason = error_reason([&] {
    c.call("auth.login_ex",
           {json::object{
               {"mechanism", "SCRAM"}, {"scram_type", "CLIENT_FINAL_MESSAGE"}, {"rfc_str", "c=biws,r=abc,p=AAAA"}}});
  });
  EXPECT_TRUE(reason.starts_with("[EBUSY] SCRAM: no authentication in progress")) << reason;
}

// ---- auth.me, attributes, logout (8.16, 2.4) ---------------------------------------------------

TEST_F(AuthTest, MeForUnixSocketRoot) {
  auto r = root();
  auto me = r.call("auth.me").as_object();
  EXPECT_EQ(me.at("pw_uid"), 0);
  EXPECT_EQ(me.at("pw_name"), "root");
  EXPECT_FALSE(me.at("two_factor_config").is_null());
  EXPECT_EQ(me.at("privilege").at("webui_access"), true);
  auto roles = me.at("privilege").at("roles").at("$set").as_array();
  EXPECT_NE(std::find(roles.begin(), roles.end(), json::value("FULL_ADMIN")), roles.end());
}

TEST_F(AuthTest, SetAttributeShowsUpInMe) {
  auto c = logged_in(reader);
  EXPECT_TRUE(c.call("auth.set_attribute", {json::value("dashboard"), json::object{{"cols", 3}}}).is_null());
  EXPECT_EQ(c.call("auth.me").at("attributes").at("dashboard"), (json::object{{"cols", 3}}));
}

TEST_F(AuthTest, LogoutDropsSubscriptionsAndTheLogin) {
  auto c = logged_in(admin);
  c.call("core.subscribe", {json::value("test.events")});
  c.call("test.publish", {1});
  ASSERT_TRUE(c.next_notification(5s).has_value());
  EXPECT_EQ(c.call("auth.logout"), true);
  EXPECT_EQ(error_reason([&] { c.call("auth.me"); }), "[ENOTAUTHENTICATED] Not authenticated");
  ASSERT_EQ(login_password(c, admin, kPassword).at("response_type"), "SUCCESS");
  c.call("test.publish", {1});
  EXPECT_FALSE(c.next_notification(1s).has_value());
}

TEST_F(AuthTest, LoginMethodsNeedNoAuthentication) {
  auto methods = root().call("core.get_methods").as_object();
  for (const char* m : {"auth.login_ex", "auth.login_ex_continue", "auth.login_with_token", "auth.mechanism_choices"})
    EXPECT_EQ(methods.at(m).at("no_auth_required"), true) << m;
  EXPECT_EQ(methods.at("auth.me").at("no_auth_required"), false);
  EXPECT_EQ(methods.at("auth.sessions").at("roles"), (json::array{"AUTH_SESSIONS_READ"}));
}

// Declared last so it sees the results of every call above (test builds check each result).
TEST_F(AuthTest, EveryResultMatchedItsSchema) {
  EXPECT_EQ(daemon->log().find("breaks its schema"), std::string::npos) << daemon->log();
}

}  // namespace
}  // namespace mw::test
