#pragma once
// systemd's readiness protocol (sd_notify(3)), spoken directly: one datagram per state change to
// the unix socket named by $NOTIFY_SOCKET ("@name" is an abstract socket). The protocol is a few
// lines; libsystemd would add a library to the daemon for them and nothing else we use.
//
// Under `Type=notify` the unit is started once READY=1 arrives (after every listener is bound),
// STOPPING=1 says a shutdown has begun, and with `WatchdogSec=` WATCHDOG=1 must come at least
// every $WATCHDOG_USEC or systemd restarts the daemon. The Watchdog below sends it only while the
// I/O thread, which every connection and timer needs, still runs the tasks posted to it.
#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <middlewared/worker_pool.hpp>

namespace mw::app {

class SystemdNotifier {
 public:
  // Reads $NOTIFY_SOCKET and $WATCHDOG_USEC (honoured only when $WATCHDOG_PID is unset or ours),
  // then removes them from the environment so that the QEMU processes the daemon starts never
  // talk to systemd in its name. Without $NOTIFY_SOCKET every send() does nothing.
  static SystemdNotifier from_environment();
  SystemdNotifier() = default;
  SystemdNotifier(std::string socket, std::optional<std::chrono::microseconds> watchdog)
      : socket_(std::move(socket)), watchdog_(watchdog) {}

  bool enabled() const { return !socket_.empty(); }
  // How often systemd wants WATCHDOG=1 at the latest; nullopt when it watches nothing.
  std::optional<std::chrono::microseconds> watchdog_interval() const { return watchdog_; }
  // Sends one state string ("READY=1", "STOPPING=1", "WATCHDOG=1"...). False when it could not
  // be sent; the daemon goes on either way (systemd then times out or restarts it).
  bool send(std::string_view state) const;

 private:
  std::string socket_;
  std::optional<std::chrono::microseconds> watchdog_;
};

// Sends WATCHDOG=1 every half interval from a one-thread pool of its own, but only when a probe
// posted to the I/O executor at the previous beat has run since: a stuck I/O thread stops the
// beats and systemd restarts the daemon. Without a watchdog interval it starts no thread.
class Watchdog {
 public:
  Watchdog(const SystemdNotifier& notifier, boost::asio::any_io_executor io);
  ~Watchdog();
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

 private:
  void beat();

  const SystemdNotifier& notifier_;
  boost::asio::any_io_executor io_;
  std::chrono::microseconds period_{};
  std::shared_ptr<std::atomic<bool>> probe_ran_ = std::make_shared<std::atomic<bool>>(true);
  std::unique_ptr<WorkerPool> pool_;
  std::unique_ptr<boost::asio::steady_timer> timer_;  // used on pool_'s thread only
};

}  // namespace mw::app
