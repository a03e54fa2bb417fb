// TrueNAS's own API client (its python midclt, from MW_TRUENAS_CLIENT_DIR, unchanged) against the
// real daemon: what a TrueNAS user types must work here too.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "support/daemon_process.hpp"
#include "support/rpc_client.hpp"
#include "support/run_command.hpp"

namespace mw::test {
namespace {

namespace json = boost::json;

class TrueNasClientTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    DaemonOptions options;
    // The client refuses SCRAM iteration counts below 50000.
    options.config_text = "[auth]\napi_key_iterations = 50000\n";
    daemon = new DaemonProcess(options);
  }
  static void TearDownTestSuite() {
    delete daemon;
    daemon = nullptr;
  }
  static RpcClient root() { return RpcClient::unix_socket(daemon->socket_path()); }
  static std::string root_key() {
    auto created = root().call("api_key.create", {json::object{{"name", "truenas-client-" + std::to_string(++keys)}}});
    return std::string(created.at("key").as_string());
  }
  // Runs TrueNAS's midclt with `args`; the websocket adapter supplies what Debian's
  // websocket-client lacks (tests/support/truenas_client).
  static CommandResult midclt(const std::vector<std::string>& args) {
    std::vector<std::string> argv{MW_TRUENAS_PYTHON, "-c",
                                  "import ws_socket_adapter; import truenas_api_client as t; t.main()"};
    argv.insert(argv.end(), args.begin(), args.end());
    std::string path = std::string(MW_TRUENAS_CLIENT_DIR) + ":" + MW_TEST_SUPPORT_DIR + "/truenas_client";
    return run_command(argv, "", {{"PYTHONPATH", path}}, std::chrono::seconds(60));
  }
  static std::string ws_uri() { return "ws://127.0.0.1:" + std::to_string(daemon->tcp_port()) + "/api/current"; }

  static inline DaemonProcess* daemon = nullptr;
  static inline int keys = 0;
};

TEST_F(TrueNasClientTest, ApiKeyScramLoginWithoutChannelBindingOverPlainWebSocket) {
  auto r = midclt({"-u", ws_uri(), "-U", "root", "-K", root_key(), "--no-channel-binding", "call", "auth.me"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // The client prints "Failed to login: ..." and exits 0 when the login fails.
  ASSERT_EQ(r.out.find("Failed"), std::string::npos) << r.out << r.err;
  auto me = json::parse(r.out);
  EXPECT_EQ(me.at("pw_name"), "root");
  EXPECT_EQ(me.at("pw_uid"), 0);
}

}  // namespace
}  // namespace mw::test
