#include "device_kind.hpp"

#include "../random_ids.hpp"
#include "kinds.hpp"

namespace mw::vm {

std::vector<DeviceConfig> DeviceContext::siblings() const {
  std::vector<DeviceConfig> out;
  for (auto& d : catalog.devices_of(vm_id()))
    if (d.id != device_id) out.push_back(std::move(d));
  return out;
}

const DeviceKind* device_kind(std::string_view dtype) {
  static const DiskKind disk;
  static const RawKind raw;
  static const CdromKind cdrom;
  static const NicKind nic;
  static const DisplayKind display;
  static const PciKind pci;
  static const UsbKind usb;
  for (const DeviceKind* k : std::initializer_list<const DeviceKind*>{&disk, &raw, &cdrom, &nic, &display, &pci, &usb})
    if (k->dtype() == dtype) return k;
  return nullptr;
}

const std::vector<std::string>& device_types() {
  static const std::vector<std::string> types = {"DISK", "RAW", "CDROM", "NIC", "DISPLAY", "PCI", "USB"};
  return types;
}

void check_sector_sizes(const DiskCommon& attrs, ValidationErrors& errors) {
  const auto& logical = attrs.logical_sectorsize;
  const auto& physical = attrs.physical_sectorsize;
  if (physical && !logical)
    errors.add("attributes.logical_sectorsize",
               "This field \"logical_sectorsize\" must be provided when physical_sectorsize is specified.");
  else if (physical && *logical > *physical)
    errors.add("attributes.logical_sectorsize", "Logical sector size cannot be greater than physical sector size.");
}

void settle_serial(DiskCommon& attrs, const DeviceContext& ctx, ValidationErrors& errors) {
  if (!ctx.old) {
    attrs.serial = random_alnum(8);  // a given value is replaced on create, as TrueNAS does
    return;
  }
  std::optional<std::string> old_serial;
  visit_attributes(
      [&](const auto& a) {
        if constexpr (std::is_base_of_v<DiskCommon, std::decay_t<decltype(a)>>) old_serial = a.serial;
      },
      ctx.old->attributes);
  const auto& given = attrs.serial;
  if (!given || given->empty()) {
    attrs.serial = old_serial ? *old_serial : random_alnum(8);
  } else if (given != old_serial) {
    errors.add("attributes.serial", "This field is read-only.");
  }
}

bool path_taken(const std::string& path, const DeviceContext& ctx) {
  for (const auto& d : ctx.siblings())
    if (const std::string* p = d.path(); p && *p == path) return true;
  return false;
}

}  // namespace mw::vm
