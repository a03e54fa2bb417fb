// subscribe, waitready, --version and the daemon-not-running path.
#include <atomic>
#include <regex>
#include <sstream>
#include <thread>

#include "midclt_fixture.hpp"
#include "support/rpc_client.hpp"

namespace midclt_it {

using MiscTest = MidcltAgainstDaemon;

// -K over plain ws:// logs in by SCRAM (the key never crosses the wire), with TrueNAS's nonce
// shape: base64 of 32 random bytes, answered with base64 of those and 32 more.
TEST_F(MiscTest, ApiKeyLogsInByScramOverPlainWebSocket) {
  auto rpc = mw::test::RpcClient::unix_socket(daemon_->socket_path());
  auto created = rpc.call("api_key.create", {boost::json::object{{"name", "midclt-scram"}, {"username", "root"}}});
  std::string key(created.at("key").as_string());
  auto r = midclt_raw({"-u", tcp_uri(), "-U", "root", "-K", key, "call", "auth.me"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("\"pw_name\": \"root\""), std::string::npos) << r.out;
  EXPECT_NE(daemon_->log().find("API_KEY login of 'root'"), std::string::npos);
}

TEST_F(MiscTest, SubscribePrintsEventsInServerKeyOrderAndStopsAfterN) {
  mw::test::CommandResult result;
  std::atomic<bool> done{false};
  std::thread subscriber([&] {
    result = midclt({"subscribe", "test.events", "-n", "2", "-t", "20"});
    done = true;
  });
  // The subscription is ready at an unknown moment: publish until the subscriber has its two.
  auto rpc = mw::test::RpcClient::unix_socket(daemon_->socket_path());
  for (int i = 0; i < 100 && !done; ++i) {
    rpc.call("test.publish", {2});
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  subscriber.join();
  EXPECT_EQ(result.exit_code, 0) << result.err;
  // Two lines; which publish they came from depends on when the subscription became active,
  // so only the shape and the key order (as the server sent them) are fixed.
  const std::regex line(R"(\{"msg": "changed", "collection": "test\.events", "id": (\d+), "fields": \{"n": \1\}\})");
  std::vector<std::string> lines;
  std::istringstream in(result.out);
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  ASSERT_EQ(lines.size(), 2u) << result.out;
  for (const auto& l : lines) EXPECT_TRUE(std::regex_match(l, line)) << l;
}

TEST_F(MiscTest, SubscribeTimesOutWithExitOne) {
  auto start = std::chrono::steady_clock::now();
  auto r = midclt({"subscribe", "test.events", "-t", "1"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST_F(MiscTest, WaitreadyReturnsAtOnceWhenTheDaemonAnswers) {
  auto r = midclt({"waitready", "-t", "5"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST(MidcltWithoutDaemon, MissingSocketSaysDaemonNotRunning) {
  auto r = mw::test::run_command(
      {mw::test::midclt_path().string(), "-u", "ws+unix:///nonexistent/midclt.sock", "call", "core.ping"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "Failed to run middleware call. Daemon not running?\n");
}

TEST(MidcltWithoutDaemon, RefusedTcpPortSaysDaemonNotRunning) {
  // Port 1 on loopback is closed on any sane test machine.
  auto r = mw::test::run_command(
      {mw::test::midclt_path().string(), "-u", "ws://127.0.0.1:1/api/current", "call", "core.ping"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "Failed to run middleware call. Daemon not running?\n");
}

TEST(MidcltWithoutDaemon, WaitreadyGivesUpAfterItsTimeout) {
  auto r = mw::test::run_command(
      {mw::test::midclt_path().string(), "-u", "ws+unix:///nonexistent/midclt.sock", "waitready", "-t", "1"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "Middleware did not become ready within 1 seconds\n");
}

TEST(MidcltWithoutDaemon, VersionPrintsProjectVersion) {
  auto r = mw::test::run_command({mw::test::midclt_path().string(), "--version"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out.rfind("midclt ", 0), 0u) << r.out;
}

TEST(MidcltWithoutDaemon, NoSubcommandPrintsHelp) {
  auto r = mw::test::run_command({mw::test::midclt_path().string()});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("subscribe"), std::string::npos);
}

TEST(MidcltWithoutDaemon, PipedStdinArgumentStillReportsMissingDaemon) {
  auto r = mw::test::run_command(
      {mw::test::midclt_path().string(), "-u", "ws+unix:///nonexistent/midclt.sock", "call", "test.echo", "-"}, "{}");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "Failed to run middleware call. Daemon not running?\n");
}

}  // namespace midclt_it
