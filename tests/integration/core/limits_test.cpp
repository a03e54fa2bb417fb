// Abuse resistance against the real daemon: rate limits, connections per
// address, subscriptions per connection, idle unauthenticated connections, and plain-TCP API keys.
#include <gtest/gtest.h>

#include "integration/core/legacy_client.hpp"
#include "integration/core/remote_peer.hpp"
#include "support/daemon_process.hpp"
#include "support/http_get.hpp"

namespace mw::test {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// These tests run over loopback, which is limited like any address by default.
DaemonOptions with_limits(const std::string& limits, const std::string& more = "") {
  DaemonOptions o;
  // Refusals wait 100-200 ms here instead of the default 1-10 s, to keep the suite fast.
  o.config_text = "[limits]\nrate_limited_delay_min_ms = 100\nrate_limited_delay_max_ms = 200\n" + limits +
                  "\n[auth]\napi_key_iterations = 4096\n" + more;
  return o;
}

void expect_rate_limited(RpcClient& c, const std::string& method, json::array params = {}) {
  try {
    c.call(method, std::move(params));
    FAIL() << method << " was not rate limited";
  } catch (const RpcError& e) {
    EXPECT_EQ(e.code, -32001);
    EXPECT_EQ(e.data.at("error"), 16);
    EXPECT_EQ(e.data.at("errname"), "EBUSY");
    EXPECT_EQ(e.reason(), "[EBUSY] Rate Limit Exceeded");
  }
}

TEST(Limits, AnonymousTcpCallsAreLimitedPerMethodAndAddress) {
  DaemonProcess d(with_limits(""));
  auto t = RpcClient::tcp(d.tcp_port());
  for (int i = 0; i < 20; ++i) ASSERT_EQ(t.call("core.ping"), "pong") << "call " << i + 1;
  // The 21st call is refused, and only after the configured delay.
  auto refused_at = Clock::now();
  expect_rate_limited(t, "core.ping");
  auto waited = Clock::now() - refused_at;
  EXPECT_GE(waited, 100ms);
  EXPECT_LT(waited, 5s);
  // Another method from the same address has its own count; core.set_options is never limited.
  EXPECT_TRUE(t.call("auth.mechanism_choices").is_array());
  for (int i = 0; i < 30; ++i) ASSERT_TRUE(t.call("core.set_options", {json::object{}}).is_object());
  // The count belongs to the address, not the connection, and the legacy protocol shares it.
  auto again = RpcClient::tcp(d.tcp_port());
  expect_rate_limited(again, "core.ping");
  LegacyClient legacy(RpcClient::tcp(d.tcp_port(), "/websocket"));
  legacy.connect();
  auto e = legacy.call("l", "core.ping").at("error");
  EXPECT_EQ(e.at("error"), 16);
  EXPECT_EQ(e.at("reason"), "[EBUSY] Rate Limit Exceeded");
  // Unix-socket peers are exempt.
  auto u = RpcClient::unix_socket(d.socket_path());
  for (int i = 0; i < 25; ++i) ASSERT_EQ(u.call("core.ping"), "pong");
}

TEST(Limits, AnonymousLimitEndsWithItsWindow) {
  DaemonProcess d(with_limits("anonymous_calls_per_method = 2\nanonymous_window_seconds = 1"));
  auto t = RpcClient::tcp(d.tcp_port());
  t.call("core.ping");
  t.call("core.ping");
  expect_rate_limited(t, "core.ping");
  auto deadline = Clock::now() + 10s;
  bool allowed = false;
  while (!allowed && Clock::now() < deadline) {
    try {
      allowed = t.call("core.ping") == "pong";
    } catch (const RpcError&) {
    }
  }
  EXPECT_TRUE(allowed) << "the window never ended";
}

// Behind a reverse proxy on the same host every client is a loopback peer, and any web page can
// reach 127.0.0.1: loopback is limited like any address unless the administrator says otherwise.
TEST(Limits, LoopbackPeersAreLimitedByDefaultAndSparedOnlyWhenConfigured) {
  DaemonOptions defaults;
  defaults.config_text =
      "[limits]\nanonymous_calls_per_method = 2\nconnections_per_ip = 3\n"
      "rate_limited_delay_min_ms = 100\nrate_limited_delay_max_ms = 200\n";
  DaemonProcess d(defaults);
  auto l = RpcClient::tcp(d.tcp_port());
  l.call("core.ping");
  l.call("core.ping");
  expect_rate_limited(l, "core.ping");
  std::vector<RpcClient> open;
  for (int i = 0; i < 2; ++i) open.push_back(RpcClient::tcp(d.tcp_port()));
  EXPECT_ANY_THROW(RpcClient::tcp(d.tcp_port()));
  EXPECT_EQ(RpcClient::unix_socket(d.socket_path()).call("core.ping"), "pong");  // unix peers stay exempt

  DaemonOptions exempting = defaults;
  exempting.config_text += "exempt_loopback = true\n";
  DaemonProcess spared(exempting);
  std::vector<RpcClient> many;
  for (int i = 0; i < 5; ++i) many.push_back(RpcClient::tcp(spared.tcp_port()));
  for (int i = 0; i < 5; ++i) ASSERT_EQ(many.front().call("core.ping"), "pong");
}

TEST(Limits, AuthenticatedUsersHaveAPerUserLimitButRootOnTheUnixSocketHasNone) {
  DaemonProcess d(with_limits("user_calls_per_minute = 30"));
  auto u = RpcClient::unix_socket(d.socket_path());
  for (int i = 0; i < 40; ++i) ASSERT_EQ(u.call("core.ping"), "pong");

  std::string key = create_root_key(d, "limits-test");
  auto t = RpcClient::tcp(d.tcp_port());
  ASSERT_EQ(t.call("auth.login_with_api_key", {key}), true);
  for (int i = 0; i < 30; ++i) ASSERT_EQ(t.call("core.ping"), "pong") << "call " << i + 1;
  expect_rate_limited(t, "test.echo", {1});
  // The limit is the user's, whatever the connection.
  auto second = RpcClient::tcp(d.tcp_port());
  ASSERT_EQ(second.call("auth.login_with_api_key", {key}), true);
  expect_rate_limited(second, "core.ping");
  EXPECT_EQ(u.call("core.ping"), "pong");
}

TEST(Limits, ConnectionsPerAddressAreCappedPolitely) {
  DaemonProcess d(with_limits("connections_per_ip = 3"));
  std::vector<RpcClient> open;
  for (int i = 0; i < 3; ++i) open.push_back(RpcClient::tcp(d.tcp_port()));
  EXPECT_ANY_THROW(RpcClient::tcp(d.tcp_port()));
  std::string refused = run_http_get(d.tcp_port(), "/api/versions");
  EXPECT_NE(refused.find(" 503 "), std::string::npos) << refused;
  EXPECT_NE(refused.find("Too many connections from your address"), std::string::npos) << refused;
  EXPECT_EQ(RpcClient::unix_socket(d.socket_path()).call("core.ping"), "pong");  // not counted

  open.pop_back();  // frees a place once the daemon has seen the close
  auto deadline = Clock::now() + 10s;
  std::optional<RpcClient> again;
  while (!again && Clock::now() < deadline) {
    try {
      again.emplace(RpcClient::tcp(d.tcp_port()));
    } catch (const std::exception&) {
    }
  }
  ASSERT_TRUE(again.has_value()) << "the closed connection's place was never released";
  EXPECT_EQ(again->call("core.ping"), "pong");
}

TEST(Limits, SubscriptionsPerConnectionAreCapped) {
  DaemonProcess d(with_limits("subscriptions_per_session = 3"));
  auto c = RpcClient::unix_socket(d.socket_path());
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) ids.emplace_back(c.call("core.subscribe", {"test.events"}).as_string());
  try {
    c.call("core.subscribe", {"core.get_jobs"});
    FAIL() << "a fourth subscription was accepted";
  } catch (const RpcError& e) {
    EXPECT_EQ(e.data.at("error"), 109);
    EXPECT_EQ(e.reason(), "[ETOOMANYREFS] Too many event subscriptions on this connection (limit 3)");
  }
  c.call("core.unsubscribe", {ids.front()});
  EXPECT_TRUE(c.call("core.subscribe", {"core.get_jobs"}).is_string());

