#include "wal_sync_faults.hpp"

#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <string>
#include <string_view>
#include <thread>

namespace mw::test {

std::atomic<bool> fail_wal_syncs{false};
std::atomic<std::chrono::milliseconds> slow_wal_syncs{std::chrono::milliseconds(0)};

namespace {

bool is_wal(int fd) {
  char target[4096];
  const std::string link = "/proc/self/fd/" + std::to_string(fd);
  const ssize_t n = ::readlink(link.c_str(), target, sizeof target);
  return n > 0 && std::string_view(target, static_cast<std::size_t>(n)).ends_with("-wal");
}

}  // namespace
}  // namespace mw::test

extern "C" int fdatasync(int fd) {
  using namespace mw::test;
  const auto slow = slow_wal_syncs.load();
  if ((fail_wal_syncs.load() || slow.count() > 0) && is_wal(fd)) {
    if (fail_wal_syncs.load()) {
      errno = EIO;
      return -1;
    }
    std::this_thread::sleep_for(slow);
  }
  return static_cast<int>(::syscall(SYS_fdatasync, fd));
}
