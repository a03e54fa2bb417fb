// Every WebSocket, whatever its path, against the real daemon: plugin sockets (/websocket/shell,
// the display proxy) take a place in the per-address count and are closed when idle before they
// log in, like JSON-RPC connections; and running out of descriptors does not make the accept loop
// spin.
#include <gtest/gtest.h>

#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "support/daemon_process.hpp"
#include "support/http_get.hpp"
#include "support/rpc_client.hpp"

namespace mw::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

TEST(WebSocketLimits, PluginWebSocketsHoldAPlaceInThePerAddressCount) {
  DaemonOptions o;
  o.config_text = "[limits]\nconnections_per_ip = 2\n";
  DaemonProcess d(o);
  auto shell = RpcClient::tcp(d.tcp_port(), "/websocket/shell");
  auto test_socket = RpcClient::tcp(d.tcp_port(), "/_test/socket");
  std::this_thread::sleep_for(200ms);  // both are past their upgrade
  std::string refused = run_http_get(d.tcp_port(), "/api/versions");
  EXPECT_NE(refused.find(" 503 "), std::string::npos) << refused;
  EXPECT_ANY_THROW(RpcClient::tcp(d.tcp_port(), "/websocket/shell"));
}

TEST(WebSocketLimits, IdlePluginWebSocketsAreClosedUntilTheyLogIn) {
  DaemonOptions o;
  o.config_text = "[limits]\nidle_unauthenticated_timeout = 1\n";
  DaemonProcess d(o);
  auto t0 = Clock::now();
  auto shell = RpcClient::tcp(d.tcp_port(), "/websocket/shell");
  auto anonymous = RpcClient::tcp(d.tcp_port(), "/_test/socket");
  auto logged_in = RpcClient::tcp(d.tcp_port(), "/_test/socket");
  logged_in.send_text("login");
  ASSERT_EQ(logged_in.receive_text(10s), "logged in");
  for (auto* idle : {&shell, &anonymous}) {
    try {
      idle->receive_text(10s);
      FAIL() << "an idle plugin WebSocket that never logged in got a message";
    } catch (const ConnectionClosed& e) {
      EXPECT_EQ(e.code, 1008);
      EXPECT_EQ(e.reason, "Unauthenticated connection idle for too long");
    }
  }
  EXPECT_GE(Clock::now() - t0, 900ms);
  // Logged in, a plugin socket may stay quiet as long as it likes.
  std::this_thread::sleep_for(1500ms);
  logged_in.send_text("still there?");
  EXPECT_EQ(logged_in.receive_text(10s), "still there?");
}

std::size_t open_descriptors(pid_t pid) {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd"))
    ++n;
  return n;
}

std::size_t count_of(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

TEST(WebSocketLimits, RunningOutOfDescriptorsDoesNotSpinTheAcceptLoop) {
  DaemonOptions o;
  o.config_text = "[limits]\nconnections_per_ip = 0\n";
  DaemonProcess d(o);
  // A few descriptors to spare, then none: the connections below exhaust them.
  rlimit low{open_descriptors(d.pid()) + 4, 0};
  rlimit old{};
  ASSERT_EQ(prlimit(d.pid(), RLIMIT_NOFILE, nullptr, &old), 0);
  low.rlim_max = old.rlim_max;
  ASSERT_EQ(prlimit(d.pid(), RLIMIT_NOFILE, &low, nullptr), 0);
  // The shortage cannot last longer than from here to the first answer below.
  const auto shortage_starts = Clock::now();
  std::vector<int> clients;  // the kernel completes them; the daemon cannot take them all
  for (int i = 0; i < 20; ++i) clients.push_back(connect_loopback(d.tcp_port()));
  std::this_thread::sleep_for(2300ms);

  // Descriptors come back when the clients go; the daemon takes new connections again.
  for (int fd : clients) close(fd);
  auto deadline = Clock::now() + 10s;
  bool answered = false;
  while (!answered && Clock::now() < deadline) {
    try {
      answered = RpcClient::tcp(d.tcp_port()).call("core.ping") == "pong";
    } catch (const std::exception&) {
      std::this_thread::sleep_for(100ms);
    }
  }
  const auto shortage_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - shortage_starts).count();
  EXPECT_TRUE(answered) << d.log();

  // Each burst of failed accepts is warned of once and, once an accept works again, counted in
  // one line. (A descriptor the daemon frees meanwhile lets one accept through: two bursts.)
  // Counted, not timed: a loaded machine only makes the backoff's pauses longer, so there are
  // fewer attempts, while a loop that retries at once makes thousands. At most one attempt per
  // pause of 100 ms (AcceptBackoff::kPause), and one more per burst for the one that starts it.
  const std::string log = d.log();
  const std::string said = "again after ";
  long bursts = 0, attempts = 0;
  for (auto at = log.find(said); at != std::string::npos; at = log.find(said, at + 1)) {
    ++bursts;
    attempts += std::stol(log.substr(at + said.size()));
  }
  ASSERT_GE(bursts, 1) << log;
  // The log is read while the daemon runs: a burst may have begun (warned) and not ended yet.
  const auto warnings = count_of(log, "Too many open files");
  EXPECT_GE(warnings, static_cast<std::size_t>(bursts)) << log;
  EXPECT_LE(warnings, static_cast<std::size_t>(bursts) + 1) << log;
  EXPECT_LE(attempts, shortage_ms / 100 + 2 * bursts) << "failed accepts in " << shortage_ms << " ms:\n" << log;
}

}  // namespace
}  // namespace mw::test
