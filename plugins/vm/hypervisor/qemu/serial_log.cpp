#include "serial_log.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>

#include <spdlog/spdlog.h>

namespace mw::vm::hypervisor::qemu {

namespace {

struct Fd {
  int fd;
  explicit Fd(int f) : fd(f) {}
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

// Everything from `in` (from its start) to `out`, in the kernel when it can.
bool copy_all(int in, int out) {
  off_t offset = 0;
  for (;;) {
    auto n = ::copy_file_range(in, &offset, out, nullptr, 1 << 20, 0);
    if (n == 0) return true;
    if (n > 0) continue;
    if (errno != EXDEV && errno != ENOSYS && errno != EOPNOTSUPP && errno != EINVAL) return false;
    char buffer[1 << 16];
    auto r = ::pread(in, buffer, sizeof buffer, offset);
    if (r == 0) return true;
    if (r < 0 || ::write(out, buffer, static_cast<std::size_t>(r)) != r) return false;
    offset += r;
  }
}

}  // namespace

bool rotate_serial_log(const std::string& path, std::uint64_t max_bytes) {
  Fd log(::open(path.c_str(), O_RDWR | O_NOFOLLOW | O_CLOEXEC));
  struct stat st {};
  if (log.fd < 0 || ::fstat(log.fd, &st) != 0 || !S_ISREG(st.st_mode) ||
      static_cast<std::uint64_t>(st.st_size) <= max_bytes)
    return false;
  const std::string older = path + ".1";
  const std::string partial = older + ".partial";
  ::unlink(partial.c_str());
  {
    Fd out(::open(partial.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, st.st_mode & 0666));
    if (out.fd < 0 || !copy_all(log.fd, out.fd)) {
      ::unlink(partial.c_str());
      return false;
    }
  }
  if (::rename(partial.c_str(), older.c_str()) != 0) {
    ::unlink(partial.c_str());
    return false;
  }
  return ::ftruncate(log.fd, 0) == 0;
}

SerialLogRotator::SerialLogRotator(boost::asio::io_context& io, std::uint64_t max_bytes,
                                   std::chrono::milliseconds interval)
    : timer_(io), max_bytes_(max_bytes), interval_(interval) {
  arm();
}

void SerialLogRotator::watch(const std::shared_ptr<Domain>& domain, std::string path) {
  std::lock_guard lock(mutex_);
  watched_.push_back({domain, std::move(path)});
}

void SerialLogRotator::arm() {
  timer_.expires_after(interval_);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;  // the hypervisor is going away
    tick();
    arm();
  });
}

void SerialLogRotator::tick() {
  std::vector<std::string> paths;
  {
    std::lock_guard lock(mutex_);
    std::erase_if(watched_, [](const Watched& w) {
      auto d = w.domain.lock();
      return !d || !d->alive();
    });
    for (const auto& w : watched_) paths.push_back(w.path);
  }
  for (const auto& p : paths)
    if (rotate_serial_log(p, max_bytes_)) spdlog::debug("vm: serial log {} rotated to {}.1", p, p);
}

}  // namespace mw::vm::hypervisor::qemu
