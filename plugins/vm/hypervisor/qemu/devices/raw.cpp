// RAW to QEMU: a disk whose host side is a file (the arguments are DISK's, disk.cpp).
#include "qemu_devices.hpp"

namespace mw::vm::hypervisor::qemu {

void RawQemuDevice::prepare(const DeviceConfig&, const RawAttributes& a, HostPreparation& host) const {
  probe_direct_io(a.path, host);
}

void RawQemuDevice::arguments(const DeviceConfig& dev, const RawAttributes& a, QemuDeviceArgs& args) const {
  disk_arguments(dev, a, a.path, "file", args);
}

}  // namespace mw::vm::hypervisor::qemu
