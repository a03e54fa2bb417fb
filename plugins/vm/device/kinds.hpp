#pragma once
// The seven device kinds (one .cpp each).
#include "device_kind.hpp"

namespace mw::vm {

#define MW_VM_DEVICE_KIND_COMMON                                                             \
  const std::vector<FieldSpec>& fields() const override;                                     \
  void validate(json::object& attrs, const DeviceContext& ctx, ValidationErrors& errors) const override;

class DiskKind final : public DeviceKind {
 public:
  std::string dtype() const override { return "DISK"; }
  int64_t default_order() const override { return 1001; }
  std::vector<std::string> model_rules(const json::object& attrs) const override;
  MW_VM_DEVICE_KIND_COMMON
};

class RawKind final : public DeviceKind {
 public:
  std::string dtype() const override { return "RAW"; }
  int64_t default_order() const override { return 1001; }
  std::function<void()> apply(json::object& attrs, const DeviceRecord* old) const override;
  void before_store(json::object& attrs) const override;
  MW_VM_DEVICE_KIND_COMMON
};

class CdromKind final : public DeviceKind {
 public:
  std::string dtype() const override { return "CDROM"; }
  int64_t default_order() const override { return 1000; }
  MW_VM_DEVICE_KIND_COMMON
};

class NicKind final : public DeviceKind {
 public:
  std::string dtype() const override { return "NIC"; }
  MW_VM_DEVICE_KIND_COMMON
};

class DisplayKind final : public DeviceKind {
 public:
  std::string dtype() const override { return "DISPLAY"; }
  MW_VM_DEVICE_KIND_COMMON
};

class PciKind final : public DeviceKind {
 public:
  std::string dtype() const override { return "PCI"; }
  MW_VM_DEVICE_KIND_COMMON
};

class UsbKind final : public DeviceKind {
 public:
  std::string dtype() const override { return "USB"; }
  MW_VM_DEVICE_KIND_COMMON
};

#undef MW_VM_DEVICE_KIND_COMMON

}  // namespace mw::vm
