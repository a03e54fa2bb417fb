#include "device_kind.hpp"

#include "../random_ids.hpp"
#include "kinds.hpp"

namespace mw::vm {

std::vector<DeviceRecord> DeviceContext::siblings() const {
  std::vector<DeviceRecord> out;
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

std::optional<std::string> string_attr(const json::object& attrs, const char* key) {
  auto it = attrs.find(key);
  if (it == attrs.end() || !it->value().is_string()) return std::nullopt;
  return std::string(it->value().as_string());
}

std::vector<FieldSpec> sector_size_fields() {
  FieldSpec logical{.name = "logical_sectorsize", .type = FieldSpec::Type::Int, .nullable = true, .literals = {512, 4096}};
  FieldSpec physical = logical;
  physical.name = "physical_sectorsize";
  return {logical, physical};
}

void check_sector_sizes(const json::object& attrs, ValidationErrors& errors) {
  const auto& logical = attrs.at("logical_sectorsize");
  const auto& physical = attrs.at("physical_sectorsize");
  if (!physical.is_null() && logical.is_null())
    errors.add("attributes.logical_sectorsize",
               "This field \"logical_sectorsize\" must be provided when physical_sectorsize is specified.");
  else if (!physical.is_null() && logical.as_int64() > physical.as_int64())
    errors.add("attributes.logical_sectorsize", "Logical sector size cannot be greater than physical sector size.");
}

void settle_serial(json::object& attrs, const DeviceContext& ctx, ValidationErrors& errors) {
  if (!ctx.old) {
    attrs["serial"] = random_alnum(8);  // a given value is replaced on create, as TrueNAS does
    return;
  }
  auto old_serial = string_attr(ctx.old->attributes, "serial");
  auto given = string_attr(attrs, "serial");
  if (!given || given->empty()) {
    attrs["serial"] = old_serial ? json::value(json::string(*old_serial)) : json::value(random_alnum(8));
  } else if (given != old_serial) {
    errors.add("attributes.serial", "This field is read-only.");
  }
}

bool path_taken(const std::string& path, const DeviceContext& ctx) {
  for (const auto& d : ctx.siblings()) {
    auto t = d.dtype();
    if ((t == "DISK" || t == "RAW" || t == "CDROM") && string_attr(d.attributes, "path") == path) return true;
  }
  return false;
}

}  // namespace mw::vm
