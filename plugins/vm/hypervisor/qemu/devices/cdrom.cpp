// CDROM to QEMU: a read-only blockdev pair and a CD drive on AHCI (or SCSI in the builder's tests).
#include "qemu_devices.hpp"

namespace mw::vm::hypervisor::qemu {

void CdromQemuDevice::arguments(const DeviceConfig& dev, const CdromAttributes& a, QemuDeviceArgs& args) const {
  const auto id = std::to_string(dev.id);
  args.add("-blockdev", "driver=file,filename=" + esc(a.path) + ",node-name=drive-cd" + id + "-file,read-only=on");
  args.add("-blockdev", "driver=raw,file=drive-cd" + id + "-file,node-name=drive-cd" + id + ",read-only=on");
  const bool scsi = a.bus == "SCSI";
  const auto where = scsi ? "scsi-cd," + args.next_scsi_target() : "ide-cd,bus=" + args.next_ahci_port();
  args.add("-device",
           where + ",drive=drive-cd" + id + ",id=cd" + id + ",bootindex=" + std::to_string(args.next_bootindex()));
}

}  // namespace mw::vm::hypervisor::qemu
