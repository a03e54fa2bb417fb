// TrueNAS's own API client (its python midclt, from MW_TRUENAS_CLIENT_DIR, unchanged) against the
// real daemon: what a TrueNAS user types must work here too.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <set>
#include <sstream>
#include <thread>

#include <unistd.h>

#include "support/rpc_client.hpp"
#include "support/run_command.hpp"
#include "support/tls_daemon.hpp"

namespace mw::test {
namespace {

namespace json = boost::json;

class TrueNasClientTest : public ::testing::Test {
 protected:
  // One daemon with the plain and the TLS listener. The client refuses SCRAM iteration counts
  // below 50000.
  static void SetUpTestSuite() { server = new TlsDaemon("[auth]\napi_key_iterations = 50000\n"); }
  static void TearDownTestSuite() {
    delete server;
    server = nullptr;
  }
  static RpcClient root() { return RpcClient::unix_socket(server->daemon().socket_path()); }
  static std::string root_key() {
    auto created = root().call(
        "api_key.create", {json::object{{"name", "truenas-client-" + std::to_string(++keys)}, {"username", "root"}}});
    return std::string(created.at("key").as_string());
  }
  // Runs TrueNAS's midclt with `args`; the websocket adapter supplies what Debian's
  // websocket-client lacks (tests/support/truenas_client).
  static CommandResult midclt(const std::vector<std::string>& args) {
    std::vector<std::string> argv{MW_TRUENAS_PYTHON, "-c",
                                  "import truenas_ws_adapter; import truenas_api_client as t; t.main()"};
    argv.insert(argv.end(), args.begin(), args.end());
    std::string path = std::string(MW_TRUENAS_CLIENT_DIR) + ":" + MW_TRUENAS_ADAPTER_DIR;
    return run_command(argv, "", {{"PYTHONPATH", path}}, std::chrono::seconds(60));
  }
  static std::string unix_uri() { return "ws+unix://" + server->daemon().socket_path().string(); }
  // The printed JSON of a successful call through TrueNAS's midclt as root on the unix socket.
  static json::value root_call(std::vector<std::string> args) {
    args.insert(args.begin(), {"-u", unix_uri(), "call"});
    auto r = midclt(args);
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    try {
      return json::parse(r.out);
    } catch (const std::exception&) {
      ADD_FAILURE() << "not JSON: " << r.out << r.err;
      return nullptr;
    }
  }
  static std::set<std::string> keys_of(const json::value& v) {
    std::set<std::string> out;
    for (const auto& [k, unused] : v.as_object()) out.insert(std::string(k));
    return out;
  }
  static std::string ws_uri() {
    return "ws://127.0.0.1:" + std::to_string(server->daemon().tcp_port()) + "/api/current";
  }
  static std::string wss_uri() { return "wss://127.0.0.1:" + std::to_string(server->tls_port()) + "/api/current"; }
  static void expect_root(const CommandResult& r) {
    ASSERT_EQ(r.exit_code, 0) << r.err;
    // The client prints "Failed to login: ..." and exits 0 when the login fails.
    ASSERT_EQ(r.out.find("Failed"), std::string::npos) << r.out << r.err;
    auto me = json::parse(r.out);
    EXPECT_EQ(me.at("pw_name"), "root");
    EXPECT_EQ(me.at("pw_uid"), 0);
  }

