#pragma once
// Keeps every VM's serial console log under a size ([vm] serial_log_max_size): a guest that
// prints without end must not fill the host's disk. QEMU writes the log itself (the chardev's
// logfile, opened with O_APPEND), so the log cannot be renamed under it: past the size, its content
// is copied to "<log>.1" (replacing the older copy) and the log is emptied in place, and QEMU goes on
// writing at its new end. What the guest prints between the copy and the emptying is lost.
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <boost/asio/steady_timer.hpp>

#include "../hypervisor.hpp"

namespace mw::vm::hypervisor::qemu {

// Rotates `path` when it is larger than `max_bytes`; true when it did.
bool rotate_serial_log(const std::string& path, std::uint64_t max_bytes);

// Checks the logs of the running domains every `interval` on the hypervisor's I/O thread (a stat
// each; a copy only when one is over the size). Destroy it only after that thread has stopped.
class SerialLogRotator {
 public:
  SerialLogRotator(boost::asio::io_context& io, std::uint64_t max_bytes, std::chrono::milliseconds interval);
  // Any thread. The log is watched until the domain has exited or is gone.
  void watch(const std::shared_ptr<Domain>& domain, std::string path);
  std::uint64_t max_bytes() const { return max_bytes_; }

 private:
  struct Watched {
    std::weak_ptr<Domain> domain;
    std::string path;
  };
  void arm();
  void tick();

  boost::asio::steady_timer timer_;
  const std::uint64_t max_bytes_;
  const std::chrono::milliseconds interval_;
  std::mutex mutex_;
  std::vector<Watched> watched_;
};

}  // namespace mw::vm::hypervisor::qemu
