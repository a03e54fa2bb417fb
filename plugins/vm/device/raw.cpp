// RAW: a file-backed disk under a storage root, created sparse when it does not exist yet.
// Its QEMU side (arguments, host preparation): hypervisor/qemu/devices/disk.cpp (shared with DISK).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <system_error>

#include "../storage_roots.hpp"
#include "kinds.hpp"

namespace mw::vm {

void RawKind::check(RawAttributes& attrs, const DeviceContext& ctx, ValidationErrors& errors) const {
  const std::string path = attrs.path;
  const bool exists = attrs.exists;
  if (path.empty() || path[0] != '/') {
    errors.add("attributes.path", "Path must be an absolute path");
  } else if (!ctx.roots.contains(path)) {
    errors.add("attributes.path", ctx.roots.outside_message());
  } else {
    std::error_code ec;
    // A link counts as present even when it leads nowhere: it would be in the way of the new file.
    bool present = std::filesystem::exists(std::filesystem::symlink_status(path, ec));
    if (exists && !present) errors.add("attributes.path", "Path must exist when \"exists\" is set.");
    if (!exists && present) errors.add("attributes.path", "Path must not exist when \"exists\" is unset.");
    if (!exists && !present && !std::filesystem::is_directory(std::filesystem::path(path).parent_path(), ec))
      errors.add("attributes.path",
                 "Directory '" + std::filesystem::path(path).parent_path().string() + "' does not exist.", ENOENT);
  }
  const auto& size = attrs.size;
  if (!exists) {
    if (!size || *size <= 0) {
      errors.add("attributes.size", "Please provide a valid size for the raw file.");
    } else if (!ctx.old) {
      int64_t sector = attrs.logical_sectorsize.value_or(512);
      if (*size % sector != 0)
        errors.add("attributes.size",
                   "Size must be a multiple of logical sector size (" + std::to_string(sector) + " bytes).");
    }
  }
  if (!path.empty() && path_taken(path, ctx))
    errors.add("attributes.path", ctx.vm_name() + " has \"" + path + "\" already configured");
  check_sector_sizes(attrs, errors);
  settle_serial(attrs, ctx, errors);
}

std::function<void()> RawKind::apply(DeviceConfig& device, const DeviceConfig*) const {
  const auto& attrs = attributes_as<RawAttributes>(device.attributes);
  const std::string& path = attrs.path;
  const auto& size = attrs.size;
  if (attrs.exists) {
    // An existing file keeps its content: a larger size grows it, a smaller one (0 included) is
    // ignored, since cutting a disk image destroys what the guest stored there.
    struct stat st {};
    if (!size || ::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size >= *size) return {};
    // Grown where the path really leads (checked inside a root), never through a link put there since.
    const std::string real = StorageRoots::resolve(path).string();
    const off_t old_size = st.st_size;
    int fd = ::open(real.c_str(), O_WRONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) throw std::system_error(errno, std::generic_category(), "Failed to open '" + path + "'");
    int rc = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? ::ftruncate(fd, *size) : -1;
    int err = rc == 0 ? 0 : (errno ? errno : EINVAL);
    ::close(fd);
    if (rc != 0) throw std::system_error(err, std::generic_category(), "Failed to resize '" + path + "'");
    return [real, old_size] {
      int undo = ::open(real.c_str(), O_WRONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
      if (undo < 0) return;
      (void)::ftruncate(undo, old_size);
      ::close(undo);
    };
  }
  // O_EXCL | O_NOFOLLOW: never through a link, never over a file that appeared meanwhile.
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "Failed to create '" + path + "'");
  // ftruncate only sets the length: the file stays sparse until the guest writes.
  int rc = ::ftruncate(fd, size.value_or(0));
  int err = errno;
  ::close(fd);
  if (rc != 0) {
    ::unlink(path.c_str());
    throw std::system_error(err, std::generic_category(), "Failed to size '" + path + "'");
  }
  return [path] { ::unlink(path.c_str()); };
}

void RawKind::before_store(DeviceConfig& device) const {
  attributes_as<RawAttributes>(device.attributes).exists = false;  // TrueNAS does not keep it either
}

}  // namespace mw::vm
