#include "disk_copy.hpp"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <system_error>
#include <vector>

namespace mw::vm {

namespace {

struct Fd {
  int fd = -1;
  explicit Fd(int f) : fd(f) {}
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

[[noreturn]] void fail(const std::string& what) { throw std::system_error(errno, std::generic_category(), what); }

// Copies [offset, offset + length) with copy_file_range, falling back to read/write.
void copy_range(int in, int out, off_t offset, off_t length) {
  while (length > 0) {
    off_t src = offset, dst = offset;
    auto n = ::copy_file_range(in, &src, out, &dst, static_cast<size_t>(length), 0);
    if (n < 0 && (errno == EXDEV || errno == ENOSYS || errno == EOPNOTSUPP || errno == EINVAL)) {
      std::vector<char> buffer(1 << 20);
      auto want = static_cast<size_t>(std::min<off_t>(length, static_cast<off_t>(buffer.size())));
      n = ::pread(in, buffer.data(), want, offset);
      if (n > 0 && ::pwrite(out, buffer.data(), static_cast<size_t>(n), offset) != n) fail("write");
    }
    if (n < 0) fail("copy");
    if (n == 0) break;
    offset += n;
    length -= n;
  }
}

}  // namespace

std::string clone_image_path(const std::string& path, const std::string& suffix) {
  std::filesystem::path p(path);
  return (p.parent_path() / (p.stem().string() + "_" + suffix + p.extension().string())).string();
}

CopyMethod copy_disk_image(const std::string& from, const std::string& to) {
  // O_NOFOLLOW both ways: `from` comes resolved and checked; a link put in the way since is refused.
  Fd in(::open(from.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  if (in.fd < 0) fail("cannot open " + from);
  struct stat st {};
  if (::fstat(in.fd, &st) != 0) fail("cannot stat " + from);
  if (!S_ISREG(st.st_mode)) {
    errno = EINVAL;
    fail(from + " is not a regular file");
  }
  Fd out(::open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, st.st_mode & 0777));
  if (out.fd < 0) fail("cannot create " + to);
  try {
    if (::ioctl(out.fd, FICLONE, in.fd) == 0) return CopyMethod::Reflink;
    if (::ftruncate(out.fd, st.st_size) != 0) fail("cannot size " + to);
    off_t pos = 0;
    while (pos < st.st_size) {
      off_t data = ::lseek(in.fd, pos, SEEK_DATA);
      if (data < 0) {
        if (errno == ENXIO) break;  // only a hole is left
        fail("cannot read " + from);
      }
      off_t hole = ::lseek(in.fd, data, SEEK_HOLE);
      if (hole < 0) hole = st.st_size;
      copy_range(in.fd, out.fd, data, hole - data);
      pos = hole;
    }
    if (::fsync(out.fd) != 0) fail("cannot sync " + to);
    return CopyMethod::Sparse;
  } catch (...) {
    ::unlink(to.c_str());
    throw;
  }
}

}  // namespace mw::vm
