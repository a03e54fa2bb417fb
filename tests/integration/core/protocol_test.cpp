// JSON-RPC framing against the real daemon: every malformed input gets its
// documented answer and the connection stays usable.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "support/daemon_process.hpp"
#include "support/http_get.hpp"
#include "support/rpc_client.hpp"
#include "support/shared_daemon_test.hpp"

namespace mw::test {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

class ProtocolTest : public SharedDaemonTest {
 protected:
  json::object raw(RpcClient& c, const std::string& frame) {
    c.send_text(frame);
    return json::parse(c.receive_text(10s)).as_object();
  }
};

TEST_F(ProtocolTest, PingAnswersPongOverUnixSocketAndTcp) {
  auto u = root();
  EXPECT_EQ(u.call("core.ping"), "pong");
  auto t = RpcClient::tcp(daemon->tcp_port());
  EXPECT_EQ(t.call("core.ping"), "pong");
}

TEST_F(ProtocolTest, AnswerKeysAreInTrueNasOrder) {
  auto c = root();
  c.send_text(R"({"jsonrpc":"2.0","id":"k","method":"core.ping"})");
  EXPECT_EQ(c.receive_text(10s), R"({"jsonrpc":"2.0","result":"pong","id":"k"})");
}

TEST_F(ProtocolTest, MalformedJsonGetsParseError) {
  auto c = root();
  auto a = raw(c, "{not json");
  EXPECT_EQ(a.at("error").at("code"), -32700);
  EXPECT_EQ(a.at("error").at("message"), "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)");
  EXPECT_TRUE(a.at("id").is_null());
  EXPECT_EQ(c.call("core.ping"), "pong");
}

TEST_F(ProtocolTest, BatchAndNonObjectsAreRefused) {
  auto c = root();
  EXPECT_EQ(raw(c, R"([{"jsonrpc":"2.0","id":1,"method":"core.ping"}])").at("error").at("message"),
            "Batch messages are not supported at this time");
  EXPECT_EQ(raw(c, "17").at("error").at("message"), "Invalid Message Format");
}

TEST_F(ProtocolTest, InvalidRequestsAreAnsweredOnlyWhenTheyHaveAnId) {
  auto c = root();
  auto a = raw(c, R"({"jsonrpc":"2.0","id":5,"method":"core.ping","params":{"a":1}})");
  EXPECT_EQ(a.at("error").at("code"), -32600);
  EXPECT_EQ(a.at("error").at("message"), "'params' member must be of type array");
  EXPECT_EQ(a.at("id"), 5);
  // Without id nothing comes back: the next answer is the ping's.
  c.send_text(R"({"jsonrpc":"2.0","method":"core.ping","params":{"a":1}})");
  c.send_text(R"({"jsonrpc":"2.0","method":"no.such_method"})");
  EXPECT_EQ(raw(c, R"({"jsonrpc":"2.0","id":"after","method":"core.ping"})").at("id"), "after");
}

TEST_F(ProtocolTest, UnknownMethodIsMethodNotFoundWithoutData) {
  auto c = root();
  auto a = raw(c, R"({"jsonrpc":"2.0","id":1,"method":"vm.nothing"})");
  EXPECT_EQ(a.at("error"), json::parse(R"({"code":-32601,"message":"Method does not exist"})"));
}

// Before login every name is refused alike, so nobody learns which methods exist without
// credentials, and TrueNAS methods this daemon lacks fail as they do on TrueNAS.
TEST_F(ProtocolTest, UnknownMethodBeforeLoginIsNotAuthenticated) {
  auto t = RpcClient::tcp(daemon->tcp_port());
  try {
    t.call("user.query");
    ADD_FAILURE() << "an anonymous call of an unknown method was answered";
  } catch (const RpcError& e) {
    EXPECT_EQ(e.code, -32001);
    EXPECT_EQ(e.reason(), "[ENOTAUTHENTICATED] Not authenticated");
  }
  auto legacy = RpcClient::tcp(daemon->tcp_port(), "/websocket");
  legacy.send_text(R"({"msg":"connect","version":"1","support":["1"]})");
  legacy.receive_text(10s);
  legacy.send_text(R"({"msg":"method","id":"u","method":"user.query","params":[]})");
  auto answer = json::parse(legacy.receive_text(10s)).as_object();
  EXPECT_EQ(answer.at("error").at("error"), 207);
  EXPECT_EQ(answer.at("error").at("reason"), "[ENOTAUTHENTICATED] Not authenticated");
}

TEST_F(ProtocolTest, NotificationRunsButAnswersNothing) {
  auto c = root();
  EXPECT_EQ(c.call("core.subscribe", {"test.events"}).is_string(), true);
  c.send_text(R"({"jsonrpc":"2.0","method":"test.publish","params":[1]})");
  auto n = c.next_notification(10s);
  ASSERT_TRUE(n.has_value());
  EXPECT_EQ(n->at("params").at("collection"), "test.events");
  EXPECT_FALSE(c.next_notification(300ms).has_value());
}

TEST_F(ProtocolTest, ValidationErrorsNameTheArgument) {
  auto c = root();
  try {
    c.call("test.sleep", {"x"});
    FAIL() << "accepted a string as seconds";
  } catch (const RpcError& e) {
    EXPECT_EQ(e.code, -32602);
    EXPECT_EQ(e.message, "Invalid params");
    EXPECT_EQ(e.data.at("extra"), json::parse(R"([["seconds","Input should be a valid number",22]])"));
  }
  try {
    c.call("test.echo", {1, 2});
    FAIL() << "accepted too many arguments";
  } catch (const RpcError& e) {
    EXPECT_EQ(e.data.at("extra"), json::parse(R"j([["","Too many arguments (expected 1, found 2)",22]])j"));
  }
}

TEST_F(ProtocolTest, CallErrorCarriesErrnoAndPrefixedReason) {
  auto c = root();
  try {
    c.call("test.fail", {16, "busy here"});
    FAIL();
  } catch (const RpcError& e) {
    EXPECT_EQ(e.code, -32001);
    EXPECT_EQ(e.data.at("error"), 16);
    EXPECT_EQ(e.data.at("errname"), "EBUSY");
    EXPECT_EQ(e.data.at("reason"), "[EBUSY] busy here");
  }
}

TEST_F(ProtocolTest, CallsOnOneConnectionFinishOutOfOrder) {
  auto c = root();
  c.send_text(R"({"jsonrpc":"2.0","id":"slow","method":"test.sleep","params":[0.5]})");
  c.send_text(R"({"jsonrpc":"2.0","id":"fast","method":"core.ping"})");
  auto first = json::parse(c.receive_text(10s)).as_object();
  EXPECT_EQ(first.at("id"), "fast");
  EXPECT_EQ(c.answer_for("slow").at("result"), true);
}

TEST_F(ProtocolTest, TwentyFirstConcurrentCallIsRefused) {
  auto c = root();
  for (int i = 0; i < 20; ++i)
    c.send_text(R"({"jsonrpc":"2.0","id":)" + std::to_string(i) + R"(,"method":"test.sleep","params":[0.5]})");
  auto a = raw(c, R"({"jsonrpc":"2.0","id":"21st","method":"core.ping"})");
  EXPECT_EQ(a.at("id"), "21st");
  EXPECT_EQ(a.at("error"),
            json::parse(R"({"code":-32000,"message":"Maximum number of concurrent calls (20) has exceeded"})"));
  for (int i = 0; i < 20; ++i) EXPECT_EQ(c.answer_for(i).at("result"), true);
  EXPECT_EQ(c.call("core.ping"), "pong");
}

TEST_F(ProtocolTest, BinaryFrameClosesWith1003) {
  auto c = root();
  c.send_binary("{}");
  try {
    c.receive_text(10s);
    FAIL() << "binary frame was answered";
  } catch (const ConnectionClosed& e) {
    EXPECT_EQ(e.code, 1003);
    EXPECT_EQ(e.reason, "Invalid websocket message type: 2");
  }
}

TEST_F(ProtocolTest, AnonymousMessageOver8KiBClosesWith1007) {
  auto c = RpcClient::tcp(daemon->tcp_port());
  c.send_text(R"({"jsonrpc":"2.0","id":1,"method":"core.ping","params":[")" + std::string(9000, 'a') + "\"]}");
  try {
    c.receive_text(10s);
    FAIL() << "oversized anonymous message was answered";
  } catch (const ConnectionClosed& e) {
    EXPECT_EQ(e.code, 1007);
    EXPECT_EQ(e.reason, "Anonymous connection max message length is 8 kB");
  }
}

