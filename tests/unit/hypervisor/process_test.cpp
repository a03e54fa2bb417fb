// Process launch/adopt with ordinary programs standing in for QEMU.
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "hypervisor/qemu/process.hpp"

namespace mw::vm::hypervisor::qemu {
namespace {

namespace fs = std::filesystem;

class ProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/mw-proc-XXXXXX";
    dir_ = ::mkdtemp(pattern);
    log_ = dir_ / "qemu.log";
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Waits on the pidfd: the same readiness the domain's exit watch uses.
  static bool wait_exit(const Process& p, int timeout_ms) {
    pollfd fd{p.pidfd(), POLLIN, 0};
    return ::poll(&fd, 1, timeout_ms) == 1;
  }

  fs::path dir_;
  fs::path log_;
};

TEST_F(ProcessTest, ReportsExitCodeAndCapturesStderrInTheLog) {
  auto p = Process::launch(
      {{"/bin/sh", "-c", "echo 'qemu-system-x86_64: bad option' >&2; exit 3"}, log_.string(), std::nullopt});
  ASSERT_TRUE(wait_exit(*p, 5000));
  EXPECT_TRUE(p->exited());
  auto info = p->reap();
  ASSERT_TRUE(info.exit_code.has_value());
  EXPECT_EQ(*info.exit_code, 3);
  EXPECT_EQ(info.describe(), "exit code 3");
  EXPECT_EQ(tail_lines(log_.string(), 5), "qemu-system-x86_64: bad option");
}

TEST_F(ProcessTest, ReportsDeathBySignal) {
  auto p = Process::launch({{"/bin/sleep", "30"}, log_.string(), std::nullopt});
  EXPECT_FALSE(p->exited());
  p->kill_hard();
  ASSERT_TRUE(wait_exit(*p, 5000));
  auto info = p->reap();
  ASSERT_TRUE(info.signal.has_value());
  EXPECT_EQ(*info.signal, SIGKILL);
  EXPECT_EQ(info.describe().rfind("killed by signal 9", 0), 0u) << info.describe();
}

TEST_F(ProcessTest, ThrowsWhenTheBinaryCannotBeExecuted) {
  EXPECT_THROW(Process::launch({{"/nonexistent/qemu-system-x86_64"}, log_.string(), std::nullopt}), std::system_error);
}

TEST_F(ProcessTest, RunsInItsOwnSessionWithoutOurDescriptors) {
  int null_fd = ::open("/dev/null", O_RDONLY);
  ASSERT_GE(null_fd, 0);
  int leaked = ::fcntl(null_fd, F_DUPFD, 40);  // deliberately without close-on-exec
  ::close(null_fd);
  ASSERT_GE(leaked, 40);
  auto p = Process::launch({{"/bin/sh", "-c", "ls /proc/self/fd; cat /proc/self/stat"}, log_.string(), std::nullopt});
  ASSERT_TRUE(wait_exit(*p, 5000));
  p->reap();
  ::close(leaked);
  std::ifstream in(log_);
  std::string fds_and_stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // ls lists 0,1,2 and its own directory fd (3); our extra descriptor must not be there.
  EXPECT_EQ(fds_and_stat.find("\n" + std::to_string(leaked) + "\n"), std::string::npos) << fds_and_stat;
  // /proc/self/stat of cat: field 6 (session) equals the shell's pid, not our session.
  EXPECT_NE(::getsid(0), p->pid());
  std::istringstream stat(fds_and_stat.substr(fds_and_stat.find('(')));
  std::string comm, state;
  long ppid = 0, pgrp = 0, session = 0;
  stat >> comm >> state >> ppid >> pgrp >> session;
  EXPECT_EQ(session, p->pid());
}

TEST_F(ProcessTest, AppliesTheCpuAffinity) {
  auto p = Process::launch(
      {{"/bin/sh", "-c", "grep Cpus_allowed_list /proc/self/status"}, log_.string(), std::vector<int>{0}});
  ASSERT_TRUE(wait_exit(*p, 5000));
  p->reap();
  EXPECT_NE(tail_lines(log_.string(), 1).find("Cpus_allowed_list:\t0"), std::string::npos)
      << tail_lines(log_.string(), 1);
}

TEST_F(ProcessTest, AdoptsOnlyALiveProcessWhoseCommandLineNamesTheUuid) {
  const std::string uuid = "6f1c2a7e-1d3b-4c55-9a0e-2b7d9e1f0a11";
  auto p = Process::launch({{"/bin/sh", "-c", "sleep 30", uuid}, log_.string(), std::nullopt});
  const auto pidfile = (dir_ / "qemu.pid").string();
  std::ofstream(pidfile) << p->pid() << "\n";

  auto adopted = Process::adopt(pidfile, uuid);
  ASSERT_NE(adopted, nullptr);
  EXPECT_EQ(adopted->pid(), p->pid());
  EXPECT_FALSE(adopted->is_our_child());
  EXPECT_EQ(Process::adopt(pidfile, "00000000-0000-0000-0000-000000000000"), nullptr);
  EXPECT_EQ(Process::adopt((dir_ / "missing.pid").string(), uuid), nullptr);

  adopted->kill_hard();
  ASSERT_TRUE(wait_exit(*adopted, 5000));               // the adopted pidfd sees the exit too
  EXPECT_TRUE(adopted->reap().describe() == "exited");  // not our child: no status to know
  ASSERT_TRUE(wait_exit(*p, 5000));
  p->reap();
  EXPECT_EQ(Process::adopt(pidfile, uuid), nullptr);  // gone (and reaped)
}

}  // namespace
}  // namespace mw::vm::hypervisor::qemu
