#include "qemu_device.hpp"

#include <algorithm>

#include "qemu_devices.hpp"

namespace mw::vm::hypervisor::qemu {

std::string esc(const std::string& value) {
  std::string out;
  for (char c : value) {
    out += c;
    if (c == ',') out += ',';
  }
  return out;
}

bool QemuDeviceArgs::q35() const { return machine_.find("q35") != std::string::npos; }

std::string QemuDeviceArgs::next_ahci_port() {
  const int controller = ahci_ports_ / 6;
  if (ahci_ports_ % 6 == 0) add("-device", "ich9-ahci,id=ahci" + std::to_string(controller));
  return "ahci" + std::to_string(controller) + "." + std::to_string(ahci_ports_++ % 6);
}

std::string QemuDeviceArgs::next_ide_slot() {
  if (ide_slots_ == 4) throw CommandLineError("At most 4 IDE devices are supported");
  std::string controller = "ide";
  if (q35()) {
    if (ide_slots_ == 0) add("-device", "piix3-ide,id=pata0");
    controller = "pata0";
  }
  const int slot = ide_slots_++;
  return "bus=" + controller + "." + std::to_string(slot / 2) + ",unit=" + std::to_string(slot % 2);
}

std::string QemuDeviceArgs::next_scsi_target() {
  if (scsi_targets_ == 0) add("-device", "virtio-scsi-pci,id=scsi0");
  return "bus=scsi0.0,channel=0,scsi-id=" + std::to_string(scsi_targets_++) + ",lun=0";
}

std::string QemuDeviceArgs::usb_bus(const std::string& type, std::string_view qemu_device) {
  auto bus_id = "usb-" + type;
  if (std::find(usb_buses_.begin(), usb_buses_.end(), bus_id) == usb_buses_.end()) {
    usb_buses_.push_back(bus_id);
    add("-device", std::string(qemu_device) + ",id=" + bus_id);
  }
  return bus_id;
}

const std::vector<const QemuDevice*>& qemu_devices() {
  static const DiskQemuDevice disk;
  static const RawQemuDevice raw;
  static const CdromQemuDevice cdrom;
  static const NicQemuDevice nic;
  static const DisplayQemuDevice display;
  static const PciQemuDevice pci;
  static const UsbQemuDevice usb;
  static const std::vector<const QemuDevice*> all{&disk, &raw, &cdrom, &nic, &display, &pci, &usb};
  return all;
}

const QemuDevice& qemu_device(const DeviceConfig& device) {
  const auto dtype = device.dtype();
  for (const QemuDevice* d : qemu_devices())
    if (d->dtype() == dtype) return *d;
  // Every alternative of DeviceAttributes has its part above.
  throw std::logic_error("no QEMU device for dtype " + std::string(dtype));
}

}  // namespace mw::vm::hypervisor::qemu
