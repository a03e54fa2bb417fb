#pragma once
// The seven device kinds (one .cpp each).
#include "device_kind.hpp"

namespace mw::vm {

#define MW_VM_DEVICE_KIND_COMMON(Attributes) \
 protected:                                  \
  void check(Attributes& a, const DeviceContext& ctx, ValidationErrors& errors) const override;

class DiskKind final : public TypedDeviceKind<DiskAttributes> {
 public:
  std::vector<std::string> model_rules(const json::object& attrs) const override;
  MW_VM_DEVICE_KIND_COMMON(DiskAttributes)
};

class RawKind final : public TypedDeviceKind<RawAttributes> {
 public:
  std::function<void()> apply(DeviceConfig& device, const DeviceConfig* old) const override;
  void before_store(DeviceConfig& device) const override;
  MW_VM_DEVICE_KIND_COMMON(RawAttributes)
};

class CdromKind final : public TypedDeviceKind<CdromAttributes> {
 public:
  MW_VM_DEVICE_KIND_COMMON(CdromAttributes)
};

class NicKind final : public TypedDeviceKind<NicAttributes> {
 public:
  MW_VM_DEVICE_KIND_COMMON(NicAttributes)
};

class DisplayKind final : public TypedDeviceKind<DisplayAttributes> {
 public:
  MW_VM_DEVICE_KIND_COMMON(DisplayAttributes)
};

class PciKind final : public TypedDeviceKind<PciAttributes> {
 public:
  MW_VM_DEVICE_KIND_COMMON(PciAttributes)
};

class UsbKind final : public TypedDeviceKind<UsbAttributes> {
 public:
  MW_VM_DEVICE_KIND_COMMON(UsbAttributes)
};

#undef MW_VM_DEVICE_KIND_COMMON

}  // namespace mw::vm
