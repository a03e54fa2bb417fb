#pragma once
// What on the host a VM's devices may lead to: RAW and CDROM files inside the storage roots, DISK
// devices among the block devices vm.device.disk_choices offers (docs/COMPATIBILITY.md). Checked at
// every step that touches them (create, update, start, clone, convert, delete) on where the path
// really leads then, since a link may have been put in its way meanwhile.
#include <cstdint>
#include <string>
#include <vector>

#include "catalog.hpp"
#include "storage_roots.hpp"

namespace mw::vm {

class HostInfo;

enum class DiskProblem { None, Missing, NotBlockDevice, InUse };

struct DiskCheck {
  DiskProblem problem = DiskProblem::None;
  std::string reason;      // InUse: "it holds the root filesystem", ...
  std::uint64_t rdev = 0;  // the device number when it is a block device
};

// Whether a DISK device (or a vm.device.convert volume) may use the block device at `path`.
DiskCheck check_disk_device(HostInfo& host, const std::string& path);

// For vm.start: throws CallError (EPERM) naming the first RAW, CDROM or DISK device whose path
// may not (or no longer) reach QEMU.
void check_device_paths(const std::vector<DeviceConfig>& devices, HostInfo& host, const StorageRoots& roots);

}  // namespace mw::vm