  static inline TlsDaemon* server = nullptr;
  static inline int keys = 0;
};

TEST_F(TrueNasClientTest, ApiKeyScramLoginWithoutChannelBindingOverPlainWebSocket) {
  expect_root(midclt({"-u", ws_uri(), "-U", "root", "-K", root_key(), "--no-channel-binding", "call", "auth.me"}));
}

// The client's default over TLS: SCRAM-PLUS, bound to the certificate the daemon serves
// (RFC 5929 tls-server-end-point).
TEST_F(TrueNasClientTest, ApiKeyScramPlusLoginOverTls) {
  expect_root(midclt({"-u", wss_uri(), "--insecure", "-U", "root", "-K", root_key(), "call", "auth.me"}));
}

TEST_F(TrueNasClientTest, ApiKeyScramWithoutChannelBindingOverTls) {
  expect_root(midclt(
      {"-u", wss_uri(), "--insecure", "-U", "root", "-K", root_key(), "--no-channel-binding", "call", "auth.me"}));
}

// TrueNAS 26's key shape through TrueNAS's client: api_key.create answers the key once with its
// ClientKey and shows the SCRAM material as "********"; the new key logs in over SCRAM.
TEST_F(TrueNasClientTest, KeyCreatedThroughTheClientHasTheNewShapeAndLogsIn) {
  auto created = root_call({"api_key.create", R"({"name": "tn-shape", "username": "root"})"});
  EXPECT_EQ(keys_of(created), (std::set<std::string>{"id", "name", "username", "user_identifier", "iterations", "salt",
                                                     "stored_key", "server_key", "created_at", "expires_at", "local",
                                                     "revoked", "revoked_reason", "key", "client_key"}));
  EXPECT_EQ(created.at("user_identifier"), 0);
  EXPECT_EQ(created.at("iterations"), 50000);
  EXPECT_EQ(created.at("stored_key"), "********");
  const std::string key(created.at("key").as_string());
  expect_root(midclt({"-u", ws_uri(), "-U", "root", "-K", key, "--no-channel-binding", "call", "auth.me"}));
  auto listed = root_call({"api_key.query", R"([["name", "=", "tn-shape"]])", R"({"get": true})"});
  EXPECT_EQ(listed.at("salt"), "********");
  EXPECT_FALSE(listed.as_object().contains("key"));
}

// The client takes a key file of precomputed SCRAM keys (what api_key.convert_raw_key gives), so
// that it need not run PBKDF2 itself; with them it logs in over SCRAM-PLUS.
TEST_F(TrueNasClientTest, ConvertRawKeyGivesKeysTheClientLogsInWith) {
  const std::string raw = root_key();
  auto scram = root_call({"api_key.convert_raw_key", raw});
  EXPECT_EQ(keys_of(scram),
            (std::set<std::string>{"api_key_id", "iterations", "salt", "client_key", "stored_key", "server_key"}));
  EXPECT_EQ(scram.at("api_key_id").as_int64(), std::stoll(raw.substr(0, raw.find('-'))));
  auto file = std::filesystem::temp_directory_path() / ("mw-tn-key-" + std::to_string(::getpid()) + ".json");
  json::object precomputed{{"api_key_id", scram.at("api_key_id")},
                           {"client_key", scram.at("client_key")},
                           {"stored_key", scram.at("stored_key")},
                           {"server_key", scram.at("server_key")}};
  std::ofstream(file) << json::serialize(precomputed);
  expect_root(midclt({"-u", wss_uri(), "--insecure", "-U", "root", "-K", file.string(), "call", "auth.me"}));
  std::filesystem::remove(file);
}

// The auth.login_ex answer as the client decodes it (ejson: the role set arrives as a set).
TEST_F(TrueNasClientTest, LoginExAnswerHasTrueNasFields) {
  const std::string login = R"({"mechanism": "API_KEY_PLAIN", "username": "root", "api_key": ")" + root_key() + R"("})";
  auto r = midclt({"-u", wss_uri(), "--insecure", "call", "auth.login_ex", login});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto answer = json::parse(r.out);
  EXPECT_EQ(keys_of(answer), (std::set<std::string>{"response_type", "user_info", "authenticator", "reconnect_token"}));
  EXPECT_EQ(answer.at("response_type"), "SUCCESS");
  EXPECT_EQ(answer.at("authenticator"), "LEVEL_1");
  const auto& privilege = answer.at("user_info").at("privilege");
  EXPECT_EQ(privilege.at("webui_access"), true);
  EXPECT_EQ(privilege.at("roles").at("$set"), (json::array{"FULL_ADMIN"})) << "re-encoded by the client's ejson";
  auto methods = root_call({"core.get_methods", "auth"}).as_object();
  EXPECT_TRUE(methods.contains("auth.login_with_api_key"));
  EXPECT_FALSE(methods.contains("auth.set_authenticator_assurance_level"));
  EXPECT_TRUE(root_call({"core.get_methods", "api_key"}).as_object().contains("api_key.convert_raw_key"));
  EXPECT_FALSE(root_call({"core.get_methods", "api_key"}).as_object().contains("api_key.revoke"));
}

TEST_F(TrueNasClientTest, TwoFactorConfigIsOff) {
  EXPECT_EQ(root_call({"auth.twofactor.config"}),
            json::parse(R"({"enabled": false, "services": {"ssh": false}, "window": 0, "id": 1})"));
}

// `midclt subscribe auth.sessions` sees a SCRAM login come and go.
TEST_F(TrueNasClientTest, SessionsEventSeesALoginComeAndGo) {
  const std::string key = root_key();
  auto subscriber = std::async(std::launch::async, [&] {
    return midclt({"-u", unix_uri(), "subscribe", "auth.sessions", "-n", "3", "-t", "60"});
  });
  // The subscription may start after a login: log in (and out, by closing) until three events came.
  // The pause lets the daemon notice each closed connection (it looks once a second) before the
  // next login, so that the three events include a REMOVED.
  for (int i = 0; subscriber.wait_for(std::chrono::milliseconds(1500)) != std::future_status::ready && i < 40; ++i)
    midclt({"-u", ws_uri(), "-U", "root", "-K", key, "--no-channel-binding", "call", "core.ping"});
  auto r = subscriber.get();
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::vector<json::object> events;
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);)
    if (!line.empty()) events.push_back(json::parse(line).as_object());
  ASSERT_EQ(events.size(), 3u) << r.out;
  for (const auto& e : events) EXPECT_EQ(e.at("collection"), "auth.sessions");
  // Either order is possible when the subscription starts between a login and its end.
  auto added = std::find_if(events.begin(), events.end(), [](const auto& e) { return e.at("msg") == "added"; });
  if (added != events.end()) {
    EXPECT_EQ(added->at("fields").at("credentials"), "API_KEY");
    EXPECT_EQ(added->at("fields").at("credentials_data").at("username"), "root");
  }
  auto removed = std::find_if(events.begin(), events.end(), [](const auto& e) { return e.at("msg") == "removed"; });
  EXPECT_NE(removed, events.end()) << r.out;
}

}  // namespace
}  // namespace mw::test
