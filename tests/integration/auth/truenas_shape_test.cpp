// What TrueNAS 26's clients read of auth.* and api_key.*, against the real daemon: API key entries
// and create answers, api_key.convert_raw_key, the private api_key.revoke, the auth.login_ex answer,
// auth.twofactor.*, authenticator assurance levels, and the auth.sessions event.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <set>

#include "auth/crypto.hpp"
#include "auth/scram.hpp"
#include "auth_fixture.hpp"

namespace mw::test {
namespace {

namespace auth = mw::plugins::auth;
using namespace std::chrono_literals;

class TrueNasShapeTest : public AuthTest {
 protected:
  static std::set<std::string> keys_of(const json::object& o) {
    std::set<std::string> out;
    for (const auto& [k, v] : o) out.insert(std::string(k));
    return out;
  }
  static std::string b64_decoded(const json::value& v) {
    std::string out;
    EXPECT_TRUE(auth::base64_decode(v.as_string(), out)) << v;
    return out;
  }
  static void set_level(const std::string& level) {
    root().call("auth.set_authenticator_assurance_level", {json::value(level)});
  }
};

TEST_F(TrueNasShapeTest, ApiKeyEntryHasTrueNas26FieldsAndNoSecretValues) {
  auto created = create_key(reader);
  const std::set<std::string> entry_keys{"id",    "name",       "username",      "user_identifier", "iterations",
                                         "salt",  "stored_key", "server_key",    "created_at",      "expires_at",
                                         "local", "revoked",    "revoked_reason"};
  std::set<std::string> with_key = entry_keys;
  with_key.insert({"key", "client_key"});
  EXPECT_EQ(keys_of(created), with_key);
  EXPECT_EQ(b64_decoded(created.at("client_key")).size(), 64u) << "a SHA-512 ClientKey";
  auto entry = root().call("api_key.get_instance", {created.at("id")}).as_object();
  EXPECT_EQ(keys_of(entry), entry_keys);
  auto uid = logged_in(reader).call("auth.me").at("pw_uid");
  EXPECT_EQ(entry.at("user_identifier"), uid);
  EXPECT_TRUE(entry.at("user_identifier").is_int64());
  EXPECT_EQ(entry.at("iterations"), 4096);
  for (const char* s : {"salt", "stored_key", "server_key"}) {
    EXPECT_EQ(entry.at(s), "********") << s;
    EXPECT_EQ(created.at(s), "********") << s;
  }
  // Reset answers carry a new key and its ClientKey too.
  auto reset = root().call("api_key.update", {created.at("id"), json::object{{"reset", true}}}).as_object();
  EXPECT_EQ(keys_of(reset), with_key);
  EXPECT_NE(reset.at("client_key"), created.at("client_key"));
}

TEST_F(TrueNasShapeTest, ApiKeyCreateNeedsAUsernameThatExistsAndHoldsARole) {
  auto r = root();
  EXPECT_NE(error_reason([&] {
              r.call("api_key.create", {json::object{{"name", unique_name("k")}}});
            }).find("api_key_create.username"),
            std::string::npos);
  const std::string missing = error_reason([&] {
    r.call("api_key.create", {json::object{{"name", unique_name("k")}, {"username", "nosuchuser9"}}});
  });
  EXPECT_NE(missing.find("api_key_create: User does not exist."), std::string::npos) << missing;
  const std::string roleless = error_reason([&] {
    r.call("api_key.create", {json::object{{"name", unique_name("k")}, {"username", norole}}});
  });
  EXPECT_NE(roleless.find("api_key_create: User lacks privilege role membership."), std::string::npos) << roleless;
}

TEST_F(TrueNasShapeTest, ConvertRawKeyGivesTheScramMaterialOfTheKey) {
  auto created = create_key(keyadmin);
  const std::string raw(created.at("key").as_string());
  auto c = logged_in(keyadmin);  // API_KEY_WRITE includes the API_KEY_READ it needs
  auto scram = c.call("api_key.convert_raw_key", {json::value("  " + raw + "\n")}).as_object();
  EXPECT_EQ(keys_of(scram),
            (std::set<std::string>{"api_key_id", "iterations", "salt", "client_key", "stored_key", "server_key"}));
  EXPECT_EQ(scram.at("api_key_id"), created.at("id"));
  EXPECT_EQ(scram.at("client_key"), created.at("client_key"));
  auto derived = auth::scram::derive_keys(auth::HashAlg::Sha512, raw.substr(raw.find('-') + 1),
                                          b64_decoded(scram.at("salt")), 4096);
  EXPECT_EQ(b64_decoded(scram.at("stored_key")), derived.stored.stored_key);
  EXPECT_EQ(b64_decoded(scram.at("server_key")), derived.stored.server_key);
  EXPECT_EQ(b64_decoded(scram.at("client_key")), derived.client_key);

  auto refused = [&](const std::string& arg) {
    return error_reason([&] { c.call("api_key.convert_raw_key", {json::value(arg)}); });
  };
  EXPECT_NE(refused("not-a-key!").find("api_key_convert_raw_key: Not a valid raw API key"), std::string::npos);
  EXPECT_NE(refused("999999-" + std::string(64, 'a')).find("api_key_convert_raw_key: Key does not exist."),
            std::string::npos);
  EXPECT_NE(refused(std::to_string(created.at("id").as_int64()) + "-abc").find("Unexpected key size."),
            std::string::npos);
  root().call("api_key.revoke", {created.at("id"), json::value("test")});
  EXPECT_NE(refused(raw).find("api_key_convert_raw_key: Key is revoked."), std::string::npos);
  EXPECT_EQ(error_reason([&] { logged_in(reader).call("api_key.convert_raw_key", {json::value(raw)}); }),
            "[EACCES] Not authorized");
}

TEST_F(TrueNasShapeTest, RevokeIsPrivate) {
  auto created = create_key(admin);
  auto c = logged_in(admin);
  EXPECT_FALSE(c.call("core.get_methods").as_object().contains("api_key.revoke"));
  EXPECT_EQ(error_reason([&] { c.call("api_key.revoke", {created.at("id")}); }),
            "[EPERM] api_key.revoke is a private method: only root on the unix socket or a connection that set "
            "private_methods may call it");
  EXPECT_EQ(root().call("api_key.get_instance", {created.at("id")}).at("revoked"), false);
  // A client that asks for private methods (as TrueNAS's own test client does) may call it.
  c.call("core.set_options", {json::object{{"private_methods", true}}});
  EXPECT_EQ(c.call("api_key.revoke", {created.at("id")}).at("revoked"), true);
}

TEST_F(TrueNasShapeTest, LoginExAnswersAsTrueNasAndMeAgrees) {
  auto c = tcp();
  auto r = login_password(c, admin, kPassword);
  EXPECT_EQ(keys_of(r), (std::set<std::string>{"response_type", "user_info", "authenticator", "reconnect_token"}));
  EXPECT_EQ(r.at("authenticator"), "LEVEL_1");
  EXPECT_TRUE(r.at("reconnect_token").is_null());
  const auto& info = r.at("user_info").as_object();
  EXPECT_EQ(info.at("privilege").at("webui_access"), true);
  EXPECT_EQ(info.at("privilege").at("roles").at("$set"), (json::array{"FULL_ADMIN"}));
  EXPECT_TRUE(info.at("two_factor_config").at("provisioning_uri").is_null());
  EXPECT_EQ(info.at("two_factor_config").at("secret_configured"), false);
  EXPECT_EQ(c.call("auth.me"), json::value(info));
  // A role-limited user gets the explicit (expanded) role list.
  auto k = tcp();
  auto limited = login_password(k, keyadmin, kPassword);
  auto roles = limited.at("user_info").at("privilege").at("roles").at("$set").as_array();
  for (const char* role : {"API_KEY_WRITE", "API_KEY_READ", "VM_READ"})
    EXPECT_NE(std::find(roles.begin(), roles.end(), json::value(role)), roles.end()) << role;
  auto session = c.call("auth.sessions", {json::array{json::array{"current", "=", true}}, json::object{{"get", true}}});
  EXPECT_TRUE(session.at("credentials_data").as_object().contains("login_id"));
}

TEST_F(TrueNasShapeTest, TwoFactorIsOffAndCannotBeEnabled) {
  auto c = logged_in(admin);
  const json::value off = json::parse(R"({"enabled": false, "services": {"ssh": false}, "window": 0, "id": 1})");
  EXPECT_EQ(c.call("auth.twofactor.config"), off);
  const std::string refused = error_reason([&] { c.call("auth.twofactor.update", {json::object{{"enabled", true}}}); });
  EXPECT_NE(refused.find("auth_twofactor_update.enabled: Two-factor authentication is not available"),
            std::string::npos)
      << refused;
  EXPECT_NE(error_reason([&] {
              c.call("auth.twofactor.update", {json::parse(R"({"services": {"ssh": true}})")});
            }).find("auth_twofactor_update.services.ssh"),
            std::string::npos);
  EXPECT_EQ(c.call("auth.twofactor.config"), off) << "a refused update changes nothing";
  EXPECT_EQ(c.call("auth.twofactor.update", {json::object{{"window", 2}, {"enabled", false}}}).at("window"), 2);
  EXPECT_EQ(c.call("auth.twofactor.config").at("window"), 2);
  c.call("auth.twofactor.update", {json::object{{"window", 0}}});
  EXPECT_EQ(error_reason([&] { logged_in(reader).call("auth.twofactor.config"); }), "[EACCES] Not authorized");
}

TEST_F(TrueNasShapeTest, AssuranceLevelDecidesTheMechanisms) {
  auto key = create_key(reader);
  auto anonymous = tcp();
  EXPECT_EQ(root().call("auth.get_authenticator_assurance_level"), "LEVEL_1");
  EXPECT_EQ(anonymous.call("auth.mechanism_choices"),
            (json::array{"API_KEY_PLAIN", "TOKEN_PLAIN", "PASSWORD_PLAIN", "SCRAM"}));
  set_level("LEVEL_2");
  struct Restore {
    ~Restore() { set_level("LEVEL_1"); }
  } restore;
  EXPECT_EQ(root().call("auth.get_authenticator_assurance_level"), "LEVEL_2");
  EXPECT_EQ(anonymous.call("auth.mechanism_choices"), (json::array{"PASSWORD_PLAIN"}));
  EXPECT_EQ(error_reason([&] {
              anonymous.call(
                  "auth.login_ex",
                  {json::object{{"mechanism", "API_KEY_PLAIN"}, {"username", reader}, {"api_key", key.at("key")}}});
            }),
            "[EOPNOTSUPP] API_KEY_PLAIN: mechanism is not supported at current authenticator level.");
  // The right password without a second factor fails, as on TrueNAS for an account without one.
  EXPECT_EQ(login_password(anonymous, admin, kPassword).at("response_type"), "AUTH_ERR");
  set_level("LEVEL_3");
  EXPECT_EQ(anonymous.call("auth.mechanism_choices"), json::array{});
  EXPECT_NE(error_reason([&] { set_level("LEVEL_9"); }).find("LEVEL_9: unknown authenticator assurance level"),
            std::string::npos);
  set_level("LEVEL_1");
  EXPECT_EQ(login_password(anonymous, admin, kPassword).at("response_type"), "SUCCESS");
  EXPECT_EQ(error_reason([&] { anonymous.call("auth.set_authenticator_assurance_level", {json::value("LEVEL_2")}); }),
            "[EPERM] auth.set_authenticator_assurance_level is a private method: only root on the unix socket or a "
            "connection that set private_methods may call it");
  auto methods = anonymous.call("core.get_methods").as_object();
  EXPECT_FALSE(methods.contains("auth.set_authenticator_assurance_level"));
  EXPECT_TRUE(methods.contains("auth.login_with_api_key")) << "public, as in TrueNAS 26";
}

TEST_F(TrueNasShapeTest, SessionsEventAddsAndRemovesLogins) {
  auto watcher = logged_in(admin);
  watcher.call("core.subscribe", {json::value("auth.sessions")});
  auto next = [&]() -> json::object {
    for (;;) {
      auto n = watcher.next_notification(30s);
      if (!n) return {};
      const auto& params = n->at("params").as_object();
      if (params.at("collection") == "auth.sessions") return params;
    }
  };
  std::string id;
  {
    auto c = tcp();
    ASSERT_EQ(login_password(c, reader, kPassword).at("response_type"), "SUCCESS");
    auto added = next();
    ASSERT_EQ(added.at("msg"), "added") << json::serialize(added);
    const auto& f = added.at("fields").as_object();
    EXPECT_EQ(keys_of(f), (std::set<std::string>{"id", "origin", "credentials", "credentials_data", "created_at",
                                                 "secure_transport"}));
    EXPECT_EQ(f.at("credentials"), "LOGIN_PASSWORD");
    EXPECT_EQ(f.at("credentials_data").at("username"), json::value(reader));
    id = std::string(f.at("id").as_string());
    EXPECT_EQ(c.call("auth.logout"), true);
    auto removed = next();
    ASSERT_EQ(removed.at("msg"), "removed") << json::serialize(removed);
    EXPECT_FALSE(removed.contains("id")) << json::serialize(removed);
    EXPECT_EQ(removed.at("extra").at("fields").at("id"), json::value(id));
    ASSERT_EQ(login_password(c, reader, kPassword).at("response_type"), "SUCCESS");
    ASSERT_EQ(next().at("msg"), "added");
  }  // the connection closes without a logout
  auto closed = next();
  EXPECT_EQ(closed.at("msg"), "removed") << json::serialize(closed);
  EXPECT_EQ(closed.at("extra").at("fields").at("id"), json::value(id));
  // TrueNAS lets only full administrators watch sessions.
  EXPECT_EQ(error_reason([&] { logged_in(keyadmin).call("core.subscribe", {json::value("auth.sessions")}); }),
            "[EACCES] Not authorized");
}

TEST_F(TrueNasShapeTest, EveryResultMatchedItsSchema) {
  EXPECT_EQ(daemon->log().find("breaks its schema"), std::string::npos) << daemon->log();
}

}  // namespace
}  // namespace mw::test
