#include "filesystem/put_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <vector>

#include <middlewared/errors.hpp>

namespace mw::plugins::filesystem {
namespace {

namespace fs = std::filesystem;

// Closes the descriptor and, unless kept, removes the temporary file.
struct TempFile {
  int fd = -1;
  std::string path;
  bool keep = false;
  ~TempFile() {
    if (fd >= 0) ::close(fd);
    if (!keep && !path.empty()) ::unlink(path.c_str());
  }
};

[[noreturn]] void fail_errno(const std::string& what, int err) {
  throw CallError(what + ": " + std::strerror(err), err);
}

void write_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail_errno("Cannot write the uploaded file", errno);
    data += n;
    size -= static_cast<std::size_t>(n);
  }
}

}  // namespace

std::uint64_t put_file(UploadSource& source, const fs::path& target, const PutOptions& options, Job* job) {
  TempFile out;
  std::uint64_t existing = 0;
  if (options.append) {
    out.fd =
        ::open(target.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, options.mode.value_or(0644));
    out.keep = true;  // appended in place: nothing temporary to remove
    struct stat st {};
    if (out.fd >= 0 && ::fstat(out.fd, &st) == 0) existing = static_cast<std::uint64_t>(st.st_size);
  } else {
    out.path = (target.parent_path() / ("." + target.filename().string() + ".upload-XXXXXX")).string();
    out.fd = ::mkostemp(out.path.data(), O_CLOEXEC);
    if (out.fd < 0) out.path.clear();
  }
  if (out.fd < 0) fail_errno("Cannot create " + target.string(), errno);
  if (!options.append && ::fchmod(out.fd, options.mode.value_or(0644)) != 0)
    fail_errno("Cannot set the file's mode", errno);

  std::vector<char> buffer(1u << 20);
  std::uint64_t written = 0;
  auto last_report = std::chrono::steady_clock::now();
  for (;;) {
    if (job) job->check_abort();
    const std::size_t n = source.read(buffer.data(), buffer.size());
    if (n == 0) break;
    if (options.max_bytes && existing + written + n > options.max_bytes)
      throw CallError("The file is larger than the upload limit of " + std::to_string(options.max_bytes) +
                          " bytes ([filesystem] max_upload_bytes)",
                      EFBIG);
    write_all(out.fd, buffer.data(), n);
    written += n;
    if (job && std::chrono::steady_clock::now() - last_report > std::chrono::seconds(1)) {
      last_report = std::chrono::steady_clock::now();
      job->set_progress(0, std::to_string(written) + " bytes received");
    }
  }
  if (::fsync(out.fd) != 0) fail_errno("Cannot write the uploaded file", errno);
  if (!options.append) {
    if (::rename(out.path.c_str(), target.c_str()) != 0)
      fail_errno("Cannot move the upload to " + target.string(), errno);
    out.keep = true;
  }
  if (job) job->set_progress(100, std::to_string(written) + " bytes written");
  return written;
}

}  // namespace mw::plugins::filesystem
