// TrueNAS's own API client (its python midclt, from MW_TRUENAS_CLIENT_DIR, unchanged) against the
// real daemon: what a TrueNAS user types must work here too.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

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
    auto created = root().call("api_key.create", {json::object{{"name", "truenas-client-" + std::to_string(++keys)}}});
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
  static std::string ws_uri() { return "ws://127.0.0.1:" + std::to_string(server->daemon().tcp_port()) + "/api/current"; }
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
  expect_root(midclt({"-u", wss_uri(), "--insecure", "-U", "root", "-K", root_key(), "--no-channel-binding", "call", "auth.me"}));
}

}  // namespace
}  // namespace mw::test
