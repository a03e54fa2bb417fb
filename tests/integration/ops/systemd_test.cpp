// The systemd side (etc/middlewared.service is Type=notify with a watchdog): the real daemon, given
// a $NOTIFY_SOCKET (a real unix datagram socket here), says READY=1 once it serves, beats
// WATCHDOG=1 while it runs and says STOPPING=1 when asked to stop. The unit itself is checked with
// `systemd-analyze verify` here, and run under a real systemd in tests/integration/systemd.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <regex>

#include "support/daemon_process.hpp"
#include "support/notify_socket.hpp"
#include "support/rpc_client.hpp"
#include "support/run_command.hpp"

#ifndef MW_SOURCE_DIR
#error "MW_SOURCE_DIR must name the source tree"
#endif

namespace mw::test {
namespace {

using namespace std::chrono_literals;

TEST(Systemd, DaemonSaysReadyBeatsTheWatchdogAndSaysStopping) {
  NotifySocket systemd;
  DaemonProcess d({.environment = {{"NOTIFY_SOCKET", systemd.path().string()}, {"WATCHDOG_USEC", "200000"}}});
  // The constructor returned once core.ping answered; READY=1 was sent before that could happen.
  EXPECT_EQ(systemd.receive(30s), "READY=1");
  EXPECT_TRUE(systemd.wait_for("WATCHDOG=1", 30s));
  EXPECT_TRUE(systemd.wait_for("WATCHDOG=1", 30s));  // and again: it beats, not once
  EXPECT_EQ(RpcClient::unix_socket(d.socket_path()).call("core.ping"), "pong");
  d.stop();
  EXPECT_TRUE(systemd.wait_for("STOPPING=1", 5s));
}

TEST(Systemd, WithoutNotifySocketTheDaemonRunsAsBefore) {
  DaemonProcess d;
  EXPECT_EQ(RpcClient::unix_socket(d.socket_path()).call("core.ping"), "pong");
}

std::string unit_text() {
  std::ifstream in(std::string(MW_SOURCE_DIR) + "/etc/middlewared.service");
  return {std::istreambuf_iterator<char>(in), {}};
}

TEST(Systemd, UnitWaitsForReadinessAndIsWatched) {
  auto unit = unit_text();
  for (const char* line : {"Type=notify\n", "NotifyAccess=main\n", "WatchdogSec=30s\n", "KillMode=process\n",
                           "ProtectSystem=full\n", "ProtectHome=yes\n", "PrivateTmp=yes\n", "NoNewPrivileges=yes\n"})
    EXPECT_NE(unit.find(line), std::string::npos) << line;
  // QEMU needs /dev (KVM, taps, zvols) and writable-executable memory for TCG.
  for (const char* absent : {"PrivateDevices=yes", "MemoryDenyWriteExecute=yes"})
    EXPECT_EQ(unit.find(absent), std::string::npos) << absent;
}

// systemd's own checker: every setting known and valid for this systemd, the command runnable.
TEST(Systemd, UnitPassesSystemdAnalyzeVerify) {
  if (!std::filesystem::exists("/usr/bin/systemd-analyze")) GTEST_SKIP() << "systemd-analyze is not installed";
  auto dir = std::filesystem::temp_directory_path() / ("mw-unit-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto unit = dir / "middlewared.service";
  std::ofstream(unit) << std::regex_replace(unit_text(), std::regex("/usr/bin/middlewared"),
                                            shipped_daemon_path().string());
  auto r = run_command({"/usr/bin/systemd-analyze", "verify", unit.string()});
  std::filesystem::remove_all(dir);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.err, "");
}

}  // namespace
}  // namespace mw::test
