#pragma once
// Host side of bridged NICs: QEMU creates the tap (ifname=, as root); we enslave it to the bridge.
#include <cstdint>
#include <optional>
#include <string>

namespace mw::vm::hypervisor::qemu {

// True when `interface` is a Linux bridge (/sys/class/net/<if>/bridge exists).
bool is_bridge(const std::string& interface);

// Adds `tap` to `bridge` and brings it up; throws std::system_error.
void attach_tap_to_bridge(const std::string& tap, const std::string& bridge);

// The tap of a bridged NIC is named after its device id, so that anyone (the launch, the
// metrics) finds it again, also after a daemon restart.
std::string tap_name(std::int64_t nic_device_id);

// Bytes through a host interface from /sys/class/net/<if>/statistics; nullopt when it is gone.
struct InterfaceBytes {
  std::uint64_t received = 0;
  std::uint64_t transmitted = 0;
};
std::optional<InterfaceBytes> interface_bytes(const std::string& interface);

}  // namespace mw::vm::hypervisor::qemu
