// SystemdNotifier and Watchdog against a real unix datagram socket standing in for systemd.
#include <gtest/gtest.h>

#include <unistd.h>

#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "app/systemd_notify.hpp"
#include "support/notify_socket.hpp"

namespace mw::app {
namespace {

using namespace std::chrono_literals;
using test::NotifySocket;

TEST(SystemdNotify, SendsEachStateAsOneDatagramToTheSocketPath) {
  NotifySocket systemd;
  SystemdNotifier notifier(systemd.path().string(), std::nullopt);
  ASSERT_TRUE(notifier.send("READY=1"));
  ASSERT_TRUE(notifier.send("STOPPING=1"));
  EXPECT_EQ(systemd.receive(10s), "READY=1");
  EXPECT_EQ(systemd.receive(10s), "STOPPING=1");
}

TEST(SystemdNotify, WithoutASocketNothingIsSentAndNothingFails) {
  SystemdNotifier none;
  EXPECT_FALSE(none.enabled());
  EXPECT_FALSE(none.send("READY=1"));
  EXPECT_FALSE(SystemdNotifier("relative/path", std::nullopt).send("READY=1"));
}

TEST(SystemdNotify, EnvironmentIsReadOnceAndRemovedForChildren) {
  ::setenv("NOTIFY_SOCKET", "/run/systemd/notify", 1);
  ::setenv("WATCHDOG_USEC", "30000000", 1);
  ::setenv("WATCHDOG_PID", std::to_string(::getpid()).c_str(), 1);
  auto notifier = SystemdNotifier::from_environment();
  EXPECT_TRUE(notifier.enabled());
  EXPECT_EQ(notifier.watchdog_interval(), std::chrono::microseconds(30000000));
  EXPECT_EQ(std::getenv("NOTIFY_SOCKET"), nullptr);
  EXPECT_EQ(std::getenv("WATCHDOG_USEC"), nullptr);
  EXPECT_EQ(std::getenv("WATCHDOG_PID"), nullptr);
}

TEST(SystemdNotify, WatchdogMeantForAnotherProcessIsIgnored) {
  ::setenv("NOTIFY_SOCKET", "/run/systemd/notify", 1);
  ::setenv("WATCHDOG_USEC", "30000000", 1);
  ::setenv("WATCHDOG_PID", "1", 1);
  EXPECT_EQ(SystemdNotifier::from_environment().watchdog_interval(), std::nullopt);
}

TEST(SystemdWatchdog, BeatsWhileTheIoThreadRunsItsTasks) {
  NotifySocket systemd;
  SystemdNotifier notifier(systemd.path().string(), 100ms);
  boost::asio::io_context io;
  auto work = boost::asio::make_work_guard(io);
  std::thread loop([&] { io.run(); });
  {
    Watchdog watchdog(notifier, io.get_executor());
    for (int beat = 0; beat < 3; ++beat) EXPECT_EQ(systemd.receive(10s), "WATCHDOG=1") << "beat " << beat;
  }
  work.reset();
  io.stop();
  loop.join();
}

// A stuck I/O thread never runs the probe: after the first beat (sent before any probe was
// due) systemd hears nothing more and restarts the daemon.
TEST(SystemdWatchdog, StopsBeatingWhenTheIoThreadDoesNotRunItsTasks) {
  NotifySocket systemd;
  SystemdNotifier notifier(systemd.path().string(), 20ms);
  boost::asio::io_context io;  // never run: as stuck as an I/O thread can be
  Watchdog watchdog(notifier, io.get_executor());
  EXPECT_EQ(systemd.receive(10s), "WATCHDOG=1");
  EXPECT_EQ(systemd.receive(500ms), std::nullopt);  // 50 periods without a beat
  io.run_one();                                     // the I/O thread catches up: the beats resume
  EXPECT_EQ(systemd.receive(10s), "WATCHDOG=1");
}

}  // namespace
}  // namespace mw::app
