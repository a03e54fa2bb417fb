#pragma once
// The seven dtypes' QEMU sides (one .cpp each, DISK and RAW together), registered in qemu_device.cpp.
#include "qemu_device.hpp"

namespace mw::vm::hypervisor::qemu {

#define MW_QEMU_DEVICE_COMMON(Attributes) \
 protected:                               \
  void arguments(const DeviceConfig& device, const Attributes& attributes, QemuDeviceArgs& args) const override;

// DISK (a zvol or block device) and RAW (a file): the same disk to QEMU (disk.cpp).
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

}  // namespace mw::vm::hypervisor::qemu
