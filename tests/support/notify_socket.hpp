#pragma once
// A unix datagram socket that plays systemd's side of sd_notify(3) in tests: bound at a fresh
// path, it collects the state strings the daemon sends to $NOTIFY_SOCKET.
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

namespace mw::test {

class NotifySocket {
 public:
  NotifySocket();
  ~NotifySocket();
  NotifySocket(const NotifySocket&) = delete;
  NotifySocket& operator=(const NotifySocket&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // The next datagram, or nullopt when none came within `timeout`.
  std::optional<std::string> receive(std::chrono::milliseconds timeout);
  // Reads datagrams until one equals `state`; false when none did within `timeout`.
  bool wait_for(const std::string& state, std::chrono::milliseconds timeout);

 private:
  std::filesystem::path dir_, path_;
  int fd_ = -1;
};

}  // namespace mw::test
