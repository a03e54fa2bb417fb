// DISK and RAW to QEMU: a blockdev pair (host side, raw format) and a disk on the chosen bus.
// DISK's host side is a zvol or block device, RAW's a file; the rest is shared.
#include "qemu_devices.hpp"

namespace mw::vm::hypervisor::qemu {
namespace {

void probe_direct_io(const std::string& path, HostPreparation& host) {
  if (!supports_direct_io(path)) host.facts.no_direct_io_paths.insert(path);
}

void disk_arguments(const DeviceConfig& dev, const DiskCommon& a, const std::string& path, const char* driver,
                    QemuDeviceArgs& args) {
  const auto id = std::to_string(dev.id);
  const auto& type = a.type;
  const bool direct = !args.facts().no_direct_io_paths.contains(path);
  const auto& iotype = a.iotype;
  std::string aio = "threads";
  if (iotype == "IO_URING") aio = "io_uring";
  if (iotype == "NATIVE" && direct) aio = "native";  // native AIO requires O_DIRECT
  args.add("-blockdev", std::string("driver=") + driver + ",filename=" + esc(path) + ",node-name=drive-disk" + id +
                            "-file,cache.direct=" + (direct ? "on" : "off") + ",aio=" + aio + ",discard=unmap");
  args.add("-blockdev", "driver=raw,file=drive-disk" + id + "-file,node-name=drive-disk" + id + ",discard=unmap");
  const auto logical = a.logical_sectorsize.value_or(0);
  const auto physical = a.physical_sectorsize.value_or(0);
  std::string dev_arg;
  if (type == "VIRTIO") {
    dev_arg = "virtio-blk-pci";
  } else if (type == "SCSI") {
    dev_arg = "scsi-hd," + args.next_scsi_target();
  } else if (type == "AHCI" || type == "IDE") {
    if (logical > 512) {
      throw CommandLineError("Disk " + path + ": QEMU's " + type +
                             " disks support only 512-byte logical sectors; use VIRTIO or SCSI");
    }
    dev_arg = type == "AHCI" ? "ide-hd,bus=" + args.next_ahci_port() : "ide-hd," + args.next_ide_slot();
  } else {
    throw CommandLineError("Disk bus type '" + type + "' is not supported");
  }
  dev_arg += ",drive=drive-disk" + id + ",id=disk" + id;
  if (const auto& serial = a.serial; serial && !serial->empty()) {
    dev_arg += ",serial=" + esc(*serial);
  }
  if (logical) dev_arg += ",logical_block_size=" + std::to_string(logical);
  if (physical) dev_arg += ",physical_block_size=" + std::to_string(physical);
  dev_arg += ",bootindex=" + std::to_string(args.next_bootindex());
  args.add("-device", dev_arg);
}

}  // namespace

void DiskQemuDevice::prepare(const DeviceConfig&, const DiskAttributes& a, HostPreparation& host) const {
  probe_direct_io(a.path.value_or(""), host);
}

void DiskQemuDevice::arguments(const DeviceConfig& dev, const DiskAttributes& a, QemuDeviceArgs& args) const {
  disk_arguments(dev, a, a.path.value_or(""), "host_device", args);
}

void RawQemuDevice::prepare(const DeviceConfig&, const RawAttributes& a, HostPreparation& host) const {
  probe_direct_io(a.path, host);
}

void RawQemuDevice::arguments(const DeviceConfig& dev, const RawAttributes& a, QemuDeviceArgs& args) const {
  disk_arguments(dev, a, a.path, "file", args);
}

}  // namespace mw::vm::hypervisor::qemu