  LegacyClient legacy(RpcClient::unix_socket(d.socket_path(), "/websocket"));
  legacy.connect();
  for (int i = 0; i < 3; ++i)
    ASSERT_EQ(legacy.send({{"msg", "sub"}, {"id", "s" + std::to_string(i)}, {"name", "test.events"}}).at("msg"),
              "ready");
  auto refused = legacy.send({{"msg", "sub"}, {"id", "s3"}, {"name", "test.events"}});
  EXPECT_EQ(refused.at("error").at("error"), 109);
  EXPECT_EQ(refused.at("error").at("reason"), "Too many event subscriptions on this connection (limit 3)");
  // Re-using an id replaces that subscription rather than adding one.
  EXPECT_EQ(legacy.send({{"msg", "sub"}, {"id", "s0"}, {"name", "core.get_jobs"}}).at("msg"), "ready");
}

TEST(Limits, IdleUnauthenticatedConnectionsAreClosed) {
  DaemonProcess d(with_limits("idle_unauthenticated_timeout = 1"));
  auto root = RpcClient::unix_socket(d.socket_path());
  std::string key = create_root_key(d, "limits-test");
  auto logged_in = RpcClient::tcp(d.tcp_port());
  ASSERT_EQ(logged_in.call("auth.login_with_api_key", {key}), true);

  auto t0 = Clock::now();
  auto anonymous = RpcClient::tcp(d.tcp_port());
  LegacyClient legacy(RpcClient::tcp(d.tcp_port(), "/websocket"));
  legacy.connect();
  try {
    anonymous.receive_text(10s);
    FAIL() << "an idle anonymous connection got a message";
  } catch (const ConnectionClosed& e) {
    EXPECT_EQ(e.code, 1008);
    EXPECT_EQ(e.reason, "Unauthenticated connection idle for too long");
  }
  EXPECT_GE(Clock::now() - t0, 900ms);
  EXPECT_THROW(legacy.next(10s), ConnectionClosed);
  // Authenticated connections idle as long as the others stay open.
  EXPECT_EQ(root.call("core.ping"), "pong");
  EXPECT_EQ(logged_in.call("core.ping"), "pong");
}

