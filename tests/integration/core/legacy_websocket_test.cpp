// The legacy /websocket protocol against the real daemon: the same dispatcher,
// method table, auth checks, limits and events as JSON-RPC, in the older message shapes.
#include <gtest/gtest.h>

#include <regex>

#include "integration/core/legacy_client.hpp"
#include "support/daemon_process.hpp"
#include "support/shared_daemon_test.hpp"

namespace mw::test {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

class LegacyWebsocketTest : public SharedDaemonTest {
 protected:
  static LegacyClient root() { return LegacyClient(RpcClient::unix_socket(daemon->socket_path(), "/websocket")); }
  static LegacyClient tcp() { return LegacyClient(RpcClient::tcp(daemon->tcp_port(), "/websocket")); }
  static LegacyClient connected_root() {
    auto c = root();
    c.connect();
    return c;
  }
  static void expect_closed(LegacyClient& c, int code, const std::string& reason) {
    try {
      auto m = c.next();
      FAIL() << "answered instead of closing: " << json::serialize(m);
    } catch (const ConnectionClosed& e) {
      EXPECT_EQ(e.code, code);
      EXPECT_EQ(e.reason, reason);
    }
  }
};

TEST_F(LegacyWebsocketTest, ConnectAnswersConnectedWithASessionUuid) {
  auto c = root();
  auto a = c.send({{"msg", "connect"}, {"version", "1"}, {"support", json::array{"1"}}, {"features", json::array{}}});
  EXPECT_EQ(a.at("msg"), "connected");
  std::string session(a.at("session").as_string());
  EXPECT_TRUE(std::regex_match(session, std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}")))
      << session;
}

TEST_F(LegacyWebsocketTest, WrongVersionAndMessagesBeforeConnectFail) {
  auto c = root();
  const json::object failed{{"msg", "failed"}, {"version", "1"}};
  EXPECT_EQ(c.send({{"msg", "method"}, {"id", "early"}, {"method", "core.ping"}}), failed);
  EXPECT_EQ(c.send({{"msg", "connect"}, {"version", "2"}, {"support", json::array{"2"}}}), failed);
  EXPECT_EQ(c.send({{"msg", "sub"}, {"id", "s"}, {"name", "test.events"}}), failed);
  c.connect();  // the connection stays usable after failures
  EXPECT_EQ(c.call("p", "core.ping").at("result"), "pong");
}

TEST_F(LegacyWebsocketTest, MethodCallAnswersAResultMessage) {
  auto c = root();
  c.connect();
  c.post_text(R"({"msg":"method","id":"a1","method":"test.echo","params":[{"x":[1,2]}]})");
  EXPECT_EQ(json::serialize(c.next()), R"({"msg":"result","id":"a1","result":{"x":[1,2]}})");
  c.post_text(R"({"msg":"method","id":"a2","method":"core.ping"})");  // absent params = []
  EXPECT_EQ(json::serialize(c.next()), R"({"msg":"result","id":"a2","result":"pong"})");
}

TEST_F(LegacyWebsocketTest, SingleValidationErrorKeepsItsErrnoAndType) {
  auto c = connected_root();
  auto e = c.call("v1", "vm.get_instance", json::array{987654}).at("error").as_object();
  EXPECT_EQ(e.at("error"), ENOENT);
  EXPECT_EQ(e.at("errname"), "ENOENT");
  EXPECT_EQ(e.at("type"), "VALIDATION");
  EXPECT_EQ(e.at("reason"), "[ENOENT] None: VM 987654 does not exist");
  EXPECT_EQ(e.at("extra"), json::parse(R"([[null,"VM 987654 does not exist",2]])"));
}

TEST_F(LegacyWebsocketTest, ValidationErrorsAreEagainWithTriples) {
  auto c = connected_root();
  auto e = c.call("v2", "test.sleep", json::array{"x"}).at("error").as_object();
  EXPECT_EQ(e.at("error"), EAGAIN);
  EXPECT_EQ(e.at("errname"), "EAGAIN");
  EXPECT_EQ(e.at("type"), "VALIDATION");
  EXPECT_EQ(e.at("reason"), "[EINVAL] seconds: Input should be a valid number\n");
  EXPECT_EQ(e.at("extra"), json::parse(R"([["seconds","Input should be a valid number",22]])"));
}

TEST_F(LegacyWebsocketTest, CallErrorKeepsErrnoAndPrefixedReason) {
  auto c = connected_root();
  auto e = c.call("f", "test.fail", json::array{16, "busy here"}).at("error").as_object();
  EXPECT_EQ(e.at("error"), 16);
  EXPECT_EQ(e.at("errname"), "EBUSY");
  EXPECT_TRUE(e.at("type").is_null());
  EXPECT_EQ(e.at("reason"), "[EBUSY] busy here");
  EXPECT_EQ(e.at("trace").at("class"), "CallError");
}

TEST_F(LegacyWebsocketTest, UnknownMethodIsEnomethodNamingTheService) {
  auto c = connected_root();
  auto e = c.call("u", "vm.nosuch").at("error").as_object();
  EXPECT_EQ(e.at("error"), 201);
  EXPECT_EQ(e.at("errname"), "ENOMETHOD");
  EXPECT_EQ(e.at("reason"), "[ENOMETHOD] Method 'nosuch' not found in 'vm'");
}

TEST_F(LegacyWebsocketTest, UnauthenticatedCallsAreRefusedWith207) {
  auto c = tcp();
  c.connect();
  EXPECT_EQ(c.call("ok", "core.ping").at("result"), "pong");  // allowed without login
  auto e = c.call("no", "test.echo", json::array{1}).at("error").as_object();
  EXPECT_EQ(e.at("error"), 207);
  EXPECT_EQ(e.at("errname"), "ENOTAUTHENTICATED");
  EXPECT_EQ(e.at("reason"), "[ENOTAUTHENTICATED] Not authenticated");
}

TEST_F(LegacyWebsocketTest, NonListParamsAreEinval) {
  auto c = connected_root();
  auto e = c.call("p", "test.echo", json::object{{"a", 1}}).at("error").as_object();
  EXPECT_EQ(e.at("error"), EINVAL);
  EXPECT_EQ(e.at("errname"), "EINVAL");
  EXPECT_EQ(e.at("reason"), "`params` must be a list.");
}

TEST_F(LegacyWebsocketTest, TwentyFirstConcurrentCallIsEtoomanyrefs) {
  auto c = connected_root();
  for (int i = 0; i < 20; ++i)
    c.post(
        {{"msg", "method"}, {"id", "s" + std::to_string(i)}, {"method", "test.sleep"}, {"params", json::array{0.5}}});
  auto e = c.call("21st", "core.ping").at("error").as_object();
  EXPECT_EQ(e.at("error"), 109);
  EXPECT_EQ(e.at("errname"), "ETOOMANYREFS");
  EXPECT_EQ(e.at("reason"), "Maximum number of concurrent calls (20) has exceeded.");
  for (int i = 0; i < 20; ++i) EXPECT_EQ(c.answer_for("s" + std::to_string(i)).at("result"), true);
}

TEST_F(LegacyWebsocketTest, JobsAlwaysAnswerTheJobId) {
  auto c = connected_root();
  // Even a client asking for withheld job answers gets the id at once on this protocol.
  EXPECT_EQ(
      c.call("o", "core.set_options", json::array{json::object{{"legacy_jobs", false}}}).at("result").at("legacy_jobs"),
      false);
  auto answer = c.call("j", "test.job_sleep", json::array{0.05});
  ASSERT_TRUE(answer.at("result").is_int64()) << json::serialize(answer);
  auto job_id = answer.at("result").as_int64();
  auto wait = c.call("w", "core.job_wait", json::array{job_id});  // itself a job: its id too
  ASSERT_TRUE(wait.at("result").is_int64());
  EXPECT_NE(wait.at("result").as_int64(), job_id);
  auto deadline = std::chrono::steady_clock::now() + 20s;
  json::value state;
  for (int i = 0; std::chrono::steady_clock::now() < deadline; ++i) {
    auto jobs =
        c.call("q" + std::to_string(i), "core.get_jobs", json::array{json::array{json::array{"id", "=", job_id}}});
    auto& job = jobs.at("result").as_array().at(0).as_object();
    state = job.at("state");
    if (state == "SUCCESS") {
      EXPECT_EQ(job.at("result"), 42);
      break;
    }
  }
  EXPECT_EQ(state, "SUCCESS");
}

TEST_F(LegacyWebsocketTest, SubscriptionUsesTheClientIdAndEventsArriveAsCollectionMessages) {
  auto c = connected_root();
  EXPECT_EQ(c.send({{"msg", "sub"}, {"id", "sub-1"}, {"name", "test.events"}}),
            (json::object{{"msg", "ready"}, {"subs", json::array{"sub-1"}}}));
  EXPECT_EQ(c.call("pub", "test.publish", json::array{2}).at("result"), 2);
  // Events were queued before the answer of the call that published them.
  EXPECT_EQ(json::serialize(c.next()), R"({"msg":"changed","collection":"test.events","id":1,"fields":{"n":1}})");
  EXPECT_EQ(json::serialize(c.next()), R"({"msg":"changed","collection":"test.events","id":2,"fields":{"n":2}})");

  c.post({{"msg", "unsub"}, {"id", "sub-1"}});  // no reply
  EXPECT_EQ(c.call("pub2", "test.publish", json::array{1}).at("result"), 1);
  EXPECT_EQ(c.call("after", "core.ping").at("result"), "pong");
  EXPECT_THROW(c.next(300ms), std::runtime_error) << "an event arrived after unsub";
}

TEST_F(LegacyWebsocketTest, RefusedSubscriptionIsNotAuthorized) {
  auto c = tcp();
  c.connect();
  auto a = c.send({{"msg", "sub"}, {"id", "s1"}, {"name", "test.events"}});
  EXPECT_EQ(a.at("msg"), "result");
  EXPECT_EQ(a.at("id"), "s1");
  EXPECT_EQ(a.at("error").at("error"), EACCES);
  EXPECT_EQ(a.at("error").at("reason"), "Not authorized");
  auto r = connected_root();
  EXPECT_EQ(r.send({{"msg", "sub"}, {"id", "s2"}, {"name", "no.such.event"}}).at("error").at("reason"),
            "Not authorized");
}

TEST_F(LegacyWebsocketTest, OneEventReachesBothWireFormats) {
  auto legacy = connected_root();
  ASSERT_EQ(legacy.send({{"msg", "sub"}, {"id", "L"}, {"name", "test.events"}}).at("msg"), "ready");
  auto modern = RpcClient::unix_socket(daemon->socket_path());
  modern.call("core.subscribe", {"test.events"});
  auto publisher = RpcClient::unix_socket(daemon->socket_path());
  EXPECT_EQ(publisher.call("test.publish", {1}), 1);
  EXPECT_EQ(json::serialize(legacy.next()), R"({"msg":"changed","collection":"test.events","id":1,"fields":{"n":1}})");
  auto n = modern.next_notification(10s);
  ASSERT_TRUE(n.has_value());
  EXPECT_EQ(json::serialize(*n), R"({"jsonrpc":"2.0","method":"collection_update","params":)"
                                 R"({"msg":"changed","collection":"test.events","id":1,"fields":{"n":1}}})");
}

TEST_F(LegacyWebsocketTest, PingAnswersPong) {
  auto c = connected_root();
  EXPECT_EQ(json::serialize(c.send({{"msg", "ping"}, {"id", "p1"}})), R"({"msg":"pong","id":"p1"})");
}

TEST_F(LegacyWebsocketTest, ParseErrorClosesWith1007) {
  auto c = connected_root();
  c.post_text("{not json");
  expect_closed(c, 1007, "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)");
}

TEST_F(LegacyWebsocketTest, FrameLimitsAreTheSameAsJsonRpc) {
  auto anonymous = tcp();
  anonymous.connect();
  anonymous.post_text(R"({"msg":"method","id":"big","method":"core.ping","params":[")" + std::string(9000, 'a') +
                      "\"]}");
  expect_closed(anonymous, 1007, "Anonymous connection max message length is 8 kB");

  auto c = connected_root();
  EXPECT_EQ(c.call("fits", "test.echo", json::array{std::string(60000, 'b')}).at("result").as_string().size(), 60000u);
  c.post_text(R"({"msg":"method","id":"big","method":"test.echo","params":[")" + std::string(70000, 'c') + "\"]}");
  expect_closed(c, 1009, "Max message length is 64 kB");
}

}  // namespace
}  // namespace mw::test
