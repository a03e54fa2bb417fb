// PCI to QEMU: VFIO passthrough of a host device, which pins all guest memory.
#include <cstdio>

#include "qemu_devices.hpp"

namespace mw::vm::hypervisor::qemu {

void PciQemuDevice::arguments(const DeviceConfig& dev, const PciAttributes& a, QemuDeviceArgs& args) const {
  const auto& pptdev = a.pptdev;
  unsigned domain = 0, bus = 0, slot = 0, function = 0;
  char tail = 0;
  if (std::sscanf(pptdev.c_str(), "pci_%4x_%2x_%2x_%1x%c", &domain, &bus, &slot, &function, &tail) != 4) {
    throw CommandLineError("PCI device name '" + pptdev + "' is not of the form pci_DDDD_BB_SS_F");
  }
  if (!args.facts().vfio) {
    throw CommandLineError("PCI passthrough of " + pptdev +
                           " is not possible on this host: no IOMMU groups under "
                           "/sys/kernel/iommu_groups or no /dev/vfio/vfio");
  }
  char host[32];
  std::snprintf(host, sizeof host, "%04x:%02x:%02x.%x", domain, bus, slot, function);
  args.add("-device", "vfio-pci,host=" + std::string(host) + ",id=pci" + std::to_string(dev.id));
  args.lock_memory();  // device DMA needs all guest memory resident
}

}  // namespace mw::vm::hypervisor::qemu