TEST(Limits, PlainTcpApiKeyLoginOnlyFromLoopbackUnlessAllowed) {
  std::string address = non_loopback_ipv4();
  if (address.empty()) GTEST_SKIP() << "no non-loopback IPv4 address on this machine";
  DaemonOptions strict = with_limits("");
  strict.listen = "0.0.0.0:0";
  DaemonProcess d(strict);
  std::string key = create_root_key(d, "limits-test");
  auto remote = RpcClient::tcp_to(address, d.tcp_port());
  auto answer = remote.call("auth.login_ex",
                            {json::object{{"mechanism", "API_KEY_PLAIN"}, {"username", "root"}, {"api_key", key}}});
  EXPECT_EQ(answer.at("response_type"), "AUTH_ERR");
  EXPECT_NE(d.log().find("API_KEY_PLAIN login for 'root' from " + address), std::string::npos);
  auto local = RpcClient::tcp(d.tcp_port());
  EXPECT_EQ(local.call("auth.login_with_api_key", {key}), true);

  DaemonOptions allowing = with_limits("", "allow_api_key_on_plain_tcp = true\n");
  allowing.listen = "0.0.0.0:0";
  DaemonProcess open(allowing);
  std::string open_key = create_root_key(open, "limits-test");
  auto remote_allowed = RpcClient::tcp_to(address, open.tcp_port());
  EXPECT_EQ(remote_allowed.call("auth.login_with_api_key", {open_key}), true);
}

}  // namespace
}  // namespace mw::test
