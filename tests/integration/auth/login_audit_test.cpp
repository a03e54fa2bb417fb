// Login attempts in the audit log, on the real daemon: every mechanism and every login method,
// success or failure, with mechanism, user name (escaped) and address, never the secret.
#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include <fstream>

#include "auth/scram.hpp"
#include "integration/auth/auth_fixture.hpp"

namespace mw::test {
namespace {

namespace auth = mw::plugins::auth;

constexpr const char* kWrongPassword = "Wr0ng-Secret-Pw";

class LoginAuditTest : public AuthTest {
 protected:
  static int64_t last_audit_id() {
    auto rows = root().call(
        "audit.query", {json::object{{"query-filters", json::array{}},
                                     {"query-options", json::object{{"order_by", json::array{"-id"}}, {"limit", 1}}}}});
    return rows.as_array().empty() ? 0 : rows.as_array()[0].at("id").as_int64();
  }
  // Audit entries of login methods after entry `after`, oldest first.
  static json::array logins_since(int64_t after) {
    json::array filters{json::array{"id", ">", after}, json::array{"method", "^", "auth.login"}};
    return root()
        .call("audit.query", {json::object{{"query-filters", filters},
                                           {"query-options", json::object{{"order_by", json::array{"id"}}}}}})
        .as_array();
  }
  static std::string db_bytes() {
    std::string bytes;
    for (const char* f : {"audit.sqlite", "audit.sqlite-wal"}) {
      std::ifstream in(daemon->state_dir() / "db" / f, std::ios::binary);
      bytes.append((std::istreambuf_iterator<char>(in)), {});
    }
    return bytes;
  }
  static void expect_entry(const json::value& e, const std::string& method, const std::string& mechanism,
                           const std::string& username, bool success) {
    SCOPED_TRACE(json::serialize(e));
    EXPECT_EQ(e.at("method"), json::value(method));
    EXPECT_EQ(e.at("credentials"), json::value(mechanism));
    EXPECT_EQ(e.at("username"), json::value(username));
    EXPECT_EQ(e.at("success"), success);
    EXPECT_EQ(std::string(e.at("address").as_string()).rfind("tcp:127.0.0.1:", 0), 0u);
    EXPECT_EQ(e.at("params").at(0).at("mechanism"), json::value(mechanism));
    if (!success) {
      EXPECT_EQ(e.at("error"), "AUTH_ERR");
    }
  }
};

TEST_F(LoginAuditTest, EveryLoginMethodRecordsItsAttemptsWithoutTheSecret) {
  auto key = create_key(reader);
  std::string raw_key(key.at("key").as_string());
  auto token_source = logged_in(admin);
  std::string token(token_source.call("auth.generate_token", {300, json::object{}, false}).as_string());
  const std::string odd_name = "evil\x1b[2J\nuser\\";
  int64_t before = last_audit_id();

  {
    auto c = tcp();
    login_password(c, reader, kPassword);
  }
  {
    auto c = tcp();
    login_password(c, reader, kWrongPassword);
  }
  {
    auto c = tcp();
    c.call("auth.login", {json::value(odd_name), json::value(kWrongPassword)});
  }
  {
    auto c = tcp();
    c.call("auth.login_with_api_key", {json::value(raw_key)});
  }
  {
    auto c = tcp();
    c.call("auth.login_ex",
           {json::object{{"mechanism", "API_KEY_PLAIN"}, {"username", reader}, {"api_key", raw_key + "x"}}});
  }
  {
    auto c = tcp();
    c.call("auth.login_with_token", {json::value(token)});
  }
  {
    auto c = tcp();
    c.call("auth.login_ex", {json::object{{"mechanism", "TOKEN_PLAIN"}, {"token", "not-a-token"}}});
  }

  auto rows = logins_since(before);
  ASSERT_EQ(rows.size(), 7u) << json::serialize(rows);
  expect_entry(rows[0], "auth.login_ex", "PASSWORD_PLAIN", reader, true);
  expect_entry(rows[1], "auth.login_ex", "PASSWORD_PLAIN", reader, false);
  expect_entry(rows[2], "auth.login", "PASSWORD_PLAIN", "evil\\x1b[2J\\nuser\\\\", false);
  expect_entry(rows[3], "auth.login_with_api_key", "API_KEY_PLAIN", reader, true);
  EXPECT_EQ(rows[3].at("params").at(0).at("api_key_id"), key.at("id"));
  expect_entry(rows[4], "auth.login_ex", "API_KEY_PLAIN", reader, false);
  expect_entry(rows[5], "auth.login_with_token", "TOKEN_PLAIN", admin, true);
  expect_entry(rows[6], "auth.login_ex", "TOKEN_PLAIN", "", false);

  std::string text = json::serialize(rows);
  std::string bytes = db_bytes();
  for (const std::string& secret :
       {std::string(kPassword), std::string(kWrongPassword), raw_key.substr(raw_key.find('-') + 1), token}) {
    EXPECT_EQ(text.find(secret), std::string::npos) << secret;
    EXPECT_EQ(bytes.find(secret), std::string::npos) << secret;
  }
}

TEST_F(LoginAuditTest, ScramExchangeIsRecordedOnceAtItsEnd) {
  auto key = create_key("root");
  std::string raw(key.at("key").as_string());
  std::string user = "root:" + std::to_string(key.at("id").as_int64());
  int64_t before = last_audit_id();
  for (const std::string& secret : {raw.substr(raw.find('-') + 1), std::string(64, 'x')}) {
    auth::scram::ClientExchange client(auth::HashAlg::Sha512, user, secret, auth::random_url_token(24));
    auto c = tcp();
    auto first = c.call("auth.login_ex", {json::object{{"mechanism", "SCRAM"},
                                                       {"scram_type", "CLIENT_FIRST_MESSAGE"},
                                                       {"rfc_str", client.client_first()}}});
    c.call("auth.login_ex", {json::object{{"mechanism", "SCRAM"},
                                          {"scram_type", "CLIENT_FINAL_MESSAGE"},
                                          {"rfc_str", client.client_final(first.at("rfc_str").as_string())}}});
  }
  auto rows = logins_since(before);
  ASSERT_EQ(rows.size(), 2u) << json::serialize(rows);
  expect_entry(rows[0], "auth.login_ex", "SCRAM", "root", true);
  expect_entry(rows[1], "auth.login_ex", "SCRAM", "root", false);
  EXPECT_EQ(rows[0].at("params").at(0).at("api_key_id"), key.at("id"));
}

TEST_F(LoginAuditTest, ALoggedInSessionsLoginIsRecordedOnce) {
  auto c = logged_in(reader);
  int64_t before = last_audit_id();
  login_password(c, reader, kPassword);
  auto rows = logins_since(before);
  ASSERT_EQ(rows.size(), 1u) << json::serialize(rows);
  expect_entry(rows[0], "auth.login_ex", "PASSWORD_PLAIN", reader, true);
}

}  // namespace
}  // namespace mw::test
