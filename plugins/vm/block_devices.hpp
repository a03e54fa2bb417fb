#pragma once
// The host's block devices and which of them a VM may be given (vm.device.disk_choices, DISK
// paths, vm.device.convert): never one that is mounted, in use as swap, holds the root filesystem,
// or is part of another device; docs/COMPATIBILITY.md says why.
#include <cstdint>
#include <string>
#include <vector>

#include "host_info.hpp"

namespace mw::vm {

struct MountEntry {
  std::string device_number;  // "254:0" (for btrfs and the like an anonymous one)
  std::string source;         // "/dev/vda", "tmpfs", ...
  std::string mount_point;    // octal escapes (\040) decoded
};

// The entries of a /proc/<pid>/mountinfo text.
std::vector<MountEntry> parse_mountinfo(const std::string& text);

// Reads /sys/class/block, /proc/self/mountinfo, /proc/swaps, udev's database and /dev/zvol.
std::vector<BlockDevice> scan_block_devices();

}  // namespace mw::vm
