#include "host_paths.hpp"

#include <sys/stat.h>

#include <middlewared/errors.hpp>

#include "device/device_kind.hpp"
#include "host_info.hpp"
#include "storage_roots.hpp"

namespace mw::vm {

DiskCheck check_disk_device(HostInfo& host, const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return {DiskProblem::Missing, {}, 0};
  if (!S_ISBLK(st.st_mode)) return {DiskProblem::NotBlockDevice, {}, 0};
  for (const auto& device : host.block_devices())
    if (device.rdev == st.st_rdev)
      return {device.in_use.empty() ? DiskProblem::None : DiskProblem::InUse, device.in_use, st.st_rdev};
  return {DiskProblem::InUse, "it is not among the host's block devices", st.st_rdev};
}

void check_device_paths(const std::vector<DeviceConfig>& devices, HostInfo& host, const StorageRoots& roots) {
  for (const auto& d : devices) {
    const std::string dtype(d.dtype());
    const std::string* path = d.path();
    if (!path) continue;
    std::string problem;
    if (!d.get<DiskAttributes>()) {
      if (!roots.contains(*path)) problem = roots.outside_message();
    } else {
      auto check = check_disk_device(host, *path);
      if (check.problem == DiskProblem::Missing)
        problem = "it does not exist";
      else if (check.problem == DiskProblem::NotBlockDevice)
        problem = "it is not a block device";
      else if (check.problem == DiskProblem::InUse)
        problem = check.reason;
    }
    if (!problem.empty()) throw CallError(dtype + " device " + *path + ": " + problem, EPERM);
  }
}

}  // namespace mw::vm
