// Failures nobody planned for (an exception that is none of the daemon's error types) never end
// the daemon and never show their text to a client: the client waiting gets a fixed text, the
// log gets the rest (middlewared/include/middlewared/guard.hpp).
#include <gtest/gtest.h>

#include <thread>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "integration/core/legacy_client.hpp"
#include "support/http_get.hpp"
#include "support/shared_daemon_test.hpp"

namespace mw::test {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

constexpr const char* kFixedText = "Internal error (the daemon log has the details)";

class UnexpectedErrorsTest : public SharedDaemonTest {
 protected:
  static bool log_has(const std::string& text) {
    for (int i = 0; i < 100; ++i) {
      if (daemon->log().find(text) != std::string::npos) return true;
      std::this_thread::sleep_for(20ms);
    }
    return false;
  }
};

TEST_F(UnexpectedErrorsTest, ForeignExceptionInAHandlerAnswersTheFixedText) {
  auto c = root();
  for (const char* kind : {"std", "other"}) {
    try {
      c.call("test.throw", {kind});
      ADD_FAILURE() << kind << ": no error";
    } catch (const RpcError& e) {
      EXPECT_EQ(e.code, -32001) << kind;
      EXPECT_EQ(e.data.at("error"), 22) << kind;
      EXPECT_EQ(e.data.at("reason"), kFixedText) << kind;
      EXPECT_EQ(json::serialize(e.data).find("secret detail"), std::string::npos) << json::serialize(e.data);
    }
  }
  EXPECT_TRUE(log_has("unexpected exception in test.throw (call id=")) << daemon->log();
  EXPECT_TRUE(log_has("): secret detail")) << daemon->log();
  EXPECT_TRUE(log_has("): unknown exception")) << daemon->log();
  EXPECT_EQ(c.call("core.ping"), "pong");
}

// The warning names the call, so that a client's report ("call 4711 failed") finds its log line.
TEST_F(UnexpectedErrorsTest, WarningNamesTheCallId) {
  auto c = root();
  auto answer = c.request({{"jsonrpc", "2.0"}, {"id", 4711}, {"method", "test.throw"}, {"params", {"std"}}});
  EXPECT_EQ(answer.at("error").at("data").at("reason"), kFixedText) << json::serialize(answer);
  EXPECT_TRUE(log_has("unexpected exception in test.throw (call id=4711): secret detail")) << daemon->log();
}

TEST_F(UnexpectedErrorsTest, ForeignExceptionOnTheLegacyProtocolAnswersTheFixedText) {
  LegacyClient legacy(RpcClient::unix_socket(daemon->socket_path(), "/websocket"));
  legacy.connect();
  auto answer = legacy.call("t1", "test.throw", json::array{"std"});
  EXPECT_EQ(answer.at("error").at("reason"), kFixedText) << json::serialize(answer);
  EXPECT_EQ(json::serialize(answer).find("secret detail"), std::string::npos) << json::serialize(answer);
}

TEST_F(UnexpectedErrorsTest, TaskThrowingOnTheIoThreadDoesNotEndTheDaemon) {
  auto c = root();
  EXPECT_EQ(c.call("test.throw_in_background"), true);
  EXPECT_TRUE(log_has("unexpected exception in the I/O thread: thrown on the I/O thread on purpose")) << daemon->log();
  // The same connection and new ones are still served.
  EXPECT_EQ(c.call("core.ping"), "pong");
  EXPECT_EQ(root().call("core.ping"), "pong");
}

TEST_F(UnexpectedErrorsTest, PluginHttpRouteThrowingAnswers500AndTheDaemonLives) {
  std::string answer = run_http_get(daemon->socket_path(), "/_test/throw");
  EXPECT_EQ(answer.rfind("HTTP/1.1 500", 0), 0u) << answer;
  EXPECT_NE(answer.find(kFixedText), std::string::npos) << answer;
  EXPECT_TRUE(log_has("unexpected exception in HTTP route /_test/throw: unknown exception")) << daemon->log();
  EXPECT_EQ(root().call("core.ping"), "pong");
}

}  // namespace
}  // namespace mw::test
