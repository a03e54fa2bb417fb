#pragma once
// The seven dtypes' QEMU sides (one .cpp each), registered in qemu_device.cpp.
#include "qemu_device.hpp"

namespace mw::vm::hypervisor::qemu {

#define MW_QEMU_DEVICE_COMMON(Attributes) \
 protected:                               \
  void arguments(const DeviceConfig& device, const Attributes& attributes, QemuDeviceArgs& args) const override;

// DISK (a zvol or block device) and RAW (a file): the same disk to QEMU.
class DiskQemuDevice final : public TypedQemuDevice<DiskAttributes> {
  MW_QEMU_DEVICE_COMMON(DiskAttributes)
  void prepare(const DeviceConfig& device, const DiskAttributes& attributes, HostPreparation& host) const override;
};

class RawQemuDevice final : public TypedQemuDevice<RawAttributes> {
  MW_QEMU_DEVICE_COMMON(RawAttributes)
  void prepare(const DeviceConfig& device, const RawAttributes& attributes, HostPreparation& host) const override;
};

class CdromQemuDevice final : public TypedQemuDevice<CdromAttributes> {
  MW_QEMU_DEVICE_COMMON(CdromAttributes)
};

class NicQemuDevice final : public TypedQemuDevice<NicAttributes> {
  MW_QEMU_DEVICE_COMMON(NicAttributes)
  void prepare(const DeviceConfig& device, const NicAttributes& attributes, HostPreparation& host) const override;
};

class DisplayQemuDevice final : public TypedQemuDevice<DisplayAttributes> {
 public:
  void after_devices(const std::vector<const DeviceConfig*>& devices, QemuDeviceArgs& args) const override;
  MW_QEMU_DEVICE_COMMON(DisplayAttributes)
};

class PciQemuDevice final : public TypedQemuDevice<PciAttributes> {
  MW_QEMU_DEVICE_COMMON(PciAttributes)
};

class UsbQemuDevice final : public TypedQemuDevice<UsbAttributes> {
  MW_QEMU_DEVICE_COMMON(UsbAttributes)
};

#undef MW_QEMU_DEVICE_COMMON

// Shared by DISK and RAW (disk.cpp): whether `path` takes O_DIRECT, and the disk's arguments
// with `driver` the blockdev driver of its host side ("host_device", "file").
void probe_direct_io(const std::string& path, HostPreparation& host);
void disk_arguments(const DeviceConfig& device, const DiskCommon& attributes, const std::string& path,
                    const char* driver, QemuDeviceArgs& args);

}  // namespace mw::vm::hypervisor::qemu
