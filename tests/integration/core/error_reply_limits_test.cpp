// What an unauthenticated client can make the real daemon send and hold: error replies are rate
// limited like calls, quote only a short prefix of what was sent, refusals waiting for their delay
// are capped per connection, and a client that never reads is dropped once its queue is full.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "integration/core/legacy_client.hpp"
#include "support/daemon_process.hpp"
#include "support/rpc_client.hpp"

namespace mw::test {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

DaemonOptions with_limits(const std::string& limits) {
  DaemonOptions o;
  o.config_text = "[limits]\nrate_limited_delay_min_ms = 100\nrate_limited_delay_max_ms = 200\n" + limits + "\n";
  return o;
}

json::object error_of(const json::object& answer) { return answer.at("error").as_object(); }

TEST(ErrorReplyLimits, AnonymousErrorRepliesAreRateLimitedPerAddress) {
  DaemonProcess d(with_limits("anonymous_calls_per_method = 3"));
  auto t = RpcClient::tcp(d.tcp_port());
  // Unknown methods (before login refused like any method, so the list cannot be probed),
  // malformed requests and unparsable frames share one count per address.
  EXPECT_EQ(error_of(t.request({{"jsonrpc", "2.0"}, {"method", "no.such_method"}})).at("data").at("reason"),
            "[ENOTAUTHENTICATED] Not authenticated");
  EXPECT_EQ(error_of(t.request({{"jsonrpc", "2.0"}, {"method", "other.unknown"}})).at("data").at("reason"),
            "[ENOTAUTHENTICATED] Not authenticated");
  EXPECT_EQ(error_of(t.request({{"method", "core.ping"}})).at("code"), -32600);
  auto limited = error_of(t.request({{"jsonrpc", "2.0"}, {"method", "third.unknown"}}));
  EXPECT_EQ(limited.at("code"), -32001);
  EXPECT_EQ(limited.at("data").at("reason"), "[EBUSY] Rate Limit Exceeded");
  t.send_text("{not json");
  auto parse_limited = json::parse(t.receive_text(10s)).as_object();
  EXPECT_EQ(parse_limited.at("id"), nullptr);
  EXPECT_EQ(error_of(parse_limited).at("data").at("reason"), "[EBUSY] Rate Limit Exceeded");
  // The count is the address's: a new connection, and the legacy protocol, share it.
  LegacyClient legacy(RpcClient::tcp(d.tcp_port(), "/websocket"));
  legacy.connect();
  EXPECT_EQ(legacy.call("l1", "no.such_method").at("error").at("reason"), "[EBUSY] Rate Limit Exceeded");
  // Calls of real methods have their own counts, and unix-socket peers are not limited.
  EXPECT_EQ(t.call("core.ping"), "pong");
  auto u = RpcClient::unix_socket(d.socket_path());
  for (int i = 0; i < 6; ++i)
    EXPECT_EQ(error_of(u.request({{"jsonrpc", "2.0"}, {"method", "no.such_method"}})).at("code"), -32601);
}

TEST(ErrorReplyLimits, ErrorsQuoteOnlyAShortPrefixOfWhatWasSent) {
  DaemonProcess d(with_limits(""));
  auto t = RpcClient::tcp(d.tcp_port());
  const std::string big(4000, 'M');
  // A long id is not echoed: the request is invalid and answered with a null id.
  t.send_text(json::serialize(json::object{{"jsonrpc", "2.0"}, {"id", big}, {"method", "no.such_method"}}));
  std::string answer = t.receive_text(10s);
  EXPECT_LT(answer.size(), 300u) << answer.substr(0, 300);
  auto parsed = json::parse(answer).as_object();
  EXPECT_EQ(parsed.at("id"), nullptr);
  EXPECT_EQ(error_of(parsed).at("code"), -32600);
  EXPECT_EQ(error_of(parsed).at("message"), "'id' member must be at most 128 characters long");

  // Client text inside error messages: a discriminator tag, an unknown key.
  t.send_text(json::serialize(json::object{{"jsonrpc", "2.0"},
                                           {"id", 1},
                                           {"method", "auth.login_ex"},
                                           {"params", json::array{json::object{{"mechanism", big}}}}}));
  answer = t.receive_text(10s);
  EXPECT_LT(answer.size(), 2048u) << answer.substr(0, 300);
  EXPECT_NE(answer.find("Input tag '" + std::string(64, 'M') + "…'"), std::string::npos) << answer.substr(0, 600);
  t.send_text(json::serialize(json::object{
      {"jsonrpc", "2.0"},
      {"id", 2},
      {"method", "auth.login_ex"},
      {"params",
       json::array{json::object{
           {"mechanism", "PASSWORD_PLAIN"}, {"username", "u"}, {"password", "p"}, {std::string(4000, 'k'), 1}}}}}));
  answer = t.receive_text(10s);
  EXPECT_LT(answer.size(), 2048u) << answer.substr(0, 300);
  EXPECT_NE(answer.find("login_data.PASSWORD_PLAIN." + std::string(64, 'k') + "…"), std::string::npos)
      << answer.substr(0, 600);

  // The legacy protocol quotes unknown method names (to a caller that is logged in: before login
  // every unknown name is "Not authenticated"), and echoes ids everywhere.
  LegacyClient legacy(RpcClient::unix_socket(d.socket_path(), "/websocket"));
  legacy.connect();
  std::string reason(legacy.call("l1", "svc." + big).at("error").at("reason").as_string());
  EXPECT_EQ(reason, "[ENOMETHOD] Method '" + std::string(60, 'M') + "…' not found in 'svc'");
  legacy.post({{"msg", "ping"}, {"id", big}});
  try {
    legacy.next();
    FAIL() << "a ping with a 4000-character id was answered";
  } catch (const ConnectionClosed& e) {
    EXPECT_EQ(e.code, 1007);
    EXPECT_EQ(e.reason, "'id' must be at most 128 characters long");
  }
}

TEST(ErrorReplyLimits, RefusalsWaitingForTheirDelayAreCappedPerConnection) {
  DaemonOptions o;
  o.config_text =
      "[limits]\nanonymous_calls_per_method = 1\nrate_limited_delay_min_ms = 5000\nrate_limited_delay_max_ms = 6000\n";
  DaemonProcess d(o);
  auto t = RpcClient::tcp(d.tcp_port());
  ASSERT_EQ(t.call("core.ping"), "pong");
  // Each refusal waits 5-6 s on a timer: a client must not pile up any number of them.
  for (int i = 0; i < 200; ++i)
    t.send_text(json::serialize(json::object{{"jsonrpc", "2.0"}, {"id", i}, {"method", "core.ping"}}));
  try {
    t.receive_text(4s);
    FAIL() << "a refused call was answered before its delay";
  } catch (const ConnectionClosed& e) {
    EXPECT_EQ(e.code, 1008);
    EXPECT_EQ(e.reason, "Too many requests while rate limited");
  }
  EXPECT_EQ(RpcClient::unix_socket(d.socket_path()).call("core.ping"), "pong");
}

// The queue cap holds for every client: root on the unix socket as much as anonymous TCP.
TEST(ErrorReplyLimits, AClientThatNeverReadsIsDroppedOnceItsQueueIsFull) {
  DaemonProcess d;
  auto flood = [](RpcClient& c, const std::string& frame, int times) {
    try {
      for (int i = 0; i < times; ++i) c.send_text(frame);
    } catch (const std::exception&) {
      // the daemon hung up while we were still writing
    }
  };
  auto root = RpcClient::unix_socket(d.socket_path());
  flood(root, R"({"jsonrpc":"2.0","id":1,"method":"test.echo","params":[")" + std::string(60000, 'x') + R"("]})", 2000);
  auto anonymous = RpcClient::tcp(d.tcp_port());
  flood(anonymous, R"({"jsonrpc":"2.0","id":1,"method":"core.set_options","params":[{}]})", 200000);
  std::size_t drops = 0;
  const std::string log = d.log();
  for (auto at = log.find("waiting to be read"); at != std::string::npos; at = log.find("waiting to be read", at + 1))
    ++drops;
  EXPECT_EQ(drops, 2u) << log.substr(log.size() > 3000 ? log.size() - 3000 : 0);
  EXPECT_EQ(RpcClient::unix_socket(d.socket_path()).call("core.ping"), "pong");
}

}  // namespace
}  // namespace mw::test