TEST_F(ProtocolTest, AuthenticatedMessageUpTo64KiBIsFineBeyondClosesWith1009) {
  auto c = root();
  EXPECT_EQ(c.call("test.echo", {std::string(60000, 'b')}).as_string().size(), 60000u);
  c.send_text(R"({"jsonrpc":"2.0","id":1,"method":"test.echo","params":[")" + std::string(70000, 'c') + "\"]}");
  try {
    c.receive_text(10s);
    FAIL();
  } catch (const ConnectionClosed& e) {
    EXPECT_EQ(e.code, 1009);
    EXPECT_EQ(e.reason, "Max message length is 64 kB");
  }
}

TEST_F(ProtocolTest, TcpClientsMustAuthenticate) {
  auto t = RpcClient::tcp(daemon->tcp_port());
  EXPECT_EQ(t.call("core.set_options", {json::object{{"legacy_jobs", false}}}).at("legacy_jobs"), false);
  try {
    t.call("core.get_jobs");
    FAIL();
  } catch (const RpcError& e) {
    EXPECT_EQ(e.data.at("error"), 207);
    EXPECT_EQ(e.data.at("reason"), "[ENOTAUTHENTICATED] Not authenticated");
  }
}

TEST_F(ProtocolTest, SetOptionsIgnoresUnknownKeysAndReturnsAll) {
  auto c = root();
  EXPECT_EQ(c.call("core.set_options", {json::object{{"private_methods", true}, {"bogus", 1}}}),
            json::parse(R"({"legacy_jobs":true,"private_methods":true,"py_exceptions":false})"));
}

TEST_F(ProtocolTest, GetMethodsDescribesSchemasRolesAndJobs) {
  auto c = root();
  auto methods = c.call("core.get_methods").as_object();
  ASSERT_TRUE(methods.contains("core.ping"));
  EXPECT_EQ(methods.at("test.job_sleep").at("job"), true);
  EXPECT_EQ(methods.at("core.ping").at("no_auth_required"), true);
  EXPECT_EQ(methods.at("core.get_jobs").at("accepts").at(0).at("_name_"), "filters");
  EXPECT_TRUE(methods.at("core.ping").at("description").as_string().size() > 0);
}

TEST_F(ProtocolTest, VersionsEndpointListsApiVersions) {
  // Plain HTTP GET through a raw socket on the unix listener.
  auto r = run_http_get(daemon->socket_path(), "/api/versions");
  EXPECT_NE(r.find("200 OK"), std::string::npos);
  auto body = json::parse(r.substr(r.find("\r\n\r\n") + 4));
  for (auto& v : body.as_array()) EXPECT_TRUE(v.as_string().starts_with("v"));
  EXPECT_NE(r.find("\"v27.0.0\""), std::string::npos);
}

}  // namespace
}  // namespace mw::test
