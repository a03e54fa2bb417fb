// Hostile and careless clients must not disturb anyone else (issue: "Bad input").
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cstring>
#include <filesystem>
#include <regex>
#include <string>
#include <thread>

#include <boost/json/parse.hpp>

#include "support/daemon_process.hpp"
#include "support/rpc_client.hpp"

namespace mw::test {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

int raw_unix_connect(const std::filesystem::path& path) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

TEST(Robustness, ThousandIdleConnectionsDoNotSlowOthers) {
  rlimit lim{};
  getrlimit(RLIMIT_NOFILE, &lim);
  lim.rlim_cur = lim.rlim_max;
  setrlimit(RLIMIT_NOFILE, &lim);
  DaemonProcess daemon;
  std::vector<int> idle;
  for (int i = 0; i < 1000; ++i) {
    int fd = raw_unix_connect(daemon.socket_path());
    ASSERT_GE(fd, 0) << "connection " << i << " refused";
    idle.push_back(fd);
  }
  auto c = RpcClient::unix_socket(daemon.socket_path());
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 100; ++i) ASSERT_EQ(c.call("core.ping"), "pong");
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
  for (int fd : idle) close(fd);
}

TEST(Robustness, ClientThatNeverReadsIsDroppedAndOthersContinue) {
  DaemonProcess daemon({.config_text = "[server]\n"});
  auto greedy = RpcClient::unix_socket(daemon.socket_path());
  greedy.call("core.subscribe", {"test.events"});
  auto other = RpcClient::unix_socket(daemon.socket_path());
  // Ask for far more events than any socket buffer holds, and never read them.
  greedy.send_text(R"({"jsonrpc":"2.0","id":1,"method":"test.publish","params":[60000]})");
  for (int i = 0; i < 20; ++i) {
    ASSERT_EQ(other.call("core.ping"), "pong");
    std::this_thread::sleep_for(50ms);
  }
  // The daemon logged the drop; the greedy client's socket ends (reading eventually hits EOF).
  bool dropped = false;
  for (int i = 0; i < 200 && !dropped; ++i) {
    dropped = daemon.log().find("dropped") != std::string::npos;
    if (!dropped) std::this_thread::sleep_for(50ms);
  }
  EXPECT_TRUE(dropped) << daemon.log();
  EXPECT_EQ(other.call("core.ping"), "pong");
}

TEST(Robustness, GarbageInsteadOfHttpIsClosedQuietly) {
  DaemonProcess daemon;
  int fd = raw_unix_connect(daemon.socket_path());
  std::string junk(20000, 'x');
  (void)!write(fd, junk.data(), junk.size());
  char buf[256];
  // The server answers with an error or closes; either way the read ends.
  while (read(fd, buf, sizeof buf) > 0) {
  }
  close(fd);
  auto c = RpcClient::unix_socket(daemon.socket_path());
  EXPECT_EQ(c.call("core.ping"), "pong");
}

TEST(Robustness, UnknownHttpPathIs404) {
  DaemonProcess daemon;
  EXPECT_THROW(RpcClient::unix_socket(daemon.socket_path(), "/nope"), std::exception);
  EXPECT_EQ(RpcClient::unix_socket(daemon.socket_path(), "/api/v27.0.0").call("core.ping"), "pong");
}

TEST(Lifecycle, SigtermStopsCleanly) {
  DaemonProcess daemon;
  auto c = RpcClient::unix_socket(daemon.socket_path());
  c.call("test.job_sleep", {30});  // a running job must not hold up the shutdown
  daemon.stop();
  EXPECT_TRUE(WIFEXITED(daemon.last_status()));
  EXPECT_EQ(WEXITSTATUS(daemon.last_status()), 0);
  EXPECT_NE(daemon.log().find("stopped"), std::string::npos);
}

TEST(Lifecycle, RefusesToStartOnABadConfigFile) {
  EXPECT_THROW(DaemonProcess({.config_text = "[server]\nnot a setting\n"}), std::runtime_error);
}

// The harness itself: a daemon that does not come up leaves no state directory behind (the
// failure names the directory, in the daemon's own complaint about its configuration file).
TEST(Lifecycle, ADaemonThatFailsToStartLeavesNoStateDirectory) {
  std::string failure;
  try {
    DaemonProcess daemon({.config_text = "[server]\nnot a setting\n"});
  } catch (const std::runtime_error& e) {
    failure = e.what();
  }
  std::smatch dir;
  ASSERT_TRUE(std::regex_search(failure, dir, std::regex("/[^ :]*/mwtest-[A-Za-z0-9]{6}"))) << failure;
  EXPECT_FALSE(std::filesystem::exists(dir.str())) << dir.str();
}

}  // namespace
}  // namespace mw::test
