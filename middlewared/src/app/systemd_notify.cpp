#include "app/systemd_notify.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstddef>
#include <cstdlib>
#include <cstring>

#include <boost/asio/post.hpp>

namespace mw::app {

SystemdNotifier SystemdNotifier::from_environment() {
  const char* socket = std::getenv("NOTIFY_SOCKET");
  const char* usec = std::getenv("WATCHDOG_USEC");
  const char* pid = std::getenv("WATCHDOG_PID");
  std::optional<std::chrono::microseconds> watchdog;
  if (usec && (!pid || std::strtoll(pid, nullptr, 10) == ::getpid())) {
    long long n = std::strtoll(usec, nullptr, 10);
    if (n > 0) watchdog = std::chrono::microseconds(n);
  }
  SystemdNotifier out(socket ? socket : "", watchdog);
  for (const char* name : {"NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"}) ::unsetenv(name);
  return out;
}

bool SystemdNotifier::send(std::string_view state) const {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  // sd_notify accepts absolute paths and abstract names ("@..."), nothing else.
  if (socket_.size() < 2 || socket_.size() >= sizeof(addr.sun_path) || (socket_[0] != '/' && socket_[0] != '@'))
    return false;
  std::memcpy(addr.sun_path, socket_.data(), socket_.size());
  if (addr.sun_path[0] == '@') addr.sun_path[0] = '\0';
  auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + socket_.size());
  int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  ssize_t sent =
      ::sendto(fd, state.data(), state.size(), MSG_NOSIGNAL, reinterpret_cast<const sockaddr*>(&addr), length);
  ::close(fd);
  return sent == static_cast<ssize_t>(state.size());
}

Watchdog::Watchdog(const SystemdNotifier& notifier, boost::asio::any_io_executor io)
    : notifier_(notifier), io_(std::move(io)) {
  auto interval = notifier_.watchdog_interval();
  if (!interval || !notifier_.enabled()) return;
  period_ = *interval / 2;
  pool_ = std::make_unique<WorkerPool>(1, "systemd watchdog");
  timer_ = std::make_unique<boost::asio::steady_timer>(pool_->get_executor());
  boost::asio::post(pool_->get_executor(), [this] { beat(); });
}

Watchdog::~Watchdog() {
  if (!pool_) return;
  boost::asio::post(pool_->get_executor(), [this] { timer_->cancel(); });
  pool_->join();
}

void Watchdog::beat() {
  if (probe_ran_->exchange(false)) {
    notifier_.send("WATCHDOG=1");
    boost::asio::post(io_, [probe = probe_ran_] { probe->store(true); });
  }
  timer_->expires_after(period_);
  timer_->async_wait([this](const boost::system::error_code& ec) {
    if (!ec) beat();
  });
}

}  // namespace mw::app
