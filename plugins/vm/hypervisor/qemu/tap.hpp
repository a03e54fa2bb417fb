#pragma once
// Host side of bridged NICs: QEMU creates the tap (ifname=, as root); we enslave it to the bridge.
#include <string>

namespace mw::vm::hypervisor::qemu {

// True when `interface` is a Linux bridge (/sys/class/net/<if>/bridge exists).
bool is_bridge(const std::string& interface);

// Adds `tap` to `bridge` and brings it up; throws std::system_error.
void attach_tap_to_bridge(const std::string& tap, const std::string& bridge);

}  // namespace mw::vm::hypervisor::qemu
