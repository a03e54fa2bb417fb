#pragma once
// The host's USB and PCI devices as vm.device.usb_passthrough_choices and
// passthrough_device_choices list them in TrueNAS: USB devices named usb_<bus>_<device> (hubs
// left out) described "<product> by <vendor>"; PCI devices named pci_<domain>_<bus>_<slot>_<fn>
// with decimal bus/slot/function and names from the hardware database ("Not Available" when it
// has none). Read from a sysfs tree given as a path, so tests can hand in their own.
#include <filesystem>
#include <string>

#include <middlewared/json.hpp>

#include "hardware_ids.hpp"

namespace mw::vm {

// A sysfs attribute's text without its trailing newline ("" when unreadable).
std::string read_sysfs(const std::filesystem::path& file);

// `usb_dir` is /sys/bus/usb/devices, `pci_dir` /sys/bus/pci/devices.
json::object usb_devices_in(const std::filesystem::path& usb_dir, const HardwareIds& ids);
json::object pci_devices_in(const std::filesystem::path& pci_dir, const HardwareIds& ids);

}  // namespace mw::vm
